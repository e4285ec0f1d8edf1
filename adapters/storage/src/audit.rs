//! The hash-chained audit log on sea-orm.
//!
//! A request's entry is only *inserted* into `audit_pending`: in the change's own
//! transaction for a write (never a change without its entry), or, for a read, by the
//! group commit below, which writes every entry waiting at that moment in one transaction
//! and then answers each waiting request. No request touches a shared row.
//!
//! The chainer ([`link_pending`], run by the server's `audit-chain` job every few
//! milliseconds) links committed entries into the chain in batches: it takes the single
//! `audit_head` row's lock (so two chainers never chain onto the same predecessor; a
//! unique index on `prev_hash` enforces it again), reads the oldest pending entries, seals
//! each after the head (seq and hash), moves them into `audit_log` and moves the head. An
//! entry that commits late simply joins the next batch.

use std::sync::{Arc, Mutex, PoisonError};

use application::StoreError;
use application::audit::{AuditFilter, AuditStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::audit::{AuditEvent, AuditRecord, Outcome};
use domain::paging::{Page, PageRequest};
use domain::{AuditId, UserId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use tokio::sync::{mpsc, oneshot};

use crate::Database;
use crate::entities::{audit_head, audit_log, audit_pending};
use crate::error::{corrupt, map_db_err};

/// Rows per multi-row statement (well under both backends' parameter limits).
const CHUNK: usize = 500;

/// Appends one entry on `c` (which must be inside a write transaction): it waits in
/// `audit_pending` for the chainer.
pub(crate) async fn append<C: ConnectionTrait>(
    c: &C,
    event: AuditEvent,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    insert_pending(c, [(event, at)]).await
}

/// Inserts entries into `audit_pending`, a few hundred per statement.
async fn insert_pending<C: ConnectionTrait>(
    c: &C,
    entries: impl IntoIterator<Item = (AuditEvent, DateTime<Utc>)>,
) -> Result<(), StoreError> {
    let rows: Vec<audit_pending::ActiveModel> = entries
        .into_iter()
        .map(|(e, at)| audit_pending::ActiveModel {
            id: Set(AuditId::new().as_uuid()),
            // The chain hashes microseconds, which both backends keep.
            at: Set(at),
            actor_id: Set(e.actor.map(|a| a.as_uuid())),
            action: Set(e.action),
            entity: Set(e.entity),
            entity_id: Set(e.entity_id),
            subject_id: Set(e.subject.map(|s| s.as_uuid())),
            patient_id: Set(e.patient.map(|p| p.as_uuid())),
            outcome: Set(e.outcome.as_str().to_owned()),
            client_addr: Set(e.client.map(|c| c.to_string())),
        })
        .collect();
    for chunk in rows.chunks(CHUNK) {
        audit_pending::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(c)
            .await
            .map_err(map_db_err)?;
    }
    Ok(())
}

/// Links up to `max` pending entries, oldest first, into the chain in one transaction;
/// returns how many it linked.
pub(crate) async fn link_pending(db: &Database, max: u64) -> Result<u64, StoreError> {
    // A cheap look first: an idle server takes no write lock every few milliseconds.
    let waiting = audit_pending::Entity::find()
        .select_only()
        .column(audit_pending::Column::Id)
        .limit(1)
        .into_tuple::<uuid::Uuid>()
        .one(db.connection())
        .await
        .map_err(map_db_err)?;
    if waiting.is_none() {
        return Ok(0);
    }
    let (_turn, tx) = db.begin_write().await?;
    // One statement takes the head's lock and reads it.
    let head = audit_head::Entity::update_many()
        .col_expr(audit_head::Column::Seq, Expr::col(audit_head::Column::Seq))
        .filter(audit_head::Column::Id.eq(1))
        .exec_with_returning(&tx)
        .await
        .map_err(map_db_err)?
        .into_iter()
        .next()
        .ok_or_else(|| StoreError::Other(anyhow::anyhow!("audit head row is missing")))?;
    let pending = audit_pending::Entity::find()
        .order_by_asc(audit_pending::Column::At)
        .order_by_asc(audit_pending::Column::Id)
        .limit(max)
        .all(&tx)
        .await
        .map_err(map_db_err)?;
    if pending.is_empty() {
        return Ok(0);
    }
    let (mut seq, mut hash) = (head.seq, head.hash);
    let mut linked = Vec::with_capacity(pending.len());
    let mut ids = Vec::with_capacity(pending.len());
    for m in pending {
        ids.push(m.id);
        let record = AuditRecord::seal(
            pending_event(&m)?,
            AuditId::from_uuid(m.id),
            m.at,
            seq,
            &hash,
        );
        (seq, hash) = (record.seq, record.hash.clone());
        linked.push(log_row(record));
    }
    for chunk in linked.chunks(CHUNK) {
        audit_log::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&tx)
            .await
            .map_err(map_db_err)?;
    }
    for chunk in ids.chunks(CHUNK) {
        audit_pending::Entity::delete_many()
            .filter(audit_pending::Column::Id.is_in(chunk.iter().copied()))
            .exec(&tx)
            .await
            .map_err(map_db_err)?;
    }
    audit_head::Entity::update_many()
        .col_expr(audit_head::Column::Seq, Expr::value(seq))
        .col_expr(audit_head::Column::Hash, Expr::value(hash))
        .filter(audit_head::Column::Id.eq(1))
        .exec(&tx)
        .await
        .map_err(map_db_err)?;
    tx.commit().await.map_err(map_db_err)?;
    Ok(ids.len() as u64)
}

fn pending_event(m: &audit_pending::Model) -> Result<AuditEvent, StoreError> {
    Ok(AuditEvent {
        actor: m.actor_id.map(UserId::from_uuid),
        action: m.action.clone(),
        entity: m.entity.clone(),
        entity_id: m.entity_id.clone(),
        subject: m.subject_id.map(UserId::from_uuid),
        patient: m.patient_id.map(domain::PatientId::from_uuid),
        outcome: Outcome::parse(&m.outcome)
            .ok_or_else(|| corrupt("audit_pending.outcome", &m.outcome))?,
        client: client_addr(m.client_addr.as_deref(), "audit_pending.client_addr")?,
    })
}

fn log_row(record: AuditRecord) -> audit_log::ActiveModel {
    let e = record.event;
    audit_log::ActiveModel {
        seq: Set(record.seq),
        id: Set(record.id.as_uuid()),
        at: Set(record.at),
        actor_id: Set(e.actor.map(|a| a.as_uuid())),
        action: Set(e.action),
        entity: Set(e.entity),
        entity_id: Set(e.entity_id),
        subject_id: Set(e.subject.map(|s| s.as_uuid())),
        outcome: Set(e.outcome.as_str().to_owned()),
        prev_hash: Set(record.prev_hash),
        hash: Set(record.hash),
        patient_id: Set(e.patient.map(|p| p.as_uuid())),
        client_addr: Set(e.client.map(|c| c.to_string())),
    }
}

fn client_addr(stored: Option<&str>, column: &str) -> Result<Option<std::net::IpAddr>, StoreError> {
    stored
        .map(|a| a.parse().map_err(|_| corrupt(column, a)))
        .transpose()
}

/// A read's entry waiting for the group commit, and where to say how it went.
type Waiting = (
    AuditEvent,
    DateTime<Utc>,
    oneshot::Sender<Result<(), StoreError>>,
);

/// Entries one group commit writes at most.
const GROUP: usize = 2000;

/// Writes every entry waiting at that moment in one transaction, then answers each
/// waiting request; under load the groups grow and the cost per entry falls. Should a
/// group fail, its entries are written one by one, so one bad entry fails only its own
/// request.
async fn group_commit(db: Database, mut queue: mpsc::Receiver<Waiting>) {
    let mut group = Vec::with_capacity(GROUP);
    while queue.recv_many(&mut group, GROUP).await > 0 {
        let entries: Vec<_> = group.iter().map(|(e, at, _)| (e.clone(), *at)).collect();
        let written = write_group(&db, entries).await;
        if written.is_ok() || group.len() == 1 {
            for (_, _, reply) in group.drain(..) {
                // A request that gave up waiting has nobody to tell.
                let _ = reply.send(written.as_ref().map(|_| ()).map_err(same_error));
            }
            continue;
        }
        for (event, at, reply) in group.drain(..) {
            let _ = reply.send(write_group(&db, vec![(event, at)]).await);
        }
    }
}

async fn write_group(
    db: &Database,
    entries: Vec<(AuditEvent, DateTime<Utc>)>,
) -> Result<(), StoreError> {
    let (_turn, tx) = db.begin_write().await?;
    insert_pending(&tx, entries).await?;
    tx.commit().await.map_err(map_db_err)
}

/// One error told to every request of a failed group.
fn same_error(e: &StoreError) -> StoreError {
    let cause = |c: &anyhow::Error| anyhow::anyhow!("{c:#}");
    match e {
        StoreError::Conflict { what } => StoreError::Conflict { what: *what },
        StoreError::Missing { what } => StoreError::Missing { what: what.clone() },
        StoreError::Contended(c) => StoreError::Contended(cause(c)),
        StoreError::Unavailable(c) => StoreError::Unavailable(cause(c)),
        StoreError::Other(c) => StoreError::Other(cause(c)),
    }
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
            client: client_addr(m.client_addr.as_deref(), "audit.client_addr")?,
        },
        prev_hash: m.prev_hash,
        hash: m.hash,
    })
}

