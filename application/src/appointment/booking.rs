//! Free slots, booking, the appointment lists and status changes, the calendar feed and
//! the dashboard figures.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveTime, Utc};
use domain::appointment::{
    Appointment, AppointmentStatus, AppointmentType, BookingError, BookingRequest, StatusAction,
    Transition, check_booking, check_patient_change, free_slots, open_intervals, room_for, to_utc,
};
use domain::audit::{AuditEvent, Outcome};
use domain::paging::{Page, PageRequest};
use domain::policy::{Action, Actor};
use domain::{
    AppointmentId, AppointmentTypeId, DentalRecordId, MedicalRecordId, OfferId, PatientId, UserId,
};
use sha2::{Digest, Sha256};

use super::ports::{AppointmentFilter, Provider, Recipient};
use super::service::{
    AppointmentService, AppointmentView, CalendarFeed, Dashboard, FreeSlot, OutsideAvailability,
    appointment_event, booking_error, status_error,
};
use crate::Constraint;
use crate::clinical::RecordRef;
use crate::secrets::{random_token, token_hash};
use crate::unit_of_work::{UnitOfWork, retrying};
use crate::{AppError, ErrorCode, StoreError};

/// A booking request.
#[derive(Debug, Clone)]
pub struct BookingInput {
    /// What.
    pub appointment_type_id: AppointmentTypeId,
    /// With whom.
    pub provider_id: UserId,
    /// When.
    pub start: DateTime<Utc>,
    /// For whom (required when a clinic role books; patients book for themselves).
    pub patient_id: Option<PatientId>,
    /// Clinic roles: book outside availability (never over another booking).
    pub force: bool,
}

/// A booking about to be placed (what [`AppointmentService::book_in`] needs).
pub(super) struct Placing<'a> {
    pub kind: &'a AppointmentType,
    pub provider: &'a Provider,
    pub to: &'a Recipient,
    pub start: DateTime<Utc>,
    pub force: bool,
    pub by_patient: bool,
    pub skip_offer: Option<OfferId>,
}

/// A free-slot search.
#[derive(Debug, Clone)]
pub struct SlotQuery {
    /// What.
    pub appointment_type_id: AppointmentTypeId,
    /// Only this provider (every qualified provider otherwise).
    pub provider_id: Option<UserId>,
    /// From (default now).
    pub from: Option<DateTime<Utc>>,
    /// To (default from + 14 days; at most 31 days after from).
    pub to: Option<DateTime<Utc>>,
}

impl AppointmentService {
    /// Free slots of a type (any signed-in user; patients see up to their horizon).
    pub async fn slots(&self, actor: &Actor, q: SlotQuery) -> Result<Vec<FreeSlot>, AppError> {
        let kind = self.kind(q.appointment_type_id).await?;
        let now = self.clock.now();
        let from = q.from.unwrap_or(now).max(now);
        let mut to = q.to.unwrap_or(from + Duration::days(14));
        if to <= from || to - from > Duration::days(31) {
            return Err(AppError::field(
                "to",
                "must be after from (and now), at most 31 days later",
            ));
        }
        if !Self::is_clinic(actor) {
            to = to.min(now + Duration::days(i64::from(self.config.policy.max_days_ahead)));
        }
        if !kind.active || to <= from {
            return Ok(Vec::new());
        }
        let providers = match q.provider_id {
            Some(id) => vec![self.provider(id).await?],
            None => self.store.providers(&kind.provider_roles).await?,
        };
        self.free(&kind, &providers, from, to, now, usize::MAX)
            .await
    }

