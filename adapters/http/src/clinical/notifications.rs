//! /api/notifications: one's own in-app notifications.

use std::sync::Arc;

use application::notification::NotificationService;
use domain::NotificationId;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::dto::{NotificationDto, NotificationPage};
use crate::common::{ApiTags, BearerAuth, ClinicZone, MessageDto, ReadError, ok_enum, page};

ok_enum!(
    NotificationPageOk,
    NotificationPage,
    "200 with a page of notifications."
);
ok_enum!(MessageOk, MessageDto, "200 with a message.");

/// In-app notifications.
pub struct NotificationsApi {
    /// Use cases.
    pub notifications: Arc<NotificationService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Clinical")]
impl NotificationsApi {
    /// One's own notifications, newest first.
    #[oai(path = "/api/notifications", method = "get")]
    async fn notifications(
        &self,
        auth: BearerAuth,
        unread: Query<Option<bool>>,
        #[oai(
            name = "page",
            validator(minimum(value = "1"), maximum(value = "1000000"))
        )]
        page_no: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] page_size: Query<
            Option<u64>,
        >,
    ) -> Result<NotificationPageOk, ReadError> {
        let page = page(page_no.0, page_size.0)?;
        let found = self
            .notifications
            .list(&auth.0.actor, unread.0.unwrap_or(false), page)
            .await?;
        let zone = self.zone;
        Ok(NotificationPageOk::Ok(Json(NotificationPage::from_page(
            found,
            |n| NotificationDto::from_notification(n, zone),
        ))))
    }

    /// Marks one of one's notifications read.
    #[oai(path = "/api/notifications/:id/read", method = "post")]
    async fn read_notification(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<MessageOk, ReadError> {
        self.notifications
            .mark_read(&auth.0.actor, Some(NotificationId::from_uuid(id.0)))
            .await?;
        Ok(MessageOk::Ok(Json(MessageDto {
            message: "marked read".into(),
        })))
    }

    /// Marks all of one's notifications read.
    #[oai(path = "/api/notifications/read-all", method = "post")]
    async fn read_all_notifications(&self, auth: BearerAuth) -> Result<MessageOk, ReadError> {
        let n = self.notifications.mark_read(&auth.0.actor, None).await?;
        Ok(MessageOk::Ok(Json(MessageDto {
            message: format!("{n} marked read"),
        })))
    }
}
