//! Mail ports.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::OutboxId;
use domain::identity::EmailAddress;
use domain::paging::{Page, PageRequest};
use thiserror::Error;

use crate::StoreError;

/// A message to send: plain text plus optional HTML alternative.
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// Recipient.
    pub to: EmailAddress,
    /// Subject, already prefixed with "[USC-PIS] ".
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML alternative.
    pub html: Option<String>,
}

impl fmt::Debug for OutgoingEmail {
    // Bodies carry codes and tokens: never print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingEmail")
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// Where a message is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxStatus {
    /// Waiting for (another) delivery attempt.
    Pending,
    /// Accepted by the mail server.
    Sent,
    /// Given up after the last attempt or a permanent refusal.
    Failed,
}

impl OutboxStatus {
    /// Storage and wire name.
    pub fn as_str(&self) -> &'static str {
        match self {
            OutboxStatus::Pending => "pending",
            OutboxStatus::Sent => "sent",
            OutboxStatus::Failed => "failed",
        }
    }
    /// Parses the storage name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(OutboxStatus::Pending),
            "sent" => Some(OutboxStatus::Sent),
            "failed" => Some(OutboxStatus::Failed),
            _ => None,
        }
    }
}

/// A stored outbox message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    /// Identity; also the message's `Message-ID`, so a resend is recognisable downstream.
    pub id: OutboxId,
    /// The message.
    pub email: OutgoingEmail,
    /// Lifecycle state.
    pub status: OutboxStatus,
    /// Delivery attempts so far (including the one in progress after a claim).
    pub attempts: u32,
    /// Not before this time.
    pub next_attempt_at: DateTime<Utc>,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// When enqueued.
    pub created_at: DateTime<Utc>,
    /// When the server accepted it.
    pub sent_at: Option<DateTime<Utc>>,
}

/// Why a send failed.
#[derive(Debug, Error)]
pub enum MailError {
    /// Worth retrying (server down, timeout, 4xx reply).
    #[error("transient mail failure: {0}")]
    Transient(String),
    /// Retrying will not help (5xx reply, malformed message).
    #[error("permanent mail failure: {0}")]
    Permanent(String),
}

/// Sends one message now.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Delivers `email` with `message_id` as its Message-ID local part.
    /// Returns `Transient` when a retry may succeed, `Permanent` otherwise.
    async fn send(&self, message_id: OutboxId, email: &OutgoingEmail) -> Result<(), MailError>;
    /// The transport's name for status pages (`smtp`, `file`).
    fn transport(&self) -> &'static str;
}

/// The durable outbox's storage.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Claims up to `limit` pending messages due at `now`, leasing each until
    /// `lease_until` so no other worker takes them; counts the attempt.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u64,
    ) -> Result<Vec<OutboxMessage>, StoreError>;
    /// Marks claimed messages sent (one statement for the lot).
    async fn mark_sent(&self, ids: &[OutboxId], at: DateTime<Utc>) -> Result<(), StoreError>;
    /// Records a failed attempt: back to pending at `retry_at`, or failed for good when `None`.
    async fn mark_attempt_failed(
        &self,
        id: OutboxId,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), StoreError>;
    /// Lists messages, newest first, optionally of one status.
    async fn list(
        &self,
        status: Option<OutboxStatus>,
        page: PageRequest,
    ) -> Result<Page<OutboxMessage>, StoreError>;
}
