//! Email verification codes: 6 digits, 15 minutes, 5 wrong attempts burn the code; a new
//! code at most once a minute and five times an hour, so burning codes and asking for
//! new ones cannot be used to brute-force the 10^6 space.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use thiserror::Error;

use crate::UserId;

/// How long a code is valid.
pub const CODE_TTL_MINUTES: i64 = 15;
/// Wrong attempts that burn a code.
pub const MAX_ATTEMPTS: u32 = 5;
/// The shortest interval between two codes for one account.
pub const RESEND_INTERVAL_SECS: i64 = 60;
/// Codes per account per hour.
pub const MAX_CODES_PER_HOUR: u32 = 5;
/// Largest multiple of 1,000,000 that fits in a u32: random values at or above it are
/// rejected so every 6-digit code is equally likely.
const UNBIASED_LIMIT: u32 = 4_294_000_000;

/// A user's current verification code (only its hash is kept) and its issuing history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationCode {
    /// SHA-256 of user id and code.
    pub code_hash: String,
    /// When this code was issued.
    pub issued_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Wrong attempts so far; at [`MAX_ATTEMPTS`] the code is burned.
    pub attempts: u32,
    /// Start of the hour in which codes are counted.
    pub window_start: DateTime<Utc>,
    /// Codes issued since `window_start`.
    pub issued_in_window: u32,
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

/// Why no new code is issued now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ResendRefused {
    /// The last code is less than a minute old.
    #[error("a code was sent less than a minute ago")]
    TooSoon,
    /// Five codes in the last hour.
    #[error("too many codes this hour")]
    HourlyLimit,
}

/// The result of checking a code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// Correct: the account becomes verified and the code is consumed.
    Verified,
    /// Refused; `updated` is the code to store back when the attempt changed it.
    Refused {
        /// Why.
        error: VerificationError,
        /// The code with this attempt counted; `None` when nothing changes.
        updated: Option<VerificationCode>,
    },
}

impl VerificationCode {
    /// Turns a uniformly random `u32` into six digits, or `None` when the value must be
    /// rejected to avoid modulo bias (the caller draws again; it happens 0.02% of the time).
    pub fn digits_from_random(random: u32) -> Option<String> {
        (random < UNBIASED_LIMIT).then(|| format!("{:06}", random % 1_000_000))
    }

    /// The first code for `user`, valid for 15 minutes from `now`.
    pub fn issue(user: UserId, digits: &str, now: DateTime<Utc>) -> Self {
        Self {
            code_hash: Self::hash(user, digits),
            issued_at: now,
            expires_at: now + Duration::minutes(CODE_TTL_MINUTES),
            attempts: 0,
            window_start: now,
            issued_in_window: 1,
        }
    }

    /// A replacement code, if the resend limits allow one now.
    pub fn reissue(
        &self,
        user: UserId,
        digits: &str,
        now: DateTime<Utc>,
    ) -> Result<Self, ResendRefused> {
        if now - self.issued_at < Duration::seconds(RESEND_INTERVAL_SECS) {
            return Err(ResendRefused::TooSoon);
        }
        let (window_start, issued) = if now - self.window_start >= Duration::hours(1) {
            (now, 0)
        } else {
            (self.window_start, self.issued_in_window)
        };
        if issued >= MAX_CODES_PER_HOUR {
            return Err(ResendRefused::HourlyLimit);
        }
        Ok(Self {
            window_start,
            issued_in_window: issued + 1,
            ..Self::issue(user, digits, now)
        })
    }

    /// The stored form of a code: bound to its user so equal codes differ.
    pub fn hash(user: UserId, digits: &str) -> String {
        let mut h = Sha256::new();
        h.update(user.as_uuid().as_bytes());
        h.update(b":");
        h.update(digits.trim().as_bytes());
        hex::encode(h.finalize())
    }

