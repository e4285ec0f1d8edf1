//! The storage suite: the same tests on SQLite (default) and PostgreSQL
//! (`USCPIS_TEST_POSTGRES_URL`), through the real adapter.

use std::sync::Arc;

use application::audit::{AuditService, AuditStore};
use application::identity::{
    IdentityService, IdentityStore, LoginCommand, PasswordHasher, RegisterCommand,
};
use application::mail::{OutboxStatus, OutboxStore, OutgoingEmail};
use application::{AppError, StoreError, SystemClock};
use async_trait::async_trait;
use chrono::{Duration, Utc};
use domain::UserId;
use domain::audit::{AuditEvent, Outcome};
use domain::identity::{EmailAddress, Password, PasswordHash, PersonName, Role, User};
use domain::paging::PageRequest;
use storage::testing::fresh_database;
use storage::{Database, SeaOrmAuditStore, SeaOrmIdentityStore, SeaOrmOutboxStore};

/// A fast, deterministic stand-in for argon2 (the real hasher is tested in its crate).
struct PlainHasher;

#[async_trait]
impl PasswordHasher for PlainHasher {
    async fn hash(&self, p: &Password) -> anyhow::Result<PasswordHash> {
        Ok(PasswordHash::new(format!("plain:{}", p.expose())))
    }
    async fn verify(&self, candidate: &str, hash: Option<PasswordHash>) -> anyhow::Result<bool> {
        Ok(hash.is_some_and(|h| h.as_str() == format!("plain:{candidate}")))
    }
}

fn user(email: &str) -> User {
    let now = Utc::now();
    User {
        id: UserId::new(),
        email: EmailAddress::parse(email).expect("valid"),
        role: Role::Faculty,
        first_name: PersonName::parse("Ana").expect("valid"),
        last_name: PersonName::parse("Cruz").expect("valid"),
        middle_name: None,
        usc_id: None,
        course: None,
        year_level: None,
        campus: None,
        phone: None,
        department: None,
        license_number: None,
        is_active: true,
        is_verified: true,
        created_at: now,
        updated_at: now,
    }
}

async fn db() -> Database {
    fresh_database().await.expect("test database")
}

fn identity(db: &Database) -> IdentityService {
    IdentityService::new(
        Arc::new(SeaOrmIdentityStore::new(db.clone())),
        Arc::new(PlainHasher),
        Arc::new(SystemClock),
        Default::default(),
    )
}

#[tokio::test]
async fn migrations_are_idempotent_and_ping_works() {
    let db = db().await;
    db.migrate().await.expect("second run is a no-op");
    db.ping().await.expect("ping");
}

