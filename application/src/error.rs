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

/// The catalogue of stable error codes: every `code` a client can receive.
///
/// The HTTP adapter takes the status from the [`AppError`] variant and the code from here;
/// `docs/ERRORS.md` lists each code with its status and meaning (a test keeps the two in
/// step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// 400 — A field is missing or wrong; `details` names each field.
    InvalidInput,
    /// 400 — The verification code is wrong, expired or used up; `details.remaining_attempts` tells how many tries are left.
    InvalidCode,
    /// 400 — The verification code has expired: ask for a new one.
    CodeExpired,
    /// 400 — Five wrong attempts burned the code: ask for a new one.
    CodeAttemptsExhausted,
    /// 400 — The password-reset token is unknown, used or expired.
    InvalidToken,
    /// 400 — The request names a record that does not exist.
    InvalidReference,
    /// 400 — The request is malformed (a body or parameter the schema refuses without naming a field).
    InvalidRequest,
    /// 401 — No valid bearer token.
    Unauthenticated,
    /// 401 — Wrong email or password.
    InvalidCredentials,
    /// 401 — The session has expired: log in again.
    TokenExpired,
    /// 403 — The caller's role may not do this.
    Forbidden,
    /// 403 — The account's email is not verified yet.
    EmailNotVerified,
    /// 403 — The account is deactivated.
    AccountDisabled,
    /// 404 — No such resource, or not visible to the caller.
    NotFound,
    /// 405 — The route exists but not with this method; `Allow` lists the methods.
    MethodNotAllowed,
    /// 409 — A unique value or state conflict not covered by a more specific code.
    Conflict,
    /// 409 — The email address is already registered.
    EmailTaken,
    /// 409 — The USC ID belongs to another account or patient.
    UscIdTaken,
    /// 409 — The account already has a patient profile.
    PatientExists,
    /// 409 — A record of this patient at this visit time already exists.
    DuplicateVisit,
    /// 409 — The name is already used (templates, appointment types).
    NameTaken,
    /// 409 — Other records still depend on this one.
    HasDependents,
    /// 409 — The patient has records, certificates or documents and cannot be deleted.
    PatientHasRecords,
    /// 409 — A prescribed medication matches a recorded allergy; `details` lists them. Send `override_reason` to proceed.
    AllergyConflict,
    /// 409 — A patient with the same name and date of birth (or very alike) exists; `details` lists the candidates. Send `confirm_new: true` to create anyway.
    PossibleDuplicate,
    /// 409 — The resource is not in a state that allows this (e.g. approving a draft).
    InvalidState,
    /// 409 — Only an approved certificate has a PDF.
    CertificateNotApproved,
    /// 409 — The time is no longer free (another booking holds it).
    SlotTaken,
    /// 409 — The patient has another appointment at that time.
    PatientBusy,
    /// 409 — The provider does not work at that time.
    OutsideAvailability,
    /// 409 — Too close to the start for a patient to change it.
    CutoffPassed,
    /// 409 — The appointment's status does not allow this change.
    InvalidTransition,
    /// 409 — The action is allowed only after the appointment's start.
    TooEarly,
    /// 409 — The waitlist offer's window has passed.
    OfferExpired,
    /// 409 — The waitlist offer was already claimed or declined.
    OfferClosed,
    /// 409 — The slot or entry already has an open offer.
    OfferTaken,
    /// 409 — The waitlist entry is no longer waiting.
    NotWaiting,
    /// 409 — The `Idempotency-Key` was used for a different request.
    IdempotencyKeyReused,
    /// 409 — Complete your patient profile first.
    PatientProfileRequired,
    /// 413 — The body or upload is larger than allowed.
    PayloadTooLarge,
    /// 415 — The content type is refused.
    UnsupportedMediaType,
    /// 429 — Too many attempts; `Retry-After` says when to try again.
    RateLimited,
    /// 503 — The database is unavailable or busy; try again shortly.
    Unavailable,
    /// 500 — A bug; logged with its cause and answered opaquely.
    InternalError,
}

