//! Registration use cases: sign-up, email verification and code resends.

use domain::audit::Outcome;
use domain::identity::verification::{CodeCheck, VerificationError};
use domain::identity::{EmailAddress, Password, PersonName, User, decide_registration};

use super::emails;
use super::service::{IdentityService, RegisterCommand, email_error_details, event, user_event};
use crate::error::Details;
use crate::unit_of_work::commit_audited;
use crate::{AppError, ErrorCode};

impl IdentityService {
    /// Registers an account (reference §2.1 with its defects fixed): institutional email,
    /// password policy, role from the safe list or the email pattern, never self-assigned.
    /// Unverified accounts get a 6-digit code by email; safe-list accounts a welcome.
    pub async fn register(&self, cmd: RegisterCommand) -> Result<User, AppError> {
        let client: Option<std::net::IpAddr> =
            cmd.client_ip.as_deref().and_then(|ip| ip.parse().ok());
        let mut errors = Details::new();
        let email = match self.config.email_policy.parse_for_registration(&cmd.email) {
            Ok(e) => Some(e),
            Err(e) => {
                errors.extend(email_error_details(&e));
                None
            }
        };
        let local = email
            .as_ref()
            .map_or("", EmailAddress::local_part)
            .to_owned();
        let password = Password::parse(&cmd.password, &local)
            .map_err(|e| errors.insert("password".into(), e.to_string()))
            .ok();
        let first = PersonName::parse(&cmd.first_name)
            .map_err(|e| errors.insert("first_name".into(), e.to_string()))
            .ok();
        let last = PersonName::parse(&cmd.last_name)
            .map_err(|e| errors.insert("last_name".into(), e.to_string()))
            .ok();
        let (Some(email), Some(password), Some(first_name), Some(last_name)) =
            (email, password, first, last)
        else {
            return Err(
                AppError::fields(errors).unwrap_or_else(|| AppError::field("email", "invalid"))
            );
        };
        if let Some(e) = AppError::fields(errors) {
            return Err(e);
        }

        let hash = self
            .hasher
            .hash(&password)
            .await
            .map_err(AppError::Unexpected)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        if let Some(existing) = tx.identity().user_by_email(&email).await? {
            commit_audited(
                tx,
                [event(None, "auth.register", "user", None, Outcome::Failed)
                    .about(existing.user.id)
                    .from(client)],
                now,
            )
            .await?;
            return Err(AppError::conflict(
                ErrorCode::EmailTaken,
                "this email address is already registered; log in instead",
            ));
        }
        let safe_role = tx
            .identity()
            .safe_email(&email)
            .await?
            .filter(|s| s.is_active)
            .map(|s| s.role);
        let decision = decide_registration(&email, safe_role);
        let user = User::new_account(
            email,
            decision.role,
            first_name,
            last_name,
            decision.usc_id,
            decision.verified,
            now,
        );
        tx.identity().insert_user(&user, &hash).await?;
        if user.is_verified {
            tx.enqueue_mail(&emails::welcome(&user), now).await?;
        } else {
            self.issue_code(tx.as_mut(), &user, now).await?;
        }
        commit_audited(
            tx,
            [user_event(Some(user.id), "auth.register", user.id, Outcome::Success).from(client)],
            now,
        )
        .await?;
        Ok(user)
    }

    /// Checks a verification code: 15 minutes, 5 wrong attempts burn it (counted even
    /// though the call fails). Unknown emails answer like a wrong code.
    pub async fn verify_email(&self, email: &str, code: &str) -> Result<User, AppError> {
        let invalid = |code: ErrorCode, message: String, details: Details| AppError::Invalid {
            code,
            message,
            details,
        };
        let Ok(email) = EmailAddress::parse(email) else {
            return Err(AppError::field("email", "enter a valid email address"));
        };
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let record = tx.identity().user_by_email(&email).await?;
        let stored = match &record {
            Some(r) if !r.user.is_verified => tx.identity().verification_code(r.user.id).await?,
            _ => None,
        };
        let (Some(record), Some(stored)) = (record, stored) else {
            return Err(invalid(
                ErrorCode::InvalidCode,
                "invalid verification code".into(),
                Details::new(),
            ));
        };
        let mut user = record.user;
        let (audit_outcome, result) = match stored.check(user.id, code, now) {
            CodeCheck::Verified => {
                tx.identity().delete_verification_code(user.id).await?;
                user.is_verified = true;
                user.updated_at = now;
                tx.identity().update_user(&user).await?;
                tx.enqueue_mail(&emails::welcome(&user), now).await?;
                (Outcome::Success, Ok(user.clone()))
            }
            CodeCheck::Refused { error, updated } => {
                if let Some(c) = updated {
                    tx.identity().put_verification_code(user.id, &c).await?;
                }
                let (code, details) = match error {
                    VerificationError::Wrong { remaining } => {
                        let mut d = Details::new();
                        d.insert("remaining_attempts".into(), remaining.to_string());
                        (ErrorCode::InvalidCode, d)
                    }
                    VerificationError::Expired => (ErrorCode::CodeExpired, Details::new()),
                    VerificationError::AttemptsExhausted => {
                        (ErrorCode::CodeAttemptsExhausted, Details::new())
                    }
                };
                (
                    Outcome::Failed,
                    Err(invalid(code, error.to_string(), details)),
                )
            }
        };
        commit_audited(
            tx,
            [user_event(
                None,
                "auth.verify_email",
                user.id,
                audit_outcome,
            )],
            now,
        )
        .await?;
        result
    }

    /// Sends a new code to an unverified account; silent otherwise (no enumeration).
    /// Limited to one code a minute and five an hour per account.
    pub async fn resend_code(&self, email: &str) -> Result<(), AppError> {
        let Ok(email) = EmailAddress::parse(email) else {
            return Err(AppError::field("email", "enter a valid email address"));
        };
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let Some(record) = tx.identity().user_by_email(&email).await? else {
            return Ok(());
        };
        let user = record.user;
        if user.is_verified || !user.is_active {
            return Ok(());
        }
        if !self.issue_code(tx.as_mut(), &user, now).await? {
            return Ok(());
        }
        commit_audited(
            tx,
            [user_event(
                None,
                "auth.resend_code",
                user.id,
                Outcome::Success,
            )],
            now,
        )
        .await?;
        Ok(())
    }
}
