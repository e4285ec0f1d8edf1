//! The admin capability (ADMIN only): users, the safe list, the audit log.

mod api;
pub mod dto;

pub use api::{AuditApi, SafeEmailsApi, UsersApi};

use crate::Services;
use crate::common::ClinicZone;

/// The ADMIN resources, in the order of the published document.
pub type AdminApi = (UsersApi, SafeEmailsApi, AuditApi);

/// The ADMIN resources over the identity and audit use cases.
pub fn api(services: &Services, zone: ClinicZone) -> AdminApi {
    (
        UsersApi {
            identity: services.identity.clone(),
            zone,
        },
        SafeEmailsApi {
            identity: services.identity.clone(),
            zone,
        },
        AuditApi {
            audit: services.audit.clone(),
            zone,
        },
    )
}
