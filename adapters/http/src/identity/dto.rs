//! Wire types of accounts and of the /api/auth requests.

use chrono::{DateTime, FixedOffset};
use domain::identity::{Role, User};
use poem_openapi::{Enum, Object};
use uuid::Uuid;

use crate::common::ClinicZone;

/// A role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "UPPERCASE")]
pub enum RoleDto {
    /// Clinic administrator.
    Admin,
    /// Clinic staff.
    Staff,
    /// Physician.
    Doctor,
    /// Dentist.
    Dentist,
    /// Nurse.
    Nurse,
    /// Student (patient role).
    Student,
    /// Faculty (patient role).
    Faculty,
}

impl From<Role> for RoleDto {
    fn from(r: Role) -> Self {
        match r {
            Role::Admin => Self::Admin,
            Role::Staff => Self::Staff,
            Role::Doctor => Self::Doctor,
            Role::Dentist => Self::Dentist,
            Role::Nurse => Self::Nurse,
            Role::Student => Self::Student,
            Role::Faculty => Self::Faculty,
        }
    }
}

impl From<RoleDto> for Role {
    fn from(r: RoleDto) -> Self {
        match r {
            RoleDto::Admin => Self::Admin,
            RoleDto::Staff => Self::Staff,
            RoleDto::Doctor => Self::Doctor,
            RoleDto::Dentist => Self::Dentist,
            RoleDto::Nurse => Self::Nurse,
            RoleDto::Student => Self::Student,
            RoleDto::Faculty => Self::Faculty,
        }
    }
}

impl RoleDto {
    /// The role's name (`ADMIN`...), as the domain spells it.
    pub fn as_str(self) -> &'static str {
        Role::from(self).as_str()
    }
}

/// A user account.
#[derive(Debug, Clone, Object)]
pub struct UserDto {
    /// Identity.
    pub id: Uuid,
    /// Login email (lower case).
    pub email: String,
    /// Role.
    pub role: RoleDto,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Middle name.
    #[oai(skip_serializing_if_is_none)]
    pub middle_name: Option<String>,
    /// USC ID number.
    #[oai(skip_serializing_if_is_none)]
    pub usc_id: Option<String>,
    /// Program code "1".."68".
    #[oai(skip_serializing_if_is_none)]
    pub course: Option<String>,
    /// Year level "1".."4".
    #[oai(skip_serializing_if_is_none)]
    pub year_level: Option<String>,
    /// Campus.
    #[oai(skip_serializing_if_is_none)]
    pub campus: Option<String>,
    /// Phone (digits).
    #[oai(skip_serializing_if_is_none)]
    pub phone: Option<String>,
    /// Department or college.
    #[oai(skip_serializing_if_is_none)]
    pub department: Option<String>,
    /// Professional licence (PRC) number of a clinician.
    #[oai(skip_serializing_if_is_none)]
    pub license_number: Option<String>,
    /// Deactivated accounts cannot log in.
    pub is_active: bool,
    /// Email verified.
    pub is_verified: bool,
    /// Created (clinic time).
    pub created_at: DateTime<FixedOffset>,
    /// Last changed (clinic time).
    pub updated_at: DateTime<FixedOffset>,
}

impl UserDto {
    /// From the domain entity.
    pub fn from_user(u: User, zone: ClinicZone) -> Self {
        Self {
            id: u.id.as_uuid(),
            email: u.email.to_string(),
            role: u.role.into(),
            first_name: u.first_name.as_str().to_owned(),
            last_name: u.last_name.as_str().to_owned(),
            middle_name: u.middle_name.map(|n| n.as_str().to_owned()),
            usc_id: u.usc_id.map(|n| n.as_str().to_owned()),
            course: u.course.map(|c| c.code().to_string()),
            year_level: u.year_level.map(|y| y.level().to_string()),
            campus: u.campus.map(|c| c.as_str().to_owned()),
            phone: u.phone.map(|p| p.as_str().to_owned()),
            department: u.department,
            license_number: u.license_number.map(|l| l.as_str().to_owned()),
            is_active: u.is_active,
            is_verified: u.is_verified,
            created_at: zone.show(u.created_at),
            updated_at: zone.show(u.updated_at),
        }
    }
}

