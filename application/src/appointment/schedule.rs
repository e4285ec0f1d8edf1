//! Appointment types, weekly hours and exceptions (with the impact preview).

use chrono::{DateTime, Duration, Utc};
use domain::appointment::{
    AppointmentType, ExceptionKind, ScheduleException, StatusAction, TypeChange, WeeklyHours,
    WeeklyRange,
};
use domain::audit::{AuditEvent, Outcome};
use domain::identity::Role;
use domain::policy::{Action, Actor};
use domain::{AppointmentTypeId, ExceptionId, UserId};

use super::ports::Provider;
use super::service::{
    AppointmentService, AppointmentView, ProviderEntry, appointment_event, status_error,
};
use crate::AppError;
use crate::fields::Fields;
use crate::unit_of_work::{UnitOfWork, retrying};

/// A new appointment type.
#[derive(Debug, Clone, Default)]
pub struct TypeInput {
    /// 1-100 characters, unique.
    pub name: Option<String>,
    /// 5-480.
    pub duration_minutes: Option<i64>,
    /// 0-240 (default 0).
    pub buffer_minutes: Option<i64>,
    /// Clinic roles that give it.
    pub provider_roles: Option<Vec<String>>,
    /// 1-1000 (default 1).
    pub capacity: Option<i64>,
}

/// PATCH of an appointment type: `None` keeps a part.
#[derive(Debug, Clone, Default)]
pub struct TypePatch {
    /// 1-100 characters, unique.
    pub name: Option<String>,
    /// 5-480.
    pub duration_minutes: Option<i64>,
    /// 0-240.
    pub buffer_minutes: Option<i64>,
    /// Clinic roles that give it.
    pub provider_roles: Option<Vec<String>>,
    /// 1-1000.
    pub capacity: Option<i64>,
    /// `false` retires it (no new bookings; booked ones stay).
    pub active: Option<bool>,
}

/// One weekly range as sent.
#[derive(Debug, Clone)]
pub struct RangeInput {
    /// 1 = Monday ... 7 = Sunday.
    pub weekday: i64,
    /// `HH:MM`.
    pub start: String,
    /// `HH:MM`.
    pub end: String,
}

/// A new exception.
#[derive(Debug, Clone)]
pub struct ExceptionInput {
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End (exclusive).
    pub ends_at: DateTime<Utc>,
    /// Why.
    pub reason: String,
    /// `closed` (default) or `open` (an extra opening).
    pub kind: Option<String>,
    /// Cancel the appointments it breaks and tell the patients.
    pub cancel_affected: bool,
}

/// PATCH of an exception: `None` keeps a part.
#[derive(Debug, Clone, Default)]
pub struct ExceptionPatch {
    /// Start.
    pub starts_at: Option<DateTime<Utc>>,
    /// End (exclusive).
    pub ends_at: Option<DateTime<Utc>>,
    /// Why.
    pub reason: Option<String>,
    /// `closed` or `open`.
    pub kind: Option<String>,
    /// Cancel the appointments the changed span breaks and tell the patients.
    pub cancel_affected: bool,
}

/// A provider's hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleView {
    /// Who.
    pub provider: Provider,
    /// Weekly hours (empty when never set).
    pub weekly: WeeklyHours,
    /// Exceptions from today on (clinic-wide ones included).
    pub exceptions: Vec<ScheduleException>,
}

/// What adding an exception did (or would do).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionOutcome {
    /// The stored exception (`None` for a preview).
    pub exception: Option<ScheduleException>,
    /// Booked appointments it breaks.
    pub affected: Vec<AppointmentView>,
    /// How many of them were cancelled.
    pub cancelled: u32,
}

impl AppointmentService {
    /// Every type (inactive ones only for clinic roles).
    pub async fn list_types(&self, actor: &Actor) -> Result<Vec<AppointmentType>, AppError> {
        Ok(self.store.types(Self::is_clinic(actor)).await?)
    }

