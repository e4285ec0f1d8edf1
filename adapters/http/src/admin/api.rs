//! /api/admin/*: users, safe list, audit log (ADMIN).

use std::sync::Arc;

use application::audit::{AuditFilter, AuditService};
use application::identity::{AdminUserChange, IdentityService, UserFilter};
use chrono::{DateTime, FixedOffset};
use domain::{SafeEmailId, UserId};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, OpenApi};
use uuid::Uuid;

use super::dto::{
    AdminUserPatch, AuditPage, SafeEmailDto, SafeEmailPage, SafeEmailRequest, UserPage, audit_dto,
    safe_dto,
};
use crate::common::{ApiTags, BearerAuth, ClinicZone, NoContent, ReadError, api_errors, page, utc};
use crate::identity::dto::{RoleDto, UserDto};

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

/// User administration.
pub struct UsersApi {
    /// Identity use cases.
    pub identity: Arc<IdentityService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Admin")]
impl UsersApi {
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
    async fn get_user(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<AdminUserOk, ReadError> {
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
}

/// The safe list: pre-approved emails and their roles.
pub struct SafeEmailsApi {
    /// Identity use cases.
    pub identity: Arc<IdentityService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Admin")]
impl SafeEmailsApi {
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
    ) -> Result<NoContent, ReadError> {
        self.identity
            .delete_safe_email(&auth.0.actor, SafeEmailId::from_uuid(id.0))
            .await?;
        Ok(NoContent::Deleted)
    }
}

/// The audit log.
pub struct AuditApi {
    /// Audit use cases.
    pub audit: Arc<AuditService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Admin")]
impl AuditApi {
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
            from: from.0.map(utc),
            to: to.0.map(utc),
        };
        let result = self.audit.list(&auth.0.actor, filter, page).await?;
        let zone = self.zone;
        Ok(AuditPageOk::Ok(Json(AuditPage::from_page(result, |r| {
            audit_dto(r, zone)
        }))))
    }
}
