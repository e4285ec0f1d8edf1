//! The hash-chained audit log on sea-orm.
//!
//! Appends serialise on the single `audit_head` row: the first statement of an append
//! is an UPDATE of that row, which takes its lock (PostgreSQL) or the writer lock
//! (SQLite) until commit, so two appends can never chain onto the same predecessor
//! (a unique index on `prev_hash` enforces it again).

use application::StoreError;
use application::audit::{AuditFilter, AuditStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::audit::{AuditEvent, AuditRecord, Outcome};
use domain::paging::{Page, PageRequest};
use domain::{AuditId, UserId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

use crate::Database;
use crate::entities::{audit_head, audit_log};
use crate::error::{corrupt, map_db_err};

/// Appends one entry on `c` (which must be inside a write transaction).
pub(crate) async fn append<C: ConnectionTrait>(
    c: &C,
    event: AuditEvent,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    // One statement takes the head's lock, bumps the sequence and reads the predecessor.
    let head = audit_head::Entity::update_many()
        .col_expr(
            audit_head::Column::Seq,
            Expr::col(audit_head::Column::Seq).add(1),
        )
        .filter(audit_head::Column::Id.eq(1))
        .exec_with_returning(c)
        .await
        .map_err(map_db_err)?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::Other(anyhow::anyhow!("audit head row is missing")))?;
    let record = AuditRecord::seal(event, AuditId::new(), at, head.seq - 1, &head.hash);
    let e = &record.event;
    audit_log::Entity::insert(audit_log::ActiveModel {
        seq: Set(record.seq),
        id: Set(record.id.as_uuid()),
        at: Set(record.at),
        actor_id: Set(e.actor.map(|a| a.as_uuid())),
        action: Set(e.action.clone()),
        entity: Set(e.entity.clone()),
        entity_id: Set(e.entity_id.clone()),
        subject_id: Set(e.subject.map(|s| s.as_uuid())),
        outcome: Set(e.outcome.as_str().to_owned()),
        prev_hash: Set(record.prev_hash.clone()),
        hash: Set(record.hash.clone()),
        patient_id: Set(e.patient.map(|p| p.as_uuid())),
    })
    .exec_without_returning(c)
    .await
    .map_err(map_db_err)?;
    audit_head::Entity::update_many()
        .col_expr(audit_head::Column::Hash, Expr::value(record.hash))
        .filter(audit_head::Column::Id.eq(1))
        .exec(c)
        .await
        .map_err(map_db_err)?;
    Ok(())
}

fn from_row(m: audit_log::Model) -> Result<AuditRecord, StoreError> {
    Ok(AuditRecord {
        seq: m.seq,
        id: AuditId::from_uuid(m.id),
        // Stored precision is microseconds on both backends; the hash uses the same.
        at: m.at,
        event: AuditEvent {
            actor: m.actor_id.map(UserId::from_uuid),
            action: m.action,
            entity: m.entity,
            entity_id: m.entity_id,
            subject: m.subject_id.map(UserId::from_uuid),
            patient: m.patient_id.map(domain::PatientId::from_uuid),
            outcome: Outcome::parse(&m.outcome)
                .ok_or_else(|| corrupt("audit.outcome", &m.outcome))?,
        },
        prev_hash: m.prev_hash,
        hash: m.hash,
    })
}

/// The audit log on a sea-orm database.
#[derive(Clone, Debug)]
pub struct SeaOrmAuditStore {
    db: Database,
}

impl SeaOrmAuditStore {
    /// Wraps a connected database.
    pub fn new(db: Database) -> Self {
        Self { db }
    }
}

#[async_trait]
impl AuditStore for SeaOrmAuditStore {
    async fn append(&self, event: AuditEvent, at: DateTime<Utc>) -> Result<(), StoreError> {
        let tx = self.db.begin_write().await?;
        append(&tx, event, at).await?;
        tx.commit().await.map_err(map_db_err)
    }

    async fn list(
        &self,
        f: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditRecord>, StoreError> {
        let mut cond = Condition::all();
        if let Some(a) = f.actor {
            cond = cond.add(audit_log::Column::ActorId.eq(a.as_uuid()));
        }
        if let Some(s) = f.subject {
            cond = cond.add(audit_log::Column::SubjectId.eq(s.as_uuid()));
        }
        if let Some(p) = f.patient {
            cond = cond.add(audit_log::Column::PatientId.eq(p.as_uuid()));
        }
        if let Some(from) = f.from {
            cond = cond.add(audit_log::Column::At.gte(from));
        }
        if let Some(to) = f.to {
            cond = cond.add(audit_log::Column::At.lt(to));
        }
        let q = audit_log::Entity::find()
            .filter(cond)
            .order_by_desc(audit_log::Column::Seq);
        crate::query::fetch_page(self.db.connection(), q, page, from_row).await
    }

    async fn scan(&self, after: i64, limit: u64) -> Result<Vec<AuditRecord>, StoreError> {
        audit_log::Entity::find()
            .filter(audit_log::Column::Seq.gt(after))
            .order_by_asc(audit_log::Column::Seq)
            .limit(limit)
            .all(self.db.connection())
            .await
            .map_err(map_db_err)?
            .into_iter()
            .map(from_row)
            .collect()
    }

    async fn head(&self) -> Result<(i64, String), StoreError> {
        let h = audit_head::Entity::find_by_id(1)
            .one(self.db.connection())
            .await
            .map_err(map_db_err)?
            .ok_or_else(|| StoreError::Other(anyhow::anyhow!("audit head row is missing")))?;
        Ok((h.seq, h.hash))
    }
}
