//! Mail: the `Mailer` port, the durable outbox and its delivery worker.
//!
//! Use cases never send mail directly: they enqueue an [`OutgoingEmail`] in the same
//! transaction as their change; [`OutboxService::deliver_due`] later hands it to the
//! [`Mailer`] with retries and exponential backoff.

pub mod outbox;
pub mod ports;

pub use outbox::{DeliveryReport, OutboxJob, OutboxService, RetryPolicy};
pub use ports::{MailError, Mailer, OutboxMessage, OutboxStatus, OutboxStore, OutgoingEmail};
