//! Profile values that belong to a user (reference §1.1, code tables §1.23).

use std::fmt;

use thiserror::Error;

/// Why a profile value was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProfileError {
    /// A name is empty or too long.
    #[error("must be 1 to {max} characters")]
    NameLength {
        /// Maximum length.
        max: usize,
    },
    /// A phone number is not 7-15 digits.
    #[error("phone numbers must have 7 to 15 digits")]
    Phone,
    /// A licence number is not 4-20 letters, digits or '-'.
    #[error("must be 4 to 20 letters, digits or '-'")]
    License,
    /// A USC ID is not 4-20 letters, digits or '-'.
    #[error("USC ID must be 4 to 20 letters, digits or '-'")]
    UscId,
    /// Not a program code 1..68.
    #[error("must be a program code from 1 to 68")]
    Course,
    /// Not a year level 1..4.
    #[error("must be 1 to 4")]
    YearLevel,
    /// Not one of the campuses.
    #[error("must be `Downtown Campus` or `Talamban Campus`")]
    Campus,
    /// A free-text field is too long.
    #[error("must be at most {max} characters")]
    TooLong {
        /// Maximum length.
        max: usize,
    },
}

/// A person's name part: trimmed, 1 to 150 characters.
#[derive(Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    /// Maximum length in characters.
    pub const MAX: usize = 150;
    /// Trims and checks the length.
    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        let s = raw.trim();
        let n = s.chars().count();
        if n == 0 || n > Self::MAX || s.chars().any(char::is_control) {
            return Err(ProfileError::NameLength { max: Self::MAX });
        }
        Ok(Self(s.to_owned()))
    }
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for PersonName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonName(<redacted>)")
    }
}

/// A phone number: 7 to 15 digits, kept in the form given, national (`09171234567`) or
/// international with its leading `+` (`+639171234567`); spaces, dashes, dots and
/// parentheses are dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    /// Normalises and checks.
    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        let raw = raw.trim();
        let (plus, rest) = match raw.strip_prefix('+') {
            Some(rest) => ("+", rest),
            None => ("", raw),
        };
        let digits: String = rest
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.'))
            .collect();
        if !(7..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ProfileError::Phone);
        }
        Ok(Self(format!("{plus}{digits}")))
    }
    /// The number as stored: digits, with a leading `+` when international.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Phone(<redacted>)")
    }
}

/// A professional licence number, e.g. the PRC number of a physician, dentist or nurse:
/// 4 to 20 letters, digits or '-' (letters upper-cased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicenseNumber(String);

impl LicenseNumber {
    /// Checks and normalises.
    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        let v = raw.trim().to_ascii_uppercase();
        if !(4..=20).contains(&v.len())
            || !v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(ProfileError::License);
        }
        Ok(Self(v))
    }
    /// The number.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A USC ID number (for students, the 7-9 digit student number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UscId(String);

impl UscId {
    /// Checks 4-20 characters of letters, digits or '-'; letters are upper-cased.
    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        let s = raw.trim().to_ascii_uppercase();
        let s = s.as_str();
        if !(4..=20).contains(&s.len()) || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(ProfileError::UscId);
        }
        Ok(Self(s.to_owned()))
    }
    /// The ID.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A program code "1".."68" (§1.23).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CourseCode(u8);

impl CourseCode {
    /// Parses "1".."68".
    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        match raw.trim().parse::<u8>() {
            Ok(n) if (1..=68).contains(&n) => Ok(Self(n)),
            _ => Err(ProfileError::Course),
        }
    }
    /// The code as stored.
    pub fn code(&self) -> u8 {
        self.0
    }

    /// The college the program belongs to (reference §1.23 ranges).
    pub fn college(&self) -> &'static str {
        COLLEGES
            .iter()
            .find(|(range, _)| range.contains(&self.0))
            .map_or("University of San Carlos", |(_, name)| name)
    }

    /// The program's name where the catalogue knows it, else its college's: what a
    /// certificate prints (never "Program 12").
    pub fn name(&self) -> &'static str {
        PROGRAMS
            .iter()
            .find(|(code, _)| *code == self.0)
            .map_or_else(|| self.college(), |(_, name)| name)
    }
}

/// Colleges by program-code range (reference §1.23).
const COLLEGES: &[(std::ops::RangeInclusive<u8>, &str)] = &[
    (1..=5, "School of Architecture, Fine Arts and Design"),
    (6..=19, "School of Arts and Sciences"),
    (20..=22, "School of Healthcare Professions"),
    (23..=24, "School of Law and Governance"),
    (25..=35, "School of Business and Economics"),
    (36..=37, "School of Education"),
    (38..=44, "School of Engineering"),
    (45..=52, "Graduate School (doctoral programs)"),
    (53..=68, "Graduate School (master's programs)"),
];