    /// Free slots of `kind` with `providers` within `[from, to)`, by start.
    pub(super) async fn free(
        &self,
        kind: &AppointmentType,
        providers: &[Provider],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<FreeSlot>, AppError> {
        let providers: Vec<&Provider> = providers
            .iter()
            .filter(|p| p.active && kind.provided_by(p.role))
            .collect();
        let ids: Vec<UserId> = providers.iter().map(|p| p.user_id).collect();
        // The store looks back far enough for spans that started before `from`; a slot
        // starting just before `to` can reach `to + max_block`.
        let booked = self
            .store
            .booked(&ids, from, to + domain::appointment::slot::max_block())
            .await?;
        let mut hours = self.store.availability(&ids, from, to).await?;
        let mut out = Vec::new();
        for p in providers {
            let (weekly, exceptions) = hours.remove(&p.user_id).unwrap_or_default();
            let open = open_intervals(self.config.zone, &weekly, &exceptions, from, to);
            let list = booked.get(&p.user_id).map(Vec::as_slice).unwrap_or(&[]);
            out.extend(
                free_slots(&open, kind, list, from.max(now))
                    .into_iter()
                    .filter(|s| s.start < to)
                    .map(|slot| FreeSlot {
                        provider_id: p.user_id,
                        provider_name: p.name.clone(),
                        appointment_type_id: kind.id,
                        slot,
                    }),
            );
        }
        out.sort_by_key(|s| (s.slot.start, s.provider_id));
        out.truncate(limit);
        Ok(out)
    }

    /// Checks a booking inside `tx` and picks a seat. The provider's hours and
    /// exceptions are read after taking the provider's lock, which schedule and
    /// exception changes take too (clinic closures take the whole clinic's): a booking
    /// can never land in time that was closed while it was being made.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn place(
        &self,
        tx: &mut dyn UnitOfWork,
        kind: &AppointmentType,
        provider: &Provider,
        patient: PatientId,
        start: DateTime<Utc>,
        force: bool,
        by_patient: bool,
        skip: Option<AppointmentId>,
        skip_offer: Option<OfferId>,
        now: DateTime<Utc>,
    ) -> Result<u16, AppError> {
        tx.appointments().lock_provider(provider.user_id).await?;
        let (lo, hi) = (start - Duration::days(1), start + Duration::days(1));
        let open = if force {
            Vec::new()
        } else {
            let (weekly, exceptions) = tx.appointments().hours(provider.user_id, lo, hi).await?;
            open_intervals(self.config.zone, &weekly, &exceptions, lo, hi)
        };
        let booked = tx
            .appointments()
            .booked(provider.user_id, lo, hi, skip, skip_offer)
            .await?;
        let mine = tx
            .appointments()
            .patient_spans(patient, lo, hi, skip)
            .await?;
        check_booking(&BookingRequest {
            kind,
            start,
            now,
            by_patient,
            provider_qualified: kind.provided_by(provider.role) && provider.active,
            force,
            policy: self.config.policy,
            open: &open,
            provider_booked: &booked,
            patient_booked: &mine,
        })
        .map_err(booking_error)?;
        self.free_seat(tx, kind.capacity, provider.user_id, start)
            .await
    }

    async fn free_seat(
        &self,
        tx: &mut dyn UnitOfWork,
        capacity: u16,
        provider: UserId,
        start: DateTime<Utc>,
    ) -> Result<u16, AppError> {
        if capacity == 1 {
            // `check_booking` found room, so the one seat is free (the seat index agrees).
            return Ok(1);
        }
        let taken = tx.appointments().taken_seats(provider, start).await?;
        (1..=capacity)
            .find(|s| !taken.contains(s))
            .ok_or_else(|| booking_error(BookingError::SlotTaken))
    }

    /// Books (201), or returns the appointment an earlier request with the same
    /// `Idempotency-Key` created (`false` in the pair). 409 `slot_taken`, `patient_busy`,
    /// `outside_availability`.
    pub async fn book(
        &self,
        actor: &Actor,
        input: BookingInput,
        idempotency_key: Option<String>,
    ) -> Result<(AppointmentView, bool), AppError> {
        let patient = self.acting_for(actor, input.patient_id).await?;
        if input.force {
            self.check(actor, Action::ManageAppointments).await?;
        }
        let key = match idempotency_key.map(|k| k.trim().to_owned()) {
            Some(k) if k.is_empty() || k.len() > 200 => {
                return Err(AppError::field(
                    "Idempotency-Key",
                    "must be 1 to 200 characters",
                ));
            }
            other => other,
        };
        let hash = request_hash(&input, patient.patient_id);
        if let Some(k) = &key
            && let Some(found) = self.replay(actor, k, &hash).await?
        {
            return Ok((found, false));
        }
        match retrying(|| self.book_once(actor, &input, &patient, key.as_deref(), &hash)).await {
            Err(e) => {
                // A concurrent request with the same key may have won: answer as it did.
                if let Some(k) = &key
                    && let Some(found) = self.replay(actor, k, &hash).await?
                {
                    return Ok((found, false));
                }
                Err(e)
            }
            Ok(v) => Ok((v, true)),
        }
    }

