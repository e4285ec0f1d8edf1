//! Roles: five clinic roles and two patient roles.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// A user's role. Clinic roles work in the clinic; patient roles are its patients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Clinic administrator: manages users, the safe list and the audit log.
    Admin,
    /// Clinic front-desk and administrative staff.
    Staff,
    /// Physician.
    Doctor,
    /// Dentist.
    Dentist,
    /// Nurse.
    Nurse,
    /// Student (patient role).
    Student,
    /// Faculty member (patient role).
    Faculty,
}

/// A role name that is not one of the seven.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown role `{0}`; expected one of ADMIN, STAFF, DOCTOR, DENTIST, NURSE, STUDENT, FACULTY"
)]
pub struct UnknownRole(pub String);

impl Role {
    /// Every role, clinic roles first.
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Staff,
        Role::Doctor,
        Role::Dentist,
        Role::Nurse,
        Role::Student,
        Role::Faculty,
    ];

    /// The wire and storage name (`"ADMIN"`, ...).
    pub const fn as_str(&self) -> &'static str {
        match self {
            Role::Admin => "ADMIN",
            Role::Staff => "STAFF",
            Role::Doctor => "DOCTOR",
            Role::Dentist => "DENTIST",
            Role::Nurse => "NURSE",
            Role::Student => "STUDENT",
            Role::Faculty => "FACULTY",
        }
    }

    /// ADMIN, STAFF, DOCTOR, DENTIST or NURSE.
    pub const fn is_clinic(&self) -> bool {
        !self.is_patient()
    }

    /// STUDENT or FACULTY: sees only their own patient data.
    pub const fn is_patient(&self) -> bool {
        matches!(self, Role::Student | Role::Faculty)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_classifies() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>(), Ok(r));
            assert_ne!(r.is_clinic(), r.is_patient());
        }
        assert_eq!("doctor".parse::<Role>(), Ok(Role::Doctor));
        assert!("TEACHER".parse::<Role>().is_err());
        assert_eq!(Role::ALL.iter().filter(|r| r.is_patient()).count(), 2);
    }
}
