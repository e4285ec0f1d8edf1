//! Clinical ports: storage of patients, records, certificates and documents, and the
//! certificate PDF renderer.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use domain::clinical::{
    Certificate, CertificateCode, CertificateStatus, CertificateTemplate, DentalRecord,
    DocumentType, MedicalRecord, Patient, Revision, Sex,
};
use domain::identity::{Campus, CourseCode, EmailAddress, YearLevel};
use domain::paging::{Page, PageRequest};
use domain::{
    CertificateId, DentalRecordId, DocumentId, MedicalRecordId, PatientId, TemplateId, UserId,
};

use crate::StoreError;
pub use crate::notification::Notification;
use crate::unit_of_work::UnitOfWork;

/// Patient search. Text matches a prefix of the first name, last name, "first last",
/// email or USC ID, case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatientFilter {
    /// Prefix to look for (lower-cased by the use case).
    pub search: Option<String>,
    /// Only this sex.
    pub sex: Option<Sex>,
    /// Born on or after (from `max_age`).
    pub born_from: Option<NaiveDate>,
    /// Born on or before (from `min_age`).
    pub born_until: Option<NaiveDate>,
    /// Program.
    pub course: Option<CourseCode>,
    /// Year level.
    pub year_level: Option<YearLevel>,
    /// Campus.
    pub campus: Option<Campus>,
}

/// Record search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFilter {
    /// Only this patient's.
    pub patient_id: Option<PatientId>,
    /// Visits at or after.
    pub from: Option<DateTime<Utc>>,
    /// Visits before.
    pub to: Option<DateTime<Utc>>,
    /// Case-insensitive substring of complaint/diagnosis (medical) or concern/diagnosis
    /// (dental).
    pub search: Option<String>,
}

/// Certificate search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CertificateFilter {
    /// Only this patient's.
    pub patient_id: Option<PatientId>,
    /// Only in this state.
    pub status: Option<CertificateStatus>,
}

/// A stored patient document (the bytes live in the media store).
#[derive(Clone, PartialEq, Eq)]
pub struct PatientDocument {
    /// Identity.
    pub id: DocumentId,
    /// Whose.
    pub patient_id: PatientId,
    /// Attached to this medical record.
    pub medical_record_id: Option<MedicalRecordId>,
    /// Attached to this dental record.
    pub dental_record_id: Option<DentalRecordId>,
    /// What it is.
    pub document_type: DocumentType,
    /// Description.
    pub description: Option<String>,
    /// Cleaned original file name.
    pub filename: String,
    /// MIME type from the content.
    pub content_type: String,
    /// Size.
    pub size_bytes: i64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Where the bytes are in the media store (never shown to clients).
    pub storage_key: String,
    /// Uploader.
    pub uploaded_by: UserId,
    /// When.
    pub uploaded_at: DateTime<Utc>,
}

impl fmt::Debug for PatientDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PatientDocument")
            .field("id", &self.id)
            .field("patient_id", &self.patient_id)
            .finish_non_exhaustive()
    }
}

/// Which record a revision list is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordRef {
    /// A medical record.
    Medical(MedicalRecordId),
    /// A dental record.
    Dental(DentalRecordId),
}

impl RecordRef {
    /// `medical_record` or `dental_record`.
    pub fn kind(&self) -> &'static str {
        match self {
            RecordRef::Medical(_) => "medical_record",
            RecordRef::Dental(_) => "dental_record",
        }
    }
    /// The record's UUID.
    pub fn uuid(&self) -> uuid::Uuid {
        match self {
            RecordRef::Medical(id) => id.as_uuid(),
            RecordRef::Dental(id) => id.as_uuid(),
        }
    }
}

/// What depends on a patient (deleting them is refused while any of these exist).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Dependents {
    /// Medical records.
    pub medical_records: u64,
    /// Dental records.
    pub dental_records: u64,
    /// Certificates.
    pub certificates: u64,
    /// Documents.
    pub documents: u64,
}