    async fn replay(
        &self,
        actor: &Actor,
        key: &str,
        hash: &str,
    ) -> Result<Option<AppointmentView>, AppError> {
        match self.store.idempotent(actor.user_id, key).await? {
            None => Ok(None),
            Some((h, _)) if h != hash => Err(AppError::conflict(
                ErrorCode::IdempotencyKeyReused,
                "this Idempotency-Key was used for a different booking",
            )),
            Some((_, id)) => Ok(Some(self.view(self.stored(id).await?).await?)),
        }
    }

    async fn book_once(
        &self,
        actor: &Actor,
        input: &BookingInput,
        to: &Recipient,
        key: Option<&str>,
        hash: &str,
    ) -> Result<AppointmentView, AppError> {
        let kind = self.kind(input.appointment_type_id).await?;
        let provider = self.provider(input.provider_id).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let request = Placing {
            kind: &kind,
            provider: &provider,
            to,
            start: input.start,
            force: input.force,
            by_patient: !Self::is_clinic(actor),
            skip_offer: None,
        };
        let a = self.book_in(tx.as_mut(), actor, &request, now).await?;
        if let Some(k) = key {
            tx.appointments()
                .insert_idempotency(actor.user_id, k, hash, a.id, now)
                .await?;
        }
        let action = if input.force {
            "appointments.book_forced"
        } else {
            "appointments.book"
        };
        tx.append_audit(appointment_event(actor, action, &a, to.user_id), now)
            .await?;
        tx.commit().await.map_err(slot_conflict)?;
        Ok(AppointmentView {
            appointment: a,
            type_name: kind.name,
            provider_name: provider.name,
            patient_name: to.full_name.clone(),
        })
    }

    /// Inside `tx`: checks and places a booking, inserts it and queues the patient's
    /// confirmation (booking and waitlist claims both end so).
    pub(super) async fn book_in(
        &self,
        tx: &mut dyn UnitOfWork,
        actor: &Actor,
        r: &Placing<'_>,
        now: DateTime<Utc>,
    ) -> Result<Appointment, AppError> {
        let seat = self
            .place(
                tx,
                r.kind,
                r.provider,
                r.to.patient_id,
                r.start,
                r.force,
                r.by_patient,
                None,
                r.skip_offer,
                now,
            )
            .await?;
        let a = Appointment::book(
            r.to.patient_id,
            r.provider.user_id,
            r.kind,
            r.start,
            seat,
            r.force,
            actor.user_id,
            now,
        );
        tx.appointments()
            .insert_appointment(&a)
            .await
            .map_err(slot_conflict)?;
        tx.appointments()
            .insert_transition(&a.booked_entry())
            .await?;
        let msg = format!(
            "Your {} with {} is booked for {}.",
            r.kind.name,
            r.provider.name,
            self.local(a.start)
        );
        self.notify(
            tx,
            r.to,
            "appointment_booked",
            "Appointment confirmed",
            &msg,
            now,
        )
        .await?;
        Ok(a)
    }

    /// How to reach a patient (404 when the patient is gone).
    pub(super) async fn recipient(&self, patient: PatientId) -> Result<Recipient, AppError> {
        self.store
            .recipient(patient)
            .await?
            .ok_or(AppError::NotFound { what: "patient" })
    }

    /// Appointments by start: clinic roles filter freely; a patient sees their own.
    pub async fn list(
        &self,
        actor: &Actor,
        mut filter: AppointmentFilter,
        page: PageRequest,
    ) -> Result<Page<AppointmentView>, AppError> {
        let scope = if Self::is_clinic(actor) {
            None
        } else {
            let own = self.own_patient(actor).await?;
            filter.patient_id = Some(own.id);
            Some(own)
        };
        let found = self.store.appointments(&filter, page).await?;
        let mut entry = AuditEvent::by(
            actor,
            "appointments.list",
            "appointment",
            None,
            Outcome::Success,
        );
        if let Some(p) = scope.as_ref() {
            entry = entry.about_patient(p.id, p.user_id);
        } else if let Some(pid) = filter.patient_id
            && let Some(p) = self.patients.patient(pid).await?
        {
            entry = entry.about_patient(p.id, p.user_id);
        }
        self.audit.append(entry, self.clock.now()).await?;
        let Page {
            items,
            total,
            page,
            page_size,
        } = found;
        Ok(Page {
            items: self.views(items).await?,
            total,
            page,
            page_size,
        })
    }

