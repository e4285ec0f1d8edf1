//! Wire types of appointment types, providers' weekly hours and schedule exceptions.

use application::appointment::{ExceptionOutcome, ProviderEntry, ScheduleView};
use chrono::{DateTime, FixedOffset};
use domain::appointment::{AppointmentType, ScheduleException};
use poem_openapi::Object;
use uuid::Uuid;

use super::AppointmentDto;
use crate::common::ClinicZone;

/// A provider patients can book.
#[derive(Debug, Clone, Object)]
pub struct ProviderDto {
    /// The provider's account (the `provider_id` of slots and bookings).
    pub user_id: Uuid,
    /// "First Last".
    pub name: String,
    /// `DOCTOR`, `DENTIST`, `NURSE`, `STAFF` or `ADMIN`.
    pub role: String,
    /// The active appointment types they provide, by name.
    pub appointment_types: Vec<ProvidedTypeDto>,
}

/// An appointment type a provider gives.
#[derive(Debug, Clone, Object)]
pub struct ProvidedTypeDto {
    /// The type.
    pub id: Uuid,
    /// Its name.
    pub name: String,
}

impl From<ProviderEntry> for ProviderDto {
    fn from(e: ProviderEntry) -> Self {
        Self {
            user_id: e.provider.user_id.as_uuid(),
            name: e.provider.name,
            role: e.provider.role.as_str().to_owned(),
            appointment_types: e
                .types
                .into_iter()
                .map(|(id, name)| ProvidedTypeDto {
                    id: id.as_uuid(),
                    name,
                })
                .collect(),
        }
    }
}

/// An appointment type.
#[derive(Debug, Clone, Object)]
pub struct AppointmentTypeDto {
    /// Identity.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Minutes the patient is seen.
    pub duration_minutes: u16,
    /// Minutes the provider is held after.
    pub buffer_minutes: u16,
    /// Roles that give it.
    pub provider_roles: Vec<String>,
    /// Patients per session.
    pub capacity: u16,
    /// Bookable.
    pub active: bool,
}

impl From<AppointmentType> for AppointmentTypeDto {
    fn from(t: AppointmentType) -> Self {
        Self {
            id: t.id.as_uuid(),
            name: t.name,
            duration_minutes: t.duration_minutes,
            buffer_minutes: t.buffer_minutes,
            provider_roles: t
                .provider_roles
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect(),
            capacity: t.capacity,
            active: t.active,
        }
    }
}

/// A new appointment type.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct AppointmentTypeRequest {
    /// 1-100 characters, unique.
    #[oai(validator(max_length = 100))]
    pub name: String,
    /// 5-480.
    pub duration_minutes: i64,
    /// 0-240 (default 0).
    pub buffer_minutes: Option<i64>,
    /// Clinic roles that give it, e.g. `["DOCTOR"]`.
    #[oai(validator(max_items = 5))]
    pub provider_roles: Vec<String>,
    /// 1-1000 (default 1; more for group sessions).
    pub capacity: Option<i64>,
}

/// A change to an appointment type; absent fields stay as they are.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct AppointmentTypePatch {
    /// 1-100 characters, unique.
    #[oai(validator(max_length = 100))]
    pub name: Option<String>,
    /// 5-480.
    pub duration_minutes: Option<i64>,
    /// 0-240.
    pub buffer_minutes: Option<i64>,
    /// Clinic roles that give it.
    #[oai(validator(max_items = 5))]
    pub provider_roles: Option<Vec<String>>,
    /// 1-1000.
    pub capacity: Option<i64>,
    /// `false` retires the type: no new bookings; booked appointments stay.
    pub active: Option<bool>,
}

/// One weekly range, in clinic wall-clock time.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct WeeklyRangeDto {
    /// 1 = Monday ... 7 = Sunday.
    pub weekday: i64,
    /// `HH:MM`.
    #[oai(validator(max_length = 5))]
    pub start: String,
    /// `HH:MM`.
    #[oai(validator(max_length = 5))]
    pub end: String,
}

/// Weekly hours.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct ScheduleRequest {
    /// The ranges (replacing the current ones).
    #[oai(validator(max_items = 42))]
    pub weekly: Vec<WeeklyRangeDto>,
}

