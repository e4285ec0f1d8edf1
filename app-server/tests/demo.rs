//! `serve --demo`'s week, entered through the use cases on a fresh database (SQLite, or
//! PostgreSQL when `.ci/run` sets it): patients with allergies, visits, a certificate,
//! weekly hours and bookings, all visible through the same services the API uses.

use app_server::{App, Config};
use application::appointment::SlotQuery;
use domain::identity::Role;
use domain::paging::PageRequest;
use domain::policy::Actor;

#[tokio::test]
async fn the_demo_week_is_entered_through_the_use_cases() {
    let url = storage::testing::fresh_database_url().await.expect("db");
    let dir = std::env::temp_dir().join(format!("uscpis-demo-{}", uuid::Uuid::now_v7().simple()));
    let config = Config {
        database_url: Some(url),
        data_dir: dir,
        argon2_memory_kib: 1024,
        argon2_iterations: 1,
        ..Config::default()
    };
    let app = App::build(config).await.expect("app");
    let s = &app.services;
    let accounts = s.identity.seed_demo().await.expect("seed").expect("new");
    let week = app_server::demo::prefill_week(s, &accounts)
        .await
        .expect("week");
    assert_eq!((week.patients, week.visits), (5, 4));
    assert!(week.bookings >= 3, "{week:?}");

    let (_, _, admin) = accounts
        .accounts
        .iter()
        .find(|(_, r, _)| *r == Role::Admin)
        .expect("admin");
    let admin = Actor::new(*admin, Role::Admin);
    let page = PageRequest::new(Some(1), Some(50)).expect("page");
    let patients = s
        .clinical
        .list_patients(&admin, Default::default(), page)
        .await
        .expect("patients");
    assert_eq!(patients.total, 5);
    let allergies: usize = patients
        .items
        .iter()
        .map(|v| v.patient.allergies.len())
        .sum();
    assert_eq!(allergies, 3, "a reported and two recorded allergies");
    let types = s.appointments.list_types(&admin).await.expect("types");
    assert_eq!(types.len(), 3);
    let slots = s
        .appointments
        .slots(
            &admin,
            SlotQuery {
                appointment_type_id: types[0].id,
                provider_id: None,
                from: None,
                to: None,
            },
        )
        .await
        .expect("slots");
    assert!(!slots.is_empty(), "weekly hours were set");
    // A second run on the same database adds nothing.
    assert!(s.identity.seed_demo().await.expect("seed").is_none());
}
