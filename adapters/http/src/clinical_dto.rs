//! Wire types of the clinical resources.

use std::collections::BTreeMap;

use application::clinical::{
    AllergyInput, CertificateInput, DentalRecordInput, MedicalRecordInput, MedicationInput,
    Notification, PatientDocument, PatientInput, PatientView, PhysicalExamInput, RecordView,
};
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use domain::clinical::{
    Allergy, Certificate, CertificateTemplate, DentalRecord, MedicalRecord, Medication, Money,
    PhysicalExam, RawVitals, Revision, VitalSigns,
};
use domain::{PatientId, TemplateId};
use poem_openapi::Object;
use uuid::Uuid;

use crate::common::{ClinicZone, page_dto};

/// A recorded allergy.
#[derive(Debug, Clone, Object)]
pub struct AllergyDto {
    /// What the patient reacts to.
    #[oai(validator(max_length = 100))]
    pub substance: String,
    /// What happens.
    #[oai(skip_serializing_if_is_none, validator(max_length = 200))]
    pub reaction: Option<String>,
    /// `mild` | `moderate` | `severe`.
    pub severity: String,
}

impl From<&Allergy> for AllergyDto {
    fn from(a: &Allergy) -> Self {
        Self {
            substance: a.substance.clone(),
            reaction: a.reaction.clone(),
            severity: a.severity.as_str().to_owned(),
        }
    }
}

impl From<AllergyDto> for AllergyInput {
    fn from(a: AllergyDto) -> Self {
        Self {
            substance: a.substance,
            reaction: a.reaction,
            severity: a.severity,
        }
    }
}

/// A medication taken, given or prescribed.
#[derive(Debug, Clone, Object)]
pub struct MedicationDto {
    /// Drug name.
    #[oai(validator(max_length = 100))]
    pub name: String,
    /// Dose and frequency.
    #[oai(skip_serializing_if_is_none, validator(max_length = 100))]
    pub dose: Option<String>,
}

impl From<&Medication> for MedicationDto {
    fn from(m: &Medication) -> Self {
        Self {
            name: m.name.clone(),
            dose: m.dose.clone(),
        }
    }
}

impl From<MedicationDto> for MedicationInput {
    fn from(m: MedicationDto) -> Self {
        Self {
            name: m.name,
            dose: m.dose,
        }
    }
}

fn meds_in(v: Option<Vec<MedicationDto>>) -> Option<Vec<MedicationInput>> {
    v.map(|l| l.into_iter().map(Into::into).collect())
}

