//! The appointment service: wiring, access, views and notifications.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use domain::appointment::{
    Appointment, AppointmentStatus, AppointmentType, BookingError, BookingPolicy, Slot, StatusError,
};
use domain::audit::{AuditEvent, Outcome};
use domain::paging::PageRequest;
use domain::policy::{Action, Actor, authorize};
use domain::{AppointmentId, AppointmentTypeId, NotificationId, PatientId, UserId};

use super::ports::{AppointmentFilter, AppointmentStore, Labels, Provider, Recipient};
use crate::audit::{AuditStore, authorize_audited};
use crate::clinical::{PatientDirectory, PatientRef};
use crate::jobs::JobLease;
use crate::mail::OutgoingEmail;
use crate::notification::Notification;
use crate::unit_of_work::UnitOfWork;
use crate::{AppError, Clock, ErrorCode};

/// Settings of the appointment use cases.
#[derive(Debug, Clone)]
pub struct AppointmentConfig {
    /// The clinic's zone: weekly hours, "today", displayed times.
    pub zone: Tz,
    /// Patients' horizon and cutoff.
    pub policy: BookingPolicy,
    /// How long before the start the reminder goes out (default 24 h).
    pub reminder_before: Duration,
    /// How long a waitlist offer is held (default 2 h).
    pub claim_window: Duration,
    /// Base URL for links (the calendar feed).
    pub public_url: String,
}

impl Default for AppointmentConfig {
    fn default() -> Self {
        Self {
            zone: chrono_tz::Asia::Manila,
            policy: BookingPolicy::default(),
            reminder_before: Duration::hours(24),
            claim_window: Duration::hours(2),
            public_url: "http://localhost:8080".into(),
        }
    }
}

/// An appointment with the names to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentView {
    /// The appointment.
    pub appointment: Appointment,
    /// Its type's name.
    pub type_name: String,
    /// The provider's name.
    pub provider_name: String,
    /// The patient's name.
    pub patient_name: String,
}

/// A free slot of one provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreeSlot {
    /// Whose.
    pub provider_id: UserId,
    /// The provider's name.
    pub provider_name: String,
    /// Of which type.
    pub appointment_type_id: AppointmentTypeId,
    /// When, and how many places are left.
    pub slot: Slot,
}

/// A provider in the directory: who, and the appointment types (id, name) they give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEntry {
    /// Who.
    pub provider: Provider,
    /// The active types their role provides, by name.
    pub types: Vec<(AppointmentTypeId, String)>,
}

/// The appointment figures of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// Clinic roles: today's appointments (clinic zone) by status.
    pub today: Option<Vec<(AppointmentStatus, u64)>>,
    /// Clinic roles: the next free slot of each active type within 14 days.
    pub next_free: Vec<(AppointmentType, Option<FreeSlot>)>,
    /// Patients: their next scheduled appointment.
    pub next_appointment: Option<AppointmentView>,
    /// Clinic roles: coming appointments that a leave or closure left outside
    /// availability (entered without cancelling them), until resolved. No patient data:
    /// which appointment, whose, when.
    pub outside_availability: Vec<OutsideAvailability>,
}

/// An appointment a leave or closure overlaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutsideAvailability {
    /// The appointment.
    pub appointment_id: AppointmentId,
    /// Its provider.
    pub provider_id: UserId,
    /// The provider's name.
    pub provider_name: String,
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
}

/// A calendar feed's events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarFeed {
    /// Whose feed.
    pub owner: UserId,
    /// Whether the owner sees it as the provider (otherwise as the patient).
    pub as_provider: bool,
    /// Appointments from 90 days back to a year ahead, cancelled ones included.
    pub events: Vec<AppointmentView>,
}

/// The appointment use cases.
pub struct AppointmentService {
    pub(super) store: Arc<dyn AppointmentStore>,
    pub(super) patients: Arc<dyn PatientDirectory>,
    pub(super) audit: Arc<dyn AuditStore>,
    pub(super) lease: Arc<dyn JobLease>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) config: AppointmentConfig,
    pub(super) instance: String,
}