impl ErrorCode {
    /// Every code, in the order of the catalogue.
    pub const ALL: [ErrorCode; 44] = [
        ErrorCode::InvalidInput,
        ErrorCode::InvalidCode,
        ErrorCode::CodeExpired,
        ErrorCode::CodeAttemptsExhausted,
        ErrorCode::InvalidToken,
        ErrorCode::InvalidReference,
        ErrorCode::InvalidRequest,
        ErrorCode::Unauthenticated,
        ErrorCode::InvalidCredentials,
        ErrorCode::TokenExpired,
        ErrorCode::Forbidden,
        ErrorCode::EmailNotVerified,
        ErrorCode::AccountDisabled,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::EmailTaken,
        ErrorCode::UscIdTaken,
        ErrorCode::PatientExists,
        ErrorCode::DuplicateVisit,
        ErrorCode::NameTaken,
        ErrorCode::HasDependents,
        ErrorCode::PatientHasRecords,
        ErrorCode::AllergyConflict,
        ErrorCode::PossibleDuplicate,
        ErrorCode::InvalidState,
        ErrorCode::CertificateNotApproved,
        ErrorCode::SlotTaken,
        ErrorCode::PatientBusy,
        ErrorCode::OutsideAvailability,
        ErrorCode::CutoffPassed,
        ErrorCode::InvalidTransition,
        ErrorCode::TooEarly,
        ErrorCode::OfferExpired,
        ErrorCode::OfferClosed,
        ErrorCode::OfferTaken,
        ErrorCode::NotWaiting,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::PatientProfileRequired,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::RateLimited,
        ErrorCode::Unavailable,
        ErrorCode::InternalError,
    ];

