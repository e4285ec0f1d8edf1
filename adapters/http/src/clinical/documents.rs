//! /api/patients/{id}/documents: list, upload (multipart), download.

use std::sync::Arc;

use application::clinical::{ClinicalService, UploadInput};
use domain::{DentalRecordId, DocumentId, MedicalRecordId, PatientId};
use poem::Endpoint;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Attachment, AttachmentType, Json};
use poem_openapi::{ApiResponse, OpenApi};
use uuid::Uuid;

use super::dto::{DocumentDto, DocumentPage, UploadForm};
use crate::common::{
    ApiTags, BearerAuth, ClinicZone, NoContent, ReadError, WriteError, api_errors, body_limit,
    ok_enum, page,
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

/// A document's bytes.
#[derive(Debug, ApiResponse)]
pub enum DownloadOk {
    /// Always served as an attachment (`application/octet-stream`), never rendered inline.
    #[oai(status = 200)]
    File(Attachment<Vec<u8>>),
}

/// The upload's own body limit: the largest file the content rules allow, plus room for
/// the multipart framing. The use case then applies the per-format limits.
const UPLOAD_LIMIT: usize = domain::document::MAX_UPLOAD_BYTES as usize + 64 * 1024;

/// The upload operation reads its body with [`UPLOAD_LIMIT`] instead of the global limit.
fn upload_limit(ep: impl Endpoint) -> impl Endpoint {
    body_limit::choose(ep, UPLOAD_LIMIT)
}

/// A patient's documents.
pub struct DocumentsApi {
    /// Use cases.
    pub clinical: Arc<ClinicalService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Clinical")]
impl DocumentsApi {
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
    #[oai(
        path = "/api/patients/:id/documents",
        method = "post",
        transform = "upload_limit"
    )]
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

    /// Clinic roles: delete a patient's document (audited; its file is removed from the
    /// media store).
    #[oai(path = "/api/patients/:id/documents/:doc_id", method = "delete")]
    async fn delete_document(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        doc_id: Path<Uuid>,
    ) -> Result<NoContent, WriteError> {
        self.clinical
            .delete_document(
                &auth.0.actor,
                PatientId::from_uuid(id.0),
                DocumentId::from_uuid(doc_id.0),
            )
            .await?;
        Ok(NoContent::Deleted)
    }
}