/// A schedule exception.
#[derive(Debug, Clone, Object)]
pub struct ExceptionDto {
    /// Identity.
    pub id: Uuid,
    /// Whose (absent: clinic-wide).
    #[oai(skip_serializing_if_is_none)]
    pub provider_id: Option<Uuid>,
    /// `closed` or `open`.
    pub kind: String,
    /// Start.
    pub starts_at: DateTime<FixedOffset>,
    /// End (exclusive).
    pub ends_at: DateTime<FixedOffset>,
    /// Why.
    pub reason: String,
}

impl ExceptionDto {
    /// For display in the clinic zone.
    pub fn from_exception(e: ScheduleException, zone: ClinicZone) -> Self {
        Self {
            id: e.id.as_uuid(),
            provider_id: e.provider_id.map(|p| p.as_uuid()),
            kind: e.kind.as_str().to_owned(),
            starts_at: zone.show(e.starts_at),
            ends_at: zone.show(e.ends_at),
            reason: e.reason,
        }
    }
}

/// A provider's hours.
#[derive(Debug, Clone, Object)]
pub struct ScheduleDto {
    /// Who.
    pub provider_id: Uuid,
    /// Name.
    pub provider_name: String,
    /// Role.
    pub role: String,
    /// The zone the weekly hours are read in.
    pub zone: String,
    /// Weekly hours.
    pub weekly: Vec<WeeklyRangeDto>,
    /// Coming exceptions (clinic-wide ones included).
    pub exceptions: Vec<ExceptionDto>,
}

impl ScheduleDto {
    /// From the view.
    pub fn from_view(v: ScheduleView, zone: ClinicZone) -> Self {
        Self {
            provider_id: v.provider.user_id.as_uuid(),
            provider_name: v.provider.name,
            role: v.provider.role.as_str().to_owned(),
            zone: zone.0.name().to_owned(),
            weekly: v
                .weekly
                .ranges()
                .iter()
                .map(|r| WeeklyRangeDto {
                    weekday: i64::from(r.weekday),
                    start: r.start.format("%H:%M").to_string(),
                    end: r.end.format("%H:%M").to_string(),
                })
                .collect(),
            exceptions: v
                .exceptions
                .into_iter()
                .map(|e| ExceptionDto::from_exception(e, zone))
                .collect(),
        }
    }
}

/// A new exception.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct ExceptionRequest {
    /// Start (RFC 3339).
    pub starts_at: DateTime<FixedOffset>,
    /// End (RFC 3339, exclusive).
    pub ends_at: DateTime<FixedOffset>,
    /// Why, 1-500 characters.
    #[oai(validator(max_length = 500))]
    pub reason: String,
    /// `closed` (default: leave, holiday, block) or `open` (an extra opening).
    #[oai(validator(max_length = 10))]
    pub kind: Option<String>,
    /// Cancel the booked appointments it breaks and notify their patients.
    pub cancel_affected: Option<bool>,
}

/// A change to an exception; absent fields stay as they are.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct ExceptionPatchRequest {
    /// Start (RFC 3339).
    pub starts_at: Option<DateTime<FixedOffset>>,
    /// End (RFC 3339, exclusive).
    pub ends_at: Option<DateTime<FixedOffset>>,
    /// Why, 1-500 characters.
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
    /// `closed` or `open`.
    #[oai(validator(max_length = 10))]
    pub kind: Option<String>,
    /// Cancel the booked appointments the changed span breaks and notify their patients.
    pub cancel_affected: Option<bool>,
}

/// What an exception did, or (preview) would do.
#[derive(Debug, Clone, Object)]
pub struct ExceptionOutcomeDto {
    /// Nothing was changed.
    pub preview: bool,
    /// The stored exception.
    #[oai(skip_serializing_if_is_none)]
    pub exception: Option<ExceptionDto>,
    /// Booked appointments it breaks.
    pub affected: Vec<AppointmentDto>,
    /// How many were cancelled.
    pub cancelled: u32,
}

impl ExceptionOutcomeDto {
    /// From the outcome.
    pub fn from_outcome(o: ExceptionOutcome, preview: bool, zone: ClinicZone) -> Self {
        Self {
            preview,
            exception: o.exception.map(|e| ExceptionDto::from_exception(e, zone)),
            affected: o
                .affected
                .into_iter()
                .map(|a| AppointmentDto::from_view(a, zone))
                .collect(),
            cancelled: o.cancelled,
        }
    }
}
