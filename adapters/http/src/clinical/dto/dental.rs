//! Wire types of dental visits.

use std::collections::BTreeMap;

use application::clinical::{DentalRecordInput, RecordView};
use chrono::{DateTime, FixedOffset, NaiveDate};
use domain::PatientId;
use domain::clinical::{DentalRecord, Money};
use poem_openapi::Object;
use uuid::Uuid;

use super::medication::{AllergyEntryDto, MedicationDto, meds_in};
use crate::common::{ClinicZone, page_dto, utc};

/// A dental visit (every field of the reference), with the patient's allergies.
#[derive(Debug, Clone, Object)]
pub struct DentalRecordDto {
    /// Identity.
    pub id: Uuid,
    /// Whose.
    pub patient_id: Uuid,
    /// "First Last".
    pub patient_name: String,
    /// The patient's active allergies, with their provenance.
    pub allergies: Vec<AllergyEntryDto>,
    /// When.
    pub visit_at: DateTime<FixedOffset>,
    /// Procedure code.
    pub procedure: String,
    /// Procedure label.
    pub procedure_display: String,
    /// FDI numbers.
    pub tooth_numbers: Vec<u8>,
    /// "11, 12, 21" or "N/A".
    pub affected_teeth_display: String,
    /// Tooth → condition.
    pub tooth_chart: BTreeMap<String, String>,
    /// Concern.
    #[oai(skip_serializing_if_is_none)]
    pub concern: Option<String>,
    /// Diagnosis.
    #[oai(skip_serializing_if_is_none)]
    pub diagnosis: Option<String>,
    /// Treatment performed.
    #[oai(skip_serializing_if_is_none)]
    pub treatment_performed: Option<String>,
    /// Plan.
    #[oai(skip_serializing_if_is_none)]
    pub treatment_plan: Option<String>,
    /// Referral.
    #[oai(skip_serializing_if_is_none)]
    pub referral_to: Option<String>,
    /// Oral hygiene.
    #[oai(skip_serializing_if_is_none)]
    pub oral_hygiene: Option<String>,
    /// Gum condition.
    #[oai(skip_serializing_if_is_none)]
    pub gum_condition: Option<String>,
    /// Notes.
    #[oai(skip_serializing_if_is_none)]
    pub clinical_notes: Option<String>,
    /// 1-10.
    #[oai(skip_serializing_if_is_none)]
    pub pain_level: Option<u8>,
    /// Anesthesia used.
    pub anesthesia_used: bool,
    /// Which.
    #[oai(skip_serializing_if_is_none)]
    pub anesthesia_type: Option<String>,
    /// Materials.
    #[oai(skip_serializing_if_is_none)]
    pub materials_used: Option<String>,
    /// Suggested next visit.
    #[oai(skip_serializing_if_is_none)]
    pub next_visit_on: Option<NaiveDate>,
    /// Home care.
    #[oai(skip_serializing_if_is_none)]
    pub home_care_instructions: Option<String>,
    /// Priority.
    pub priority: String,
    /// Decimal string with 2 places.
    #[oai(skip_serializing_if_is_none)]
    pub cost: Option<String>,
    /// Always `PHP`.
    pub currency: String,
    /// Insurance.
    pub insurance_covered: bool,
    /// Medications.
    pub medications: Vec<MedicationDto>,
    /// Why despite an allergy.
    #[oai(skip_serializing_if_is_none)]
    pub override_reason: Option<String>,
    /// Author.
    #[oai(skip_serializing_if_is_none)]
    pub created_by: Option<Uuid>,
    /// Created at.
    pub created_at: DateTime<FixedOffset>,
    /// Last change.
    pub updated_at: DateTime<FixedOffset>,
    /// Saved versions.
    pub version: i32,
}

impl DentalRecordDto {
    /// From a view.
    pub fn from_view(v: RecordView<DentalRecord>, zone: ClinicZone) -> Self {
        let r = v.record;
        Self {
            id: r.id.as_uuid(),
            patient_id: r.patient_id.as_uuid(),
            patient_name: v.patient_name,
            allergies: AllergyEntryDto::list(&v.allergies, true, zone),
            visit_at: zone.show(r.visit_at),
            procedure: r.procedure.as_str().to_owned(),
            procedure_display: r.procedure.label().to_owned(),
            affected_teeth_display: r.affected_teeth_display(),
            tooth_numbers: r.tooth_numbers.iter().map(|t| t.get()).collect(),
            tooth_chart: r
                .tooth_chart
                .iter()
                .map(|(t, c)| (t.to_string(), c.as_str().to_owned()))
                .collect(),
            concern: r.concern,
            diagnosis: r.diagnosis,
            treatment_performed: r.treatment_performed,
            treatment_plan: r.treatment_plan,
            referral_to: r.referral_to,
            oral_hygiene: r.oral_hygiene.map(|x| x.as_str().to_owned()),
            gum_condition: r.gum_condition.map(|x| x.as_str().to_owned()),
            clinical_notes: r.clinical_notes,
            pain_level: r.pain_level.map(|p| p.get()),
            anesthesia_used: r.anesthesia_used,
            anesthesia_type: r.anesthesia_type,
            materials_used: r.materials_used,
            next_visit_on: r.next_visit_on,
            home_care_instructions: r.home_care_instructions,
            priority: r.priority.as_str().to_owned(),
            cost: r.cost.map(|c: Money| c.to_string()),
            currency: Money::CURRENCY.to_owned(),
            insurance_covered: r.insurance_covered,
            medications: r.medications.iter().map(Into::into).collect(),
            override_reason: r.override_reason,
            created_by: r.created_by.map(|u| u.as_uuid()),
            created_at: zone.show(r.created_at),
            updated_at: zone.show(r.updated_at),
            version: r.version,
        }
    }
}