impl Dependents {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Clinical reads on the pool (fast, no lock), writes through [`ClinicalOps`].
///
/// Errors: `Unavailable` when the database cannot be reached, `Other` otherwise.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ClinicalStore: Send + Sync {
    /// Starts a write transaction (unit of work).
    async fn begin(&self) -> Result<Box<dyn UnitOfWork>, StoreError>;
    /// A patient.
    async fn patient(&self, id: PatientId) -> Result<Option<Patient>, StoreError>;
    /// The patient profile of a user account.
    async fn patient_of_user(&self, user: UserId) -> Result<Option<Patient>, StoreError>;
    /// Searches patients, ordered by last name, first name.
    async fn search_patients(
        &self,
        filter: &PatientFilter,
        page: PageRequest,
    ) -> Result<Page<Patient>, StoreError>;
    /// A medical record.
    async fn medical_record(
        &self,
        id: MedicalRecordId,
    ) -> Result<Option<MedicalRecord>, StoreError>;
    /// Medical records, newest visit first.
    async fn medical_records(
        &self,
        filter: &RecordFilter,
        page: PageRequest,
    ) -> Result<Page<MedicalRecord>, StoreError>;
    /// A dental record.
    async fn dental_record(&self, id: DentalRecordId) -> Result<Option<DentalRecord>, StoreError>;
    /// Dental records, newest visit first.
    async fn dental_records(
        &self,
        filter: &RecordFilter,
        page: PageRequest,
    ) -> Result<Page<DentalRecord>, StoreError>;
    /// Edits of a record, oldest first.
    async fn revisions(&self, record: RecordRef) -> Result<Vec<Revision>, StoreError>;
    /// The edits of a patient's profile and allergies, oldest first.
    async fn patient_revisions(&self, id: PatientId) -> Result<Vec<Revision>, StoreError>;
    /// A certificate.
    async fn certificate(&self, id: CertificateId) -> Result<Option<Certificate>, StoreError>;
    /// The certificate carrying a verification code.
    async fn certificate_by_code(
        &self,
        code: &CertificateCode,
    ) -> Result<Option<Certificate>, StoreError>;
    /// Certificates, newest first.
    async fn certificates(
        &self,
        filter: &CertificateFilter,
        page: PageRequest,
    ) -> Result<Page<Certificate>, StoreError>;
    /// A template.
    async fn template(&self, id: TemplateId) -> Result<Option<CertificateTemplate>, StoreError>;
    /// Every template, by name.
    async fn templates(&self) -> Result<Vec<CertificateTemplate>, StoreError>;
    /// A document.
    async fn document(&self, id: DocumentId) -> Result<Option<PatientDocument>, StoreError>;
    /// A patient's documents, newest first.
    async fn documents(
        &self,
        patient: PatientId,
        page: PageRequest,
    ) -> Result<Page<PatientDocument>, StoreError>;
    /// Email and display name of a user account (for certificate signatures and mail).
    async fn user_contact(
        &self,
        user: UserId,
    ) -> Result<Option<(EmailAddress, String)>, StoreError>;
    /// A clinician's display name and professional licence number (certificate
    /// signatures).
    async fn signer(&self, user: UserId) -> Result<Option<(String, Option<String>)>, StoreError>;
}

/// Clinical operations inside a [`UnitOfWork`] (`tx.clinical()`). Errors:
/// `Conflict{what}` on unique violations (`email`, `usc_id`, `user_id`, `name`, `visit`),
/// `Missing` on a broken reference.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ClinicalOps: Send {
    /// A patient, locked for the rest of the transaction.
    async fn patient(&mut self, id: PatientId) -> Result<Option<Patient>, StoreError>;
    /// The patient profile of a user, locked.
    async fn patient_of_user(&mut self, user: UserId) -> Result<Option<Patient>, StoreError>;
    /// Inserts a patient.
    async fn insert_patient(&mut self, p: &Patient) -> Result<(), StoreError>;
    /// Saves every field of a patient.
    async fn update_patient(&mut self, p: &Patient) -> Result<(), StoreError>;
    /// What depends on a patient.
    async fn dependents(&mut self, id: PatientId) -> Result<Dependents, StoreError>;
    /// Deletes a patient (with nothing depending on them).
    async fn delete_patient(&mut self, id: PatientId) -> Result<(), StoreError>;
    /// A medical record, locked.
    async fn medical_record(
        &mut self,
        id: MedicalRecordId,
    ) -> Result<Option<MedicalRecord>, StoreError>;
    /// Inserts or (when `insert` is false) saves a medical record.
    async fn save_medical_record(
        &mut self,
        r: &MedicalRecord,
        insert: bool,
    ) -> Result<(), StoreError>;
    /// Deletes a medical record (its documents are detached, not deleted).
    async fn delete_medical_record(&mut self, id: MedicalRecordId) -> Result<(), StoreError>;
    /// A dental record, locked.
    async fn dental_record(
        &mut self,
        id: DentalRecordId,
    ) -> Result<Option<DentalRecord>, StoreError>;
    /// Inserts or saves a dental record.
    async fn save_dental_record(
        &mut self,
        r: &DentalRecord,
        insert: bool,
    ) -> Result<(), StoreError>;
    /// Deletes a dental record.
    async fn delete_dental_record(&mut self, id: DentalRecordId) -> Result<(), StoreError>;
    /// Records one edit of a medical or dental record.
    async fn insert_revision(&mut self, r: &Revision) -> Result<(), StoreError>;
    /// Records one edit of a patient (`r.record_id` is the patient); the store numbers
    /// it, one after the last (under the patient's row lock), whatever `r.version` says.
    async fn insert_patient_revision(&mut self, r: &Revision) -> Result<(), StoreError>;
    /// The patients born on a day (duplicate candidates).
    async fn patients_born_on(&mut self, day: NaiveDate) -> Result<Vec<Patient>, StoreError>;
    /// A certificate, locked.
    async fn certificate(&mut self, id: CertificateId) -> Result<Option<Certificate>, StoreError>;
    /// Inserts or saves a certificate.
    async fn save_certificate(&mut self, c: &Certificate, insert: bool) -> Result<(), StoreError>;
    /// A template.
    async fn template(&mut self, id: TemplateId)
    -> Result<Option<CertificateTemplate>, StoreError>;
    /// A template, locked for a change.
    async fn lock_template(
        &mut self,
        id: TemplateId,
    ) -> Result<Option<CertificateTemplate>, StoreError>;
    /// Inserts a template (`Conflict{name}` on a duplicate name).
    async fn insert_template(&mut self, t: &CertificateTemplate) -> Result<(), StoreError>;
    /// Saves a changed template (`Conflict{name}` on a duplicate name).
    async fn update_template(&mut self, t: &CertificateTemplate) -> Result<(), StoreError>;
    /// Inserts a document's metadata.
    async fn insert_document(&mut self, d: &PatientDocument) -> Result<(), StoreError>;
    /// Deletes a document of `patient`; the deleted one (`None`: no such document of
    /// this patient).
    async fn delete_document(
        &mut self,
        patient: PatientId,
        id: DocumentId,
    ) -> Result<Option<PatientDocument>, StoreError>;
}

