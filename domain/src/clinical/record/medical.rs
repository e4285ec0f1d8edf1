//! A medical visit and its rules, stated once in [`MedicalRecord::new`]'s and
//! [`MedicalRecord::edit`]'s shared step:
//!
//! | field | rule |
//! | --- | --- |
//! | `patient_id` | required; an edit cannot change it |
//! | `visit_at` | required; not in the future (a minute of skew), not before 2000 |
//! | `chief_complaint` | 3-1000 characters once trimmed |
//! | `diagnosis`, `treatment` | 5-1000 characters once trimmed |
//! | `notes` | up to 2000 characters; blank clears |
//! | `vital_signs.*` | the ranges of [`VitalSigns::new`] |
//! | `physical_exam.*` | each section up to 2000 characters; blank clears |
//! | `medications[i]` | at most 50, each as [`Medication::new`] |
//! | `override_reason` | up to 1000 characters; blank clears |
//!
//! Every text is trimmed and refused with control characters (line breaks and tabs
//! allowed).

use chrono::{DateTime, Utc};

use super::check::{self, Check, RecordError, RecordErrors, Visit, changed_fields, debug_only};
use super::{PhysicalExam, Revision};
use crate::clinical::values::{Medication, RawMedication, RawVitals, VitalSigns};
use crate::{MedicalRecordId, PatientId, UserId};

/// A medical visit as entered, every part raw but typed. On creation a missing required
/// part is refused; in an edit `None` leaves a part unchanged and a blank text clears an
/// optional one. Lists and the examination replace the old ones whole.
#[derive(Clone, Default, PartialEq)]
pub struct MedicalRecordFields {
    /// Whose (required on creation; an edit may only repeat it).
    pub patient_id: Option<PatientId>,
    /// When the visit happened.
    pub visit_at: Option<DateTime<Utc>>,
    /// Reason for the visit.
    pub chief_complaint: Option<String>,
    /// Diagnosis.
    pub diagnosis: Option<String>,
    /// Treatment.
    pub treatment: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Vital signs (replace all).
    pub vital_signs: Option<RawVitals>,
    /// Examination, unchecked (replaces all sections).
    pub physical_exam: Option<PhysicalExam>,
    /// Medications given or prescribed (replaces the list).
    pub medications: Option<Vec<RawMedication>>,
    /// Why to proceed despite an allergy match.
    pub override_reason: Option<String>,
}

debug_only!(MedicalRecordFields: patient_id, visit_at);

impl MedicalRecordFields {
    /// Whether the entry gives what the allergy check weighs (medications).
    pub fn names_substances(&self) -> bool {
        self.medications.is_some()
    }
}

/// A medical visit, built by [`MedicalRecord::new`] and changed by
/// [`MedicalRecord::edit`] under the module's rules (public fields: see [the records](super)).
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
    /// Examination findings, up to 2000 characters a section.
    pub physical_exam: PhysicalExam,
    /// Medications given or prescribed, at most 50.
    pub medications: Vec<Medication>,
    /// Why a medication was given despite a recorded allergy, up to 1000 characters.
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

debug_only!(MedicalRecord: id, patient_id, version);

impl MedicalRecord {
    /// What the allergy check weighs: the medications.
    pub fn checked_substances(&self) -> Vec<Medication> {
        self.medications.clone()
    }
}

