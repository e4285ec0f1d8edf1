//! DbErr → StoreError at the boundary.

use application::StoreError;
use sea_orm::{DbErr, SqlErr};

/// Classifies a database error: unique violations name their field, connection problems
/// are `Unavailable`.
pub(crate) fn map_db_err(e: DbErr) -> StoreError {
    // No double booking: the SQLite triggers raise these words, PostgreSQL names the
    // exclusion constraint, and a second holder of a seat breaks `uq_appointments_seat`.
    let text = e.to_string();
    for (marker, what) in [
        ("patient_busy", "patient_busy"),
        ("slot_taken", "slot"),
        ("ex_appointments_slot", "slot"),
        ("uq_appointments_seat", "slot"),
        ("appointments.seat", "slot"),
        ("waitlist_offers", "offer"),
        ("idempotency_keys", "idempotency"),
    ] {
        let unique = matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)));
        if text.contains(marker) && (unique || !matches!(what, "offer" | "idempotency")) {
            return StoreError::Conflict { what: what.into() };
        }
    }
    if let Some(SqlErr::UniqueConstraintViolation(msg)) = e.sql_err() {
        // SQLite names `table.column`, PostgreSQL the index (`uq_<table>_<column>`).
        let what = [
            "safe_email",
            "usc_id",
            "token_hash",
            "prev_hash",
            "email",
            "user_id",
            "visit",
            "verification_code",
            "storage_key",
            "name",
        ]
        .into_iter()
        .find(|f| msg.contains(f))
        .unwrap_or("record");
        return StoreError::Conflict {
            what: what.to_owned(),
        };
    }
    // A RESTRICT foreign key refusing a delete: rows still depend on this one.
    // (PostgreSQL: "update or delete on table ..."; SQLite reports RESTRICT actions with
    // the trigger code 1811.)
    if text.contains("update or delete on table")
        || (text.contains("FOREIGN KEY constraint failed") && text.contains("1811"))
    {
        return StoreError::Conflict {
            what: "dependents".to_owned(),
        };
    }
    if let Some(SqlErr::ForeignKeyConstraintViolation(_)) = e.sql_err() {
        return StoreError::Missing {
            what: "referenced record".into(),
        };
    }
    match e {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => StoreError::Unavailable(e.into()),
        other => {
            let text = other.to_string();
            if text.contains("database is locked") || text.contains("PoolTimedOut") {
                StoreError::Unavailable(other.into())
            } else {
                StoreError::Other(other.into())
            }
        }
    }
}

/// A row that no longer parses into a domain value.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Other(anyhow::anyhow!("stored {what} is invalid: {detail}"))
}
