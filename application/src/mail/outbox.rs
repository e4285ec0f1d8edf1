//! Delivery of the durable outbox with retries and exponential backoff.
//!
//! Guarantees: a message is enqueued in the transaction of the change that caused it, so
//! it exists iff the change committed; it stays `pending` until the mail server accepts
//! it; a claim is a lease, so a worker that dies mid-send leaves the message to be
//! retried after the lease; a message accepted by the server is marked `sent` and never
//! claimed again. The one window that cannot be closed with SMTP is a crash between the
//! server's acceptance and `mark_sent`: the message is then sent again with the same
//! `Message-ID`, which lets the receiving side discard the duplicate.

use std::sync::Arc;

use chrono::Duration;
use domain::OutboxId;
use futures::StreamExt;

use super::ports::{MailError, Mailer, OutboxStore};
use crate::{Clock, StoreError};

/// When to retry and when to give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay after the first failure; doubled after each further one.
    pub base_delay: Duration,
    /// The longest delay.
    pub max_delay: Duration,
    /// Attempts before a message is marked failed.
    pub max_attempts: u32,
    /// How long a claim lasts before another worker may take the message.
    pub lease: Duration,
    /// Messages per batch.
    pub batch: u64,
    /// Messages sent at once (the SMTP adapter pools as many connections).
    pub concurrency: usize,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base_delay: Duration::seconds(30),
            max_delay: Duration::hours(1),
            max_attempts: 10,
            lease: Duration::minutes(5),
            batch: 50,
            concurrency: 16,
        }
    }
}

impl RetryPolicy {
    /// The delay after `attempts` failed attempts: base × 2^(attempts-1), capped.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let exp = attempts.saturating_sub(1).min(20);
        let delay = self.base_delay * 2i32.pow(exp);
        delay.min(self.max_delay)
    }
}

/// What one delivery pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Accepted by the server.
    pub sent: u32,
    /// Failed, to be retried.
    pub retrying: u32,
    /// Failed for good.
    pub failed: u32,
}

/// The delivery worker's logic (the server runs it in a loop).
pub struct OutboxService {
    store: Arc<dyn OutboxStore>,
    mailer: Arc<dyn Mailer>,
    clock: Arc<dyn Clock>,
    policy: RetryPolicy,
}

impl OutboxService {
    /// Wires the worker.
    pub fn new(
        store: Arc<dyn OutboxStore>,
        mailer: Arc<dyn Mailer>,
        clock: Arc<dyn Clock>,
        policy: RetryPolicy,
    ) -> Self {
        Self {
            store,
            mailer,
            clock,
            policy,
        }
    }