    /// The code as it travels in the envelope.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::InvalidCode => "invalid_code",
            ErrorCode::CodeExpired => "code_expired",
            ErrorCode::CodeAttemptsExhausted => "code_attempts_exhausted",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::InvalidReference => "invalid_reference",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::EmailNotVerified => "email_not_verified",
            ErrorCode::AccountDisabled => "account_disabled",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::EmailTaken => "email_taken",
            ErrorCode::UscIdTaken => "usc_id_taken",
            ErrorCode::PatientExists => "patient_exists",
            ErrorCode::DuplicateVisit => "duplicate_visit",
            ErrorCode::NameTaken => "name_taken",
            ErrorCode::HasDependents => "has_dependents",
            ErrorCode::PatientHasRecords => "patient_has_records",
            ErrorCode::AllergyConflict => "allergy_conflict",
            ErrorCode::PossibleDuplicate => "possible_duplicate",
            ErrorCode::InvalidState => "invalid_state",
            ErrorCode::CertificateNotApproved => "certificate_not_approved",
            ErrorCode::SlotTaken => "slot_taken",
            ErrorCode::PatientBusy => "patient_busy",
            ErrorCode::OutsideAvailability => "outside_availability",
            ErrorCode::CutoffPassed => "cutoff_passed",
            ErrorCode::InvalidTransition => "invalid_transition",
            ErrorCode::TooEarly => "too_early",
            ErrorCode::OfferExpired => "offer_expired",
            ErrorCode::OfferClosed => "offer_closed",
            ErrorCode::OfferTaken => "offer_taken",
            ErrorCode::NotWaiting => "not_waiting",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::PatientProfileRequired => "patient_profile_required",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::InternalError => "internal_error",
        }
    }

    /// The HTTP status a response with this code has.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::InvalidInput
            | ErrorCode::InvalidCode
            | ErrorCode::CodeExpired
            | ErrorCode::CodeAttemptsExhausted
            | ErrorCode::InvalidToken
            | ErrorCode::InvalidReference
            | ErrorCode::InvalidRequest => 400,
            ErrorCode::Unauthenticated
            | ErrorCode::InvalidCredentials
            | ErrorCode::TokenExpired => 401,
            ErrorCode::Forbidden | ErrorCode::EmailNotVerified | ErrorCode::AccountDisabled => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::Conflict
            | ErrorCode::EmailTaken
            | ErrorCode::UscIdTaken
            | ErrorCode::PatientExists
            | ErrorCode::DuplicateVisit
            | ErrorCode::NameTaken
            | ErrorCode::HasDependents
            | ErrorCode::PatientHasRecords
            | ErrorCode::AllergyConflict
            | ErrorCode::PossibleDuplicate
            | ErrorCode::InvalidState
            | ErrorCode::CertificateNotApproved
            | ErrorCode::SlotTaken
            | ErrorCode::PatientBusy
            | ErrorCode::OutsideAvailability
            | ErrorCode::CutoffPassed
            | ErrorCode::InvalidTransition
            | ErrorCode::TooEarly
            | ErrorCode::OfferExpired
            | ErrorCode::OfferClosed
            | ErrorCode::OfferTaken
            | ErrorCode::NotWaiting
            | ErrorCode::IdempotencyKeyReused
            | ErrorCode::PatientProfileRequired => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::RateLimited => 429,
            ErrorCode::Unavailable => 503,
            ErrorCode::InternalError => 500,
        }
    }

    /// What the code means (the catalogue's sentence).
    pub fn meaning(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "A field is missing or wrong; `details` names each field.",
            ErrorCode::InvalidCode => {
                "The verification code is wrong, expired or used up; `details.remaining_attempts` tells how many tries are left."
            }
            ErrorCode::CodeExpired => "The verification code has expired: ask for a new one.",
            ErrorCode::CodeAttemptsExhausted => {
                "Five wrong attempts burned the code: ask for a new one."
            }
            ErrorCode::InvalidToken => "The password-reset token is unknown, used or expired.",
            ErrorCode::InvalidReference => "The request names a record that does not exist.",
            ErrorCode::InvalidRequest => {
                "The request is malformed (a body or parameter the schema refuses without naming a field)."
            }
            ErrorCode::Unauthenticated => "No valid bearer token.",
            ErrorCode::InvalidCredentials => "Wrong email or password.",
            ErrorCode::TokenExpired => "The session has expired: log in again.",
            ErrorCode::Forbidden => "The caller's role may not do this.",
            ErrorCode::EmailNotVerified => "The account's email is not verified yet.",
            ErrorCode::AccountDisabled => "The account is deactivated.",
            ErrorCode::NotFound => "No such resource, or not visible to the caller.",
            ErrorCode::MethodNotAllowed => {
                "The route exists but not with this method; `Allow` lists the methods."
            }
            ErrorCode::Conflict => {
                "A unique value or state conflict not covered by a more specific code."
            }
            ErrorCode::EmailTaken => "The email address is already registered.",
            ErrorCode::UscIdTaken => "The USC ID belongs to another account or patient.",
            ErrorCode::PatientExists => "The account already has a patient profile.",
            ErrorCode::DuplicateVisit => {
                "A record of this patient at this visit time already exists."
            }
            ErrorCode::NameTaken => "The name is already used (templates, appointment types).",
            ErrorCode::HasDependents => "Other records still depend on this one.",
            ErrorCode::PatientHasRecords => {
                "The patient has records, certificates or documents and cannot be deleted."
            }
            ErrorCode::AllergyConflict => {
                "A prescribed medication matches a recorded allergy; `details` lists them. Send `override_reason` to proceed."
            }
            ErrorCode::PossibleDuplicate => {
                "A patient with the same name and date of birth (or very alike) exists; `details` lists the candidates. Send `confirm_new: true` to create anyway."
            }
            ErrorCode::InvalidState => {
                "The resource is not in a state that allows this (e.g. approving a draft)."
            }
            ErrorCode::CertificateNotApproved => "Only an approved certificate has a PDF.",
            ErrorCode::SlotTaken => "The time is no longer free (another booking holds it).",
            ErrorCode::PatientBusy => "The patient has another appointment at that time.",
            ErrorCode::OutsideAvailability => "The provider does not work at that time.",
            ErrorCode::CutoffPassed => "Too close to the start for a patient to change it.",
            ErrorCode::InvalidTransition => "The appointment's status does not allow this change.",
            ErrorCode::TooEarly => {
                "Too early: check-in opens two hours before the start; a no-show, or completing a visit not checked in, waits for the start."
            }
            ErrorCode::OfferExpired => "The waitlist offer's window has passed.",
            ErrorCode::OfferClosed => "The waitlist offer was already claimed or declined.",
            ErrorCode::OfferTaken => "The slot or entry already has an open offer.",
            ErrorCode::NotWaiting => "The waitlist entry is no longer waiting.",
            ErrorCode::IdempotencyKeyReused => {
                "The `Idempotency-Key` was used for a different request."
            }
            ErrorCode::PatientProfileRequired => "Complete your patient profile first.",
            ErrorCode::PayloadTooLarge => "The body or upload is larger than allowed.",
            ErrorCode::UnsupportedMediaType => "The content type is refused.",
            ErrorCode::RateLimited => "Too many attempts; `Retry-After` says when to try again.",
            ErrorCode::Unavailable => "The database is unavailable or busy; try again shortly.",
            ErrorCode::InternalError => "A bug; logged with its cause and answered opaquely.",
        }
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a use case did not do what was asked.
#[derive(Debug, Error)]
pub enum AppError {
    /// The input is wrong (→ 400).
    #[error("{message}")]
    Invalid {
        /// Stable machine code, e.g. `invalid_input`, `invalid_code`.
        code: ErrorCode,
        /// Human sentence.
        message: String,
        /// Which fields, and why.
        details: Details,
    },
    /// No valid credentials (→ 401).
    #[error("{message}")]
    Unauthenticated {
        /// `unauthenticated`, `invalid_credentials`, `token_expired`.
        code: ErrorCode,
        /// Human sentence.
        message: String,
    },
    /// Authenticated but not allowed (→ 403).
    #[error("{message}")]
    Forbidden {
        /// `forbidden`, `email_not_verified`, `account_disabled`.
        code: ErrorCode,
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
        code: ErrorCode,
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
    /// The transaction met a deadlock or serialization failure; [`crate::retrying`] runs
    /// the use case again, and answers 503 when contention persists.
    #[error("transaction aborted for contention")]
    Contended(#[source] anyhow::Error),
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
            code: ErrorCode::InvalidInput,
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
            code: ErrorCode::InvalidInput,
            message,
            details,
        })
    }

    /// 403 from the policy.
    pub fn denied(d: Denied) -> Self {
        Self::Forbidden {
            code: ErrorCode::Forbidden,
            message: d.to_string(),
        }
    }

    /// The stable code this error answers with.
    pub fn code(&self) -> ErrorCode {
        match self {
            AppError::Invalid { code, .. }
            | AppError::Unauthenticated { code, .. }
            | AppError::Forbidden { code, .. }
            | AppError::Conflict { code, .. } => *code,
            AppError::NotFound { .. } => ErrorCode::NotFound,
            AppError::TooLarge { .. } => ErrorCode::PayloadTooLarge,
            AppError::Unsupported { .. } => ErrorCode::UnsupportedMediaType,
            AppError::RateLimited { .. } => ErrorCode::RateLimited,
            AppError::Contended(_) | AppError::Unavailable(_) => ErrorCode::Unavailable,
            AppError::Unexpected(_) => ErrorCode::InternalError,
        }
    }

    /// 409 with a code and a sentence.
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Conflict {
            code,
            message: message.into(),
            details: Details::new(),
        }
    }

    /// 401 for a missing, unknown, revoked or expired token.
    pub fn unauthenticated() -> Self {
        Self::Unauthenticated {
            code: ErrorCode::Unauthenticated,
            message: "authentication required: send a valid bearer token".into(),
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { what } => AppError::Conflict {
                code: what.code(),
                message: format!("{what} already exists"),
                details: Details::new(),
            },
            StoreError::Missing { what } => AppError::Invalid {
                code: ErrorCode::InvalidReference,
                message: format!("{what} does not exist"),
                details: Details::new(),
            },
            StoreError::Contended(e) => AppError::Contended(e),
            StoreError::Unavailable(e) => AppError::Unavailable(e),
            StoreError::Other(e) => AppError::Unexpected(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_list_every_code() {
        let doc = include_str!("../../docs/ERRORS.md");
        for code in ErrorCode::ALL {
            let row = format!(
                "| `{}` | {} | {} |",
                code.as_str(),
                code.status(),
                code.meaning()
            );
            assert!(doc.contains(&row), "docs/ERRORS.md lacks the row {row}");
        }
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert!(seen.insert(code.as_str()), "{code} twice");
        }
    }
}
