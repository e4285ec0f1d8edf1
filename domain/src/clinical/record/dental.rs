//! A dental visit (every field of reference §1.7) and its rules, stated once in the step
//! [`DentalRecord::new`] and [`DentalRecord::edit`] share:
//!
//! | field | rule |
//! | --- | --- |
//! | `patient_id`, `visit_at` | required on creation (refused alone when missing) |
//! | `visit_at` | not in the future (a minute of skew), not before 2000 |
//! | `patient_id` | an edit cannot change it |
//! | `procedure`, `priority` | a known code (consultation and low when not given) |
//! | `tooth_numbers` | FDI permanent teeth; stored sorted, without repeats |
//! | `tooth_chart.<tooth>` | an FDI tooth and a known condition |
//! | `oral_hygiene`, `gum_condition` | a known code; blank clears |
//! | `concern`, `diagnosis`, `treatment_performed`, `treatment_plan`, `materials_used` | up to 1000 characters |
//! | `referral_to` | up to 500 characters |
//! | `anesthesia_type` | up to 100 characters |
//! | `clinical_notes`, `home_care_instructions` | up to 2000 characters |
//! | `pain_level` | 1-10 |
//! | `cost` | PHP, 0.00-99999999.99, at most 2 decimal places; blank clears |
//! | `medications[i]` | at most 50, each as [`Medication::new`] |
//! | `override_reason` | up to 1000 characters |
//!
//! Texts are optional (blank clears), trimmed, and refused with control characters.

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

use super::Revision;
use super::check::{self, Check, RecordError, RecordErrors, Visit, changed_fields, debug_only};
use crate::clinical::codes::{
    DentalProcedure, GumCondition, OralHygiene, Priority, ToothCondition,
};
use crate::clinical::values::{Medication, Money, PainLevel, RawMedication, ToothNumber};
use crate::{DentalRecordId, PatientId, UserId};

/// A dental visit as entered, every part raw but typed. `None` leaves a part as it is (on
/// creation: empty, or the default code); a blank text or code clears an optional one.
#[derive(Clone, Default, PartialEq)]
pub struct DentalRecordFields {
    /// Whose (required on creation; an edit may only repeat it).
    pub patient_id: Option<PatientId>,
    /// When (required on creation).
    pub visit_at: Option<DateTime<Utc>>,
    /// Procedure code.
    pub procedure: Option<String>,
    /// FDI numbers.
    pub tooth_numbers: Option<Vec<i64>>,
    /// Tooth → condition code.
    pub tooth_chart: Option<BTreeMap<String, String>>,
    /// Concern.
    pub concern: Option<String>,
    /// Diagnosis.
    pub diagnosis: Option<String>,
    /// Treatment performed.
    pub treatment_performed: Option<String>,
    /// Plan.
    pub treatment_plan: Option<String>,
    /// Referral.
    pub referral_to: Option<String>,
    /// Hygiene code.
    pub oral_hygiene: Option<String>,
    /// Gum code.
    pub gum_condition: Option<String>,
    /// Notes.
    pub clinical_notes: Option<String>,
    /// 1-10.
    pub pain_level: Option<i64>,
    /// Anesthesia used.
    pub anesthesia_used: Option<bool>,
    /// Which.
    pub anesthesia_type: Option<String>,
    /// Materials.
    pub materials_used: Option<String>,
    /// Next visit.
    pub next_visit_on: Option<NaiveDate>,
    /// Home care.
    pub home_care_instructions: Option<String>,
    /// Priority code.
    pub priority: Option<String>,
    /// Decimal string in PHP.
    pub cost: Option<String>,
    /// Insurance.
    pub insurance_covered: Option<bool>,
    /// Medications (replaces the list).
    pub medications: Option<Vec<RawMedication>>,
    /// Why to proceed despite an allergy match.
    pub override_reason: Option<String>,
}

debug_only!(DentalRecordFields: patient_id, visit_at);

