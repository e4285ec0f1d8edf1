//! /api/appointments/{id}: one appointment, its history, and its status changes (cancel,
//! reschedule, check-in, complete, no-show, undo).

use std::sync::Arc;

use application::appointment::{AppointmentService, AppointmentView};
use domain::appointment::StatusAction;
use domain::{AppointmentId, DentalRecordId, MedicalRecordId};
use poem_openapi::OpenApi;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::dto::{AppointmentDto, CancelRequest, CompleteRequest, HistoryDto, RescheduleRequest};
use crate::common::{
    ApiTags, BearerAuth, BodyError, ClinicZone, ReadError, WriteError, ok_enum, utc,
};

ok_enum!(AppointmentOk, AppointmentDto, "200 with the appointment.");
ok_enum!(
    HistoryOk,
    HistoryDto,
    "200 with the status changes, oldest first."
);

impl AppointmentOk {
    /// 200 with one appointment in the clinic zone.
    pub fn of(v: AppointmentView, zone: ClinicZone) -> Self {
        Self::Ok(Json(AppointmentDto::from_view(v, zone)))
    }
}

/// One appointment and its status changes.
pub struct AppointmentApi {
    /// Use cases.
    pub appointments: Arc<AppointmentService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Appointments")]
impl AppointmentApi {
    /// One appointment (a patient: only their own).
    #[oai(path = "/api/appointments/:id", method = "get")]
    async fn get(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<AppointmentOk, ReadError> {
        let v = self
            .appointments
            .get(&auth.0.actor, AppointmentId::from_uuid(id.0))
            .await?;
        Ok(AppointmentOk::of(v, self.zone))
    }

    /// Status changes of one appointment, oldest first: who, when, why, undo (patients:
    /// their own; audited).
    #[oai(path = "/api/appointments/:id/history", method = "get")]
    async fn history(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<HistoryOk, ReadError> {
        let list = self
            .appointments
            .history(&auth.0.actor, AppointmentId::from_uuid(id.0))
            .await?;
        Ok(HistoryOk::Ok(Json(HistoryDto::from_transitions(
            list, self.zone,
        ))))
    }

    /// Cancel (patients: their own, up to the cutoff; 409 `cutoff_passed` after).
    #[oai(path = "/api/appointments/:id/cancel", method = "post")]
    async fn cancel(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<CancelRequest>,
    ) -> Result<AppointmentOk, BodyError> {
        let v = self
            .appointments
            .cancel(&auth.0.actor, AppointmentId::from_uuid(id.0), body.0.reason)
            .await?;
        Ok(AppointmentOk::of(v, self.zone))
    }

    /// Move to a new start (same type and provider; patients up to the cutoff).
    #[oai(path = "/api/appointments/:id/reschedule", method = "post")]
    async fn reschedule(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<RescheduleRequest>,
    ) -> Result<AppointmentOk, BodyError> {
        let v = self
            .appointments
            .reschedule(
                &auth.0.actor,
                AppointmentId::from_uuid(id.0),
                utc(body.0.start),
            )
            .await?;
        Ok(AppointmentOk::of(v, self.zone))
    }

    /// Clinic roles: the patient arrived.
    #[oai(path = "/api/appointments/:id/check-in", method = "post")]
    async fn check_in(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<AppointmentOk, WriteError> {
        self.status(
            auth,
            id.0,
            StatusAction::CheckIn,
            CompleteRequest::default(),
        )
        .await
    }

    /// Clinic roles: seen; may link the visit's medical or dental record.
    #[oai(path = "/api/appointments/:id/complete", method = "post")]
    async fn complete(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<CompleteRequest>,
    ) -> Result<AppointmentOk, BodyError> {
        self.status(auth, id.0, StatusAction::Complete, body.0)
            .await
    }

    /// Clinic roles: the patient did not come (from the start on).
    #[oai(path = "/api/appointments/:id/no-show", method = "post")]
    async fn no_show(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<AppointmentOk, WriteError> {
        self.status(auth, id.0, StatusAction::NoShow, CompleteRequest::default())
            .await
    }

    /// Clinic roles: undo the last status change (audited; re-checks the time is free).
    #[oai(path = "/api/appointments/:id/undo", method = "post")]
    async fn undo(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<CancelRequest>,
    ) -> Result<AppointmentOk, BodyError> {
        let v = self
            .appointments
            .undo(&auth.0.actor, AppointmentId::from_uuid(id.0), body.0.reason)
            .await?;
        Ok(AppointmentOk::of(v, self.zone))
    }
}

impl AppointmentApi {
    /// Applies a status change, linking the visit's records where given.
    async fn status<E: From<application::AppError>>(
        &self,
        auth: BearerAuth,
        id: Uuid,
        action: StatusAction,
        links: CompleteRequest,
    ) -> Result<AppointmentOk, E> {
        let v = self
            .appointments
            .change_status(
                &auth.0.actor,
                AppointmentId::from_uuid(id),
                action,
                links.medical_record_id.map(MedicalRecordId::from_uuid),
                links.dental_record_id.map(DentalRecordId::from_uuid),
            )
            .await?;
        Ok(AppointmentOk::of(v, self.zone))
    }
}
