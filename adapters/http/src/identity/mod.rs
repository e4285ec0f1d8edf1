//! The identity capability: /api/auth (accounts, sessions, passwords, own profile). The
//! account types (`UserDto`, `RoleDto`) serve the admin capability too.

mod api;
pub mod dto;

pub use api::IdentityApi;

use crate::Services;
use crate::common::ClinicZone;

/// The identity resources over the identity use cases.
pub fn api(services: &Services, zone: ClinicZone) -> IdentityApi {
    IdentityApi {
        identity: services.identity.clone(),
        zone,
    }
}
