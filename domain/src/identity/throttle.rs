//! Login throttling: 5 failures per email or per client address within 15 minutes lock
//! further attempts until the oldest of those failures leaves the window.

use chrono::{DateTime, Duration, Utc};

/// The throttle's limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    /// Failures that lock.
    pub max_failures: usize,
    /// The sliding window.
    pub window: Duration,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window: Duration::minutes(15),
        }
    }
}

/// Whether an attempt may go ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThrottleDecision {
    /// Go ahead.
    Allow,
    /// Locked; try again after this many seconds.
    Locked {
        /// Seconds until the lock lifts (at least 1).
        retry_after_secs: u64,
    },
}

impl LoginThrottle {
    /// The earliest failure that still counts at `now`.
    pub fn window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.window
    }

    /// Decides from the failures recorded for one key (any order; older ones are ignored).
    /// Failures stamped after `now` count too: a concurrent attempt may have read the
    /// clock later than this one.
    pub fn decide(&self, failures: &[DateTime<Utc>], now: DateTime<Utc>) -> ThrottleDecision {
        let mut recent: Vec<_> = failures
            .iter()
            .copied()
            .filter(|t| *t > self.window_start(now))
            .collect();
        if recent.len() < self.max_failures || self.max_failures == 0 {
            return ThrottleDecision::Allow;
        }
        recent.sort_unstable();
        // The lock lifts when fewer than max failures remain in the window.
        let unlock_at = recent[recent.len() - self.max_failures] + self.window;
        let secs = (unlock_at - now).num_seconds().max(1);
        ThrottleDecision::Locked {
            retry_after_secs: u64::try_from(secs).unwrap_or(1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("valid timestamp")
    }

    #[test]
    fn five_failures_lock_until_the_oldest_expires() {
        let t = LoginThrottle::default();
        let four: Vec<_> = (0..4).map(|i| at(i * 10)).collect();
        assert_eq!(t.decide(&four, at(60)), ThrottleDecision::Allow);
        let five: Vec<_> = (0..5).map(|i| at(i * 10)).collect();
        assert_eq!(
            t.decide(&five, at(60)),
            ThrottleDecision::Locked {
                retry_after_secs: 900 - 60
            }
        );
        assert_eq!(t.decide(&five, at(900)), ThrottleDecision::Allow);
    }

    proptest! {
        #[test]
        fn locked_iff_max_failures_in_window(offsets in proptest::collection::vec(0i64..3600, 0..12), now in 0i64..3600) {
            let t = LoginThrottle::default();
            let failures: Vec<_> = offsets.iter().map(|o| at(*o)).collect();
            let in_window = offsets.iter().filter(|o| **o > now - 900).count();
            let decision = t.decide(&failures, at(now));
            prop_assert_eq!(in_window >= 5, matches!(decision, ThrottleDecision::Locked { .. }));
            if let ThrottleDecision::Locked { retry_after_secs } = decision {
                prop_assert!(retry_after_secs >= 1);
                if offsets.iter().all(|o| *o <= now) {
                    prop_assert!(retry_after_secs <= 900);
                }
            }
        }
    }
}