#[tokio::test]
async fn unique_email_and_usc_id_become_typed_conflicts() {
    let db = db().await;
    let store = SeaOrmIdentityStore::new(db.clone());
    let hash = PasswordHash::new("x".into());
    let mut tx = store.begin().await.expect("begin");
    let mut a = user("ana@usc.edu.ph");
    a.usc_id = Some(domain::identity::UscId::parse("1234567").expect("valid"));
    tx.identity().insert_user(&a, &hash).await.expect("insert");
    tx.commit().await.expect("commit");

    let mut tx = store.begin().await.expect("begin");
    let dup = user("ana@usc.edu.ph");
    match tx.identity().insert_user(&dup, &hash).await {
        Err(StoreError::Conflict { what }) => assert_eq!(what, "email"),
        other => panic!("expected email conflict, got {other:?}"),
    }
    drop(tx);

    let mut tx = store.begin().await.expect("begin");
    let mut b = user("other@usc.edu.ph");
    b.usc_id = a.usc_id.clone();
    match tx.identity().insert_user(&b, &hash).await {
        Err(StoreError::Conflict { what }) => assert_eq!(what, "usc_id"),
        other => panic!("expected usc_id conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn dropped_transaction_leaves_nothing_behind() {
    let db = db().await;
    let store = SeaOrmIdentityStore::new(db.clone());
    let mut tx = store.begin().await.expect("begin");
    tx.identity()
        .insert_user(&user("gone@usc.edu.ph"), &PasswordHash::new("x".into()))
        .await
        .expect("insert");
    tx.enqueue_mail(
        &OutgoingEmail {
            to: EmailAddress::parse("gone@usc.edu.ph").expect("valid"),
            subject: "s".into(),
            text: "t".into(),
            html: None,
        },
        Utc::now(),
    )
    .await
    .expect("enqueue");
    drop(tx); // rolled back
    assert_eq!(store.count_users().await.expect("count"), 0);
    assert_eq!(
        db.query_i64("SELECT COUNT(*) FROM outbox")
            .await
            .expect("q"),
        Some(0)
    );
}

#[tokio::test]
async fn concurrent_audit_appends_form_one_verifiable_chain_and_tampering_is_detected() {
    let db = db().await;
    let store = Arc::new(SeaOrmAuditStore::new(db.clone()));
    let mut tasks = Vec::new();
    for i in 0..16 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.append(
                AuditEvent::new(
                    None,
                    "test.append",
                    "thing",
                    Some(i.to_string()),
                    Outcome::Success,
                ),
                Utc::now(),
            )
            .await
        }));
    }
    for t in tasks {
        t.await.expect("join").expect("append");
    }
    // Committed, not yet linked: the chain is intact and says what waits.
    let svc = Arc::new(AuditService::new(store.clone(), Arc::new(SystemClock)));
    let report = svc.verify().await.expect("verify");
    assert_eq!(
        (report.entries, report.error.clone(), report.unlinked),
        (0, None, 16)
    );
    // Two chainers at once link each entry exactly once.
    let (a, b) = tokio::join!(svc.link_waiting(), svc.link_waiting());
    assert_eq!(a.expect("link") + b.expect("link"), 16);
    let report = svc.verify().await.expect("verify");
    assert_eq!(
        (report.entries, report.error.clone(), report.unlinked),
        (16, None, 0)
    );

    db.execute_unprepared("UPDATE audit_log SET action = 'test.forged' WHERE seq = 7")
        .await
        .expect("tamper");
    let report = svc.verify().await.expect("verify");
    assert_eq!(report.error.as_deref(), Some("entry 7 was altered"));

    db.execute_unprepared("UPDATE audit_log SET action = 'test.append' WHERE seq = 7")
        .await
        .expect("restore");
    db.execute_unprepared("DELETE FROM audit_log WHERE seq = 16")
        .await
        .expect("delete newest");
    let report = svc.verify().await.expect("verify");
    assert!(
        report.error.is_some(),
        "deleting the newest entry is detected by the head"
    );
}

#[tokio::test]
async fn outbox_claims_are_exclusive_and_retries_are_scheduled() {
    let db = db().await;
    let ids = SeaOrmIdentityStore::new(db.clone());
    let outbox = Arc::new(SeaOrmOutboxStore::new(db.clone()));
    let now = Utc::now();
    let mut tx = ids.begin().await.expect("begin");
    for i in 0..5 {
        let mail = OutgoingEmail {
            to: EmailAddress::parse(&format!("p{i}@usc.edu.ph")).expect("valid"),
            subject: "[USC-PIS] test".into(),
            text: "body".into(),
            html: None,
        };
        tx.enqueue_mail(&mail, now).await.expect("enqueue");
    }
    tx.commit().await.expect("commit");

    // Two workers claim at once: every message goes to exactly one of them.
    let lease = now + Duration::minutes(5);
    let (a, b) = tokio::join!(
        outbox.claim_due(now, lease, 10),
        outbox.claim_due(now, lease, 10)
    );
    let (a, b) = (a.expect("claim"), b.expect("claim"));
    assert_eq!(a.len() + b.len(), 5);
    let mut all: Vec<_> = a.iter().chain(b.iter()).map(|m| m.id).collect();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 5, "no message claimed twice");
    assert!(a.iter().chain(b.iter()).all(|m| m.attempts == 1));
    // Leased: nothing more to claim now.
    assert!(
        outbox
            .claim_due(now, lease, 10)
            .await
            .expect("claim")
            .is_empty()
    );

    let first = a.first().or(b.first()).expect("one").id;
    outbox
        .mark_attempt_failed(
            first,
            "connection refused",
            Some(now + Duration::seconds(30)),
        )
        .await
        .expect("fail");
    assert!(
        outbox
            .claim_due(now + Duration::seconds(29), lease, 10)
            .await
            .expect("claim")
            .is_empty()
    );
    let again = outbox
        .claim_due(now + Duration::seconds(30), lease, 10)
        .await
        .expect("claim");
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
    assert_eq!(again[0].last_error.as_deref(), Some("connection refused"));
    outbox.mark_sent(&[first], now).await.expect("sent");
    let stored = outbox
        .list(Some(OutboxStatus::Sent), PageRequest::default())
        .await
        .expect("list");
    assert!(
        !stored.items[0].email.text.contains("body") && stored.items[0].email.html.is_none(),
        "delivered bodies (codes, tokens) are not kept"
    );
    let sent = outbox
        .list(Some(OutboxStatus::Sent), PageRequest::default())
        .await
        .expect("list");
    assert_eq!(sent.total, 1);
    // Even after every lease expires, a sent message is never claimed again.
    let later = outbox
        .claim_due(now + Duration::hours(1), now + Duration::hours(2), 10)
        .await
        .expect("claim");
    assert_eq!(later.len(), 4);
    assert!(later.iter().all(|m| m.id != first));
    // Several are marked in one statement, and only those named.
    let ids: Vec<_> = later.iter().take(3).map(|m| m.id).collect();
    outbox.mark_sent(&ids, now).await.expect("sent");
    let sent = outbox
        .list(Some(OutboxStatus::Sent), PageRequest::default())
        .await
        .expect("list");
    assert_eq!(sent.total, 4);
    let pending = outbox
        .list(Some(OutboxStatus::Pending), PageRequest::default())
        .await
        .expect("list");
    assert_eq!(pending.total, 1);
    assert_eq!(pending.items[0].id, later[3].id);
}

