//! The identity use cases.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use domain::audit::{AuditEvent, Outcome};
use domain::identity::verification::{CodeCheck, VerificationError};
use domain::identity::{
    Campus, CourseCode, EmailAddress, EmailError, EmailPolicy, LoginThrottle, Password,
    PasswordHash, PersonName, Phone, ProfileUpdate, Role, ThrottleDecision, User, VerificationCode,
    YearLevel, decide_registration, profile::optional_text,
};
use domain::paging::{Page, PageRequest};
use domain::policy::{Action, Actor, authorize};
use domain::{SafeEmailId, SessionId, UserId};

use super::emails;
use super::ports::{AuthContext, IdentityStore, PasswordHasher, SafeEmail, Session, UserFilter};
use crate::error::Details;
use crate::fields::Fields;
use crate::unit_of_work::{UnitOfWork, commit_audited};
use crate::{AppError, Clock, ErrorCode, secrets};

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
    /// Failed-login limits.
    pub throttle: LoginThrottle,
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
            public_url: None,
        }
    }
}

/// POST /api/auth/register.
#[derive(Clone, Default)]
pub struct RegisterCommand {
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
    /// (email, role) of each account.
    pub accounts: Vec<(String, Role)>,
    /// The one random password they share (printed once).
    pub password: String,
}

/// The identity use cases.
pub struct IdentityService {
    store: Arc<dyn IdentityStore>,
    hasher: Arc<dyn PasswordHasher>,
    clock: Arc<dyn Clock>,
    config: IdentityConfig,
}

fn email_error_details(e: &EmailError) -> Details {
    let mut d = Details::new();
    d.insert("email".into(), e.to_string());
    if let EmailError::Typo { suggestion } = e {
        d.insert("suggestion".into(), suggestion.clone());
    }
    d
}

fn event(
    actor: Option<UserId>,
    action: &str,
    entity: &str,
    id: Option<String>,
    outcome: Outcome,
) -> AuditEvent {
    AuditEvent::new(actor, action, entity, id, outcome)
}

/// An event about one user's account, acted on by `actor` (`None`: anonymous).
fn user_event(actor: Option<UserId>, action: &str, user: UserId, outcome: Outcome) -> AuditEvent {
    event(actor, action, "user", Some(user.to_string()), outcome).about(user)
}

