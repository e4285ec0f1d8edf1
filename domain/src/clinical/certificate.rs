//! Medical certificates: templates with typed placeholders and the approval workflow
//! draft → pending → approved | rejected, and approved → revoked (by the approving
//! clinician or an ADMIN, with a reason). A revoked certificate stays approved in storage
//! with its revocation beside it; [`Certificate::status`] answers `revoked`.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use thiserror::Error;

use super::codes::{CertificateKind, CertificateStatus, Fitness};
use crate::identity::Role;
use crate::policy::Actor;
use crate::{CertificateId, PatientId, TemplateId, UserId};

/// Why a certificate change was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CertificateError {
    /// The action is not possible in the current state.
    #[error("a {from} certificate cannot be {action}")]
    WrongState {
        /// Current state.
        from: CertificateStatus,
        /// What was attempted (`submitted`, `approved`, `rejected`, `edited`).
        action: &'static str,
    },
    /// This role may not do it.
    #[error("only a {needed} may {action} this certificate")]
    Role {
        /// Who may.
        needed: &'static str,
        /// What.
        action: &'static str,
    },
    /// `valid_until` before `valid_from` (said of `valid_until`).
    #[error("must not be before valid_from")]
    Validity,
    /// `not_fit` without a reason (said of `fitness_reason`).
    #[error("is required when the patient is not fit")]
    FitnessReason,
    /// Rejection without a reason (said of `reason`).
    #[error("a rejection needs a reason of 3 to 1000 characters")]
    RejectReason,
    /// Revocation without a reason (said of `reason`).
    #[error("a revocation needs a reason of 3 to 1000 characters")]
    RevokeReason,
}

super::codes::code_enum!(
    /// What a certificate says on a given day, for its public verification.
    Verdict {
        Valid = "valid" / "Valid", Revoked = "revoked" / "Revoked",
        Expired = "expired" / "Expired", NotYetValid = "not_yet_valid" / "Not yet valid",
        NotIssued = "not_issued" / "Not issued",
    }
);

/// Who revoked an approved certificate, when and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revocation {
    /// Who.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
    /// Why, 3-1000 characters.
    pub reason: String,
}

/// The editable content of a certificate.
#[derive(Clone, PartialEq, Eq)]
pub struct CertificateContent {
    /// Purpose / requirement ("Fitness clearance for off-campus educational tour").
    pub purpose: String,
    /// Recommendations.
    pub recommendations: Option<String>,
    /// Extra notes.
    pub additional_notes: Option<String>,
    /// First valid day.
    pub valid_from: NaiveDate,
    /// Last valid day (≥ `valid_from`).
    pub valid_until: NaiveDate,
    /// Fit or not.
    pub fitness: Fitness,
    /// Required when not fit.
    pub fitness_reason: Option<String>,
}

impl fmt::Debug for CertificateContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertificateContent")
            .field("valid_from", &self.valid_from)
            .field("valid_until", &self.valid_until)
            .finish_non_exhaustive()
    }
}

impl CertificateContent {
    /// Checks the cross-field rules.
    pub fn check(self) -> Result<Self, CertificateError> {
        if self.valid_until < self.valid_from {
            return Err(CertificateError::Validity);
        }
        if self.fitness == Fitness::NotFit && self.fitness_reason.is_none() {
            return Err(CertificateError::FitnessReason);
        }
        Ok(self)
    }
}

