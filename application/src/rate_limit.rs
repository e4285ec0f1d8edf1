//! A per-key limit on how often something may happen in a sliding window, held in this
//! process's memory (public endpoints such as certificate verification). The window
//! arithmetic is the domain's [`LoginThrottle`], so both limits lift the same way.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use domain::identity::{LoginThrottle, ThrottleDecision};

/// Keys kept before stale ones are swept out (at most once a window).
const SWEEP_AT: usize = 10_000;

/// The limit key of a client address: IPv4 as is, IPv6 by its /64 (one host usually
/// holds a whole /64, so single addresses would be free to rotate).
pub fn address_key(ip: &str) -> String {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        _ => ip.to_owned(),
    }
}

/// At most `limit` hits per key in any `window`.
#[derive(Debug)]
pub struct RateLimit {
    rule: LoginThrottle,
    hits: Mutex<Hits>,
}

#[derive(Debug, Default)]
struct Hits {
    keys: HashMap<String, VecDeque<DateTime<Utc>>>,
    swept: Option<DateTime<Utc>>,
}

impl RateLimit {
    /// `limit` hits per key in any `window`.
    pub fn new(limit: u32, window: Duration) -> Self {
        Self {
            rule: LoginThrottle {
                max_failures: limit as usize,
                window,
            },
            hits: Mutex::default(),
        }
    }

    /// Counts a hit for `key` at `now`, or refuses it with the seconds until the next one
    /// is allowed (a refused hit is not counted).
    pub fn hit(&self, key: &str, now: DateTime<Utc>) -> Result<(), u64> {
        let start = self.rule.window_start(now);
        let mut hits = self.hits.lock().unwrap_or_else(PoisonError::into_inner);
        if hits.keys.len() >= SWEEP_AT && hits.swept.is_none_or(|t| t <= start) {
            hits.keys
                .retain(|_, q| q.back().is_some_and(|t| *t > start));
            hits.swept = Some(now);
        }
        let q = hits.keys.entry(key.to_owned()).or_default();
        while q.front().is_some_and(|t| *t <= start) {
            q.pop_front();
        }
        match self.rule.decide(q.make_contiguous(), now) {
            ThrottleDecision::Locked { retry_after_secs } => Err(retry_after_secs),
            ThrottleDecision::Allow => {
                q.push_back(now);
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).expect("valid")
    }

    #[test]
    fn the_limit_holds_per_key_and_lifts_as_the_window_slides() {
        let l = RateLimit::new(3, Duration::minutes(1));
        for s in 0..3 {
            assert_eq!(l.hit("a", at(s)), Ok(()));
        }
        // The oldest hit (at 0) leaves the window at 60.
        assert_eq!(l.hit("a", at(10)), Err(50));
        assert_eq!(l.hit("b", at(10)), Ok(()), "another key is not limited");
        assert_eq!(l.hit("a", at(60)), Ok(()));
        assert_eq!(l.hit("a", at(60)), Err(1));
    }

    #[test]
    fn stale_keys_are_swept() {
        let l = RateLimit::new(1, Duration::minutes(1));
        for i in 0..SWEEP_AT {
            l.hit(&i.to_string(), at(0)).expect("first hit");
        }
        l.hit("late", at(120)).expect("first hit");
        assert_eq!(l.hits.lock().expect("lock").keys.len(), 1);
        // Swept at most once a window: a flood of fresh keys is not rescanned each hit.
        for i in 0..SWEEP_AT {
            l.hit(&format!("again{i}"), at(130)).expect("first hit");
        }
        assert_eq!(l.hits.lock().expect("lock").keys.len(), SWEEP_AT + 1);
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_64() {
        assert_eq!(address_key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
        assert_eq!(address_key("2001:db8:1:2::9"), "2001:db8:1:2::/64");
        assert_eq!(address_key("198.51.100.7"), "198.51.100.7");
    }
}
