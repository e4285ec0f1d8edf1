//! /api/patients, /api/medical-records, /api/dental-records, documents, certificates,
//! templates and notifications. Handlers parse, call one use case, map the result.

use std::sync::Arc;

use application::clinical::{
    CertificateFilter, ClinicalService, PatientQuery, RecordQuery, RecordRef, TemplateInput,
    UploadInput,
};
use chrono::{DateTime, FixedOffset, Utc};
use domain::clinical::CertificateStatus;
use domain::{
    CertificateId, DentalRecordId, DocumentId, MedicalRecordId, NotificationId, PatientId,
};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Attachment, AttachmentType, Binary, Json};
use poem_openapi::types::multipart::Upload;
use poem_openapi::{ApiResponse, Multipart, Object, OpenApi};
use uuid::Uuid;

use crate::clinical_dto::*;
use crate::common::{
    ApiTags, BearerAuth, BodyError, ClinicZone, MessageDto, NoContent, ReadError, WriteError,
    api_errors, ok_enum, page,
};

api_errors!(
    /// Errors of uploads.
    pub enum UploadError {
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        Body,
    }
);
api_errors!(
    /// Errors of the public verification.
    pub enum PublicError {
        NotFound,
    }
);

ok_enum!(PatientOk, PatientDto, "200 with a patient.");
ok_enum!(
    PatientCreated,
    PatientDto,
    created,
    "201 with the new patient."
);
ok_enum!(PatientPageOk, PatientPage, "200 with a page of patients.");
ok_enum!(MedicalOk, MedicalRecordDto, "200 with a medical record.");
ok_enum!(
    MedicalCreated,
    MedicalRecordDto,
    created,
    "201 with the new medical record."
);
ok_enum!(
    MedicalPageOk,
    MedicalRecordPage,
    "200 with a page of medical records."
);
ok_enum!(DentalOk, DentalRecordDto, "200 with a dental record.");
ok_enum!(
    DentalCreated,
    DentalRecordDto,
    created,
    "201 with the new dental record."
);
ok_enum!(
    DentalPageOk,
    DentalRecordPage,
    "200 with a page of dental records."
);
ok_enum!(
    RevisionsOk,
    Vec<RevisionDto>,
    "200 with the revisions, oldest first."
);
ok_enum!(CertificateOk, CertificateDto, "200 with a certificate.");
ok_enum!(
    CertificateCreated,
    CertificateDto,
    created,
    "201 with the new certificate."
);
ok_enum!(
    CertificatePageOk,
    CertificatePage,
    "200 with a page of certificates."
);
ok_enum!(TemplatesOk, Vec<TemplateDto>, "200 with the templates.");
ok_enum!(
    TemplateCreated,
    TemplateDto,
    created,
    "201 with the new template."
);
ok_enum!(
    DocumentCreated,
    DocumentDto,
    created,
    "201 with the stored document."
);
ok_enum!(
    DocumentPageOk,
    DocumentPage,
    "200 with a page of documents."
);
ok_enum!(
    VerificationOk,
    VerificationDto,
    "200: the code is genuine (see `valid`)."
);
ok_enum!(
    NotificationPageOk,
    NotificationPage,
    "200 with a page of notifications."
);
ok_enum!(MessageOk, MessageDto, "200 with a message.");

/// The certificate PDF.
#[derive(Debug, ApiResponse)]
pub enum PdfOk {
    /// `application/pdf`.
    #[oai(status = 200, content_type = "application/pdf")]
    Pdf(
        Binary<Vec<u8>>,
        #[oai(header = "Content-Disposition")] String,
    ),
}

/// A document's bytes.
#[derive(Debug, ApiResponse)]
pub enum DownloadOk {
    /// Always served as an attachment (`application/octet-stream`), never rendered inline.
    #[oai(status = 200)]
    File(Attachment<Vec<u8>>),
}

