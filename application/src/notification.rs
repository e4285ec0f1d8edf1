//! In-app notifications: what a change tells a person inside the app. A change writes
//! its notifications through its unit of work ([`crate::unit_of_work::UnitOfWork::notify`]),
//! so they exist exactly when the change does. (The notification centre grows here.)

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::paging::{Page, PageRequest};
use domain::policy::Actor;
use domain::{NotificationId, UserId};

use crate::{AppError, Clock, StoreError};

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

/// Notification storage: a recipient's list, and marking read (one statement each).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait NotificationStore: Send + Sync {
    /// A user's notifications, newest first.
    async fn list(
        &self,
        user: UserId,
        unread_only: bool,
        page: PageRequest,
    ) -> Result<Page<Notification>, StoreError>;
    /// Marks the user's notification `id` (all unread ones when `None`) read; how many.
    async fn mark_read(
        &self,
        user: UserId,
        id: Option<NotificationId>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError>;
}

/// The notification centre's use cases: every user reads and clears their own only.
pub struct NotificationService {
    store: Arc<dyn NotificationStore>,
    clock: Arc<dyn Clock>,
}

impl NotificationService {
    /// Wires the use cases to their ports.
    pub fn new(store: Arc<dyn NotificationStore>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// The caller's notifications, newest first.
    pub async fn list(
        &self,
        actor: &Actor,
        unread_only: bool,
        page: PageRequest,
    ) -> Result<Page<Notification>, AppError> {
        Ok(self.store.list(actor.user_id, unread_only, page).await?)
    }

    /// Marks one (404 if it is not the caller's) or all of the caller's notifications
    /// read; returns how many changed.
    pub async fn mark_read(
        &self,
        actor: &Actor,
        id: Option<NotificationId>,
    ) -> Result<u64, AppError> {
        let n = self
            .store
            .mark_read(actor.user_id, id, self.clock.now())
            .await?;
        if id.is_some() && n == 0 {
            return Err(AppError::NotFound {
                what: "notification",
            });
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SystemClock;
    use domain::identity::Role;

    #[tokio::test]
    async fn marking_someone_elses_notification_is_not_found() {
        let mut store = MockNotificationStore::new();
        store
            .expect_mark_read()
            .withf(|_, id, _| id.is_some())
            .returning(|_, _, _| Ok(0));
        let svc = NotificationService::new(Arc::new(store), Arc::new(SystemClock));
        let actor = Actor::new(UserId::new(), Role::Student);
        let got = svc.mark_read(&actor, Some(NotificationId::new())).await;
        assert!(
            matches!(
                got,
                Err(AppError::NotFound {
                    what: "notification"
                })
            ),
            "{got:?}"
        );
    }
}