impl AppointmentService {
    /// Wires the use cases to their ports.
    pub fn new(
        store: Arc<dyn AppointmentStore>,
        patients: Arc<dyn PatientDirectory>,
        audit: Arc<dyn AuditStore>,
        lease: Arc<dyn JobLease>,
        clock: Arc<dyn Clock>,
        config: AppointmentConfig,
    ) -> Self {
        Self {
            store,
            patients,
            audit,
            lease,
            clock,
            config,
            instance: uuid::Uuid::now_v7().to_string(),
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &AppointmentConfig {
        &self.config
    }

    /// Asks the policy; a refusal is audited and becomes 403.
    pub(super) async fn check(&self, actor: &Actor, action: Action) -> Result<(), AppError> {
        authorize_audited(
            self.audit.as_ref(),
            self.clock.now(),
            actor,
            &action,
            "appointment",
            None,
        )
        .await
    }

    /// Whether the actor manages appointments (clinic roles).
    pub(super) fn is_clinic(actor: &Actor) -> bool {
        authorize(actor, &Action::ManageAppointments).is_ok()
    }

    /// A patient-role actor's own profile; 409 until they have completed it.
    /// The patient an actor acts for, with how to reach them: clinic roles name one
    /// (`patient_id` is required), patients are themselves (naming another is 404).
    pub(super) async fn acting_for(
        &self,
        actor: &Actor,
        patient_id: Option<PatientId>,
    ) -> Result<Recipient, AppError> {
        let id = if Self::is_clinic(actor) {
            patient_id.ok_or_else(|| {
                AppError::field("patient_id", "is required when staff act for a patient")
            })?
        } else {
            let own = self.own_patient(actor).await?;
            if patient_id.is_some_and(|p| p != own.id) {
                return Err(AppError::NotFound { what: "patient" });
            }
            own.id
        };
        self.recipient(id).await
    }

    pub(super) async fn own_patient(&self, actor: &Actor) -> Result<PatientRef, AppError> {
        self.check(actor, Action::BookOwnAppointments).await?;
        self.patients
            .patient_of_user(actor.user_id)
            .await?
            .ok_or_else(|| {
                AppError::conflict(
                    ErrorCode::PatientProfileRequired,
                    "complete your patient profile (PATCH /api/patients/me) first",
                )
            })
    }

    /// How to reach the patient of an appointment, if the actor may see it (404
    /// otherwise, audited as a denied `action`).
    pub(super) async fn visible(
        &self,
        actor: &Actor,
        a: &Appointment,
        action: &'static str,
    ) -> Result<Recipient, AppError> {
        let r = self
            .store
            .recipient(a.patient_id)
            .await?
            .ok_or(AppError::NotFound {
                what: "appointment",
            })?;
        let mine = r.user_id == Some(actor.user_id);
        if !mine && !Self::is_clinic(actor) {
            self.audit
                .append(
                    AuditEvent::by(
                        actor,
                        action,
                        "appointment",
                        Some(a.id.to_string()),
                        Outcome::Denied,
                    )
                    .about_patient(a.patient_id, r.user_id),
                    self.clock.now(),
                )
                .await?;
            return Err(AppError::NotFound {
                what: "appointment",
            });
        }
        Ok(r)
    }

    /// Names for a set of appointments.
    pub(super) async fn views(
        &self,
        list: Vec<Appointment>,
    ) -> Result<Vec<AppointmentView>, AppError> {
        let mut patients: Vec<_> = list.iter().map(|a| a.patient_id).collect();
        let mut users: Vec<_> = list.iter().map(|a| a.provider_id).collect();
        patients.sort();
        patients.dedup();
        users.sort();
        users.dedup();
        let Labels {
            patients: pn,
            users: un,
        } = self.store.labels(patients, users).await?;
        let types = self.store.types(true).await?;
        Ok(list
            .into_iter()
            .map(|a| AppointmentView {
                type_name: types
                    .iter()
                    .find(|t| t.id == a.appointment_type_id)
                    .map(|t| t.name.clone())
                    .unwrap_or_default(),
                provider_name: un.get(&a.provider_id).cloned().unwrap_or_default(),
                patient_name: pn.get(&a.patient_id).cloned().unwrap_or_default(),
                appointment: a,
            })
            .collect())
    }

    /// One view.
    pub(super) async fn view(&self, a: Appointment) -> Result<AppointmentView, AppError> {
        self.views(vec![a])
            .await?
            .pop()
            .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("view lost")))
    }