/// A patient profile. Walk-ins may have no account (`user_id` absent).
#[derive(Debug, Clone, Object)]
pub struct PatientDto {
    /// Identity.
    pub id: Uuid,
    /// The linked account.
    #[oai(skip_serializing_if_is_none)]
    pub user_id: Option<Uuid>,
    /// Given name.
    pub first_name: String,
    /// Middle name.
    #[oai(skip_serializing_if_is_none)]
    pub middle_name: Option<String>,
    /// Family name.
    pub last_name: String,
    /// "First Last".
    pub full_name: String,
    /// Date of birth.
    pub date_of_birth: NaiveDate,
    /// Whole years today (clinic zone).
    pub age: u32,
    /// `M` | `F` | `O`.
    pub sex: String,
    /// Email.
    #[oai(skip_serializing_if_is_none)]
    pub email: Option<String>,
    /// Phone.
    #[oai(skip_serializing_if_is_none)]
    pub phone: Option<String>,
    /// USC ID.
    #[oai(skip_serializing_if_is_none)]
    pub usc_id: Option<String>,
    /// Present address.
    #[oai(skip_serializing_if_is_none)]
    pub address: Option<String>,
    /// Permanent address.
    #[oai(skip_serializing_if_is_none)]
    pub permanent_address: Option<String>,
    /// `SINGLE` | `MARRIED` | `WIDOWED` | `DIVORCED` | `SEPARATED`.
    #[oai(skip_serializing_if_is_none)]
    pub civil_status: Option<String>,
    /// Nationality.
    #[oai(skip_serializing_if_is_none)]
    pub nationality: Option<String>,
    /// Religion.
    #[oai(skip_serializing_if_is_none)]
    pub religion: Option<String>,
    /// Program code "1".."68".
    #[oai(skip_serializing_if_is_none)]
    pub course: Option<String>,
    /// "1".."4".
    #[oai(skip_serializing_if_is_none)]
    pub year_level: Option<String>,
    /// Campus.
    #[oai(skip_serializing_if_is_none)]
    pub campus: Option<String>,
    /// Department.
    #[oai(skip_serializing_if_is_none)]
    pub department: Option<String>,
    /// Emergency contact name.
    #[oai(skip_serializing_if_is_none)]
    pub emergency_contact_name: Option<String>,
    /// Emergency contact phone.
    #[oai(skip_serializing_if_is_none)]
    pub emergency_contact_phone: Option<String>,
    /// Emergency contact relationship.
    #[oai(skip_serializing_if_is_none)]
    pub emergency_contact_relationship: Option<String>,
    /// `A+` ... `O-`.
    #[oai(skip_serializing_if_is_none)]
    pub blood_type: Option<String>,
    /// cm.
    #[oai(skip_serializing_if_is_none)]
    pub height_cm: Option<f64>,
    /// kg.
    #[oai(skip_serializing_if_is_none)]
    pub weight_kg: Option<f64>,
    /// kg/m², derived.
    #[oai(skip_serializing_if_is_none)]
    pub bmi: Option<f64>,
    /// Allergies.
    pub allergies: Vec<AllergyDto>,
    /// Current medications.
    pub medications: Vec<MedicationDto>,
    /// History: illnesses.
    #[oai(skip_serializing_if_is_none)]
    pub illnesses: Option<String>,
    /// History: childhood diseases.
    #[oai(skip_serializing_if_is_none)]
    pub childhood_diseases: Option<String>,
    /// History: special needs.
    #[oai(skip_serializing_if_is_none)]
    pub special_needs: Option<String>,
    /// History: existing conditions.
    #[oai(skip_serializing_if_is_none)]
    pub existing_conditions: Option<String>,
    /// History: hospitalisations.
    #[oai(skip_serializing_if_is_none)]
    pub hospitalizations: Option<String>,
    /// History: surgeries.
    #[oai(skip_serializing_if_is_none)]
    pub surgeries: Option<String>,
    /// Created at.
    pub created_at: DateTime<FixedOffset>,
    /// Last change.
    pub updated_at: DateTime<FixedOffset>,
}

impl PatientDto {
    /// From a view.
    pub fn from_view(v: PatientView, zone: ClinicZone) -> Self {
        let p = v.patient;
        Self {
            id: p.id.as_uuid(),
            user_id: p.user_id.map(|u| u.as_uuid()),
            full_name: p.full_name(),
            first_name: p.first_name.as_str().to_owned(),
            middle_name: p.middle_name.map(|n| n.as_str().to_owned()),
            last_name: p.last_name.as_str().to_owned(),
            date_of_birth: p.date_of_birth,
            age: v.age,
            sex: p.sex.as_str().to_owned(),
            email: p.email.map(|e| e.as_str().to_owned()),
            phone: p.phone.map(|x| x.as_str().to_owned()),
            usc_id: p.usc_id.map(|x| x.as_str().to_owned()),
            address: p.address,
            permanent_address: p.permanent_address,
            civil_status: p.civil_status.map(|c| c.as_str().to_owned()),
            nationality: p.nationality,
            religion: p.religion,
            course: p.course.map(|c| c.code().to_string()),
            year_level: p.year_level.map(|y| y.level().to_string()),
            campus: p.campus.map(|c| c.as_str().to_owned()),
            department: p.department,
            emergency_contact_name: p.emergency_contact.name,
            emergency_contact_phone: p.emergency_contact.phone.map(|x| x.as_str().to_owned()),
            emergency_contact_relationship: p.emergency_contact.relationship,
            blood_type: p.blood_type.map(|b| b.as_str().to_owned()),
            height_cm: p.height_cm,
            weight_kg: p.weight_kg,
            bmi: v.bmi,
            allergies: p.allergies.iter().map(Into::into).collect(),
            medications: p.medications.iter().map(Into::into).collect(),
            illnesses: p.history.illnesses,
            childhood_diseases: p.history.childhood_diseases,
            special_needs: p.history.special_needs,
            existing_conditions: p.history.existing_conditions,
            hospitalizations: p.history.hospitalizations,
            surgeries: p.history.surgeries,
            created_at: zone.show(p.created_at),
            updated_at: zone.show(p.updated_at),
        }
    }
}

