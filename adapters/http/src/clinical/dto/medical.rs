//! Wire types of medical visits, and the revisions kept of every record.

use application::clinical::{MedicalRecordInput, PhysicalExamInput, RecordView};
use chrono::{DateTime, FixedOffset};
use domain::PatientId;
use domain::clinical::{MedicalRecord, PhysicalExam, RawVitals, Revision, VitalSigns};
use poem_openapi::Object;
use uuid::Uuid;

use super::medication::{AllergyEntryDto, MedicationDto, meds_in};
use crate::common::{ClinicZone, page_dto, utc};

/// Vital signs; every value optional.
#[derive(Debug, Clone, Default, Object)]
#[oai(deny_unknown_fields)]
pub struct VitalSignsDto {
    /// °C, 30-45.
    #[oai(skip_serializing_if_is_none)]
    pub temperature_c: Option<f64>,
    /// mmHg, 50-260.
    #[oai(skip_serializing_if_is_none)]
    pub systolic: Option<i64>,
    /// mmHg, 30-160, below systolic.
    #[oai(skip_serializing_if_is_none)]
    pub diastolic: Option<i64>,
    /// Beats/min, 20-250.
    #[oai(skip_serializing_if_is_none)]
    pub pulse: Option<i64>,
    /// Breaths/min, 4-80.
    #[oai(skip_serializing_if_is_none)]
    pub respiratory_rate: Option<i64>,
    /// %, 50-100.
    #[oai(skip_serializing_if_is_none)]
    pub spo2: Option<i64>,
    /// cm.
    #[oai(skip_serializing_if_is_none)]
    pub height_cm: Option<f64>,
    /// kg.
    #[oai(skip_serializing_if_is_none)]
    pub weight_kg: Option<f64>,
}

impl From<&VitalSigns> for VitalSignsDto {
    fn from(v: &VitalSigns) -> Self {
        Self {
            temperature_c: v.temperature_c,
            systolic: v.systolic.map(i64::from),
            diastolic: v.diastolic.map(i64::from),
            pulse: v.pulse.map(i64::from),
            respiratory_rate: v.respiratory_rate.map(i64::from),
            spo2: v.spo2.map(i64::from),
            height_cm: v.height_cm,
            weight_kg: v.weight_kg,
        }
    }
}

impl From<VitalSignsDto> for RawVitals {
    fn from(v: VitalSignsDto) -> Self {
        Self {
            temperature_c: v.temperature_c,
            systolic: v.systolic,
            diastolic: v.diastolic,
            pulse: v.pulse,
            respiratory_rate: v.respiratory_rate,
            spo2: v.spo2,
            height_cm: v.height_cm,
            weight_kg: v.weight_kg,
        }
    }
}

/// Physical examination findings.
#[derive(Debug, Clone, Default, Object)]
#[oai(deny_unknown_fields)]
pub struct PhysicalExamDto {
    /// General appearance.
    #[oai(skip_serializing_if_is_none, validator(max_length = 2000))]
    pub general_appearance: Option<String>,
    /// Skin.
    #[oai(skip_serializing_if_is_none, validator(max_length = 2000))]
    pub skin: Option<String>,
    /// Head, eyes, ears, nose, throat.
    #[oai(skip_serializing_if_is_none, validator(max_length = 2000))]
    pub heent: Option<String>,
    /// Heart.
    #[oai(skip_serializing_if_is_none, validator(max_length = 2000))]
    pub heart: Option<String>,
    /// Lungs.
    #[oai(skip_serializing_if_is_none, validator(max_length = 2000))]
    pub lungs: Option<String>,
    /// Abdomen.
    #[oai(skip_serializing_if_is_none, validator(max_length = 2000))]
    pub abdomen: Option<String>,
    /// Extremities.
    #[oai(skip_serializing_if_is_none, validator(max_length = 2000))]
    pub extremities: Option<String>,
    /// Neurological.
    #[oai(skip_serializing_if_is_none, validator(max_length = 2000))]
    pub neurological: Option<String>,
}

impl From<&PhysicalExam> for PhysicalExamDto {
    fn from(e: &PhysicalExam) -> Self {
        Self {
            general_appearance: e.general_appearance.clone(),
            skin: e.skin.clone(),
            heent: e.heent.clone(),
            heart: e.heart.clone(),
            lungs: e.lungs.clone(),
            abdomen: e.abdomen.clone(),
            extremities: e.extremities.clone(),
            neurological: e.neurological.clone(),
        }
    }
}

impl From<PhysicalExamDto> for PhysicalExamInput {
    fn from(e: PhysicalExamDto) -> Self {
        Self {
            general_appearance: e.general_appearance,
            skin: e.skin,
            heent: e.heent,
            heart: e.heart,
            lungs: e.lungs,
            abdomen: e.abdomen,
            extremities: e.extremities,
            neurological: e.neurological,
        }
    }
}

