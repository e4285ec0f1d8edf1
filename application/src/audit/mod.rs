//! The audit log: listing (ADMIN) and chain verification (`usc-pis audit verify`).

pub mod ports;
pub mod service;

pub use ports::{AuditFilter, AuditStore};
pub use service::{AuditService, ChainReport};
