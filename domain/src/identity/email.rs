//! Email addresses: a general normalised address, and the strict registration rule.

use std::fmt;

use thiserror::Error;

/// The clinic's institutional domain unless configured otherwise.
pub const DEFAULT_DOMAIN: &str = "usc.edu.ph";

/// Domains people mistype for `usc.edu.ph` (reference §2.1).
const USC_TYPOS: [&str; 10] = [
    "usc.edu",
    "usc.edu.com",
    "usc.com",
    "usc.org",
    "usc.ph",
    "usc.education.ph",
    "usc.edu.philippines",
    "uc.edu.ph",
    "usec.edu.ph",
    "usc.educ.ph",
];

/// A syntactically valid, trimmed, lower-cased email address.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EmailAddress(String);

/// Why an email address was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EmailError {
    /// Not an email address at all.
    #[error("enter a valid email address")]
    Malformed,
    /// Non-ASCII characters.
    #[error("email addresses must be ASCII")]
    NotAscii,
    /// A known misspelling of the institutional domain.
    #[error("did you mean {suggestion}?")]
    Typo {
        /// The corrected address.
        suggestion: String,
    },
    /// Another domain than the institutional one.
    #[error("only institutional email addresses (@{domain}) are allowed")]
    WrongDomain {
        /// The required domain.
        domain: String,
    },
    /// The part before `@` breaks the local-part rules.
    #[error("the email's local part appears to be invalid: {reason}")]
    InvalidLocalPart {
        /// Which rule it breaks.
        reason: &'static str,
    },
}

impl EmailAddress {
    /// Accepts any well-formed ASCII address (used for existing accounts, reset requests
    /// and logins, where the institutional rule must not leak whether an account exists).
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let email = raw.trim().to_ascii_lowercase();
        if !email.is_ascii() {
            return Err(EmailError::NotAscii);
        }
        let (local, domain) = email.split_once('@').ok_or(EmailError::Malformed)?;
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c));
        let domain_ok = domain.len() >= 3
            && domain.len() <= 190
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && domain
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !local_ok || !domain_ok {
            return Err(EmailError::Malformed);
        }
        Ok(Self(email))
    }

    /// The address as stored (lower case).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before `@`.
    pub fn local_part(&self) -> &str {
        self.0.split_once('@').map_or("", |(l, _)| l)
    }

    /// The part after `@`.
    pub fn domain(&self) -> &str {
        self.0.split_once('@').map_or("", |(_, d)| d)
    }

    /// Whether the local part is all digits (a student number).
    pub fn is_student_number(&self) -> bool {
        let l = self.local_part();
        !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit())
    }
}

impl fmt::Debug for EmailAddress {
    // An email identifies a person: keep it out of logs and panics.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmailAddress(<redacted>)")
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The registration rule for new accounts: one institutional domain, typo suggestions,
/// local-part sanity rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailPolicy {
    domain: String,
}

impl Default for EmailPolicy {
    fn default() -> Self {
        Self {
            domain: DEFAULT_DOMAIN.to_owned(),
        }
    }
}

impl EmailPolicy {
    /// A policy for another institutional domain (`USCPIS_EMAIL_DOMAIN`).
    pub fn new(domain: &str) -> Result<Self, EmailError> {
        let probe = EmailAddress::parse(&format!("probe@{domain}"))?;
        Ok(Self {
            domain: probe.domain().to_owned(),
        })
    }

    /// The required domain.
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// Validates an address for a new account.
    pub fn parse_for_registration(&self, raw: &str) -> Result<EmailAddress, EmailError> {
        let email = EmailAddress::parse(raw)?;
        let (local, domain) = (email.local_part(), email.domain());
        if domain != self.domain {
            if self.domain == DEFAULT_DOMAIN && USC_TYPOS.contains(&domain) {
                return Err(EmailError::Typo {
                    suggestion: format!("{local}@{}", self.domain),
                });
            }
            return Err(EmailError::WrongDomain {
                domain: self.domain.clone(),
            });
        }
        check_local_part(local)?;
        Ok(email)
    }
}

