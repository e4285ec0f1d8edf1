//! sea-orm entities: one module per table, grouped in files by capability. They never leave
//! this crate.
//!
//! Each table's module is re-exported here, so it is named `entities::<table>` whichever
//! file holds it. A capability with one table (`outbox`, `notifications`) is that table's
//! module itself.

// The file is `appointments.rs`; its module takes another name so that the `appointments`
// table's module can be re-exported under its own.
#[path = "appointments.rs"]
mod appointment_tables;
mod audit;
mod clinical;
mod identity;
mod jobs;
pub mod notifications;
pub mod outbox;

pub use appointment_tables::{
    appointment_transitions, appointment_types, appointments, calendar_feeds, idempotency_keys,
    provider_schedules, schedule_exceptions, waitlist_entries, waitlist_offers,
};
pub use audit::{audit_head, audit_log, audit_pending};
pub use clinical::{
    certificate_templates, dental_records, medical_certificates, medical_records,
    patient_documents, patient_revisions, patients, record_revisions,
};
pub use identity::{
    email_verifications, login_failures, password_resets, safe_emails, sessions, throttle_keys,
    users,
};
pub use jobs::job_leases;
