//! Wire types of certificates, their templates and their public verification.

use application::clinical::CertificateInput;
use chrono::{DateTime, FixedOffset, NaiveDate};
use domain::clinical::{Certificate, CertificateTemplate};
use domain::{PatientId, TemplateId};
use poem_openapi::Object;
use uuid::Uuid;

use crate::common::{ClinicZone, page_dto};

/// A medical certificate.
#[derive(Debug, Clone, Object)]
pub struct CertificateDto {
    /// Identity.
    pub id: Uuid,
    /// For whom.
    pub patient_id: Uuid,
    /// Template.
    pub template_id: Uuid,
    /// `medical` | `dental`.
    pub kind: String,
    /// Purpose / requirement.
    pub purpose: String,
    /// Recommendations.
    #[oai(skip_serializing_if_is_none)]
    pub recommendations: Option<String>,
    /// Notes.
    #[oai(skip_serializing_if_is_none)]
    pub additional_notes: Option<String>,
    /// First valid day.
    pub valid_from: NaiveDate,
    /// Last valid day.
    pub valid_until: NaiveDate,
    /// `fit` | `not_fit`.
    pub fitness: String,
    /// Why not fit.
    #[oai(skip_serializing_if_is_none)]
    pub fitness_reason: Option<String>,
    /// `draft` | `pending` | `approved` | `rejected` (changes only through the workflow
    /// endpoints).
    pub status: String,
    /// Creator.
    pub issued_by: Uuid,
    /// When submitted for approval.
    #[oai(skip_serializing_if_is_none)]
    pub submitted_at: Option<DateTime<FixedOffset>>,
    /// The approving physician.
    #[oai(skip_serializing_if_is_none)]
    pub approved_by: Option<Uuid>,
    /// When approved.
    #[oai(skip_serializing_if_is_none)]
    pub approved_at: Option<DateTime<FixedOffset>>,
    /// The rejecting physician.
    #[oai(skip_serializing_if_is_none)]
    pub rejected_by: Option<Uuid>,
    /// When rejected.
    #[oai(skip_serializing_if_is_none)]
    pub rejected_at: Option<DateTime<FixedOffset>>,
    /// Why rejected.
    #[oai(skip_serializing_if_is_none)]
    pub rejection_reason: Option<String>,
    /// Public code printed on the PDF (approved only), `XXXX-XXXX-XXXX`.
    #[oai(skip_serializing_if_is_none)]
    pub verification_code: Option<String>,
    /// Who revoked it.
    #[oai(skip_serializing_if_is_none)]
    pub revoked_by: Option<Uuid>,
    /// When revoked.
    #[oai(skip_serializing_if_is_none)]
    pub revoked_at: Option<DateTime<FixedOffset>>,
    /// Why revoked.
    #[oai(skip_serializing_if_is_none)]
    pub revocation_reason: Option<String>,
    /// Created at.
    pub created_at: DateTime<FixedOffset>,
    /// Last change.
    pub updated_at: DateTime<FixedOffset>,
}

impl CertificateDto {
    /// From a certificate.
    pub fn from_certificate(c: Certificate, zone: ClinicZone) -> Self {
        use domain::clinical::CertificateStatus as S;
        let status = c.status();
        // A revoked certificate was approved first.
        let was = |want: S| status == want || (want == S::Approved && status == S::Revoked);
        let decided = |want: S| {
            was(want)
                .then(|| c.decided_by().map(|u| u.as_uuid()))
                .flatten()
        };
        let decided_at = |want: S| {
            was(want)
                .then(|| c.decided_at().map(|t| zone.show(t)))
                .flatten()
        };
        let revocation = c.revocation().cloned();
        Self {
            id: c.id.as_uuid(),
            patient_id: c.patient_id.as_uuid(),
            template_id: c.template_id.as_uuid(),
            kind: c.kind.as_str().to_owned(),
            purpose: c.content.purpose.clone(),
            recommendations: c.content.recommendations.clone(),
            additional_notes: c.content.additional_notes.clone(),
            valid_from: c.content.valid_from,
            valid_until: c.content.valid_until,
            fitness: c.content.fitness.as_str().to_owned(),
            fitness_reason: c.content.fitness_reason.clone(),
            status: status.as_str().to_owned(),
            issued_by: c.issued_by.as_uuid(),
            submitted_at: c.submitted_at().map(|t| zone.show(t)),
            approved_by: decided(S::Approved),
            approved_at: decided_at(S::Approved),
            rejected_by: decided(S::Rejected),
            rejected_at: decided_at(S::Rejected),
            rejection_reason: c.rejection_reason().map(str::to_owned),
            verification_code: c.verification_code().map(|v| v.display()),
            revoked_by: revocation.as_ref().map(|r| r.by.as_uuid()),
            revoked_at: revocation.as_ref().map(|r| zone.show(r.at)),
            revocation_reason: revocation.map(|r| r.reason),
            created_at: zone.show(c.created_at),
            updated_at: zone.show(c.updated_at),
        }
    }
}

