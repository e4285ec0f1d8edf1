//! Visits: medical and dental records, and the revision history of their edits.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};

use super::codes::{DentalProcedure, GumCondition, OralHygiene, Priority, ToothCondition};
use super::values::{Medication, Money, PainLevel, ToothNumber, VitalSigns};
use crate::{DentalRecordId, MedicalRecordId, PatientId, UserId};

/// Physical examination findings (reference §1.6), free text per section.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct PhysicalExam {
    /// General appearance.
    pub general_appearance: Option<String>,
    /// Skin.
    pub skin: Option<String>,
    /// Head, eyes, ears, nose, throat.
    pub heent: Option<String>,
    /// Heart.
    pub heart: Option<String>,
    /// Lungs.
    pub lungs: Option<String>,
    /// Abdomen.
    pub abdomen: Option<String>,
    /// Extremities.
    pub extremities: Option<String>,
    /// Neurological.
    pub neurological: Option<String>,
}

/// Why a visit was refused regardless of its fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VisitTimeError {
    /// After now.
    #[error("visit time cannot be in the future")]
    Future,
    /// Before 2000.
    #[error("visit time must be in 2000 or later")]
    TooOld,
}

/// A visit may not be later than now (a minute of clock skew is tolerated) nor before 2000.
pub fn check_visit_time(
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, VisitTimeError> {
    if at > now + chrono::Duration::minutes(1) {
        Err(VisitTimeError::Future)
    } else if at.timestamp() < 946_684_800 {
        Err(VisitTimeError::TooOld)
    } else {
        Ok(at)
    }
}

/// A medical visit.
#[derive(Clone, PartialEq)]
pub struct MedicalRecord {
    /// Identity.
    pub id: MedicalRecordId,
    /// Whose.
    pub patient_id: PatientId,
    /// When the visit happened.
    pub visit_at: DateTime<Utc>,
    /// Reason for the visit, 3-1000 characters.
    pub chief_complaint: String,
    /// 5-1000 characters.
    pub diagnosis: String,
    /// 5-1000 characters.
    pub treatment: String,
    /// Up to 2000 characters.
    pub notes: Option<String>,
    /// Measured vital signs.
    pub vital_signs: VitalSigns,
    /// Examination findings.
    pub physical_exam: PhysicalExam,
    /// Medications given or prescribed.
    pub medications: Vec<Medication>,
    /// Why a medication was given despite a recorded allergy.
    pub override_reason: Option<String>,
    /// Author.
    pub created_by: Option<UserId>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Number of saved versions (1 on creation).
    pub version: i32,
}

impl fmt::Debug for MedicalRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MedicalRecord")
            .field("id", &self.id)
            .field("patient_id", &self.patient_id)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// A dental visit (every field of reference §1.7).
#[derive(Clone, PartialEq)]
pub struct DentalRecord {
    /// Identity.
    pub id: DentalRecordId,
    /// Whose.
    pub patient_id: PatientId,
    /// When.
    pub visit_at: DateTime<Utc>,
    /// Reason for the visit.
    pub concern: Option<String>,
    /// What was done.
    pub procedure: DentalProcedure,
    /// Teeth treated, FDI, sorted, without repeats.
    pub tooth_numbers: Vec<ToothNumber>,
    /// Condition per tooth.
    pub tooth_chart: BTreeMap<ToothNumber, ToothCondition>,
    /// Diagnosis.
    pub diagnosis: Option<String>,
    /// Treatment performed.
    pub treatment_performed: Option<String>,
    /// Plan.
    pub treatment_plan: Option<String>,
    /// Referred to.
    pub referral_to: Option<String>,
    /// Hygiene.
    pub oral_hygiene: Option<OralHygiene>,
    /// Gums.
    pub gum_condition: Option<GumCondition>,
    /// Notes.
    pub clinical_notes: Option<String>,
    /// Pain 1-10.
    pub pain_level: Option<PainLevel>,
    /// Whether anesthesia was used.
    pub anesthesia_used: bool,
    /// Which.
    pub anesthesia_type: Option<String>,
    /// Materials.
    pub materials_used: Option<String>,
    /// Suggested next visit.
    pub next_visit_on: Option<NaiveDate>,
    /// Home care.
    pub home_care_instructions: Option<String>,
    /// Priority.
    pub priority: Priority,
    /// Cost in PHP.
    pub cost: Option<Money>,
    /// Covered by insurance.
    pub insurance_covered: bool,
    /// Medications given or prescribed.
    pub medications: Vec<Medication>,
    /// Why a medication was given despite a recorded allergy.
    pub override_reason: Option<String>,
    /// Author.
    pub created_by: Option<UserId>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// Number of saved versions.
    pub version: i32,
}

impl fmt::Debug for DentalRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DentalRecord")
            .field("id", &self.id)
            .field("patient_id", &self.patient_id)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl DentalRecord {
    /// "11, 12, 21" or "N/A" (reference display).
    pub fn affected_teeth_display(&self) -> String {
        if self.tooth_numbers.is_empty() {
            return "N/A".into();
        }
        self.tooth_numbers
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One saved edit: who, when, which fields (names only, values stay in the record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// `medical_record` or `dental_record`.
    pub record_kind: &'static str,
    /// The record.
    pub record_id: uuid::Uuid,
    /// Version this edit produced.
    pub version: i32,
    /// Editor.
    pub changed_by: UserId,
    /// When.
    pub changed_at: DateTime<Utc>,
    /// Names of the changed fields.
    pub changed_fields: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visits_are_not_in_the_future_nor_before_2000() {
        let now = Utc::now();
        assert_eq!(
            check_visit_time(now + chrono::Duration::hours(1), now),
            Err(VisitTimeError::Future)
        );
        assert!(check_visit_time(now, now).is_ok());
        let y1999 = DateTime::parse_from_rfc3339("1999-12-31T23:59:59Z")
            .expect("date")
            .to_utc();
        assert_eq!(check_visit_time(y1999, now), Err(VisitTimeError::TooOld));
    }
}