    /// The transport in use.
    pub fn transport(&self) -> &'static str {
        self.mailer.transport()
    }

    /// Records a failed attempt: retried later with backoff, or (`true`) failed for good.
    async fn record_failure(
        &self,
        msg: &super::ports::OutboxMessage,
        err: &MailError,
    ) -> Result<bool, StoreError> {
        let give_up =
            matches!(err, MailError::Permanent(_)) || msg.attempts >= self.policy.max_attempts;
        let retry_at = (!give_up).then(|| self.clock.now() + self.policy.backoff(msg.attempts));
        self.store
            .mark_attempt_failed(msg.id, &err.to_string(), retry_at)
            .await?;
        Ok(give_up)
    }

    /// Delivers the messages due now, one batch at a time. A pass tries each message at
    /// most once: it ends after a short batch or after any failure (the failed message's
    /// next attempt belongs to a later pass).
    pub async fn deliver_due(&self) -> Result<DeliveryReport, StoreError> {
        let mut report = DeliveryReport::default();
        loop {
            let now = self.clock.now();
            let batch = self
                .store
                .claim_due(now, now + self.policy.lease, self.policy.batch)
                .await?;
            let full_batch = batch.len() as u64 >= self.policy.batch;
            let failures_before = report.retrying + report.failed;
            // Several messages in flight at once: one slow or refused address delays only
            // its own message. The sends that have ended are marked together, in one
            // statement: under load that is one write per few messages instead of one
            // each, and when mail trickles in it is still one as soon as each send ends.
            let concurrency = self.policy.concurrency.max(1);
            let mut ended = futures::stream::iter(batch)
                .map(|msg| async move {
                    let outcome = self.mailer.send(msg.id, &msg.email).await;
                    (msg, outcome)
                })
                .buffer_unordered(concurrency)
                .ready_chunks(concurrency);
            // A store error does not cut the batch short: every send already started
            // runs to its end and every accepted message is still marked (marks first,
            // then failures); the first error is returned afterwards.
            let mut store_error = None;
            while let Some(chunk) = ended.next().await {
                let (sent, failed): (Vec<_>, Vec<_>) =
                    chunk.into_iter().partition(|(_, outcome)| outcome.is_ok());
                let sent: Vec<OutboxId> = sent.into_iter().map(|(msg, _)| msg.id).collect();
                if !sent.is_empty() {
                    match self.store.mark_sent(&sent, self.clock.now()).await {
                        Ok(()) => report.sent += u32::try_from(sent.len()).unwrap_or(u32::MAX),
                        Err(e) => {
                            store_error.get_or_insert(e);
                        }
                    }
                }
                for (msg, outcome) in failed {
                    let Err(err) = outcome else { continue };
                    match self.record_failure(&msg, &err).await {
                        Ok(true) => report.failed += 1,
                        Ok(false) => report.retrying += 1,
                        Err(e) => {
                            store_error.get_or_insert(e);
                        }
                    }
                }
            }
            if let Some(e) = store_error {
                return Err(e);
            }
            if !full_batch || report.retrying + report.failed > failures_before {
                return Ok(report);
            }
        }
    }
}

/// The outbox worker as a background [`Job`](crate::jobs::Job): delivers due messages
/// every `period` (`USCPIS_OUTBOX_POLL_MS`). Safe on several instances: messages are
/// claimed with a lease.
pub struct OutboxJob {
    service: Arc<OutboxService>,
    period: std::time::Duration,
}

impl OutboxJob {
    /// The job of `service`, run every `period`.
    pub fn new(service: Arc<OutboxService>, period: std::time::Duration) -> Self {
        Self { service, period }
    }
}

