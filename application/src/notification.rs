//! In-app notifications: what a change tells a person inside the app. A change writes
//! its notifications through its unit of work ([`crate::unit_of_work::UnitOfWork::notify`]),
//! so they exist exactly when the change does. (The notification centre grows here.)

use chrono::{DateTime, Utc};
use domain::{NotificationId, UserId};

/// An in-app notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// Identity.
    pub id: NotificationId,
    /// Recipient.
    pub user_id: UserId,
    /// `certificate_approved`, `certificate_rejected`, ...
    pub kind: String,
    /// Title.
    pub title: String,
    /// Message.
    pub message: String,
    /// Link inside the app.
    pub link: Option<String>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Read at.
    pub read_at: Option<DateTime<Utc>>,
}
