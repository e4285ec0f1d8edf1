//! One unit of work shared by every capability.
//!
//! A store's `begin()` opens one write transaction and returns it as a
//! [`UnitOfWork`]. Through it a use case reaches each capability's operations
//! (`tx.identity()`, `tx.clinical()`, `tx.appointments()`, later `tx.inventory()`), the
//! things every change may carry (an audit entry, an email in the outbox, an in-app
//! notification), and one `commit`. So a use case can change two capabilities and
//! commit once; dropping the unit uncommitted rolls everything back, its audit entry and
//! mail included.
//!
//! **Lock order.** A transaction that takes locks takes them in this order, so two use
//! cases can never wait for each other in a cycle: the clinic lock, then provider locks,
//! then rows (each row read `FOR UPDATE` through the unit). Should the database still
//! report a deadlock or a serialization failure ([`StoreError::Contended`]), the whole
//! use case is run again by [`retrying`], a bounded number of times, before it answers
//! 503.

use std::future::Future;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::audit::AuditEvent;

use crate::appointment::AppointmentOps;
use crate::clinical::ClinicalOps;
use crate::identity::IdentityOps;
use crate::mail::OutgoingEmail;
use crate::notification::Notification;
use crate::{AppError, StoreError};

/// One write transaction across capabilities. Errors: see each capability's operations;
/// every method may return `Unavailable` or `Contended`.
#[async_trait]
pub trait UnitOfWork: Send {
    /// Identity operations in this transaction.
    fn identity(&mut self) -> &mut dyn IdentityOps;
    /// Clinical operations in this transaction.
    fn clinical(&mut self) -> &mut dyn ClinicalOps;
    /// Appointment operations in this transaction.
    fn appointments(&mut self) -> &mut dyn AppointmentOps;
    /// Appends an entry to the audit log, committed with the change.
    async fn append_audit(
        &mut self,
        event: AuditEvent,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Enqueues an email in the outbox (sent by the worker after commit).
    async fn enqueue_mail(
        &mut self,
        email: &OutgoingEmail,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Inserts an in-app notification.
    async fn notify(&mut self, n: &Notification) -> Result<(), StoreError>;
    /// Commits everything.
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// Appends the change's audit entries and commits, as one: every write use case ends so.
pub async fn commit_audited(
    mut tx: Box<dyn UnitOfWork>,
    entries: impl IntoIterator<Item = AuditEvent> + Send,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for e in entries {
        tx.append_audit(e, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// How often a use case is tried when its transaction meets a deadlock or a
/// serialization failure.
pub const ATTEMPTS: u32 = 4;

/// Runs `attempt` (a whole use case: begin, work, commit) again when the database
/// aborted it for contention ([`AppError::Contended`]), up to [`ATTEMPTS`] times in
/// all; the last contention answers 503. Any other outcome is returned at once. A
/// transaction aborted this way wrote nothing, so running it again is safe.
pub async fn retrying<T, F, Fut>(mut attempt: F) -> Result<T, AppError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let mut tries = 1;
    loop {
        match attempt().await {
            Err(AppError::Contended(e)) if tries < ATTEMPTS => {
                tracing::debug!(error = %e, tries, "transaction aborted for contention; trying again");
                tries += 1;
            }
            Err(AppError::Contended(e)) => return Err(AppError::Unavailable(e)),
            other => return other,
        }
    }
}

#[cfg(any(test, feature = "mocks"))]
pub use mocks::{MockTx, MockWork};

#[cfg(any(test, feature = "mocks"))]
mod mocks {
    use super::*;
    use crate::appointment::MockAppointmentOps;
    use crate::clinical::MockClinicalOps;
    use crate::identity::MockIdentityOps;

    /// The capability-independent part of a unit of work, for expectations.
    #[mockall::automock]
    #[async_trait]
    pub trait Work: Send {
        /// See [`UnitOfWork::append_audit`].
        async fn append_audit(
            &mut self,
            event: AuditEvent,
            at: DateTime<Utc>,
        ) -> Result<(), StoreError>;
        /// See [`UnitOfWork::enqueue_mail`].
        async fn enqueue_mail(
            &mut self,
            email: &OutgoingEmail,
            now: DateTime<Utc>,
        ) -> Result<(), StoreError>;
        /// See [`UnitOfWork::notify`].
        async fn notify(&mut self, n: &Notification) -> Result<(), StoreError>;
        /// See [`UnitOfWork::commit`].
        async fn commit(self: Box<Self>) -> Result<(), StoreError>;
    }

    /// A unit of work made of mocks: set expectations on each capability's operations
    /// and on `work` (audit, mail, notifications, commit).
    #[derive(Default)]
    pub struct MockTx {
        /// Identity operations.
        pub identity: MockIdentityOps,
        /// Clinical operations.
        pub clinical: MockClinicalOps,
        /// Appointment operations.
        pub appointments: MockAppointmentOps,
        /// Audit, mail, notifications and commit.
        pub work: MockWork,
    }

    #[async_trait]
    impl UnitOfWork for MockTx {
        fn identity(&mut self) -> &mut dyn IdentityOps {
            &mut self.identity
        }
        fn clinical(&mut self) -> &mut dyn ClinicalOps {
            &mut self.clinical
        }
        fn appointments(&mut self) -> &mut dyn AppointmentOps {
            &mut self.appointments
        }
        async fn append_audit(
            &mut self,
            event: AuditEvent,
            at: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            self.work.append_audit(event, at).await
        }
        async fn enqueue_mail(
            &mut self,
            email: &OutgoingEmail,
            now: DateTime<Utc>,
        ) -> Result<(), StoreError> {
            self.work.enqueue_mail(email, now).await
        }
        async fn notify(&mut self, n: &Notification) -> Result<(), StoreError> {
            self.work.notify(n).await
        }
        async fn commit(self: Box<Self>) -> Result<(), StoreError> {
            Box::new(self.work).commit().await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn contention_is_retried_then_answers_unavailable() {
        let mut calls = 0;
        let r: Result<(), AppError> = retrying(|| {
            calls += 1;
            async { Err(AppError::Contended(anyhow::anyhow!("deadlock detected"))) }
        })
        .await;
        assert_eq!(calls, ATTEMPTS);
        assert!(matches!(r, Err(AppError::Unavailable(_))), "{r:?}");
    }

    #[tokio::test]
    async fn a_retry_that_succeeds_returns_its_value_and_other_errors_are_not_retried() {
        let mut calls = 0;
        let r = retrying(|| {
            calls += 1;
            let n = calls;
            async move {
                if n < 3 {
                    Err(AppError::Contended(anyhow::anyhow!("40001")))
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(r.ok(), Some(3));

        let mut calls = 0;
        let r: Result<(), AppError> = retrying(|| {
            calls += 1;
            async { Err(AppError::NotFound { what: "patient" }) }
        })
        .await;
        assert_eq!(calls, 1);
        assert!(matches!(r, Err(AppError::NotFound { .. })));
    }
}
