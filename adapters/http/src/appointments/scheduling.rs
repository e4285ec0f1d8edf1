//! /api/appointment-types, /api/providers/{id}/schedule|exceptions and
//! /api/clinic/closures: what can be booked, and when.

use std::sync::Arc;

use application::appointment::{
    AppointmentService, ExceptionInput, ExceptionPatch, RangeInput, TypeInput, TypePatch,
};
use domain::{AppointmentTypeId, ExceptionId, UserId};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use uuid::Uuid;

use super::dto::{
    AppointmentTypeDto, AppointmentTypePatch, AppointmentTypeRequest, ExceptionDto,
    ExceptionOutcomeDto, ExceptionPatchRequest, ExceptionRequest, ProviderDto, ScheduleDto,
    ScheduleRequest,
};
use crate::common::{
    ApiTags, BearerAuth, BodyError, ClinicZone, NoContent, ReadError, WriteError, ok_enum, utc,
};

ok_enum!(TypesOk, Vec<AppointmentTypeDto>, "200 with the types.");
ok_enum!(
    TypeCreated,
    AppointmentTypeDto,
    created,
    "201 with the new type."
);
ok_enum!(ScheduleOk, ScheduleDto, "200 with the provider's hours.");
ok_enum!(TypeOk, AppointmentTypeDto, "200 with the type.");
ok_enum!(
    ProvidersOk,
    Vec<ProviderDto>,
    "200 with the providers, by name."
);
ok_enum!(ExceptionsOk, Vec<ExceptionDto>, "200 with the exceptions.");
ok_enum!(ExceptionOne, ExceptionDto, "200 with the exception.");
ok_enum!(
    ExceptionChanged,
    ExceptionOutcomeDto,
    "200 with the changed exception and the bookings its new span breaks."
);

/// 201 with what the exception did, or 200 with what it would do (preview).
#[derive(Debug, ApiResponse)]
pub enum ExceptionOk {
    /// Preview: nothing was changed.
    #[oai(status = 200)]
    Preview(Json<ExceptionOutcomeDto>),
    /// Created.
    #[oai(status = 201)]
    Created(Json<ExceptionOutcomeDto>),
}

/// Appointment types.
pub struct TypesApi {
    /// Use cases.
    pub appointments: Arc<AppointmentService>,
}

#[OpenApi(tag = "ApiTags::Appointments")]
impl TypesApi {
    /// Appointment types (clinic roles also see inactive ones).
    #[oai(path = "/api/appointment-types", method = "get")]
    async fn list_types(&self, auth: BearerAuth) -> Result<TypesOk, ReadError> {
        let list = self.appointments.list_types(&auth.0.actor).await?;
        Ok(TypesOk::Ok(Json(
            list.into_iter().map(Into::into).collect(),
        )))
    }

    /// ADMIN/STAFF: a new appointment type. 409 `name_taken`.
    #[oai(path = "/api/appointment-types", method = "post")]
    async fn create_type(
        &self,
        auth: BearerAuth,
        body: Json<AppointmentTypeRequest>,
    ) -> Result<TypeCreated, BodyError> {
        let b = body.0;
        let t = self
            .appointments
            .create_type(
                &auth.0.actor,
                TypeInput {
                    name: Some(b.name),
                    duration_minutes: Some(b.duration_minutes),
                    buffer_minutes: b.buffer_minutes,
                    provider_roles: Some(b.provider_roles),
                    capacity: b.capacity,
                },
            )
            .await?;
        Ok(TypeCreated::Created(Json(t.into())))
    }

    /// ADMIN/STAFF: change an appointment type, or retire it with `active: false` (no
    /// new bookings; booked appointments keep their times). 409 `name_taken`.
    #[oai(path = "/api/appointment-types/:id", method = "patch")]
    async fn update_type(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<AppointmentTypePatch>,
    ) -> Result<TypeOk, BodyError> {
        let b = body.0;
        let t = self
            .appointments
            .update_type(
                &auth.0.actor,
                AppointmentTypeId::from_uuid(id.0),
                TypePatch {
                    name: b.name,
                    duration_minutes: b.duration_minutes,
                    buffer_minutes: b.buffer_minutes,
                    provider_roles: b.provider_roles,
                    capacity: b.capacity,
                    active: b.active,
                },
            )
            .await?;
        Ok(TypeOk::Ok(Json(t.into())))
    }
}

