//! Appointments: the booking rules and the status state machine.

use chrono::{DateTime, Duration, Utc};
use thiserror::Error;

use super::kind::AppointmentType;
use super::schedule::Interval;
use super::slot::{Booked, room_for};
use crate::clinical::codes::code_enum;
use crate::clinical::values::{ValueError, opt_text};
use crate::{AppointmentId, AppointmentTypeId, DentalRecordId, MedicalRecordId, PatientId, UserId};

code_enum!(
    /// Where an appointment is in its life.
    AppointmentStatus {
        /// Booked.
        Scheduled = "scheduled" / "Scheduled",
        /// The patient arrived.
        CheckedIn = "checked_in" / "Checked in",
        /// Seen.
        Completed = "completed" / "Completed",
        /// Called off (by the patient or the clinic).
        Cancelled = "cancelled" / "Cancelled",
        /// The patient did not come.
        NoShow = "no_show" / "No-show",
    }
);

impl AppointmentStatus {
    /// Whether the appointment holds the provider's (and the patient's) time.
    pub const fn holds_time(&self) -> bool {
        matches!(
            self,
            AppointmentStatus::Scheduled
                | AppointmentStatus::CheckedIn
                | AppointmentStatus::Completed
        )
    }
}

/// What a clinic role (or, for cancel, the patient) asks of an appointment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusAction {
    /// The patient arrived (from two hours before the start).
    CheckIn,
    /// Seen (from the start on).
    Complete,
    /// Did not come (from the start on).
    NoShow,
    /// Called off (before it is completed).
    Cancel,
}

impl StatusAction {
    /// Every action.
    pub const ALL: [StatusAction; 4] = [
        StatusAction::CheckIn,
        StatusAction::Complete,
        StatusAction::NoShow,
        StatusAction::Cancel,
    ];
    /// The status it leads to.
    pub const fn target(&self) -> AppointmentStatus {
        match self {
            StatusAction::CheckIn => AppointmentStatus::CheckedIn,
            StatusAction::Complete => AppointmentStatus::Completed,
            StatusAction::NoShow => AppointmentStatus::NoShow,
            StatusAction::Cancel => AppointmentStatus::Cancelled,
        }
    }
}

/// Why a status change was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum StatusError {
    /// Not from this status.
    #[error("a {from} appointment cannot become {to}")]
    Transition {
        /// Current.
        from: &'static str,
        /// Asked.
        to: &'static str,
    },
    /// Too early for this change.
    #[error("too early: {0}")]
    TooEarly(&'static str),
    /// Nothing to undo (or the last change was itself an undo).
    #[error("there is no status change to undo")]
    NothingToUndo,
    /// Reason text.
    #[error("reason: {0}")]
    Reason(ValueError),
}

code_enum!(
    /// What a history entry records.
    TransitionKind {
        Booked = "booked" / "Booked",
        Status = "status" / "Status change",
        Rescheduled = "rescheduled" / "Rescheduled",
    }
);

/// One entry of an appointment's history: its booking, a status change, or a move to
/// another time (with the old and the new start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    /// Of which appointment.
    pub appointment_id: AppointmentId,
    /// Booking, status change or rescheduling.
    pub kind: TransitionKind,
    /// The start before a rescheduling.
    pub old_start: Option<DateTime<Utc>>,
    /// The start after a booking or a rescheduling.
    pub new_start: Option<DateTime<Utc>>,
    /// Before.
    pub from: AppointmentStatus,
    /// After.
    pub to: AppointmentStatus,
    /// Who.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
    /// Why (cancellations, undos).
    pub reason: Option<String>,
    /// Whether this change reverted the one before it.
    pub undo: bool,
}