impl MedicalRecord {
    /// A new visit recorded by `author` at `now` (version 1), or every refused field.
    pub fn new(
        id: MedicalRecordId,
        fields: MedicalRecordFields,
        author: UserId,
        now: DateTime<Utc>,
    ) -> Result<Self, RecordErrors> {
        let mut check = Check::creating();
        if fields.patient_id.is_none() {
            check.add("patient_id", RecordError::Required);
        }
        // Placeholders, each replaced by the entry or refused.
        let blank = Self {
            id,
            patient_id: fields
                .patient_id
                .unwrap_or(PatientId::from_uuid(uuid::Uuid::nil())),
            visit_at: now,
            chief_complaint: String::new(),
            diagnosis: String::new(),
            treatment: String::new(),
            notes: None,
            vital_signs: VitalSigns::default(),
            physical_exam: PhysicalExam::default(),
            medications: vec![],
            override_reason: None,
            created_by: Some(author),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        check::create(blank, fields, check, now)
    }

    /// Applies an edit by `by` at `now`, by the same rules as [`MedicalRecord::new`]. When a
    /// field changed, the version goes up by one, `updated_at` becomes `now`, and the
    /// revision to keep is returned; `None` when nothing changed, and when a field is
    /// refused nothing changes.
    pub fn edit(
        &mut self,
        fields: MedicalRecordFields,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<Revision>, RecordErrors> {
        check::edit(self, fields, by, now)
    }
}

/// How creation and edits reach the rules.
impl Visit for MedicalRecord {
    type Fields = MedicalRecordFields;
    const KIND: &'static str = "medical_record";

    fn named_patient(fields: &MedicalRecordFields) -> Option<PatientId> {
        fields.patient_id
    }

    /// The rules of the module's table, once for creation and edits.
    fn apply(&mut self, f: MedicalRecordFields, check: &mut Check, now: DateTime<Utc>) {
        check.visit_at(&mut self.visit_at, f.visit_at, now);
        check.text(
            &mut self.chief_complaint,
            "chief_complaint",
            f.chief_complaint,
            3,
            1000,
        );
        check.text(&mut self.diagnosis, "diagnosis", f.diagnosis, 5, 1000);
        check.text(&mut self.treatment, "treatment", f.treatment, 5, 1000);
        check.opt_text(&mut self.notes, "notes", f.notes, 2000);
        if let Some(raw) = f.vital_signs {
            match VitalSigns::new(raw) {
                Ok(v) => self.vital_signs = v,
                Err(errors) => {
                    for (field, e) in errors {
                        check.add(&format!("vital_signs.{field}"), e);
                    }
                }
            }
        }
        if let Some(raw) = f.physical_exam {
            self.physical_exam = exam(check, raw);
        }
        check.prescription(
            (&mut self.medications, &mut self.override_reason),
            f.medications,
            f.override_reason,
        );
    }

    fn changed_since(&self, before: &Self) -> Vec<super::FieldChange> {
        changed_fields!(self, before;
            visit_at, chief_complaint, diagnosis, treatment, notes, vital_signs,
            physical_exam, medications, override_reason,
        )
    }

    fn patient(&self) -> PatientId {
        self.patient_id
    }

    fn stamp(&mut self, now: DateTime<Utc>) -> (uuid::Uuid, i32) {
        self.version += 1;
        self.updated_at = now;
        (self.id.as_uuid(), self.version)
    }
}

/// Every section up to 2000 characters; an absent or blank section is empty.
fn exam(check: &mut Check, raw: PhysicalExam) -> PhysicalExam {
    let mut out = PhysicalExam::default();
    let sections = [
        (
            "general_appearance",
            raw.general_appearance,
            &mut out.general_appearance,
        ),
        ("skin", raw.skin, &mut out.skin),
        ("heent", raw.heent, &mut out.heent),
        ("heart", raw.heart, &mut out.heart),
        ("lungs", raw.lungs, &mut out.lungs),
        ("abdomen", raw.abdomen, &mut out.abdomen),
        ("extremities", raw.extremities, &mut out.extremities),
        ("neurological", raw.neurological, &mut out.neurological),
    ];
    for (name, raw, slot) in sections {
        check.opt_text(slot, &format!("physical_exam.{name}"), raw, 2000);
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::testing::{
        any_medications, any_text, chars, earlier, fits, fits_opt, med, now,
    };
    use super::*;
    use crate::clinical::values::ValueError;

    fn visit() -> MedicalRecordFields {
        MedicalRecordFields {
            patient_id: Some(PatientId::new()),
            visit_at: Some(earlier()),
            chief_complaint: Some("Cough for 3 days".into()),
            diagnosis: Some("Acute bronchitis".into()),
            treatment: Some("Rest and fluids".into()),
            ..MedicalRecordFields::default()
        }
    }

    fn create(f: MedicalRecordFields) -> Result<MedicalRecord, RecordErrors> {
        MedicalRecord::new(MedicalRecordId::new(), f, UserId::new(), now())
    }

    fn exam_with_skin(skin: String) -> Option<PhysicalExam> {
        Some(PhysicalExam {
            skin: Some(skin),
            ..PhysicalExam::default()
        })
    }

    /// Bad entries, each with the field the refusal must name: (reason, change, field).
    type Case = (&'static str, fn(&mut MedicalRecordFields), &'static str);
    const BAD: &[Case] = &[
        (
            "complaint is blank",
            |f| f.chief_complaint = Some("  ".into()),
            "chief_complaint",
        ),
        (
            "complaint under 3",
            |f| f.chief_complaint = Some("ab".into()),
            "chief_complaint",
        ),
        (
            "complaint over 1000",
            |f| f.chief_complaint = Some(chars(1001)),
            "chief_complaint",
        ),
        (
            "complaint with a NUL byte",
            |f| f.chief_complaint = Some("cough\0x".into()),
            "chief_complaint",
        ),
        (
            "diagnosis is empty",
            |f| f.diagnosis = Some(String::new()),
            "diagnosis",
        ),
        (
            "diagnosis under 5",
            |f| f.diagnosis = Some("flu".into()),
            "diagnosis",
        ),
        (
            "diagnosis over 1000",
            |f| f.diagnosis = Some(chars(1001)),
            "diagnosis",
        ),
        (
            "treatment under 5",
            |f| f.treatment = Some("rest".into()),
            "treatment",
        ),
        (
            "treatment over 1000",
            |f| f.treatment = Some(chars(1001)),
            "treatment",
        ),
        ("notes over 2000", |f| f.notes = Some(chars(2001)), "notes"),
        (
            "exam section over 2000",
            |f| f.physical_exam = exam_with_skin(chars(2001)),
            "physical_exam.skin",
        ),
        (
            "exam section with a bell",
            |f| f.physical_exam = exam_with_skin("ok\u{7}".into()),
            "physical_exam.skin",
        ),
        (
            "fever beyond 45 °C",
            |f| {
                f.vital_signs = Some(RawVitals {
                    temperature_c: Some(50.0),
                    ..RawVitals::default()
                })
            },
            "vital_signs.temperature_c",
        ),
        (
            "pulse beyond 250",
            |f| {
                f.vital_signs = Some(RawVitals {
                    pulse: Some(300),
                    ..RawVitals::default()
                })
            },
            "vital_signs.pulse",
        ),
        (
            "medication name of 1 letter",
            |f| f.medications = Some(vec![med("X")]),
            "medications[0]",
        ),
        (
            "51 medications",
            |f| f.medications = Some(vec![med("Paracetamol"); 51]),
            "medications",
        ),
        (
            "override reason over 1000",
            |f| f.override_reason = Some(chars(1001)),
            "override_reason",
        ),
        (
            "visit in the future",
            |f| f.visit_at = Some(now() + chrono::Duration::hours(2)),
            "visit_at",
        ),
        (
            "visit before 2000",
            |f| f.visit_at = DateTime::from_timestamp(946_684_799, 0),
            "visit_at",
        ),
    ];

    #[test]
    fn each_bad_field_is_named_on_creation_and_on_edit() {
        let saved = create(visit()).expect("valid");
        for (why, change, field) in BAD {
            let mut f = visit();
            change(&mut f);
            let refused = create(f.clone()).err().unwrap_or_default();
            assert_eq!(refused.len(), 1, "{why}: {refused}");
            assert!(refused.get(field).is_some(), "{why}: {refused}");

            f.patient_id = None;
            let mut edited = saved.clone();
            let refused = edited
                .edit(f, UserId::new(), now())
                .err()
                .unwrap_or_default();
            assert!(refused.get(field).is_some(), "{why} (edit): {refused}");
            assert_eq!(edited, saved, "{why}: a refused edit changes nothing");
        }
    }

    #[test]
    fn creation_names_every_missing_and_bad_field_at_once() {
        let refused = create(MedicalRecordFields {
            diagnosis: Some("flu".into()),
            medications: Some(vec![med("Paracetamol"), med("X")]),
            ..MedicalRecordFields::default()
        })
        .err()
        .unwrap_or_default();
        let fields: Vec<_> = refused.iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            [
                "chief_complaint",
                "diagnosis",
                "medications[1]",
                "patient_id",
                "treatment",
                "visit_at"
            ]
        );
        assert_eq!(refused.get("patient_id"), Some(&RecordError::Required));
        assert_eq!(
            refused.get("diagnosis").map(ToString::to_string).as_deref(),
            Some("must be 5 to 1000 characters")
        );
        assert_eq!(
            refused.get("medications[1]"),
            Some(&RecordError::Value(ValueError::Length { min: 2, max: 100 }))
        );
        assert!(
            refused
                .to_string()
                .starts_with("chief_complaint: is required; diagnosis: must be 5")
        );
    }

    #[test]
    fn a_new_record_is_trimmed_at_version_1_and_keeps_the_limits_inclusive() {
        let r = create(MedicalRecordFields {
            chief_complaint: Some(format!("  {}  ", chars(3))),
            diagnosis: Some(chars(1000)),
            notes: Some("   ".into()),
            physical_exam: exam_with_skin(chars(2000)),
            medications: Some(vec![med("Paracetamol"); 50]),
            override_reason: Some(chars(1000)),
            ..visit()
        })
        .expect("valid");
        assert_eq!(r.chief_complaint, "aaa");
        assert_eq!(r.notes, None, "blank notes are none");
        assert_eq!(r.medications.len(), 50);
        assert_eq!((r.version, r.created_at, r.updated_at), (1, now(), now()));
        assert!(r.created_by.is_some());
        let shown = format!("{r:?}");
        assert!(
            !shown.contains("aaa") && shown.contains("MedicalRecord"),
            "{shown}"
        );
    }

    #[test]
    fn an_edit_names_what_it_changed_and_only_then_adds_a_version() {
        let mut r = create(MedicalRecordFields {
            notes: Some("Follow up in a week".into()),
            ..visit()
        })
        .expect("valid");
        let later = now() + chrono::Duration::minutes(5);
        let same = MedicalRecordFields {
            diagnosis: Some(" Acute bronchitis ".into()),
            ..MedicalRecordFields::default()
        };
        assert_eq!(r.edit(same, UserId::new(), later), Ok(None));
        assert_eq!((r.version, r.updated_at), (1, now()));

        let change = MedicalRecordFields {
            patient_id: Some(r.patient_id),
            diagnosis: Some("Acute bronchitis, mild".into()),
            notes: Some(String::new()),
            ..MedicalRecordFields::default()
        };
        let editor = UserId::new();
        let kept = r
            .edit(change, editor, later)
            .ok()
            .flatten()
            .expect("a revision");
        assert_eq!(kept.changed_fields(), ["diagnosis", "notes"]);
        assert_eq!(
            (
                kept.record_kind,
                kept.record_id,
                kept.version,
                kept.changed_by,
                kept.changed_at
            ),
            ("medical_record", r.id.as_uuid(), 2, editor, later)
        );
        assert_eq!((r.version, r.updated_at, r.notes.clone()), (2, later, None));

        let elsewhere = MedicalRecordFields {
            patient_id: Some(PatientId::new()),
            diagnosis: Some("flu".into()),
            ..MedicalRecordFields::default()
        };
        let refused = r
            .edit(elsewhere, UserId::new(), later)
            .err()
            .unwrap_or_default();
        assert_eq!(refused.len(), 1, "moving is refused on its own: {refused}");
        assert_eq!(refused.get("patient_id"), Some(&RecordError::OtherPatient));
    }

    fn any_fields() -> impl Strategy<Value = MedicalRecordFields> {
        (
            (any_text(), any_text(), any_text(), any_text(), any_text()),
            (any_text(), any_text(), any_text(), any_medications()),
            prop::bool::weighted(0.9),
        )
            .prop_map(
                |(
                    (complaint, diagnosis, treatment, notes, reason),
                    (skin, heart, general, medications),
                    has_patient,
                )| {
                    MedicalRecordFields {
                        patient_id: has_patient.then(PatientId::new),
                        visit_at: Some(earlier()),
                        chief_complaint: complaint,
                        diagnosis,
                        treatment,
                        notes,
                        vital_signs: None,
                        physical_exam: Some(PhysicalExam {
                            skin,
                            heart,
                            general_appearance: general,
                            ..PhysicalExam::default()
                        }),
                        medications,
                        override_reason: reason,
                    }
                },
            )
    }

    /// Every length rule of the module, checked on a record.
    fn keeps_every_rule(r: &MedicalRecord) -> bool {
        let e = &r.physical_exam;
        fits(&r.chief_complaint, 3, 1000)
            && fits(&r.diagnosis, 5, 1000)
            && fits(&r.treatment, 5, 1000)
            && fits_opt(&r.notes, 2000)
            && [
                &e.general_appearance,
                &e.skin,
                &e.heent,
                &e.heart,
                &e.lungs,
                &e.abdomen,
                &e.extremities,
                &e.neurological,
            ]
            .into_iter()
            .all(|s| fits_opt(s, 2000))
            && r.medications.len() <= 50
            && fits_opt(&r.override_reason, 1000)
    }

    proptest! {
        // Most random entries are refused somewhere: enough cases that many are accepted.
        #![proptest_config(ProptestConfig::with_cases(2048))]

        /// Whatever is entered, a record the constructor accepts keeps every length rule,
        /// and so does any edit of it that is accepted.
        #[test]
        fn accepted_records_keep_every_length_rule(created in any_fields(), edit in any_fields()) {
            if let Ok(mut r) = create(created) {
                prop_assert!(keeps_every_rule(&r));
                let edit = MedicalRecordFields { patient_id: None, ..edit };
                if r.edit(edit, UserId::new(), now()).is_ok() {
                    prop_assert!(keeps_every_rule(&r));
                }
            }
        }
    }
}