fn check_local_part(local: &str) -> Result<(), EmailError> {
    let invalid = |reason| Err(EmailError::InvalidLocalPart { reason });
    if local.bytes().filter(|&b| b == b'.').count() > 3 {
        return invalid("more than three dots");
    }
    if local.contains("..") {
        return invalid("consecutive dots");
    }
    if local.starts_with('.') || local.ends_with('.') {
        return invalid("starts or ends with a dot");
    }
    let digits = local.bytes().filter(u8::is_ascii_digit).count();
    if digits == local.len() && (7..=9).contains(&local.len()) {
        return Ok(()); // a student number
    }
    if digits * 10 > local.len() * 7 {
        return invalid("mostly digits but not a 7-9 digit student number");
    }
    if !local
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        return invalid("only letters, digits, '.', '_' and '-' are allowed");
    }
    if local.len() < 2 || local.len() > 30 {
        return invalid("must be 2 to 30 characters");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_rule_table() {
        let policy = EmailPolicy::default();
        // (input, expected, why)
        let cases: &[(&str, Result<&str, EmailError>, &str)] = &[
            (
                "  Maria.Reyes@USC.edu.ph ",
                Ok("maria.reyes@usc.edu.ph"),
                "trimmed, lower-cased",
            ),
            (
                "21104567@usc.edu.ph",
                Ok("21104567@usc.edu.ph"),
                "student number",
            ),
            (
                "maria@usc.edu",
                Err(EmailError::Typo {
                    suggestion: "maria@usc.edu.ph".into(),
                }),
                "typo map",
            ),
            (
                "maria@usec.edu.ph",
                Err(EmailError::Typo {
                    suggestion: "maria@usc.edu.ph".into(),
                }),
                "typo map",
            ),
            (
                "maria@gmail.com",
                Err(EmailError::WrongDomain {
                    domain: "usc.edu.ph".into(),
                }),
                "other domain",
            ),
            (
                "a.b.c.d.e@usc.edu.ph",
                Err(EmailError::InvalidLocalPart {
                    reason: "more than three dots",
                }),
                "dots",
            ),
            (
                "a..b@usc.edu.ph",
                Err(EmailError::InvalidLocalPart {
                    reason: "consecutive dots",
                }),
                "double dot",
            ),
            (
                ".ab@usc.edu.ph",
                Err(EmailError::InvalidLocalPart {
                    reason: "starts or ends with a dot",
                }),
                "leading dot",
            ),
            (
                "a12345@usc.edu.ph",
                Err(EmailError::InvalidLocalPart {
                    reason: "mostly digits but not a 7-9 digit student number",
                }),
                "digits",
            ),
            (
                "123@usc.edu.ph",
                Err(EmailError::InvalidLocalPart {
                    reason: "mostly digits but not a 7-9 digit student number",
                }),
                "short number",
            ),
            (
                "a+b@usc.edu.ph",
                Err(EmailError::InvalidLocalPart {
                    reason: "only letters, digits, '.', '_' and '-' are allowed",
                }),
                "plus",
            ),
            (
                "a@usc.edu.ph",
                Err(EmailError::InvalidLocalPart {
                    reason: "must be 2 to 30 characters",
                }),
                "too short",
            ),
            ("not-an-email", Err(EmailError::Malformed), "no @"),
            ("mária@usc.edu.ph", Err(EmailError::NotAscii), "non-ascii"),
        ];
        for (input, expected, why) in cases {
            let got = policy.parse_for_registration(input);
            let got = got.as_ref().map(EmailAddress::as_str).map_err(Clone::clone);
            assert_eq!(got, expected.clone(), "{why}: {input}");
        }
    }

    #[test]
    fn configurable_domain_has_no_usc_typo_map() {
        let policy = EmailPolicy::new("Example.EDU").expect("valid domain");
        assert_eq!(policy.domain(), "example.edu");
        assert!(policy.parse_for_registration("jo@example.edu").is_ok());
        assert_eq!(
            policy.parse_for_registration("jo@usc.edu"),
            Err(EmailError::WrongDomain {
                domain: "example.edu".into()
            })
        );
    }

    #[test]
    fn debug_is_redacted() {
        let e = EmailAddress::parse("secret.person@usc.edu.ph").expect("valid");
        assert!(!format!("{e:?}").contains("secret"));
        assert!(!e.is_student_number());
        assert!(
            EmailAddress::parse("1234567@usc.edu.ph")
                .expect("valid")
                .is_student_number()
        );
    }
}
