//! Wire types of free slots, bookings, appointments and their status changes, and the
//! calendar feed secret.

use application::appointment::{AppointmentView, FreeSlot};
use chrono::{DateTime, FixedOffset};
use domain::appointment::Transition;
use poem_openapi::Object;
use uuid::Uuid;

use crate::common::{ClinicZone, page_dto};

/// A free slot.
#[derive(Debug, Clone, Object)]
pub struct SlotDto {
    /// Start.
    pub start: DateTime<FixedOffset>,
    /// End.
    pub end: DateTime<FixedOffset>,
    /// Provider.
    pub provider_id: Uuid,
    /// The provider's name.
    pub provider_name: String,
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
            provider_name: s.provider_name,
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
    /// `booked`, `status` (a status change) or `rescheduled`.
    pub kind: String,
    /// Status before.
    pub from_status: String,
    /// Status after.
    pub to_status: String,
    /// Who changed it.
    pub by: Uuid,
    /// When (clinic zone).
    pub at: DateTime<FixedOffset>,
    /// Why (cancellations, undos); absent when none was given.
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<String>,
    /// Whether this change reverted the one before it.
    pub undo: bool,
    /// A rescheduling: the start before (clinic zone).
    #[oai(skip_serializing_if_is_none)]
    pub old_start: Option<DateTime<FixedOffset>>,
    /// A booking or rescheduling: the start after (clinic zone).
    #[oai(skip_serializing_if_is_none)]
    pub new_start: Option<DateTime<FixedOffset>>,
}

/// An appointment's history, oldest first: its booking, status changes and moves.
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
                    kind: t.kind.as_str().to_owned(),
                    from_status: t.from.as_str().to_owned(),
                    to_status: t.to.as_str().to_owned(),
                    by: t.by.as_uuid(),
                    at: zone.show(t.at),
                    reason: t.reason,
                    undo: t.undo,
                    old_start: t.old_start.map(|x| zone.show(x)),
                    new_start: t.new_start.map(|x| zone.show(x)),
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