/// Providers' weekly hours, their exceptions and clinic-wide closures.
pub struct SchedulesApi {
    /// Use cases.
    pub appointments: Arc<AppointmentService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Appointments")]
impl SchedulesApi {
    /// Anyone signed in: the providers one can book (name, role, the appointment types
    /// they provide), by name.
    #[oai(path = "/api/providers", method = "get")]
    async fn providers(&self, _auth: BearerAuth) -> Result<ProvidersOk, ReadError> {
        let list = self.appointments.directory().await?;
        Ok(ProvidersOk::Ok(Json(
            list.into_iter().map(Into::into).collect(),
        )))
    }

    /// A provider's weekly hours (clinic wall-clock time) and coming exceptions.
    #[oai(path = "/api/providers/:user_id/schedule", method = "get")]
    async fn get_schedule(
        &self,
        auth: BearerAuth,
        user_id: Path<Uuid>,
    ) -> Result<ScheduleOk, ReadError> {
        let v = self
            .appointments
            .schedule(&auth.0.actor, UserId::from_uuid(user_id.0))
            .await?;
        Ok(ScheduleOk::Ok(Json(ScheduleDto::from_view(v, self.zone))))
    }

    /// ADMIN/STAFF or the provider: replace the weekly hours.
    #[oai(path = "/api/providers/:user_id/schedule", method = "put")]
    async fn put_schedule(
        &self,
        auth: BearerAuth,
        user_id: Path<Uuid>,
        body: Json<ScheduleRequest>,
    ) -> Result<ScheduleOk, BodyError> {
        let ranges = body
            .0
            .weekly
            .into_iter()
            .map(|r| RangeInput {
                weekday: r.weekday,
                start: r.start,
                end: r.end,
            })
            .collect();
        let v = self
            .appointments
            .set_schedule(&auth.0.actor, UserId::from_uuid(user_id.0), ranges)
            .await?;
        Ok(ScheduleOk::Ok(Json(ScheduleDto::from_view(v, self.zone))))
    }

    /// A provider's exceptions from today on (clinic-wide closures included).
    #[oai(path = "/api/providers/:user_id/exceptions", method = "get")]
    async fn list_exceptions(
        &self,
        auth: BearerAuth,
        user_id: Path<Uuid>,
    ) -> Result<ExceptionsOk, ReadError> {
        let list = self
            .appointments
            .exceptions(&auth.0.actor, Some(UserId::from_uuid(user_id.0)))
            .await?;
        let zone = self.zone;
        Ok(ExceptionsOk::Ok(Json(
            list.into_iter()
                .map(|e| ExceptionDto::from_exception(e, zone))
                .collect(),
        )))
    }

    /// ADMIN/STAFF or the provider: leave, a block or an extra opening. `?preview=true`
    /// lists the booked appointments it would break and changes nothing;
    /// `cancel_affected` cancels them and notifies the patients.
    #[oai(path = "/api/providers/:user_id/exceptions", method = "post")]
    async fn add_exception(
        &self,
        auth: BearerAuth,
        user_id: Path<Uuid>,
        preview: Query<Option<bool>>,
        body: Json<ExceptionRequest>,
    ) -> Result<ExceptionOk, BodyError> {
        self.exception(auth, Some(UserId::from_uuid(user_id.0)), preview.0, body.0)
            .await
    }

    /// Clinic-wide closures (holidays) from today on.
    #[oai(path = "/api/clinic/closures", method = "get")]
    async fn list_closures(&self, auth: BearerAuth) -> Result<ExceptionsOk, ReadError> {
        let list = self.appointments.exceptions(&auth.0.actor, None).await?;
        let zone = self.zone;
        Ok(ExceptionsOk::Ok(Json(
            list.into_iter()
                .map(|e| ExceptionDto::from_exception(e, zone))
                .collect(),
        )))
    }

