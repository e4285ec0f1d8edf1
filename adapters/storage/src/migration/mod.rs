//! The schema, as migrations that run unchanged on SQLite and PostgreSQL, one file each.
//!
//! Constraints back the domain's invariants: unique emails and USC IDs, one verification
//! code per user, unique token hashes, foreign keys with cascades, and checks on enums.
//!
//! Every migration names itself with an explicit [`MigrationName`] impl, never
//! `DeriveMigrationName` (which takes the source file's stem): the names are what existing
//! databases recorded in `seaql_migrations`, and a changed name would be applied again. The
//! first one is recorded as `migration`, the file it was written in. The upgrade test
//! (`tests/upgrade.rs`) opens databases made by the old migrations and checks the names.

use sea_orm_migration::prelude::*;

pub mod m20261121_000001_identity;
pub mod m20261121_000002_clinical;
pub mod m20261121_000003_appointments;
pub mod m20261207_000004_audit_pending;
pub mod m20261207_000005_audit_client;
pub mod m20261207_000006_search_indexes;
pub mod m20261208_000007_revision_values;
pub mod m20261208_000008_appointment_history;
pub mod m20261208_000009_certificate_revocation;
pub mod m20261208_000010_license_number;
pub mod m20261208_000011_template_active;

/// Applies every migration in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_identity::Migration),
            Box::new(m20261121_000002_clinical::Migration),
            Box::new(m20261121_000003_appointments::Migration),
            Box::new(m20261207_000004_audit_pending::Migration),
            Box::new(m20261207_000005_audit_client::Migration),
            Box::new(m20261207_000006_search_indexes::Migration),
            Box::new(m20261208_000007_revision_values::Migration),
            Box::new(m20261208_000008_appointment_history::Migration),
            Box::new(m20261208_000009_certificate_revocation::Migration),
            Box::new(m20261208_000010_license_number::Migration),
            Box::new(m20261208_000011_template_active::Migration),
        ]
    }
}

// Helpers the clinical and appointment migrations share (the identity migration has its own
// `fk`, which names no constraint, and keeps it: its SQL must not change).

fn a(name: &str) -> Alias {
    Alias::new(name)
}

fn fk(table: &str, col: &str, to: &str, action: ForeignKeyAction) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{col}"))
        .from(a(table), a(col))
        .to(a(to), a("id"))
        .on_delete(action)
        .to_owned()
}

fn one_of(col: &str, values: &[&str]) -> SimpleExpr {
    Expr::col(a(col)).is_in(values.iter().copied())
}

fn nullable_one_of(col: &str, values: &[&str]) -> SimpleExpr {
    Expr::col(a(col)).is_null().or(one_of(col, values))
}

async fn index(
    m: &SchemaManager<'_>,
    table: &str,
    name: &str,
    cols: &[&str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(name).table(a(table));
    for c in cols {
        i.col(a(c));
    }
    if unique {
        i.unique();
    }
    m.create_index(i.to_owned()).await
}
