//! /api/admin/*: users, safe list, audit log (ADMIN).

use std::sync::Arc;

use application::audit::{AuditFilter, AuditService};
use application::identity::{AdminUserChange, IdentityService, SafeEmail, UserFilter};
use chrono::{DateTime, FixedOffset, Utc};
use domain::audit::AuditRecord;
use domain::{SafeEmailId, UserId};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use uuid::Uuid;

use crate::common::{ApiTags, BearerAuth, ClinicZone, api_errors, page, page_dto};
use crate::dto::{RoleDto, UserDto};

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
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

fn safe_dto(s: SafeEmail, zone: ClinicZone) -> SafeEmailDto {
    SafeEmailDto {
        id: s.id.as_uuid(),
        email: s.email.to_string(),
        role: s.role.into(),
        is_active: s.is_active,
        created_at: zone.show(s.created_at),
        updated_at: zone.show(s.updated_at),
    }
}

fn audit_dto(r: AuditRecord, zone: ClinicZone) -> AuditDto {
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
        prev_hash: r.prev_hash,
        hash: r.hash,
    }
}

/// 200 with a page of users.
#[derive(Debug, ApiResponse)]
pub enum UserPageOk {
    /// The page.
    #[oai(status = 200)]
    Ok(Json<UserPage>),
}
/// 200 with a user.
#[derive(Debug, ApiResponse)]
pub enum AdminUserOk {
    /// The user.
    #[oai(status = 200)]
    Ok(Json<UserDto>),
}
/// 200 with a page of safe-list entries.
#[derive(Debug, ApiResponse)]
pub enum SafeEmailPageOk {
    /// The page.
    #[oai(status = 200)]
    Ok(Json<SafeEmailPage>),
}
/// 201 (new) or 200 (reactivated) with the entry.
#[derive(Debug, ApiResponse)]
pub enum SafeEmailSaved {
    /// Added.
    #[oai(status = 201)]
    Created(Json<SafeEmailDto>),
    /// It existed: reactivated with this role.
    #[oai(status = 200)]
    Updated(Json<SafeEmailDto>),
}
/// 204.
#[derive(Debug, ApiResponse)]
pub enum DeletedOk {
    /// Deleted.
    #[oai(status = 204)]
    Deleted,
}
/// 200 with a page of audit entries.
#[derive(Debug, ApiResponse)]
pub enum AuditPageOk {
    /// The page.
    #[oai(status = 200)]
    Ok(Json<AuditPage>),
}

api_errors!(
    /// Errors of ADMIN listings.
    pub enum AdminListError {
        BadRequest,
        Unauthorized,
        Forbidden,
    }
);
api_errors!(
    /// Errors of reading one user.
    pub enum AdminGetError {
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
    }
);
api_errors!(
    /// Errors of changing a user: 403 also when the ADMIN targets their own account.
    pub enum AdminPatchError {
        Body,
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
    }
);
api_errors!(
    /// Errors of adding a safe-list entry.
    pub enum SafeEmailAddError {
        Body,
        BadRequest,
        Unauthorized,
        Forbidden,
        Conflict,
    }
);

