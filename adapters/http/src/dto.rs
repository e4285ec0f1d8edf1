//! Wire types (DTOs). They live here only; the domain never sees them.

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
            is_active: u.is_active,
            is_verified: u.is_verified,
            created_at: zone.show(u.created_at),
            updated_at: zone.show(u.updated_at),
        }
    }
}
