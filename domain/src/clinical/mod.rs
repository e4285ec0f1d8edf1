//! Clinical records: patients, medical and dental visits, certificates.

pub mod allergy;
pub mod certificate;
pub mod codes;
pub mod drug_class;
pub mod patient;
pub mod record;
pub mod shown;
pub mod values;

pub use allergy::{AllergyEditError, AllergyEditor, AllergyEntry, AllergySource, ClosedAs};
pub use certificate::{
    Certificate, CertificateCode, CertificateContent, CertificateError, CertificateTemplate,
    Revocation, TemplateBody, TemplateError, Verdict,
};
pub use codes::{
    BloodType, CertificateKind, CertificateStatus, CivilStatus, DentalProcedure, DocumentType,
    Fitness, GumCondition, OralHygiene, Priority, Severity, Sex, ToothCondition, UnknownCode,
};
pub use drug_class::{AllergyConflict, ConflictKind, allergy_conflicts};
pub use patient::{EmergencyContact, MedicalHistory, Patient};
pub use record::{
    DentalRecord, DentalRecordFields, FieldChange, MedicalRecord, MedicalRecordFields,
    PhysicalExam, RecordError, RecordErrors, Revision,
};
pub use values::{
    Allergy, Medication, Money, PainLevel, RawMedication, RawVitals, ToothNumber, ValueError,
    VitalSigns,
};
