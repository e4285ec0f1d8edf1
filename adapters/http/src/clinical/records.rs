//! /api/medical-records and /api/dental-records: list, record a visit, read, change
//! (a revision is kept), delete, revisions.

use std::sync::Arc;

use application::clinical::{ClinicalService, RecordQuery, RecordRef};
use chrono::{DateTime, FixedOffset};
use domain::clinical::{DentalRecord, MedicalRecord};
use domain::{DentalRecordId, MedicalRecordId, PatientId};
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::dto::{
    DentalRecordDto, DentalRecordPage, DentalRecordRequest, MedicalRecordDto, MedicalRecordPage,
    MedicalRecordRequest, RevisionDto,
};
use crate::common::{
    ApiTags, BearerAuth, BodyError, ClinicZone, NoContent, ReadError, WriteError, ok_enum, page,
    utc,
};

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

/// The query parameters shared by the medical and dental record lists.
fn record_query(
    patient_id: Option<Uuid>,
    from: Option<DateTime<FixedOffset>>,
    to: Option<DateTime<FixedOffset>>,
    search: Option<String>,
) -> RecordQuery {
    RecordQuery {
        patient_id: patient_id.map(PatientId::from_uuid),
        from: from.map(utc),
        to: to.map(utc),
        search,
    }
}

/// Medical visit records.
pub struct MedicalRecordsApi {
    /// Use cases.
    pub clinical: Arc<ClinicalService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Clinical")]
impl MedicalRecordsApi {
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
            .list_records::<MedicalRecord>(&auth.0.actor, q, page)
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
            .create_record::<MedicalRecord>(&auth.0.actor, body.0.into())
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
            .get_record::<MedicalRecord>(&auth.0.actor, MedicalRecordId::from_uuid(id.0))
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
            .update_record::<MedicalRecord>(
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
            .delete_record::<MedicalRecord>(&auth.0.actor, MedicalRecordId::from_uuid(id.0))
            .await?;
        Ok(NoContent::Deleted)
    }

    /// Clinic roles: who changed a medical record, when, and each field's old and new
    /// value.
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
        Ok(RevisionsOk::Ok(Json(RevisionDto::list(r, self.zone))))
    }
}

/// Dental visit records.
pub struct DentalRecordsApi {
    /// Use cases.
    pub clinical: Arc<ClinicalService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Clinical")]
impl DentalRecordsApi {
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
            .list_records::<DentalRecord>(&auth.0.actor, q, page)
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
            .create_record::<DentalRecord>(&auth.0.actor, body.0.into())
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
            .get_record::<DentalRecord>(&auth.0.actor, DentalRecordId::from_uuid(id.0))
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
            .update_record::<DentalRecord>(
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
            .delete_record::<DentalRecord>(&auth.0.actor, DentalRecordId::from_uuid(id.0))
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
        Ok(RevisionsOk::Ok(Json(RevisionDto::list(r, self.zone))))
    }
}
