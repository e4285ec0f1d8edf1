//! Wire types of patient documents.

use application::clinical::PatientDocument;
use chrono::{DateTime, FixedOffset};
use poem_openapi::types::multipart::Upload;
use poem_openapi::{Multipart, Object};
use uuid::Uuid;

use crate::common::{ClinicZone, page_dto};

/// A patient document (the bytes only through the download endpoint).
#[derive(Debug, Clone, Object)]
pub struct DocumentDto {
    /// Identity.
    pub id: Uuid,
    /// Whose.
    pub patient_id: Uuid,
    /// Attached medical record.
    #[oai(skip_serializing_if_is_none)]
    pub medical_record_id: Option<Uuid>,
    /// Attached dental record.
    #[oai(skip_serializing_if_is_none)]
    pub dental_record_id: Option<Uuid>,
    /// Type code.
    pub document_type: String,
    /// Description.
    #[oai(skip_serializing_if_is_none)]
    pub description: Option<String>,
    /// File name.
    pub filename: String,
    /// MIME type detected from the content.
    pub content_type: String,
    /// Size in bytes.
    pub size_bytes: i64,
    /// SHA-256 of the content.
    pub sha256: String,
    /// Authenticated download path.
    pub download_url: String,
    /// Uploader.
    pub uploaded_by: Uuid,
    /// When.
    pub uploaded_at: DateTime<FixedOffset>,
}

impl DocumentDto {
    /// From a document.
    pub fn from_document(d: PatientDocument, zone: ClinicZone) -> Self {
        Self {
            download_url: format!("/api/patients/{}/documents/{}/download", d.patient_id, d.id),
            id: d.id.as_uuid(),
            patient_id: d.patient_id.as_uuid(),
            medical_record_id: d.medical_record_id.map(|r| r.as_uuid()),
            dental_record_id: d.dental_record_id.map(|r| r.as_uuid()),
            document_type: d.document_type.as_str().to_owned(),
            description: d.description,
            filename: d.filename,
            content_type: d.content_type,
            size_bytes: d.size_bytes,
            sha256: d.sha256,
            uploaded_by: d.uploaded_by.as_uuid(),
            uploaded_at: zone.show(d.uploaded_at),
        }
    }
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

page_dto!(DocumentPage, DocumentDto, "A page of documents.");
