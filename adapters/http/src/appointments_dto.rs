//! Wire types of the appointment resources.

use application::appointment::{
    AppointmentView, Dashboard, ExceptionOutcome, FreeSlot, OfferView, ScheduleView,
};
use chrono::{DateTime, FixedOffset, NaiveDate};
use domain::appointment::{AppointmentType, ScheduleException, Transition, WaitlistEntry};
use poem_openapi::Object;
use uuid::Uuid;

use crate::common::{ClinicZone, page_dto};

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

/// A free slot.
#[derive(Debug, Clone, Object)]
pub struct SlotDto {
    /// Start.
    pub start: DateTime<FixedOffset>,
    /// End.
    pub end: DateTime<FixedOffset>,
    /// Provider.
    pub provider_id: Uuid,
    /// Type.
    pub appointment_type_id: Uuid,
    /// Places left.
    pub remaining: u32,
}

impl SlotDto {
    /// From a free slot.
    pub fn from_slot(s: FreeSlot, zone: ClinicZone) -> Self {
        Self {
            start: zone.show(s.slot.start),
            end: zone.show(s.slot.end),
            provider_id: s.provider_id.as_uuid(),
            appointment_type_id: s.appointment_type_id.as_uuid(),
            remaining: s.slot.remaining,
        }
    }
}

/// Free slots.
#[derive(Debug, Clone, Object)]
pub struct SlotsDto {
    /// By start.
    pub items: Vec<SlotDto>,
}

/// A booking.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct BookingRequest {
    /// What.
    pub appointment_type_id: Uuid,
    /// With whom.
    pub provider_id: Uuid,
    /// When (RFC 3339).
    pub start: DateTime<FixedOffset>,
    /// For whom (required when clinic staff book).
    pub patient_id: Option<Uuid>,
    /// Clinic roles: book outside availability (audited; never over another booking).
    pub force: Option<bool>,
}

/// An appointment.
#[derive(Debug, Clone, Object)]
pub struct AppointmentDto {
    /// Identity.
    pub id: Uuid,
    /// Patient.
    pub patient_id: Uuid,
    /// Patient's name.
    pub patient_name: String,
    /// Provider.
    pub provider_id: Uuid,
    /// Provider's name.
    pub provider_name: String,
    /// Type.
    pub appointment_type_id: Uuid,
    /// Type's name.
    pub appointment_type_name: String,
    /// Start.
    pub start: DateTime<FixedOffset>,
    /// End.
    pub end: DateTime<FixedOffset>,
    /// `scheduled` | `checked_in` | `completed` | `cancelled` | `no_show`.
    pub status: String,
    /// Place in a group session.
    pub seat: u16,
    /// Booked outside availability.
    pub forced: bool,
    /// Who booked.
    pub booked_by: Uuid,
    /// When.
    pub booked_at: DateTime<FixedOffset>,
    /// Who made the last change.
    pub status_changed_by: Uuid,
    /// When.
    pub status_changed_at: DateTime<FixedOffset>,
    /// Why it was cancelled.
    #[oai(skip_serializing_if_is_none)]
    pub cancel_reason: Option<String>,
    /// The visit's medical record.
    #[oai(skip_serializing_if_is_none)]
    pub medical_record_id: Option<Uuid>,
    /// The visit's dental record.
    #[oai(skip_serializing_if_is_none)]
    pub dental_record_id: Option<Uuid>,
    /// When the reminder was queued.
    #[oai(skip_serializing_if_is_none)]
    pub reminder_sent_at: Option<DateTime<FixedOffset>>,
}

