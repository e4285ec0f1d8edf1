//! Raw inputs of the clinical use cases, before the domain's checks. For updates, `None`
//! leaves a field unchanged and an empty string clears an optional one.
//!
//! The entries of medical and dental records are the domain's own `*Fields` types: the
//! record constructors check them, so the use cases take them as they are.

use chrono::NaiveDate;
use domain::{DentalRecordId, MedicalRecordId, PatientId, TemplateId, UserId};

/// A dental record as sent.
pub use domain::clinical::DentalRecordFields as DentalRecordInput;
/// A medical record as sent.
pub use domain::clinical::MedicalRecordFields as MedicalRecordInput;
/// Physical examination as sent (checked as part of the record).
pub use domain::clinical::PhysicalExam as PhysicalExamInput;
/// A medication as sent.
pub use domain::clinical::RawMedication as MedicationInput;

/// An allergy as sent.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AllergyInput {
    /// Substance.
    pub substance: String,
    /// Reaction.
    pub reaction: Option<String>,
    /// `mild` | `moderate` | `severe`.
    pub severity: String,
}

/// Patient fields as sent (create, update, or one's own profile).
#[derive(Clone, Default, PartialEq)]
pub struct PatientInput {
    /// Account to link (create only, clinic roles).
    pub user_id: Option<UserId>,
    /// Create even when a possible duplicate exists (create only, clinic roles).
    pub confirm_new: bool,
    /// Given name.
    pub first_name: Option<String>,
    /// Middle name.
    pub middle_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Date of birth.
    pub date_of_birth: Option<NaiveDate>,
    /// `M` | `F` | `O`.
    pub sex: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// USC ID.
    pub usc_id: Option<String>,
    /// Present address.
    pub address: Option<String>,
    /// Permanent address.
    pub permanent_address: Option<String>,
    /// Civil status code.
    pub civil_status: Option<String>,
    /// Nationality.
    pub nationality: Option<String>,
    /// Religion.
    pub religion: Option<String>,
    /// Program code "1".."68".
    pub course: Option<String>,
    /// "1".."4".
    pub year_level: Option<String>,
    /// Campus name.
    pub campus: Option<String>,
    /// Department.
    pub department: Option<String>,
    /// Emergency contact name.
    pub emergency_contact_name: Option<String>,
    /// Emergency contact phone.
    pub emergency_contact_phone: Option<String>,
    /// Emergency contact relationship.
    pub emergency_contact_relationship: Option<String>,
    /// `A+` ... `O-`.
    pub blood_type: Option<String>,
    /// cm.
    pub height_cm: Option<f64>,
    /// kg.
    pub weight_kg: Option<f64>,
    /// Replaces the allergy list.
    pub allergies: Option<Vec<AllergyInput>>,
    /// Replaces the medication list.
    pub medications: Option<Vec<MedicationInput>>,
    /// History: illnesses.
    pub illnesses: Option<String>,
    /// History: childhood diseases.
    pub childhood_diseases: Option<String>,
    /// History: special needs.
    pub special_needs: Option<String>,
    /// History: existing conditions.
    pub existing_conditions: Option<String>,
    /// History: hospitalisations.
    pub hospitalizations: Option<String>,
    /// History: surgeries.
    pub surgeries: Option<String>,
}

/// A certificate as sent.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CertificateInput {
    /// For whom (create only).
    pub patient_id: Option<PatientId>,
    /// Template (create only).
    pub template_id: Option<TemplateId>,
    /// Purpose.
    pub purpose: Option<String>,
    /// Recommendations.
    pub recommendations: Option<String>,
    /// Notes.
    pub additional_notes: Option<String>,
    /// First day.
    pub valid_from: Option<NaiveDate>,
    /// Last day.
    pub valid_until: Option<NaiveDate>,
    /// `fit` | `not_fit`.
    pub fitness: Option<String>,
    /// Why not fit.
    pub fitness_reason: Option<String>,
}

/// A new template.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateInput {
    /// Unique name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// `medical` | `dental`.
    pub kind: Option<String>,
    /// Printed form code.
    pub form_code: Option<String>,
    /// Body with placeholders.
    pub body: String,
}

/// PATCH of a certificate template: `None` keeps a part; `Some("")` clears the
/// description or form code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplatePatch {
    /// Unique name.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Printed form code.
    pub form_code: Option<String>,
    /// Body with placeholders.
    pub body: Option<String>,
    /// `false` retires it: no new certificates use it.
    pub active: Option<bool>,
}

/// An upload.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct UploadInput {
    /// The file name the client sent.
    pub filename: String,
    /// The bytes.
    pub content: Vec<u8>,
    /// Document type code.
    pub document_type: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Attach to this medical record of the same patient.
    pub medical_record_id: Option<MedicalRecordId>,
    /// Attach to this dental record of the same patient.
    pub dental_record_id: Option<DentalRecordId>,
}
