//! Appointment ports: storage of types, schedules, appointments, the waitlist, feeds and
//! job leases.
//!
//! A write transaction reads only through [`AppointmentOps`]: on SQLite it holds the one
//! writer lock, and waiting for a second pooled connection could starve the pool.
//!
//! Errors: `Conflict{what}` with `what` = `slot` when the database refuses a double
//! booking (exclusion constraint or trigger), `patient_busy` when it refuses a patient
//! overlap, `name` for a duplicate type name, `offer` for a second open offer of a slot
//! or entry, `idempotency` for a reused key; `Unavailable` when the database is down.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::appointment::{
    Appointment, AppointmentStatus, AppointmentType, Booked, Interval, Offer, ScheduleException,
    Transition, WaitlistEntry, WeeklyHours,
};
use domain::identity::{EmailAddress, Role};
use domain::paging::{Page, PageRequest};
use domain::{
    AppointmentId, AppointmentTypeId, ExceptionId, OfferId, PatientId, UserId, WaitlistId,
};

use crate::StoreError;
use crate::unit_of_work::UnitOfWork;

/// A clinic user who can be booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// The account.
    pub user_id: UserId,
    /// Their role (decides which types they give).
    pub role: Role,
    /// "First Last".
    pub name: String,
    /// Whether the account is active.
    pub active: bool,
}

/// Appointment search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppointmentFilter {
    /// Only this patient's.
    pub patient_id: Option<PatientId>,
    /// Only this provider's.
    pub provider_id: Option<UserId>,
    /// Only in this state.
    pub status: Option<AppointmentStatus>,
    /// Starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Starting before.
    pub to: Option<DateTime<Utc>>,
}

/// Names to show next to ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels {
    /// Patient → "First Last".
    pub patients: HashMap<PatientId, String>,
    /// User → "First Last".
    pub users: HashMap<UserId, String>,
}

