//! Patient documents: uploads validated by content, stored through the media port,
//! downloaded only through the authenticated use case.

use domain::clinical::DocumentType;
use domain::document::{UploadError, check_upload};
use domain::paging::{Page, PageRequest};
use domain::policy::{Action, Actor};
use domain::{DocumentId, PatientId};
use sha2::{Digest, Sha256};

use super::inputs::UploadInput;
use super::ports::PatientDocument;
use super::service::{ClinicalService, patient_event};
use crate::AppError;
use crate::fields::Fields;

fn upload_err(e: UploadError) -> AppError {
    match e {
        UploadError::TooLarge { max_bytes } => AppError::TooLarge { max_bytes },
        UploadError::Unsupported(m) => AppError::Unsupported { message: m },
        other => AppError::field("file", other.to_string()),
    }
}

impl ClinicalService {
    /// Clinic roles: stores a document for a patient (optionally attached to one of the
    /// patient's records). 415 for executables, scripts and content that does not match
    /// its extension; 413 above the format's size limit.
    pub async fn upload_document(
        &self,
        actor: &Actor,
        patient_id: PatientId,
        input: UploadInput,
    ) -> Result<PatientDocument, AppError> {
        self.check(actor, Action::UploadDocuments, "document", None)
            .await?;
        let checked = check_upload(&input.filename, &input.content).map_err(upload_err)?;
        let mut f = Fields::default();
        let document_type = f
            .opt(
                "document_type",
                input.document_type.as_deref(),
                DocumentType::parse,
            )
            .flatten()
            .unwrap_or(DocumentType::Other);
        let description = f
            .opt_text("description", input.description.as_deref(), 500)
            .flatten();
        f.finish()?;
        let p = self
            .store
            .patient(patient_id)
            .await?
            .ok_or(AppError::NotFound { what: "patient" })?;
        if let Some(r) = input.medical_record_id
            && self
                .store
                .medical_record(r)
                .await?
                .is_none_or(|r| r.patient_id != patient_id)
        {
            return Err(AppError::field(
                "medical_record_id",
                "no such record of this patient",
            ));
        }
        if let Some(r) = input.dental_record_id
            && self
                .store
                .dental_record(r)
                .await?
                .is_none_or(|r| r.patient_id != patient_id)
        {
            return Err(AppError::field(
                "dental_record_id",
                "no such record of this patient",
            ));
        }
        let id = DocumentId::new();
        let key = format!("patient-documents/{patient_id}/{id}");
        let doc = PatientDocument {
            id,
            patient_id,
            medical_record_id: input.medical_record_id,
            dental_record_id: input.dental_record_id,
            document_type,
            description,
            filename: checked.filename,
            content_type: checked.content_type.to_owned(),
            size_bytes: input.content.len() as i64,
            sha256: hex::encode(Sha256::digest(&input.content)),
            storage_key: key.clone(),
            uploaded_by: actor.user_id,
            uploaded_at: self.clock.now(),
        };
        // Bytes first, then the row: a crash in between leaves an orphan file (harmless,
        // unreachable), never a row without its file.
        self.media
            .put(&key, input.content)
            .await
            .map_err(AppError::Unavailable)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        tx.clinical().insert_document(&doc).await?;
        tx.append_audit(
            patient_event(actor, "documents.upload", "document", id.to_string(), &p),
            now,
        )
        .await?;
        if let Err(e) = tx.commit().await {
            let _ = self.media.delete(&key).await;
            return Err(e.into());
        }
        Ok(doc)
    }

    /// A patient's documents (clinic roles, or the patient).
    pub async fn list_documents(
        &self,
        actor: &Actor,
        patient_id: PatientId,
        page: PageRequest,
    ) -> Result<Page<PatientDocument>, AppError> {
        let p = self.readable_patient(actor, patient_id).await?;
        let docs = self.store.documents(patient_id, page).await?;
        self.audit(patient_event(
            actor,
            "documents.list",
            "patient",
            patient_id.to_string(),
            &p,
        ))
        .await?;
        Ok(docs)
    }

    /// A document's metadata and bytes (clinic roles, or the patient).
    pub async fn download_document(
        &self,
        actor: &Actor,
        patient_id: PatientId,
        id: DocumentId,
    ) -> Result<(PatientDocument, Vec<u8>), AppError> {
        let p = self.readable_patient(actor, patient_id).await?;
        let doc = self
            .store
            .document(id)
            .await?
            .filter(|d| d.patient_id == patient_id)
            .ok_or(AppError::NotFound { what: "document" })?;
        let bytes = self
            .media
            .get(&doc.storage_key)
            .await
            .map_err(AppError::Unavailable)?
            .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("document bytes missing")))?;
        self.audit(patient_event(
            actor,
            "documents.download",
            "document",
            id.to_string(),
            &p,
        ))
        .await?;
        Ok((doc, bytes))
    }

    /// Clinic roles: deletes a patient's document: the row and its audit entry in one
    /// transaction, then the object in the media store (a failure there leaves an
    /// unreachable orphan, never a row without its file).
    pub async fn delete_document(
        &self,
        actor: &Actor,
        patient_id: PatientId,
        id: DocumentId,
    ) -> Result<(), AppError> {
        self.check(
            actor,
            Action::UploadDocuments,
            "document",
            Some(id.to_string()),
        )
        .await?;
        let p = self
            .store
            .patient(patient_id)
            .await?
            .ok_or(AppError::NotFound { what: "patient" })?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let doc = tx
            .clinical()
            .delete_document(patient_id, id)
            .await?
            .ok_or(AppError::NotFound { what: "document" })?;
        tx.append_audit(
            patient_event(actor, "documents.delete", "document", id.to_string(), &p),
            now,
        )
        .await?;
        tx.commit().await?;
        if let Err(e) = self.media.delete(&doc.storage_key).await {
            tracing::warn!(document = %id, error = %e, "the deleted document's object stays in the media store");
        }
        Ok(())
    }
}
