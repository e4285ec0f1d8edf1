//! Identity and access: users, roles, registration rules, credentials and their limits.

pub mod email;
pub mod password;
pub mod profile;
pub mod registration;
pub mod role;
pub mod throttle;
pub mod user;
pub mod verification;

pub use email::{EmailAddress, EmailError, EmailPolicy};
pub use password::{Password, PasswordError, PasswordHash};
pub use profile::{
    Campus, CourseCode, LicenseNumber, PersonName, Phone, ProfileError, UscId, YearLevel,
};
pub use registration::{RegistrationOutcome, decide_registration};
pub use role::{Role, UnknownRole};
pub use throttle::{LoginThrottle, ThrottleDecision};
pub use user::{ProfileUpdate, User};
pub use verification::{CodeCheck, ResendRefused, VerificationCode, VerificationError};
