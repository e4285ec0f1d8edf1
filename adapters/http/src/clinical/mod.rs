//! The clinical capability: patients, their documents, medical and dental records,
//! certificates and templates, notifications. One `#[OpenApi]` struct per resource; handlers
//! parse, call one use case, map the result.

pub mod dto;

mod certificates;
mod documents;
mod notifications;
mod patients;
mod records;
mod verify_page;

pub use certificates::{CertificatesApi, TemplatesApi};
pub use documents::DocumentsApi;
pub use notifications::NotificationsApi;
pub use patients::PatientsApi;
pub use records::{DentalRecordsApi, MedicalRecordsApi};

use crate::Services;
use crate::common::ClinicZone;

/// The clinical resources, in the order of the published document.
pub type ClinicalApi = (
    PatientsApi,
    DocumentsApi,
    MedicalRecordsApi,
    DentalRecordsApi,
    CertificatesApi,
    TemplatesApi,
    NotificationsApi,
);

/// The clinical resources over the clinical use cases.
pub fn api(services: &Services, zone: ClinicZone) -> ClinicalApi {
    let clinical = &services.clinical;
    (
        PatientsApi {
            clinical: clinical.clone(),
            zone,
        },
        DocumentsApi {
            clinical: clinical.clone(),
            zone,
        },
        MedicalRecordsApi {
            clinical: clinical.clone(),
            zone,
        },
        DentalRecordsApi {
            clinical: clinical.clone(),
            zone,
        },
        CertificatesApi {
            clinical: clinical.clone(),
            zone,
        },
        TemplatesApi {
            clinical: clinical.clone(),
            zone,
        },
        NotificationsApi {
            notifications: services.notifications.clone(),
            zone,
        },
    )
}
