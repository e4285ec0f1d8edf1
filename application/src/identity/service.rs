//! The identity service: wiring, settings, commands and shared helpers. The use cases
//! themselves live beside it, one group per file (`registration`, `sessions`, `profile`,
//! `passwords`, `admin`, `bootstrap`).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use domain::UserId;
use domain::audit::{AuditEvent, Outcome};
use domain::identity::{
    EmailError, EmailPolicy, LoginThrottle, Role, ThrottleDecision, User, VerificationCode,
};
use domain::policy::{Action, Actor, authorize};

use super::emails;
use super::ports::{IdentityStore, PasswordHasher};
use super::queue::AttemptQueue;
use crate::error::Details;
use crate::unit_of_work::{UnitOfWork, commit_audited};
use crate::{AppError, Clock, secrets};

/// Settings of the identity use cases.
#[derive(Debug, Clone)]
pub struct IdentityConfig {
    /// The institutional email rule for registration.
    pub email_policy: EmailPolicy,
    /// How long a login token lives (`USCPIS_TOKEN_TTL`, default 12 h).
    pub token_ttl: Duration,
    /// How long a password-reset token lives (1 h).
    pub reset_ttl: Duration,
    /// The shortest interval between two password-reset emails to one account
    /// (verification codes have their own limits in the domain).
    pub reset_request_interval: Duration,
    /// Failed logins per account (5 in 15 minutes).
    pub throttle: LoginThrottle,
    /// Failed logins per client address (IPv6: per /64), much higher, since a campus
    /// behind one NAT or a clinic behind one proxy shares an address
    /// (`USCPIS_LOGIN_ADDRESS_LIMIT`, default 100 in 15 minutes).
    pub address_throttle: LoginThrottle,
    /// The front end's base URL for links in emails, if any.
    pub public_url: Option<String>,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            email_policy: EmailPolicy::default(),
            token_ttl: Duration::hours(12),
            reset_ttl: Duration::hours(1),
            reset_request_interval: Duration::seconds(60),
            throttle: LoginThrottle::default(),
            address_throttle: LoginThrottle {
                max_failures: 100,
                ..LoginThrottle::default()
            },
            public_url: None,
        }
    }
}

/// POST /api/auth/register.
#[derive(Clone, Default)]
pub struct RegisterCommand {
    /// The client's address (audited with the attempt).
    pub client_ip: Option<String>,
    /// Institutional email.
    pub email: String,
    /// New password.
    pub password: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
}

/// POST /api/auth/login.
#[derive(Clone, Default)]
pub struct LoginCommand {
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
    /// The caller's network address, for per-address throttling.
    pub client_ip: Option<String>,
}

/// A successful login.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The bearer token (shown once, stored only hashed).
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// The account.
    pub user: User,
}

/// PATCH /api/auth/me: raw optional fields; `Some("")` clears a clearable field.
#[derive(Debug, Clone, Default)]
pub struct ProfileChange {
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Middle name.
    pub middle_name: Option<String>,
    /// Program code "1".."68".
    pub course: Option<String>,
    /// Year level "1".."4".
    pub year_level: Option<String>,
    /// Campus name.
    pub campus: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// Professional licence (PRC) number (clinic roles).
    pub license_number: Option<String>,
    /// An attempt to change one's own role: always refused by the policy.
    pub role: Option<String>,
    /// An attempt to change one's own activity: always refused by the policy.
    pub is_active: Option<bool>,
    /// An attempt to change one's own verification: always refused by the policy.
    pub is_verified: Option<bool>,
}

/// PATCH /api/admin/users/{id}.
#[derive(Debug, Clone, Default)]
pub struct AdminUserChange {
    /// New role.
    pub role: Option<String>,
    /// Activate or deactivate.
    pub is_active: Option<bool>,
    /// Mark verified or not.
    pub is_verified: Option<bool>,
}

/// The accounts `serve --demo` created.
#[derive(Debug, Clone)]
pub struct DemoAccounts {
    /// (email, role, id) of each account.
    pub accounts: Vec<(String, Role, domain::UserId)>,
    /// The one random password they share (printed once).
    pub password: String,
}

/// The identity use cases.
pub struct IdentityService {
    pub(super) store: Arc<dyn IdentityStore>,
    pub(super) hasher: Arc<dyn PasswordHasher>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) config: IdentityConfig,
    pub(super) attempts: AttemptQueue,
}

/// The field errors of a refused email, with the typo suggestion when there is one.
pub(super) fn email_error_details(e: &EmailError) -> Details {
    let mut d = Details::new();
    d.insert("email".into(), e.to_string());
    if let EmailError::Typo { suggestion } = e {
        d.insert("suggestion".into(), suggestion.clone());
    }
    d
}

/// Who acted, as the audit log records it: a signed-in [`Actor`] (with the address it
/// acted from), or a user id (`None`: anonymous) before there is a session.
pub(super) trait Acting {
    /// The acting user.
    fn user(&self) -> Option<UserId>;
    /// The address the request came from.
    fn client(&self) -> Option<std::net::IpAddr> {
        None
    }
}

