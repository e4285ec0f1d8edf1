//! /api/waitlist: joining, the list, leaving, and the offers of freed slots.

use std::sync::Arc;

use application::appointment::{AppointmentService, WaitlistInput};
use domain::{AppointmentTypeId, OfferId, PatientId, UserId, WaitlistId};
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::appointment::AppointmentOk;
use super::dto::{OfferDto, WaitlistEntryDto, WaitlistPage, WaitlistRequest};
use crate::common::{
    ApiTags, BearerAuth, BodyError, ClinicZone, NoContent, ReadError, WriteError, ok_enum, page,
};

ok_enum!(
    WaitlistCreated,
    WaitlistEntryDto,
    created,
    "201 with the entry."
);
ok_enum!(WaitlistPageOk, WaitlistPage, "200 with a page of entries.");
ok_enum!(OffersOk, Vec<OfferDto>, "200 with the offers.");

/// The waitlist and its offers.
pub struct WaitlistApi {
    /// Use cases.
    pub appointments: Arc<AppointmentService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Appointments")]
impl WaitlistApi {
    /// Join the waitlist for a type (optionally a provider and a date range).
    #[oai(path = "/api/waitlist", method = "post")]
    async fn join_waitlist(
        &self,
        auth: BearerAuth,
        body: Json<WaitlistRequest>,
    ) -> Result<WaitlistCreated, BodyError> {
        let b = body.0;
        let e = self
            .appointments
            .join_waitlist(
                &auth.0.actor,
                WaitlistInput {
                    appointment_type_id: AppointmentTypeId::from_uuid(b.appointment_type_id),
                    provider_id: b.provider_id.map(UserId::from_uuid),
                    patient_id: b.patient_id.map(PatientId::from_uuid),
                    from: b.from,
                    until: b.until,
                },
            )
            .await?;
        Ok(WaitlistCreated::Created(Json(
            WaitlistEntryDto::from_entry(e, self.zone),
        )))
    }

    /// Waitlist entries (a patient: their own), longest waiting first.
    #[oai(path = "/api/waitlist", method = "get")]
    async fn waitlist(
        &self,
        auth: BearerAuth,
        #[oai(
            name = "page",
            validator(minimum(value = "1"), maximum(value = "1000000"))
        )]
        page_no: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] page_size: Query<
            Option<u64>,
        >,
    ) -> Result<WaitlistPageOk, ReadError> {
        let page = page(page_no.0, page_size.0)?;
        let found = self.appointments.waitlist(&auth.0.actor, page).await?;
        let zone = self.zone;
        Ok(WaitlistPageOk::Ok(Json(WaitlistPage::from_page(
            found,
            |e| WaitlistEntryDto::from_entry(e, zone),
        ))))
    }

    /// Leave the waitlist.
    #[oai(path = "/api/waitlist/:id", method = "delete")]
    async fn withdraw(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<NoContent, WriteError> {
        self.appointments
            .withdraw(&auth.0.actor, WaitlistId::from_uuid(id.0))
            .await?;
        Ok(NoContent::Deleted)
    }

    /// Offers (a patient: their own; clinic roles: every open one).
    #[oai(path = "/api/waitlist/offers", method = "get")]
    async fn offers(&self, auth: BearerAuth) -> Result<OffersOk, ReadError> {
        let list = self.appointments.offers(&auth.0.actor).await?;
        let zone = self.zone;
        Ok(OffersOk::Ok(Json(
            list.into_iter()
                .map(|o| OfferDto::from_view(o, zone))
                .collect(),
        )))
    }

    /// Claim an offer: books its slot. 409 `offer_expired` / `offer_closed`.
    #[oai(path = "/api/waitlist/offers/:id/claim", method = "post")]
    async fn claim(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<AppointmentOk, WriteError> {
        let v = self
            .appointments
            .claim(&auth.0.actor, OfferId::from_uuid(id.0))
            .await?;
        Ok(AppointmentOk::of(v, self.zone))
    }

    /// Turn an offer down (it passes to the next waiting patient).
    #[oai(path = "/api/waitlist/offers/:id/decline", method = "post")]
    async fn decline(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<NoContent, WriteError> {
        self.appointments
            .decline(&auth.0.actor, OfferId::from_uuid(id.0))
            .await?;
        Ok(NoContent::Deleted)
    }
}
