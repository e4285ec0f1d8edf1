//! Wire types of the appointment resources, one module per resource.

mod bookings;
mod dashboard;
mod scheduling;
mod waitlist;

pub use bookings::{
    AppointmentDto, AppointmentPage, BookingRequest, CancelRequest, CompleteRequest, FeedTokenDto,
    HistoryDto, RescheduleRequest, SlotDto, SlotsDto, TransitionDto,
};
pub use dashboard::{DashboardDto, NextFreeDto, OutsideAvailabilityDto, StatusCountDto};
pub use scheduling::{
    AppointmentTypeDto, AppointmentTypePatch, AppointmentTypeRequest, ExceptionDto,
    ExceptionOutcomeDto, ExceptionPatchRequest, ExceptionRequest, ProvidedTypeDto, ProviderDto,
    ScheduleDto, ScheduleRequest, WeeklyRangeDto,
};
pub use waitlist::{OfferDto, WaitlistEntryDto, WaitlistPage, WaitlistRequest};
