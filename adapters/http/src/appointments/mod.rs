//! The appointments capability: types and schedules, free slots and booking, the
//! calendar feed, one appointment's status changes, the waitlist, the dashboard. One
//! `#[OpenApi]` struct per resource; handlers parse, call one use case, map the result.

pub mod dto;

mod appointment;
mod bookings;
mod calendar;
mod dashboard;
mod scheduling;
mod waitlist;

pub use appointment::AppointmentApi;
pub use bookings::BookingsApi;
pub use calendar::CalendarApi;
pub use dashboard::DashboardApi;
pub use scheduling::{SchedulesApi, TypesApi};
pub use waitlist::WaitlistApi;

use crate::Services;
use crate::common::ClinicZone;

/// The appointment resources, in the order of the published document.
pub type AppointmentsApi = (
    TypesApi,
    SchedulesApi,
    BookingsApi,
    CalendarApi,
    AppointmentApi,
    WaitlistApi,
    DashboardApi,
);

/// The appointment resources over the appointment use cases.
pub fn api(services: &Services, zone: ClinicZone) -> AppointmentsApi {
    let appointments = &services.appointments;
    (
        TypesApi {
            appointments: appointments.clone(),
        },
        SchedulesApi {
            appointments: appointments.clone(),
            zone,
        },
        BookingsApi {
            appointments: appointments.clone(),
            zone,
        },
        CalendarApi {
            appointments: appointments.clone(),
        },
        AppointmentApi {
            appointments: appointments.clone(),
            zone,
        },
        WaitlistApi {
            appointments: appointments.clone(),
            zone,
        },
        DashboardApi {
            appointments: appointments.clone(),
            zone,
        },
    )
}
