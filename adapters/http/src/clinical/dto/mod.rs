//! Wire types of the clinical resources, one module per resource.

mod certificates;
mod dental;
mod documents;
mod medical;
mod medication;
mod notifications;
mod patients;

pub use certificates::{
    CertificateDto, CertificatePage, CertificateRequest, RejectRequest, RevokeRequest, TemplateDto,
    TemplatePatch, TemplateRequest, VerificationDto,
};
pub use dental::{DentalRecordDto, DentalRecordPage, DentalRecordRequest};
pub use documents::{DocumentDto, DocumentPage, UploadForm};
pub use medical::{
    MedicalRecordDto, MedicalRecordPage, MedicalRecordRequest, PhysicalExamDto, RevisionDto,
    VitalSignsDto,
};
pub use medication::{AllergyDto, AllergyEntryDto, MedicationDto};
pub use notifications::{NotificationDto, NotificationPage};
pub use patients::{AllergyCloseRequest, PatientDto, PatientPage, PatientRequest};