/// A medical visit, with the patient's allergies.
#[derive(Debug, Clone, Object)]
pub struct MedicalRecordDto {
    /// Identity.
    pub id: Uuid,
    /// Whose.
    pub patient_id: Uuid,
    /// "First Last".
    pub patient_name: String,
    /// The patient's USC ID.
    #[oai(skip_serializing_if_is_none)]
    pub patient_usc_id: Option<String>,
    /// The patient's active allergies, with their provenance.
    pub allergies: Vec<AllergyEntryDto>,
    /// When the visit happened.
    pub visit_at: DateTime<FixedOffset>,
    /// Reason for the visit.
    pub chief_complaint: String,
    /// Diagnosis.
    pub diagnosis: String,
    /// Treatment.
    pub treatment: String,
    /// Notes.
    #[oai(skip_serializing_if_is_none)]
    pub notes: Option<String>,
    /// Vital signs.
    pub vital_signs: VitalSignsDto,
    /// BMI from the visit's height and weight.
    #[oai(skip_serializing_if_is_none)]
    pub bmi: Option<f64>,
    /// Examination.
    pub physical_exam: PhysicalExamDto,
    /// Medications given or prescribed.
    pub medications: Vec<MedicationDto>,
    /// Why a medication was given despite an allergy.
    #[oai(skip_serializing_if_is_none)]
    pub override_reason: Option<String>,
    /// Author.
    #[oai(skip_serializing_if_is_none)]
    pub created_by: Option<Uuid>,
    /// Created at.
    pub created_at: DateTime<FixedOffset>,
    /// Last change.
    pub updated_at: DateTime<FixedOffset>,
    /// Saved versions (1 when never edited).
    pub version: i32,
}

impl MedicalRecordDto {
    /// From a view.
    pub fn from_view(v: RecordView<MedicalRecord>, zone: ClinicZone) -> Self {
        let r = v.record;
        Self {
            id: r.id.as_uuid(),
            patient_id: r.patient_id.as_uuid(),
            patient_name: v.patient_name,
            patient_usc_id: v.patient_usc_id,
            allergies: AllergyEntryDto::list(&v.allergies, true, zone),
            visit_at: zone.show(r.visit_at),
            chief_complaint: r.chief_complaint,
            diagnosis: r.diagnosis,
            treatment: r.treatment,
            notes: r.notes,
            bmi: r.vital_signs.bmi(),
            vital_signs: (&r.vital_signs).into(),
            physical_exam: (&r.physical_exam).into(),
            medications: r.medications.iter().map(Into::into).collect(),
            override_reason: r.override_reason,
            created_by: r.created_by.map(|u| u.as_uuid()),
            created_at: zone.show(r.created_at),
            updated_at: zone.show(r.updated_at),
            version: r.version,
        }
    }
}

/// A medical visit to record or change.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct MedicalRecordRequest {
    /// Whose (required on create, fixed after).
    pub patient_id: Option<Uuid>,
    /// When (not in the future).
    pub visit_at: Option<DateTime<FixedOffset>>,
    /// Reason for the visit, 3-1000 characters.
    #[oai(validator(max_length = 1000))]
    pub chief_complaint: Option<String>,
    /// 5-1000 characters.
    #[oai(validator(max_length = 1000))]
    pub diagnosis: Option<String>,
    /// 5-1000 characters.
    #[oai(validator(max_length = 1000))]
    pub treatment: Option<String>,
    /// Up to 2000 characters.
    #[oai(validator(max_length = 2000))]
    pub notes: Option<String>,
    /// Vital signs (replaces all).
    pub vital_signs: Option<VitalSignsDto>,
    /// Examination (replaces all sections).
    pub physical_exam: Option<PhysicalExamDto>,
    /// Medications given or prescribed (replaces the list); checked against allergies.
    #[oai(validator(max_items = 50))]
    pub medications: Option<Vec<MedicationDto>>,
    /// Why to proceed despite an allergy (audited).
    #[oai(validator(max_length = 1000))]
    pub override_reason: Option<String>,
}

impl From<MedicalRecordRequest> for MedicalRecordInput {
    fn from(r: MedicalRecordRequest) -> Self {
        Self {
            patient_id: r.patient_id.map(PatientId::from_uuid),
            visit_at: r.visit_at.map(utc),
            chief_complaint: r.chief_complaint,
            diagnosis: r.diagnosis,
            treatment: r.treatment,
            notes: r.notes,
            vital_signs: r.vital_signs.map(Into::into),
            physical_exam: r.physical_exam.map(Into::into),
            medications: meds_in(r.medications),
            override_reason: r.override_reason,
        }
    }
}

/// One saved edit of a record.
#[derive(Debug, Clone, Object)]
pub struct RevisionDto {
    /// Version the edit produced.
    pub version: i32,
    /// Editor.
    pub changed_by: Uuid,
    /// When.
    pub changed_at: DateTime<FixedOffset>,
    /// Which fields changed.
    pub changed_fields: Vec<String>,
    /// Each changed field with its old and new value (empty values are absent; edits
    /// saved before values were kept list the field only).
    pub changes: Vec<FieldChangeDto>,
}

/// One changed field of an edit.
#[derive(Debug, Clone, Object)]
pub struct FieldChangeDto {
    /// The field (`diagnosis`; `allergies.<substance>` for an allergy).
    pub field: String,
    /// Before.
    #[oai(skip_serializing_if_is_none)]
    pub old: Option<String>,
    /// After.
    #[oai(skip_serializing_if_is_none)]
    pub new: Option<String>,
}

impl RevisionDto {
    /// A list of them, as answered.
    pub fn list(revisions: Vec<Revision>, zone: ClinicZone) -> Vec<Self> {
        revisions
            .into_iter()
            .map(|r| Self::from_revision(r, zone))
            .collect()
    }

    /// From a revision.
    pub fn from_revision(r: Revision, zone: ClinicZone) -> Self {
        Self {
            version: r.version,
            changed_by: r.changed_by.as_uuid(),
            changed_at: zone.show(r.changed_at),
            changed_fields: r.changed_fields().into_iter().map(str::to_owned).collect(),
            changes: r
                .changes
                .into_iter()
                .map(|c| FieldChangeDto {
                    field: c.field,
                    old: c.old,
                    new: c.new,
                })
                .collect(),
        }
    }
}

page_dto!(
    MedicalRecordPage,
    MedicalRecordDto,
    "A page of medical records."
);
