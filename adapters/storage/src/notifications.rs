//! In-app notifications: inserted by a unit of work, read by their recipient.

use application::StoreError;
use application::notification::{Notification, NotificationStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::paging::{Page, PageRequest};
use domain::{NotificationId, UserId};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::Database;
use crate::error::map_db_err;

use crate::entities::notifications;
use crate::query::save;

pub(crate) fn from_row(m: notifications::Model) -> Result<Notification, StoreError> {
    Ok(Notification {
        id: NotificationId::from_uuid(m.id),
        user_id: UserId::from_uuid(m.user_id),
        kind: m.kind,
        title: m.title,
        message: m.message,
        link: m.link,
        created_at: m.created_at,
        read_at: m.read_at,
    })
}

/// Inserts an in-app notification on `c` (inside the caller's transaction).
pub(crate) async fn insert<C: ConnectionTrait>(c: &C, n: &Notification) -> Result<(), StoreError> {
    save(
        c,
        notifications::ActiveModel {
            id: Set(n.id.as_uuid()),
            user_id: Set(n.user_id.as_uuid()),
            kind: Set(n.kind.clone()),
            title: Set(n.title.clone()),
            message: Set(n.message.clone()),
            link: Set(n.link.clone()),
            created_at: Set(n.created_at),
            read_at: Set(n.read_at),
        },
        true,
    )
    .await
}

/// Notifications on a sea-orm database.
#[derive(Clone, Debug)]
pub struct SeaOrmNotificationStore {
    db: Database,
}

impl SeaOrmNotificationStore {
    /// Wraps a connected database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl NotificationStore for SeaOrmNotificationStore {
    async fn list(
        &self,
        user: UserId,
        unread_only: bool,
        page: PageRequest,
    ) -> Result<Page<Notification>, StoreError> {
        let mut q =
            notifications::Entity::find().filter(notifications::Column::UserId.eq(user.as_uuid()));
        if unread_only {
            q = q.filter(notifications::Column::ReadAt.is_null());
        }
        let q = q
            .order_by_desc(notifications::Column::CreatedAt)
            .order_by_desc(notifications::Column::Id);
        crate::query::fetch_page(self.db.connection(), q, page, from_row).await
    }

    async fn mark_read(
        &self,
        user: UserId,
        id: Option<NotificationId>,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let mut q = notifications::Entity::update_many()
            .col_expr(
                notifications::Column::ReadAt,
                Expr::col(notifications::Column::ReadAt).if_null(now),
            )
            .filter(notifications::Column::UserId.eq(user.as_uuid()));
        q = match id {
            Some(id) => q.filter(notifications::Column::Id.eq(id.as_uuid())),
            None => q.filter(notifications::Column::ReadAt.is_null()),
        };
        Ok(q.exec(self.db.connection())
            .await
            .map_err(map_db_err)?
            .rows_affected)
    }
}
