//! Wire types of in-app notifications.

use application::clinical::Notification;
use chrono::{DateTime, FixedOffset};
use poem_openapi::Object;
use uuid::Uuid;

use crate::common::{ClinicZone, page_dto};

/// An in-app notification.
#[derive(Debug, Clone, Object)]
pub struct NotificationDto {
    /// Identity.
    pub id: Uuid,
    /// `certificate_approved`, `certificate_rejected`, ...
    pub kind: String,
    /// Title.
    pub title: String,
    /// Message.
    pub message: String,
    /// Link in the app.
    #[oai(skip_serializing_if_is_none)]
    pub link: Option<String>,
    /// Created at.
    pub created_at: DateTime<FixedOffset>,
    /// Read at.
    #[oai(skip_serializing_if_is_none)]
    pub read_at: Option<DateTime<FixedOffset>>,
}

impl NotificationDto {
    /// From a notification.
    pub fn from_notification(n: Notification, zone: ClinicZone) -> Self {
        Self {
            id: n.id.as_uuid(),
            kind: n.kind,
            title: n.title,
            message: n.message,
            link: n.link,
            created_at: zone.show(n.created_at),
            read_at: n.read_at.map(|t| zone.show(t)),
        }
    }
}

page_dto!(
    NotificationPage,
    NotificationDto,
    "A page of notifications."
);
