//! Appointment use cases: types, provider schedules and exceptions, free slots, booking
//! without double booking, status changes with undo, the waitlist, reminders, the
//! iCalendar feed and the dashboard figures.
//!
//! Every read and write of a patient's appointments is audited with the patient's id; a
//! patient-role user sees only their own (others answer 404). Bookings are re-checked
//! inside one write transaction that holds the provider's lock, and the database refuses
//! a double booking on its own (see the storage adapter), so no interleaving of requests
//! can break the rule.

mod booking;
mod jobs;
pub mod ports;
mod schedule;
pub mod seed;
mod service;
#[cfg(test)]
mod tests;
mod waitlist;

pub use booking::{BookingInput, SlotQuery};
pub use jobs::{AppointmentJobs, JobReport};
pub use ports::*;
pub use schedule::{
    ExceptionInput, ExceptionOutcome, ExceptionPatch, RangeInput, ScheduleView, TypeInput,
    TypePatch,
};
pub use service::{
    AppointmentConfig, AppointmentService, AppointmentView, CalendarFeed, Dashboard, FreeSlot,
    OutsideAvailability, ProviderEntry,
};
pub use waitlist::{OfferView, WaitlistInput};
