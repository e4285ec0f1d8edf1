//! Audit use cases.

use std::sync::Arc;

use domain::audit::{AuditEvent, AuditRecord, ChainError, ChainVerifier, Outcome};
use domain::paging::{Page, PageRequest};
use domain::policy::{Action, Actor, authorize};

use super::ports::{AuditFilter, AuditStore};
use crate::{AppError, Clock, StoreError};

/// The result of checking the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    /// Entries checked.
    pub entries: u64,
    /// The first break found, if any.
    pub error: Option<String>,
}

/// Audit use cases.
pub struct AuditService {
    store: Arc<dyn AuditStore>,
    clock: Arc<dyn Clock>,
}

impl AuditService {
    /// Wires the use cases.
    pub fn new(store: Arc<dyn AuditStore>, clock: Arc<dyn Clock>) -> Self {
        Self { store, clock }
    }

    /// ADMIN: lists entries (reads included). Reading the log is itself audited.
    pub async fn list(
        &self,
        actor: &Actor,
        filter: AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditRecord>, AppError> {
        let outcome = match authorize(actor, &Action::ReadAudit) {
            Ok(()) => Outcome::Success,
            Err(_) => Outcome::Denied,
        };
        self.store
            .append(
                AuditEvent::new(Some(actor.user_id), "audit.read", "audit", None, outcome),
                self.clock.now(),
            )
            .await?;
        authorize(actor, &Action::ReadAudit).map_err(AppError::denied)?;
        Ok(self.store.list(&filter, page).await?)
    }

    /// Verifies every entry's hash and link up to the stored head, then that the head's
    /// hash is the last entry's (so deleting the newest entries is detected too). The head
    /// is read first: entries appended while this runs are beyond it and not a false alarm.
    pub async fn verify(&self) -> Result<ChainReport, StoreError> {
        const PAGE: u64 = 1000;
        let (head_seq, head_hash) = self.store.head().await?;
        let mut verifier = ChainVerifier::default();
        let mut after = 0;
        while after < head_seq {
            let batch = self.store.scan(after, PAGE).await?;
            if batch.is_empty() {
                break;
            }
            for r in batch.iter().take_while(|r| r.seq <= head_seq) {
                if let Err(e) = verifier.push(r) {
                    return Ok(ChainReport {
                        entries: verifier.checked(),
                        error: Some(e.to_string()),
                    });
                }
                after = r.seq;
            }
            if batch.last().is_some_and(|r| r.seq > head_seq) {
                break;
            }
        }
        let error = if after != head_seq {
            Some(
                ChainError::Gap {
                    expected: head_seq,
                    found: after,
                }
                .to_string(),
            )
        } else if head_seq > 0 && head_hash != verifier.last_hash() {
            Some(ChainError::Link { seq: head_seq }.to_string())
        } else {
            None
        };
        Ok(ChainReport {
            entries: verifier.checked(),
            error,
        })
    }
}