impl AppointmentDto {
    /// For display in the clinic zone.
    pub fn from_view(v: AppointmentView, zone: ClinicZone) -> Self {
        let a = v.appointment;
        Self {
            id: a.id.as_uuid(),
            patient_id: a.patient_id.as_uuid(),
            patient_name: v.patient_name,
            provider_id: a.provider_id.as_uuid(),
            provider_name: v.provider_name,
            appointment_type_id: a.appointment_type_id.as_uuid(),
            appointment_type_name: v.type_name,
            start: zone.show(a.start),
            end: zone.show(a.end),
            status: a.status().as_str().to_owned(),
            seat: a.seat,
            forced: a.forced,
            booked_by: a.booked_by.as_uuid(),
            booked_at: zone.show(a.booked_at),
            status_changed_by: a.status_by.as_uuid(),
            status_changed_at: zone.show(a.status_at),
            cancel_reason: a.cancel_reason,
            medical_record_id: a.medical_record_id.map(|r| r.as_uuid()),
            dental_record_id: a.dental_record_id.map(|r| r.as_uuid()),
            reminder_sent_at: a.reminder_sent_at.map(|t| zone.show(t)),
        }
    }
}

page_dto!(AppointmentPage, AppointmentDto, "A page of appointments.");

/// One status change.
#[derive(Debug, Clone, Object)]
pub struct TransitionDto {
    /// Status before.
    pub from_status: String,
    /// Status after.
    pub to_status: String,
    /// Who changed it.
    pub by: Uuid,
    /// When (clinic zone).
    pub at: DateTime<FixedOffset>,
    /// Why (cancellations, undos).
    pub reason: Option<String>,
    /// Whether this change reverted the one before it.
    pub undo: bool,
}

/// An appointment's status changes, oldest first.
#[derive(Debug, Clone, Object)]
pub struct HistoryDto {
    /// Oldest first.
    pub items: Vec<TransitionDto>,
}

impl HistoryDto {
    /// For display in the clinic zone.
    pub fn from_transitions(list: Vec<Transition>, zone: ClinicZone) -> Self {
        Self {
            items: list
                .into_iter()
                .map(|t| TransitionDto {
                    from_status: t.from.as_str().to_owned(),
                    to_status: t.to.as_str().to_owned(),
                    by: t.by.as_uuid(),
                    at: zone.show(t.at),
                    reason: t.reason,
                    undo: t.undo,
                })
                .collect(),
        }
    }
}

/// Cancel body.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct CancelRequest {
    /// Why (optional, up to 500 characters).
    #[oai(validator(max_length = 500))]
    pub reason: Option<String>,
}

/// Reschedule body.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct RescheduleRequest {
    /// The new start (RFC 3339).
    pub start: DateTime<FixedOffset>,
}

/// Complete body.
#[derive(Debug, Clone, Object, Default)]
#[oai(deny_unknown_fields)]
pub struct CompleteRequest {
    /// The visit's medical record (of the same patient).
    pub medical_record_id: Option<Uuid>,
    /// The visit's dental record (of the same patient).
    pub dental_record_id: Option<Uuid>,
}

/// A calendar feed secret.
#[derive(Debug, Clone, Object)]
pub struct FeedTokenDto {
    /// The secret (shown once; stored only as a hash).
    pub token: String,
    /// The feed's URL for calendar apps.
    pub url: String,
}

/// Joining the waitlist.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct WaitlistRequest {
    /// What.
    pub appointment_type_id: Uuid,
    /// With whom (any qualified provider when absent).
    pub provider_id: Option<Uuid>,
    /// For whom (clinic staff; patients join for themselves).
    pub patient_id: Option<Uuid>,
    /// First acceptable day.
    pub from: Option<NaiveDate>,
    /// Last acceptable day.
    pub until: Option<NaiveDate>,
}

/// A waitlist entry.
#[derive(Debug, Clone, Object)]
pub struct WaitlistEntryDto {
    /// Identity.
    pub id: Uuid,
    /// Who waits.
    pub patient_id: Uuid,
    /// For what.
    pub appointment_type_id: Uuid,
    /// With whom.
    #[oai(skip_serializing_if_is_none)]
    pub provider_id: Option<Uuid>,
    /// First acceptable day.
    #[oai(skip_serializing_if_is_none)]
    pub from: Option<NaiveDate>,
    /// Last acceptable day.
    #[oai(skip_serializing_if_is_none)]
    pub until: Option<NaiveDate>,
    /// `waiting` | `booked` | `withdrawn`.
    pub status: String,
    /// Since.
    pub created_at: DateTime<FixedOffset>,
}

