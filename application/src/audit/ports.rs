//! Audit ports.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::UserId;
use domain::audit::{AuditEvent, AuditRecord};
use domain::paging::{Page, PageRequest};

use crate::StoreError;

/// Audit search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this actor's entries.
    pub actor: Option<UserId>,
    /// Only entries about this person's data.
    pub subject: Option<UserId>,
    /// Only entries about this patient's clinical data.
    pub patient: Option<domain::PatientId>,
    /// From this time (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// Until this time (exclusive).
    pub to: Option<DateTime<Utc>>,
}

/// Reads and appends the hash-chained log.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Appends one entry in its own transaction (reads use this): durable when it
    /// returns, linked into the chain by [`AuditStore::link_pending`] shortly after.
    /// Concurrent appends may share one transaction (group commit).
    async fn append(&self, event: AuditEvent, at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Links up to `max` committed entries, oldest first, into the hash chain in one
    /// transaction; returns how many it linked.
    async fn link_pending(&self, max: u64) -> Result<u64, StoreError>;
    /// How many committed entries wait to be linked.
    async fn pending(&self) -> Result<u64, StoreError>;
    /// Lists entries, newest first.
    async fn list(
        &self,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditRecord>, StoreError>;
    /// Up to `limit` entries with `seq > after`, in seq order.
    async fn scan(&self, after: i64, limit: u64) -> Result<Vec<AuditRecord>, StoreError>;
    /// The chain's head as stored: (seq, hash) of the last entry appended.
    async fn head(&self) -> Result<(i64, String), StoreError>;
}