/// A medical certificate.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    /// Identity.
    pub id: CertificateId,
    /// For whom.
    pub patient_id: PatientId,
    /// Printed with.
    pub template_id: TemplateId,
    /// Medical or dental (decides who signs).
    pub kind: CertificateKind,
    /// Content.
    pub content: CertificateContent,
    /// Workflow state; changed only by the methods below, never written directly.
    status: CertificateStatus,
    /// Creator.
    pub issued_by: UserId,
    /// Who approved or rejected.
    decided_by: Option<UserId>,
    /// When approved or rejected.
    decided_at: Option<DateTime<Utc>>,
    /// When submitted for approval.
    submitted_at: Option<DateTime<Utc>>,
    /// Why rejected.
    rejection_reason: Option<String>,
    /// Public code printed on the approved PDF.
    verification_code: Option<CertificateCode>,
    /// Set when an approved certificate is revoked.
    revocation: Option<Revocation>,
    /// Created at.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("id", &self.id)
            .field("patient_id", &self.patient_id)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// The workflow fields as stored (for rebuilding a certificate from storage).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Workflow {
    /// State.
    pub status: Option<CertificateStatus>,
    /// Decider.
    pub decided_by: Option<UserId>,
    /// Decided at.
    pub decided_at: Option<DateTime<Utc>>,
    /// Submitted at.
    pub submitted_at: Option<DateTime<Utc>>,
    /// Rejection reason.
    pub rejection_reason: Option<String>,
    /// Verification code.
    pub verification_code: Option<CertificateCode>,
    /// The revocation of an approved certificate (`status` stays approved).
    pub revocation: Option<Revocation>,
}