/// POST /api/auth/register.
// No Debug: it carries a secret.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct RegisterRequest {
    /// Institutional email (`@usc.edu.ph` by default). An all-digit local part is a
    /// student number: STUDENT. Any other: FACULTY. Clinic roles come only from the safe
    /// list or an ADMIN.
    #[oai(validator(max_length = 254))]
    pub email: String,
    /// At least 8 characters with lower, upper and digit; no character three times in a
    /// row; not the email's local part.
    #[oai(validator(min_length = 8, max_length = 128))]
    pub password: String,
    /// Given name.
    #[oai(validator(min_length = 1, max_length = 150))]
    pub first_name: String,
    /// Family name.
    #[oai(validator(min_length = 1, max_length = 150))]
    pub last_name: String,
}

/// The created account.
#[derive(Debug, Object)]
pub struct RegisterResponseBody {
    /// The account.
    pub user: UserDto,
    /// What to do next.
    pub message: String,
}

/// POST /api/auth/verify-email.
// No Debug: it carries a secret.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct VerifyEmailRequest {
    /// The account's email.
    #[oai(validator(max_length = 254))]
    pub email: String,
    /// The 6-digit code from the email.
    #[oai(validator(max_length = 16))]
    pub code: String,
}

/// The verified account.
#[derive(Debug, Object)]
pub struct VerifiedBody {
    /// The account, now verified.
    pub user: UserDto,
}

/// Only an email.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct EmailRequest {
    /// The account's email.
    #[oai(validator(max_length = 254))]
    pub email: String,
}

/// POST /api/auth/login.
// No Debug: it carries a secret.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct LoginRequest {
    /// Email.
    #[oai(validator(max_length = 254))]
    pub email: String,
    /// Password.
    #[oai(validator(max_length = 1024))]
    pub password: String,
}

/// A new session.
// No Debug: it carries the bearer token.
#[derive(Object)]
pub struct LoginResponseBody {
    /// Bearer token for `Authorization: Bearer <token>`. Shown once.
    pub token: String,
    /// When the token stops working (clinic time).
    pub expires_at: DateTime<FixedOffset>,
    /// The account.
    pub user: UserDto,
}

/// PATCH /api/auth/me. Omitted fields stay; an empty string clears an optional field.
/// `role`, `is_active` and `is_verified` are accepted only to be refused with 403.
#[derive(Debug, Default, Object)]
#[oai(deny_unknown_fields)]
pub struct ProfilePatch {
    /// Given name.
    #[oai(validator(max_length = 150))]
    pub first_name: Option<String>,
    /// Family name.
    #[oai(validator(max_length = 150))]
    pub last_name: Option<String>,
    /// Middle name.
    #[oai(validator(max_length = 150))]
    pub middle_name: Option<String>,
    /// Program code "1".."68".
    #[oai(validator(max_length = 2))]
    pub course: Option<String>,
    /// Year level "1".."4".
    #[oai(validator(max_length = 1))]
    pub year_level: Option<String>,
    /// `Downtown Campus` or `Talamban Campus`.
    #[oai(validator(max_length = 32))]
    pub campus: Option<String>,
    /// Phone, 7-15 digits.
    #[oai(validator(max_length = 32))]
    pub phone: Option<String>,
    /// Department or college.
    #[oai(validator(max_length = 100))]
    pub department: Option<String>,
    /// Clinic roles: professional licence (PRC) number, printed under one's signature on
    /// certificates; 4-20 letters, digits or '-'; "" clears it.
    #[oai(validator(max_length = 20))]
    pub license_number: Option<String>,
    /// Not changeable here (403).
    pub role: Option<RoleDto>,
    /// Not changeable here (403).
    pub is_active: Option<bool>,
    /// Not changeable here (403).
    pub is_verified: Option<bool>,
}

/// POST /api/auth/change-password.
// No Debug: it carries a secret.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    /// The password now.
    #[oai(validator(max_length = 1024))]
    pub current_password: String,
    /// The new password (same policy as registration).
    #[oai(validator(min_length = 8, max_length = 128))]
    pub new_password: String,
}

/// POST /api/auth/password-reset/confirm.
// No Debug: it carries a secret.
#[derive(Object)]
#[oai(deny_unknown_fields)]
pub struct ResetConfirmRequest {
    /// The token from the reset email.
    #[oai(validator(max_length = 128))]
    pub token: String,
    /// The new password.
    #[oai(validator(min_length = 8, max_length = 128))]
    pub new_password: String,
}