    /// One exception of a provider.
    #[oai(path = "/api/providers/:user_id/exceptions/:id", method = "get")]
    async fn get_exception(
        &self,
        auth: BearerAuth,
        user_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> Result<ExceptionOne, ReadError> {
        let e = self
            .appointments
            .exception(
                &auth.0.actor,
                Some(UserId::from_uuid(user_id.0)),
                ExceptionId::from_uuid(id.0),
            )
            .await?;
        Ok(ExceptionOne::Ok(Json(ExceptionDto::from_exception(
            e, self.zone,
        ))))
    }

    /// ADMIN/STAFF or the provider: change a leave or block; the answer lists the
    /// bookings its new span breaks (`cancel_affected` cancels them).
    #[oai(path = "/api/providers/:user_id/exceptions/:id", method = "patch")]
    async fn change_exception(
        &self,
        auth: BearerAuth,
        user_id: Path<Uuid>,
        id: Path<Uuid>,
        body: Json<ExceptionPatchRequest>,
    ) -> Result<ExceptionChanged, BodyError> {
        self.change(auth, Some(UserId::from_uuid(user_id.0)), id.0, body.0)
            .await
    }

    /// ADMIN/STAFF or the provider: remove a leave or block; its time reopens (audited).
    #[oai(path = "/api/providers/:user_id/exceptions/:id", method = "delete")]
    async fn delete_exception(
        &self,
        auth: BearerAuth,
        user_id: Path<Uuid>,
        id: Path<Uuid>,
    ) -> Result<NoContent, WriteError> {
        self.appointments
            .remove_exception(
                &auth.0.actor,
                Some(UserId::from_uuid(user_id.0)),
                ExceptionId::from_uuid(id.0),
            )
            .await?;
        Ok(NoContent::Deleted)
    }

    /// One clinic-wide closure.
    #[oai(path = "/api/clinic/closures/:id", method = "get")]
    async fn get_closure(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<ExceptionOne, ReadError> {
        let e = self
            .appointments
            .exception(&auth.0.actor, None, ExceptionId::from_uuid(id.0))
            .await?;
        Ok(ExceptionOne::Ok(Json(ExceptionDto::from_exception(
            e, self.zone,
        ))))
    }

    /// ADMIN/STAFF: change a clinic-wide closure, as for a provider's exception.
    #[oai(path = "/api/clinic/closures/:id", method = "patch")]
    async fn change_closure(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<ExceptionPatchRequest>,
    ) -> Result<ExceptionChanged, BodyError> {
        self.change(auth, None, id.0, body.0).await
    }

    /// ADMIN/STAFF: remove a clinic-wide closure; its time reopens (audited).
    #[oai(path = "/api/clinic/closures/:id", method = "delete")]
    async fn delete_closure(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<NoContent, WriteError> {
        self.appointments
            .remove_exception(&auth.0.actor, None, ExceptionId::from_uuid(id.0))
            .await?;
        Ok(NoContent::Deleted)
    }

    /// ADMIN/STAFF: a clinic-wide closure, with the same preview and cancellation.
    #[oai(path = "/api/clinic/closures", method = "post")]
    async fn add_closure(
        &self,
        auth: BearerAuth,
        preview: Query<Option<bool>>,
        body: Json<ExceptionRequest>,
    ) -> Result<ExceptionOk, BodyError> {
        self.exception(auth, None, preview.0, body.0).await
    }
}

impl SchedulesApi {
    /// Changes a provider's exception, or a clinic-wide one (no provider).
    async fn change(
        &self,
        auth: BearerAuth,
        provider: Option<UserId>,
        id: Uuid,
        b: ExceptionPatchRequest,
    ) -> Result<ExceptionChanged, BodyError> {
        let o = self
            .appointments
            .change_exception(
                &auth.0.actor,
                provider,
                ExceptionId::from_uuid(id),
                ExceptionPatch {
                    starts_at: b.starts_at.map(utc),
                    ends_at: b.ends_at.map(utc),
                    reason: b.reason,
                    kind: b.kind,
                    cancel_affected: b.cancel_affected.unwrap_or(false),
                },
            )
            .await?;
        Ok(ExceptionChanged::Ok(Json(
            ExceptionOutcomeDto::from_outcome(o, false, self.zone),
        )))
    }

    /// Adds a provider's exception, or a clinic-wide one (no provider).
    async fn exception(
        &self,
        auth: BearerAuth,
        provider: Option<UserId>,
        preview: Option<bool>,
        b: ExceptionRequest,
    ) -> Result<ExceptionOk, BodyError> {
        let preview = preview.unwrap_or(false);
        let o = self
            .appointments
            .add_exception(
                &auth.0.actor,
                provider,
                ExceptionInput {
                    starts_at: utc(b.starts_at),
                    ends_at: utc(b.ends_at),
                    reason: b.reason,
                    kind: b.kind,
                    cancel_affected: b.cancel_affected.unwrap_or(false),
                },
                preview,
            )
            .await?;
        let dto = Json(ExceptionOutcomeDto::from_outcome(o, preview, self.zone));
        Ok(if preview {
            ExceptionOk::Preview(dto)
        } else {
            ExceptionOk::Created(dto)
        })
    }
}
