//! Use-case errors: the variants a caller acts on, each with a stable `code`.
//!
//! The HTTP adapter maps each variant to one status; the `code` and `details` travel to
//! the client unchanged in the error envelope `{code, message, details}`.

use std::collections::BTreeMap;

use domain::policy::Denied;
use thiserror::Error;

use crate::StoreError;

/// Field name → explanation (and a few extra keys such as `suggestion`).
pub type Details = BTreeMap<String, String>;

/// Why a use case did not do what was asked.
#[derive(Debug, Error)]
pub enum AppError {
    /// The input is wrong (→ 400).
    #[error("{message}")]
    Invalid {
        /// Stable machine code, e.g. `invalid_input`, `invalid_code`.
        code: &'static str,
        /// Human sentence.
        message: String,
        /// Which fields, and why.
        details: Details,
    },
    /// No valid credentials (→ 401).
    #[error("{message}")]
    Unauthenticated {
        /// `unauthenticated`, `invalid_credentials`, `token_expired`.
        code: &'static str,
        /// Human sentence.
        message: String,
    },
    /// Authenticated but not allowed (→ 403).
    #[error("{message}")]
    Forbidden {
        /// `forbidden`, `email_not_verified`, `account_disabled`.
        code: &'static str,
        /// Human sentence.
        message: String,
    },
    /// No such thing, or the caller may not know it exists (→ 404).
    #[error("{what} not found")]
    NotFound {
        /// What was looked for.
        what: &'static str,
    },
    /// Duplicate or wrong state (→ 409).
    #[error("{message}")]
    Conflict {
        /// `email_taken`, `usc_id_taken`, `conflict`.
        code: &'static str,
        /// Human sentence.
        message: String,
        /// Extra facts for the client (e.g. the conflicting allergies).
        details: Details,
    },
    /// The upload is larger than allowed (→ 413).
    #[error("the upload is larger than {max_bytes} bytes")]
    TooLarge {
        /// The limit.
        max_bytes: u64,
    },
    /// The content type is refused (→ 415).
    #[error("{message}")]
    Unsupported {
        /// Human sentence.
        message: String,
    },
    /// Too many attempts (→ 429 with `Retry-After`).
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    RateLimited {
        /// Seconds until the next attempt may succeed.
        retry_after_secs: u64,
    },
    /// A dependency (database) is down (→ 503).
    #[error("a dependency is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// A bug or an unclassified failure (→ 500, logged, answered opaquely).
    #[error("unexpected error")]
    Unexpected(#[source] anyhow::Error),
}

impl AppError {
    /// 400 `invalid_input` naming one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut details = Details::new();
        details.insert(field.to_owned(), message.clone());
        Self::Invalid {
            code: "invalid_input",
            message: format!("{field}: {message}"),
            details,
        }
    }

    /// 400 `invalid_input` from collected field errors; `None` when there are none.
    pub fn fields(details: Details) -> Option<Self> {
        if details.is_empty() {
            return None;
        }
        let message = details
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("; ");
        Some(Self::Invalid {
            code: "invalid_input",
            message,
            details,
        })
    }

    /// 403 from the policy.
    pub fn denied(d: Denied) -> Self {
        Self::Forbidden {
            code: "forbidden",
            message: d.to_string(),
        }
    }

    /// 409 with a code and a sentence.
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            details: Details::new(),
        }
    }

    /// 401 for a missing, unknown, revoked or expired token.
    pub fn unauthenticated() -> Self {
        Self::Unauthenticated {
            code: "unauthenticated",
            message: "authentication required: send a valid bearer token".into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { what } => AppError::Conflict {
                code: match what.as_str() {
                    "email" => "email_taken",
                    "usc_id" => "usc_id_taken",
                    "user_id" => "patient_exists",
                    "visit" => "duplicate_visit",
                    "name" => "name_taken",
                    "dependents" => "has_dependents",
                    "slot" => "slot_taken",
                    "patient_busy" => "patient_busy",
                    "offer" => "offer_taken",
                    "idempotency" => "idempotency_key_reused",
                    _ => "conflict",
                },
                message: format!("{what} already exists"),
                details: Details::new(),
            },
            StoreError::Missing { what } => AppError::Invalid {
                code: "invalid_reference",
                message: format!("{what} does not exist"),
                details: Details::new(),
            },
            StoreError::Unavailable(e) => AppError::Unavailable(e),
            StoreError::Other(e) => AppError::Unexpected(e),
        }
    }
}