/// A booked visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    /// Identity.
    pub id: AppointmentId,
    /// Who is seen.
    pub patient_id: PatientId,
    /// Who sees them.
    pub provider_id: UserId,
    /// What kind of visit.
    pub appointment_type_id: AppointmentTypeId,
    /// Start (UTC).
    pub start: DateTime<Utc>,
    /// End (UTC), without buffer.
    pub end: DateTime<Utc>,
    /// End of the provider's held span (end + buffer).
    pub block_end: DateTime<Utc>,
    /// The type's capacity when booked (the database checks `seat <= capacity`).
    pub capacity: u16,
    /// Place in its session, 1..=capacity.
    pub seat: u16,
    status: AppointmentStatus,
    /// Booked outside availability by a clinic role.
    pub forced: bool,
    /// Who booked.
    pub booked_by: UserId,
    /// When booked.
    pub booked_at: DateTime<Utc>,
    /// Who made the last status change.
    pub status_by: UserId,
    /// When.
    pub status_at: DateTime<Utc>,
    /// Why it was cancelled.
    pub cancel_reason: Option<String>,
    /// The visit's medical record (set at completion).
    pub medical_record_id: Option<MedicalRecordId>,
    /// The visit's dental record (set at completion).
    pub dental_record_id: Option<DentalRecordId>,
    /// When the reminder was enqueued (exactly once).
    pub reminder_sent_at: Option<DateTime<Utc>>,
    /// Changes so far (for feeds: the iCalendar SEQUENCE).
    pub revision: u32,
}

impl Appointment {
    /// A new scheduled appointment of `kind` at `start` in `seat`.
    #[allow(clippy::too_many_arguments)]
    pub fn book(
        patient_id: PatientId,
        provider_id: UserId,
        kind: &AppointmentType,
        start: DateTime<Utc>,
        seat: u16,
        forced: bool,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: AppointmentId::new(),
            patient_id,
            provider_id,
            appointment_type_id: kind.id,
            start,
            end: start + kind.duration(),
            block_end: start + kind.block(),
            capacity: kind.capacity,
            seat,
            status: AppointmentStatus::Scheduled,
            forced,
            booked_by: by,
            booked_at: now,
            status_by: by,
            status_at: now,
            cancel_reason: None,
            medical_record_id: None,
            dental_record_id: None,
            reminder_sent_at: None,
            revision: 0,
        }
    }

    /// The history entry of its booking.
    pub fn booked_entry(&self) -> Transition {
        Transition {
            appointment_id: self.id,
            kind: TransitionKind::Booked,
            old_start: None,
            new_start: Some(self.start),
            from: AppointmentStatus::Scheduled,
            to: AppointmentStatus::Scheduled,
            by: self.booked_by,
            at: self.booked_at,
            reason: None,
            undo: false,
        }
    }

    /// Rebuilds a stored appointment with its status.
    pub fn restore(mut self, status: AppointmentStatus) -> Self {
        self.status = status;
        self
    }

    /// The current status.
    pub fn status(&self) -> AppointmentStatus {
        self.status
    }

    /// The patient's time (without buffer).
    pub fn span(&self) -> Interval {
        Interval {
            start: self.start,
            end: self.end,
        }
    }

    /// The provider's held time, as a booking.
    pub fn as_booked(&self) -> Booked {
        Booked {
            appointment_type_id: self.appointment_type_id,
            start: self.start,
            block_end: self.block_end,
            seats: 1,
        }
    }

    /// Applies an action at `now`: checks the transition and its timing, records who and
    /// when, and returns the change to store.
    pub fn apply(
        &mut self,
        action: StatusAction,
        by: UserId,
        now: DateTime<Utc>,
        reason: Option<&str>,
    ) -> Result<Transition, StatusError> {
        use AppointmentStatus::*;
        let to = action.target();
        let allowed = matches!(
            (self.status, action),
            (Scheduled, StatusAction::CheckIn)
                | (Scheduled | CheckedIn, StatusAction::Complete)
                | (Scheduled, StatusAction::NoShow)
                | (Scheduled | CheckedIn, StatusAction::Cancel)
        );
        if !allowed {
            return Err(StatusError::Transition {
                from: self.status.as_str(),
                to: to.as_str(),
            });
        }
        match action {
            StatusAction::CheckIn if now < self.start - Duration::hours(2) => {
                return Err(StatusError::TooEarly(
                    "check-in opens two hours before the start",
                ));
            }
            // A checked-in patient may be seen early: completing needs only the check-in.
            StatusAction::Complete if now < self.start && self.status == Scheduled => {
                return Err(StatusError::TooEarly(
                    "the appointment has not started and the patient has not checked in",
                ));
            }
            StatusAction::NoShow if now < self.start => {
                return Err(StatusError::TooEarly("the appointment has not started"));
            }
            _ => {}
        }
        let reason = opt_text(reason, 500).map_err(StatusError::Reason)?;
        let t = Transition {
            appointment_id: self.id,
            kind: TransitionKind::Status,
            old_start: None,
            new_start: None,
            from: self.status,
            to,
            by,
            at: now,
            reason: reason.clone(),
            undo: false,
        };
        if action == StatusAction::Cancel {
            self.cancel_reason = reason;
        }
        self.set(to, by, now);
        Ok(t)
    }

    /// Reverts `last` (the appointment's latest history entry), which must be a status
    /// change and not itself an undo (a booking or a rescheduling is not undone).
    pub fn undo(
        &mut self,
        last: Option<&Transition>,
        by: UserId,
        now: DateTime<Utc>,
        reason: Option<&str>,
    ) -> Result<Transition, StatusError> {
        let last = last
            .filter(|t| {
                t.kind == TransitionKind::Status
                    && !t.undo
                    && t.to == self.status
                    && t.appointment_id == self.id
            })
            .ok_or(StatusError::NothingToUndo)?;
        let reason = opt_text(reason, 500).map_err(StatusError::Reason)?;
        let t = Transition {
            appointment_id: self.id,
            kind: TransitionKind::Status,
            old_start: None,
            new_start: None,
            from: self.status,
            to: last.from,
            by,
            at: now,
            reason,
            undo: true,
        };
        if self.status == AppointmentStatus::Cancelled {
            self.cancel_reason = None;
        }
        if self.status == AppointmentStatus::Completed {
            self.medical_record_id = None;
            self.dental_record_id = None;
        }
        self.set(last.from, by, now);
        Ok(t)
    }

    /// Moves a scheduled appointment to `start` (same type) in `seat`; the history entry
    /// with the old and the new start.
    pub fn reschedule(
        &mut self,
        kind: &AppointmentType,
        start: DateTime<Utc>,
        seat: u16,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<Transition, StatusError> {
        if self.status != AppointmentStatus::Scheduled {
            return Err(StatusError::Transition {
                from: self.status.as_str(),
                to: "rescheduled",
            });
        }
        let entry = Transition {
            appointment_id: self.id,
            kind: TransitionKind::Rescheduled,
            old_start: Some(self.start),
            new_start: Some(start),
            from: self.status,
            to: self.status,
            by,
            at: now,
            reason: None,
            undo: false,
        };
        self.start = start;
        self.end = start + kind.duration();
        self.block_end = start + kind.block();
        self.capacity = kind.capacity;
        self.seat = seat;
        self.reminder_sent_at = None;
        self.status_by = by;
        self.status_at = now;
        self.revision += 1;
        Ok(entry)
    }

    fn set(&mut self, to: AppointmentStatus, by: UserId, now: DateTime<Utc>) {
        self.status = to;
        self.status_by = by;
        self.status_at = now;
        self.revision += 1;
    }
}

