//! Wire types of the dashboard.

use application::appointment::Dashboard;
use chrono::{DateTime, FixedOffset};
use poem_openapi::Object;
use uuid::Uuid;

use super::{AppointmentDto, SlotDto};
use crate::common::ClinicZone;

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
    /// Clinic roles: coming appointments a leave or closure left outside availability,
    /// until they are moved or cancelled (or the exception is changed).
    pub outside_availability: Vec<OutsideAvailabilityDto>,
}

/// An appointment outside its provider's availability.
#[derive(Debug, Clone, Object)]
pub struct OutsideAvailabilityDto {
    /// The appointment.
    pub appointment_id: Uuid,
    /// Its provider.
    pub provider_id: Uuid,
    /// The provider's name.
    pub provider_name: String,
    /// Start (clinic zone).
    pub start: DateTime<FixedOffset>,
    /// End (clinic zone).
    pub end: DateTime<FixedOffset>,
}

impl DashboardDto {
    /// From the figures.
    pub fn from_dashboard(d: Dashboard, zone: ClinicZone) -> Self {
        Self {
            outside_availability: d
                .outside_availability
                .into_iter()
                .map(|o| OutsideAvailabilityDto {
                    appointment_id: o.appointment_id.as_uuid(),
                    provider_id: o.provider_id.as_uuid(),
                    provider_name: o.provider_name,
                    start: zone.show(o.start),
                    end: zone.show(o.end),
                })
                .collect(),
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
