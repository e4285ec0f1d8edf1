//! Identity and access use cases: registration, verification, login, sessions, password
//! changes and resets, the user directory, the safe list, demo and bootstrap accounts.

mod admin;
mod bootstrap;
pub mod emails;
mod passwords;
pub mod ports;
mod profile;
mod queue;
mod registration;
pub mod service;
mod sessions;
#[cfg(test)]
mod tests;

#[cfg(any(test, feature = "mocks"))]
pub use ports::MockIdentityOps;
pub use ports::{
    AuthContext, IdentityOps, IdentityStore, PasswordHasher, SafeEmail, Session, UserFilter,
    UserRecord,
};
pub use service::{
    AdminUserChange, DemoAccounts, IdentityConfig, IdentityService, LoginCommand, LoginOutcome,
    ProfileChange, RegisterCommand,
};