    /// Anyone signed in: the providers patients can book, each with the active types
    /// they provide (by their role), by name. Providers without any such type are left
    /// out.
    pub async fn directory(&self) -> Result<Vec<ProviderEntry>, AppError> {
        let types = self.store.types(false).await?;
        let mut roles: Vec<Role> = types
            .iter()
            .flat_map(|t| t.provider_roles.iter().copied())
            .collect();
        roles.sort_by_key(|r| r.as_str());
        roles.dedup();
        let mut out: Vec<ProviderEntry> = self
            .store
            .providers(&roles)
            .await?
            .into_iter()
            .filter(|p| p.active)
            .map(|p| ProviderEntry {
                types: types
                    .iter()
                    .filter(|t| t.provided_by(p.role))
                    .map(|t| (t.id, t.name.clone()))
                    .collect(),
                provider: p,
            })
            .filter(|e| !e.types.is_empty())
            .collect();
        out.sort_by(|a, b| a.provider.name.cmp(&b.provider.name));
        Ok(out)
    }

    /// ADMIN/STAFF: a new type. 409 `name_taken`.
    pub async fn create_type(
        &self,
        actor: &Actor,
        input: TypeInput,
    ) -> Result<AppointmentType, AppError> {
        self.check(actor, Action::ManageAppointmentTypes).await?;
        let mut f = Fields::default();
        let name = f.text("name", input.name.as_deref(), 1, 100);
        let roles: Vec<Role> = match &input.provider_roles {
            None => {
                f.add("provider_roles", "is required");
                Vec::new()
            }
            Some(list) => roles_of(&mut f, list),
        };
        if input.duration_minutes.is_none() {
            f.add("duration_minutes", "is required");
        }
        f.finish()?;
        let now = self.clock.now();
        let t = AppointmentType::new(
            &name.unwrap_or_default(),
            input.duration_minutes.unwrap_or_default(),
            input.buffer_minutes.unwrap_or(0),
            roles,
            input.capacity.unwrap_or(1),
            now,
        )
        .map_err(|e| AppError::field(e.field(), e.to_string()))?;
        let tx = self.store.begin().await?;
        self.save_type(tx, actor, t, true, now).await
    }

    /// ADMIN/STAFF: changes a type or retires it (`active: false`: no new bookings; the
    /// booked appointments keep their times). 409 `name_taken`.
    pub async fn update_type(
        &self,
        actor: &Actor,
        id: AppointmentTypeId,
        patch: TypePatch,
    ) -> Result<AppointmentType, AppError> {
        self.check(actor, Action::ManageAppointmentTypes).await?;
        let mut f = Fields::default();
        let roles = patch
            .provider_roles
            .as_ref()
            .map(|list| roles_of(&mut f, list));
        f.finish()?;
        let now = self.clock.now();
        // Read and changed in the write transaction, locked: two edits at once cannot
        // lose one another's fields.
        let mut tx = self.store.begin().await?;
        let mut t = tx
            .appointments()
            .lock_type(id)
            .await?
            .ok_or(AppError::NotFound {
                what: "appointment type",
            })?;
        t.edit(
            TypeChange {
                name: patch.name,
                duration_minutes: patch.duration_minutes,
                buffer_minutes: patch.buffer_minutes,
                provider_roles: roles,
                capacity: patch.capacity,
                active: patch.active,
            },
            now,
        )
        .map_err(|e| AppError::field(e.field(), e.to_string()))?;
        self.save_type(tx, actor, t, false, now).await
    }

