//! /api/appointment-types, /api/providers/{id}/schedule|exceptions, /api/clinic/closures,
//! /api/appointments (slots, booking, status changes, calendar feed), /api/waitlist and
//! /api/dashboard. Handlers parse, call one use case, map the result.

use std::sync::Arc;

use application::appointment::{
    AppointmentFilter, AppointmentService, BookingInput, CalendarFeed, ExceptionInput, RangeInput,
    SlotQuery, TypeInput, WaitlistInput,
};
use chrono::{DateTime, FixedOffset};
use domain::appointment::{AppointmentStatus, StatusAction};
use domain::{
    AppointmentId, AppointmentTypeId, DentalRecordId, MedicalRecordId, OfferId, PatientId, UserId,
    WaitlistId,
};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, OpenApi};
use uuid::Uuid;

use crate::appointments_dto::*;
use crate::common::{
    ApiTags, BearerAuth, BodyError, ClinicZone, NoContent, ReadError, WriteError, api_errors,
    ok_enum, page, utc,
};

api_errors!(
    /// Errors of the calendar feed (the token is the credential; 400 without one).
    pub enum FeedError {
        BadRequest,
        Unauthorized,
    }
);

ok_enum!(TypesOk, Vec<AppointmentTypeDto>, "200 with the types.");
ok_enum!(
    TypeCreated,
    AppointmentTypeDto,
    created,
    "201 with the new type."
);
ok_enum!(ScheduleOk, ScheduleDto, "200 with the provider's hours.");
ok_enum!(ExceptionsOk, Vec<ExceptionDto>, "200 with the exceptions.");
ok_enum!(SlotsOk, SlotsDto, "200 with the free slots.");
ok_enum!(AppointmentOk, AppointmentDto, "200 with the appointment.");
ok_enum!(
    HistoryOk,
    HistoryDto,
    "200 with the status changes, oldest first."
);
ok_enum!(
    AppointmentPageOk,
    AppointmentPage,
    "200 with a page of appointments."
);
ok_enum!(
    FeedTokenCreated,
    FeedTokenDto,
    created,
    "201 with the feed secret (shown once)."
);
ok_enum!(
    WaitlistCreated,
    WaitlistEntryDto,
    created,
    "201 with the entry."
);
ok_enum!(WaitlistPageOk, WaitlistPage, "200 with a page of entries.");
ok_enum!(OffersOk, Vec<OfferDto>, "200 with the offers.");
ok_enum!(DashboardOk, DashboardDto, "200 with the figures.");

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

/// The iCalendar feed.
#[derive(Debug, ApiResponse)]
pub enum IcsOk {
    /// `text/calendar` (RFC 5545).
    #[oai(status = 200, content_type = "text/calendar; charset=utf-8")]
    Ics(PlainText<String>),
}

/// The appointment resources.
pub struct AppointmentsApi {
    /// Use cases.
    pub appointments: Arc<AppointmentService>,
    /// Display zone.
    pub zone: ClinicZone,
}

/// RFC 5545 text of a feed: stable UIDs, SEQUENCE from the appointment's revision,
/// cancelled events marked CANCELLED. Patients' names appear only in their own feed.
fn ics(feed: CalendarFeed, host: &str) -> String {
    let mut cal = Calendar::new();
    cal.name("USC Health Services appointments");
    for v in feed.events {
        let a = &v.appointment;
        let summary = if feed.as_provider {
            format!("{} (patient appointment)", v.type_name)
        } else {
            format!("{} with {}", v.type_name, v.provider_name)
        };
        let mut e = Event::new();
        e.uid(&format!("{}@{host}", a.id))
            .summary(&summary)
            .starts(a.start)
            .ends(a.end)
            .location("USC Health Services")
            .add_property("SEQUENCE", a.revision.to_string());
        match a.status() {
            AppointmentStatus::Cancelled | AppointmentStatus::NoShow => {
                e.status(EventStatus::Cancelled);
            }
            _ => {
                e.status(EventStatus::Confirmed);
            }
        }
        cal.push(e.done());
    }
    cal.done().to_string()
}

#[OpenApi(tag = "ApiTags::Appointments")]
impl AppointmentsApi {
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

    /// The caller's iCalendar feed (RFC 5545). The token from `POST
    /// /api/appointments/calendar-token` is the credential; 401 once revoked.
    #[oai(path = "/api/appointments/calendar.ics", method = "get")]
    async fn calendar(
        &self,
        #[oai(validator(max_length = 200))] token: Query<String>,
    ) -> Result<IcsOk, FeedError> {
        let feed = self.appointments.feed(&token.0).await?;
        let host = self
            .appointments
            .config()
            .public_url
            .split("://")
            .nth(1)
            .unwrap_or("usc-pis")
            .split(['/', ':'])
            .next()
            .unwrap_or("usc-pis")
            .to_owned();
        Ok(IcsOk::Ics(PlainText(ics(feed, &host))))
    }

    /// A new calendar feed secret (replacing and revoking any earlier one).
    #[oai(path = "/api/appointments/calendar-token", method = "post")]
    async fn create_feed(&self, auth: BearerAuth) -> Result<FeedTokenCreated, WriteError> {
        let token = self.appointments.create_feed(&auth.0.actor).await?;
        let url = format!(
            "{}/api/appointments/calendar.ics?token={token}",
            self.appointments.config().public_url.trim_end_matches('/')
        );
        Ok(FeedTokenCreated::Created(Json(FeedTokenDto { token, url })))
    }

    /// Revokes the caller's calendar feed.
    #[oai(path = "/api/appointments/calendar-token", method = "delete")]
    async fn revoke_feed(&self, auth: BearerAuth) -> Result<NoContent, WriteError> {
        self.appointments.revoke_feed(&auth.0.actor).await?;
        Ok(NoContent::Deleted)
    }

    /// One appointment (a patient: only their own).
    #[oai(path = "/api/appointments/:id", method = "get")]
    async fn get(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<AppointmentOk, ReadError> {
        let v = self
            .appointments
            .get(&auth.0.actor, AppointmentId::from_uuid(id.0))
            .await?;
        Ok(self.one(v))
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
        Ok(self.one(v))
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
        Ok(self.one(v))
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
        Ok(self.one(v))
    }

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
        Ok(self.one(v))
    }

    /// Turn an offer down (it passes to the next waiting patient).
    #[oai(path = "/api/waitlist/offers/:id/decline", method = "post")]
    async fn decline(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<NoContent, WriteError> {
        self.appointments
            .decline(&auth.0.actor, OfferId::from_uuid(id.0))
            .await?;
        Ok(NoContent::Deleted)
    }

    /// Role-specific figures: clinic roles see today's appointments by status and the
    /// next free slot per type; patients their next appointment.
    #[oai(path = "/api/dashboard", method = "get")]
    async fn dashboard(&self, auth: BearerAuth) -> Result<DashboardOk, ReadError> {
        let d = self.appointments.dashboard(&auth.0.actor).await?;
        Ok(DashboardOk::Ok(Json(DashboardDto::from_dashboard(
            d, self.zone,
        ))))
    }
}

impl AppointmentsApi {
    /// 200 with one appointment in the clinic zone.
    fn one(&self, v: application::appointment::AppointmentView) -> AppointmentOk {
        AppointmentOk::Ok(Json(AppointmentDto::from_view(v, self.zone)))
    }

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
        Ok(self.one(v))
    }
}
