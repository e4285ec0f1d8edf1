//! Contention in the unit of work: a real deadlock on PostgreSQL becomes
//! `StoreError::Contended` (never a generic error), and `retrying` runs the loser again
//! until it commits. On SQLite one writer at a time means no deadlock can form: the two
//! units are serialised and both commit.

use std::time::Duration;

use application::appointment::AppointmentStore;
use application::{AppError, StoreError, retrying};
use domain::UserId;
use storage::SeaOrmAppointmentStore;
use storage::testing::fresh_database;

/// Takes the two providers' locks in the given order, holding the first a moment so the
/// other unit can take its own first.
async fn lock_both(
    store: &SeaOrmAppointmentStore,
    first: UserId,
    second: UserId,
) -> Result<(), AppError> {
    let mut tx = store.begin().await?;
    tx.appointments().lock_provider(first).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    tx.appointments().lock_provider(second).await?;
    tx.commit().await?;
    Ok(())
}

#[tokio::test]
async fn opposite_lock_orders_are_contention_and_a_retry_commits() {
    let db = fresh_database().await.expect("database");
    let postgres = db.backend_name() == "postgres";
    let store = SeaOrmAppointmentStore::new(db.clone());
    let (a, b) = (UserId::new(), UserId::new());

    // Without a retry: on PostgreSQL one of the two is chosen as the deadlock victim.
    let (x, y) = tokio::join!(lock_both(&store, a, b), lock_both(&store, b, a));
    let outcomes = [x, y];
    let contended = outcomes
        .iter()
        .filter(|r| matches!(r, Err(AppError::Contended(_))))
        .count();
    if postgres {
        assert_eq!(contended, 1, "one deadlock victim: {outcomes:?}");
        assert_eq!(outcomes.iter().filter(|r| r.is_ok()).count(), 1);
    } else {
        assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    }

    // With the bounded retry both commit.
    let (x, y) = tokio::join!(
        retrying(|| lock_both(&store, a, b)),
        retrying(|| lock_both(&store, b, a))
    );
    assert!(x.is_ok() && y.is_ok(), "{x:?} {y:?}");
}

#[tokio::test]
async fn a_deadlock_is_classified_as_contended() {
    let db = fresh_database().await.expect("database");
    if db.backend_name() != "postgres" {
        return; // SQLite has one writer: there is no deadlock to classify.
    }
    let store = SeaOrmAppointmentStore::new(db);
    let (a, b) = (UserId::new(), UserId::new());
    let raw = |first, second| {
        let store = store.clone();
        async move {
            let mut tx = store.begin().await?;
            tx.appointments().lock_provider(first).await?;
            tokio::time::sleep(Duration::from_millis(300)).await;
            tx.appointments().lock_provider(second).await?;
            tx.commit().await
        }
    };
    let (x, y): (Result<(), StoreError>, Result<(), StoreError>) =
        tokio::join!(raw(a, b), raw(b, a));
    let victim = [x, y]
        .into_iter()
        .find_map(Result::err)
        .expect("a deadlock victim");
    assert!(matches!(victim, StoreError::Contended(_)), "{victim:?}");
}