#[tokio::test]
async fn registration_is_atomic_and_conflicts_are_409() {
    let db = db().await;
    let svc = identity(&db);
    let cmd = RegisterCommand {
        client_ip: None,
        email: "21100001@usc.edu.ph".into(),
        password: "Str0ngPass".into(),
        first_name: "Maria".into(),
        last_name: "Reyes".into(),
    };
    let u = svc.register(cmd.clone()).await.expect("register");
    assert_eq!(u.role, Role::Student);
    assert_eq!(u.usc_id.as_ref().map(|x| x.as_str()), Some("21100001"));
    assert_eq!(
        db.query_i64("SELECT COUNT(*) FROM outbox")
            .await
            .expect("q"),
        Some(1)
    );
    assert_eq!(
        db.query_i64("SELECT COUNT(*) FROM email_verifications")
            .await
            .expect("q"),
        Some(1)
    );
    match svc.register(cmd).await {
        Err(AppError::Conflict { code, .. }) => assert_eq!(code, "email_taken"),
        other => panic!("expected conflict, got {other:?}"),
    }
    assert_eq!(
        db.query_i64("SELECT COUNT(*) FROM users").await.expect("q"),
        Some(1)
    );
    assert_eq!(
        db.query_i64("SELECT COUNT(*) FROM outbox")
            .await
            .expect("q"),
        Some(1),
        "nothing half-written"
    );
}

