//! The one unit of work: a write transaction that every capability's operations run in.
//!
//! `SeaOrmUnitOfWork` implements each capability's operations trait (identity in
//! `identity.rs`, clinical in `clinical.rs`, appointments in `appointments.rs`), and the
//! shared parts here: audit entries, outbox mail, in-app notifications and the commit.

use std::sync::Arc;

use application::appointment::AppointmentOps;
use application::clinical::ClinicalOps;
use application::identity::IdentityOps;
use application::mail::OutgoingEmail;
use application::notification::Notification;
use application::{StoreError, UnitOfWork};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::audit::AuditEvent;
use sea_orm::{DatabaseTransaction, DbBackend};

use crate::WriteTurn;
use crate::error::map_db_err;
use crate::session_cache::SessionCache;

/// One write transaction (`BEGIN IMMEDIATE` on SQLite), committed once.
pub struct SeaOrmUnitOfWork {
    pub(crate) tx: DatabaseTransaction,
    /// The turn at SQLite's writer, released when the unit ends.
    _turn: WriteTurn,
    pub(crate) backend: DbBackend,
    pub(crate) cache: Arc<SessionCache>,
    /// Set by writes that can change what a token lookup returns.
    pub(crate) touches_sessions: bool,
}

impl SeaOrmUnitOfWork {
    pub(crate) fn new(
        tx: DatabaseTransaction,
        turn: WriteTurn,
        backend: DbBackend,
        cache: Arc<SessionCache>,
    ) -> Self {
        Self {
            tx,
            _turn: turn,
            backend,
            cache,
            touches_sessions: false,
        }
    }
}

#[async_trait]
impl UnitOfWork for SeaOrmUnitOfWork {
    fn identity(&mut self) -> &mut dyn IdentityOps {
        self
    }

    fn clinical(&mut self) -> &mut dyn ClinicalOps {
        self
    }

    fn appointments(&mut self) -> &mut dyn AppointmentOps {
        self
    }

    async fn append_audit(
        &mut self,
        event: AuditEvent,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        crate::audit::append(&self.tx, event, at).await
    }

    async fn enqueue_mail(
        &mut self,
        email: &OutgoingEmail,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        crate::outbox::enqueue(&self.tx, email, now).await
    }

    async fn notify(&mut self, n: &Notification) -> Result<(), StoreError> {
        crate::notifications::insert(&self.tx, n).await
    }

    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        let result = self.tx.commit().await.map_err(map_db_err);
        if self.touches_sessions {
            // After the commit: a lookup that read the old row before it cannot store it
            // (its generation is now stale), and no later lookup sees the old row.
            self.cache.clear();
        }
        result
    }
}
