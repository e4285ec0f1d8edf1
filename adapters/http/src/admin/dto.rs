//! Wire types of the ADMIN resources.

use application::identity::SafeEmail;
use chrono::{DateTime, FixedOffset};
use domain::audit::AuditRecord;
use poem_openapi::Object;
use uuid::Uuid;

use crate::common::{ClinicZone, page_dto};
use crate::identity::dto::{RoleDto, UserDto};

page_dto!(UserPage, UserDto, "A page of users.");
page_dto!(SafeEmailPage, SafeEmailDto, "A page of safe-list entries.");
page_dto!(
    AuditPage,
    AuditDto,
    "A page of audit entries, newest first."
);

/// A pre-approved email and the role it grants at registration.
#[derive(Debug, Clone, Object)]
pub struct SafeEmailDto {
    /// Identity.
    pub id: Uuid,
    /// The address.
    pub email: String,
    /// Role granted at registration.
    pub role: RoleDto,
    /// Inactive entries grant nothing.
    pub is_active: bool,
    /// Created (clinic time).
    pub created_at: DateTime<FixedOffset>,
    /// Last changed (clinic time).
    pub updated_at: DateTime<FixedOffset>,
}

/// POST /api/admin/safe-emails.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct SafeEmailRequest {
    /// Institutional email.
    #[oai(validator(max_length = 254))]
    pub email: String,
    /// Role to grant.
    pub role: RoleDto,
}

/// PATCH /api/admin/users/{id}.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct AdminUserPatch {
    /// New role.
    pub role: Option<RoleDto>,
    /// Activate or deactivate (deactivation revokes the user's sessions).
    pub is_active: Option<bool>,
    /// Mark verified or not.
    pub is_verified: Option<bool>,
}

/// One audit entry. Ids and verbs only: no names, no values.
#[derive(Debug, Clone, Object)]
pub struct AuditDto {
    /// Position in the hash chain.
    pub seq: i64,
    /// Identity.
    pub id: Uuid,
    /// When (clinic time).
    pub at: DateTime<FixedOffset>,
    /// Who acted (absent for anonymous calls).
    #[oai(skip_serializing_if_is_none)]
    pub actor_id: Option<Uuid>,
    /// What, e.g. `auth.login`, `users.update`.
    pub action: String,
    /// On which kind of entity.
    pub entity: String,
    /// Which one.
    #[oai(skip_serializing_if_is_none)]
    pub entity_id: Option<String>,
    /// Whose data it was.
    #[oai(skip_serializing_if_is_none)]
    pub subject_id: Option<Uuid>,
    /// The patient whose clinical data it was.
    #[oai(skip_serializing_if_is_none)]
    pub patient_id: Option<Uuid>,
    /// `success`, `denied` or `failed`.
    pub outcome: String,
    /// The client address the request came from (behind a trusted proxy, from
    /// `X-Forwarded-For`); absent for background jobs and for entries written before it
    /// was recorded.
    #[oai(skip_serializing_if_is_none)]
    pub client_addr: Option<String>,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

pub(super) fn safe_dto(s: SafeEmail, zone: ClinicZone) -> SafeEmailDto {
    SafeEmailDto {
        id: s.id.as_uuid(),
        email: s.email.to_string(),
        role: s.role.into(),
        is_active: s.is_active,
        created_at: zone.show(s.created_at),
        updated_at: zone.show(s.updated_at),
    }
}

pub(super) fn audit_dto(r: AuditRecord, zone: ClinicZone) -> AuditDto {
    AuditDto {
        seq: r.seq,
        id: r.id.as_uuid(),
        at: zone.show(r.at),
        actor_id: r.event.actor.map(|a| a.as_uuid()),
        action: r.event.action,
        entity: r.event.entity,
        entity_id: r.event.entity_id,
        subject_id: r.event.subject.map(|s| s.as_uuid()),
        patient_id: r.event.patient.map(|p| p.as_uuid()),
        outcome: r.event.outcome.as_str().into(),
        client_addr: r.event.client.map(|c| c.to_string()),
        prev_hash: r.prev_hash,
        hash: r.hash,
    }
}
