//! The durable mail outbox on sea-orm.

use application::StoreError;
use application::mail::{OutboxMessage, OutboxStatus, OutboxStore, OutgoingEmail};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::OutboxId;
use domain::identity::EmailAddress;
use domain::paging::{Page, PageRequest};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::Database;
use crate::entities::outbox;
use crate::error::{corrupt, map_db_err};

/// What a delivered or abandoned message's body becomes.
pub const REDACTED: &str = "(removed after delivery)";

/// Enqueues a message on `c` (inside the caller's transaction).
pub(crate) async fn enqueue<C: ConnectionTrait>(
    c: &C,
    email: &OutgoingEmail,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    outbox::Entity::insert(outbox::ActiveModel {
        id: Set(Uuid::now_v7()),
        to_addr: Set(email.to.as_str().to_owned()),
        subject: Set(email.subject.clone()),
        body_text: Set(email.text.clone()),
        body_html: Set(email.html.clone()),
        status: Set(OutboxStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        locked_until: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        sent_at: Set(None),
    })
    .exec_without_returning(c)
    .await
    .map_err(map_db_err)?;
    Ok(())
}

fn from_row(m: outbox::Model) -> Result<OutboxMessage, StoreError> {
    Ok(OutboxMessage {
        id: OutboxId::from_uuid(m.id),
        email: OutgoingEmail {
            to: EmailAddress::parse(&m.to_addr).map_err(|e| corrupt("outbox.to_addr", e))?,
            subject: m.subject,
            text: m.body_text,
            html: m.body_html,
        },
        status: OutboxStatus::parse(&m.status)
            .ok_or_else(|| corrupt("outbox.status", &m.status))?,
        attempts: u32::try_from(m.attempts).unwrap_or(0),
        next_attempt_at: m.next_attempt_at,
        last_error: m.last_error,
        created_at: m.created_at,
        sent_at: m.sent_at,
    })
}

/// The outbox on a sea-orm database.
#[derive(Clone, Debug)]
pub struct SeaOrmOutboxStore {
    db: Database,
}

impl SeaOrmOutboxStore {
    /// Wraps a connected database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

fn claimable(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(outbox::Column::Status.eq(OutboxStatus::Pending.as_str()))
        .add(outbox::Column::NextAttemptAt.lte(now))
        .add(
            Condition::any()
                .add(outbox::Column::LockedUntil.is_null())
                .add(outbox::Column::LockedUntil.lte(now)),
        )
}

#[async_trait]
impl OutboxStore for SeaOrmOutboxStore {
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let c = self.db.connection();
        let candidates: Vec<Uuid> = outbox::Entity::find()
            .select_only()
            .column(outbox::Column::Id)
            .filter(claimable(now))
            .order_by_asc(outbox::Column::NextAttemptAt)
            .limit(limit)
            .into_tuple()
            .all(c)
            .await
            .map_err(map_db_err)?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        // One conditional UPDATE is the claim: a row another worker took in between no
        // longer matches `claimable`, so each message goes to exactly one worker.
        let claimed = outbox::Entity::update_many()
            .col_expr(outbox::Column::LockedUntil, Expr::value(lease_until))
            .col_expr(
                outbox::Column::Attempts,
                Expr::col(outbox::Column::Attempts).add(1),
            )
            .filter(outbox::Column::Id.is_in(candidates))
            .filter(claimable(now))
            .exec_with_returning(c)
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(from_row)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(claimed)
    }

    async fn mark_sent(&self, ids: &[OutboxId], at: DateTime<Utc>) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        outbox::Entity::update_many()
            .col_expr(
                outbox::Column::Status,
                Expr::value(OutboxStatus::Sent.as_str()),
            )
            .col_expr(outbox::Column::SentAt, Expr::value(at))
            .col_expr(
                outbox::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                outbox::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            // Bodies carry codes and reset tokens: keep them no longer than delivery needs.
            .col_expr(outbox::Column::BodyText, Expr::value(REDACTED))
            .col_expr(
                outbox::Column::BodyHtml,
                Expr::value(Option::<String>::None),
            )
            .filter(outbox::Column::Id.is_in(ids.iter().map(|id| id.as_uuid())))
            .exec(self.db.connection())
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn mark_attempt_failed(
        &self,
        id: OutboxId,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError> {
        let error: String = error.chars().take(1000).collect();
        let mut q = outbox::Entity::update_many()
            .col_expr(outbox::Column::LastError, Expr::value(error))
            .col_expr(
                outbox::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            );
        q = match retry_at {
            Some(at) => q.col_expr(outbox::Column::NextAttemptAt, Expr::value(at)),
            None => q
                .col_expr(
                    outbox::Column::Status,
                    Expr::value(OutboxStatus::Failed.as_str()),
                )
                .col_expr(outbox::Column::BodyText, Expr::value(REDACTED))
                .col_expr(
                    outbox::Column::BodyHtml,
                    Expr::value(Option::<String>::None),
                ),
        };
        q.filter(outbox::Column::Id.eq(id.as_uuid()))
            .exec(self.db.connection())
            .await
            .map_err(map_db_err)?;
        Ok(())
    }

    async fn list(
        &self,
        status: Option<OutboxStatus>,
        page: PageRequest,
    ) -> Result<Page<OutboxMessage>, StoreError> {
        let c = self.db.connection();
        let mut q = outbox::Entity::find();
        if let Some(s) = status {
            q = q.filter(outbox::Column::Status.eq(s.as_str()));
        }
        crate::query::fetch_page(
            c,
            q.order_by_desc(outbox::Column::CreatedAt),
            page,
            from_row,
        )
        .await
    }
}
