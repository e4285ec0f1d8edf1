//! Typed identifiers: `Copy` newtypes over UUIDv7 (time ordered), never bare integers.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh time-ordered identifier.
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }
            /// Wraps an existing UUID (read from storage or a request path).
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }
            /// The underlying UUID.
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<Uuid> for $name {
            fn from(id: Uuid) -> Self {
                Self(id)
            }
        }
    };
}

id_type!(
    /// Identifies a user account.
    UserId
);
id_type!(
    /// Identifies a pre-approved (safe-list) email entry.
    SafeEmailId
);
id_type!(
    /// Identifies a login session (bearer token).
    SessionId
);
id_type!(
    /// Identifies a message in the durable mail outbox.
    OutboxId
);
id_type!(
    /// Identifies an audit event.
    AuditId
);
id_type!(
    /// Identifies a patient profile.
    PatientId
);
id_type!(
    /// Identifies a medical record (visit).
    MedicalRecordId
);
id_type!(
    /// Identifies a dental record (visit).
    DentalRecordId
);
id_type!(
    /// Identifies a medical certificate.
    CertificateId
);
id_type!(
    /// Identifies a certificate template.
    TemplateId
);
id_type!(
    /// Identifies a patient document.
    DocumentId
);
id_type!(
    /// Identifies an in-app notification.
    NotificationId
);
id_type!(
    /// Identifies an appointment type (consultation, cleaning, vaccination...).
    AppointmentTypeId
);
id_type!(
    /// Identifies an appointment.
    AppointmentId
);
id_type!(
    /// Identifies a schedule exception (leave, closure, block or extra opening).
    ExceptionId
);
id_type!(
    /// Identifies a waitlist entry.
    WaitlistId
);
id_type!(
    /// Identifies a waitlist offer.
    OfferId
);