/// Patient fields to create or change. On a change, absent fields stay as they are and
/// an empty string clears an optional one. `allergies`/`medications` replace the lists.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct PatientRequest {
    /// Link to an account (create only).
    pub user_id: Option<Uuid>,
    /// Given name (required on create).
    #[oai(validator(max_length = 150))]
    pub first_name: Option<String>,
    /// Middle name.
    #[oai(validator(max_length = 150))]
    pub middle_name: Option<String>,
    /// Family name (required on create).
    #[oai(validator(max_length = 150))]
    pub last_name: Option<String>,
    /// Date of birth, `YYYY-MM-DD` (required on create).
    pub date_of_birth: Option<NaiveDate>,
    /// `M` | `F` | `O` (required on create).
    #[oai(validator(max_length = 1))]
    pub sex: Option<String>,
    /// Email (unique).
    #[oai(validator(max_length = 254))]
    pub email: Option<String>,
    /// Phone.
    #[oai(validator(max_length = 30))]
    pub phone: Option<String>,
    /// USC ID (unique).
    #[oai(validator(max_length = 20))]
    pub usc_id: Option<String>,
    /// Present address.
    #[oai(validator(max_length = 500))]
    pub address: Option<String>,
    /// Permanent address.
    #[oai(validator(max_length = 500))]
    pub permanent_address: Option<String>,
    /// Civil status code.
    #[oai(validator(max_length = 10))]
    pub civil_status: Option<String>,
    /// Nationality.
    #[oai(validator(max_length = 50))]
    pub nationality: Option<String>,
    /// Religion.
    #[oai(validator(max_length = 50))]
    pub religion: Option<String>,
    /// Program code "1".."68".
    #[oai(validator(max_length = 3))]
    pub course: Option<String>,
    /// "1".."4".
    #[oai(validator(max_length = 2))]
    pub year_level: Option<String>,
    /// `Downtown Campus` | `Talamban Campus`.
    #[oai(validator(max_length = 30))]
    pub campus: Option<String>,
    /// Department.
    #[oai(validator(max_length = 100))]
    pub department: Option<String>,
    /// Emergency contact name.
    #[oai(validator(max_length = 100))]
    pub emergency_contact_name: Option<String>,
    /// Emergency contact phone.
    #[oai(validator(max_length = 30))]
    pub emergency_contact_phone: Option<String>,
    /// Emergency contact relationship.
    #[oai(validator(max_length = 50))]
    pub emergency_contact_relationship: Option<String>,
    /// `A+` | `A-` | `B+` | `B-` | `AB+` | `AB-` | `O+` | `O-`.
    #[oai(validator(max_length = 3))]
    pub blood_type: Option<String>,
    /// cm (30-272).
    pub height_cm: Option<f64>,
    /// kg (1-500).
    pub weight_kg: Option<f64>,
    /// Replaces the allergy list.
    #[oai(validator(max_items = 50))]
    pub allergies: Option<Vec<AllergyDto>>,
    /// Replaces the medication list.
    #[oai(validator(max_items = 50))]
    pub medications: Option<Vec<MedicationDto>>,
    /// History: illnesses.
    #[oai(validator(max_length = 1000))]
    pub illnesses: Option<String>,
    /// History: childhood diseases.
    #[oai(validator(max_length = 1000))]
    pub childhood_diseases: Option<String>,
    /// History: special needs.
    #[oai(validator(max_length = 1000))]
    pub special_needs: Option<String>,
    /// History: existing conditions.
    #[oai(validator(max_length = 1000))]
    pub existing_conditions: Option<String>,
    /// History: hospitalisations.
    #[oai(validator(max_length = 1000))]
    pub hospitalizations: Option<String>,
    /// History: surgeries.
    #[oai(validator(max_length = 1000))]
    pub surgeries: Option<String>,
}

