//! Email verification codes: 6 digits, 15 minutes, 5 wrong attempts burn the code.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::UserId;

/// How long a code is valid.
pub const CODE_TTL_MINUTES: i64 = 15;
/// Wrong attempts that burn a code.
pub const MAX_ATTEMPTS: u32 = 5;
/// Largest multiple of 1,000,000 that fits in a u32: random values at or above it are
/// rejected so every 6-digit code is equally likely.
const UNBIASED_LIMIT: u32 = 4_294_000_000;

/// A stored verification code: only its hash is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationCode {
    /// SHA-256 of user id and code.
    pub code_hash: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Wrong attempts so far.
    pub attempts: u32,
}

/// Why a code did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum VerificationError {
    /// Past its 15 minutes.
    #[error("the verification code has expired; request a new one")]
    Expired,
    /// Wrong code; this many attempts remain.
    #[error("invalid verification code ({remaining} attempts left)")]
    Wrong {
        /// Attempts left before the code is burned.
        remaining: u32,
    },
    /// Five wrong attempts: the code no longer works.
    #[error("too many wrong attempts; request a new code")]
    AttemptsExhausted,
}

/// The result of checking a code: the new state to store, or the final outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// Correct: the account becomes verified and the code is consumed.
    Verified,
    /// Refused; `updated` is the code to store back (attempt counted), if it still exists.
    Refused {
        /// Why.
        error: VerificationError,
        /// The code with its attempt counted, `None` when it is to be deleted.
        updated: Option<VerificationCode>,
    },
}

impl VerificationCode {
    /// Turns a uniformly random `u32` into six digits, or `None` when the value must be
    /// rejected to avoid modulo bias (the caller draws again; it happens 0.02% of the time).
    pub fn digits_from_random(random: u32) -> Option<String> {
        (random < UNBIASED_LIMIT).then(|| format!("{:06}", random % 1_000_000))
    }

    /// A new code for `user`, valid for 15 minutes from `now`.
    pub fn issue(user: UserId, digits: &str, now: DateTime<Utc>) -> Self {
        Self {
            code_hash: Self::hash(user, digits),
            expires_at: now + Duration::minutes(CODE_TTL_MINUTES),
            attempts: 0,
        }
    }

    /// The stored form of a code: bound to its user so equal codes differ.
    pub fn hash(user: UserId, digits: &str) -> String {
        let mut h = Sha256::new();
        h.update(user.as_uuid().as_bytes());
        h.update(b":");
        h.update(digits.trim().as_bytes());
        hex::encode(h.finalize())
    }

    /// Checks an entered code at `now`.
    pub fn check(&self, user: UserId, entered: &str, now: DateTime<Utc>) -> CodeCheck {
        let refuse = |error, updated| CodeCheck::Refused { error, updated };
        if self.attempts >= MAX_ATTEMPTS {
            return refuse(VerificationError::AttemptsExhausted, None);
        }
        if now >= self.expires_at {
            return refuse(VerificationError::Expired, None);
        }
        if Self::hash(user, entered) == self.code_hash {
            return CodeCheck::Verified;
        }
        let attempts = self.attempts + 1;
        if attempts >= MAX_ATTEMPTS {
            return refuse(VerificationError::AttemptsExhausted, None);
        }
        refuse(
            VerificationError::Wrong {
                remaining: MAX_ATTEMPTS - attempts,
            },
            Some(Self {
                attempts,
                ..self.clone()
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).expect("valid timestamp")
    }

    #[test]
    fn five_wrong_attempts_burn_the_code() {
        let user = UserId::new();
        let mut code = VerificationCode::issue(user, "123456", t0());
        for remaining in (1..=4).rev() {
            match code.check(user, "000000", t0()) {
                CodeCheck::Refused {
                    error: VerificationError::Wrong { remaining: r },
                    updated: Some(next),
                } => {
                    assert_eq!(r, remaining);
                    code = next;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(
            code.check(user, "000000", t0()),
            CodeCheck::Refused {
                error: VerificationError::AttemptsExhausted,
                updated: None
            }
        );
        // even the right code no longer works once burned
        let burned = VerificationCode {
            attempts: MAX_ATTEMPTS,
            ..code
        };
        assert!(matches!(
            burned.check(user, "123456", t0()),
            CodeCheck::Refused {
                error: VerificationError::AttemptsExhausted,
                ..
            }
        ));
    }

    #[test]
    fn expiry_and_success() {
        let user = UserId::new();
        let code = VerificationCode::issue(user, "654321", t0());
        assert_eq!(
            code.check(user, " 654321 ", t0() + Duration::minutes(14)),
            CodeCheck::Verified
        );
        assert!(matches!(
            code.check(user, "654321", t0() + Duration::minutes(15)),
            CodeCheck::Refused {
                error: VerificationError::Expired,
                ..
            }
        ));
        // bound to the user
        assert_ne!(
            code.check(UserId::new(), "654321", t0()),
            CodeCheck::Verified
        );
    }

    proptest! {
        #[test]
        fn digits_are_six_and_unbiased(r in any::<u32>()) {
            match VerificationCode::digits_from_random(r) {
                Some(d) => { prop_assert_eq!(d.len(), 6); prop_assert!(r < UNBIASED_LIMIT); }
                None => prop_assert!(r >= UNBIASED_LIMIT),
            }
        }
    }
}