/// Booking limits for patients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookingPolicy {
    /// Patients book at most this many days ahead (default 30).
    pub max_days_ahead: u32,
    /// Patients cancel or reschedule up to this long before the start (default 2 h).
    pub patient_cutoff: Duration,
}

impl Default for BookingPolicy {
    fn default() -> Self {
        Self {
            max_days_ahead: 30,
            patient_cutoff: Duration::hours(2),
        }
    }
}

/// Why a booking was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum BookingError {
    /// The start has passed.
    #[error("the start is in the past")]
    Past,
    /// A start with seconds.
    #[error("the start must be on a whole minute")]
    NotOnMinute,
    /// A patient booking beyond the horizon.
    #[error("patients may book at most {0} days ahead")]
    TooFarAhead(u32),
    /// The type is inactive.
    #[error("this appointment type is not offered any more")]
    Inactive,
    /// The provider's role does not give this type.
    #[error("this provider does not give this type of appointment")]
    WrongProvider,
    /// Outside the provider's availability (a clinic role may `force`).
    #[error("the provider is not available then")]
    Unavailable,
    /// Only clinic roles may force.
    #[error("only clinic staff may book outside availability")]
    ForceNotAllowed,
    /// Another booking holds the time (or the session is full).
    #[error("that time is already taken")]
    SlotTaken,
    /// The patient already has an appointment then.
    #[error("the patient already has an appointment at that time")]
    PatientBusy,
    /// A patient changing their booking after the cutoff.
    #[error("appointments can be changed online only until {0} minutes before the start")]
    CutoffPassed(i64),
}

