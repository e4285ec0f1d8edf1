//! The user account entity.

use std::fmt;

use chrono::{DateTime, Utc};

use super::{
    Campus, CourseCode, EmailAddress, LicenseNumber, PersonName, Phone, Role, UscId, YearLevel,
};
use crate::UserId;

/// A user account. Built only from validated parts.
///
/// Medical history belongs to the patient profile (a later capability), not here.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    /// Identity.
    pub id: UserId,
    /// Login identifier, unique, lower case.
    pub email: EmailAddress,
    /// The one role that decides what the user may do.
    pub role: Role,
    /// Given name.
    pub first_name: PersonName,
    /// Family name.
    pub last_name: PersonName,
    /// Middle name.
    pub middle_name: Option<PersonName>,
    /// USC ID number (students: the student number from their email).
    pub usc_id: Option<UscId>,
    /// Program code (§1.23).
    pub course: Option<CourseCode>,
    /// Year level 1..4.
    pub year_level: Option<YearLevel>,
    /// Campus.
    pub campus: Option<Campus>,
    /// Contact number.
    pub phone: Option<Phone>,
    /// Department or college (staff and faculty).
    pub department: Option<String>,
    /// Professional licence number (PRC) of a clinician, printed under their signature.
    pub license_number: Option<LicenseNumber>,
    /// Deactivated users cannot log in.
    pub is_active: bool,
    /// Whether the email was verified (or pre-approved).
    pub is_verified: bool,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When the account last changed.
    pub updated_at: DateTime<Utc>,
}

impl fmt::Debug for User {
    // Ids and role only: names, email and contact never reach logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("is_active", &self.is_active)
            .field("is_verified", &self.is_verified)
            .finish_non_exhaustive()
    }
}

/// A change to one's own profile. `None` leaves a field as it is; `Some(None)` clears it.
///
/// Role, activity and verification are deliberately absent: a user cannot change them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileUpdate {
    /// New given name.
    pub first_name: Option<PersonName>,
    /// New family name.
    pub last_name: Option<PersonName>,
    /// New or cleared middle name.
    pub middle_name: Option<Option<PersonName>>,
    /// New or cleared program code.
    pub course: Option<Option<CourseCode>>,
    /// New or cleared year level.
    pub year_level: Option<Option<YearLevel>>,
    /// New or cleared campus.
    pub campus: Option<Option<Campus>>,
    /// New or cleared phone.
    pub phone: Option<Option<Phone>>,
    /// New or cleared department.
    pub department: Option<Option<String>>,
    /// New or cleared licence number (clinic roles only; the use case checks).
    pub license_number: Option<Option<LicenseNumber>>,
}

impl User {
    /// A new, active account with no optional profile fields yet.
    pub fn new_account(
        email: EmailAddress,
        role: Role,
        first_name: PersonName,
        last_name: PersonName,
        usc_id: Option<UscId>,
        is_verified: bool,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: UserId::new(),
            email,
            role,
            first_name,
            last_name,
            middle_name: None,
            usc_id,
            course: None,
            year_level: None,
            campus: None,
            phone: None,
            department: None,
            license_number: None,
            is_active: true,
            is_verified,
            created_at: now,
            updated_at: now,
        }
    }

    /// Applies a profile change and stamps `updated_at`.
    pub fn apply(&mut self, change: ProfileUpdate, now: DateTime<Utc>) {
        let ProfileUpdate {
            first_name,
            last_name,
            middle_name,
            course,
            year_level,
            campus,
            phone,
            department,
            license_number,
        } = change;
        if let Some(v) = first_name {
            self.first_name = v;
        }
        if let Some(v) = last_name {
            self.last_name = v;
        }
        if let Some(v) = middle_name {
            self.middle_name = v;
        }
        if let Some(v) = course {
            self.course = v;
        }
        if let Some(v) = year_level {
            self.year_level = v;
        }
        if let Some(v) = campus {
            self.campus = v;
        }
        if let Some(v) = phone {
            self.phone = v;
        }
        if let Some(v) = department {
            self.department = v;
        }
        if let Some(v) = license_number {
            self.license_number = v;
        }
        self.updated_at = now;
    }
}