impl From<PatientRequest> for PatientInput {
    fn from(r: PatientRequest) -> Self {
        Self {
            user_id: r.user_id.map(domain::UserId::from_uuid),
            first_name: r.first_name,
            middle_name: r.middle_name,
            last_name: r.last_name,
            date_of_birth: r.date_of_birth,
            sex: r.sex,
            email: r.email,
            phone: r.phone,
            usc_id: r.usc_id,
            address: r.address,
            permanent_address: r.permanent_address,
            civil_status: r.civil_status,
            nationality: r.nationality,
            religion: r.religion,
            course: r.course,
            year_level: r.year_level,
            campus: r.campus,
            department: r.department,
            emergency_contact_name: r.emergency_contact_name,
            emergency_contact_phone: r.emergency_contact_phone,
            emergency_contact_relationship: r.emergency_contact_relationship,
            blood_type: r.blood_type,
            height_cm: r.height_cm,
            weight_kg: r.weight_kg,
            allergies: r.allergies.map(|l| l.into_iter().map(Into::into).collect()),
            medications: meds_in(r.medications),
            illnesses: r.illnesses,
            childhood_diseases: r.childhood_diseases,
            special_needs: r.special_needs,
            existing_conditions: r.existing_conditions,
            hospitalizations: r.hospitalizations,
            surgeries: r.surgeries,
        }
    }
}

/// Vital signs; every value optional.
#[derive(Debug, Clone, Default, Object)]
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
    /// The patient's recorded allergies.
    pub allergies: Vec<AllergyDto>,
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
            allergies: v.allergies.iter().map(Into::into).collect(),
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
            visit_at: r.visit_at.map(|t| t.with_timezone(&Utc)),
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

/// A dental visit (every field of the reference), with the patient's allergies.
#[derive(Debug, Clone, Object)]
pub struct DentalRecordDto {
    /// Identity.
    pub id: Uuid,
    /// Whose.
    pub patient_id: Uuid,
    /// "First Last".
    pub patient_name: String,
    /// The patient's recorded allergies.
    pub allergies: Vec<AllergyDto>,
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
            allergies: v.allergies.iter().map(Into::into).collect(),
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
            visit_at: r.visit_at.map(|t| t.with_timezone(&Utc)),
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
}

impl RevisionDto {
    /// From a revision.
    pub fn from_revision(r: Revision, zone: ClinicZone) -> Self {
        Self {
            version: r.version,
            changed_by: r.changed_by.as_uuid(),
            changed_at: zone.show(r.changed_at),
            changed_fields: r.changed_fields,
        }
    }
}

/// A medical certificate.
#[derive(Debug, Clone, Object)]
pub struct CertificateDto {
    /// Identity.
    pub id: Uuid,
    /// For whom.
    pub patient_id: Uuid,
    /// Template.
    pub template_id: Uuid,
    /// `medical` | `dental`.
    pub kind: String,
    /// Purpose / requirement.
    pub purpose: String,
    /// Recommendations.
    #[oai(skip_serializing_if_is_none)]
    pub recommendations: Option<String>,
    /// Notes.
    #[oai(skip_serializing_if_is_none)]
    pub additional_notes: Option<String>,
    /// First valid day.
    pub valid_from: NaiveDate,
    /// Last valid day.
    pub valid_until: NaiveDate,
    /// `fit` | `not_fit`.
    pub fitness: String,
    /// Why not fit.
    #[oai(skip_serializing_if_is_none)]
    pub fitness_reason: Option<String>,
    /// `draft` | `pending` | `approved` | `rejected` (changes only through the workflow
    /// endpoints).
    pub status: String,
    /// Creator.
    pub issued_by: Uuid,
    /// When submitted for approval.
    #[oai(skip_serializing_if_is_none)]
    pub submitted_at: Option<DateTime<FixedOffset>>,
    /// The approving physician.
    #[oai(skip_serializing_if_is_none)]
    pub approved_by: Option<Uuid>,
    /// When approved.
    #[oai(skip_serializing_if_is_none)]
    pub approved_at: Option<DateTime<FixedOffset>>,
    /// The rejecting physician.
    #[oai(skip_serializing_if_is_none)]
    pub rejected_by: Option<Uuid>,
    /// When rejected.
    #[oai(skip_serializing_if_is_none)]
    pub rejected_at: Option<DateTime<FixedOffset>>,
    /// Why rejected.
    #[oai(skip_serializing_if_is_none)]
    pub rejection_reason: Option<String>,
    /// Public code printed on the PDF (approved only), `XXXX-XXXX-XXXX`.
    #[oai(skip_serializing_if_is_none)]
    pub verification_code: Option<String>,
    /// Created at.
    pub created_at: DateTime<FixedOffset>,
    /// Last change.
    pub updated_at: DateTime<FixedOffset>,
}

