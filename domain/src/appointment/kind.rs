//! Appointment types: what can be booked, for how long, by whom, for how many at once.

use chrono::{DateTime, Duration, Utc};
use thiserror::Error;

use crate::AppointmentTypeId;
use crate::clinical::values::{ValueError, text};
use crate::identity::Role;

/// Why an appointment type was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum TypeError {
    /// Name empty, too long or with control characters.
    #[error("{0}")]
    Name(ValueError),
    /// Duration outside 5..=480 minutes.
    #[error("must be 5 to 480 minutes")]
    Duration,
    /// Buffer outside 0..=240 minutes.
    #[error("must be 0 to 240 minutes")]
    Buffer,
    /// No provider role, or a role that does not work in the clinic.
    #[error("must name at least one of DOCTOR, DENTIST, NURSE, STAFF, ADMIN")]
    Roles,
    /// Capacity outside 1..=1000.
    #[error("must be 1 to 1000")]
    Capacity,
}

impl TypeError {
    /// The field the error is about (the message does not repeat it).
    pub fn field(&self) -> &'static str {
        match self {
            Self::Name(_) => "name",
            Self::Duration => "duration_minutes",
            Self::Buffer => "buffer_minutes",
            Self::Roles => "provider_roles",
            Self::Capacity => "capacity",
        }
    }
}

/// A change to an appointment type; `None` keeps a part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeChange {
    /// New name.
    pub name: Option<String>,
    /// New duration, minutes.
    pub duration_minutes: Option<i64>,
    /// New buffer, minutes.
    pub buffer_minutes: Option<i64>,
    /// New provider roles.
    pub provider_roles: Option<Vec<Role>>,
    /// New capacity.
    pub capacity: Option<i64>,
    /// `false` retires it: no new bookings.
    pub active: Option<bool>,
}

/// A kind of visit that can be booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentType {
    /// Identity.
    pub id: AppointmentTypeId,
    /// "Consultation", "Dental cleaning", ...
    pub name: String,
    /// Minutes the patient is seen.
    pub duration_minutes: u16,
    /// Minutes the provider needs after (cleaning up); nobody else is booked then.
    pub buffer_minutes: u16,
    /// Which clinic roles provide it.
    pub provider_roles: Vec<Role>,
    /// Patients per session (1; more for group sessions such as a vaccination drive).
    pub capacity: u16,
    /// Inactive types cannot be booked.
    pub active: bool,
    /// When created.
    pub created_at: DateTime<Utc>,
}

impl AppointmentType {
    /// Checks every part.
    pub fn new(
        name: &str,
        duration_minutes: i64,
        buffer_minutes: i64,
        provider_roles: Vec<Role>,
        capacity: i64,
        now: DateTime<Utc>,
    ) -> Result<Self, TypeError> {
        let name = text(name, 1, 100).map_err(TypeError::Name)?;
        let duration_minutes = u16::try_from(duration_minutes)
            .ok()
            .filter(|d| (5..=480).contains(d))
            .ok_or(TypeError::Duration)?;
        let buffer_minutes = u16::try_from(buffer_minutes)
            .ok()
            .filter(|b| *b <= 240)
            .ok_or(TypeError::Buffer)?;
        let capacity = u16::try_from(capacity)
            .ok()
            .filter(|c| (1..=1000).contains(c))
            .ok_or(TypeError::Capacity)?;
        let mut roles = provider_roles;
        roles.sort();
        roles.dedup();
        if roles.is_empty() || roles.iter().any(|r| !r.is_clinic()) {
            return Err(TypeError::Roles);
        }
        Ok(Self {
            id: AppointmentTypeId::new(),
            name,
            duration_minutes,
            buffer_minutes,
            provider_roles: roles,
            capacity,
            active: true,
            created_at: now,
        })
    }

    /// Changes the type by the same rules as [`AppointmentType::new`]; `None` keeps a
    /// part. Booked appointments keep the times and capacity they were booked with.
    pub fn edit(&mut self, change: TypeChange, now: DateTime<Utc>) -> Result<(), TypeError> {
        let mut next = Self::new(
            change.name.as_deref().unwrap_or(&self.name),
            change
                .duration_minutes
                .unwrap_or(i64::from(self.duration_minutes)),
            change
                .buffer_minutes
                .unwrap_or(i64::from(self.buffer_minutes)),
            change
                .provider_roles
                .unwrap_or_else(|| self.provider_roles.clone()),
            change.capacity.unwrap_or(i64::from(self.capacity)),
            now,
        )?;
        next.id = self.id;
        next.created_at = self.created_at;
        next.active = change.active.unwrap_or(self.active);
        *self = next;
        Ok(())
    }

    /// How long the patient is seen.
    pub fn duration(&self) -> Duration {
        Duration::minutes(i64::from(self.duration_minutes))
    }

    /// Time the provider is held: duration plus buffer.
    pub fn block(&self) -> Duration {
        Duration::minutes(i64::from(self.duration_minutes) + i64::from(self.buffer_minutes))
    }

    /// Whether a provider with `role` gives this type.
    pub fn provided_by(&self, role: Role) -> bool {
        self.provider_roles.contains(&role)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid")
    }

    #[test]
    fn an_edit_keeps_the_identity_and_checks_the_same_limits() {
        let mut t = AppointmentType::new("Consultation", 15, 5, vec![Role::Doctor], 1, now())
            .expect("valid");
        let id = t.id;
        t.edit(
            TypeChange {
                duration_minutes: Some(20),
                active: Some(false),
                ..TypeChange::default()
            },
            now(),
        )
        .expect("edit");
        assert_eq!(
            (t.id, t.duration_minutes, t.buffer_minutes, t.active),
            (id, 20, 5, false)
        );
        let before = t.clone();
        assert_eq!(
            t.edit(
                TypeChange {
                    capacity: Some(0),
                    ..TypeChange::default()
                },
                now()
            ),
            Err(TypeError::Capacity)
        );
        assert_eq!(t, before, "a refused edit changes nothing");
    }

    #[test]
    fn limits_are_checked() {
        let ok = AppointmentType::new("Consultation", 15, 5, vec![Role::Doctor], 1, now())
            .expect("valid");
        assert_eq!(ok.block(), Duration::minutes(20));
        assert!(ok.provided_by(Role::Doctor) && !ok.provided_by(Role::Nurse));
        #[allow(clippy::type_complexity)]
        let cases: [(&str, i64, i64, Vec<Role>, i64, TypeError); 6] = [
            ("A", 4, 0, vec![Role::Doctor], 1, TypeError::Duration),
            ("A", 481, 0, vec![Role::Doctor], 1, TypeError::Duration),
            ("A", 15, -1, vec![Role::Doctor], 1, TypeError::Buffer),
            ("A", 15, 0, vec![], 1, TypeError::Roles),
            ("A", 15, 0, vec![Role::Student], 1, TypeError::Roles),
            ("A", 15, 0, vec![Role::Nurse], 0, TypeError::Capacity),
        ];
        for (name, d, b, roles, c, want) in cases {
            assert_eq!(
                AppointmentType::new(name, d, b, roles, c, now()),
                Err(want.clone()),
                "{want}"
            );
        }
        assert!(matches!(
            AppointmentType::new(" ", 15, 0, vec![Role::Doctor], 1, now()),
            Err(TypeError::Name(_))
        ));
    }
}