/// Appointment reads on the pool.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AppointmentStore: Send + Sync {
    /// Starts a write transaction (`BEGIN IMMEDIATE` on SQLite).
    async fn begin(&self) -> Result<Box<dyn UnitOfWork>, StoreError>;
    /// Every type, by name (inactive ones too when asked).
    async fn types(&self, include_inactive: bool) -> Result<Vec<AppointmentType>, StoreError>;
    /// One type.
    async fn appointment_type(
        &self,
        id: AppointmentTypeId,
    ) -> Result<Option<AppointmentType>, StoreError>;
    /// A user as a provider (`None` if no such user).
    async fn provider(&self, user: UserId) -> Result<Option<Provider>, StoreError>;
    /// Active users with one of `roles`.
    async fn providers(&self, roles: &[Role]) -> Result<Vec<Provider>, StoreError>;
    /// A provider's weekly hours (`None` if never set).
    async fn weekly_hours(&self, provider: UserId) -> Result<Option<WeeklyHours>, StoreError>;
    /// Exceptions of `provider` (and clinic-wide ones) overlapping `[from, to)`, by start.
    /// With `provider` `None`: clinic-wide ones only.
    async fn exceptions(
        &self,
        provider: Option<UserId>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<ScheduleException>, StoreError>;
    /// One exception by id.
    async fn exception(&self, id: ExceptionId) -> Result<Option<ScheduleException>, StoreError>;
    /// Scheduled and checked-in appointments from `now` on that a closed exception of
    /// their provider (or a clinic-wide closure) overlaps: left in conflict when the
    /// exception was entered without cancelling them. By start.
    async fn outside_availability(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<Appointment>, StoreError>;
    /// Weekly hours (empty when never set) and exceptions overlapping `[from, to)`
    /// (clinic-wide ones included) of several providers, in two queries.
    async fn availability(
        &self,
        providers: &[UserId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<HashMap<UserId, (WeeklyHours, Vec<ScheduleException>)>, StoreError>;
    /// What holds the providers' time within `[from, to)`: appointments that hold time
    /// and open waitlist offers, each provider's list sorted by start.
    async fn booked(
        &self,
        providers: &[UserId],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<HashMap<UserId, Vec<Booked>>, StoreError>;
    /// One appointment.
    async fn appointment(&self, id: AppointmentId) -> Result<Option<Appointment>, StoreError>;
    /// Appointments by start (ascending).
    async fn appointments(
        &self,
        filter: &AppointmentFilter,
        page: PageRequest,
    ) -> Result<Page<Appointment>, StoreError>;
    /// An appointment's status changes, oldest first.
    async fn transitions(&self, id: AppointmentId) -> Result<Vec<Transition>, StoreError>;
    /// Counts by status of appointments starting in `[from, to)`.
    async fn status_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(AppointmentStatus, u64)>, StoreError>;
    /// Names for display.
    async fn labels(
        &self,
        patients: Vec<PatientId>,
        users: Vec<UserId>,
    ) -> Result<Labels, StoreError>;
    /// Waitlist entries (a patient's, or all), oldest first.
    async fn waitlist(
        &self,
        patient: Option<PatientId>,
        page: PageRequest,
    ) -> Result<Page<WaitlistEntry>, StoreError>;
    /// Waiting entries without an open offer, longest waiting first.
    async fn waiting_entries(&self, limit: u64) -> Result<Vec<WaitlistEntry>, StoreError>;
    /// Offers (a patient's, or all), newest first.
    async fn offers(
        &self,
        patient: Option<PatientId>,
        open_only: bool,
    ) -> Result<Vec<Offer>, StoreError>;
    /// Starts already offered to an entry (claimed, declined or expired are not offered
    /// again).
    async fn offered_starts(
        &self,
        entry: WaitlistId,
    ) -> Result<Vec<(UserId, DateTime<Utc>)>, StoreError>;
    /// How to reach a patient.
    async fn recipient(&self, patient: PatientId) -> Result<Option<Recipient>, StoreError>;
    /// The appointment a key created and the request's hash.
    async fn idempotent(
        &self,
        user: UserId,
        key: &str,
    ) -> Result<Option<(String, AppointmentId)>, StoreError>;
    /// One waitlist entry.
    async fn entry(&self, id: WaitlistId) -> Result<Option<WaitlistEntry>, StoreError>;
    /// One offer.
    async fn offer(&self, id: OfferId) -> Result<Option<Offer>, StoreError>;
    /// The account owning a calendar feed token (by its SHA-256).
    async fn feed_owner(&self, token_hash: &str) -> Result<Option<UserId>, StoreError>;
}

/// Appointment operations inside a [`UnitOfWork`] (`tx.appointments()`).
///
/// Lock order (see [`crate::unit_of_work`]): `lock_clinic`, then `lock_provider`, then
/// rows (`appointment`, `entry`, `offer` lock the row they read).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AppointmentOps: Send {
    /// Serialises bookings of one provider (advisory lock on PostgreSQL, together with a
    /// shared hold on the clinic's; SQLite's write transaction already serialises).
    async fn lock_provider(&mut self, provider: UserId) -> Result<(), StoreError>;
    /// Serialises with every provider's bookings at once (clinic-wide closures).
    async fn lock_clinic(&mut self) -> Result<(), StoreError>;
    /// A provider's weekly hours (empty when never set) and the exceptions (clinic-wide
    /// ones included) overlapping `[from, to)`, read in the transaction.
    async fn hours(
        &mut self,
        provider: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(WeeklyHours, Vec<ScheduleException>), StoreError>;
    /// Inserts a type (`Conflict{name}`).
    async fn insert_type(&mut self, t: &AppointmentType) -> Result<(), StoreError>;
    /// A type, locked for a change.
    async fn lock_type(
        &mut self,
        id: AppointmentTypeId,
    ) -> Result<Option<AppointmentType>, StoreError>;
    /// Saves a changed type (`Conflict{name}` on a duplicate name).
    async fn update_type(&mut self, t: &AppointmentType) -> Result<(), StoreError>;
    /// Replaces a provider's weekly hours.
    async fn set_weekly_hours(
        &mut self,
        provider: UserId,
        hours: &WeeklyHours,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Inserts an exception.
    async fn insert_exception(&mut self, e: &ScheduleException) -> Result<(), StoreError>;
    /// Saves a changed exception; `false` when it is gone.
    async fn update_exception(&mut self, e: &ScheduleException) -> Result<bool, StoreError>;
    /// Deletes an exception; `false` when there was none.
    async fn delete_exception(&mut self, id: ExceptionId) -> Result<bool, StoreError>;
    /// What holds a provider's time within `[from, to)` (appointments and open offers,
    /// except `skip_offer`), sorted by start.
    async fn booked(
        &mut self,
        provider: UserId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        skip_appointment: Option<AppointmentId>,
        skip_offer: Option<OfferId>,
    ) -> Result<Vec<Booked>, StoreError>;
    /// Spans of the patient's time-holding appointments within `[from, to)`.
    async fn patient_spans(
        &mut self,
        patient: PatientId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        skip: Option<AppointmentId>,
    ) -> Result<Vec<Interval>, StoreError>;
    /// Seats taken in the session of `provider` at `start`.
    async fn taken_seats(
        &mut self,
        provider: UserId,
        start: DateTime<Utc>,
    ) -> Result<Vec<u16>, StoreError>;
    /// An appointment, locked.
    async fn appointment(&mut self, id: AppointmentId) -> Result<Option<Appointment>, StoreError>;
    /// Inserts an appointment (`Conflict{slot}` / `Conflict{patient_busy}`).
    async fn insert_appointment(&mut self, a: &Appointment) -> Result<(), StoreError>;
    /// Saves an appointment (same conflicts).
    async fn update_appointment(&mut self, a: &Appointment) -> Result<(), StoreError>;
    /// Records a status change.
    async fn insert_transition(&mut self, t: &Transition) -> Result<(), StoreError>;
    /// The latest status change.
    async fn last_transition(
        &mut self,
        id: AppointmentId,
    ) -> Result<Option<Transition>, StoreError>;
    /// Scheduled or checked-in appointments overlapping `[from, to)`, of `provider` (all
    /// providers when `None`), by start.
    async fn affected(
        &mut self,
        provider: Option<UserId>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<Appointment>, StoreError>;
    /// Remembers a key (`Conflict{idempotency}` when taken).
    async fn insert_idempotency(
        &mut self,
        user: UserId,
        key: &str,
        hash: &str,
        id: AppointmentId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Inserts a waitlist entry.
    async fn insert_entry(&mut self, e: &WaitlistEntry) -> Result<(), StoreError>;
    /// A waitlist entry, locked.
    async fn entry(&mut self, id: WaitlistId) -> Result<Option<WaitlistEntry>, StoreError>;
    /// Saves an entry's status.
    async fn update_entry(&mut self, e: &WaitlistEntry) -> Result<(), StoreError>;
    /// Inserts an offer (`Conflict{offer}` when the slot or the entry already has an open
    /// one).
    async fn insert_offer(&mut self, o: &Offer) -> Result<(), StoreError>;
    /// An offer, locked.
    async fn offer(&mut self, id: OfferId) -> Result<Option<Offer>, StoreError>;
    /// Saves an offer's status.
    async fn update_offer(&mut self, o: &Offer) -> Result<(), StoreError>;
    /// Open offers whose window has passed.
    async fn lapsed_offers(&mut self, now: DateTime<Utc>) -> Result<Vec<Offer>, StoreError>;
    /// Scheduled appointments starting in `(now, until]` without a reminder, oldest first.
    async fn due_reminders(
        &mut self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<Appointment>, StoreError>;
    /// Marks the reminder sent if it was not; `false` if another worker did.
    async fn mark_reminded(
        &mut self,
        id: AppointmentId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Sets (replaces) a user's calendar feed token hash; `None` revokes it.
    async fn set_feed(
        &mut self,
        user: UserId,
        token_hash: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// How to reach these patients (reads inside the transaction: on SQLite a write
    /// transaction must not wait for a second pooled connection).
    async fn recipients(
        &mut self,
        patients: Vec<PatientId>,
    ) -> Result<HashMap<PatientId, Recipient>, StoreError>;
}

/// Where to reach a patient: in-app when they have an account, email when there is an
/// address (the patient's own, else their account's).
#[derive(Clone, PartialEq, Eq)]
pub struct Recipient {
    /// The patient.
    pub patient_id: PatientId,
    /// Their account.
    pub user_id: Option<UserId>,
    /// For the greeting.
    pub first_name: String,
    /// "First Last", for display.
    pub full_name: String,
    /// Email goes here.
    pub email: Option<EmailAddress>,
}

impl std::fmt::Debug for Recipient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recipient")
            .field("patient_id", &self.patient_id)
            .finish_non_exhaustive()
    }
}
