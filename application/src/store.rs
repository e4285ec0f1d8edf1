//! What every storage port returns on failure.

use thiserror::Error;

/// A storage failure, already classified by the adapter.
#[derive(Debug, Error)]
pub enum StoreError {
    /// A unique constraint refused the write; `what` names the field (`email`, `usc_id`).
    #[error("{what} already exists")]
    Conflict {
        /// The conflicting field or constraint.
        what: String,
    },
    /// A row the operation needs does not exist (e.g. a foreign key target).
    #[error("{what} not found")]
    Missing {
        /// What was missing.
        what: String,
    },
    /// The database cannot be reached or timed out.
    #[error("storage unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else.
    #[error("storage error")]
    Other(#[source] anyhow::Error),
}
