//! /api/medical-certificates (the draft → pending → approved/rejected workflow, the PDF,
//! the public verification) and /api/certificate-templates.

use std::sync::Arc;

use application::clinical::{CertificateFilter, ClinicalService, TemplateInput};
use domain::clinical::CertificateStatus;
use domain::{CertificateId, PatientId, TemplateId};
use poem::Request;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Binary, Html, Json};
use poem_openapi::{ApiResponse, OpenApi};
use uuid::Uuid;

use super::dto::{
    CertificateDto, CertificatePage, CertificateRequest, RejectRequest, RevokeRequest, TemplateDto,
    TemplatePatch, TemplateRequest, VerificationDto,
};
use crate::common::{
    ApiTags, BearerAuth, BodyError, ClientAddr, ClinicZone, ReadError, WriteError, api_errors,
    ok_enum, page,
};

api_errors!(
    /// Errors of the public verification.
    pub enum PublicError {
        NotFound,
        TooManyRequests,
    }
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
/// 200: the code is genuine (see `verdict`): JSON for API clients, a readable page for
/// browsers (a request whose `Accept` names `text/html`).
#[derive(Debug, ApiResponse)]
pub enum VerificationOk {
    /// `application/json`.
    #[oai(status = 200)]
    Json(Json<VerificationDto>),
    /// `text/html`: the same facts as a page.
    #[oai(status = 200)]
    Page(Html<String>),
}
ok_enum!(TemplatesOk, Vec<TemplateDto>, "200 with the templates.");
ok_enum!(TemplateOk, TemplateDto, "200 with the template.");
ok_enum!(
    TemplateCreated,
    TemplateDto,
    created,
    "201 with the new template."
);

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

/// Medical and dental certificates.
pub struct CertificatesApi {
    /// Use cases.
    pub clinical: Arc<ClinicalService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Clinical")]
impl CertificatesApi {
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

    /// Anyone: whether a certificate code is genuine, revoked or expired, its validity,
    /// the holder's initials and the physician's name; nothing more. A browser
    /// (`Accept: text/html`) gets a page, anyone else JSON. A malformed, over-long or
    /// unknown code is 404 alike.
    ///
    /// Limited per client address: 30 look-ups a minute by default
    /// (`USCPIS_VERIFY_RATE_LIMIT`), then 429 with `Retry-After`.
    #[oai(path = "/api/medical-certificates/verify/:code", method = "get")]
    async fn verify_certificate(
        &self,
        req: &Request,
        code: Path<String>,
    ) -> Result<VerificationOk, PublicError> {
        let client = ClientAddr::of(req);
        let v = self
            .clinical
            .verify_certificate(&code.0, client.as_deref())
            .await?;
        let dto = VerificationDto {
            genuine: true,
            valid: v.verdict == domain::clinical::Verdict::Valid,
            verdict: v.verdict.as_str().to_owned(),
            holder_initials: v.holder_initials,
            physician: v.physician,
            valid_from: v.valid_from,
            valid_until: v.valid_until,
        };
        let wants_html = req
            .headers()
            .get(poem::http::header::ACCEPT)
            .and_then(|a| a.to_str().ok())
            .is_some_and(|a| a.contains("text/html"));
        Ok(if wants_html {
            VerificationOk::Page(Html(super::verify_page::render(&dto)))
        } else {
            VerificationOk::Json(Json(dto))
        })
    }

    /// The approving DOCTOR/DENTIST or an ADMIN: revoke an approved certificate, with a
    /// reason. Verification then answers `revoked`; the patient is notified.
    #[oai(path = "/api/medical-certificates/:id/revoke", method = "post")]
    async fn revoke_certificate(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<RevokeRequest>,
    ) -> Result<CertificateOk, BodyError> {
        let c = self
            .clinical
            .revoke_certificate(
                &auth.0.actor,
                CertificateId::from_uuid(id.0),
                &body.0.reason,
            )
            .await?;
        Ok(CertificateOk::Ok(Json(CertificateDto::from_certificate(
            c, self.zone,
        ))))
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
}

/// Certificate templates.
pub struct TemplatesApi {
    /// Use cases.
    pub clinical: Arc<ClinicalService>,
    /// Display zone.
    pub zone: ClinicZone,
}

#[OpenApi(tag = "ApiTags::Clinical")]
impl TemplatesApi {
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

    /// ADMIN: change a template, or retire it with `active: false` (no new
    /// certificates use it; those that did keep printing). 409 `name_taken`.
    #[oai(path = "/api/certificate-templates/:id", method = "patch")]
    async fn update_template(
        &self,
        auth: BearerAuth,
        id: Path<Uuid>,
        body: Json<TemplatePatch>,
    ) -> Result<TemplateOk, BodyError> {
        let b = body.0;
        let t = self
            .clinical
            .update_template(
                &auth.0.actor,
                TemplateId::from_uuid(id.0),
                application::clinical::TemplatePatch {
                    name: b.name,
                    description: b.description,
                    form_code: b.form_code,
                    body: b.body,
                    active: b.active,
                },
            )
            .await?;
        Ok(TemplateOk::Ok(Json(TemplateDto::from_template(
            t, self.zone,
        ))))
    }
}