/// The audit log on a sea-orm database.
#[derive(Clone, Debug)]
pub struct SeaOrmAuditStore {
    db: Database,
    /// The group commit's queue, started on first use (on the caller's runtime) and
    /// again should its writer have stopped.
    queue: Arc<Mutex<Option<mpsc::Sender<Waiting>>>>,
}

impl SeaOrmAuditStore {
    /// Wraps a connected database.
    pub fn new(db: Database) -> Self {
        Self {
            db,
            queue: Arc::default(),
        }
    }
}

#[async_trait]
impl AuditStore for SeaOrmAuditStore {
    async fn append(&self, event: AuditEvent, at: DateTime<Utc>) -> Result<(), StoreError> {
        let queue = {
            let mut slot = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            match slot.as_ref().filter(|s| !s.is_closed()) {
                Some(s) => s.clone(),
                None => {
                    let (send, receive) = mpsc::channel(4 * GROUP);
                    tokio::spawn(group_commit(self.db.clone(), receive));
                    slot.insert(send).clone()
                }
            }
        };
        let (reply, answer) = oneshot::channel();
        let gone = || StoreError::Unavailable(anyhow::anyhow!("the audit writer has stopped"));
        queue.send((event, at, reply)).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }

    async fn link_pending(&self, max: u64) -> Result<u64, StoreError> {
        link_pending(&self.db, max).await
    }

    async fn pending(&self) -> Result<u64, StoreError> {
        audit_pending::Entity::find()
            .count(self.db.connection())
            .await
            .map_err(map_db_err)
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