impl Certificate {
    /// A new certificate by `creator`: NURSE and STAFF start a draft; ADMIN, DOCTOR and
    /// DENTIST submit it at once (pending). Patients cannot create certificates.
    pub fn create(
        id: CertificateId,
        patient_id: PatientId,
        template_id: TemplateId,
        kind: CertificateKind,
        content: CertificateContent,
        creator: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Self, CertificateError> {
        let status = match creator.role {
            Role::Nurse | Role::Staff => CertificateStatus::Draft,
            Role::Admin | Role::Doctor | Role::Dentist => CertificateStatus::Pending,
            Role::Student | Role::Faculty => {
                return Err(CertificateError::Role {
                    needed: "clinic role",
                    action: "create",
                });
            }
        };
        Ok(Self {
            id,
            patient_id,
            template_id,
            kind,
            content: content.check()?,
            submitted_at: (status == CertificateStatus::Pending).then_some(now),
            status,
            issued_by: creator.user_id,
            decided_by: None,
            decided_at: None,
            rejection_reason: None,
            verification_code: None,
            revocation: None,
            created_at: now,
            updated_at: now,
        })
    }

    /// Rebuilds a stored certificate.
    #[allow(clippy::too_many_arguments)]
    pub fn restore(
        id: CertificateId,
        patient_id: PatientId,
        template_id: TemplateId,
        kind: CertificateKind,
        content: CertificateContent,
        issued_by: UserId,
        workflow: Workflow,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    ) -> Self {
        Self {
            id,
            patient_id,
            template_id,
            kind,
            content,
            status: workflow.status.unwrap_or(CertificateStatus::Draft),
            issued_by,
            decided_by: workflow.decided_by,
            decided_at: workflow.decided_at,
            submitted_at: workflow.submitted_at,
            rejection_reason: workflow.rejection_reason,
            verification_code: workflow.verification_code,
            revocation: workflow
                .revocation
                .filter(|_| workflow.status == Some(CertificateStatus::Approved)),
            created_at,
            updated_at,
        }
    }

    /// The workflow state (`revoked` once an approved certificate is revoked).
    pub fn status(&self) -> CertificateStatus {
        if self.revocation.is_some() {
            CertificateStatus::Revoked
        } else {
            self.status
        }
    }
    /// The revocation, if revoked.
    pub fn revocation(&self) -> Option<&Revocation> {
        self.revocation.as_ref()
    }
    /// The workflow fields as stored: `status` is the approval state (`approved` for a
    /// revoked certificate), the revocation beside it.
    pub fn workflow(&self) -> Workflow {
        Workflow {
            revocation: self.revocation.clone(),
            status: Some(self.status),
            decided_by: self.decided_by,
            decided_at: self.decided_at,
            submitted_at: self.submitted_at,
            rejection_reason: self.rejection_reason.clone(),
            verification_code: self.verification_code.clone(),
        }
    }
    /// Who approved or rejected.
    pub fn decided_by(&self) -> Option<UserId> {
        self.decided_by
    }
    /// When approved or rejected.
    pub fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.decided_at
    }
    /// When submitted.
    pub fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.submitted_at
    }
    /// Why rejected.
    pub fn rejection_reason(&self) -> Option<&str> {
        self.rejection_reason.as_deref()
    }
    /// The public verification code (approved certificates only).
    pub fn verification_code(&self) -> Option<&CertificateCode> {
        self.verification_code.as_ref()
    }

    /// What a reader of the certificate should conclude on `today`.
    pub fn verdict(&self, today: NaiveDate) -> Verdict {
        match self.status() {
            CertificateStatus::Revoked => Verdict::Revoked,
            CertificateStatus::Approved if today < self.content.valid_from => Verdict::NotYetValid,
            CertificateStatus::Approved if today > self.content.valid_until => Verdict::Expired,
            CertificateStatus::Approved => Verdict::Valid,
            _ => Verdict::NotIssued,
        }
    }

    /// Whether the certificate is approved, not revoked, and `today` lies within its
    /// validity.
    pub fn is_valid_on(&self, today: NaiveDate) -> bool {
        self.verdict(today) == Verdict::Valid
    }

    /// Replaces the content: only while draft or pending.
    pub fn edit(
        &mut self,
        content: CertificateContent,
        now: DateTime<Utc>,
    ) -> Result<(), CertificateError> {
        self.require(
            &[CertificateStatus::Draft, CertificateStatus::Pending],
            "edited",
        )?;
        self.content = content.check()?;
        self.updated_at = now;
        Ok(())
    }

    /// draft → pending.
    pub fn submit(&mut self, now: DateTime<Utc>) -> Result<(), CertificateError> {
        self.require(&[CertificateStatus::Draft], "submitted")?;
        self.status = CertificateStatus::Pending;
        self.submitted_at = Some(now);
        self.updated_at = now;
        Ok(())
    }

    /// pending → approved, by a DOCTOR (a DENTIST for dental certificates), with the
    /// public code that will be printed on the PDF.
    pub fn approve(
        &mut self,
        by: &Actor,
        code: CertificateCode,
        now: DateTime<Utc>,
    ) -> Result<(), CertificateError> {
        self.may_decide(by, "approve")?;
        self.require(&[CertificateStatus::Pending], "approved")?;
        self.status = CertificateStatus::Approved;
        self.decided_by = Some(by.user_id);
        self.decided_at = Some(now);
        self.verification_code = Some(code);
        self.updated_at = now;
        Ok(())
    }

    /// pending → rejected, with a reason.
    pub fn reject(
        &mut self,
        by: &Actor,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), CertificateError> {
        self.may_decide(by, "reject")?;
        self.require(&[CertificateStatus::Pending], "rejected")?;
        let reason =
            super::values::text(reason, 3, 1000).map_err(|_| CertificateError::RejectReason)?;
        self.status = CertificateStatus::Rejected;
        self.decided_by = Some(by.user_id);
        self.decided_at = Some(now);
        self.rejection_reason = Some(reason);
        self.updated_at = now;
        Ok(())
    }

    /// approved → revoked, by the clinician who approved it or an ADMIN, with a reason.
    pub fn revoke(
        &mut self,
        by: &Actor,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), CertificateError> {
        if !(by.role == Role::Admin || self.decided_by == Some(by.user_id)) {
            return Err(CertificateError::Role {
                needed: "ADMIN or the approving clinician",
                action: "revoke",
            });
        }
        if self.revocation.is_some() {
            return Err(CertificateError::WrongState {
                from: CertificateStatus::Revoked,
                action: "revoked",
            });
        }
        self.require(&[CertificateStatus::Approved], "revoked")?;
        let reason =
            super::values::text(reason, 3, 1000).map_err(|_| CertificateError::RevokeReason)?;
        self.revocation = Some(Revocation {
            by: by.user_id,
            at: now,
            reason,
        });
        self.updated_at = now;
        Ok(())
    }

    fn may_decide(&self, by: &Actor, action: &'static str) -> Result<(), CertificateError> {
        let (ok, needed) = match self.kind {
            CertificateKind::Medical => (by.role == Role::Doctor, "DOCTOR"),
            CertificateKind::Dental => (by.role == Role::Dentist, "DENTIST"),
        };
        if ok {
            Ok(())
        } else {
            Err(CertificateError::Role { needed, action })
        }
    }

    fn require(
        &self,
        from: &[CertificateStatus],
        action: &'static str,
    ) -> Result<(), CertificateError> {
        if from.contains(&self.status) {
            Ok(())
        } else {
            Err(CertificateError::WrongState {
                from: self.status,
                action,
            })
        }
    }
}

