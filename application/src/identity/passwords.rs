//! Password use cases: changing one's password and the emailed reset.

use domain::audit::Outcome;
use domain::identity::{EmailAddress, Password};
use domain::policy::Action;

use super::emails;
use super::ports::AuthContext;
use super::service::{IdentityService, event, user_event};
use crate::error::Details;
use crate::unit_of_work::commit_audited;
use crate::{AppError, ErrorCode, secrets};

impl IdentityService {
    /// Changes the caller's password and revokes every other session and any pending
    /// reset token. Wrong current passwords count against the login throttle and are
    /// audited.
    pub async fn change_password(
        &self,
        auth: &AuthContext,
        current: &str,
        new: &str,
    ) -> Result<(), AppError> {
        let me = auth.actor.user_id;
        self.authorize(
            &auth.actor,
            Action::ChangeOwnPassword,
            "user",
            Some(me.to_string()),
        )
        .await?;
        let record = self
            .store
            .user_by_id(me)
            .await?
            .ok_or(AppError::NotFound { what: "user" })?;
        let new = Password::parse(new, record.user.email.local_part())
            .map_err(|e| AppError::field("new_password", e.to_string()))?;
        let key = format!("email:{}", record.user.email);
        let _turn = self.attempts.turn(&key).await;
        let provisional = self
            .throttle_attempt(&key, None, Some(me), auth.actor.client)
            .await?;
        let ok = self
            .hasher
            .verify(current, Some(record.password_hash.clone()))
            .await
            .map_err(AppError::Unexpected)?;
        let now = self.clock.now();
        if !ok {
            // The provisional failure stays: a wrong current password counts.
            let tx = self.store.begin().await?;
            commit_audited(
                tx,
                [event(
                    &auth.actor,
                    "password.change",
                    "user",
                    Some(me.to_string()),
                    Outcome::Failed,
                )],
                now,
            )
            .await?;
            return Err(AppError::field(
                "current_password",
                "the current password is not correct",
            ));
        }
        let hash = self.hasher.hash(&new).await.map_err(AppError::Unexpected)?;
        let mut tx = self.store.begin().await?;
        tx.identity().delete_login_failures(&[provisional]).await?;
        tx.identity().set_password(me, &hash, now).await?;
        tx.identity()
            .revoke_sessions(me, Some(auth.session_id), now)
            .await?;
        tx.identity().invalidate_reset_tokens(me, now).await?;
        commit_audited(
            tx,
            [event(
                &auth.actor,
                "password.change",
                "user",
                Some(me.to_string()),
                Outcome::Success,
            )],
            now,
        )
        .await?;
        Ok(())
    }

    /// Emails a single-use reset token valid 1 hour to an existing, active account, at
    /// most once a minute per account. Answers the same whether or not the account exists.
    pub async fn request_password_reset(&self, email: &str) -> Result<(), AppError> {
        let Ok(email) = EmailAddress::parse(email) else {
            return Err(AppError::field("email", "enter a valid email address"));
        };
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let Some(record) = tx
            .identity()
            .user_by_email(&email)
            .await?
            .filter(|r| r.user.is_active)
        else {
            return Ok(());
        };
        let user_id = record.user.id;
        if let Some(last) = tx.identity().last_reset_request(user_id).await?
            && now - last < self.config.reset_request_interval
        {
            return Ok(());
        }
        let token = secrets::random_token()?;
        tx.identity()
            .insert_reset_token(
                user_id,
                &secrets::token_hash(&token),
                now + self.config.reset_ttl,
                now,
            )
            .await?;
        tx.enqueue_mail(
            &emails::password_reset(&record.user, &token, self.config.public_url.as_deref()),
            now,
        )
        .await?;
        commit_audited(
            tx,
            [user_event(
                None,
                "password.reset_request",
                user_id,
                Outcome::Success,
            )],
            now,
        )
        .await?;
        Ok(())
    }

    /// Sets a new password with a reset token; the token works once; every other reset
    /// token and every session of the account stop working.
    pub async fn confirm_password_reset(&self, token: &str, new: &str) -> Result<(), AppError> {
        let invalid = || AppError::Invalid {
            code: ErrorCode::InvalidToken,
            message: "the reset token is invalid, used or expired".into(),
            details: Details::new(),
        };
        let token_hash = secrets::token_hash(token.trim());
        let now = self.clock.now();
        let user_id = self
            .store
            .reset_token_user(&token_hash, now)
            .await?
            .ok_or_else(invalid)?;
        let record = self.store.user_by_id(user_id).await?.ok_or_else(invalid)?;
        let new = Password::parse(new, record.user.email.local_part())
            .map_err(|e| AppError::field("new_password", e.to_string()))?;
        let hash = self.hasher.hash(&new).await.map_err(AppError::Unexpected)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if tx.identity().consume_reset_token(&token_hash, now).await? != Some(user_id) {
            return Err(invalid());
        }
        tx.identity().invalidate_reset_tokens(user_id, now).await?;
        tx.identity().set_password(user_id, &hash, now).await?;
        tx.identity().revoke_sessions(user_id, None, now).await?;
        commit_audited(
            tx,
            [user_event(
                None,
                "password.reset",
                user_id,
                Outcome::Success,
            )],
            now,
        )
        .await?;
        Ok(())
    }
}
