//! The waitlist: joining, leaving, offers, claims and declines.

use chrono::{Duration, NaiveDate};
use domain::appointment::{Offer, OfferError, WaitlistEntry, WaitlistStatus};
use domain::audit::{AuditEvent, Outcome};
use domain::paging::{Page, PageRequest};
use domain::policy::Actor;
use domain::{AppointmentTypeId, OfferId, PatientId, UserId, WaitlistId};

use super::booking::{Placing, slot_conflict};
use super::service::{AppointmentService, AppointmentView, appointment_event};
use crate::clinical::PatientRef;
use crate::unit_of_work::retrying;
use crate::{AppError, ErrorCode};

/// Joining the waitlist.
#[derive(Debug, Clone)]
pub struct WaitlistInput {
    /// For what.
    pub appointment_type_id: AppointmentTypeId,
    /// With whom (any qualified provider when absent).
    pub provider_id: Option<UserId>,
    /// For whom (clinic roles; patients join for themselves).
    pub patient_id: Option<PatientId>,
    /// First acceptable day.
    pub from: Option<NaiveDate>,
    /// Last acceptable day.
    pub until: Option<NaiveDate>,
}

/// An offer with its type's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferView {
    /// The offer.
    pub offer: Offer,
    /// The type's name.
    pub type_name: String,
}

fn entry_event(
    actor: &Actor,
    action: &str,
    e: &WaitlistEntry,
    patient: PatientId,
    account: Option<UserId>,
) -> AuditEvent {
    AuditEvent::by(
        actor,
        action,
        "waitlist_entry",
        Some(e.id.to_string()),
        Outcome::Success,
    )
    .about_patient(patient, account)
}

fn offer_error(e: OfferError) -> AppError {
    match e {
        OfferError::Expired => AppError::conflict(ErrorCode::OfferExpired, e.to_string()),
        OfferError::NotOpen => AppError::conflict(ErrorCode::OfferClosed, e.to_string()),
    }
}

impl AppointmentService {
    /// Joins the waitlist; the longest-waiting matching patient is offered the next
    /// freed slot.
    pub async fn join_waitlist(
        &self,
        actor: &Actor,
        input: WaitlistInput,
    ) -> Result<WaitlistEntry, AppError> {
        retrying(|| self.join_waitlist_once(actor, input.clone())).await
    }

