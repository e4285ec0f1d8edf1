//! Administration use cases: the user directory and the safe list.

use domain::audit::Outcome;
use domain::identity::{Role, User};
use domain::paging::{Page, PageRequest};
use domain::policy::{Action, Actor};
use domain::{SafeEmailId, UserId};

use super::ports::{SafeEmail, UserFilter};
use super::service::{AdminUserChange, IdentityService, email_error_details, event, user_event};
use crate::AppError;
use crate::error::Details;
use crate::unit_of_work::commit_audited;

impl IdentityService {
    /// ADMIN: searches the user directory (audited as a read of others' data).
    pub async fn list_users(
        &self,
        actor: &Actor,
        filter: UserFilter,
        page: PageRequest,
    ) -> Result<Page<User>, AppError> {
        self.authorize(actor, Action::ListUsers, "user", None)
            .await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let page = tx.identity().list_users(&filter, page).await?;
        commit_audited(
            tx,
            [event(actor, "users.list", "user", None, Outcome::Success)],
            now,
        )
        .await?;
        Ok(page)
    }

    /// ADMIN (or oneself): one account.
    pub async fn get_user(&self, actor: &Actor, id: UserId) -> Result<User, AppError> {
        self.authorize(actor, Action::ReadUser(id), "user", Some(id.to_string()))
            .await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let user = tx
            .identity()
            .user_by_id(id)
            .await?
            .ok_or(AppError::NotFound { what: "user" })?
            .user;
        if id != actor.user_id {
            tx.append_audit(user_event(actor, "users.read", id, Outcome::Success), now)
                .await?;
        }
        tx.commit().await?;
        Ok(user)
    }

    /// ADMIN: changes another account's role, activity or verification. Deactivation
    /// revokes the account's sessions.
    pub async fn admin_update_user(
        &self,
        actor: &Actor,
        id: UserId,
        change: AdminUserChange,
    ) -> Result<User, AppError> {
        let role = change
            .role
            .as_deref()
            .map(str::parse::<Role>)
            .transpose()
            .map_err(|e| AppError::field("role", e.to_string()))?;
        if role.is_none() && change.is_active.is_none() && change.is_verified.is_none() {
            return Err(AppError::field(
                "role",
                "nothing to change: send role, is_active or is_verified",
            ));
        }
        let entity_id = Some(id.to_string());
        if role.is_some() {
            self.authorize(actor, Action::ChangeUserRole(id), "user", entity_id.clone())
                .await?;
        }
        if change.is_active.is_some() {
            self.authorize(
                actor,
                Action::ChangeUserActive(id),
                "user",
                entity_id.clone(),
            )
            .await?;
        }
        if change.is_verified.is_some() {
            self.authorize(
                actor,
                Action::ChangeUserVerified(id),
                "user",
                entity_id.clone(),
            )
            .await?;
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut user = tx
            .identity()
            .user_by_id(id)
            .await?
            .ok_or(AppError::NotFound { what: "user" })?
            .user;
        if let Some(r) = role {
            user.role = r;
        }
        if let Some(v) = change.is_verified {
            user.is_verified = v;
        }
        if let Some(a) = change.is_active {
            user.is_active = a;
            if !a {
                tx.identity().revoke_sessions(id, None, now).await?;
            }
        }
        user.updated_at = now;
        tx.identity().update_user(&user).await?;
        if change.is_verified == Some(true) {
            tx.identity().delete_verification_code(id).await?;
        }
        commit_audited(
            tx,
            [event(actor, "users.update", "user", entity_id, Outcome::Success).about(id)],
            now,
        )
        .await?;
        Ok(user)
    }

    /// ADMIN: the safe list.
    pub async fn list_safe_emails(
        &self,
        actor: &Actor,
        page: PageRequest,
    ) -> Result<Page<SafeEmail>, AppError> {
        self.authorize(actor, Action::ManageSafeEmails, "safe_email", None)
            .await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let page = tx.identity().list_safe_emails(page).await?;
        commit_audited(
            tx,
            [event(
                actor,
                "safe_emails.list",
                "safe_email",
                None,
                Outcome::Success,
            )],
            now,
        )
        .await?;
        Ok(page)
    }

    /// ADMIN: adds an email to the safe list, or reactivates it with a new role.
    /// Returns the entry and whether it is new.
    pub async fn add_safe_email(
        &self,
        actor: &Actor,
        email: &str,
        role: &str,
    ) -> Result<(SafeEmail, bool), AppError> {
        self.authorize(actor, Action::ManageSafeEmails, "safe_email", None)
            .await?;
        let mut errors = Details::new();
        let email = self
            .config
            .email_policy
            .parse_for_registration(email)
            .map_err(|e| errors.extend(email_error_details(&e)))
            .ok();
        let role = role
            .parse::<Role>()
            .map_err(|e| errors.insert("role".into(), e.to_string()))
            .ok();
        let (Some(email), Some(role)) = (email, role) else {
            return Err(
                AppError::fields(errors).unwrap_or_else(|| AppError::field("email", "invalid"))
            );
        };
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (entry, created) = match tx.identity().safe_email(&email).await? {
            Some(existing) => (
                SafeEmail {
                    role,
                    is_active: true,
                    updated_at: now,
                    ..existing
                },
                false,
            ),
            None => (
                SafeEmail {
                    id: SafeEmailId::new(),
                    email,
                    role,
                    is_active: true,
                    created_at: now,
                    updated_at: now,
                },
                true,
            ),
        };
        tx.identity().save_safe_email(&entry, created).await?;
        commit_audited(
            tx,
            [event(
                actor,
                "safe_emails.add",
                "safe_email",
                Some(entry.id.to_string()),
                Outcome::Success,
            )],
            now,
        )
        .await?;
        Ok((entry, created))
    }

    /// ADMIN: removes a safe-list entry (404 when there is none).
    pub async fn delete_safe_email(&self, actor: &Actor, id: SafeEmailId) -> Result<(), AppError> {
        self.authorize(
            actor,
            Action::ManageSafeEmails,
            "safe_email",
            Some(id.to_string()),
        )
        .await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if !tx.identity().delete_safe_email(id).await? {
            return Err(AppError::NotFound { what: "safe email" });
        }
        commit_audited(
            tx,
            [event(
                actor,
                "safe_emails.delete",
                "safe_email",
                Some(id.to_string()),
                Outcome::Success,
            )],
            now,
        )
        .await?;
        Ok(())
    }
}
