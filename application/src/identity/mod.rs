//! Identity and access use cases: registration, verification, login, sessions, password
//! changes and resets, the user directory, the safe list, demo and bootstrap accounts.

pub mod emails;
pub mod ports;
pub mod service;
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