    /// One appointment (a patient: only their own; others answer 404).
    pub async fn get(&self, actor: &Actor, id: AppointmentId) -> Result<AppointmentView, AppError> {
        let a = self.stored(id).await?;
        let to = self.visible(actor, &a, "appointments.read").await?;
        self.audit
            .append(
                appointment_event(actor, "appointments.read", &a, to.user_id),
                self.clock.now(),
            )
            .await?;
        self.view(a).await
    }

    /// Every status change of one appointment, oldest first: who, when, why, and whether
    /// it was an undo (a patient: only their own, others answer 404, and reasons only for
    /// cancellations). Audited as a read.
    pub async fn history(
        &self,
        actor: &Actor,
        id: AppointmentId,
    ) -> Result<Vec<Transition>, AppError> {
        let a = self.stored(id).await?;
        let to = self.visible(actor, &a, "appointments.history").await?;
        let mut list = self.store.transitions(id).await?;
        if !Self::is_clinic(actor) {
            // A patient sees why their visit was cancelled (as on the appointment), not
            // the clinic's notes on other changes (an undo's "wrong patient", say).
            for t in &mut list {
                if t.to != AppointmentStatus::Cancelled {
                    t.reason = None;
                }
            }
        }
        self.audit
            .append(
                appointment_event(actor, "appointments.history", &a, to.user_id),
                self.clock.now(),
            )
            .await?;
        Ok(list)
    }

    /// A stored appointment, or 404.
    async fn stored(&self, id: AppointmentId) -> Result<Appointment, AppError> {
        self.store.appointment(id).await?.ok_or(AppError::NotFound {
            what: "appointment",
        })
    }

    /// Checks who may change an appointment (before any write transaction): clinic roles
    /// always; the patient only their own, only when `patient_may`, and up to the cutoff.
    async fn for_change(
        &self,
        actor: &Actor,
        id: AppointmentId,
        patient_may: bool,
    ) -> Result<(Appointment, Recipient), AppError> {
        let a = self.stored(id).await?;
        let to = self.visible(actor, &a, "appointments.change").await?;
        if !Self::is_clinic(actor) {
            if !patient_may {
                self.check(actor, Action::ManageAppointments).await?;
            }
            check_patient_change(&a, &self.config.policy, self.clock.now())
                .map_err(booking_error)?;
        }
        Ok((a, to))
    }

    /// The appointment, locked in `tx` (re-checking a patient's cutoff on the fresh row).
    async fn locked(
        &self,
        tx: &mut dyn UnitOfWork,
        actor: &Actor,
        id: AppointmentId,
        now: DateTime<Utc>,
    ) -> Result<Appointment, AppError> {
        let a = tx
            .appointments()
            .appointment(id)
            .await?
            .ok_or(AppError::NotFound {
                what: "appointment",
            })?;
        if !Self::is_clinic(actor) {
            check_patient_change(&a, &self.config.policy, now).map_err(booking_error)?;
        }
        Ok(a)
    }

    /// Cancels (patients: their own, up to the cutoff). The freed time goes to the
    /// waitlist.
    pub async fn cancel(
        &self,
        actor: &Actor,
        id: AppointmentId,
        reason: Option<String>,
    ) -> Result<AppointmentView, AppError> {
        retrying(|| self.cancel_once(actor, id, reason.clone())).await
    }

    /// One attempt of [`Self::cancel`].
    async fn cancel_once(
        &self,
        actor: &Actor,
        id: AppointmentId,
        reason: Option<String>,
    ) -> Result<AppointmentView, AppError> {
        let (_, to) = self.for_change(actor, id, true).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut a = self.locked(tx.as_mut(), actor, id, now).await?;
        let t = a
            .apply(StatusAction::Cancel, actor.user_id, now, reason.as_deref())
            .map_err(status_error)?;
        tx.appointments().update_appointment(&a).await?;
        tx.appointments().insert_transition(&t).await?;
        let msg = format!("Your appointment on {} is cancelled.", self.local(a.start));
        self.notify(
            tx.as_mut(),
            &to,
            "appointment_cancelled",
            "Appointment cancelled",
            &msg,
            now,
        )
        .await?;
        tx.append_audit(
            appointment_event(actor, "appointments.cancel", &a, to.user_id),
            now,
        )
        .await?;
        tx.commit().await?;
        self.waitlist_pass_logged().await;
        self.view(a).await
    }