/// A multipart document upload.
#[derive(Debug, Multipart)]
pub struct UploadForm {
    /// The file (validated by its content: images ≤10 MiB, documents ≤50 MiB,
    /// spreadsheets and presentations ≤25 MiB; executables and scripts are refused).
    pub file: Upload,
    /// `CONSULTATION` | `MEDICAL_RECORD` | `DENTAL_RECORD` | `LAB_RESULT` | `PRESCRIPTION` |
    /// `XRAY` | `OTHER` (default).
    pub document_type: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Attach to one of the patient's medical records.
    pub medical_record_id: Option<Uuid>,
    /// Attach to one of the patient's dental records.
    pub dental_record_id: Option<Uuid>,
}

/// Reject body.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct RejectRequest {
    /// Why, 3-1000 characters.
    #[oai(validator(max_length = 1000))]
    pub reason: String,
}

/// The clinical resources.
pub struct ClinicalApi {
    /// Use cases.
    pub clinical: Arc<ClinicalService>,
    /// Display zone.
    pub zone: ClinicZone,
}

/// The query parameters shared by the medical and dental record lists.
fn record_query(
    patient_id: Option<Uuid>,
    from: Option<DateTime<FixedOffset>>,
    to: Option<DateTime<FixedOffset>>,
    search: Option<String>,
) -> RecordQuery {
    RecordQuery {
        patient_id: patient_id.map(PatientId::from_uuid),
        from: from.map(|t| t.with_timezone(&Utc)),
        to: to.map(|t| t.with_timezone(&Utc)),
        search,
    }
}

