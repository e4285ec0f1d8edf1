//! Appointments and scheduling: appointment types, provider availability in the clinic's
//! zone, free slots, the booking rules, the appointment state machine and the waitlist.
//!
//! Everything here is pure: times come in as UTC instants plus a `chrono_tz::Tz`, and the
//! functions answer what is free or allowed. The storage adapter enforces the same
//! no-double-booking rule again (exclusion constraints on PostgreSQL, a trigger inside
//! the single write transaction on SQLite).

pub mod booking;
pub mod kind;
pub mod schedule;
pub mod slot;
pub mod waitlist;

pub use booking::{
    Appointment, AppointmentStatus, BookingError, BookingPolicy, BookingRequest, StatusAction,
    StatusError, Transition, TransitionKind, check_booking, check_patient_change,
};
pub use kind::{AppointmentType, TypeChange, TypeError};
pub use schedule::{
    ExceptionKind, Interval, ScheduleError, ScheduleException, WeeklyHours, WeeklyRange,
    open_intervals, to_utc,
};
pub use slot::{Booked, Slot, free_slots, room_for};
pub use waitlist::{Offer, OfferError, OfferStatus, WaitlistEntry, WaitlistError, WaitlistStatus};