    /// One attempt of [`Self::join_waitlist`].
    async fn join_waitlist_once(
        &self,
        actor: &Actor,
        input: WaitlistInput,
    ) -> Result<WaitlistEntry, AppError> {
        let patient = self.acting_for(actor, input.patient_id).await?;
        let kind = self.kind(input.appointment_type_id).await?;
        if !kind.active {
            return Err(AppError::field(
                "appointment_type_id",
                "is not offered any more",
            ));
        }
        if let Some(p) = input.provider_id {
            let provider = self.provider(p).await?;
            if !kind.provided_by(provider.role) {
                return Err(AppError::field(
                    "provider_id",
                    "this provider does not give this type of appointment",
                ));
            }
        }
        let now = self.clock.now();
        let today = now.with_timezone(&self.config.zone).date_naive();
        let e = WaitlistEntry::new(
            patient.patient_id,
            kind.id,
            input.provider_id,
            input.from,
            input.until,
            today,
            actor.user_id,
            now,
        )
        .map_err(|err| AppError::field("until", err.to_string()))?;
        let mut tx = self.store.begin().await?;
        tx.appointments().insert_entry(&e).await?;
        tx.append_audit(
            entry_event(
                actor,
                "waitlist.join",
                &e,
                patient.patient_id,
                patient.user_id,
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        self.waitlist_pass_logged().await;
        Ok(e)
    }

    /// Waitlist entries: a patient's own, or every one for clinic roles.
    pub async fn waitlist(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<WaitlistEntry>, AppError> {
        let patient = if Self::is_clinic(actor) {
            None
        } else {
            Some(self.own_patient(actor).await?)
        };
        let mut entry = AuditEvent::by(
            actor,
            "waitlist.list",
            "waitlist_entry",
            None,
            Outcome::Success,
        );
        if let Some(p) = &patient {
            entry = entry.about_patient(p.id, p.user_id);
        }
        self.audit.append(entry, self.clock.now()).await?;
        Ok(self.store.waitlist(patient.map(|p| p.id), page).await?)
    }

    /// Leaves the waitlist (an open offer is declined).
    pub async fn withdraw(&self, actor: &Actor, id: WaitlistId) -> Result<(), AppError> {
        retrying(|| self.withdraw_once(actor, id)).await
    }

    /// One attempt of [`Self::withdraw`].
    async fn withdraw_once(&self, actor: &Actor, id: WaitlistId) -> Result<(), AppError> {
        let found = self.store.entry(id).await?.ok_or(AppError::NotFound {
            what: "waitlist entry",
        })?;
        let patient = self.acting_for_entry(actor, found.patient_id).await?;
        let open: Vec<Offer> = self
            .store
            .offers(Some(found.patient_id), true)
            .await?
            .into_iter()
            .filter(|o| o.entry_id == id)
            .collect();
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut e = tx
            .appointments()
            .entry(id)
            .await?
            .ok_or(AppError::NotFound {
                what: "waitlist entry",
            })?;
        if e.status != WaitlistStatus::Waiting {
            return Err(AppError::conflict(
                ErrorCode::NotWaiting,
                "the entry is no longer waiting",
            ));
        }
        e.status = WaitlistStatus::Withdrawn;
        tx.appointments().update_entry(&e).await?;
        for o in open {
            if let Some(mut o) = tx.appointments().offer(o.id).await?
                && o.decline(now).is_ok()
            {
                tx.appointments().update_offer(&o).await?;
            }
        }
        tx.append_audit(
            entry_event(actor, "waitlist.withdraw", &e, patient.id, patient.user_id),
            now,
        )
        .await?;
        tx.commit().await?;
        self.waitlist_pass_logged().await;
        Ok(())
    }

    /// The patient of an entry or offer, if the actor may act on it (404 otherwise).
    async fn acting_for_entry(
        &self,
        actor: &Actor,
        patient: PatientId,
    ) -> Result<PatientRef, AppError> {
        let p = self
            .patients
            .patient(patient)
            .await?
            .ok_or(AppError::NotFound {
                what: "waitlist entry",
            })?;
        if !Self::is_clinic(actor) && p.user_id != Some(actor.user_id) {
            return Err(AppError::NotFound {
                what: "waitlist entry",
            });
        }
        Ok(p)
    }

    /// An offer and its patient, if the actor may act on it (404 otherwise).
    async fn offer_for(&self, actor: &Actor, id: OfferId) -> Result<(Offer, PatientRef), AppError> {
        let found = self
            .store
            .offer(id)
            .await?
            .ok_or(AppError::NotFound { what: "offer" })?;
        let patient = self.acting_for_entry(actor, found.patient_id).await?;
        Ok((found, patient))
    }

    /// Offers: a patient's own (all states), or every open one for clinic roles.
    pub async fn offers(&self, actor: &Actor) -> Result<Vec<OfferView>, AppError> {
        let list = if Self::is_clinic(actor) {
            self.store.offers(None, true).await?
        } else {
            let p = self.own_patient(actor).await?;
            self.audit
                .append(
                    AuditEvent::by(
                        actor,
                        "waitlist.offers",
                        "waitlist_offer",
                        None,
                        Outcome::Success,
                    )
                    .about_patient(p.id, p.user_id),
                    self.clock.now(),
                )
                .await?;
            self.store.offers(Some(p.id), false).await?
        };
        let types = self.store.types(true).await?;
        Ok(list
            .into_iter()
            .map(|offer| OfferView {
                type_name: types
                    .iter()
                    .find(|t| t.id == offer.appointment_type_id)
                    .map(|t| t.name.clone())
                    .unwrap_or_default(),
                offer,
            })
            .collect())
    }

    /// Claims an open offer: books its slot, in one transaction. 409 `offer_expired`.
    pub async fn claim(&self, actor: &Actor, id: OfferId) -> Result<AppointmentView, AppError> {
        retrying(|| self.claim_once(actor, id)).await
    }

    /// One attempt of [`Self::claim`].
    async fn claim_once(&self, actor: &Actor, id: OfferId) -> Result<AppointmentView, AppError> {
        let (found, patient) = self.offer_for(actor, id).await?;
        let kind = self.kind(found.appointment_type_id).await?;
        let provider = self.provider(found.provider_id).await?;
        let to = self.recipient(patient.id).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        // Provider before the offer's row: the lock order of every use case.
        tx.appointments().lock_provider(provider.user_id).await?;
        let mut o = tx
            .appointments()
            .offer(id)
            .await?
            .ok_or(AppError::NotFound { what: "offer" })?;
        o.claim(now).map_err(offer_error)?;
        let request = Placing {
            kind: &kind,
            provider: &provider,
            to: &to,
            start: o.start,
            force: false,
            by_patient: false,
            skip_offer: Some(o.id),
        };
        let a = self.book_in(tx.as_mut(), actor, &request, now).await?;
        tx.appointments().update_offer(&o).await?;
        if let Some(mut e) = tx.appointments().entry(o.entry_id).await? {
            e.status = WaitlistStatus::Booked;
            tx.appointments().update_entry(&e).await?;
        }
        tx.append_audit(
            appointment_event(actor, "waitlist.claim", &a, to.user_id),
            now,
        )
        .await?;
        tx.commit().await.map_err(slot_conflict)?;
        self.view(a).await
    }

    /// Turns an offer down; the slot passes to the next waiting patient.
    pub async fn decline(&self, actor: &Actor, id: OfferId) -> Result<(), AppError> {
        retrying(|| self.decline_once(actor, id)).await
    }

    /// One attempt of [`Self::decline`].
    async fn decline_once(&self, actor: &Actor, id: OfferId) -> Result<(), AppError> {
        let (_, patient) = self.offer_for(actor, id).await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut o = tx
            .appointments()
            .offer(id)
            .await?
            .ok_or(AppError::NotFound { what: "offer" })?;
        o.decline(now).map_err(offer_error)?;
        tx.appointments().update_offer(&o).await?;
        tx.append_audit(
            AuditEvent::by(
                actor,
                "waitlist.decline",
                "waitlist_offer",
                Some(o.id.to_string()),
                Outcome::Success,
            )
            .about_patient(patient.id, patient.user_id),
            now,
        )
        .await?;
        tx.commit().await?;
        self.waitlist_pass_logged().await;
        Ok(())
    }

    /// The claim window, for messages.
    pub(super) fn window_text(&self) -> String {
        let m = self.config.claim_window.num_minutes();
        if m % 60 == 0 {
            format!("{} hour(s)", m / 60)
        } else {
            format!("{m} minutes")
        }
    }

    /// How far ahead the waitlist looks for slots.
    pub(super) fn waitlist_horizon(&self) -> Duration {
        Duration::days(i64::from(self.config.policy.max_days_ahead))
    }
}