/// Everything a booking is checked against.
#[derive(Debug, Clone)]
pub struct BookingRequest<'a> {
    /// The type.
    pub kind: &'a AppointmentType,
    /// Asked start.
    pub start: DateTime<Utc>,
    /// Now.
    pub now: DateTime<Utc>,
    /// Booked by the patient themselves (horizon applies, force refused).
    pub by_patient: bool,
    /// Whether the provider's role gives this type.
    pub provider_qualified: bool,
    /// Book outside availability (clinic roles).
    pub force: bool,
    /// Limits.
    pub policy: BookingPolicy,
    /// The provider's open intervals around the start.
    pub open: &'a [Interval],
    /// The provider's bookings around the start, sorted by start (held offers included).
    pub provider_booked: &'a [Booked],
    /// The patient's appointments around the start.
    pub patient_booked: &'a [Interval],
}

/// Checks a booking; on success, the places left in the session before it.
pub fn check_booking(r: &BookingRequest<'_>) -> Result<u32, BookingError> {
    if !super::schedule::whole_minute(r.start) {
        return Err(BookingError::NotOnMinute);
    }
    if r.start <= r.now {
        return Err(BookingError::Past);
    }
    if r.by_patient && r.start > r.now + Duration::days(i64::from(r.policy.max_days_ahead)) {
        return Err(BookingError::TooFarAhead(r.policy.max_days_ahead));
    }
    if !r.kind.active {
        return Err(BookingError::Inactive);
    }
    if !r.provider_qualified {
        return Err(BookingError::WrongProvider);
    }
    if r.force && r.by_patient {
        return Err(BookingError::ForceNotAllowed);
    }
    let span = Interval {
        start: r.start,
        end: r.start + r.kind.duration(),
    };
    if !r.force && !r.open.iter().any(|i| i.contains(&span)) {
        return Err(BookingError::Unavailable);
    }
    let room = room_for(r.kind, r.start, r.provider_booked).ok_or(BookingError::SlotTaken)?;
    if r.patient_booked.iter().any(|p| p.overlaps(&span)) {
        return Err(BookingError::PatientBusy);
    }
    Ok(room)
}