    /// Inserts (`insert`) or saves a type with its audit entry, in one transaction.
    async fn save_type(
        &self,
        mut tx: Box<dyn UnitOfWork>,
        actor: &Actor,
        t: AppointmentType,
        insert: bool,
        now: DateTime<Utc>,
    ) -> Result<AppointmentType, AppError> {
        let action = if insert {
            tx.appointments().insert_type(&t).await?;
            "appointment_types.create"
        } else {
            tx.appointments().update_type(&t).await?;
            "appointment_types.update"
        };
        tx.append_audit(
            AuditEvent::by(
                actor,
                action,
                "appointment_type",
                Some(t.id.to_string()),
                Outcome::Success,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(t)
    }

    /// A clinic user who can be booked, or 404.
    pub(super) async fn provider(&self, id: UserId) -> Result<Provider, AppError> {
        self.store
            .provider(id)
            .await?
            .filter(|p| p.role.is_clinic())
            .ok_or(AppError::NotFound { what: "provider" })
    }

    /// A provider's weekly hours and coming exceptions (any signed-in user; patients see
    /// "Unavailable" instead of the reason, which may be personal).
    pub async fn schedule(
        &self,
        actor: &Actor,
        provider: UserId,
    ) -> Result<ScheduleView, AppError> {
        let provider = self.provider(provider).await?;
        let now = self.clock.now();
        let weekly = self
            .store
            .weekly_hours(provider.user_id)
            .await?
            .unwrap_or_default();
        let exceptions = self
            .store
            .exceptions(Some(provider.user_id), now, now + Duration::days(366))
            .await?;
        Ok(ScheduleView {
            provider,
            weekly,
            exceptions: redacted(actor, exceptions),
        })
    }

    /// ADMIN/STAFF or the provider: replace the weekly hours (clinic wall-clock time).
    pub async fn set_schedule(
        &self,
        actor: &Actor,
        provider: UserId,
        ranges: Vec<RangeInput>,
    ) -> Result<ScheduleView, AppError> {
        retrying(|| self.set_schedule_once(actor, provider, ranges.clone())).await
    }

    /// One attempt of [`Self::set_schedule`].
    async fn set_schedule_once(
        &self,
        actor: &Actor,
        provider: UserId,
        ranges: Vec<RangeInput>,
    ) -> Result<ScheduleView, AppError> {
        self.check(actor, Action::ManageSchedule { provider })
            .await?;
        let p = self.provider(provider).await?;
        let mut f = Fields::default();
        let mut parsed = Vec::with_capacity(ranges.len());
        for (i, r) in ranges.iter().enumerate() {
            match WeeklyRange::parse(r.weekday, &r.start, &r.end) {
                Ok(v) => parsed.push(v),
                Err(e) => f.add(&format!("weekly[{i}]"), e),
            }
        }
        f.finish()?;
        let hours =
            WeeklyHours::new(parsed).map_err(|e| AppError::field("weekly", e.to_string()))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        tx.appointments().lock_provider(p.user_id).await?;
        tx.appointments()
            .set_weekly_hours(p.user_id, &hours, now)
            .await?;
        tx.append_audit(
            AuditEvent::by(
                actor,
                "schedules.set",
                "provider",
                Some(p.user_id.to_string()),
                Outcome::Success,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        self.waitlist_pass_logged().await;
        self.schedule(actor, provider).await
    }

    /// A provider's exceptions from today on.
    pub async fn exceptions(
        &self,
        actor: &Actor,
        provider: Option<UserId>,
    ) -> Result<Vec<ScheduleException>, AppError> {
        if let Some(p) = provider {
            self.provider(p).await?;
        }
        let now = self.clock.now();
        let list = self
            .store
            .exceptions(provider, now - Duration::days(1), now + Duration::days(366))
            .await?;
        Ok(redacted(actor, list))
    }

    /// ADMIN/STAFF or the provider (clinic-wide: ADMIN/STAFF): add an exception. With
    /// `preview`, only lists the booked appointments it would break. With
    /// `cancel_affected`, cancels them and tells the patients, in the same transaction.
    pub async fn add_exception(
        &self,
        actor: &Actor,
        provider: Option<UserId>,
        input: ExceptionInput,
        preview: bool,
    ) -> Result<ExceptionOutcome, AppError> {
        retrying(|| self.add_exception_once(actor, provider, input.clone(), preview, None)).await
    }

    /// One exception of `provider` (clinic-wide: `None`), as [`Self::exceptions`] shows it.
    pub async fn exception(
        &self,
        actor: &Actor,
        provider: Option<UserId>,
        id: ExceptionId,
    ) -> Result<ScheduleException, AppError> {
        let e = self.owned_exception(provider, id).await?;
        Ok(redacted(actor, vec![e]).remove(0))
    }

    /// ADMIN/STAFF or the provider (clinic-wide: ADMIN/STAFF): changes an exception; the
    /// parts not given stay. The new span is checked like a new exception: its answer
    /// lists the bookings it breaks, and `cancel_affected` cancels them.
    pub async fn change_exception(
        &self,
        actor: &Actor,
        provider: Option<UserId>,
        id: ExceptionId,
        patch: ExceptionPatch,
    ) -> Result<ExceptionOutcome, AppError> {
        // Rights first: whether an exception exists is not for everyone to learn.
        self.check_exception_rights(actor, provider).await?;
        let old = self.owned_exception(provider, id).await?;
        let input = ExceptionInput {
            starts_at: patch.starts_at.unwrap_or(old.starts_at),
            ends_at: patch.ends_at.unwrap_or(old.ends_at),
            reason: patch.reason.unwrap_or_else(|| old.reason.clone()),
            kind: Some(patch.kind.unwrap_or_else(|| old.kind.as_str().to_owned())),
            cancel_affected: patch.cancel_affected,
        };
        retrying(|| self.add_exception_once(actor, provider, input.clone(), false, Some(&old)))
            .await
    }

    /// ADMIN/STAFF or the provider (clinic-wide: ADMIN/STAFF): removes an exception; a
    /// removed leave or closure reopens its time (the waitlist is offered it). An extra
    /// opening with coming bookings is not removed (409 `invalid_state`): they would be
    /// left outside availability.
    pub async fn remove_exception(
        &self,
        actor: &Actor,
        provider: Option<UserId>,
        id: ExceptionId,
    ) -> Result<(), AppError> {
        self.check_exception_rights(actor, provider).await?;
        let e = self.owned_exception(provider, id).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        match provider {
            Some(p) => tx.appointments().lock_provider(p).await?,
            None => tx.appointments().lock_clinic().await?,
        }
        if e.kind == ExceptionKind::Open {
            // Removing an extra opening would leave its bookings outside availability,
            // unseen: they are moved or cancelled first.
            let booked = tx
                .appointments()
                .affected(provider, e.starts_at.max(now), e.ends_at)
                .await?;
            if !booked.is_empty() {
                return Err(AppError::conflict(
                    crate::ErrorCode::InvalidState,
                    format!(
                        "{} appointment(s) are booked in this opening; reschedule or cancel \
                         them first",
                        booked.len()
                    ),
                ));
            }
        }
        if !tx.appointments().delete_exception(id).await? {
            return Err(AppError::NotFound { what: "exception" });
        }
        tx.append_audit(
            AuditEvent::by(
                actor,
                "schedules.exception_delete",
                "schedule_exception",
                Some(id.to_string()),
                Outcome::Success,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        self.waitlist_pass_logged().await;
        Ok(())
    }

    /// An exception of exactly this provider (or clinic-wide), or 404.
    async fn owned_exception(
        &self,
        provider: Option<UserId>,
        id: ExceptionId,
    ) -> Result<ScheduleException, AppError> {
        self.store
            .exception(id)
            .await?
            .filter(|e| e.provider_id == provider)
            .ok_or(AppError::NotFound { what: "exception" })
    }

    async fn check_exception_rights(
        &self,
        actor: &Actor,
        provider: Option<UserId>,
    ) -> Result<(), AppError> {
        match provider {
            Some(p) => {
                self.check(actor, Action::ManageSchedule { provider: p })
                    .await?;
                self.provider(p).await?;
                Ok(())
            }
            None => self.check(actor, Action::ManageClinicClosures).await,
        }
    }

    /// One attempt of [`Self::add_exception`], or of [`Self::change_exception`] when
    /// `replacing` is the exception to change.
    async fn add_exception_once(
        &self,
        actor: &Actor,
        provider: Option<UserId>,
        input: ExceptionInput,
        preview: bool,
        replacing: Option<&ScheduleException>,
    ) -> Result<ExceptionOutcome, AppError> {
        self.check_exception_rights(actor, provider).await?;
        let kind = match input.kind.as_deref().map(str::trim) {
            None => ExceptionKind::Closed,
            Some(k) => {
                ExceptionKind::parse(k).map_err(|e| AppError::field("kind", e.to_string()))?
            }
        };
        let now = self.clock.now();
        let mut e = ScheduleException::new(
            provider,
            kind,
            input.starts_at,
            input.ends_at,
            &input.reason,
            actor.user_id,
            now,
        )
        .map_err(|err| match err {
            domain::appointment::ScheduleError::Reason(_) => {
                AppError::field("reason", err.to_string())
            }
            other => AppError::field("ends_at", other.to_string()),
        })?;
        if let Some(old) = replacing {
            e.id = old.id;
            e.created_by = old.created_by;
            e.created_at = old.created_at;
        }
        let mut tx = self.store.begin().await?;
        match provider {
            Some(p) => tx.appointments().lock_provider(p).await?,
            // A clinic-wide closure waits for every booking in flight, and they for it.
            None => tx.appointments().lock_clinic().await?,
        }
        let affected = if kind == ExceptionKind::Closed {
            tx.appointments()
                .affected(provider, e.starts_at, e.ends_at)
                .await?
        } else {
            Vec::new()
        };
        let mut cancelled = 0;
        let mut entries = Vec::new();
        let mut after = Vec::with_capacity(affected.len());
        let recipients = tx
            .appointments()
            .recipients(affected.iter().map(|a| a.patient_id).collect())
            .await?;
        for mut a in affected {
            let Some(to) = recipients.get(&a.patient_id) else {
                continue;
            };
            let action = if preview {
                "appointments.preview_exception"
            } else {
                "appointments.read"
            };
            entries.push(appointment_event(actor, action, &a, to.user_id));
            if !preview && input.cancel_affected {
                let t = a
                    .apply(StatusAction::Cancel, actor.user_id, now, Some(&e.reason))
                    .map_err(status_error)?;
                tx.appointments().update_appointment(&a).await?;
                tx.appointments().insert_transition(&t).await?;
                let msg = format!(
                    "Your appointment on {} had to be cancelled: {}. Please book another time.",
                    self.local(a.start),
                    e.reason
                );
                self.notify(
                    tx.as_mut(),
                    to,
                    "appointment_cancelled",
                    "Appointment cancelled",
                    &msg,
                    now,
                )
                .await?;
                entries.push(appointment_event(
                    actor,
                    "appointments.cancel",
                    &a,
                    to.user_id,
                ));
                cancelled += 1;
            }
            after.push(a);
        }
        if !preview {
            let action = match replacing {
                None => {
                    tx.appointments().insert_exception(&e).await?;
                    "schedules.exception"
                }
                Some(_) => {
                    if !tx.appointments().update_exception(&e).await? {
                        return Err(AppError::NotFound { what: "exception" });
                    }
                    "schedules.exception_update"
                }
            };
            entries.push(AuditEvent::by(
                actor,
                action,
                "schedule_exception",
                Some(e.id.to_string()),
                Outcome::Success,
            ));
        }
        for entry in entries {
            tx.append_audit(entry, now).await?;
        }
        tx.commit().await?;
        if !preview {
            self.waitlist_pass_logged().await;
        }
        Ok(ExceptionOutcome {
            exception: (!preview).then_some(e),
            affected: self.views(after).await?,
            cancelled,
        })
    }
}

/// The roles of a type as sent, each unknown one named under `provider_roles`.
fn roles_of(f: &mut Fields, list: &[String]) -> Vec<Role> {
    list.iter()
        .filter_map(|r| {
            r.trim()
                .parse::<Role>()
                .map_err(|e| f.add("provider_roles", e))
                .ok()
        })
        .collect()
}

/// Exceptions as a patient may see them: when, not why.
fn redacted(actor: &Actor, mut list: Vec<ScheduleException>) -> Vec<ScheduleException> {
    if !AppointmentService::is_clinic(actor) {
        for e in &mut list {
            e.reason = "Unavailable".into();
        }
    }
    list
}
