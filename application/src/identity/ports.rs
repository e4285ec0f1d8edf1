//! Identity ports.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::identity::{EmailAddress, PasswordHash, Role, User, VerificationCode};
use domain::paging::{Page, PageRequest};
use domain::policy::Actor;
use domain::{SafeEmailId, SessionId, UserId};
use uuid::Uuid;

use crate::StoreError;
use crate::unit_of_work::UnitOfWork;

/// A user with their stored password hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    /// The account.
    pub user: User,
    /// Argon2id PHC string.
    pub password_hash: PasswordHash,
}

/// A login session: the bearer token is stored only as its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Identity.
    pub id: SessionId,
    /// Owner.
    pub user_id: UserId,
    /// SHA-256 of the bearer token, hex.
    pub token_hash: String,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Not valid from this time on.
    pub expires_at: DateTime<Utc>,
}

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthContext {
    /// Who, with which role.
    pub actor: Actor,
    /// The session used.
    pub session_id: SessionId,
    /// The account as it is now.
    pub user: User,
}

/// A pre-approved email and the role it grants at registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeEmail {
    /// Identity.
    pub id: SafeEmailId,
    /// The address.
    pub email: EmailAddress,
    /// Role granted.
    pub role: Role,
    /// Inactive entries grant nothing.
    pub is_active: bool,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last changed at.
    pub updated_at: DateTime<Utc>,
}

/// User directory search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Matches email, first or last name, or USC ID (case-insensitive substring).
    pub search: Option<String>,
    /// Only this role.
    pub role: Option<Role>,
    /// Only active (true) or inactive (false) users.
    pub active: Option<bool>,
    /// Only verified (true) or unverified (false) users.
    pub verified: Option<bool>,
}

/// Hashes and checks passwords (argon2id). CPU-heavy: adapters run it off the async runtime.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Hashes a password that meets the policy.
    async fn hash(&self, password: &domain::identity::Password) -> anyhow::Result<PasswordHash>;
    /// Checks `candidate` against `hash`. With `None` it checks against a dummy hash and
    /// returns false, so an unknown account costs the same time as a wrong password.
    async fn verify(&self, candidate: &str, hash: Option<PasswordHash>) -> anyhow::Result<bool>;
}

/// Identity storage: reads on the pool, writes through a transaction.
///
/// Every method returns `StoreError::Unavailable` when the database cannot be reached.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// Starts a write transaction (a unit of work): nothing is visible until `commit`,
    /// and dropping it uncommitted rolls everything back.
    async fn begin(&self) -> Result<Box<dyn UnitOfWork>, StoreError>;
    /// The live session for a token hash with its user, if the session exists and is not
    /// revoked (expiry is checked by the caller, who knows the time).
    async fn session_user(&self, token_hash: &str) -> Result<Option<(Session, User)>, StoreError>;
    /// The account with this email.
    async fn user_by_email(&self, email: &EmailAddress) -> Result<Option<UserRecord>, StoreError>;
    /// The account with this id.
    async fn user_by_id(&self, id: UserId) -> Result<Option<UserRecord>, StoreError>;
    /// The user of an unused, unexpired password-reset token.
    async fn reset_token_user(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, StoreError>;
    /// How many accounts exist.
    async fn count_users(&self) -> Result<u64, StoreError>;
}

/// Identity operations inside a [`UnitOfWork`] (`tx.identity()`). Errors: `Conflict` on
/// unique violations (`what` = `email`, `usc_id`, `safe_email`), `Unavailable`, `Other`.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait IdentityOps: Send {
    /// The account with this email, read inside the transaction.
    async fn user_by_email(
        &mut self,
        email: &EmailAddress,
    ) -> Result<Option<UserRecord>, StoreError>;
    /// The account with this id, read inside the transaction.
    async fn user_by_id(&mut self, id: UserId) -> Result<Option<UserRecord>, StoreError>;
    /// Inserts a new account.
    async fn insert_user(&mut self, user: &User, hash: &PasswordHash) -> Result<(), StoreError>;
    /// Saves every field of an existing account (not its password).
    async fn update_user(&mut self, user: &User) -> Result<(), StoreError>;
    /// Replaces an account's password hash.
    async fn set_password(
        &mut self,
        id: UserId,
        hash: &PasswordHash,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Searches accounts, ordered by last name, first name, email.
    async fn list_users(
        &mut self,
        filter: &UserFilter,
        page: PageRequest,
    ) -> Result<Page<User>, StoreError>;
    /// The safe-list entry for an email, active or not.
    async fn safe_email(&mut self, email: &EmailAddress) -> Result<Option<SafeEmail>, StoreError>;
    /// Lists safe-list entries by email.
    async fn list_safe_emails(&mut self, page: PageRequest) -> Result<Page<SafeEmail>, StoreError>;
    /// Inserts or updates (by id) a safe-list entry.
    async fn save_safe_email(&mut self, entry: &SafeEmail, insert: bool) -> Result<(), StoreError>;
    /// Deletes a safe-list entry; false when there was none.
    async fn delete_safe_email(&mut self, id: SafeEmailId) -> Result<bool, StoreError>;
    /// The user's current verification code.
    async fn verification_code(
        &mut self,
        user: UserId,
    ) -> Result<Option<VerificationCode>, StoreError>;
    /// Stores the user's one verification code, replacing any other.
    async fn put_verification_code(
        &mut self,
        user: UserId,
        code: &VerificationCode,
    ) -> Result<(), StoreError>;
    /// Removes the user's verification code.
    async fn delete_verification_code(&mut self, user: UserId) -> Result<(), StoreError>;
    /// Stores a new session.
    async fn insert_session(&mut self, session: &Session) -> Result<(), StoreError>;
    /// Revokes one session.
    async fn revoke_session(&mut self, id: SessionId, now: DateTime<Utc>)
    -> Result<(), StoreError>;
    /// Revokes every session of a user except `keep`.
    async fn revoke_sessions(
        &mut self,
        user: UserId,
        keep: Option<SessionId>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Stores a password-reset token hash.
    async fn insert_reset_token(
        &mut self,
        user: UserId,
        token_hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// When the user's newest reset token was created.
    async fn last_reset_request(
        &mut self,
        user: UserId,
    ) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// Marks every unused reset token of the user used.
    async fn invalidate_reset_tokens(
        &mut self,
        user: UserId,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Marks an unused, unexpired reset token used, returning its user; `None` if it was
    /// not usable (atomic: of two concurrent calls, one wins).
    async fn consume_reset_token(
        &mut self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, StoreError>;
    /// Locks the throttle keys until commit, so concurrent logins on one key serialise.
    async fn lock_throttle_keys(
        &mut self,
        keys: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Failures recorded for these keys since `since`: (key, time).
    async fn login_failures(
        &mut self,
        keys: &[String],
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, DateTime<Utc>)>, StoreError>;
    /// Records one failure for a key; returns its row id.
    async fn record_login_failure(
        &mut self,
        key: &str,
        at: DateTime<Utc>,
    ) -> Result<Uuid, StoreError>;
    /// Deletes failures by row id.
    async fn delete_login_failures(&mut self, ids: &[Uuid]) -> Result<(), StoreError>;
    /// Deletes every failure of a key.
    async fn clear_login_failures(&mut self, key: &str) -> Result<(), StoreError>;
}
