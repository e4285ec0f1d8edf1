//! Visits: medical and dental records, and the revision history of their edits.
//!
//! A record validates itself: [`MedicalRecord::new`] and [`DentalRecord::new`] take the
//! fields as entered and refuse every bad one at once ([`RecordErrors`], one error per
//! field name); `edit` applies a change by the very same rules and names the fields it
//! changed, for the revision. Each rule is stated once, in the record's module
//! (`medical`, `dental`); the two share how a value is given, cleared and refused.
//!
//! The records' fields stay public for reading (views, storage rows, tests) and for the
//! storage adapter, which rebuilds a saved record as it was checked when saved. No other
//! code builds or writes a record: the use cases go through `new` and `edit`.

mod check;
mod dental;
mod medical;
#[cfg(test)]
mod testing;

use chrono::{DateTime, Utc};

use crate::UserId;

pub(crate) use check::changed_fields;
pub use check::{RecordError, RecordErrors};
pub use dental::{DentalRecord, DentalRecordFields};
pub use medical::{MedicalRecord, MedicalRecordFields};

/// Physical examination findings (reference §1.6), free text per section. In a record
/// each section is trimmed and up to 2000 characters; in [`MedicalRecordFields`] it is the
/// examination as entered, before those checks.
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

/// One field of an edit: its name and its value before and after, as clinic staff read
/// it ([`Shown`](crate::clinical::shown::Shown)); `None` is empty.
#[derive(Clone, PartialEq, Eq)]
pub struct FieldChange {
    /// The field (`diagnosis`, `allergies.Penicillin`).
    pub field: String,
    /// Before.
    pub old: Option<String>,
    /// After.
    pub new: Option<String>,
}

impl std::fmt::Debug for FieldChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The values are patient data.
        f.debug_struct("FieldChange")
            .field("field", &self.field)
            .finish_non_exhaustive()
    }
}

/// One saved edit of a record or a patient: who, when, and each changed field with its
/// old and new value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// `medical_record`, `dental_record` or `patient`.
    pub record_kind: &'static str,
    /// The record or patient.
    pub record_id: uuid::Uuid,
    /// Version this edit produced (a patient's count their revisions).
    pub version: i32,
    /// Editor.
    pub changed_by: UserId,
    /// When.
    pub changed_at: DateTime<Utc>,
    /// The changed fields, in the record's field order.
    pub changes: Vec<FieldChange>,
}

impl Revision {
    /// The names of the changed fields.
    pub fn changed_fields(&self) -> Vec<&str> {
        self.changes.iter().map(|c| c.field.as_str()).collect()
    }
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