impl CertificateDto {
    /// From a certificate.
    pub fn from_certificate(c: Certificate, zone: ClinicZone) -> Self {
        use domain::clinical::CertificateStatus as S;
        let status = c.status();
        let decided = |want: S| {
            (status == want)
                .then(|| c.decided_by().map(|u| u.as_uuid()))
                .flatten()
        };
        let decided_at = |want: S| {
            (status == want)
                .then(|| c.decided_at().map(|t| zone.show(t)))
                .flatten()
        };
        Self {
            id: c.id.as_uuid(),
            patient_id: c.patient_id.as_uuid(),
            template_id: c.template_id.as_uuid(),
            kind: c.kind.as_str().to_owned(),
            purpose: c.content.purpose.clone(),
            recommendations: c.content.recommendations.clone(),
            additional_notes: c.content.additional_notes.clone(),
            valid_from: c.content.valid_from,
            valid_until: c.content.valid_until,
            fitness: c.content.fitness.as_str().to_owned(),
            fitness_reason: c.content.fitness_reason.clone(),
            status: status.as_str().to_owned(),
            issued_by: c.issued_by.as_uuid(),
            submitted_at: c.submitted_at().map(|t| zone.show(t)),
            approved_by: decided(S::Approved),
            approved_at: decided_at(S::Approved),
            rejected_by: decided(S::Rejected),
            rejected_at: decided_at(S::Rejected),
            rejection_reason: c.rejection_reason().map(str::to_owned),
            verification_code: c.verification_code().map(|v| v.display()),
            created_at: zone.show(c.created_at),
            updated_at: zone.show(c.updated_at),
        }
    }
}

/// A certificate to create or change (the status is not an input).
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct CertificateRequest {
    /// For whom (required on create).
    pub patient_id: Option<Uuid>,
    /// Template (required on create).
    pub template_id: Option<Uuid>,
    /// Purpose / requirement, 3-1000 characters (required on create).
    #[oai(validator(max_length = 1000))]
    pub purpose: Option<String>,
    /// Recommendations.
    #[oai(validator(max_length = 2000))]
    pub recommendations: Option<String>,
    /// Notes.
    #[oai(validator(max_length = 2000))]
    pub additional_notes: Option<String>,
    /// First valid day (required on create).
    pub valid_from: Option<NaiveDate>,
    /// Last valid day, not before `valid_from` (required on create).
    pub valid_until: Option<NaiveDate>,
    /// `fit` (default) | `not_fit`.
    #[oai(validator(max_length = 10))]
    pub fitness: Option<String>,
    /// Required when `not_fit`.
    #[oai(validator(max_length = 1000))]
    pub fitness_reason: Option<String>,
}

impl From<CertificateRequest> for CertificateInput {
    fn from(r: CertificateRequest) -> Self {
        Self {
            patient_id: r.patient_id.map(PatientId::from_uuid),
            template_id: r.template_id.map(TemplateId::from_uuid),
            purpose: r.purpose,
            recommendations: r.recommendations,
            additional_notes: r.additional_notes,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            fitness: r.fitness,
            fitness_reason: r.fitness_reason,
        }
    }
}

/// A certificate template.
#[derive(Debug, Clone, Object)]
pub struct TemplateDto {
    /// Identity.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Description.
    #[oai(skip_serializing_if_is_none)]
    pub description: Option<String>,
    /// `medical` | `dental`.
    pub kind: String,
    /// Printed form code.
    #[oai(skip_serializing_if_is_none)]
    pub form_code: Option<String>,
    /// Text with `{{placeholder}}` slots.
    pub body: String,
    /// The placeholders a body may use.
    pub placeholders: Vec<String>,
    /// Created at.
    pub created_at: DateTime<FixedOffset>,
}

impl TemplateDto {
    /// From a template.
    pub fn from_template(t: CertificateTemplate, zone: ClinicZone) -> Self {
        Self {
            id: t.id.as_uuid(),
            name: t.name,
            description: t.description,
            kind: t.kind.as_str().to_owned(),
            form_code: t.form_code,
            body: t.body.as_str().to_owned(),
            placeholders: domain::clinical::certificate::PLACEHOLDERS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            created_at: zone.show(t.created_at),
        }
    }
}

