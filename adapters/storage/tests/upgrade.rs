//! Upgrade: a database made by an older build (the v3 fixtures, made by commit 3ab21bf's
//! binary; see `fixtures/README.md`) opens with this code, keeps every migration it recorded
//! under the same name, gets only the migrations it lacks, and its rows stay readable through
//! the stores. SQLite by default, PostgreSQL with `USCPIS_TEST_POSTGRES_URL`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use application::SystemClock;
use application::appointment::{AppointmentFilter, AppointmentStore};
use application::audit::AuditService;
use application::clinical::{ClinicalStore, PatientFilter};
use application::identity::IdentityStore;
use domain::identity::EmailAddress;
use domain::paging::PageRequest;
use sea_orm::{ConnectionTrait, Statement};
use sea_orm_migration::MigratorTrait;
use storage::migration::Migrator;
use storage::testing::restored_database_url;
use storage::{
    Database, SeaOrmAppointmentStore, SeaOrmAuditStore, SeaOrmClinicalStore, SeaOrmIdentityStore,
};

/// What a v3 database lists in `seaql_migrations`, in order. The first migration was named
/// by `DeriveMigrationName` after its file, `migration.rs`.
const V3_MIGRATIONS: [&str; 3] = [
    "migration",
    "m20261121_000002_clinical",
    "m20261121_000003_appointments",
];

/// Tables whose rows the fixture holds, counted before and after the upgrade.
const TABLES: [&str; 12] = [
    "users",
    "sessions",
    "audit_log",
    "outbox",
    "patients",
    "medical_records",
    "dental_records",
    "certificate_templates",
    "appointment_types",
    "provider_schedules",
    "appointments",
    "appointment_transitions",
];

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// `seaql_migrations`: version → applied_at. (One run's migrations can share an applied_at
/// second, and the versions do not sort in order, so this is a map, not a list.)
async fn recorded(db: &Database) -> BTreeMap<String, i64> {
    let c = db.connection();
    let rows = c
        .query_all_raw(Statement::from_string(
            c.get_database_backend(),
            "SELECT version, applied_at FROM seaql_migrations",
        ))
        .await
        .expect("read seaql_migrations");
    rows.iter()
        .map(|r| {
            (
                r.try_get_by_index::<String>(0).expect("version"),
                r.try_get_by_index::<i64>(1).expect("applied_at"),
            )
        })
        .collect()
}

fn names(recorded: &BTreeMap<String, i64>) -> Vec<&str> {
    recorded.keys().map(String::as_str).collect()
}

/// The migrations this code knows, sorted like [`names`].
fn known() -> Vec<String> {
    let mut known: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    known.sort();
    known
}

async fn counts(db: &Database) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for t in TABLES {
        let n = db
            .query_i64(&format!("SELECT COUNT(*) FROM {t}"))
            .await
            .expect("count")
            .expect("a row");
        out.push((t, n));
    }
    out
}

fn count(counts: &[(&str, i64)], table: &str) -> u64 {
    counts
        .iter()
        .find(|(t, _)| *t == table)
        .map(|(_, n)| u64::try_from(*n).expect("a count"))
        .expect("a counted table")
}

#[test]
fn the_code_names_the_v3_migrations_as_v3_databases_recorded_them() {
    let known: Vec<String> = Migrator::migrations()
        .iter()
        .map(|m| m.name().to_owned())
        .collect();
    assert!(known.len() >= V3_MIGRATIONS.len(), "{known:?}");
    assert_eq!(known[..V3_MIGRATIONS.len()], V3_MIGRATIONS);
}

#[tokio::test]
async fn a_v3_database_upgrades_in_place_and_keeps_its_rows() {
    // Arrange: the old database, as the old build left it.
    let url = restored_database_url(&fixture("v3.sqlite3"), &fixture("v3.postgres.sql.gz"))
        .await
        .expect("restore the v3 fixture");
    let old = Database::connect_only(&url).await.expect("open");
    let before = recorded(&old).await;
    let mut v3 = V3_MIGRATIONS.to_vec();
    v3.sort_unstable();
    assert_eq!(names(&before), v3, "the fixture is a v3 database");
    let rows = counts(&old).await;
    for t in ["users", "patients", "medical_records", "appointments"] {
        assert!(count(&rows, t) > 0, "the fixture has {t}: {rows:?}");
    }
    old.close().await.expect("close");

    // Act: the new code opens it (and migrates).
    let db = Database::connect(&url)
        .await
        .expect("the new code opens a v3 database");

    // Assert: what was applied stays applied, under the same names and at the same time
    // (nothing re-applied); every migration the code knows is now recorded, and nothing else.
    let after = recorded(&db).await;
    for (name, applied_at) in &before {
        assert_eq!(
            after.get(name),
            Some(applied_at),
            "{name} kept, not re-applied"
        );
    }
    assert_eq!(names(&after), known(), "no migration missing, none unknown");
    assert_eq!(counts(&db).await, rows, "no row lost or added");

    // The rows decode through the stores.
    let identity = SeaOrmIdentityStore::new(db.clone());
    assert_eq!(
        identity.count_users().await.expect("count users"),
        count(&rows, "users")
    );
    let admin = EmailAddress::parse("admin@usc.edu.ph").expect("valid");
    assert!(
        identity
            .user_by_email(&admin)
            .await
            .expect("read user")
            .is_some(),
        "the admin made by create-admin"
    );
    let page = PageRequest::new(Some(1), Some(100)).expect("page");
    let patients = SeaOrmClinicalStore::new(db.clone())
        .search_patients(&PatientFilter::default(), page)
        .await
        .expect("search patients");
    assert_eq!(patients.total, count(&rows, "patients"));
    assert_eq!(patients.items.len(), 100, "a full first page decodes");
    let appointments = SeaOrmAppointmentStore::new(db.clone())
        .appointments(&AppointmentFilter::default(), page)
        .await
        .expect("list appointments");
    assert_eq!(appointments.items.len() as u64, appointments.total);
    assert_eq!(appointments.total, count(&rows, "appointments"));
    let chain = AuditService::new(
        Arc::new(SeaOrmAuditStore::new(db.clone())),
        Arc::new(SystemClock),
    )
    .verify()
    .await
    .expect("verify the audit chain");
    assert_eq!(chain.error, None, "the audit chain still verifies");
    assert_eq!(chain.entries, count(&rows, "audit_log"));
    db.close().await.expect("close");

    // A second open is a no-op.
    let again = Database::connect(&url).await.expect("open again");
    assert_eq!(
        recorded(&again).await,
        after,
        "second connect migrates nothing"
    );
    assert_eq!(counts(&again).await, rows);
    again.close().await.expect("close");
}
