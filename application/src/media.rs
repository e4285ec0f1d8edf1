//! The media port: where uploaded files live (patient documents, campaign images).
//! Later capabilities build on it; the foundation ships the port and its adapter.

use async_trait::async_trait;

/// Stores bytes under a key. Keys are chosen by the application (never by a client), so
/// no path from outside reaches the store.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MediaStore: Send + Sync {
    /// Stores `bytes` at `key`, replacing what was there.
    async fn put(&self, key: &str, bytes: Vec<u8>) -> anyhow::Result<()>;
    /// The bytes at `key`, or `None`.
    async fn get(&self, key: &str) -> anyhow::Result<Option<Vec<u8>>>;
    /// Deletes `key` (no error when absent).
    async fn delete(&self, key: &str) -> anyhow::Result<()>;
    /// Whether the store answers (for readiness checks).
    async fn healthy(&self) -> bool;
}
