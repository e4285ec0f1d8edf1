//! Background work as one abstraction: a [`Job`] has a name, a period and a `run`; the
//! server runs every job of its list on its period until shutdown. A job that must run
//! on one instance at a time takes a [`JobLease`] first.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{AppError, StoreError};

/// What one run of a job did: named counts, for the log (all zero: nothing to say).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobRun(pub Vec<(&'static str, u64)>);

impl JobRun {
    /// Whether the run did anything worth logging.
    pub fn is_idle(&self) -> bool {
        self.0.iter().all(|(_, n)| *n == 0)
    }
}

/// A piece of background work run every `period`.
#[async_trait]
pub trait Job: Send + Sync {
    /// Stable name (logs, leases).
    fn name(&self) -> &'static str;
    /// How long to wait between the end of one run and the start of the next.
    fn period(&self) -> Duration;
    /// One run. An error is logged and the job runs again after its period.
    async fn run(&self) -> Result<JobRun, AppError>;
}

/// A lease in the database that keeps one server instance on a job at a time.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait JobLease: Send + Sync {
    /// Takes or renews the lease on `job` for `holder` until `until`; `false` if another
    /// holder has an unexpired one.
    async fn try_lease(
        &self,
        job: &str,
        holder: &str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
}