    /// Moves a scheduled appointment (same type and provider). Patients: their own, up to
    /// the cutoff, within their horizon and the provider's hours.
    pub async fn reschedule(
        &self,
        actor: &Actor,
        id: AppointmentId,
        start: DateTime<Utc>,
    ) -> Result<AppointmentView, AppError> {
        retrying(|| self.reschedule_once(actor, id, start)).await
    }

    /// One attempt of [`Self::reschedule`].
    async fn reschedule_once(
        &self,
        actor: &Actor,
        id: AppointmentId,
        start: DateTime<Utc>,
    ) -> Result<AppointmentView, AppError> {
        let (current, to) = self.for_change(actor, id, true).await?;
        let kind = self.kind(current.appointment_type_id).await?;
        let provider = self.provider(current.provider_id).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        // The provider's lock before the appointment's row, in the order exception
        // changes take them (they lock the provider, then cancel its appointments).
        tx.appointments().lock_provider(provider.user_id).await?;
        let mut a = self.locked(tx.as_mut(), actor, id, now).await?;
        let old = a.start;
        let seat = self
            .place(
                tx.as_mut(),
                &kind,
                &provider,
                a.patient_id,
                start,
                false,
                !Self::is_clinic(actor),
                Some(a.id),
                None,
                now,
            )
            .await?;
        let moved = a
            .reschedule(&kind, start, seat, actor.user_id, now)
            .map_err(status_error)?;
        tx.appointments()
            .update_appointment(&a)
            .await
            .map_err(slot_conflict)?;
        tx.appointments().insert_transition(&moved).await?;
        let msg = format!(
            "Your {} moved from {} to {}.",
            kind.name,
            self.local(old),
            self.local(a.start)
        );
        self.notify(
            tx.as_mut(),
            &to,
            "appointment_rescheduled",
            "Appointment rescheduled",
            &msg,
            now,
        )
        .await?;
        tx.append_audit(
            appointment_event(actor, "appointments.reschedule", &a, to.user_id),
            now,
        )
        .await?;
        tx.commit().await.map_err(slot_conflict)?;
        self.waitlist_pass_logged().await;
        self.view(a).await
    }

    /// Clinic roles: check in, complete (optionally linking the visit's record) or mark a
    /// no-show.
    pub async fn change_status(
        &self,
        actor: &Actor,
        id: AppointmentId,
        action: StatusAction,
        medical_record_id: Option<MedicalRecordId>,
        dental_record_id: Option<DentalRecordId>,
    ) -> Result<AppointmentView, AppError> {
        retrying(|| self.change_status_once(actor, id, action, medical_record_id, dental_record_id))
            .await
    }

