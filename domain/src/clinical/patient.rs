//! The patient profile: the clinical identity, with or without a user account.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::allergy::AllergyEntry;
use super::codes::{BloodType, CivilStatus, Sex};
use super::record::{FieldChange, changed_fields};
use super::values::{Medication, bmi};
use crate::identity::{Campus, CourseCode, EmailAddress, PersonName, Phone, UscId, YearLevel};
use crate::{PatientId, UserId};

/// Free-text medical history (reference §1.1), each entry optional.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MedicalHistory {
    /// Past illnesses.
    pub illnesses: Option<String>,
    /// Childhood diseases.
    pub childhood_diseases: Option<String>,
    /// Special needs.
    pub special_needs: Option<String>,
    /// Existing conditions ("Mild asthma").
    pub existing_conditions: Option<String>,
    /// Hospitalisations.
    pub hospitalizations: Option<String>,
    /// Surgeries.
    pub surgeries: Option<String>,
}

/// Someone to call.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct EmergencyContact {
    /// Name.
    pub name: Option<String>,
    /// Number.
    pub phone: Option<Phone>,
    /// Relationship ("Mother").
    pub relationship: Option<String>,
}

/// A patient. Built only from validated parts; `Debug` shows ids only.
#[derive(Clone, PartialEq)]
pub struct Patient {
    /// Identity.
    pub id: PatientId,
    /// The account, when the patient has one (walk-ins may not).
    pub user_id: Option<UserId>,
    /// Given name.
    pub first_name: PersonName,
    /// Middle name.
    pub middle_name: Option<PersonName>,
    /// Family name.
    pub last_name: PersonName,
    /// Date of birth.
    pub date_of_birth: NaiveDate,
    /// Sex.
    pub sex: Sex,
    /// Contact email, unique among patients.
    pub email: Option<EmailAddress>,
    /// USC ID, unique among patients.
    pub usc_id: Option<UscId>,
    /// Contact number.
    pub phone: Option<Phone>,
    /// Present address.
    pub address: Option<String>,
    /// Permanent address.
    pub permanent_address: Option<String>,
    /// Civil status.
    pub civil_status: Option<CivilStatus>,
    /// Nationality.
    pub nationality: Option<String>,
    /// Religion.
    pub religion: Option<String>,
    /// Program code.
    pub course: Option<CourseCode>,
    /// Year level.
    pub year_level: Option<YearLevel>,
    /// Campus.
    pub campus: Option<Campus>,
    /// Department (faculty and staff).
    pub department: Option<String>,
    /// Emergency contact.
    pub emergency_contact: EmergencyContact,
    /// Blood type.
    pub blood_type: Option<BloodType>,
    /// Height, cm.
    pub height_cm: Option<f64>,
    /// Weight, kg.
    pub weight_kg: Option<f64>,
    /// Allergies, active and closed, with their provenance; changed only through
    /// [`allergy::restate`](super::allergy::restate) and [`allergy::close`](super::allergy::close).
    pub allergies: Vec<AllergyEntry>,
    /// Current medications.
    pub medications: Vec<Medication>,
    /// History.
    pub history: MedicalHistory,
    /// Who created the profile.
    pub created_by: Option<UserId>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl fmt::Debug for Patient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Patient")
            .field("id", &self.id)
            .field("user_id", &self.user_id)
            .finish_non_exhaustive()
    }
}

impl Patient {
    /// A patient with the required parts; every optional part empty.
    pub fn new(
        id: PatientId,
        first_name: PersonName,
        last_name: PersonName,
        date_of_birth: NaiveDate,
        sex: Sex,
        created_by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            user_id: None,
            first_name,
            middle_name: None,
            last_name,
            date_of_birth,
            sex,
            email: None,
            usc_id: None,
            phone: None,
            address: None,
            permanent_address: None,
            civil_status: None,
            nationality: None,
            religion: None,
            course: None,
            year_level: None,
            campus: None,
            department: None,
            emergency_contact: EmergencyContact::default(),
            blood_type: None,
            height_cm: None,
            weight_kg: None,
            allergies: Vec::new(),
            medications: Vec::new(),
            history: MedicalHistory::default(),
            created_by,
            created_at: now,
            updated_at: now,
        }
    }

    /// "First Last".
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name.as_str(), self.last_name.as_str())
    }

    /// "M. S. R." for Maria Santos Reyes: what a certificate's public verification shows
    /// of its holder.
    pub fn initials(&self) -> String {
        [
            Some(self.first_name.as_str()),
            self.middle_name.as_ref().map(|n| n.as_str()),
            Some(self.last_name.as_str()),
        ]
        .into_iter()
        .flatten()
        .filter_map(|n| n.chars().next())
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" ")
    }

    /// Whole years of age on `today`.
    pub fn age_on(&self, today: NaiveDate) -> u32 {
        age_on(self.date_of_birth, today)
    }

    /// BMI when height and weight are known.
    pub fn bmi(&self) -> Option<f64> {
        Some(bmi(self.height_cm?, self.weight_kg?))
    }
}

impl Patient {
    /// The profile fields that differ from `before`, each with both values (allergies
    /// aside: their changes come from [`allergy::restate`](super::allergy::restate)).
    pub fn changes_since(&self, before: &Patient) -> Vec<FieldChange> {
        changed_fields!(self, before;
            first_name, middle_name, last_name, date_of_birth, sex, email, usc_id, phone,
            address, permanent_address, civil_status, nationality, religion, course,
            year_level, campus, department, emergency_contact, blood_type, height_cm,
            weight_kg, medications, history,
        )
    }
}

