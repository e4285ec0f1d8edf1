//! Liveness and readiness.

use async_trait::async_trait;

use crate::StoreError;

/// Answers whether the database is reachable.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait DatabaseProbe: Send + Sync {
    /// A trivial round trip.
    async fn ping(&self) -> Result<(), StoreError>;
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
}

/// The readiness check's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// Whether the server can serve requests.
    pub ready: bool,
    /// The database backend.
    pub database: &'static str,
    /// Why not, when not ready.
    pub problem: Option<String>,
}

/// Checks readiness.
pub async fn readiness(probe: &dyn DatabaseProbe) -> Readiness {
    match probe.ping().await {
        Ok(()) => Readiness {
            ready: true,
            database: probe.backend(),
            problem: None,
        },
        Err(e) => Readiness {
            ready: false,
            database: probe.backend(),
            problem: Some(e.to_string()),
        },
    }
}
