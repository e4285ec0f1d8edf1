//! /api/patients: search, create, one's own profile, read, change, delete.

use std::sync::Arc;

use application::clinical::{ClinicalService, PatientQuery};
use domain::PatientId;
use poem_openapi::OpenApi;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use uuid::Uuid;

use super::dto::{AllergyCloseRequest, PatientDto, PatientPage, PatientRequest, RevisionDto};
use super::records::RevisionsOk;
use crate::common::{
    ApiTags, BearerAuth, BodyError, ClinicZone, NoContent, ReadError, WriteError, ok_enum, page,
};

ok_enum!(PatientOk, PatientDto, "200 with a patient.");
ok_enum!(
    PatientCreated,
    PatientDto,
    created,
    "201 with the new patient."
);
ok_enum!(PatientPageOk, PatientPage, "200 with a page of patients.");

/// Patient profiles.
pub struct PatientsApi {
    /// Use cases.
    pub clinical: Arc<ClinicalService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Clinical")]
impl PatientsApi {
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

    /// Clinic roles: a new patient. 409 `email_taken` / `usc_id_taken` / `patient_exists`;
    /// 409 `possible_duplicate` (with the candidates) when a patient with the same name
    /// and date of birth exists, unless `confirm_new` is true.
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
    /// creates it, linked to the account and its email). Allergies the patient states
    /// are `patient_reported`; changing or leaving out one a clinician recorded is 403.
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

    /// Clinic roles: change a patient. Allergies stated here are `clinician_recorded`;
    /// an active allergy left out of `allergies` is refused (400): close it instead.
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

    /// Clinic roles: close an active allergy as `resolved` or `entered_in_error`, with a
    /// reason. It leaves the active list, stays in `allergy_history`, and the change is
    /// in the patient's revisions.
    #[oai(
        path = "/api/patients/:id/allergies/:allergy_id/close",
        method = "post"
    )]
    async fn close_allergy(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        allergy_id: Path<Uuid>,
        body: Json<AllergyCloseRequest>,
    ) -> Result<PatientOk, BodyError> {
        let v = self
            .clinical
            .close_allergy(
                &auth.0.actor,
                PatientId::from_uuid(id.0),
                allergy_id.0,
                &body.0.status,
                &body.0.reason,
            )
            .await?;
        Ok(PatientOk::Ok(Json(PatientDto::from_view(v, self.zone))))
    }

    /// Clinic roles: the edits of a patient's profile and allergies, oldest first: who,
    /// when, and each field's old and new value.
    #[oai(path = "/api/patients/:id/revisions", method = "get")]
    async fn patient_revisions(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
    ) -> Result<RevisionsOk, ReadError> {
        let r = self
            .clinical
            .patient_revisions(&auth.0.actor, PatientId::from_uuid(id.0))
            .await?;
        Ok(RevisionsOk::Ok(Json(RevisionDto::list(r, self.zone))))
    }
}