#[tokio::test]
async fn concurrent_wrong_passwords_never_exceed_the_limit() {
    let db = db().await;
    let svc = Arc::new(identity(&db));
    svc.create_admin("boss@usc.edu.ph", "Adm1nPassword")
        .await
        .expect("admin");
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let s = svc.clone();
        tasks.push(tokio::spawn(async move {
            s.login(LoginCommand {
                email: "boss@usc.edu.ph".into(),
                password: "Wrong1234".into(),
                client_ip: Some("10.0.0.1".into()),
            })
            .await
        }));
    }
    let (mut wrong, mut limited) = (0, 0);
    for t in tasks {
        match t.await.expect("join") {
            Err(AppError::Unauthenticated { .. }) => wrong += 1,
            Err(AppError::RateLimited { retry_after_secs }) => {
                assert!(retry_after_secs > 0);
                limited += 1
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((wrong, limited), (5, 7), "exactly five guesses get through");
    // Locked even with the right password, until the window passes.
    let right = svc
        .login(LoginCommand {
            email: "boss@usc.edu.ph".into(),
            password: "Adm1nPassword".into(),
            client_ip: None,
        })
        .await;
    assert!(matches!(right, Err(AppError::RateLimited { .. })));
    // Age the failures past the window: the account opens again and the success clears them.
    db.execute_unprepared("DELETE FROM login_failures")
        .await
        .expect("age");
    let ok = svc
        .login(LoginCommand {
            email: "boss@usc.edu.ph".into(),
            password: "Adm1nPassword".into(),
            client_ip: None,
        })
        .await
        .expect("login");
    let ctx = svc.authenticate(&ok.token).await.expect("auth");
    assert_eq!(ctx.actor.role, Role::Admin);
    svc.logout(&ctx).await.expect("logout");
    assert!(matches!(
        svc.authenticate(&ok.token).await,
        Err(AppError::Unauthenticated { .. })
    ));
}

#[tokio::test]
async fn parallel_wrong_codes_cannot_exceed_five_attempts() {
    let db = db().await;
    let svc = Arc::new(identity(&db));
    svc.register(RegisterCommand {
        client_ip: None,
        email: "21100009@usc.edu.ph".into(),
        password: "Str0ngPass".into(),
        first_name: "Maria".into(),
        last_name: "Reyes".into(),
    })
    .await
    .expect("register");
    let mut tasks = Vec::new();
    for i in 0..10 {
        let s = svc.clone();
        // Ten different wrong guesses at once (a 6-digit code is never 7 digits long).
        tasks.push(tokio::spawn(async move {
            s.verify_email("21100009@usc.edu.ph", &format!("{i:07}"))
                .await
        }));
    }
    let mut wrong = 0;
    for t in tasks {
        match t.await.expect("join") {
            Err(AppError::Invalid {
                code: application::ErrorCode::InvalidCode,
                ..
            }) => wrong += 1,
            Err(AppError::Invalid {
                code: application::ErrorCode::CodeAttemptsExhausted,
                ..
            }) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(wrong, 4, "only four guesses are answered as merely wrong");
    assert_eq!(
        db.query_i64("SELECT CAST(attempts AS BIGINT) FROM email_verifications")
            .await
            .expect("q"),
        Some(5),
        "every attempt was counted"
    );
}

#[tokio::test]
async fn cached_sessions_follow_logout_and_role_changes_at_once() {
    let db = db().await;
    let svc = IdentityService::new(
        Arc::new(SeaOrmIdentityStore::with_session_cache(
            db.clone(),
            std::time::Duration::from_secs(60),
        )),
        Arc::new(PlainHasher),
        Arc::new(SystemClock),
        Default::default(),
    );
    let admin = svc
        .create_admin("boss@usc.edu.ph", "Adm1nPassword")
        .await
        .expect("admin");
    let other = svc
        .create_admin("other@usc.edu.ph", "Adm1nPassword")
        .await
        .expect("admin");
    let login = |email: &'static str| LoginCommand {
        email: email.into(),
        password: "Adm1nPassword".into(),
        client_ip: None,
    };
    let boss = svc.login(login("boss@usc.edu.ph")).await.expect("login");
    let them = svc.login(login("other@usc.edu.ph")).await.expect("login");
    let boss_ctx = svc.authenticate(&boss.token).await.expect("auth");
    assert_eq!(
        svc.authenticate(&them.token)
            .await
            .expect("auth (now cached)")
            .actor
            .role,
        Role::Admin
    );

    // A role change is seen on the very next request, despite a 60 s cache.
    svc.admin_update_user(
        &boss_ctx.actor,
        other.id,
        application::identity::AdminUserChange {
            role: Some("NURSE".into()),
            ..Default::default()
        },
    )
    .await
    .expect("demote");
    assert_eq!(
        svc.authenticate(&them.token)
            .await
            .expect("auth")
            .actor
            .role,
        Role::Nurse
    );

    // So is a logout.
    let them_ctx = svc.authenticate(&them.token).await.expect("auth");
    svc.logout(&them_ctx).await.expect("logout");
    assert!(matches!(
        svc.authenticate(&them.token).await,
        Err(AppError::Unauthenticated { .. })
    ));
    assert_eq!(admin.role, Role::Admin);
}

#[tokio::test]
async fn many_people_behind_one_address_log_in_at_once() {
    let db = db().await;
    let svc = Arc::new(identity(&db));
    for i in 0..8 {
        svc.create_admin(&format!("user{i}@usc.edu.ph"), "Adm1nPassword")
            .await
            .expect("account");
    }
    let mut tasks = Vec::new();
    for i in 0..8 {
        let s = svc.clone();
        tasks.push(tokio::spawn(async move {
            s.login(LoginCommand {
                email: format!("user{i}@usc.edu.ph"),
                password: "Adm1nPassword".into(),
                client_ip: Some("10.1.1.1".into()), // the campus NAT
            })
            .await
        }));
    }
    for t in tasks {
        t.await.expect("join").expect("every login succeeds");
    }
}
