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
    /// Committed entries not yet linked into the chain (none a quiet second later).
    pub unlinked: u64,
}

/// Entries the chainer links per transaction.
pub const LINK_BATCH: u64 = 1000;

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
                AuditEvent::by(actor, "audit.read", "audit", None, outcome),
                self.clock.now(),
            )
            .await?;
        authorize(actor, &Action::ReadAudit).map_err(AppError::denied)?;
        // Everything committed before this call is listed.
        self.link_waiting().await?;
        Ok(self.store.list(&filter, page).await?)
    }

    /// Links the entries waiting when called into the chain, a batch per transaction;
    /// returns how many it linked. Bounded by what was waiting, however fast new
    /// entries keep coming (those are the next call's).
    pub async fn link_waiting(&self) -> Result<u64, StoreError> {
        let waiting = self.store.pending().await?;
        let mut total = 0;
        for _ in 0..=waiting / LINK_BATCH {
            let n = self.store.link_pending(LINK_BATCH).await?;
            total += n;
            if n < LINK_BATCH {
                break;
            }
        }
        Ok(total)
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
                        unlinked: self.store.pending().await?,
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
            unlinked: self.store.pending().await?,
        })
    }
}

/// The chainer: links committed audit entries into the hash chain every `period`.
pub struct AuditChainJob {
    service: Arc<AuditService>,
    period: std::time::Duration,
}

impl AuditChainJob {
    /// The chainer of `service`, run every `period` (a few milliseconds).
    pub fn new(service: Arc<AuditService>, period: std::time::Duration) -> Self {
        Self { service, period }
    }
}

#[async_trait::async_trait]
impl crate::jobs::Job for AuditChainJob {
    fn name(&self) -> &'static str {
        "audit-chain"
    }

    fn period(&self) -> std::time::Duration {
        self.period
    }

    async fn run(&self) -> Result<crate::jobs::JobRun, AppError> {
        let linked = self.service.link_waiting().await?;
        // Every few milliseconds under load: logged at debug, not as a job run.
        if linked > 0 {
            tracing::debug!(linked, "audit entries linked");
        }
        Ok(crate::jobs::JobRun::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SystemClock;
    use crate::audit::ports::MockAuditStore;
    use crate::jobs::Job;

    #[tokio::test]
    async fn the_chainer_links_batch_after_batch_until_one_is_short() {
        let mut store = MockAuditStore::new();
        store.expect_pending().returning(|| Ok(2 * LINK_BATCH + 7));
        let mut left = 2 * LINK_BATCH + 7;
        store
            .expect_link_pending()
            .times(3)
            .withf(|max| *max == LINK_BATCH)
            .returning(move |max| {
                let n = left.min(max);
                left -= n;
                Ok(n)
            });
        let svc = Arc::new(AuditService::new(Arc::new(store), Arc::new(SystemClock)));
        assert_eq!(
            svc.link_waiting().await.expect("linked"),
            2 * LINK_BATCH + 7
        );
    }

    #[tokio::test]
    async fn verify_reports_entries_not_yet_linked() {
        let mut store = MockAuditStore::new();
        store
            .expect_head()
            .returning(|| Ok((0, domain::audit::GENESIS_HASH.to_owned())));
        store.expect_pending().returning(|| Ok(3));
        let job = AuditChainJob::new(
            Arc::new(AuditService::new(Arc::new(store), Arc::new(SystemClock))),
            std::time::Duration::from_millis(10),
        );
        let report = job.service.verify().await.expect("verify");
        assert_eq!(
            (report.entries, report.error, report.unlinked),
            (0, None, 3)
        );
        assert_eq!(job.name(), "audit-chain");
    }
}