/// A patient as other capabilities need to know them: that they exist, their account,
/// and their allergies (so nobody prescribes or dispenses blind).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientRef {
    /// The patient.
    pub id: PatientId,
    /// Their account, if they have one.
    pub user_id: Option<UserId>,
    /// Active allergies (resolved and entered-in-error ones left out).
    pub allergies: Vec<domain::clinical::Allergy>,
}

impl From<&Patient> for PatientRef {
    fn from(p: &Patient) -> Self {
        Self {
            id: p.id,
            user_id: p.user_id,
            allergies: domain::clinical::allergy::active(&p.allergies)
                .cloned()
                .collect(),
        }
    }
}

/// The narrow port through which other capabilities (appointments, later inventory and
/// billing) ask the clinical capability about patients and records, without depending
/// on its whole store. Reads on the pool.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PatientDirectory: Send + Sync {
    /// A patient by id.
    async fn patient(&self, id: PatientId) -> Result<Option<PatientRef>, StoreError>;
    /// The patient profile of a user account.
    async fn patient_of_user(&self, user: UserId) -> Result<Option<PatientRef>, StoreError>;
    /// Whose record this is (`None`: no such record).
    async fn record_patient(&self, record: RecordRef) -> Result<Option<PatientId>, StoreError>;
}
/// Everything printed on a certificate, as display-ready text.
#[derive(Clone, PartialEq, Eq)]
pub struct CertificateDocument {
    /// Clinic name for the header.
    pub clinic_name: String,
    /// Clinic address.
    pub clinic_address: String,
    /// Form code of the template.
    pub form_code: Option<String>,
    /// "Medical certificate" / "Dental certificate" (sentence case).
    pub title: String,
    /// The filled template, split into paragraphs: the certificate's content, stated
    /// once (nothing below repeats it).
    pub body: Vec<String>,
    /// Facts the body does not state, as label/value rows ("USC ID").
    pub facts: Vec<(String, String)>,
    /// Long date.
    pub issued_on: String,
    /// Signing physician.
    pub physician_name: String,
    /// "University Physician".
    pub physician_title: String,
    /// The physician's professional licence (PRC) number.
    pub physician_license: Option<String>,
    /// `XXXX-XXXX-XXXX`.
    pub verification_code: String,
    /// Where anyone can check the code.
    pub verify_url: String,
}

impl fmt::Debug for CertificateDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CertificateDocument(<redacted>)")
    }
}

/// Lays out a certificate as PDF. CPU-bound: adapters run it off the async runtime.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CertificateRenderer: Send + Sync {
    /// The PDF bytes.
    async fn render(&self, doc: CertificateDocument) -> anyhow::Result<Vec<u8>>;
}
