//! What every storage port returns on failure.

use thiserror::Error;

use crate::error::ErrorCode;

/// A storage failure, already classified by the adapter.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A constraint refused the write; `what` says which.
    #[error("{what} already exists")]
    Conflict {
        /// The constraint.
        what: Constraint,
    },
    /// A row the operation needs does not exist (e.g. a foreign key target).
    #[error("{what} not found")]
    Missing {
        /// What was missing.
        what: String,
    },
    /// The database aborted the transaction for contention (a deadlock, a serialization
    /// failure, SQLite busy): nothing was written and the whole transaction may be run
    /// again (see [`crate::retrying`]).
    #[error("transaction aborted for contention")]
    Contended(#[source] anyhow::Error),
    /// The database cannot be reached or timed out.
    #[error("storage unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else.
    #[error("storage error")]
    Other(#[source] anyhow::Error),
}

/// The database constraints a write can break, as the storage adapter names them.
///
/// The adapter maps each constraint of the schema (by its name on PostgreSQL, by its
/// `table.column` or trigger message on SQLite) to one of these; the use case layer maps
/// each to one [`ErrorCode`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Constraint {
    /// A second account or patient with one email.
    Email,
    /// A second account or patient with one USC ID.
    UscId,
    /// A second patient profile for one account.
    UserId,
    /// A second safe-list entry for one email.
    SafeEmail,
    /// A session or reset token hash seen twice.
    TokenHash,
    /// Two audit entries after the same predecessor.
    PrevHash,
    /// A certificate verification code issued twice.
    VerificationCode,
    /// Two documents at one media key.
    StorageKey,
    /// A second record of one patient at one visit time.
    Visit,
    /// A second template or appointment type with one name.
    Name,
    /// A delete refused because rows still reference the row (RESTRICT).
    Dependents,
    /// A double booking (exclusion constraint, trigger or seat index).
    Slot,
    /// A patient booked twice at one time.
    PatientBusy,
    /// A second open waitlist offer for one slot or entry.
    Offer,
    /// An `Idempotency-Key` stored twice.
    Idempotency,
    /// Any other unique key (a primary key seen twice).
    Record,
}

impl Constraint {
    /// The short name (`email`, `slot`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Constraint::Email => "email",
            Constraint::UscId => "usc_id",
            Constraint::UserId => "user_id",
            Constraint::SafeEmail => "safe_email",
            Constraint::TokenHash => "token_hash",
            Constraint::PrevHash => "prev_hash",
            Constraint::VerificationCode => "verification_code",
            Constraint::StorageKey => "storage_key",
            Constraint::Visit => "visit",
            Constraint::Name => "name",
            Constraint::Dependents => "dependents",
            Constraint::Slot => "slot",
            Constraint::PatientBusy => "patient_busy",
            Constraint::Offer => "offer",
            Constraint::Idempotency => "idempotency",
            Constraint::Record => "record",
        }
    }

    /// The error code a conflict on this constraint answers with.
    pub fn code(self) -> ErrorCode {
        match self {
            Constraint::Email => ErrorCode::EmailTaken,
            Constraint::UscId => ErrorCode::UscIdTaken,
            Constraint::UserId => ErrorCode::PatientExists,
            Constraint::SafeEmail => ErrorCode::Conflict,
            Constraint::TokenHash => ErrorCode::Conflict,
            Constraint::PrevHash => ErrorCode::Conflict,
            Constraint::VerificationCode => ErrorCode::Conflict,
            Constraint::StorageKey => ErrorCode::Conflict,
            Constraint::Visit => ErrorCode::DuplicateVisit,
            Constraint::Name => ErrorCode::NameTaken,
            Constraint::Dependents => ErrorCode::HasDependents,
            Constraint::Slot => ErrorCode::SlotTaken,
            Constraint::PatientBusy => ErrorCode::PatientBusy,
            Constraint::Offer => ErrorCode::OfferTaken,
            Constraint::Idempotency => ErrorCode::IdempotencyKeyReused,
            Constraint::Record => ErrorCode::Conflict,
        }
    }
}

impl std::fmt::Display for Constraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for Constraint {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Constraint {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}
