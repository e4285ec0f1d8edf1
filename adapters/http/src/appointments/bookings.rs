//! /api/appointments/slots and /api/appointments: free slots, booking, the list.

use std::sync::Arc;

use application::appointment::{AppointmentFilter, AppointmentService, BookingInput, SlotQuery};
use chrono::{DateTime, FixedOffset};
use domain::appointment::AppointmentStatus;
use domain::{AppointmentTypeId, PatientId, UserId};
use poem_openapi::param::{Header, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use uuid::Uuid;

use super::dto::{AppointmentDto, AppointmentPage, BookingRequest, SlotDto, SlotsDto};
use crate::common::{ApiTags, BearerAuth, BodyError, ClinicZone, ReadError, ok_enum, page, utc};

ok_enum!(SlotsOk, SlotsDto, "200 with the free slots.");
ok_enum!(
    AppointmentPageOk,
    AppointmentPage,
    "200 with a page of appointments."
);

/// 201 with the booked appointment (also for a replayed `Idempotency-Key`, with
/// `Idempotent-Replayed: true`).
#[derive(Debug, ApiResponse)]
pub enum Booked {
    /// Booked.
    #[oai(status = 201)]
    Created(
        Json<AppointmentDto>,
        #[oai(header = "Idempotent-Replayed")] String,
    ),
}

/// Free slots and booking.
pub struct BookingsApi {
    /// Use cases.
    pub appointments: Arc<AppointmentService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Appointments")]
impl BookingsApi {
    /// Free slots of a type (`from` defaults to now, `to` to 14 days later, at most 31).
    #[oai(path = "/api/appointments/slots", method = "get")]
    async fn slots(
        &self,
        auth: BearerAuth,
        appointment_type_id: Query<Uuid>,
        provider_id: Query<Option<Uuid>>,
        from: Query<Option<DateTime<FixedOffset>>>,
        to: Query<Option<DateTime<FixedOffset>>>,
    ) -> Result<SlotsOk, ReadError> {
        let list = self
            .appointments
            .slots(
                &auth.0.actor,
                SlotQuery {
                    appointment_type_id: AppointmentTypeId::from_uuid(appointment_type_id.0),
                    provider_id: provider_id.0.map(UserId::from_uuid),
                    from: from.0.map(utc),
                    to: to.0.map(utc),
                },
            )
            .await?;
        let zone = self.zone;
        Ok(SlotsOk::Ok(Json(SlotsDto {
            items: list
                .into_iter()
                .map(|s| SlotDto::from_slot(s, zone))
                .collect(),
        })))
    }

    /// Book. A patient books for themselves; clinic staff name `patient_id`. 409
    /// `slot_taken` (never a double booking), `patient_busy`, `outside_availability`.
    /// Send `Idempotency-Key` to make retries safe.
    #[oai(path = "/api/appointments", method = "post")]
    async fn book(
        &self,
        auth: BearerAuth,
        #[oai(name = "Idempotency-Key")] key: Header<Option<String>>,
        body: Json<BookingRequest>,
    ) -> Result<Booked, BodyError> {
        let b = body.0;
        let (v, created) = self
            .appointments
            .book(
                &auth.0.actor,
                BookingInput {
                    appointment_type_id: AppointmentTypeId::from_uuid(b.appointment_type_id),
                    provider_id: UserId::from_uuid(b.provider_id),
                    start: utc(b.start),
                    patient_id: b.patient_id.map(PatientId::from_uuid),
                    force: b.force.unwrap_or(false),
                },
                key.0,
            )
            .await?;
        Ok(Booked::Created(
            Json(AppointmentDto::from_view(v, self.zone)),
            (!created).to_string(),
        ))
    }

    /// Appointments by start (a patient: their own).
    #[oai(path = "/api/appointments", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        auth: BearerAuth,
        patient_id: Query<Option<Uuid>>,
        provider_id: Query<Option<Uuid>>,
        #[oai(validator(max_length = 12))] status: Query<Option<String>>,
        from: Query<Option<DateTime<FixedOffset>>>,
        to: Query<Option<DateTime<FixedOffset>>>,
        #[oai(
            name = "page",
            validator(minimum(value = "1"), maximum(value = "1000000"))
        )]
        page_no: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] page_size: Query<
            Option<u64>,
        >,
    ) -> Result<AppointmentPageOk, ReadError> {
        let page = page(page_no.0, page_size.0)?;
        let status = match status.0.as_deref() {
            None | Some("") => None,
            Some(s) => Some(
                AppointmentStatus::parse(s)
                    .map_err(|e| application::AppError::field("status", e.to_string()))?,
            ),
        };
        let filter = AppointmentFilter {
            patient_id: patient_id.0.map(PatientId::from_uuid),
            provider_id: provider_id.0.map(UserId::from_uuid),
            status,
            from: from.0.map(utc),
            to: to.0.map(utc),
        };
        let found = self.appointments.list(&auth.0.actor, filter, page).await?;
        let zone = self.zone;
        Ok(AppointmentPageOk::Ok(Json(AppointmentPage::from_page(
            found,
            |v| AppointmentDto::from_view(v, zone),
        ))))
    }
}