    /// Checks an entered code at `now`. Burned and expired codes stay stored (their
    /// history limits resends) but never verify.
    pub fn check(&self, user: UserId, entered: &str, now: DateTime<Utc>) -> CodeCheck {
        if self.attempts >= MAX_ATTEMPTS {
            return CodeCheck::Refused {
                error: VerificationError::AttemptsExhausted,
                updated: None,
            };
        }
        if now >= self.expires_at {
            return CodeCheck::Refused {
                error: VerificationError::Expired,
                updated: None,
            };
        }
        if Self::hash(user, entered) == self.code_hash {
            return CodeCheck::Verified;
        }
        let attempts = self.attempts + 1;
        let error = if attempts >= MAX_ATTEMPTS {
            VerificationError::AttemptsExhausted
        } else {
            VerificationError::Wrong {
                remaining: MAX_ATTEMPTS - attempts,
            }
        };
        CodeCheck::Refused {
            error,
            updated: Some(Self {
                attempts,
                ..self.clone()
            }),
        }
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
        match code.check(user, "000000", t0()) {
            CodeCheck::Refused {
                error: VerificationError::AttemptsExhausted,
                updated: Some(next),
            } => code = next,
            other => panic!("unexpected {other:?}"),
        }
        // Burned: even the right code no longer works, and nothing changes any more.
        assert_eq!(
            code.check(user, "123456", t0()),
            CodeCheck::Refused {
                error: VerificationError::AttemptsExhausted,
                updated: None
            }
        );
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
                updated: None
            }
        ));
        assert_ne!(
            code.check(UserId::new(), "654321", t0()),
            CodeCheck::Verified,
            "bound to the user"
        );
    }

    #[test]
    fn resends_are_limited_per_minute_and_per_hour() {
        let user = UserId::new();
        let mut code = VerificationCode::issue(user, "111111", t0());
        assert_eq!(
            code.reissue(user, "222222", t0() + Duration::seconds(59)),
            Err(ResendRefused::TooSoon)
        );
        for i in 1..5 {
            code = code
                .reissue(user, "222222", t0() + Duration::minutes(i))
                .expect("allowed");
            assert_eq!(code.attempts, 0);
            assert_eq!(code.issued_in_window, i as u32 + 1);
        }
        assert_eq!(
            code.reissue(user, "333333", t0() + Duration::minutes(10)),
            Err(ResendRefused::HourlyLimit)
        );
        let next = code
            .reissue(user, "333333", t0() + Duration::minutes(61))
            .expect("a new hour");
        assert_eq!(next.issued_in_window, 1);
    }

    proptest! {
        #[test]
        fn digits_are_six_and_unbiased(r in any::<u32>()) {
            match VerificationCode::digits_from_random(r) {
                Some(d) => { prop_assert_eq!(d.len(), 6); prop_assert!(r < UNBIASED_LIMIT); }
                None => prop_assert!(r >= UNBIASED_LIMIT),
            }
        }

        /// However codes are burned and re-requested, at most 25 guesses fit in an hour.
        #[test]
        fn guesses_per_hour_are_bounded(steps in proptest::collection::vec(0i64..120, 1..200)) {
            let user = UserId::new();
            let mut code = VerificationCode::issue(user, "000001", t0());
            let mut now = t0();
            let mut guesses = 1; // the first code's attempts are counted below
            let mut wrong = 0;
            for s in steps {
                now += Duration::seconds(s);
                if now - t0() >= Duration::hours(1) { break; }
                match code.check(user, "999999", now) {
                    CodeCheck::Refused { updated: Some(next), .. } => { code = next; wrong += 1; }
                    _ => if let Ok(next) = code.reissue(user, "000001", now) { code = next; guesses += 1; },
                }
            }
            prop_assert!(guesses <= MAX_CODES_PER_HOUR as usize);
            prop_assert!(wrong <= (MAX_CODES_PER_HOUR * MAX_ATTEMPTS) as usize);
        }
    }
}
