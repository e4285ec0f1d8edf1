//! Shared by the record tests: entries near the rules' edges, and the property every
//! accepted text must have.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

use crate::clinical::values::{RawMedication, has_control};

/// A fixed "now" for the tests (2026-03-03T09:30:00Z).
pub(super) fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_772_530_200, 0).unwrap_or_default()
}

/// An hour before [`now`].
pub(super) fn earlier() -> DateTime<Utc> {
    now() - Duration::hours(1)
}

/// `n` letters.
pub(super) fn chars(n: usize) -> String {
    "a".repeat(n)
}

/// A medication that passes [`crate::clinical::Medication::new`].
pub(super) fn med(name: &str) -> RawMedication {
    RawMedication {
        name: name.into(),
        dose: Some("500 mg".into()),
    }
}

/// Text of any length around the limits 1, 3, 5, 100, 500, 1000 and 2000, often padded
/// with spaces, sometimes with a control character, sometimes absent.
pub(super) fn any_text() -> impl Strategy<Value = Option<String>> {
    let len = prop_oneof![
        3 => 0..200usize,
        2 => prop::sample::select(vec![
            0usize, 1, 2, 3, 4, 5, 6, 99, 100, 101, 499, 500, 501, 999, 1000, 1001, 1999, 2000,
            2001,
        ]),
    ];
    let text = (
        len,
        prop::sample::select(vec!['a', 'é', '\n']),
        0..3usize,
        0..3usize,
        prop::bool::weighted(0.1),
    )
        .prop_map(|(n, fill, left, right, control)| {
            let mut body: Vec<char> = std::iter::repeat_n(fill, n).collect();
            if control && n > 0 {
                body[n / 2] = '\u{7}';
            }
            let body: String = body.into_iter().collect();
            format!("{}{body}{}", " ".repeat(left), " ".repeat(right))
        });
    prop::option::weighted(0.8, text)
}

/// Medication lists around the limit of 50, sometimes with a bad entry.
pub(super) fn any_medications() -> impl Strategy<Value = Option<Vec<RawMedication>>> {
    let list = (
        prop_oneof![0..4usize, 49..52usize],
        prop::bool::weighted(0.1),
    )
        .prop_map(|(n, bad)| {
            (0..n)
                .map(|i| med(if bad && i == 0 { "X" } else { "Paracetamol" }))
                .collect()
        });
    prop::option::weighted(0.5, list)
}

/// Whether an accepted text keeps the rule `min..=max` characters, trimmed, without
/// control characters.
pub(super) fn fits(s: &str, min: usize, max: usize) -> bool {
    let n = s.chars().count();
    (min..=max).contains(&n) && s == s.trim() && !has_control(s)
}

/// [`fits`] for optional text: absent, or 1 to `max` characters.
pub(super) fn fits_opt(s: &Option<String>, max: usize) -> bool {
    s.as_deref().is_none_or(|s| fits(s, 1, max))
}