/// ADMIN endpoints.
pub struct AdminApi {
    /// Identity use cases.
    pub identity: Arc<IdentityService>,
    /// Audit use cases.
    pub audit: Arc<AuditService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Admin")]
impl AdminApi {
    /// Search users by email, name or USC ID; filter by role, activity and verification.
    #[oai(path = "/api/admin/users", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list_users(
        &self,
        auth: BearerAuth,
        search: Query<Option<String>>,
        role: Query<Option<RoleDto>>,
        active: Query<Option<bool>>,
        verified: Query<Option<bool>>,
        #[oai(
            name = "page",
            validator(minimum(value = "1"), maximum(value = "1000000"))
        )]
        page_no: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] page_size: Query<
            Option<u64>,
        >,
    ) -> Result<UserPageOk, AdminListError> {
        let page = page(page_no.0, page_size.0)?;
        let filter = UserFilter {
            search: search.0,
            role: role.0.map(Into::into),
            active: active.0,
            verified: verified.0,
        };
        let result = self
            .identity
            .list_users(&auth.0.actor, filter, page)
            .await?;
        let zone = self.zone;
        Ok(UserPageOk::Ok(Json(UserPage::from_page(result, |u| {
            UserDto::from_user(u, zone)
        }))))
    }

    /// One user.
    #[oai(path = "/api/admin/users/:id", method = "get")]
    async fn get_user(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<AdminUserOk, AdminGetError> {
        let user = self
            .identity
            .get_user(&auth.0.actor, UserId::from_uuid(id.0))
            .await?;
        Ok(AdminUserOk::Ok(Json(UserDto::from_user(user, self.zone))))
    }

    /// Change a user's role, activity or verification (never one's own).
    #[oai(path = "/api/admin/users/:id", method = "patch")]
    async fn patch_user(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<AdminUserPatch>,
    ) -> Result<AdminUserOk, AdminPatchError> {
        let b = body.0;
        let change = AdminUserChange {
            role: b.role.map(|r| r.as_str().to_owned()),
            is_active: b.is_active,
            is_verified: b.is_verified,
        };
        let user = self
            .identity
            .admin_update_user(&auth.0.actor, UserId::from_uuid(id.0), change)
            .await?;
        Ok(AdminUserOk::Ok(Json(UserDto::from_user(user, self.zone))))
    }

    /// The safe list: pre-approved emails and the roles they get at registration.
    #[oai(path = "/api/admin/safe-emails", method = "get")]
    async fn list_safe_emails(
        &self,
        auth: BearerAuth,
        #[oai(
            name = "page",
            validator(minimum(value = "1"), maximum(value = "1000000"))
        )]
        page_no: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] page_size: Query<
            Option<u64>,
        >,
    ) -> Result<SafeEmailPageOk, AdminListError> {
        let page = page(page_no.0, page_size.0)?;
        let result = self.identity.list_safe_emails(&auth.0.actor, page).await?;
        let zone = self.zone;
        Ok(SafeEmailPageOk::Ok(Json(SafeEmailPage::from_page(
            result,
            |s| safe_dto(s, zone),
        ))))
    }

    /// Add an email to the safe list (or reactivate it with a new role).
    #[oai(path = "/api/admin/safe-emails", method = "post")]
    async fn add_safe_email(
        &self,
        auth: BearerAuth,
        body: Json<SafeEmailRequest>,
    ) -> Result<SafeEmailSaved, SafeEmailAddError> {
        let (entry, created) = self
            .identity
            .add_safe_email(&auth.0.actor, &body.email, body.role.as_str())
            .await?;
        let dto = Json(safe_dto(entry, self.zone));
        Ok(if created {
            SafeEmailSaved::Created(dto)
        } else {
            SafeEmailSaved::Updated(dto)
        })
    }

    /// Remove a safe-list entry.
    #[oai(path = "/api/admin/safe-emails/:id", method = "delete")]
    async fn delete_safe_email(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<DeletedOk, AdminGetError> {
        self.identity
            .delete_safe_email(&auth.0.actor, SafeEmailId::from_uuid(id.0))
            .await?;
        Ok(DeletedOk::Deleted)
    }

    /// The audit log, newest first: every change and every read of another person's data.
    /// `patient_id` selects entries about one patient's clinical data, `subject_id`
    /// entries about one user's account or data.
    #[oai(path = "/api/admin/audit", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn audit(
        &self,
        auth: BearerAuth,
        patient_id: Query<Option<Uuid>>,
        subject_id: Query<Option<Uuid>>,
        actor_id: Query<Option<Uuid>>,
        from: Query<Option<DateTime<FixedOffset>>>,
        to: Query<Option<DateTime<FixedOffset>>>,
        #[oai(
            name = "page",
            validator(minimum(value = "1"), maximum(value = "1000000"))
        )]
        page_no: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] page_size: Query<
            Option<u64>,
        >,
    ) -> Result<AuditPageOk, AdminListError> {
        let page = page(page_no.0, page_size.0)?;
        let filter = AuditFilter {
            actor: actor_id.0.map(UserId::from_uuid),
            subject: subject_id.0.map(UserId::from_uuid),
            patient: patient_id.0.map(domain::PatientId::from_uuid),
            from: from.0.map(|t| t.with_timezone(&Utc)),
            to: to.0.map(|t| t.with_timezone(&Utc)),
        };
        let result = self.audit.list(&auth.0.actor, filter, page).await?;
        let zone = self.zone;
        Ok(AuditPageOk::Ok(Json(AuditPage::from_page(result, |r| {
            audit_dto(r, zone)
        }))))
    }
}
