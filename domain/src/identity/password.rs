//! Passwords: the policy a new password must meet, and the stored hash.

use std::fmt;

use thiserror::Error;

/// Minimum length in characters.
pub const MIN_LENGTH: usize = 8;
/// Maximum length in characters (bounds hashing cost).
pub const MAX_LENGTH: usize = 128;

/// A new password that meets the policy. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

/// The first rule a password breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PasswordError {
    /// Fewer than 8 characters.
    #[error("must be at least {min} characters")]
    TooShort {
        /// Minimum length.
        min: usize,
    },
    /// More than 128 characters.
    #[error("must be at most {max} characters")]
    TooLong {
        /// Maximum length.
        max: usize,
    },
    /// No lower-case letter.
    #[error("must contain a lower-case letter")]
    NoLowercase,
    /// No upper-case letter.
    #[error("must contain an upper-case letter")]
    NoUppercase,
    /// No digit.
    #[error("must contain a digit")]
    NoDigit,
    /// The same character three or more times in a row.
    #[error("must not repeat a character three times in a row")]
    Repeats,
    /// Equal to the email's local part.
    #[error("must not be the same as your email name")]
    SameAsEmail,
}

impl Password {
    /// Checks the policy (reference §2.4, plus: not the email's local part).
    pub fn parse(raw: &str, email_local_part: &str) -> Result<Self, PasswordError> {
        let len = raw.chars().count();
        if len < MIN_LENGTH {
            return Err(PasswordError::TooShort { min: MIN_LENGTH });
        }
        if len > MAX_LENGTH {
            return Err(PasswordError::TooLong { max: MAX_LENGTH });
        }
        if !raw.chars().any(char::is_lowercase) {
            return Err(PasswordError::NoLowercase);
        }
        if !raw.chars().any(char::is_uppercase) {
            return Err(PasswordError::NoUppercase);
        }
        if !raw.chars().any(|c| c.is_ascii_digit()) {
            return Err(PasswordError::NoDigit);
        }
        let chars: Vec<char> = raw.chars().collect();
        if chars.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]) {
            return Err(PasswordError::Repeats);
        }
        if !email_local_part.is_empty() && raw.eq_ignore_ascii_case(email_local_part) {
            return Err(PasswordError::SameAsEmail);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The secret, for the hasher only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// A PHC-format password hash (argon2id). Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// Wraps a PHC string produced by the hasher or read from storage.
    pub fn new(phc: String) -> Self {
        Self(phc)
    }
    /// The PHC string, for storage and verification.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn policy_table() {
        let cases: &[(&str, &str, Result<(), PasswordError>)] = &[
            ("Abcdef12", "maria", Ok(())),
            ("Abc12", "maria", Err(PasswordError::TooShort { min: 8 })),
            ("ABCDEF12", "maria", Err(PasswordError::NoLowercase)),
            ("abcdef12", "maria", Err(PasswordError::NoUppercase)),
            ("Abcdefgh", "maria", Err(PasswordError::NoDigit)),
            ("Abcccd12", "maria", Err(PasswordError::Repeats)),
            ("Maria2024", "maria2024", Err(PasswordError::SameAsEmail)),
        ];
        for (raw, local, expected) in cases {
            assert_eq!(Password::parse(raw, local).map(|_| ()), *expected, "{raw}");
        }
        let long = format!("Ab1{}", "xy".repeat(70));
        assert_eq!(
            Password::parse(&long, "x").map(|_| ()),
            Err(PasswordError::TooLong { max: 128 })
        );
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let p = Password::parse("Sup3rSecret", "x").expect("valid");
        assert!(!format!("{p:?}").contains("Sup3r"));
        let h = PasswordHash::new("$argon2id$v=19$secret".into());
        assert!(!format!("{h:?}").contains("argon2id"));
    }

    proptest! {
        #[test]
        fn accepted_passwords_meet_every_rule(raw in "[a-zA-Z0-9!@#]{0,20}") {
            if let Ok(p) = Password::parse(&raw, "someone") {
                let s = p.expose();
                prop_assert!(s.chars().count() >= 8);
                prop_assert!(s.chars().any(char::is_lowercase));
                prop_assert!(s.chars().any(char::is_uppercase));
                prop_assert!(s.chars().any(|c| c.is_ascii_digit()));
                let c: Vec<char> = s.chars().collect();
                prop_assert!(!c.windows(3).any(|w| w[0] == w[1] && w[1] == w[2]));
            }
        }
    }
}
