//! In-app notifications: inserted by a unit of work, read by their recipient.

use application::StoreError;
use application::notification::Notification;
use domain::{NotificationId, UserId};
use sea_orm::ActiveValue::Set;
use sea_orm::ConnectionTrait;

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