/// Whether a patient may still cancel or reschedule `a` themselves at `now`.
pub fn check_patient_change(
    a: &Appointment,
    policy: &BookingPolicy,
    now: DateTime<Utc>,
) -> Result<(), BookingError> {
    if now > a.start - policy.patient_cutoff {
        return Err(BookingError::CutoffPassed(
            policy.patient_cutoff.num_minutes(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Role;
    use proptest::prelude::*;

    fn t(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid") + Duration::minutes(min)
    }

    fn kind(capacity: i64) -> AppointmentType {
        AppointmentType::new("T", 15, 5, vec![Role::Doctor], capacity, t(0)).expect("valid")
    }

    fn appt(k: &AppointmentType, start: i64) -> Appointment {
        Appointment::book(
            PatientId::new(),
            UserId::new(),
            k,
            t(start),
            1,
            false,
            UserId::new(),
            t(0),
        )
    }

    #[test]
    fn transitions_follow_the_model() {
        use AppointmentStatus::*;
        let k = kind(1);
        for &from in AppointmentStatus::ALL {
            for action in StatusAction::ALL {
                let mut a = appt(&k, 60).restore(from);
                let got = a.apply(action, UserId::new(), t(70), None);
                let legal = matches!(
                    (from, action),
                    (Scheduled, _) | (CheckedIn, StatusAction::Complete | StatusAction::Cancel)
                );
                assert_eq!(got.is_ok(), legal, "{from:?} {action:?}");
                if legal {
                    assert_eq!(a.status(), action.target());
                } else {
                    assert_eq!(a.status(), from, "a refused change changes nothing");
                }
            }
        }
    }

    #[test]
    fn timing_of_status_changes() {
        let k = kind(1);
        let mut a = appt(&k, 600);
        assert!(matches!(
            a.apply(StatusAction::NoShow, UserId::new(), t(599), None),
            Err(StatusError::TooEarly(_))
        ));
        assert!(matches!(
            a.apply(StatusAction::CheckIn, UserId::new(), t(479), None),
            Err(StatusError::TooEarly(_))
        ));
        assert!(
            a.apply(StatusAction::CheckIn, UserId::new(), t(480), None)
                .is_ok()
        );
        // Seen early: a checked-in visit completes before its start, and a no-show still
        // waits for the start.
        assert!(matches!(
            appt(&k, 600).apply(StatusAction::Complete, UserId::new(), t(599), None),
            Err(StatusError::TooEarly(_))
        ));
        assert!(
            a.apply(StatusAction::Complete, UserId::new(), t(481), None)
                .is_ok()
        );
        assert_eq!(a.status(), AppointmentStatus::Completed);
    }

    #[test]
    fn undo_reverts_the_last_change_once() {
        let k = kind(1);
        let mut a = appt(&k, 60);
        let by = UserId::new();
        let t1 = a
            .apply(StatusAction::Cancel, by, t(10), Some("sick"))
            .expect("cancel");
        assert_eq!(a.cancel_reason.as_deref(), Some("sick"));
        let u = a
            .undo(Some(&t1), by, t(11), Some("wrong patient"))
            .expect("undo");
        assert_eq!(
            (u.from, u.to, u.undo),
            (
                AppointmentStatus::Cancelled,
                AppointmentStatus::Scheduled,
                true
            )
        );
        assert_eq!(a.status(), AppointmentStatus::Scheduled);
        assert_eq!(a.cancel_reason, None);
        assert_eq!(
            a.undo(Some(&u), by, t(12), None),
            Err(StatusError::NothingToUndo)
        );
        assert_eq!(
            a.undo(None, by, t(12), None),
            Err(StatusError::NothingToUndo)
        );
    }

    fn request<'a>(
        k: &'a AppointmentType,
        start: i64,
        open: &'a [Interval],
        booked: &'a [Booked],
        patient: &'a [Interval],
    ) -> BookingRequest<'a> {
        BookingRequest {
            kind: k,
            start: t(start),
            now: t(0),
            by_patient: true,
            provider_qualified: true,
            force: false,
            policy: BookingPolicy::default(),
            open,
            provider_booked: booked,
            patient_booked: patient,
        }
    }

    #[test]
    fn booking_rules() {
        let k = kind(1);
        let open = [Interval {
            start: t(60),
            end: t(240),
        }];
        let ok = request(&k, 60, &open, &[], &[]);
        assert_eq!(check_booking(&ok), Ok(1));
        assert_eq!(
            check_booking(&BookingRequest {
                start: t(0),
                ..ok.clone()
            }),
            Err(BookingError::Past)
        );
        assert_eq!(
            check_booking(&BookingRequest {
                start: t(31 * 24 * 60),
                ..ok.clone()
            }),
            Err(BookingError::TooFarAhead(30))
        );
        assert_eq!(
            check_booking(&BookingRequest {
                start: t(230),
                ..ok.clone()
            }),
            Err(BookingError::Unavailable)
        );
        assert_eq!(
            check_booking(&BookingRequest {
                force: true,
                ..ok.clone()
            }),
            Err(BookingError::ForceNotAllowed)
        );
        let staff_forced = BookingRequest {
            force: true,
            by_patient: false,
            start: t(300),
            ..ok.clone()
        };
        assert_eq!(
            check_booking(&staff_forced),
            Ok(1),
            "clinic roles may force outside hours"
        );
        assert_eq!(
            check_booking(&BookingRequest {
                provider_qualified: false,
                ..ok.clone()
            }),
            Err(BookingError::WrongProvider)
        );
        let other = appt(&k, 70).as_booked();
        let taken = [other];
        assert_eq!(
            check_booking(&BookingRequest {
                provider_booked: &taken,
                force: true,
                by_patient: false,
                ..ok.clone()
            }),
            Err(BookingError::SlotTaken),
            "force never overlaps"
        );
        let busy = [Interval {
            start: t(70),
            end: t(80),
        }];
        assert_eq!(
            check_booking(&BookingRequest {
                patient_booked: &busy,
                ..ok
            }),
            Err(BookingError::PatientBusy)
        );
    }

    #[test]
    fn patient_cutoff() {
        let k = kind(1);
        let a = appt(&k, 180);
        let p = BookingPolicy::default();
        assert_eq!(check_patient_change(&a, &p, t(60)), Ok(()));
        assert_eq!(
            check_patient_change(&a, &p, t(61)),
            Err(BookingError::CutoffPassed(120))
        );
    }

    #[derive(Debug, Clone)]
    enum Op {
        Book {
            provider: usize,
            patient: usize,
            kind: usize,
            slot: i64,
        },
        Cancel(usize),
        Reschedule(usize, i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0..2usize, 0..4usize, 0..3usize, 0..40i64).prop_map(
                |(provider, patient, kind, slot)| Op::Book {
                    provider,
                    patient,
                    kind,
                    slot
                }
            ),
            (0..64usize).prop_map(Op::Cancel),
            (0..64usize, 0..40i64).prop_map(|(i, s)| Op::Reschedule(i, s)),
        ]
    }

    proptest! {
        /// Any sequence of book / cancel / reschedule checked by `check_booking` leaves no
        /// provider with overlapping sessions or a session over capacity, and no patient
        /// double-booked.
        #[test]
        fn no_double_booking_under_any_sequence(ops in proptest::collection::vec(op(), 1..80)) {
            let kinds = [kind(1), AppointmentType::new("Drive", 10, 0, vec![Role::Doctor], 3, t(0)).expect("k"),
                AppointmentType::new("Long", 45, 10, vec![Role::Doctor], 1, t(0)).expect("k")];
            let providers = [UserId::new(), UserId::new()];
            let patients: Vec<PatientId> = (0..4).map(|_| PatientId::new()).collect();
            let open = [Interval { start: t(0), end: t(10_000) }];
            let mut all: Vec<Appointment> = Vec::new();
            let by = UserId::new();
            let view = |all: &[Appointment], provider: UserId, patient: PatientId, skip: Option<AppointmentId>| {
                let mut booked: Vec<Booked> = all.iter()
                    .filter(|a| a.provider_id == provider && a.status().holds_time() && Some(a.id) != skip)
                    .map(Appointment::as_booked).collect();
                booked.sort_by_key(|b| b.start);
                let mine: Vec<Interval> = all.iter()
                    .filter(|a| a.patient_id == patient && a.status().holds_time() && Some(a.id) != skip)
                    .map(Appointment::span).collect();
                (booked, mine)
            };
            for op in ops {
                match op {
                    Op::Book { provider, patient, kind: ki, slot } => {
                        let k = &kinds[ki];
                        let (booked, mine) = view(&all, providers[provider], patients[patient], None);
                        let req = BookingRequest { kind: k, start: t(1 + slot * 5), now: t(0), by_patient: false,
                            provider_qualified: true, force: false, policy: BookingPolicy::default(),
                            open: &open, provider_booked: &booked, patient_booked: &mine };
                        if let Ok(room) = check_booking(&req) {
                            let seat = (u32::from(k.capacity) - room + 1) as u16;
                            let mut a = Appointment::book(patients[patient], providers[provider], k, req.start, seat, false, by, t(0));
                            a.capacity = k.capacity;
                            all.push(a);
                        }
                    }
                    Op::Cancel(i) => {
                        if let Some(a) = all.get_mut(i) {
                            let _ = a.apply(StatusAction::Cancel, by, t(0), None);
                        }
                    }
                    Op::Reschedule(i, slot) => {
                        let Some(a) = all.get(i).cloned() else { continue };
                        let Some(k) = kinds.iter().find(|k| k.id == a.appointment_type_id) else { continue };
                        let (booked, mine) = view(&all, a.provider_id, a.patient_id, Some(a.id));
                        let req = BookingRequest { kind: k, start: t(1 + slot * 5), now: t(0), by_patient: false,
                            provider_qualified: true, force: false, policy: BookingPolicy::default(),
                            open: &open, provider_booked: &booked, patient_booked: &mine };
                        if a.status() == AppointmentStatus::Scheduled && check_booking(&req).is_ok() {
                            let _ = all[i].reschedule(k, req.start, 1, by, t(0));
                        }
                    }
                }
            }
            let live: Vec<&Appointment> = all.iter().filter(|a| a.status().holds_time()).collect();
            for (i, a) in live.iter().enumerate() {
                let mut same_session = 1u32;
                for b in live.iter().skip(i + 1) {
                    let held_a = Interval { start: a.start, end: a.block_end };
                    let held_b = Interval { start: b.start, end: b.block_end };
                    if a.provider_id == b.provider_id && held_a.overlaps(&held_b) {
                        prop_assert!(a.appointment_type_id == b.appointment_type_id && a.start == b.start,
                            "overlapping sessions of one provider");
                        same_session += 1;
                    }
                    if a.patient_id == b.patient_id {
                        prop_assert!(!a.span().overlaps(&b.span()), "patient double-booked");
                    }
                }
                let cap = kinds.iter().find(|k| k.id == a.appointment_type_id).map_or(1, |k| u32::from(k.capacity));
                prop_assert!(same_session <= cap, "session over capacity");
            }
        }
    }
}