impl WaitlistEntryDto {
    /// For display.
    pub fn from_entry(e: WaitlistEntry, zone: ClinicZone) -> Self {
        Self {
            id: e.id.as_uuid(),
            patient_id: e.patient_id.as_uuid(),
            appointment_type_id: e.appointment_type_id.as_uuid(),
            provider_id: e.provider_id.map(|p| p.as_uuid()),
            from: e.from,
            until: e.until,
            status: e.status.as_str().to_owned(),
            created_at: zone.show(e.created_at),
        }
    }
}

page_dto!(
    WaitlistPage,
    WaitlistEntryDto,
    "A page of waitlist entries."
);

/// A slot held for a waiting patient.
#[derive(Debug, Clone, Object)]
pub struct OfferDto {
    /// Identity.
    pub id: Uuid,
    /// The entry.
    pub waitlist_id: Uuid,
    /// For whom.
    pub patient_id: Uuid,
    /// With whom.
    pub provider_id: Uuid,
    /// What.
    pub appointment_type_id: Uuid,
    /// Its name.
    pub appointment_type_name: String,
    /// When.
    pub start: DateTime<FixedOffset>,
    /// End.
    pub end: DateTime<FixedOffset>,
    /// Held until.
    pub expires_at: DateTime<FixedOffset>,
    /// `open` | `claimed` | `expired` | `declined`.
    pub status: String,
}

impl OfferDto {
    /// For display.
    pub fn from_view(v: OfferView, zone: ClinicZone) -> Self {
        let o = v.offer;
        Self {
            id: o.id.as_uuid(),
            waitlist_id: o.entry_id.as_uuid(),
            patient_id: o.patient_id.as_uuid(),
            provider_id: o.provider_id.as_uuid(),
            appointment_type_id: o.appointment_type_id.as_uuid(),
            appointment_type_name: v.type_name,
            start: zone.show(o.start),
            end: zone.show(o.end),
            expires_at: zone.show(o.expires_at),
            status: o.status.as_str().to_owned(),
        }
    }
}

/// Appointments with one status.
#[derive(Debug, Clone, Object)]
pub struct StatusCountDto {
    /// Status.
    pub status: String,
    /// How many.
    pub count: u64,
}

/// The next free slot of a type.
#[derive(Debug, Clone, Object)]
pub struct NextFreeDto {
    /// Type.
    pub appointment_type_id: Uuid,
    /// Its name.
    pub name: String,
    /// The slot (absent when none within 14 days).
    #[oai(skip_serializing_if_is_none)]
    pub slot: Option<SlotDto>,
}

/// Role-specific figures.
#[derive(Debug, Clone, Object)]
pub struct DashboardDto {
    /// Clinic roles: today's appointments by status.
    #[oai(skip_serializing_if_is_none)]
    pub appointments_today: Option<Vec<StatusCountDto>>,
    /// Clinic roles: the next free slot per type.
    pub next_free_slots: Vec<NextFreeDto>,
    /// Patients: their next appointment.
    #[oai(skip_serializing_if_is_none)]
    pub next_appointment: Option<AppointmentDto>,
}

impl DashboardDto {
    /// From the figures.
    pub fn from_dashboard(d: Dashboard, zone: ClinicZone) -> Self {
        Self {
            appointments_today: d.today.map(|list| {
                list.into_iter()
                    .map(|(s, n)| StatusCountDto {
                        status: s.as_str().to_owned(),
                        count: n,
                    })
                    .collect()
            }),
            next_free_slots: d
                .next_free
                .into_iter()
                .map(|(t, slot)| NextFreeDto {
                    appointment_type_id: t.id.as_uuid(),
                    name: t.name,
                    slot: slot.map(|s| SlotDto::from_slot(s, zone)),
                })
                .collect(),
            next_appointment: d
                .next_appointment
                .map(|a| AppointmentDto::from_view(a, zone)),
        }
    }
}