    /// An active type, or 404.
    pub(super) async fn kind(&self, id: AppointmentTypeId) -> Result<AppointmentType, AppError> {
        self.store
            .appointment_type(id)
            .await?
            .ok_or(AppError::NotFound {
                what: "appointment type",
            })
    }

    /// Wall-clock text in the clinic zone, e.g. "Mon 23 Nov 2026, 09:00 (Asia/Manila)".
    pub(super) fn local(&self, t: DateTime<Utc>) -> String {
        format!(
            "{} ({})",
            t.with_timezone(&self.config.zone)
                .format("%a %-d %b %Y, %H:%M"),
            self.config.zone.name()
        )
    }

    /// In-app notification (when the patient has an account) and email (when there is
    /// an address), inside the caller's transaction.
    pub(super) async fn notify(
        &self,
        tx: &mut dyn UnitOfWork,
        to: &Recipient,
        kind: &str,
        title: &str,
        message: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        if let Some(user) = to.user_id {
            tx.notify(&Notification {
                id: NotificationId::new(),
                user_id: user,
                kind: kind.to_owned(),
                title: title.to_owned(),
                message: message.to_owned(),
                link: Some("/appointments".into()),
                created_at: now,
                read_at: None,
            })
            .await?;
        }
        if let Some(email) = &to.email {
            let text = format!(
                "Dear {},\n\n{message}\n\nUSC Health Services\n",
                to.first_name
            );
            tx.enqueue_mail(
                &OutgoingEmail {
                    to: email.clone(),
                    subject: format!("[USC-PIS] {title}"),
                    text,
                    html: None,
                },
                now,
            )
            .await?;
        }
        Ok(())
    }

    /// The first page of a filter, up to `limit` items over several pages.
    pub(super) async fn collect(
        &self,
        filter: &AppointmentFilter,
        limit: usize,
    ) -> Result<Vec<Appointment>, AppError> {
        let mut out = Vec::new();
        let mut page_no = 1;
        loop {
            let page = PageRequest::new(Some(page_no), Some(100))
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("{e}")))?;
            let got = self.store.appointments(filter, page).await?;
            let n = got.items.len();
            out.extend(got.items);
            if n < 100 || out.len() >= limit {
                out.truncate(limit);
                return Ok(out);
            }
            page_no += 1;
        }
    }
}

/// An audit event about an appointment, naming its patient (and their account).
pub(super) fn appointment_event(
    actor: &Actor,
    action: &str,
    a: &Appointment,
    patient_user: Option<UserId>,
) -> AuditEvent {
    AuditEvent::by(
        actor,
        action,
        "appointment",
        Some(a.id.to_string()),
        Outcome::Success,
    )
    .about_patient(a.patient_id, patient_user)
}

/// Booking refusals as use-case errors.
pub(super) fn booking_error(e: BookingError) -> AppError {
    let field = |f: &str, e: &BookingError| AppError::field(f, e.to_string());
    match e {
        BookingError::Past | BookingError::TooFarAhead(_) | BookingError::NotOnMinute => {
            field("start", &e)
        }
        BookingError::Inactive => field("appointment_type_id", &e),
        BookingError::WrongProvider => field("provider_id", &e),
        BookingError::ForceNotAllowed => AppError::Forbidden {
            code: ErrorCode::Forbidden,
            message: e.to_string(),
        },
        BookingError::Unavailable => {
            AppError::conflict(ErrorCode::OutsideAvailability, e.to_string())
        }
        BookingError::SlotTaken => AppError::conflict(ErrorCode::SlotTaken, e.to_string()),
        BookingError::PatientBusy => AppError::conflict(ErrorCode::PatientBusy, e.to_string()),
        BookingError::CutoffPassed(_) => AppError::conflict(ErrorCode::CutoffPassed, e.to_string()),
    }
}

/// Status refusals as use-case errors.
pub(super) fn status_error(e: StatusError) -> AppError {
    match e {
        StatusError::Reason(_) => AppError::field("reason", e.to_string()),
        StatusError::Transition { .. } | StatusError::NothingToUndo => {
            AppError::conflict(ErrorCode::InvalidTransition, e.to_string())
        }
        StatusError::TooEarly(_) => AppError::conflict(ErrorCode::TooEarly, e.to_string()),
    }
}
