//! Bootstrap use cases: the first ADMIN and the demo accounts.

use chrono::{DateTime, Utc};
use domain::audit::Outcome;
use domain::identity::{EmailAddress, Password, PasswordHash, PersonName, Role, User};

use super::service::{DemoAccounts, IdentityService, user_event};
use crate::unit_of_work::UnitOfWork;
use crate::{AppError, secrets};

impl IdentityService {
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
            accounts.push((user.email.to_string(), role, user.id));
        }
        tx.commit().await?;
        Ok(Some(DemoAccounts {
            accounts,
            password: raw,
        }))
    }
}