#[OpenApi(tag = "ApiTags::Clinical")]
impl ClinicalApi {
    /// Clinic roles: search patients. `search` matches the start of the first name, last
    /// name, "first last", email or USC ID (case-insensitive).
    #[oai(path = "/api/patients", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list_patients(
        &self,
        auth: BearerAuth,
        #[oai(validator(max_length = 100))] search: Query<Option<String>>,
        #[oai(validator(max_length = 1))] sex: Query<Option<String>>,
        #[oai(validator(maximum(value = "150")))] min_age: Query<Option<u32>>,
        #[oai(validator(maximum(value = "150")))] max_age: Query<Option<u32>>,
        #[oai(validator(max_length = 3))] course: Query<Option<String>>,
        #[oai(validator(max_length = 2))] year_level: Query<Option<String>>,
        #[oai(validator(max_length = 30))] campus: Query<Option<String>>,
        #[oai(
            name = "page",
            validator(minimum(value = "1"), maximum(value = "1000000"))
        )]
        page_no: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] page_size: Query<
            Option<u64>,
        >,
    ) -> Result<PatientPageOk, ReadError> {
        let page = page(page_no.0, page_size.0)?;
        let query = PatientQuery {
            search: search.0,
            sex: sex.0,
            min_age: min_age.0,
            max_age: max_age.0,
            course: course.0,
            year_level: year_level.0,
            campus: campus.0,
        };
        let found = self
            .clinical
            .list_patients(&auth.0.actor, query, page)
            .await?;
        let zone = self.zone;
        Ok(PatientPageOk::Ok(Json(PatientPage::from_page(
            found,
            |v| PatientDto::from_view(v, zone),
        ))))
    }

    /// Clinic roles: a new patient. 409 `email_taken` / `usc_id_taken` / `patient_exists`.
    #[oai(path = "/api/patients", method = "post")]
    async fn create_patient(
        &self,
        auth: BearerAuth,
        body: Json<PatientRequest>,
    ) -> Result<PatientCreated, BodyError> {
        let v = self
            .clinical
            .create_patient(&auth.0.actor, body.0.into())
            .await?;
        Ok(PatientCreated::Created(Json(PatientDto::from_view(
            v, self.zone,
        ))))
    }

    /// Patient roles: one's own patient profile (404 until completed).
    #[oai(path = "/api/patients/me", method = "get")]
    async fn my_patient(&self, auth: BearerAuth) -> Result<PatientOk, ReadError> {
        let v = self.clinical.my_patient(&auth.0.actor).await?;
        Ok(PatientOk::Ok(Json(PatientDto::from_view(v, self.zone))))
    }

    /// Patient roles: complete or change one's own patient profile (the first call
    /// creates it, linked to the account and its email).
    #[oai(path = "/api/patients/me", method = "patch")]
    async fn update_my_patient(
        &self,
        auth: BearerAuth,
        body: Json<PatientRequest>,
    ) -> Result<PatientOk, BodyError> {
        let v = self
            .clinical
            .update_my_patient(&auth.0.actor, body.0.into())
            .await?;
        Ok(PatientOk::Ok(Json(PatientDto::from_view(v, self.zone))))
    }

    /// One patient (clinic roles; a patient only their own, others answer 404).
    #[oai(path = "/api/patients/:id", method = "get")]
    async fn get_patient(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<PatientOk, ReadError> {
        let v = self
            .clinical
            .get_patient(&auth.0.actor, PatientId::from_uuid(id.0))
            .await?;
        Ok(PatientOk::Ok(Json(PatientDto::from_view(v, self.zone))))
    }

    /// Clinic roles: change a patient.
    #[oai(path = "/api/patients/:id", method = "patch")]
    async fn update_patient(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<PatientRequest>,
    ) -> Result<PatientOk, BodyError> {
        let v = self
            .clinical
            .update_patient(&auth.0.actor, PatientId::from_uuid(id.0), body.0.into())
            .await?;
        Ok(PatientOk::Ok(Json(PatientDto::from_view(v, self.zone))))
    }

    /// Clinic roles: delete a patient without records, certificates or documents
    /// (409 `patient_has_records` otherwise; nothing is cascaded away).
    #[oai(path = "/api/patients/:id", method = "delete")]
    async fn delete_patient(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<NoContent, WriteError> {
        self.clinical
            .delete_patient(&auth.0.actor, PatientId::from_uuid(id.0))
            .await?;
        Ok(NoContent::Deleted)
    }

    /// A patient's documents (clinic roles; a patient their own).
    #[oai(path = "/api/patients/:id/documents", method = "get")]
    async fn list_documents(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        #[oai(
            name = "page",
            validator(minimum(value = "1"), maximum(value = "1000000"))
        )]
        page_no: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] page_size: Query<
            Option<u64>,
        >,
    ) -> Result<DocumentPageOk, ReadError> {
        let page = page(page_no.0, page_size.0)?;
        let docs = self
            .clinical
            .list_documents(&auth.0.actor, PatientId::from_uuid(id.0), page)
            .await?;
        let zone = self.zone;
        Ok(DocumentPageOk::Ok(Json(DocumentPage::from_page(
            docs,
            |d| DocumentDto::from_document(d, zone),
        ))))
    }

    /// Clinic roles: upload a document (multipart). Validated by content: 415 for
    /// executables, scripts or content that does not match its extension; 413 when
    /// larger than its format allows.
    #[oai(path = "/api/patients/:id/documents", method = "post")]
    async fn upload_document(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        form: UploadForm,
    ) -> Result<DocumentCreated, UploadError> {
        let filename = form.file.file_name().unwrap_or_default().to_owned();
        let content =
            form.file.into_vec().await.map_err(|e| {
                application::AppError::field("file", format!("unreadable upload: {e}"))
            })?;
        let input = UploadInput {
            filename,
            content,
            document_type: form.document_type,
            description: form.description,
            medical_record_id: form.medical_record_id.map(MedicalRecordId::from_uuid),
            dental_record_id: form.dental_record_id.map(DentalRecordId::from_uuid),
        };
        let d = self
            .clinical
            .upload_document(&auth.0.actor, PatientId::from_uuid(id.0), input)
            .await?;
        Ok(DocumentCreated::Created(Json(DocumentDto::from_document(
            d, self.zone,
        ))))
    }

    /// Download a document (authenticated; there is no public URL).
    #[oai(path = "/api/patients/:id/documents/:doc_id/download", method = "get")]
    async fn download_document(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        doc_id: Path<Uuid>,
    ) -> Result<DownloadOk, ReadError> {
        let (doc, bytes) = self
            .clinical
            .download_document(
                &auth.0.actor,
                PatientId::from_uuid(id.0),
                DocumentId::from_uuid(doc_id.0),
            )
            .await?;
        Ok(DownloadOk::File(
            Attachment::new(bytes)
                .attachment_type(AttachmentType::Attachment)
                .filename(doc.filename),
        ))
    }

    /// Medical records, newest visit first: clinic roles all (`patient_id` filters), a
    /// patient their own. `search` looks in the complaint and diagnosis.
    #[oai(path = "/api/medical-records", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list_medical(
        &self,
        auth: BearerAuth,
        patient_id: Query<Option<Uuid>>,
        from: Query<Option<DateTime<FixedOffset>>>,
        to: Query<Option<DateTime<FixedOffset>>>,
        #[oai(validator(max_length = 100))] search: Query<Option<String>>,
        #[oai(
            name = "page",
            validator(minimum(value = "1"), maximum(value = "1000000"))
        )]
        page_no: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] page_size: Query<
            Option<u64>,
        >,
    ) -> Result<MedicalPageOk, ReadError> {
        let page = page(page_no.0, page_size.0)?;
        let q = record_query(patient_id.0, from.0, to.0, search.0);
        let found = self
            .clinical
            .list_medical_records(&auth.0.actor, q, page)
            .await?;
        let zone = self.zone;
        Ok(MedicalPageOk::Ok(Json(MedicalRecordPage::from_page(
            found,
            |v| MedicalRecordDto::from_view(v, zone),
        ))))
    }

    /// ADMIN, DOCTOR, NURSE: record a visit. 409 `allergy_conflict` when a medication
    /// matches a recorded allergy and no `override_reason` is given; 409
    /// `duplicate_visit` for the same patient and visit time.
    #[oai(path = "/api/medical-records", method = "post")]
    async fn create_medical(
        &self,
        auth: BearerAuth,
        body: Json<MedicalRecordRequest>,
    ) -> Result<MedicalCreated, BodyError> {
        let v = self
            .clinical
            .create_medical_record(&auth.0.actor, body.0.into())
            .await?;
        Ok(MedicalCreated::Created(Json(MedicalRecordDto::from_view(
            v, self.zone,
        ))))
    }

    /// One medical record (with the patient's allergies).
    #[oai(path = "/api/medical-records/:id", method = "get")]
    async fn get_medical(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<MedicalOk, ReadError> {
        let v = self
            .clinical
            .get_medical_record(&auth.0.actor, MedicalRecordId::from_uuid(id.0))
            .await?;
        Ok(MedicalOk::Ok(Json(MedicalRecordDto::from_view(
            v, self.zone,
        ))))
    }

    /// ADMIN, DOCTOR, NURSE: change a medical record (a revision is kept).
    #[oai(path = "/api/medical-records/:id", method = "patch")]
    async fn update_medical(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<MedicalRecordRequest>,
    ) -> Result<MedicalOk, BodyError> {
        let v = self
            .clinical
            .update_medical_record(
                &auth.0.actor,
                MedicalRecordId::from_uuid(id.0),
                body.0.into(),
            )
            .await?;
        Ok(MedicalOk::Ok(Json(MedicalRecordDto::from_view(
            v, self.zone,
        ))))
    }

    /// ADMIN, DOCTOR, NURSE: delete a medical record.
    #[oai(path = "/api/medical-records/:id", method = "delete")]
    async fn delete_medical(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<NoContent, WriteError> {
        self.clinical
            .delete_medical_record(&auth.0.actor, MedicalRecordId::from_uuid(id.0))
            .await?;
        Ok(NoContent::Deleted)
    }

    /// Clinic roles: who changed a medical record, when, and which fields.
    #[oai(path = "/api/medical-records/:id/revisions", method = "get")]
    async fn medical_revisions(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<RevisionsOk, ReadError> {
        let r = self
            .clinical
            .revisions(
                &auth.0.actor,
                RecordRef::Medical(MedicalRecordId::from_uuid(id.0)),
            )
            .await?;
        Ok(RevisionsOk::Ok(Json(
            r.into_iter()
                .map(|r| RevisionDto::from_revision(r, self.zone))
                .collect(),
        )))
    }

    /// Dental records, newest visit first: clinic roles all, a patient their own.
    #[oai(path = "/api/dental-records", method = "get")]
    #[allow(clippy::too_many_arguments)]
    async fn list_dental(
        &self,
        auth: BearerAuth,
        patient_id: Query<Option<Uuid>>,
        from: Query<Option<DateTime<FixedOffset>>>,
        to: Query<Option<DateTime<FixedOffset>>>,
        #[oai(validator(max_length = 100))] search: Query<Option<String>>,
        #[oai(
            name = "page",
            validator(minimum(value = "1"), maximum(value = "1000000"))
        )]
        page_no: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] page_size: Query<
            Option<u64>,
        >,
    ) -> Result<DentalPageOk, ReadError> {
        let page = page(page_no.0, page_size.0)?;
        let q = record_query(patient_id.0, from.0, to.0, search.0);
        let found = self
            .clinical
            .list_dental_records(&auth.0.actor, q, page)
            .await?;
        let zone = self.zone;
        Ok(DentalPageOk::Ok(Json(DentalRecordPage::from_page(
            found,
            |v| DentalRecordDto::from_view(v, zone),
        ))))
    }

    /// ADMIN, DENTIST, DOCTOR: record a dental visit (same allergy gate).
    #[oai(path = "/api/dental-records", method = "post")]
    async fn create_dental(
        &self,
        auth: BearerAuth,
        body: Json<DentalRecordRequest>,
    ) -> Result<DentalCreated, BodyError> {
        let v = self
            .clinical
            .create_dental_record(&auth.0.actor, body.0.into())
            .await?;
        Ok(DentalCreated::Created(Json(DentalRecordDto::from_view(
            v, self.zone,
        ))))
    }

    /// One dental record.
    #[oai(path = "/api/dental-records/:id", method = "get")]
    async fn get_dental(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<DentalOk, ReadError> {
        let v = self
            .clinical
            .get_dental_record(&auth.0.actor, DentalRecordId::from_uuid(id.0))
            .await?;
        Ok(DentalOk::Ok(Json(DentalRecordDto::from_view(v, self.zone))))
    }

    /// ADMIN, DENTIST, DOCTOR: change a dental record (a revision is kept).
    #[oai(path = "/api/dental-records/:id", method = "patch")]
    async fn update_dental(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<DentalRecordRequest>,
    ) -> Result<DentalOk, BodyError> {
        let v = self
            .clinical
            .update_dental_record(
                &auth.0.actor,
                DentalRecordId::from_uuid(id.0),
                body.0.into(),
            )
            .await?;
        Ok(DentalOk::Ok(Json(DentalRecordDto::from_view(v, self.zone))))
    }

    /// ADMIN, DENTIST, DOCTOR: delete a dental record.
    #[oai(path = "/api/dental-records/:id", method = "delete")]
    async fn delete_dental(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<NoContent, WriteError> {
        self.clinical
            .delete_dental_record(&auth.0.actor, DentalRecordId::from_uuid(id.0))
            .await?;
        Ok(NoContent::Deleted)
    }

    /// Clinic roles: the edits of a dental record.
    #[oai(path = "/api/dental-records/:id/revisions", method = "get")]
    async fn dental_revisions(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<RevisionsOk, ReadError> {
        let r = self
            .clinical
            .revisions(
                &auth.0.actor,
                RecordRef::Dental(DentalRecordId::from_uuid(id.0)),
            )
            .await?;
        Ok(RevisionsOk::Ok(Json(
            r.into_iter()
                .map(|r| RevisionDto::from_revision(r, self.zone))
                .collect(),
        )))
    }

    /// Certificates, newest first: clinic roles all, a patient their own.
    #[oai(path = "/api/medical-certificates", method = "get")]
    async fn list_certificates(
        &self,
        auth: BearerAuth,
        patient_id: Query<Option<Uuid>>,
        #[oai(validator(max_length = 10))] status: Query<Option<String>>,
        #[oai(
            name = "page",
            validator(minimum(value = "1"), maximum(value = "1000000"))
        )]
        page_no: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] page_size: Query<
            Option<u64>,
        >,
    ) -> Result<CertificatePageOk, ReadError> {
        let page = page(page_no.0, page_size.0)?;
        let status = status
            .0
            .as_deref()
            .map(CertificateStatus::parse)
            .transpose()
            .map_err(|e| application::AppError::field("status", e.to_string()))?;
        let filter = CertificateFilter {
            patient_id: patient_id.0.map(PatientId::from_uuid),
            status,
        };
        let found = self
            .clinical
            .list_certificates(&auth.0.actor, filter, page)
            .await?;
        let zone = self.zone;
        Ok(CertificatePageOk::Ok(Json(CertificatePage::from_page(
            found,
            |c| CertificateDto::from_certificate(c, zone),
        ))))
    }

    /// Clinic roles: a new certificate. NURSE and STAFF create a `draft`; ADMIN, DOCTOR
    /// and DENTIST a `pending` one. The status is never an input.
    #[oai(path = "/api/medical-certificates", method = "post")]
    async fn create_certificate(
        &self,
        auth: BearerAuth,
        body: Json<CertificateRequest>,
    ) -> Result<CertificateCreated, BodyError> {
        let c = self
            .clinical
            .create_certificate(&auth.0.actor, body.0.into())
            .await?;
        Ok(CertificateCreated::Created(Json(
            CertificateDto::from_certificate(c, self.zone),
        )))
    }

    /// Anyone: whether a certificate code is genuine and valid today (no patient data).
    #[oai(path = "/api/medical-certificates/verify/:code", method = "get")]
    async fn verify_certificate(
        &self,
        #[oai(validator(max_length = 20))] code: Path<String>,
    ) -> Result<VerificationOk, PublicError> {
        let v = self.clinical.verify_certificate(&code.0).await?;
        Ok(VerificationOk::Ok(Json(VerificationDto {
            genuine: true,
            valid: v.valid,
            status: v.status.as_str().to_owned(),
            kind: v.kind.as_str().to_owned(),
            valid_from: v.valid_from,
            valid_until: v.valid_until,
            approved_at: v.approved_at.map(|t| self.zone.show(t)),
        })))
    }

    /// One certificate (clinic roles; a patient their own).
    #[oai(path = "/api/medical-certificates/:id", method = "get")]
    async fn get_certificate(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<CertificateOk, ReadError> {
        let c = self
            .clinical
            .get_certificate(&auth.0.actor, CertificateId::from_uuid(id.0))
            .await?;
        Ok(CertificateOk::Ok(Json(CertificateDto::from_certificate(
            c, self.zone,
        ))))
    }

    /// Clinic roles: change a draft or pending certificate (409 otherwise). `status` is
    /// not accepted (400).
    #[oai(path = "/api/medical-certificates/:id", method = "patch")]
    async fn update_certificate(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<CertificateRequest>,
    ) -> Result<CertificateOk, BodyError> {
        let c = self
            .clinical
            .update_certificate(&auth.0.actor, CertificateId::from_uuid(id.0), body.0.into())
            .await?;
        Ok(CertificateOk::Ok(Json(CertificateDto::from_certificate(
            c, self.zone,
        ))))
    }

    /// Clinic roles: draft → pending (409 from any other state).
    #[oai(path = "/api/medical-certificates/:id/submit", method = "post")]
    async fn submit_certificate(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<CertificateOk, WriteError> {
        let c = self
            .clinical
            .submit_certificate(&auth.0.actor, CertificateId::from_uuid(id.0))
            .await?;
        Ok(CertificateOk::Ok(Json(CertificateDto::from_certificate(
            c, self.zone,
        ))))
    }

    /// DOCTOR (DENTIST for dental certificates): pending → approved; the patient is
    /// notified in the app and by email.
    #[oai(path = "/api/medical-certificates/:id/approve", method = "post")]
    async fn approve_certificate(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<CertificateOk, WriteError> {
        let c = self
            .clinical
            .approve_certificate(&auth.0.actor, CertificateId::from_uuid(id.0))
            .await?;
        Ok(CertificateOk::Ok(Json(CertificateDto::from_certificate(
            c, self.zone,
        ))))
    }

    /// DOCTOR (DENTIST for dental certificates): pending → rejected, with a reason.
    #[oai(path = "/api/medical-certificates/:id/reject", method = "post")]
    async fn reject_certificate(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<RejectRequest>,
    ) -> Result<CertificateOk, BodyError> {
        let c = self
            .clinical
            .reject_certificate(
                &auth.0.actor,
                CertificateId::from_uuid(id.0),
                &body.0.reason,
            )
            .await?;
        Ok(CertificateOk::Ok(Json(CertificateDto::from_certificate(
            c, self.zone,
        ))))
    }

    /// The PDF of an approved certificate (409 `certificate_not_approved` otherwise).
    #[oai(path = "/api/medical-certificates/:id/pdf", method = "get")]
    async fn certificate_pdf(&self, auth: BearerAuth, id: Path<Uuid>) -> Result<PdfOk, WriteError> {
        let pdf = self
            .clinical
            .certificate_pdf(&auth.0.actor, CertificateId::from_uuid(id.0))
            .await?;
        Ok(PdfOk::Pdf(
            Binary(pdf),
            format!("attachment; filename=\"medical_certificate_{}.pdf\"", id.0),
        ))
    }

    /// Clinic roles: the certificate templates.
    #[oai(path = "/api/certificate-templates", method = "get")]
    async fn list_templates(&self, auth: BearerAuth) -> Result<TemplatesOk, ReadError> {
        let t = self.clinical.list_templates(&auth.0.actor).await?;
        Ok(TemplatesOk::Ok(Json(
            t.into_iter()
                .map(|t| TemplateDto::from_template(t, self.zone))
                .collect(),
        )))
    }

    /// ADMIN: a new template. Only the listed `{{placeholders}}` are allowed; values are
    /// filled in as plain text and nothing in a template is ever executed.
    #[oai(path = "/api/certificate-templates", method = "post")]
    async fn create_template(
        &self,
        auth: BearerAuth,
        body: Json<TemplateRequest>,
    ) -> Result<TemplateCreated, BodyError> {
        let b = body.0;
        let t = self
            .clinical
            .create_template(
                &auth.0.actor,
                TemplateInput {
                    name: b.name,
                    description: b.description,
                    kind: b.kind,
                    form_code: b.form_code,
                    body: b.body,
                },
            )
            .await?;
        Ok(TemplateCreated::Created(Json(TemplateDto::from_template(
            t, self.zone,
        ))))
    }

    /// One's own notifications, newest first.
    #[oai(path = "/api/notifications", method = "get")]
    async fn notifications(
        &self,
        auth: BearerAuth,
        unread: Query<Option<bool>>,
        #[oai(
            name = "page",
            validator(minimum(value = "1"), maximum(value = "1000000"))
        )]
        page_no: Query<Option<u64>>,
        #[oai(validator(minimum(value = "1"), maximum(value = "100")))] page_size: Query<
            Option<u64>,
        >,
    ) -> Result<NotificationPageOk, ReadError> {
        let page = page(page_no.0, page_size.0)?;
        let found = self
            .clinical
            .notifications(&auth.0.actor, unread.0.unwrap_or(false), page)
            .await?;
        let zone = self.zone;
        Ok(NotificationPageOk::Ok(Json(NotificationPage::from_page(
            found,
            |n| NotificationDto::from_notification(n, zone),
        ))))
    }

    /// Marks one of one's notifications read.
    #[oai(path = "/api/notifications/:id/read", method = "post")]
    async fn read_notification(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<MessageOk, ReadError> {
        self.clinical
            .mark_notifications_read(&auth.0.actor, Some(NotificationId::from_uuid(id.0)))
            .await?;
        Ok(MessageOk::Ok(Json(MessageDto {
            message: "marked read".into(),
        })))
    }

    /// Marks all of one's notifications read.
    #[oai(path = "/api/notifications/read-all", method = "post")]
    async fn read_all_notifications(&self, auth: BearerAuth) -> Result<MessageOk, ReadError> {
        let n = self
            .clinical
            .mark_notifications_read(&auth.0.actor, None)
            .await?;
        Ok(MessageOk::Ok(Json(MessageDto {
            message: format!("{n} marked read"),
        })))
    }
}
