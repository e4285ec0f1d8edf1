//! Clinical records: patients, medical and dental visits, certificates.

pub mod certificate;
pub mod codes;
pub mod patient;
pub mod record;
pub mod values;

pub use certificate::{
    Certificate, CertificateCode, CertificateContent, CertificateError, CertificateTemplate,
    TemplateBody, TemplateError,
};
pub use codes::{
    BloodType, CertificateKind, CertificateStatus, CivilStatus, DentalProcedure, DocumentType,
    Fitness, GumCondition, OralHygiene, Priority, Severity, Sex, ToothCondition, UnknownCode,
};
pub use patient::{EmergencyContact, MedicalHistory, Patient};
pub use record::{
    DentalRecord, DentalRecordFields, MedicalRecord, MedicalRecordFields, PhysicalExam,
    RecordError, RecordErrors, Revision,
};
pub use values::{
    Allergy, Medication, Money, PainLevel, RawMedication, RawVitals, ToothNumber, ValueError,
    VitalSigns, allergy_conflicts,
};