/// A dental visit to record or change.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct DentalRecordRequest {
    /// Whose (required on create).
    pub patient_id: Option<Uuid>,
    /// When (required on create; not in the future).
    pub visit_at: Option<DateTime<FixedOffset>>,
    /// One of the 17 procedure codes (default `CONSULTATION`).
    #[oai(validator(max_length = 20))]
    pub procedure: Option<String>,
    /// FDI tooth numbers (11-18, 21-28, 31-38, 41-48).
    #[oai(validator(max_items = 32))]
    pub tooth_numbers: Option<Vec<i64>>,
    /// Tooth number → condition (`HEALTHY`, `CARIES`, `FILLED`, ...).
    pub tooth_chart: Option<BTreeMap<String, String>>,
    /// Concern.
    #[oai(validator(max_length = 1000))]
    pub concern: Option<String>,
    /// Diagnosis.
    #[oai(validator(max_length = 1000))]
    pub diagnosis: Option<String>,
    /// Treatment performed.
    #[oai(validator(max_length = 1000))]
    pub treatment_performed: Option<String>,
    /// Plan.
    #[oai(validator(max_length = 1000))]
    pub treatment_plan: Option<String>,
    /// Referral.
    #[oai(validator(max_length = 500))]
    pub referral_to: Option<String>,
    /// `EXCELLENT` | `GOOD` | `FAIR` | `POOR`.
    #[oai(validator(max_length = 10))]
    pub oral_hygiene: Option<String>,
    /// `HEALTHY` | `GINGIVITIS` | `PERIODONTITIS` | `INFLAMMATION`.
    #[oai(validator(max_length = 15))]
    pub gum_condition: Option<String>,
    /// Notes.
    #[oai(validator(max_length = 2000))]
    pub clinical_notes: Option<String>,
    /// 1-10.
    pub pain_level: Option<i64>,
    /// Anesthesia used.
    pub anesthesia_used: Option<bool>,
    /// Which.
    #[oai(validator(max_length = 100))]
    pub anesthesia_type: Option<String>,
    /// Materials.
    #[oai(validator(max_length = 1000))]
    pub materials_used: Option<String>,
    /// Suggested next visit.
    pub next_visit_on: Option<NaiveDate>,
    /// Home care.
    #[oai(validator(max_length = 2000))]
    pub home_care_instructions: Option<String>,
    /// `LOW` | `MEDIUM` | `HIGH` | `URGENT`.
    #[oai(validator(max_length = 10))]
    pub priority: Option<String>,
    /// Decimal string in PHP, at most 2 decimal places ("500.00").
    #[oai(validator(max_length = 14))]
    pub cost: Option<String>,
    /// Insurance.
    pub insurance_covered: Option<bool>,
    /// Medications (checked against allergies).
    #[oai(validator(max_items = 50))]
    pub medications: Option<Vec<MedicationDto>>,
    /// Why to proceed despite an allergy.
    #[oai(validator(max_length = 1000))]
    pub override_reason: Option<String>,
}

impl From<DentalRecordRequest> for DentalRecordInput {
    fn from(r: DentalRecordRequest) -> Self {
        Self {
            patient_id: r.patient_id.map(PatientId::from_uuid),
            visit_at: r.visit_at.map(utc),
            procedure: r.procedure,
            tooth_numbers: r.tooth_numbers,
            tooth_chart: r.tooth_chart,
            concern: r.concern,
            diagnosis: r.diagnosis,
            treatment_performed: r.treatment_performed,
            treatment_plan: r.treatment_plan,
            referral_to: r.referral_to,
            oral_hygiene: r.oral_hygiene,
            gum_condition: r.gum_condition,
            clinical_notes: r.clinical_notes,
            pain_level: r.pain_level,
            anesthesia_used: r.anesthesia_used,
            anesthesia_type: r.anesthesia_type,
            materials_used: r.materials_used,
            next_visit_on: r.next_visit_on,
            home_care_instructions: r.home_care_instructions,
            priority: r.priority,
            cost: r.cost,
            insurance_covered: r.insurance_covered,
            medications: meds_in(r.medications),
            override_reason: r.override_reason,
        }
    }
}

page_dto!(
    DentalRecordPage,
    DentalRecordDto,
    "A page of dental records."
);