impl DentalRecordFields {
    /// Whether the entry gives what the allergy check weighs (medications, the
    /// anaesthetic).
    pub fn names_substances(&self) -> bool {
        self.medications.is_some() || self.anesthesia_type.is_some()
    }
}

/// A dental visit, built by [`DentalRecord::new`] and changed by [`DentalRecord::edit`]
/// under the module's rules (public fields: see [the records](super)).
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

debug_only!(DentalRecord: id, patient_id, version);

impl DentalRecord {
    /// What the allergy check weighs: the medications and the anaesthetic named (dental
    /// anaesthesia is checked like a prescription).
    pub fn checked_substances(&self) -> Vec<Medication> {
        let mut out = self.medications.clone();
        if let Some(a) = &self.anesthesia_type
            && let Ok(m) = Medication::new(a, None)
        {
            out.push(m);
        }
        out
    }
}

impl DentalRecord {
    /// A new visit recorded by `author` at `now` (version 1), or every refused field. A
    /// missing patient or visit time is refused on its own, before the other fields.
    pub fn new(
        id: DentalRecordId,
        fields: DentalRecordFields,
        author: UserId,
        now: DateTime<Utc>,
    ) -> Result<Self, RecordErrors> {
        let Some(patient_id) = fields.patient_id else {
            return Err(RecordErrors::one("patient_id", RecordError::Required));
        };
        if fields.visit_at.is_none() {
            return Err(RecordErrors::one("visit_at", RecordError::Required));
        }
        let blank = Self {
            id,
            patient_id,
            visit_at: now,
            concern: None,
            procedure: DentalProcedure::Consultation,
            tooth_numbers: vec![],
            tooth_chart: BTreeMap::new(),
            diagnosis: None,
            treatment_performed: None,
            treatment_plan: None,
            referral_to: None,
            oral_hygiene: None,
            gum_condition: None,
            clinical_notes: None,
            pain_level: None,
            anesthesia_used: false,
            anesthesia_type: None,
            materials_used: None,
            next_visit_on: None,
            home_care_instructions: None,
            priority: Priority::Low,
            cost: None,
            insurance_covered: false,
            medications: vec![],
            override_reason: None,
            created_by: Some(author),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        check::create(blank, fields, Check::creating(), now)
    }

    /// Applies an edit by `by` at `now` by the rules of [`DentalRecord::new`], as
    /// [`MedicalRecord::edit`](super::MedicalRecord::edit) does: the revision when a field
    /// changed (one version more), `None` when none did, nothing changed when one is refused.
    pub fn edit(
        &mut self,
        fields: DentalRecordFields,
        by: UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<Revision>, RecordErrors> {
        check::edit(self, fields, by, now)
    }

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

/// How creation and edits reach the rules.
impl Visit for DentalRecord {
    type Fields = DentalRecordFields;
    const KIND: &'static str = "dental_record";

    fn named_patient(fields: &DentalRecordFields) -> Option<PatientId> {
        fields.patient_id
    }

    /// The rules of the module's table, once for creation and edits.
    fn apply(&mut self, f: DentalRecordFields, check: &mut Check, now: DateTime<Utc>) {
        check.visit_at(&mut self.visit_at, f.visit_at, now);
        check.code(
            &mut self.procedure,
            "procedure",
            f.procedure,
            DentalProcedure::parse,
        );
        if let Some(teeth) = f.tooth_numbers {
            self.tooth_numbers = teeth_of(check, &teeth);
        }
        if let Some(chart) = f.tooth_chart {
            self.tooth_chart = chart_of(check, chart);
        }
        check.opt_text(&mut self.concern, "concern", f.concern, 1000);
        check.opt_text(&mut self.diagnosis, "diagnosis", f.diagnosis, 1000);
        check.opt_text(
            &mut self.treatment_performed,
            "treatment_performed",
            f.treatment_performed,
            1000,
        );
        check.opt_text(
            &mut self.treatment_plan,
            "treatment_plan",
            f.treatment_plan,
            1000,
        );
        check.opt_text(&mut self.referral_to, "referral_to", f.referral_to, 500);
        check.opt(
            &mut self.oral_hygiene,
            "oral_hygiene",
            f.oral_hygiene,
            OralHygiene::parse,
        );
        check.opt(
            &mut self.gum_condition,
            "gum_condition",
            f.gum_condition,
            GumCondition::parse,
        );
        check.opt_text(
            &mut self.clinical_notes,
            "clinical_notes",
            f.clinical_notes,
            2000,
        );
        if let Some(n) = f.pain_level
            && let Some(p) = check.keep("pain_level", PainLevel::new(n))
        {
            self.pain_level = Some(p);
        }
        given(&mut self.anesthesia_used, f.anesthesia_used);
        check.opt_text(
            &mut self.anesthesia_type,
            "anesthesia_type",
            f.anesthesia_type,
            100,
        );
        check.opt_text(
            &mut self.materials_used,
            "materials_used",
            f.materials_used,
            1000,
        );
        given(&mut self.next_visit_on, f.next_visit_on.map(Some));
        check.opt_text(
            &mut self.home_care_instructions,
            "home_care_instructions",
            f.home_care_instructions,
            2000,
        );
        check.code(&mut self.priority, "priority", f.priority, Priority::parse);
        check.opt(&mut self.cost, "cost", f.cost, Money::parse);
        given(&mut self.insurance_covered, f.insurance_covered);
        check.prescription(
            (&mut self.medications, &mut self.override_reason),
            f.medications,
            f.override_reason,
        );
    }

    fn changed_since(&self, before: &Self) -> Vec<super::FieldChange> {
        changed_fields!(self, before;
            visit_at, procedure, tooth_numbers, tooth_chart, concern, diagnosis,
            treatment_performed, treatment_plan, referral_to, oral_hygiene, gum_condition,
            clinical_notes, pain_level, anesthesia_used, anesthesia_type, materials_used,
            next_visit_on, home_care_instructions, priority, cost, insurance_covered,
            medications, override_reason,
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

/// Replaces a value that has no rule beyond its type when one is given.
fn given<T>(slot: &mut T, raw: Option<T>) {
    if let Some(v) = raw {
        *slot = v;
    }
}

/// FDI teeth, sorted, each once; every bad number is refused under `tooth_numbers`.
fn teeth_of(check: &mut Check, raw: &[i64]) -> Vec<ToothNumber> {
    let mut out = Vec::new();
    for n in raw {
        match ToothNumber::new(*n) {
            Ok(t) if !out.contains(&t) => out.push(t),
            Ok(_) => {}
            Err(e) => check.add("tooth_numbers", e),
        }
    }
    out.sort();
    out
}

/// Tooth → condition; a bad entry is refused under `tooth_chart.<tooth as sent>`.
fn chart_of(
    check: &mut Check,
    raw: BTreeMap<String, String>,
) -> BTreeMap<ToothNumber, ToothCondition> {
    let mut out = BTreeMap::new();
    for (tooth, cond) in raw {
        let field = format!("tooth_chart.{tooth}");
        match ToothNumber::parse(&tooth) {
            Err(e) => check.add(&field, e),
            Ok(t) => match ToothCondition::parse(&cond) {
                Err(e) => check.add(&field, e),
                Ok(c) => {
                    out.insert(t, c);
                }
            },
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::testing::{any_medications, any_text, chars, earlier, fits_opt, med, now};
    use super::*;

    fn visit() -> DentalRecordFields {
        DentalRecordFields {
            patient_id: Some(PatientId::new()),
            visit_at: Some(earlier()),
            procedure: Some("FILLING".into()),
            tooth_numbers: Some(vec![46, 36, 46]),
            tooth_chart: Some(BTreeMap::from([("36".into(), "FILLED".into())])),
            cost: Some("500".into()),
            ..DentalRecordFields::default()
        }
    }

    fn create(f: DentalRecordFields) -> Result<DentalRecord, RecordErrors> {
        DentalRecord::new(DentalRecordId::new(), f, UserId::new(), now())
    }

    fn text(n: usize) -> Option<String> {
        Some(chars(n))
    }

    /// Bad entries, each with the field the refusal must name: (reason, change, field).
    type Case = (&'static str, fn(&mut DentalRecordFields), &'static str);
    const BAD: &[Case] = &[
        (
            "tooth 19 does not exist",
            |f| f.tooth_numbers = Some(vec![19]),
            "tooth_numbers",
        ),
        (
            "tooth 40 does not exist",
            |f| f.tooth_numbers = Some(vec![11, 40]),
            "tooth_numbers",
        ),
        (
            "chart of quadrant 5",
            |f| f.tooth_chart = Some(BTreeMap::from([("55".into(), "HEALTHY".into())])),
            "tooth_chart.55",
        ),
        (
            "chart with an unknown condition",
            |f| f.tooth_chart = Some(BTreeMap::from([("36".into(), "SHINY".into())])),
            "tooth_chart.36",
        ),
        (
            "unknown procedure",
            |f| f.procedure = Some("MAGIC".into()),
            "procedure",
        ),
        (
            "blank procedure",
            |f| f.procedure = Some(" ".into()),
            "procedure",
        ),
        (
            "unknown priority",
            |f| f.priority = Some("URGENT!".into()),
            "priority",
        ),
        (
            "unknown hygiene",
            |f| f.oral_hygiene = Some("SPARKLING".into()),
            "oral_hygiene",
        ),
        (
            "unknown gum condition",
            |f| f.gum_condition = Some("PINK".into()),
            "gum_condition",
        ),
        ("pain 11", |f| f.pain_level = Some(11), "pain_level"),
        ("pain 0", |f| f.pain_level = Some(0), "pain_level"),
        (
            "cost with three decimals",
            |f| f.cost = Some("1.005".into()),
            "cost",
        ),
        ("negative cost", |f| f.cost = Some("-1".into()), "cost"),
        ("concern over 1000", |f| f.concern = text(1001), "concern"),
        (
            "diagnosis over 1000",
            |f| f.diagnosis = text(1001),
            "diagnosis",
        ),
        (
            "treatment performed over 1000",
            |f| f.treatment_performed = text(1001),
            "treatment_performed",
        ),
        (
            "treatment plan over 1000",
            |f| f.treatment_plan = text(1001),
            "treatment_plan",
        ),
        (
            "referral over 500",
            |f| f.referral_to = text(501),
            "referral_to",
        ),
        (
            "clinical notes over 2000",
            |f| f.clinical_notes = text(2001),
            "clinical_notes",
        ),
        (
            "anesthesia type over 100",
            |f| f.anesthesia_type = text(101),
            "anesthesia_type",
        ),
        (
            "materials over 1000",
            |f| f.materials_used = text(1001),
            "materials_used",
        ),
        (
            "home care over 2000",
            |f| f.home_care_instructions = text(2001),
            "home_care_instructions",
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
            |f| f.override_reason = text(1001),
            "override_reason",
        ),
        (
            "visit in the future",
            |f| f.visit_at = Some(now() + chrono::Duration::hours(2)),
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
    fn a_missing_patient_or_time_is_refused_alone() {
        for (why, f, field) in [
            (
                "no patient, and a bad tooth",
                DentalRecordFields {
                    patient_id: None,
                    tooth_numbers: Some(vec![19]),
                    ..visit()
                },
                "patient_id",
            ),
            (
                "no visit time, and a bad cost",
                DentalRecordFields {
                    visit_at: None,
                    cost: Some("1.005".into()),
                    ..visit()
                },
                "visit_at",
            ),
        ] {
            let refused = create(f).err().unwrap_or_default();
            let fields: Vec<_> = refused.iter().map(|(f, _)| f).collect();
            assert_eq!(fields, [field], "{why}");
            assert_eq!(refused.get(field), Some(&RecordError::Required), "{why}");
        }
    }

    #[test]
    fn a_new_record_sorts_teeth_and_takes_the_default_codes() {
        let r = create(visit()).expect("valid");
        assert_eq!(r.affected_teeth_display(), "36, 46");
        assert_eq!(r.procedure, DentalProcedure::Filling);
        assert_eq!(r.priority, Priority::Low);
        assert_eq!(r.cost.map(|c| c.to_string()).as_deref(), Some("500.00"));
        assert_eq!(r.version, 1);
        let bare = create(DentalRecordFields {
            procedure: None,
            ..visit()
        })
        .expect("valid");
        assert_eq!(bare.procedure, DentalProcedure::Consultation);
        assert!(!format!("{bare:?}").contains("500"), "no values in Debug");
    }

    #[test]
    fn an_edit_names_what_it_changed_in_revision_order() {
        let mut r = create(visit()).expect("valid");
        let later = now() + chrono::Duration::minutes(5);
        let same = DentalRecordFields {
            tooth_numbers: Some(vec![36, 46]),
            cost: Some("500.00".into()),
            ..DentalRecordFields::default()
        };
        assert_eq!(r.edit(same, UserId::new(), later), Ok(None));
        assert_eq!(r.version, 1);

        let change = DentalRecordFields {
            treatment_plan: Some("Restore #46 next visit".into()),
            tooth_numbers: Some(vec![46]),
            cost: Some(" ".into()),
            anesthesia_used: Some(true),
            ..DentalRecordFields::default()
        };
        let kept = r
            .edit(change, UserId::new(), later)
            .ok()
            .flatten()
            .expect("a revision");
        assert_eq!(
            kept.changed_fields(),
            ["tooth_numbers", "treatment_plan", "anesthesia_used", "cost"]
        );
        assert_eq!((kept.record_kind, kept.version), ("dental_record", 2));
        assert_eq!((r.version, r.updated_at, r.cost), (2, later, None));

        let elsewhere = DentalRecordFields {
            patient_id: Some(PatientId::new()),
            ..DentalRecordFields::default()
        };
        let refused = r
            .edit(elsewhere, UserId::new(), later)
            .err()
            .unwrap_or_default();
        assert_eq!(refused.get("patient_id"), Some(&RecordError::OtherPatient));
    }

    fn any_fields() -> impl Strategy<Value = DentalRecordFields> {
        (
            (any_text(), any_text(), any_text(), any_text(), any_text()),
            (any_text(), any_text(), any_text(), any_text(), any_text()),
            (
                any_medications(),
                prop::option::of(prop::collection::vec(0i64..60, 0..6)),
            ),
        )
            .prop_map(|(a, b, (medications, teeth))| DentalRecordFields {
                patient_id: Some(PatientId::new()),
                visit_at: Some(earlier()),
                concern: a.0,
                diagnosis: a.1,
                treatment_performed: a.2,
                treatment_plan: a.3,
                referral_to: a.4,
                clinical_notes: b.0,
                anesthesia_type: b.1,
                materials_used: b.2,
                home_care_instructions: b.3,
                override_reason: b.4,
                medications,
                tooth_numbers: teeth,
                ..DentalRecordFields::default()
            })
    }

    /// Every length rule of the module, and the teeth sorted without repeats.
    fn keeps_every_rule(r: &DentalRecord) -> bool {
        [
            (&r.concern, 1000),
            (&r.diagnosis, 1000),
            (&r.treatment_performed, 1000),
            (&r.treatment_plan, 1000),
            (&r.referral_to, 500),
            (&r.clinical_notes, 2000),
            (&r.anesthesia_type, 100),
            (&r.materials_used, 1000),
            (&r.home_care_instructions, 2000),
            (&r.override_reason, 1000),
        ]
        .into_iter()
        .all(|(s, max)| fits_opt(s, max))
            && r.medications.len() <= 50
            && r.tooth_numbers.windows(2).all(|w| w[0] < w[1])
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
                let edit = DentalRecordFields { patient_id: None, ..edit };
                if r.edit(edit, UserId::new(), now()).is_ok() {
                    prop_assert!(keeps_every_rule(&r));
                }
            }
        }
    }
}
