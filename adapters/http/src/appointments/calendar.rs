//! /api/appointments/calendar.ics and /api/appointments/calendar-token: the caller's
//! iCalendar feed and its secret.

use std::sync::Arc;

use application::appointment::{AppointmentService, CalendarFeed};
use domain::appointment::AppointmentStatus;
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use poem_openapi::param::Query;
use poem_openapi::payload::{Json, PlainText};
use poem_openapi::{ApiResponse, OpenApi};

use super::dto::FeedTokenDto;
use crate::common::{ApiTags, BearerAuth, NoContent, WriteError, api_errors, ok_enum};

api_errors!(
    /// Errors of the calendar feed (the token is the credential: 401 without a valid one;
    /// 400 for one longer than 200 characters).
    pub enum FeedError {
        BadRequest,
        Unauthorized,
    }
);

ok_enum!(
    FeedTokenCreated,
    FeedTokenDto,
    created,
    "201 with the feed secret (shown once)."
);

/// The iCalendar feed.
#[derive(Debug, ApiResponse)]
pub enum IcsOk {
    /// `text/calendar` (RFC 5545).
    #[oai(status = 200, content_type = "text/calendar; charset=utf-8")]
    Ics(PlainText<String>),
}

/// The calendar feed.
pub struct CalendarApi {
    /// Use cases.
    pub appointments: Arc<AppointmentService>,
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
impl CalendarApi {
    /// The caller's iCalendar feed (RFC 5545). The token from `POST
    /// /api/appointments/calendar-token` is the credential; 401 once revoked.
    #[oai(path = "/api/appointments/calendar.ics", method = "get")]
    async fn calendar(
        &self,
        #[oai(validator(max_length = 200))] token: Query<Option<String>>,
    ) -> Result<IcsOk, FeedError> {
        let feed = self
            .appointments
            .feed(token.0.as_deref().unwrap_or_default())
            .await?;
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
}