/// A new template.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct TemplateRequest {
    /// Unique name.
    #[oai(validator(max_length = 100))]
    pub name: String,
    /// Description.
    #[oai(validator(max_length = 1000))]
    pub description: Option<String>,
    /// `medical` (default) | `dental`.
    #[oai(validator(max_length = 10))]
    pub kind: Option<String>,
    /// Printed form code.
    #[oai(validator(max_length = 30))]
    pub form_code: Option<String>,
    /// Plain text with `{{placeholder}}` slots; paragraphs separated by a blank line.
    #[oai(validator(max_length = 20000))]
    pub body: String,
}

/// A patient document (the bytes only through the download endpoint).
#[derive(Debug, Clone, Object)]
pub struct DocumentDto {
    /// Identity.
    pub id: Uuid,
    /// Whose.
    pub patient_id: Uuid,
    /// Attached medical record.
    #[oai(skip_serializing_if_is_none)]
    pub medical_record_id: Option<Uuid>,
    /// Attached dental record.
    #[oai(skip_serializing_if_is_none)]
    pub dental_record_id: Option<Uuid>,
    /// Type code.
    pub document_type: String,
    /// Description.
    #[oai(skip_serializing_if_is_none)]
    pub description: Option<String>,
    /// File name.
    pub filename: String,
    /// MIME type detected from the content.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the content.
    pub sha256: String,
    /// Authenticated download path.
    pub download_url: String,
    /// Uploader.
    pub uploaded_by: Uuid,
    /// When.
    pub uploaded_at: DateTime<FixedOffset>,
}

impl DocumentDto {
    /// From a document.
    pub fn from_document(d: PatientDocument, zone: ClinicZone) -> Self {
        Self {
            download_url: format!("/api/patients/{}/documents/{}/download", d.patient_id, d.id),
            id: d.id.as_uuid(),
            patient_id: d.patient_id.as_uuid(),
            medical_record_id: d.medical_record_id.map(|r| r.as_uuid()),
            dental_record_id: d.dental_record_id.map(|r| r.as_uuid()),
            document_type: d.document_type.as_str().to_owned(),
            description: d.description,
            filename: d.filename,
            content_type: d.content_type,
            size_bytes: d.size_bytes,
            sha256: d.sha256,
            uploaded_by: d.uploaded_by.as_uuid(),
            uploaded_at: zone.show(d.uploaded_at),
        }
    }
}

/// An in-app notification.
#[derive(Debug, Clone, Object)]
pub struct NotificationDto {
    /// Identity.
    pub id: Uuid,
    /// `certificate_approved`, `certificate_rejected`, ...
    pub kind: String,
    /// Title.
    pub title: String,
    /// Message.
    pub message: String,
    /// Link in the app.
    #[oai(skip_serializing_if_is_none)]
    pub link: Option<String>,
    /// Created at.
    pub created_at: DateTime<FixedOffset>,
    /// Read at.
    #[oai(skip_serializing_if_is_none)]
    pub read_at: Option<DateTime<FixedOffset>>,
}

impl NotificationDto {
    /// From a notification.
    pub fn from_notification(n: Notification, zone: ClinicZone) -> Self {
        Self {
            id: n.id.as_uuid(),
            kind: n.kind,
            title: n.title,
            message: n.message,
            link: n.link,
            created_at: zone.show(n.created_at),
            read_at: n.read_at.map(|t| zone.show(t)),
        }
    }
}

/// The public answer about a certificate code (no patient data).
#[derive(Debug, Clone, Object)]
pub struct VerificationDto {
    /// The code belongs to a certificate issued by the clinic.
    pub genuine: bool,
    /// Approved and valid today.
    pub valid: bool,
    /// Current state.
    pub status: String,
    /// `medical` | `dental`.
    pub kind: String,
    /// First valid day.
    pub valid_from: NaiveDate,
    /// Last valid day.
    pub valid_until: NaiveDate,
    /// When approved.
    #[oai(skip_serializing_if_is_none)]
    pub approved_at: Option<DateTime<FixedOffset>>,
}

page_dto!(PatientPage, PatientDto, "A page of patients.");
page_dto!(
    MedicalRecordPage,
    MedicalRecordDto,
    "A page of medical records."
);
page_dto!(
    DentalRecordPage,
    DentalRecordDto,
    "A page of dental records."
);
page_dto!(CertificatePage, CertificateDto, "A page of certificates.");
page_dto!(DocumentPage, DocumentDto, "A page of documents.");
page_dto!(
    NotificationPage,
    NotificationDto,
    "A page of notifications."
);