    /// One attempt of [`Self::change_status`].
    async fn change_status_once(
        &self,
        actor: &Actor,
        id: AppointmentId,
        action: StatusAction,
        medical_record_id: Option<MedicalRecordId>,
        dental_record_id: Option<DentalRecordId>,
    ) -> Result<AppointmentView, AppError> {
        self.check(actor, Action::ManageAppointments).await?;
        let (_, to) = self.for_change(actor, id, false).await?;
        if action == StatusAction::Complete {
            if let Some(r) = medical_record_id {
                let owner = self.patients.record_patient(RecordRef::Medical(r)).await?;
                if owner != Some(to.patient_id) {
                    return Err(AppError::field(
                        "medical_record_id",
                        "no such medical record of this patient",
                    ));
                }
            }
            if let Some(r) = dental_record_id {
                let owner = self.patients.record_patient(RecordRef::Dental(r)).await?;
                if owner != Some(to.patient_id) {
                    return Err(AppError::field(
                        "dental_record_id",
                        "no such dental record of this patient",
                    ));
                }
            }
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut a = self.locked(tx.as_mut(), actor, id, now).await?;
        let t = a
            .apply(action, actor.user_id, now, None)
            .map_err(status_error)?;
        if action == StatusAction::Complete {
            a.medical_record_id = medical_record_id;
            a.dental_record_id = dental_record_id;
        }
        tx.appointments().update_appointment(&a).await?;
        tx.appointments().insert_transition(&t).await?;
        let name = match action {
            StatusAction::CheckIn => "appointments.check_in",
            StatusAction::Complete => "appointments.complete",
            StatusAction::NoShow => "appointments.no_show",
            StatusAction::Cancel => "appointments.cancel",
        };
        tx.append_audit(appointment_event(actor, name, &a, to.user_id), now)
            .await?;
        tx.commit().await?;
        if !a.status().holds_time() {
            self.waitlist_pass_logged().await;
        }
        self.view(a).await
    }

    /// Clinic roles: reverts the last status change (audited with a reason). Returning to
    /// a status that holds time re-checks that the time is still free.
    pub async fn undo(
        &self,
        actor: &Actor,
        id: AppointmentId,
        reason: Option<String>,
    ) -> Result<AppointmentView, AppError> {
        retrying(|| self.undo_once(actor, id, reason.clone())).await
    }

    /// One attempt of [`Self::undo`].
    async fn undo_once(
        &self,
        actor: &Actor,
        id: AppointmentId,
        reason: Option<String>,
    ) -> Result<AppointmentView, AppError> {
        self.check(actor, Action::ManageAppointments).await?;
        let (current, to) = self.for_change(actor, id, false).await?;
        let kind = self.kind(current.appointment_type_id).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        // The lock order of every use case: provider before the appointment's row (an
        // appointment's provider never changes). Taken even when the undo turns out not
        // to need it, so it can never be taken after the row.
        tx.appointments().lock_provider(current.provider_id).await?;
        let mut a = self.locked(tx.as_mut(), actor, id, now).await?;
        let before = a.status();
        let last = tx.appointments().last_transition(a.id).await?;
        let t = a
            .undo(last.as_ref(), actor.user_id, now, reason.as_deref())
            .map_err(status_error)?;
        if !before.holds_time() && a.status().holds_time() {
            let (lo, hi) = (a.start - Duration::days(1), a.start + Duration::days(1));
            let booked = tx
                .appointments()
                .booked(a.provider_id, lo, hi, Some(a.id), None)
                .await?;
            room_for(&kind, a.start, &booked)
                .ok_or_else(|| booking_error(BookingError::SlotTaken))?;
            let mine = tx
                .appointments()
                .patient_spans(a.patient_id, lo, hi, Some(a.id))
                .await?;
            if mine.iter().any(|s| s.overlaps(&a.span())) {
                return Err(booking_error(BookingError::PatientBusy));
            }
            a.seat = self
                .free_seat(tx.as_mut(), a.capacity, a.provider_id, a.start)
                .await?;
        }
        tx.appointments()
            .update_appointment(&a)
            .await
            .map_err(slot_conflict)?;
        tx.appointments().insert_transition(&t).await?;
        tx.append_audit(
            appointment_event(actor, "appointments.undo", &a, to.user_id),
            now,
        )
        .await?;
        tx.commit().await.map_err(slot_conflict)?;
        if !a.status().holds_time() {
            self.waitlist_pass_logged().await;
        }
        self.view(a).await
    }

    /// A fresh calendar feed secret for the caller (replacing any earlier one). Returns
    /// the token; it is stored only as a hash.
    pub async fn create_feed(&self, actor: &Actor) -> Result<String, AppError> {
        let token = random_token()?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        tx.appointments()
            .set_feed(actor.user_id, Some(token_hash(&token)), now)
            .await?;
        tx.append_audit(
            AuditEvent::by(
                actor,
                "calendar_feed.create",
                "user",
                Some(actor.user_id.to_string()),
                Outcome::Success,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Revokes the caller's calendar feed.
    pub async fn revoke_feed(&self, actor: &Actor) -> Result<(), AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        tx.appointments().set_feed(actor.user_id, None, now).await?;
        tx.append_audit(
            AuditEvent::by(
                actor,
                "calendar_feed.revoke",
                "user",
                Some(actor.user_id.to_string()),
                Outcome::Success,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The events of a feed token (401 for an unknown or revoked one).
    pub async fn feed(&self, token: &str) -> Result<CalendarFeed, AppError> {
        let owner = self
            .store
            .feed_owner(&token_hash(token))
            .await?
            .ok_or_else(AppError::unauthenticated)?;
        let user = self
            .store
            .provider(owner)
            .await?
            .filter(|u| u.active)
            .ok_or_else(AppError::unauthenticated)?;
        let now = self.clock.now();
        let mut filter = AppointmentFilter {
            from: Some(now - Duration::days(90)),
            to: Some(now + Duration::days(366)),
            ..AppointmentFilter::default()
        };
        let as_provider = user.role.is_clinic();
        let mut entry = AuditEvent::new(
            Some(owner),
            "appointments.feed",
            "appointment",
            None,
            Outcome::Success,
        );
        if as_provider {
            filter.provider_id = Some(owner);
        } else {
            match self.patients.patient_of_user(owner).await? {
                Some(p) => {
                    filter.patient_id = Some(p.id);
                    entry = entry.about_patient(p.id, p.user_id);
                }
                None => {
                    return Ok(CalendarFeed {
                        owner,
                        as_provider,
                        events: Vec::new(),
                    });
                }
            }
        }
        let list = self.collect(&filter, 2000).await?;
        self.audit.append(entry, now).await?;
        Ok(CalendarFeed {
            owner,
            as_provider,
            events: self.views(list).await?,
        })
    }

    /// The appointment figures of the dashboard.
    pub async fn dashboard(&self, actor: &Actor) -> Result<Dashboard, AppError> {
        let now = self.clock.now();
        if Self::is_clinic(actor) {
            let zone = self.config.zone;
            let today = now.with_timezone(&zone).date_naive();
            let start = to_utc(zone, today.and_time(NaiveTime::MIN));
            let end = to_utc(zone, (today + Duration::days(1)).and_time(NaiveTime::MIN));
            let counts = self.store.status_counts(start, end).await?;
            let mut next_free = Vec::new();
            for kind in self.store.types(false).await? {
                let providers = self.store.providers(&kind.provider_roles).await?;
                let first = self
                    .free(&kind, &providers, now, now + Duration::days(14), now, 1)
                    .await?
                    .into_iter()
                    .next();
                next_free.push((kind, first));
            }
            let mut names: HashMap<UserId, String> = HashMap::new();
            let mut outside = Vec::new();
            for a in self.store.outside_availability(now).await? {
                let provider_name = match names.get(&a.provider_id) {
                    Some(n) => n.clone(),
                    None => {
                        let n = self
                            .store
                            .provider(a.provider_id)
                            .await?
                            .map(|p| p.name)
                            .unwrap_or_default();
                        names.insert(a.provider_id, n.clone());
                        n
                    }
                };
                outside.push(OutsideAvailability {
                    appointment_id: a.id,
                    provider_id: a.provider_id,
                    provider_name,
                    start: a.start,
                    end: a.end,
                });
            }
            return Ok(Dashboard {
                today: Some(counts),
                next_free,
                next_appointment: None,
                outside_availability: outside,
            });
        }
        let next = match self.patients.patient_of_user(actor.user_id).await? {
            None => None,
            Some(p) => {
                let filter = AppointmentFilter {
                    patient_id: Some(p.id),
                    status: Some(AppointmentStatus::Scheduled),
                    from: Some(now),
                    ..AppointmentFilter::default()
                };
                let page = PageRequest::new(Some(1), Some(1))
                    .map_err(|e| AppError::Unexpected(anyhow::anyhow!("{e}")))?;
                let found = self.store.appointments(&filter, page).await?.items;
                if let Some(a) = found.first() {
                    self.audit
                        .append(
                            appointment_event(actor, "appointments.read", a, p.user_id),
                            now,
                        )
                        .await?;
                }
                self.views(found).await?.pop()
            }
        };
        Ok(Dashboard {
            today: None,
            next_free: Vec::new(),
            next_appointment: next,
            outside_availability: Vec::new(),
        })
    }
}

/// The database's refusal of a double booking, in the booking's words.
pub(super) fn slot_conflict(e: StoreError) -> AppError {
    match &e {
        StoreError::Conflict {
            what: Constraint::Slot,
        } => booking_error(BookingError::SlotTaken),
        StoreError::Conflict {
            what: Constraint::PatientBusy,
        } => booking_error(BookingError::PatientBusy),
        _ => e.into(),
    }
}

fn request_hash(input: &BookingInput, patient: PatientId) -> String {
    let mut h = Sha256::new();
    h.update(input.appointment_type_id.to_string());
    h.update(input.provider_id.to_string());
    h.update(input.start.to_rfc3339());
    h.update(patient.to_string());
    h.update([u8::from(input.force)]);
    hex::encode(h.finalize())
}
