//! USC-PIS crypto adapter: argon2id password hashing on tokio's blocking pool.
//!
//! Hashing is deliberately expensive (tens of milliseconds of CPU), so it never runs on
//! the async workers. Parameters default to 19 MiB, 3 passes, 1 lane (one pass above
//! OWASP's argon2id minimum), which costs 20–60 ms of CPU a login on this project's reference machine
//! (see docs/PERFORMANCE.md); they are recorded in each PHC string, so raising them
//! later still verifies old hashes.

use application::identity::PasswordHasher;
use argon2::{Algorithm, Argon2, Params, Version};
use argon2::{PasswordHasher as _, PasswordVerifier as _};
use std::sync::Arc;

use async_trait::async_trait;
use domain::identity::{Password, PasswordHash};
use tokio::sync::{OnceCell, Semaphore};

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Cost {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Passes.
    pub t: u32,
    /// Lanes.
    pub p: u32,
}

impl Default for Argon2Cost {
    fn default() -> Self {
        Self {
            m_kib: 19 * 1024,
            t: 3,
            p: 1,
        }
    }
}

/// Hashes and verifies with argon2id.
#[derive(Clone)]
pub struct Argon2Hasher {
    argon: Argon2<'static>,
    /// A hash of a random secret: unknown accounts are checked against it, so they cost
    /// the same time as a wrong password (no timing enumeration). Made on first use, so
    /// an idle server holds no argon2 memory.
    dummy: Arc<OnceCell<String>>,
    /// At most one hash per core at a time: a burst of logins queues instead of
    /// claiming hundreds of blocking threads with 19 MiB each.
    permits: Arc<Semaphore>,
}

impl std::fmt::Debug for Argon2Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Argon2Hasher")
    }
}

impl Argon2Hasher {
    /// A hasher with these costs.
    pub fn new(cost: Argon2Cost) -> anyhow::Result<Self> {
        let params = Params::new(cost.m_kib, cost.t, cost.p, None)
            .map_err(|e| anyhow::anyhow!("argon2 params: {e}"))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Ok(Self {
            argon,
            dummy: Arc::new(OnceCell::new()),
            permits: Arc::new(Semaphore::new(cores)),
        })
    }
}

impl Argon2Hasher {
    async fn dummy_hash(&self) -> anyhow::Result<String> {
        let argon = self.argon.clone();
        self.dummy
            .get_or_try_init(|| async move {
                let secret = uuid_like()?;
                tokio::task::spawn_blocking(move || {
                    argon
                        .hash_password(secret.as_bytes()) // salt from the OS CSPRNG
                        .map(|h| h.to_string())
                        .map_err(|e| anyhow::anyhow!("argon2: {e}"))
                })
                .await?
            })
            .await
            .cloned()
    }
}

fn uuid_like() -> anyhow::Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("csprng: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &Password) -> anyhow::Result<PasswordHash> {
        let argon = self.argon.clone();
        let secret = password.expose().to_owned();
        // The permit goes with the work: a caller that gives up does not free its core.
        let permit = self.permits.clone().acquire_owned().await?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            argon
                .hash_password(secret.as_bytes())
                .map(|h| PasswordHash::new(h.to_string()))
                .map_err(|e| anyhow::anyhow!("argon2: {e}"))
        })
        .await?
    }

    async fn verify(&self, candidate: &str, hash: Option<PasswordHash>) -> anyhow::Result<bool> {
        let argon = self.argon.clone();
        let candidate = candidate.to_owned();
        let (phc, real) = match hash {
            Some(h) => (h.as_str().to_owned(), true),
            None => (self.dummy_hash().await?, false),
        };
        let permit = self.permits.clone().acquire_owned().await?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let parsed =
                argon2::PasswordHash::new(&phc).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
            Ok(argon.verify_password(candidate.as_bytes(), &parsed).is_ok() && real)
        })
        .await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let h = Argon2Hasher::new(Argon2Cost {
            m_kib: 1024,
            t: 1,
            p: 1,
        })
        .expect("params");
        let pw = Password::parse("Str0ngPass", "x").expect("valid");
        let a = h.hash(&pw).await.expect("hash");
        let b = h.hash(&pw).await.expect("hash");
        assert!(a.as_str().starts_with("$argon2id$"));
        assert_ne!(a, b, "salted");
        assert!(
            h.verify("Str0ngPass", Some(a.clone()))
                .await
                .expect("verify")
        );
        assert!(!h.verify("Str0ngPas", Some(a)).await.expect("verify"));
        assert!(
            !h.verify("anything", None)
                .await
                .expect("dummy never matches")
        );
    }
}