/// A name as duplicates compare it: lowercase letters and digits only ("De la Cruz" =
/// "dela cruz").
fn name_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// How alike two names are: the ratio of matching characters, 2·M / (|a| + |b|), as the
/// replaced system's `SequenceMatcher` computed it (reference §2.8).
fn name_similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (a.to_lowercase(), b.to_lowercase());
    f64::from(similar::TextDiff::from_chars(a.as_str(), b.as_str()).ratio())
}

/// An existing patient who may be the one being created.
#[derive(Debug, Clone, PartialEq)]
pub struct DuplicateCandidate {
    /// Who.
    pub id: PatientId,
    /// 0-1 by the reference's rule.
    pub score: f64,
    /// Same normalised first and last name and date of birth.
    pub same_name_and_birth: bool,
}

impl DuplicateCandidate {
    /// Whether this candidate stops a creation that is not confirmed: the same name and
    /// date of birth, or a score above 0.90.
    pub fn blocks(&self) -> bool {
        self.same_name_and_birth || self.score > 0.90
    }
}

/// The existing patients that `new` may duplicate, most alike first. The score is the
/// replaced system's (reference §2.8): 0.25·sim(first) + 0.25·sim(last) + 0.30·[same
/// date of birth] + 0.15·[same email] + 0.05·[same phone]; a candidate scores at least
/// 0.85 or has the same normalised name and date of birth.
pub fn possible_duplicates(new: &Patient, existing: &[Patient]) -> Vec<DuplicateCandidate> {
    let mut out: Vec<DuplicateCandidate> = existing
        .iter()
        .filter(|p| p.id != new.id)
        .filter_map(|p| {
            let same = |a: bool| if a { 1.0 } else { 0.0 };
            let score = 0.25 * name_similarity(new.first_name.as_str(), p.first_name.as_str())
                + 0.25 * name_similarity(new.last_name.as_str(), p.last_name.as_str())
                + 0.30 * same(new.date_of_birth == p.date_of_birth)
                + 0.15 * same(new.email.is_some() && new.email == p.email)
                + 0.05 * same(new.phone.is_some() && new.phone == p.phone);
            let same_name_and_birth = new.date_of_birth == p.date_of_birth
                && name_key(new.first_name.as_str()) == name_key(p.first_name.as_str())
                && name_key(new.last_name.as_str()) == name_key(p.last_name.as_str());
            (same_name_and_birth || score >= 0.85).then_some(DuplicateCandidate {
                id: p.id,
                score,
                same_name_and_birth,
            })
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    out
}

/// Whole years from `born` to `today` (0 before the first birthday).
pub fn age_on(born: NaiveDate, today: NaiveDate) -> u32 {
    today.years_since(born).unwrap_or(0)
}

/// Why a date of birth was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BirthDateError {
    /// After today.
    #[error("date of birth cannot be in the future")]
    Future,
    /// Before 1900 or older than 150.
    #[error("date of birth must be in 1900 or later")]
    TooOld,
}

/// Checks a date of birth against today.
pub fn check_birth_date(born: NaiveDate, today: NaiveDate) -> Result<NaiveDate, BirthDateError> {
    if born > today {
        Err(BirthDateError::Future)
    } else if born.year() < 1900 {
        Err(BirthDateError::TooOld)
    } else {
        Ok(born)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(first: &str, last: &str, born: NaiveDate) -> Patient {
        Patient::new(
            PatientId::new(),
            PersonName::parse(first).expect("name"),
            PersonName::parse(last).expect("name"),
            born,
            Sex::Female,
            None,
            Utc::now(),
        )
    }

    #[test]
    fn duplicates_are_the_same_name_and_birth_or_a_high_score() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        let new = person("Maria", "Dela Cruz", d(2004, 6, 12));
        let same = person("MARIA", "dela cruz", d(2004, 6, 12));
        let typo = person("Marian", "Dela Cruz", d(2004, 6, 12));
        let other_day = person("Maria", "Dela Cruz", d(2004, 6, 13));
        let other = person("Jose", "Reyes", d(2004, 6, 12));
        let found = possible_duplicates(&new, &[same.clone(), typo.clone(), other_day, other]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].id, same.id);
        assert!(found[0].blocks() && found[0].same_name_and_birth);
        // With the same email a near-identical name is reported too, and blocks.
        let mut new = new;
        let email = crate::identity::EmailAddress::parse("maria@usc.edu.ph").expect("email");
        new.email = Some(email.clone());
        let mut typo = typo;
        typo.email = Some(email);
        let found = possible_duplicates(&new, &[typo.clone()]);
        assert_eq!(found.len(), 1);
        assert!(!found[0].same_name_and_birth && found[0].score > 0.90 && found[0].blocks());
    }

    #[test]
    fn age_counts_whole_years_and_birth_dates_are_checked() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(age_on(d(2004, 6, 12), d(2026, 6, 11)), 21);
        assert_eq!(age_on(d(2004, 6, 12), d(2026, 6, 12)), 22);
        assert_eq!(age_on(d(2004, 2, 29), d(2025, 2, 28)), 20);
        assert_eq!(
            check_birth_date(d(2030, 1, 1), d(2026, 1, 1)),
            Err(BirthDateError::Future)
        );
        assert_eq!(
            check_birth_date(d(1899, 12, 31), d(2026, 1, 1)),
            Err(BirthDateError::TooOld)
        );
    }
}
