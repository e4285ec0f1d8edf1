//! USC-PIS application layer: use cases behind port traits.
//!
//! Ports (`*::ports`) are object-safe `async_trait` traits used as `Arc<dyn Port>`, so the
//! server picks adapters at run time. With the `mocks` feature every port also has a
//! mockall `Mock*` type for other crates' tests. Depends on `domain` only (plus small
//! pure helpers: async-trait, thiserror, anyhow, chrono, uuid, getrandom, sha2).

#![warn(missing_docs)]

pub mod appointment;
pub mod audit;
pub mod clinical;
pub mod clock;
pub mod error;
mod fields;
pub mod health;
pub mod identity;
pub mod jobs;
pub mod mail;
pub mod media;
pub mod notification;
pub mod rate_limit;
pub mod secrets;
pub mod store;
pub mod unit_of_work;

pub use clock::{Clock, SystemClock};
pub use error::{AppError, Details, ErrorCode};
pub use store::{Constraint, StoreError};
pub use unit_of_work::{UnitOfWork, commit_audited, retrying};