/// A certificate to create or change (the status is not an input).
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct CertificateRequest {
    /// For whom (required on create).
    pub patient_id: Option<Uuid>,
    /// Template (required on create).
    pub template_id: Option<Uuid>,
    /// Purpose / requirement, 3-1000 characters (required on create).
    #[oai(validator(max_length = 1000))]
    pub purpose: Option<String>,
    /// Recommendations.
    #[oai(validator(max_length = 2000))]
    pub recommendations: Option<String>,
    /// Notes.
    #[oai(validator(max_length = 2000))]
    pub additional_notes: Option<String>,
    /// First valid day (required on create).
    pub valid_from: Option<NaiveDate>,
    /// Last valid day, not before `valid_from` (required on create).
    pub valid_until: Option<NaiveDate>,
    /// `fit` (default) | `not_fit`.
    #[oai(validator(max_length = 10))]
    pub fitness: Option<String>,
    /// Required when `not_fit`.
    #[oai(validator(max_length = 1000))]
    pub fitness_reason: Option<String>,
}

impl From<CertificateRequest> for CertificateInput {
    fn from(r: CertificateRequest) -> Self {
        Self {
            patient_id: r.patient_id.map(PatientId::from_uuid),
            template_id: r.template_id.map(TemplateId::from_uuid),
            purpose: r.purpose,
            recommendations: r.recommendations,
            additional_notes: r.additional_notes,
            valid_from: r.valid_from,
            valid_until: r.valid_until,
            fitness: r.fitness,
            fitness_reason: r.fitness_reason,
        }
    }
}

/// A certificate template.
#[derive(Debug, Clone, Object)]
pub struct TemplateDto {
    /// Identity.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Description.
    #[oai(skip_serializing_if_is_none)]
    pub description: Option<String>,
    /// `medical` | `dental`.
    pub kind: String,
    /// Printed form code.
    #[oai(skip_serializing_if_is_none)]
    pub form_code: Option<String>,
    /// Text with `{{placeholder}}` slots.
    pub body: String,
    /// The placeholders a body may use.
    pub placeholders: Vec<String>,
    /// `false`: retired, no new certificates use it.
    pub active: bool,
    /// Created at.
    pub created_at: DateTime<FixedOffset>,
}

impl TemplateDto {
    /// From a template.
    pub fn from_template(t: CertificateTemplate, zone: ClinicZone) -> Self {
        Self {
            id: t.id.as_uuid(),
            name: t.name,
            description: t.description,
            kind: t.kind.as_str().to_owned(),
            form_code: t.form_code,
            body: t.body.as_str().to_owned(),
            placeholders: domain::clinical::certificate::PLACEHOLDERS
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            active: t.active,
            created_at: zone.show(t.created_at),
        }
    }
}

/// A new template.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct TemplateRequest {
    /// Unique name.
    #[oai(validator(max_length = 100))]
    pub name: String,
    /// Description.
    #[oai(validator(max_length = 1000))]
    pub description: Option<String>,
    /// `medical` (default) | `dental`.
    #[oai(validator(max_length = 10))]
    pub kind: Option<String>,
    /// Printed form code.
    #[oai(validator(max_length = 30))]
    pub form_code: Option<String>,
    /// Plain text with `{{placeholder}}` slots; paragraphs separated by a blank line.
    #[oai(validator(max_length = 20000))]
    pub body: String,
}

/// A change to a template; absent fields stay as they are, "" clears the description
/// or form code.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct TemplatePatch {
    /// Unique name.
    #[oai(validator(max_length = 100))]
    pub name: Option<String>,
    /// Description.
    #[oai(validator(max_length = 1000))]
    pub description: Option<String>,
    /// Printed form code.
    #[oai(validator(max_length = 30))]
    pub form_code: Option<String>,
    /// Plain text with `{{placeholder}}` slots.
    #[oai(validator(max_length = 20000))]
    pub body: Option<String>,
    /// `false` retires the template: no new certificates use it.
    pub active: Option<bool>,
}

/// Reject body.
#[derive(Debug, Object)]
#[oai(deny_unknown_fields)]
pub struct RejectRequest {
    /// Why, 3-1000 characters.
    #[oai(validator(max_length = 1000))]
    pub reason: String,
}

/// The public answer about a certificate code: genuine, revoked or expired, its
/// validity, the holder's initials and the physician's name; nothing more.
#[derive(Debug, Clone, Object)]
pub struct VerificationDto {
    /// The code belongs to a certificate issued by the clinic.
    pub genuine: bool,
    /// Approved, not revoked, and valid today.
    pub valid: bool,
    /// `valid`, `revoked`, `expired` or `not_yet_valid`: what a reader should conclude.
    pub verdict: String,
    /// The holder's initials ("M. S. R.").
    pub holder_initials: String,
    /// The approving physician.
    #[oai(skip_serializing_if_is_none)]
    pub physician: Option<String>,
    /// First valid day.
    pub valid_from: NaiveDate,
    /// Last valid day.
    pub valid_until: NaiveDate,
}

page_dto!(CertificatePage, CertificateDto, "A page of certificates.");

/// Revoking an approved certificate.
#[derive(Debug, Clone, Object)]
#[oai(deny_unknown_fields)]
pub struct RevokeRequest {
    /// Why, 3-1000 characters.
    #[oai(validator(max_length = 1000))]
    pub reason: String,
}