#[async_trait::async_trait]
impl crate::jobs::Job for OutboxJob {
    fn name(&self) -> &'static str {
        "outbox"
    }

    fn period(&self) -> std::time::Duration {
        self.period
    }

    async fn run(&self) -> Result<crate::jobs::JobRun, crate::AppError> {
        let r = self.service.deliver_due().await?;
        Ok(crate::jobs::JobRun(vec![
            ("sent", u64::from(r.sent)),
            ("retrying", u64::from(r.retrying)),
            ("failed", u64::from(r.failed)),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::MockClock;
    use crate::mail::ports::{
        MockMailer, MockOutboxStore, OutboxMessage, OutboxStatus, OutgoingEmail,
    };
    use chrono::{DateTime, Utc};
    use domain::OutboxId;
    use domain::identity::EmailAddress;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid")
    }

    fn msg(attempts: u32) -> OutboxMessage {
        OutboxMessage {
            id: OutboxId::new(),
            email: OutgoingEmail {
                to: EmailAddress::parse("a@usc.edu.ph").expect("valid"),
                subject: "[USC-PIS] hi".into(),
                text: "hello".into(),
                html: None,
            },
            status: OutboxStatus::Pending,
            attempts,
            next_attempt_at: t0(),
            last_error: None,
            created_at: t0(),
            sent_at: None,
        }
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1), Duration::seconds(30));
        assert_eq!(p.backoff(2), Duration::seconds(60));
        assert_eq!(p.backoff(4), Duration::seconds(240));
        assert_eq!(p.backoff(30), Duration::hours(1));
    }

    /// One delivery pass with the default policy, at `t0`.
    async fn try_deliver(
        store: MockOutboxStore,
        mailer: MockMailer,
    ) -> Result<DeliveryReport, StoreError> {
        let mut clock = MockClock::new();
        clock.expect_now().returning(t0);
        OutboxService::new(
            Arc::new(store),
            Arc::new(mailer),
            Arc::new(clock),
            RetryPolicy::default(),
        )
        .deliver_due()
        .await
    }

    async fn run(
        mailer_result: fn() -> Result<(), MailError>,
        attempts: u32,
    ) -> (DeliveryReport, Option<Option<DateTime<Utc>>>) {
        let m = msg(attempts);
        let id = m.id;
        let mut store = MockOutboxStore::new();
        let mut first = Some(vec![m]);
        store
            .expect_claim_due()
            .returning(move |_, _, _| Ok(first.take().unwrap_or_default()));
        let recorded = Arc::new(std::sync::Mutex::new(None));
        let r2 = recorded.clone();
        store
            .expect_mark_sent()
            .withf(move |ids, _| ids == [id])
            .returning(|_, _| Ok(()));
        store
            .expect_mark_attempt_failed()
            .returning(move |_, _, retry| {
                *r2.lock().expect("lock") = Some(retry);
                Ok(())
            });
        let mut mailer = MockMailer::new();
        mailer.expect_send().returning(move |_, _| mailer_result());
        let report = try_deliver(store, mailer).await.expect("store ok");
        let r = *recorded.lock().expect("lock");
        (report, r)
    }

    #[tokio::test]
    async fn sent_transient_and_permanent_failures() {
        let (r, rec) = run(|| Ok(()), 1).await;
        assert_eq!(
            r,
            DeliveryReport {
                sent: 1,
                retrying: 0,
                failed: 0
            }
        );
        assert_eq!(rec, None);

        let (r, rec) = run(|| Err(MailError::Transient("down".into())), 2).await;
        assert_eq!(
            r,
            DeliveryReport {
                sent: 0,
                retrying: 1,
                failed: 0
            }
        );
        assert_eq!(rec, Some(Some(t0() + Duration::seconds(60))));

        let (r, rec) = run(|| Err(MailError::Transient("down".into())), 10).await;
        assert_eq!(r.failed, 1, "gives up after max attempts");
        assert_eq!(rec, Some(None));

        let (r, rec) = run(|| Err(MailError::Permanent("550".into())), 1).await;
        assert_eq!(r.failed, 1, "a permanent refusal is not retried");
        assert_eq!(rec, Some(None));
    }

    /// Three claimed messages whose middle one the server refuses for now: the other
    /// two must be marked sent in one write; recording the refusal answers `failure`.
    fn mixed_batch(failure: fn() -> Result<(), StoreError>) -> (MockOutboxStore, MockMailer) {
        let batch: Vec<OutboxMessage> = (0..3).map(|_| msg(1)).collect();
        let (ok_a, bad, ok_b) = (batch[0].id, batch[1].id, batch[2].id);
        let mut store = MockOutboxStore::new();
        let mut first = Some(batch);
        store
            .expect_claim_due()
            .returning(move |_, _, _| Ok(first.take().unwrap_or_default()));
        store
            .expect_mark_sent()
            .times(1)
            .withf(move |ids, _| ids.len() == 2 && ids.contains(&ok_a) && ids.contains(&ok_b))
            .returning(|_, _| Ok(()));
        store
            .expect_mark_attempt_failed()
            .times(1)
            .withf(move |id, _, retry| *id == bad && retry.is_some())
            .returning(move |_, _, _| failure());
        let mut mailer = MockMailer::new();
        mailer.expect_send().returning(move |id, _| {
            if id == bad {
                Err(MailError::Transient("busy".into()))
            } else {
                Ok(())
            }
        });
        (store, mailer)
    }

    #[tokio::test]
    async fn sends_that_end_together_are_marked_in_one_write_and_failures_apart() {
        let (store, mailer) = mixed_batch(|| Ok(()));
        let report = try_deliver(store, mailer).await.expect("store ok");
        assert_eq!(
            report,
            DeliveryReport {
                sent: 2,
                retrying: 1,
                failed: 0
            }
        );
    }

    #[tokio::test]
    async fn a_store_error_on_one_failure_still_marks_the_sent_ones() {
        let (store, mailer) =
            mixed_batch(|| Err(StoreError::Other(anyhow::anyhow!("database is locked"))));
        let got = try_deliver(store, mailer).await;
        assert!(got.is_err(), "the store error is reported: {got:?}");
    }
}
