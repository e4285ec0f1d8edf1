//! The operation groups (tags) of the generated documentation.

use poem_openapi::Tags;

/// Operation groups in the generated documentation.
#[derive(Tags)]
pub enum ApiTags {
    /// Liveness, readiness and docs.
    Health,
    /// Registration, login, sessions, passwords, own profile.
    Auth,
    /// User administration, safe list, audit log (ADMIN).
    Admin,
    /// Patients, medical and dental records, documents, certificates, notifications.
    Clinical,
    /// Appointment types, schedules, slots, booking, waitlist, calendar feed, dashboard.
    Appointments,
}
