//! Clinical use cases: patients, medical and dental records, documents, certificates and
//! the patient's in-app notifications.
//!
//! Every read and write of patient data is audited with the patient's id. A patient-role
//! user sees only their own data: anything else answers 404, as if it did not exist.

mod certificates;
mod documents;
pub mod inputs;
mod patients;
pub mod ports;
mod records;
pub mod seed;
mod service;
#[cfg(test)]
pub(crate) mod tests;
mod visit_record;

pub use inputs::*;
pub use patients::PatientQuery;
pub use ports::*;
pub use records::RecordQuery;
pub use service::{ClinicalConfig, ClinicalService, PatientView, RecordView, Verification};
pub use visit_record::VisitRecord;
