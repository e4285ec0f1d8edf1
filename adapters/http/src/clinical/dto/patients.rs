//! Wire types of patient profiles.

use application::clinical::{PatientInput, PatientView};
use chrono::{DateTime, FixedOffset, NaiveDate};
use poem_openapi::Object;
use uuid::Uuid;

use super::medication::{AllergyDto, AllergyEntryDto, MedicationDto, meds_in};
use crate::common::{ClinicZone, page_dto};

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
    /// Active allergies, each with its provenance.
    pub allergies: Vec<AllergyEntryDto>,
    /// Resolved and entered-in-error allergies, kept as history.
    pub allergy_history: Vec<AllergyEntryDto>,
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
            allergies: AllergyEntryDto::list(&p.allergies, true, zone),
            allergy_history: AllergyEntryDto::list(&p.allergies, false, zone),
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
    /// Link to an account: at creation, or (clinic roles) to a patient not linked yet,
    /// e.g. when a walk-in later signs up.
    pub user_id: Option<Uuid>,
    /// Create even though a patient with the same name and date of birth exists
    /// (create only; without it such a create answers 409 `possible_duplicate`).
    pub confirm_new: Option<bool>,
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
            confirm_new: r.confirm_new.unwrap_or(false),
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

page_dto!(PatientPage, PatientDto, "A page of patients.");

/// Closing an allergy: it stays in the history with the reason.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct AllergyCloseRequest {
    /// `resolved` (no longer allergic) | `entered_in_error` (never true).
    #[oai(validator(max_length = 20))]
    pub status: String,
    /// Why, 3-500 characters.
    #[oai(validator(max_length = 500))]
    pub reason: String,
}
