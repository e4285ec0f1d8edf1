//! USC-PIS domain: the clinic's entities, value objects and rules.
//!
//! Pure Rust: no I/O, no async, no ORM, no web types. Every value with a rule is a
//! newtype with a private field and a fallible constructor, so an invalid entity cannot
//! exist. Randomness and time come in from the caller (application layer), which keeps
//! every rule here deterministic and unit-testable.
//!
//! Architecture invariant (checked by `.ci/run` with `cargo tree`): this crate depends on
//! no I/O crate (tokio, sea-orm, sqlx, poem, lettre, object_store).

#![warn(missing_docs)]

pub mod appointment;
pub mod audit;
pub mod clinical;
pub mod document;
pub mod identity;
pub mod ids;
pub mod paging;
pub mod policy;

pub use ids::*;
