//! Wire types of the dashboard.

use application::appointment::Dashboard;
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