/// The throttle key of a client address: IPv4 as is, IPv6 by its /64 (one host
/// usually holds a whole /64, so single addresses would be free to rotate).
fn address_key(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => ip.to_owned(),
    }
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
        }
    }

    /// Asks the policy; a refusal is audited (in its own transaction) and becomes 403.
    async fn authorize(
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
                [event(
                    Some(actor.user_id),
                    action.name(),
                    entity,
                    id,
                    Outcome::Denied,
                )],
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
    async fn issue_code(
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

    /// Counts one attempt before the expensive check: locks the keys (so concurrent
    /// attempts serialise), refuses with 429 when 5 failures in the window exist for any
    /// key, else records a provisional failure for the account key (`strict`) and returns
    /// its id (the caller deletes it on success). In-flight attempts thus count against
    /// the account, so concurrent guesses at one account cannot exceed the limit; the
    /// address key (`loose`) counts completed failures only, so many people behind one
    /// address (campus NAT) can log in at the same moment.
    async fn throttle_attempt(
        &self,
        strict: &str,
        loose: Option<&str>,
        subject: Option<UserId>,
    ) -> Result<uuid::Uuid, AppError> {
        let keys: Vec<String> = std::iter::once(strict)
            .chain(loose)
            .map(str::to_owned)
            .collect();
        let now = self.clock.now();
        let throttle = self.config.throttle;
        let mut tx = self.store.begin().await?;
        tx.identity().lock_throttle_keys(&keys, now).await?;
        let failures = tx
            .identity()
            .login_failures(&keys, throttle.window_start(now))
            .await?;
        let locked = keys
            .iter()
            .filter_map(|k| {
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
            let mut e = event(None, "auth.throttled", "session", None, Outcome::Failed);
            e.subject = subject;
            commit_audited(tx, [e], now).await?;
            return Err(AppError::RateLimited { retry_after_secs });
        }
        let provisional = tx.identity().record_login_failure(strict, now).await?;
        tx.commit().await?;
        Ok(provisional)
    }

    /// Registers an account (reference §2.1 with its defects fixed): institutional email,
    /// password policy, role from the safe list or the email pattern, never self-assigned.
    /// Unverified accounts get a 6-digit code by email; safe-list accounts a welcome.
    pub async fn register(&self, cmd: RegisterCommand) -> Result<User, AppError> {
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
                    .about(existing.user.id)],
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
            [user_event(
                Some(user.id),
                "auth.register",
                user.id,
                Outcome::Success,
            )],
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

    /// Logs in. Five failures per email or per client address (IPv6: per /64) within 15
    /// minutes lock further attempts (429). The attempt is counted before the password is
    /// checked, in a transaction that serialises on the throttle keys, so concurrent
    /// guesses cannot exceed the limit; a success removes its own provisional failure.
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
        let provisional = self
            .throttle_attempt(&email_key, ip_key.as_deref(), None)
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
                if let Some(k) = &ip_key {
                    tx.identity().record_login_failure(k, now).await?;
                }
                let mut e = event(None, "auth.login", "session", None, Outcome::Failed);
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
                )],
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
            )],
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
            actor: Actor {
                user_id: user.id,
                role: user.role,
            },
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
                Some(auth.actor.user_id),
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

    /// The caller's own account (already loaded when the token was checked).
    pub fn me(&self, auth: &AuthContext) -> Result<User, AppError> {
        authorize(&auth.actor, &Action::ReadOwnProfile).map_err(AppError::denied)?;
        Ok(auth.user.clone())
    }

    /// Changes the caller's own profile fields; role, activity and verification are not
    /// among them.
    pub async fn update_me(
        &self,
        auth: &AuthContext,
        change: ProfileChange,
    ) -> Result<User, AppError> {
        let me = auth.actor.user_id;
        let entity = Some(me.to_string());
        self.authorize(
            &auth.actor,
            Action::UpdateOwnProfile,
            "user",
            entity.clone(),
        )
        .await?;
        // Role, activity and verification are the policy's to refuse (and audit), even
        // when the caller is an ADMIN: nobody changes them on their own account.
        let attempts = [
            (change.role.is_some(), Action::ChangeUserRole(me)),
            (change.is_active.is_some(), Action::ChangeUserActive(me)),
            (change.is_verified.is_some(), Action::ChangeUserVerified(me)),
        ];
        for (attempted, action) in attempts {
            if attempted {
                self.authorize(&auth.actor, action, "user", entity.clone())
                    .await?;
            }
        }
        let mut f = Fields::default();
        // Names may change but not be cleared; the other fields clear with "".
        let mut required = |raw: &Option<String>, field: &str| {
            raw.as_ref()
                .and_then(|r| PersonName::parse(r).map_err(|e| f.add(field, e)).ok())
        };
        let first_name = required(&change.first_name, "first_name");
        let last_name = required(&change.last_name, "last_name");
        let update = ProfileUpdate {
            first_name,
            last_name,
            middle_name: f.opt(
                "middle_name",
                change.middle_name.as_deref(),
                PersonName::parse,
            ),
            course: f.opt("course", change.course.as_deref(), CourseCode::parse),
            year_level: f.opt("year_level", change.year_level.as_deref(), YearLevel::parse),
            campus: f.opt("campus", change.campus.as_deref(), Campus::parse),
            phone: f.opt("phone", change.phone.as_deref(), Phone::parse),
            department: f.opt("department", change.department.as_deref(), |s| {
                optional_text(Some(s), 100).map(Option::unwrap_or_default)
            }),
        };
        f.finish()?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut user = tx
            .identity()
            .user_by_id(auth.actor.user_id)
            .await?
            .ok_or(AppError::NotFound { what: "user" })?
            .user;
        user.apply(update, now);
        tx.identity().update_user(&user).await?;
        commit_audited(
            tx,
            [user_event(
                Some(user.id),
                "profile.update",
                user.id,
                Outcome::Success,
            )],
            now,
        )
        .await?;
        Ok(user)
    }

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
        let provisional = self
            .throttle_attempt(&format!("email:{}", record.user.email), None, Some(me))
            .await?;
        let ok = self
            .hasher
            .verify(current, Some(record.password_hash.clone()))
            .await
            .map_err(AppError::Unexpected)?;
        let now = self.clock.now();
        if !ok {
            let tx = self.store.begin().await?;
            commit_audited(
                tx,
                [event(
                    Some(me),
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
                Some(me),
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
            [event(
                Some(actor.user_id),
                "users.list",
                "user",
                None,
                Outcome::Success,
            )],
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
            tx.append_audit(
                user_event(Some(actor.user_id), "users.read", id, Outcome::Success),
                now,
            )
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
            [event(
                Some(actor.user_id),
                "users.update",
                "user",
                entity_id,
                Outcome::Success,
            )
            .about(id)],
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
                Some(actor.user_id),
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
                Some(actor.user_id),
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
                Some(actor.user_id),
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

    /// Inserts a verified account with an already hashed password (audited).
    async fn create_account(
        &self,
        tx: &mut dyn UnitOfWork,
        email: EmailAddress,
        role: Role,
        names: (&str, &str),
        hash: &PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<User, AppError> {
        let usc_id = if role == Role::Student && email.is_student_number() {
            domain::identity::UscId::parse(email.local_part()).ok()
        } else {
            None
        };
        let first =
            PersonName::parse(names.0).map_err(|e| AppError::field("first_name", e.to_string()))?;
        let last =
            PersonName::parse(names.1).map_err(|e| AppError::field("last_name", e.to_string()))?;
        let user = User::new_account(email, role, first, last, usc_id, true, now);
        tx.identity().insert_user(&user, hash).await?;
        tx.append_audit(
            user_event(None, "users.create", user.id, Outcome::Success),
            now,
        )
        .await?;
        Ok(user)
    }

    /// `usc-pis create-admin`: creates a verified ADMIN. There is no default password:
    /// the operator supplies one that meets the policy. 409 when the email exists.
    pub async fn create_admin(&self, email: &str, password: &str) -> Result<User, AppError> {
        let email =
            EmailAddress::parse(email).map_err(|e| AppError::field("email", e.to_string()))?;
        let password = Password::parse(password, email.local_part())
            .map_err(|e| AppError::field("password", e.to_string()))?;
        let hash = self
            .hasher
            .hash(&password)
            .await
            .map_err(AppError::Unexpected)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let user = self
            .create_account(
                tx.as_mut(),
                email,
                Role::Admin,
                ("Clinic", "Administrator"),
                &hash,
                now,
            )
            .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// `serve --demo` on an empty database: a demo ADMIN and one account of each other
    /// role, all sharing one random password that the caller prints once. Does nothing
    /// (returns `None`) when any account exists.
    pub async fn seed_demo(&self) -> Result<Option<DemoAccounts>, AppError> {
        if self.store.count_users().await? > 0 {
            return Ok(None);
        }
        let domain = self.config.email_policy.domain().to_owned();
        let raw = loop {
            let candidate = secrets::random_password()?;
            if Password::parse(&candidate, "").is_ok() {
                break candidate;
            }
        };
        let password =
            Password::parse(&raw, "").map_err(|e| AppError::Unexpected(anyhow::anyhow!("{e}")))?;
        let people: [(&str, Role, &str, &str); 7] = [
            ("admin", Role::Admin, "Demo", "Administrator"),
            ("jdelacruz", Role::Doctor, "Juan", "Dela Cruz"),
            ("mlim", Role::Dentist, "Mei", "Lim"),
            ("rgarcia", Role::Nurse, "Rosa", "Garcia"),
            ("clinicstaff", Role::Staff, "Carlo", "Santos"),
            ("21104567", Role::Student, "Maria", "Reyes"),
            ("pvillanueva", Role::Faculty, "Paolo", "Villanueva"),
        ];
        // One shared password: one hash (argon2 is deliberately expensive).
        let hash = self
            .hasher
            .hash(&password)
            .await
            .map_err(AppError::Unexpected)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut accounts = Vec::new();
        for (local, role, first, last) in people {
            let email = EmailAddress::parse(&format!("{local}@{domain}"))
                .map_err(|e| AppError::Unexpected(anyhow::anyhow!("demo email: {e}")))?;
            let user = self
                .create_account(tx.as_mut(), email, role, (first, last), &hash, now)
                .await?;
            accounts.push((user.email.to_string(), role));
        }
        tx.commit().await?;
        Ok(Some(DemoAccounts {
            accounts,
            password: raw,
        }))
    }
}