/// The public code on an approved certificate: 12 characters of Crockford base32
/// (no I, L, O, U) shown as `XXXX-XXXX-XXXX`; 60 random bits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CertificateCode(String);

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl CertificateCode {
    /// Encodes 60 random bits.
    pub fn from_random(bits: u64) -> Self {
        let s = (0..12)
            .map(|i| CROCKFORD[((bits >> (i * 5)) & 31) as usize] as char)
            .collect();
        Self(s)
    }
    /// Parses user input: case-insensitive, dashes and spaces ignored, O→0, I/L→1.
    pub fn parse(raw: &str) -> Option<Self> {
        let s: String = raw
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            })
            .collect();
        (s.len() == 12 && s.bytes().all(|b| CROCKFORD.contains(&b))).then_some(Self(s))
    }
    /// The 12 characters as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// `XXXX-XXXX-XXXX`.
    pub fn display(&self) -> String {
        format!("{}-{}-{}", &self.0[0..4], &self.0[4..8], &self.0[8..12])
    }
}

/// Why a template was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TemplateError {
    /// A `{{name}}` that is not one of [`PLACEHOLDERS`].
    #[error("unknown placeholder `{{{{{0}}}}}`")]
    UnknownPlaceholder(String),
    /// A `{{` without its `}}`.
    #[error("unclosed placeholder")]
    Unclosed,
    /// Empty or longer than 20,000 characters.
    #[error("must be 1 to 20000 characters")]
    Length,
}

/// The names a template may use, each filled from typed certificate data.
pub const PLACEHOLDERS: &[&str] = &[
    "patient_name",
    "patient_age",
    "patient_sex",
    "course_and_year",
    "date",
    "purpose",
    "recommendations",
    "valid_from",
    "valid_until",
    "additional_notes",
    "fitness_status",
    "fitness_reason",
    "doctor_name",
    "doctor_title",
    "doctor_license",
];

/// Template text with `{{placeholder}}` slots. Filling it substitutes values as plain
/// text: nothing in a template or a value is ever executed or interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateBody(String);

enum Piece<'a> {
    Text(&'a str),
    Slot(&'a str),
}

fn pieces(s: &str) -> Result<Vec<Piece<'_>>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        out.push(Piece::Text(&rest[..start]));
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or(TemplateError::Unclosed)?;
        out.push(Piece::Slot(after[..end].trim()));
        rest = &after[end + 2..];
    }
    out.push(Piece::Text(rest));
    Ok(out)
}