impl Acting for &Actor {
    fn user(&self) -> Option<UserId> {
        Some(self.user_id)
    }
    fn client(&self) -> Option<std::net::IpAddr> {
        self.client
    }
}

impl Acting for Option<UserId> {
    fn user(&self) -> Option<UserId> {
        *self
    }
}

/// An event by `actor` about an entity.
pub(super) fn event(
    actor: impl Acting,
    action: &str,
    entity: &str,
    id: Option<String>,
    outcome: Outcome,
) -> AuditEvent {
    AuditEvent::new(actor.user(), action, entity, id, outcome).from(actor.client())
}

/// An event about one user's account, acted on by `actor`.
pub(super) fn user_event(
    actor: impl Acting,
    action: &str,
    user: UserId,
    outcome: Outcome,
) -> AuditEvent {
    event(actor, action, "user", Some(user.to_string()), outcome).about(user)
}

impl IdentityService {
    /// Wires the use cases to their ports.
    pub fn new(
        store: Arc<dyn IdentityStore>,
        hasher: Arc<dyn PasswordHasher>,
        clock: Arc<dyn Clock>,
        config: IdentityConfig,
    ) -> Self {
        Self {
            store,
            hasher,
            clock,
            config,
            attempts: AttemptQueue::default(),
        }
    }

    /// Asks the policy; a refusal is audited (in its own transaction) and becomes 403.
    pub(super) async fn authorize(
        &self,
        actor: &Actor,
        action: Action,
        entity: &str,
        id: Option<String>,
    ) -> Result<(), AppError> {
        if let Err(denied) = authorize(actor, &action) {
            let tx = self.store.begin().await?;
            commit_audited(
                tx,
                [event(actor, action.name(), entity, id, Outcome::Denied)],
                self.clock.now(),
            )
            .await?;
            return Err(AppError::denied(denied));
        }
        Ok(())
    }

    /// Issues a verification code for `user` (a first one, or a replacement within the
    /// resend limits) and enqueues its email in `tx`. Returns false when the limits
    /// refuse a new code now.
    pub(super) async fn issue_code(
        &self,
        tx: &mut dyn UnitOfWork,
        user: &User,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        let digits = loop {
            if let Some(d) = VerificationCode::digits_from_random(secrets::random_u32()?) {
                break d;
            }
        };
        let code = match tx.identity().verification_code(user.id).await? {
            None => VerificationCode::issue(user.id, &digits, now),
            Some(existing) => match existing.reissue(user.id, &digits, now) {
                Ok(c) => c,
                Err(_) => return Ok(false),
            },
        };
        tx.identity().put_verification_code(user.id, &code).await?;
        tx.enqueue_mail(
            &emails::verification_code(&user.email, user.first_name.as_str(), &digits),
            now,
        )
        .await?;
        Ok(true)
    }

    /// Refuses an attempt with 429 (audited, with the client's address) while the account key (`account`: 5 failures
    /// in 15 minutes) or the client address key (`address`: 100 by default) is locked;
    /// otherwise records a provisional failure of the account and returns its id (the
    /// caller deletes it once the password proved right). Callers hold the account's
    /// [`AttemptQueue`] turn, so no other attempt at the account sees the provisional
    /// failure while it is in flight, and one abandoned mid-check still counts.
    pub(super) async fn throttle_attempt(
        &self,
        account: &str,
        address: Option<&str>,
        subject: Option<UserId>,
        client: Option<std::net::IpAddr>,
    ) -> Result<uuid::Uuid, AppError> {
        let limits: Vec<(&str, LoginThrottle)> = std::iter::once((account, self.config.throttle))
            .chain(address.map(|a| (a, self.config.address_throttle)))
            .collect();
        let keys: Vec<String> = limits.iter().map(|(k, _)| (*k).to_owned()).collect();
        let now = self.clock.now();
        let since = limits
            .iter()
            .map(|(_, t)| t.window_start(now))
            .min()
            .unwrap_or(now);
        let mut tx = self.store.begin().await?;
        tx.identity().lock_throttle_keys(&keys, now).await?;
        let failures = tx.identity().login_failures(&keys, since).await?;
        let locked = limits
            .iter()
            .filter_map(|(k, throttle)| {
                let times: Vec<_> = failures
                    .iter()
                    .filter(|(fk, _)| fk == k)
                    .map(|(_, t)| *t)
                    .collect();
                match throttle.decide(&times, now) {
                    ThrottleDecision::Locked { retry_after_secs } => Some(retry_after_secs),
                    ThrottleDecision::Allow => None,
                }
            })
            .max();
        if let Some(retry_after_secs) = locked {
            let mut e =
                event(None, "auth.throttled", "session", None, Outcome::Failed).from(client);
            e.subject = subject;
            commit_audited(tx, [e], now).await?;
            return Err(AppError::RateLimited { retry_after_secs });
        }
        let provisional = tx.identity().record_login_failure(account, now).await?;
        tx.commit().await?;
        Ok(provisional)
    }
}