/// Program names by code. The reference names only these; the others print their
/// college until the registrar's list is added here (data, one line per program).
const PROGRAMS: &[(u8, &str)] = &[
    (13, "BS Computer Science"),
    (20, "BS Nursing"),
    (34, "BS Tourism Management"),
];

/// A year level 1..4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearLevel(u8);

impl YearLevel {
    /// Parses "1".."4".
    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        match raw.trim().parse::<u8>() {
            Ok(n) if (1..=4).contains(&n) => Ok(Self(n)),
            _ => Err(ProfileError::YearLevel),
        }
    }
    /// The level.
    pub fn level(&self) -> u8 {
        self.0
    }

    /// "1st Year" .. "4th Year".
    pub fn name(&self) -> &'static str {
        ["1st Year", "2nd Year", "3rd Year", "4th Year"][usize::from(self.0.clamp(1, 4) - 1)]
    }
}

/// The university's campuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Campus {
    /// Downtown Campus.
    Downtown,
    /// Talamban Campus.
    Talamban,
}

impl Campus {
    /// Parses the display name (case-insensitive).
    pub fn parse(raw: &str) -> Result<Self, ProfileError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "downtown campus" | "downtown" => Ok(Self::Downtown),
            "talamban campus" | "talamban" => Ok(Self::Talamban),
            _ => Err(ProfileError::Campus),
        }
    }
    /// The display and storage name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Downtown => "Downtown Campus",
            Self::Talamban => "Talamban Campus",
        }
    }
}

/// Optional free text up to `max` characters; empty becomes `None`.
pub fn optional_text(raw: Option<&str>, max: usize) -> Result<Option<String>, ProfileError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) if s.chars().count() > max => Err(ProfileError::TooLong { max }),
        Some(s) => Ok(Some(s.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_print_their_name_or_college_never_a_bare_code() {
        let name = |c: &str| CourseCode::parse(c).map(|c| c.name()).expect("code");
        assert_eq!(name("13"), "BS Computer Science");
        assert_eq!(name("12"), "School of Arts and Sciences");
        assert_eq!(name("1"), "School of Architecture, Fine Arts and Design");
        assert_eq!(name("68"), "Graduate School (master's programs)");
        for code in 1..=68 {
            let c = CourseCode::parse(&code.to_string()).expect("code");
            assert!(!c.name().contains(char::is_numeric), "{code}: {}", c.name());
        }
        assert_eq!(YearLevel::parse("3").map(|y| y.name()), Ok("3rd Year"));
    }

    #[test]
    fn values_table() {
        assert_eq!(
            Phone::parse("(0917) 123-4567").map(|p| p.as_str().to_owned()),
            Ok("09171234567".into())
        );
        assert_eq!(
            Phone::parse(" +63 917 123 4567").map(|p| p.as_str().to_owned()),
            Ok("+639171234567".into()),
            "the international form keeps its +"
        );
        assert_eq!(
            Phone::parse("032.230.0100").map(|p| p.as_str().to_owned()),
            Ok("0322300100".into())
        );
        assert_eq!(Phone::parse("63+9171234567"), Err(ProfileError::Phone));
        assert_eq!(Phone::parse("++639171234567"), Err(ProfileError::Phone));
        assert_eq!(Phone::parse("12345"), Err(ProfileError::Phone));
        assert_eq!(Phone::parse("0917abc4567"), Err(ProfileError::Phone));
        assert!(PersonName::parse("  Maria ").is_ok_and(|n| n.as_str() == "Maria"));
        assert_eq!(
            PersonName::parse("   "),
            Err(ProfileError::NameLength { max: 150 })
        );
        assert_eq!(CourseCode::parse("13").map(|c| c.code()), Ok(13));
        assert_eq!(CourseCode::parse("69"), Err(ProfileError::Course));
        assert_eq!(YearLevel::parse("0"), Err(ProfileError::YearLevel));
        assert_eq!(Campus::parse("talamban campus"), Ok(Campus::Talamban));
        assert_eq!(
            UscId::parse("21104567").map(|u| u.as_str().to_owned()),
            Ok("21104567".into())
        );
        assert_eq!(UscId::parse("1 2"), Err(ProfileError::UscId));
        assert_eq!(optional_text(Some("  "), 5), Ok(None));
        assert_eq!(
            optional_text(Some("abcdef"), 5),
            Err(ProfileError::TooLong { max: 5 })
        );
    }
}
