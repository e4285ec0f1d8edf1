//! Session use cases: login, token authentication and logout.

use domain::SessionId;
use domain::audit::Outcome;
use domain::identity::EmailAddress;
use domain::policy::Actor;

use super::ports::{AuthContext, Session};
use super::service::{IdentityService, LoginCommand, LoginOutcome, event};
use crate::rate_limit::address_key;
use crate::unit_of_work::commit_audited;
use crate::{AppError, ErrorCode, secrets};

impl IdentityService {
    /// Logs in. Five failures for an account, or 100 (configurable) from one client
    /// address (IPv6: per /64), within 15 minutes lock further attempts (429 with
    /// `Retry-After`). The attempts at one account take turns; in its turn an attempt
    /// counts as a provisional failure of the account until its password check succeeds
    /// (so one abandoned mid-check still counts). Parallel guesses cannot exceed the
    /// limit, and no attempt ever sees another's provisional failure, so a correct
    /// password is refused only while the account or address is locked.
    pub async fn login(&self, cmd: LoginCommand) -> Result<LoginOutcome, AppError> {
        let Ok(email) = EmailAddress::parse(&cmd.email) else {
            return Err(AppError::field("email", "enter a valid email address"));
        };
        if cmd.password.is_empty() {
            return Err(AppError::field("password", "required"));
        }
        let email_key = format!("email:{email}");
        let ip_key = cmd
            .client_ip
            .as_deref()
            .map(|ip| format!("ip:{}", address_key(ip)));
        let client: Option<std::net::IpAddr> =
            cmd.client_ip.as_deref().and_then(|ip| ip.parse().ok());
        let _turn = self.attempts.turn(&email_key).await;
        let provisional = self
            .throttle_attempt(&email_key, ip_key.as_deref(), None, client)
            .await?;

        // The expensive check, outside any transaction.
        let record = self.store.user_by_email(&email).await?;
        let ok = self
            .hasher
            .verify(
                &cmd.password,
                record.as_ref().map(|r| r.password_hash.clone()),
            )
            .await
            .map_err(AppError::Unexpected)?;

        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let user = match (record, ok) {
            (Some(r), true) => r.user,
            (record, _) => {
                // The account's failure is the provisional one; the address counts too.
                if let Some(k) = &ip_key {
                    tx.identity().record_login_failure(k, now).await?;
                }
                let mut e =
                    event(None, "auth.login", "session", None, Outcome::Failed).from(client);
                e.subject = record.map(|r| r.user.id);
                commit_audited(tx, [e], now).await?;
                return Err(AppError::Unauthenticated {
                    code: ErrorCode::InvalidCredentials,
                    message: "invalid email or password".into(),
                });
            }
        };
        tx.identity().delete_login_failures(&[provisional]).await?;
        let refusal = if !user.is_active {
            Some((
                ErrorCode::AccountDisabled,
                "this account is deactivated; contact the clinic",
            ))
        } else if !user.is_verified {
            Some((
                ErrorCode::EmailNotVerified,
                "verify your email address first: enter the code we sent you",
            ))
        } else {
            None
        };
        if let Some((code, message)) = refusal {
            commit_audited(
                tx,
                [event(
                    Some(user.id),
                    "auth.login",
                    "session",
                    None,
                    Outcome::Failed,
                )
                .from(client)],
                now,
            )
            .await?;
            return Err(AppError::Forbidden {
                code,
                message: message.into(),
            });
        }
        tx.identity().clear_login_failures(&email_key).await?;
        let token = secrets::random_token()?;
        let session = Session {
            id: SessionId::new(),
            user_id: user.id,
            token_hash: secrets::token_hash(&token),
            created_at: now,
            expires_at: now + self.config.token_ttl,
        };
        tx.identity().insert_session(&session).await?;
        commit_audited(
            tx,
            [event(
                Some(user.id),
                "auth.login",
                "session",
                Some(session.id.to_string()),
                Outcome::Success,
            )
            .from(client)],
            now,
        )
        .await?;
        Ok(LoginOutcome {
            token,
            expires_at: session.expires_at,
            user,
        })
    }

    /// Resolves a bearer token to its caller: 401 when unknown, revoked or expired, 403
    /// when the account was deactivated or un-verified since.
    pub async fn authenticate(&self, token: &str) -> Result<AuthContext, AppError> {
        let Some((session, user)) = self.store.session_user(&secrets::token_hash(token)).await?
        else {
            return Err(AppError::unauthenticated());
        };
        if session.expires_at <= self.clock.now() {
            return Err(AppError::Unauthenticated {
                code: ErrorCode::TokenExpired,
                message: "the session has expired; log in again".into(),
            });
        }
        if !user.is_active {
            return Err(AppError::Forbidden {
                code: ErrorCode::AccountDisabled,
                message: "this account is deactivated".into(),
            });
        }
        if !user.is_verified {
            return Err(AppError::Forbidden {
                code: ErrorCode::EmailNotVerified,
                message: "this account's email is not verified".into(),
            });
        }
        Ok(AuthContext {
            actor: Actor::new(user.id, user.role),
            session_id: session.id,
            user,
        })
    }

    /// Revokes the caller's token.
    pub async fn logout(&self, auth: &AuthContext) -> Result<(), AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        tx.identity().revoke_session(auth.session_id, now).await?;
        commit_audited(
            tx,
            [event(
                &auth.actor,
                "auth.logout",
                "session",
                Some(auth.session_id.to_string()),
                Outcome::Success,
            )],
            now,
        )
        .await?;
        Ok(())
    }
}