impl TemplateBody {
    /// Checks that every placeholder is known.
    pub fn parse(raw: &str) -> Result<Self, TemplateError> {
        let n = raw.trim().chars().count();
        if n == 0 || n > 20_000 {
            return Err(TemplateError::Length);
        }
        for p in pieces(raw)? {
            if let Piece::Slot(name) = p
                && !PLACEHOLDERS.contains(&name)
            {
                return Err(TemplateError::UnknownPlaceholder(name.to_owned()));
            }
        }
        Ok(Self(raw.to_owned()))
    }
    /// The raw text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Substitutes values (missing ones become empty).
    pub fn fill(&self, values: &BTreeMap<&str, String>) -> String {
        let mut out = String::with_capacity(self.0.len() + 256);
        // parse() accepted this body, so pieces() cannot fail here; fall back to raw text.
        match pieces(&self.0) {
            Ok(ps) => {
                for p in ps {
                    match p {
                        Piece::Text(t) => out.push_str(t),
                        Piece::Slot(name) => {
                            out.push_str(values.get(name).map(String::as_str).unwrap_or(""))
                        }
                    }
                }
            }
            Err(_) => out.push_str(&self.0),
        }
        out
    }
}

/// A certificate template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateTemplate {
    /// Identity.
    pub id: TemplateId,
    /// Unique name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Medical or dental.
    pub kind: CertificateKind,
    /// Printed form code (e.g. "ACA-HSD-04F").
    pub form_code: Option<String>,
    /// Body text.
    pub body: TemplateBody,
    /// Retired templates (`false`) take no new certificates.
    pub active: bool,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn content() -> CertificateContent {
        let d = |day| NaiveDate::from_ymd_opt(2026, 3, day).expect("date");
        CertificateContent {
            purpose: "Off-campus tour".into(),
            recommendations: None,
            additional_notes: None,
            valid_from: d(10),
            valid_until: d(15),
            fitness: Fitness::Fit,
            fitness_reason: None,
        }
    }

    fn actor(role: Role) -> Actor {
        Actor::new(UserId::new(), role)
    }

    fn cert(role: Role, kind: CertificateKind) -> Result<Certificate, CertificateError> {
        Certificate::create(
            CertificateId::new(),
            PatientId::new(),
            TemplateId::new(),
            kind,
            content(),
            &actor(role),
            Utc::now(),
        )
    }

    #[test]
    fn creation_state_depends_on_the_creator() {
        for (role, expected) in [
            (Role::Nurse, Some(CertificateStatus::Draft)),
            (Role::Staff, Some(CertificateStatus::Draft)),
            (Role::Admin, Some(CertificateStatus::Pending)),
            (Role::Doctor, Some(CertificateStatus::Pending)),
            (Role::Dentist, Some(CertificateStatus::Pending)),
            (Role::Student, None),
            (Role::Faculty, None),
        ] {
            assert_eq!(
                cert(role, CertificateKind::Medical)
                    .ok()
                    .map(|c| c.status()),
                expected,
                "{role}"
            );
        }
    }

    #[test]
    fn only_the_approver_or_an_admin_revokes_an_approved_certificate_with_a_reason() {
        let doctor = actor(Role::Doctor);
        let mut c = cert(Role::Doctor, CertificateKind::Medical).expect("pending");
        let today = c.content.valid_from;
        let now = Utc::now();
        assert!(matches!(
            c.revoke(&actor(Role::Admin), "issued in error", now),
            Err(CertificateError::WrongState { .. })
        ));
        c.approve(&doctor, CertificateCode::from_random(7), now)
            .expect("approve");
        assert!(c.is_valid_on(today));
        assert!(matches!(
            c.revoke(&actor(Role::Doctor), "another doctor", now),
            Err(CertificateError::Role { .. })
        ));
        assert_eq!(
            c.revoke(&doctor, "no", now),
            Err(CertificateError::RevokeReason)
        );
        c.revoke(&doctor, "Patient was not examined", now)
            .expect("revoke");
        assert_eq!(c.status(), CertificateStatus::Revoked);
        assert!(!c.is_valid_on(today));
        assert_eq!(c.workflow().status, Some(CertificateStatus::Approved));
        assert!(matches!(
            c.revoke(&actor(Role::Admin), "twice over", now),
            Err(CertificateError::WrongState { .. })
        ));
        let mut by_admin = cert(Role::Doctor, CertificateKind::Medical).expect("pending");
        by_admin
            .approve(&doctor, CertificateCode::from_random(9), now)
            .expect("approve");
        by_admin
            .revoke(&actor(Role::Admin), "Duplicate certificate", now)
            .expect("an ADMIN may");
    }

    #[test]
    fn content_rules() {
        let mut c = content();
        c.valid_until = c.valid_from - chrono::Duration::days(1);
        assert_eq!(c.check(), Err(CertificateError::Validity));
        let mut c = content();
        c.fitness = Fitness::NotFit;
        assert_eq!(c.clone().check(), Err(CertificateError::FitnessReason));
        c.fitness_reason = Some("Febrile".into());
        assert!(c.check().is_ok());
    }

    #[derive(Debug, Clone)]
    enum Op {
        Submit,
        Approve(Role),
        Reject(Role, bool),
        Edit,
    }

    fn op() -> impl Strategy<Value = Op> {
        let role = prop::sample::select(Role::ALL.to_vec());
        prop_oneof![
            Just(Op::Submit),
            role.clone().prop_map(Op::Approve),
            (role, any::<bool>()).prop_map(|(r, b)| Op::Reject(r, b)),
            Just(Op::Edit),
        ]
    }

    proptest! {
        /// Any sequence of actions: each succeeds exactly when the model allows it, and a
        /// refused action changes nothing.
        #[test]
        fn transitions_follow_the_model(dental in any::<bool>(), start_draft in any::<bool>(), ops in prop::collection::vec(op(), 0..12)) {
            let kind = if dental { CertificateKind::Dental } else { CertificateKind::Medical };
            let signer = if dental { Role::Dentist } else { Role::Doctor };
            let mut c = cert(if start_draft { Role::Nurse } else { Role::Doctor }, kind).expect("created");
            for op in ops {
                let before = c.clone();
                let state = c.status();
                let now = Utc::now();
                use CertificateStatus::*;
                let (result, allowed, next) = match op {
                    Op::Submit => (c.submit(now), state == Draft, Pending),
                    Op::Approve(r) => (c.approve(&actor(r), CertificateCode::from_random(7), now), state == Pending && r == signer, Approved),
                    Op::Reject(r, with_reason) => (c.reject(&actor(r), if with_reason { "Incomplete" } else { " " }, now), state == Pending && r == signer && with_reason, Rejected),
                    Op::Edit => (c.edit(content(), now), matches!(state, Draft | Pending), state),
                };
                prop_assert_eq!(result.is_ok(), allowed);
                if allowed {
                    prop_assert_eq!(c.status(), next);
                } else {
                    prop_assert_eq!(&c, &before);
                }
                if c.status() == Approved {
                    prop_assert!(c.verification_code().is_some() && c.decided_by().is_some());
                }
            }
        }

        #[test]
        fn codes_round_trip(bits in any::<u64>()) {
            let c = CertificateCode::from_random(bits);
            prop_assert_eq!(CertificateCode::parse(&c.display().to_lowercase()), Some(c));
        }
    }

    #[test]
    fn templates_accept_known_placeholders_only_and_fill_as_text() {
        let t =
            TemplateBody::parse("This certifies that {{ patient_name }} is {{fitness_status}}.")
                .expect("valid");
        let mut v = BTreeMap::new();
        v.insert("patient_name", "{{doctor_name}} <b>x</b>".to_owned());
        v.insert("fitness_status", "Fit".to_owned());
        assert_eq!(
            t.fill(&v),
            "This certifies that {{doctor_name}} <b>x</b> is Fit."
        );
        assert_eq!(
            TemplateBody::parse("{{ os.system }}"),
            Err(TemplateError::UnknownPlaceholder("os.system".into()))
        );
        assert_eq!(
            TemplateBody::parse("{{patient_name"),
            Err(TemplateError::Unclosed)
        );
    }
}
