//! DbErr → StoreError at the boundary.
//!
//! A refused write is classified by what the database says exactly, never by searching
//! its message: on PostgreSQL by the constraint's name and the SQLSTATE, on SQLite by the
//! extended result code and the `table.column` list or trigger message it reports. Every
//! constraint of the schema is named in [`constraint_named`] or [`sqlite_columns`].

use application::{Constraint, StoreError};
use sea_orm::sqlx::error::{DatabaseError, ErrorKind};
use sea_orm::{DbErr, RuntimeErr};

/// The PostgreSQL constraint or index names of the schema and what each guards.
pub(crate) fn constraint_named(name: &str) -> Option<Constraint> {
    Some(match name {
        "uq_users_email" | "uq_patients_email" => Constraint::Email,
        "uq_users_usc_id" | "uq_patients_usc_id" => Constraint::UscId,
        "uq_patients_user_id" => Constraint::UserId,
        "uq_safe_emails_safe_email" => Constraint::SafeEmail,
        "uq_sessions_token_hash"
        | "uq_password_resets_token_hash"
        | "calendar_feeds_token_hash_key" => Constraint::TokenHash,
        "uq_audit_log_prev_hash" => Constraint::PrevHash,
        "uq_medical_certificates_code" => Constraint::VerificationCode,
        "uq_patient_documents_key" => Constraint::StorageKey,
        "uq_medical_records_visit" | "uq_dental_records_visit" => Constraint::Visit,
        "uq_certificate_templates_name" | "appointment_types_name_key" => Constraint::Name,
        "ex_appointments_slot_type" | "ex_appointments_slot_start" | "uq_appointments_seat" => {
            Constraint::Slot
        }
        "ex_appointments_patient_busy" => Constraint::PatientBusy,
        "uq_waitlist_offers_slot" | "uq_waitlist_offers_entry" => Constraint::Offer,
        "idempotency_keys_pkey" => Constraint::Idempotency,
        _ => return None,
    })
}

/// SQLite names the columns of a unique violation (`users.email`, or
/// `idempotency_keys.user_id, idempotency_keys.idem_key`).
pub(crate) fn sqlite_columns(columns: &str) -> Option<Constraint> {
    Some(match columns {
        "users.email" | "patients.email" => Constraint::Email,
        "safe_emails.email" => Constraint::SafeEmail,
        "users.usc_id" | "patients.usc_id" => Constraint::UscId,
        "patients.user_id" => Constraint::UserId,
        "sessions.token_hash" | "password_resets.token_hash" | "calendar_feeds.token_hash" => {
            Constraint::TokenHash
        }
        "audit_log.prev_hash" => Constraint::PrevHash,
        "medical_certificates.verification_code" => Constraint::VerificationCode,
        "patient_documents.storage_key" => Constraint::StorageKey,
        "medical_records.patient_id, medical_records.visit_at"
        | "dental_records.patient_id, dental_records.visit_at, dental_records.procedure" => {
            Constraint::Visit
        }
        "certificate_templates.name" | "appointment_types.name" => Constraint::Name,
        "appointments.provider_id, appointments.start_at, appointments.seat" => Constraint::Slot,
        "waitlist_offers.provider_id, waitlist_offers.start_at" | "waitlist_offers.entry_id" => {
            Constraint::Offer
        }
        "idempotency_keys.user_id, idempotency_keys.idem_key" => Constraint::Idempotency,
        _ => return None,
    })
}

/// The messages the SQLite booking triggers raise (`RAISE(ABORT, …)`).
fn sqlite_trigger(message: &str) -> Option<Constraint> {
    match message {
        "slot_taken" => Some(Constraint::Slot),
        "patient_busy" => Some(Constraint::PatientBusy),
        _ => None,
    }
}

/// PostgreSQL: deadlock detected, serialization failure. SQLite: busy, busy snapshot.
fn contended(code: &str) -> bool {
    matches!(code, "40P01" | "40001" | "5" | "517")
}

fn database_error(e: &DbErr) -> Option<&(dyn DatabaseError + 'static)> {
    match e {
        DbErr::Exec(RuntimeErr::SqlxError(e))
        | DbErr::Query(RuntimeErr::SqlxError(e))
        | DbErr::Conn(RuntimeErr::SqlxError(e)) => match e.as_ref() {
            sea_orm::sqlx::Error::Database(d) => Some(d.as_ref()),
            _ => None,
        },
        _ => None,
    }
}

/// What a database's refusal means, if it is one of ours.
fn classify(d: &dyn DatabaseError) -> Option<StoreError> {
    let code = d.code().unwrap_or_default();
    if contended(&code) {
        return Some(StoreError::Contended(anyhow::anyhow!(
            "{} ({code})",
            d.message()
        )));
    }
    let conflict = |what| Some(StoreError::Conflict { what });
    if let Some(name) = d.constraint() {
        // PostgreSQL. 23503 on a delete is a RESTRICT foreign key: rows still refer to
        // this one; on an insert or update the referenced row is missing.
        if code == "23503" {
            return Some(if d.message().starts_with("update or delete on table") {
                StoreError::Conflict {
                    what: Constraint::Dependents,
                }
            } else {
                missing()
            });
        }
        if let Some(c) = constraint_named(name) {
            return conflict(c);
        }
        return matches!(d.kind(), ErrorKind::UniqueViolation).then_some(StoreError::Conflict {
            what: Constraint::Record,
        });
    }
    // SQLite: 1811 is SQLITE_CONSTRAINT_TRIGGER, which a RESTRICT foreign key raises as
    // well as the booking triggers (with their own message); 787
    // SQLITE_CONSTRAINT_FOREIGNKEY is a missing reference.
    match code.as_ref() {
        "1811" if d.message() == "FOREIGN KEY constraint failed" => {
            conflict(Constraint::Dependents)
        }
        "787" => Some(missing()),
        "2067" | "1555" => {
            let columns = d
                .message()
                .strip_prefix("UNIQUE constraint failed: ")
                .unwrap_or_default();
            conflict(sqlite_columns(columns).unwrap_or(Constraint::Record))
        }
        _ => sqlite_trigger(d.message()).map(|what| StoreError::Conflict { what }),
    }
}

fn missing() -> StoreError {
    StoreError::Missing {
        what: "referenced record".into(),
    }
}

/// Classifies a database error: constraint refusals name their constraint, contention
/// is `Contended`, connection problems are `Unavailable`.
pub(crate) fn map_db_err(e: DbErr) -> StoreError {
    if let Some(mapped) = database_error(&e).and_then(classify) {
        return mapped;
    }
    match e {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => StoreError::Unavailable(e.into()),
        other => StoreError::Other(other.into()),
    }
}

/// A row that no longer parses into a domain value.
pub(crate) fn corrupt(what: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Other(anyhow::anyhow!("stored {what} is invalid: {detail}"))
}
