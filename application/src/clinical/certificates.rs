//! Certificate use cases: workflow, templates, PDF, public verification, and the
//! patient's notifications.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use domain::audit::{AuditEvent, Outcome};
use domain::clinical::certificate::CertificateError;
use domain::clinical::values::{opt_text, text};
use domain::clinical::{
    Certificate, CertificateCode, CertificateContent, CertificateKind, CertificateStatus,
    CertificateTemplate, Fitness, Patient, TemplateBody,
};

use domain::paging::{Page, PageRequest};
use domain::policy::{Action, Actor};
use domain::{CertificateId, NotificationId, TemplateId};

use super::inputs::{CertificateInput, TemplateInput, TemplatePatch};
use super::ports::{CertificateDocument, CertificateFilter, Notification};
use super::service::{ClinicalService, Verification, locked_patient, patient_event};
use crate::fields::{Fields, set};
use crate::mail::OutgoingEmail;
use crate::rate_limit::address_key;
use crate::unit_of_work::{UnitOfWork, commit_audited};
use crate::{AppError, ErrorCode, secrets};

fn cert_err(e: CertificateError) -> AppError {
    match e {
        CertificateError::WrongState { .. } => {
            AppError::conflict(ErrorCode::InvalidState, e.to_string())
        }
        CertificateError::Role { .. } => AppError::Forbidden {
            code: ErrorCode::Forbidden,
            message: e.to_string(),
        },
        CertificateError::Validity => AppError::field("valid_until", e.to_string()),
        CertificateError::FitnessReason => AppError::field("fitness_reason", e.to_string()),
        CertificateError::RejectReason | CertificateError::RevokeReason => {
            AppError::field("reason", e.to_string())
        }
    }
}

fn long_date(d: NaiveDate) -> String {
    d.format("%B %-d, %Y").to_string()
}

fn content(
    i: &CertificateInput,
    base: Option<&CertificateContent>,
) -> Result<CertificateContent, AppError> {
    let mut f = Fields::default();
    let purpose = match base {
        None => f.text("purpose", i.purpose.as_deref(), 3, 1000),
        Some(b) => f
            .change("purpose", i.purpose.as_deref(), |s| text(s, 3, 1000))
            .or(Some(b.purpose.clone())),
    };
    let mut recommendations = base.and_then(|b| b.recommendations.clone());
    set(
        &mut recommendations,
        f.opt_text("recommendations", i.recommendations.as_deref(), 2000),
    );
    let mut notes = base.and_then(|b| b.additional_notes.clone());
    set(
        &mut notes,
        f.opt_text("additional_notes", i.additional_notes.as_deref(), 2000),
    );
    let valid_from = i.valid_from.or(base.map(|b| b.valid_from));
    let valid_until = i.valid_until.or(base.map(|b| b.valid_until));
    if valid_from.is_none() {
        f.add("valid_from", "is required");
    }
    if valid_until.is_none() {
        f.add("valid_until", "is required");
    }
    let fitness = match i.fitness.as_deref() {
        None => Some(base.map(|b| b.fitness).unwrap_or(Fitness::Fit)),
        raw => f.change("fitness", raw, Fitness::parse),
    };
    let mut reason = base.and_then(|b| b.fitness_reason.clone());
    set(
        &mut reason,
        f.opt_text("fitness_reason", i.fitness_reason.as_deref(), 1000),
    );
    f.finish()?;
    let (Some(purpose), Some(valid_from), Some(valid_until), Some(fitness)) =
        (purpose, valid_from, valid_until, fitness)
    else {
        return Err(AppError::field("purpose", "is required"));
    };
    if fitness == Fitness::Fit {
        reason = None;
    }
    CertificateContent {
        purpose,
        recommendations,
        additional_notes: notes,
        valid_from,
        valid_until,
        fitness,
        fitness_reason: reason,
    }
    .check()
    .map_err(cert_err)
}

impl ClinicalService {
    /// Certificates: clinic roles all (filter by patient/status), patients their own.
    pub async fn list_certificates(
        &self,
        actor: &Actor,
        mut filter: CertificateFilter,
        page: PageRequest,
    ) -> Result<Page<Certificate>, AppError> {
        let scope = if actor.role.is_patient() {
            let Some(own) = self.own_patient(actor).await? else {
                if filter.patient_id.is_some() {
                    return Err(AppError::NotFound { what: "patient" });
                }
                return Ok(Page::empty(page));
            };
            if filter.patient_id.is_some_and(|p| p != own.id) {
                return Err(AppError::NotFound { what: "patient" });
            }
            filter.patient_id = Some(own.id);
            Some(own)
        } else {
            match filter.patient_id {
                Some(id) => Some(self.readable_patient(actor, id).await?),
                None => None,
            }
        };
        let found = self.store.certificates(&filter, page).await?;
        let entry = match &scope {
            Some(p) => patient_event(actor, "certificates.list", "patient", p.id.to_string(), p),
            None => AuditEvent::by(
                actor,
                "certificates.list",
                "certificate",
                None,
                Outcome::Success,
            ),
        };
        self.audit(entry).await?;
        Ok(found)
    }

    async fn readable_certificate(
        &self,
        actor: &Actor,
        id: CertificateId,
    ) -> Result<(Certificate, Patient), AppError> {
        let c = self
            .store
            .certificate(id)
            .await?
            .ok_or(AppError::NotFound {
                what: "certificate",
            })?;
        let p = self
            .store
            .patient(c.patient_id)
            .await?
            .ok_or(AppError::NotFound {
                what: "certificate",
            })?;
        self.may_read(actor, &p, "certificate").await?;
        Ok((c, p))
    }

    /// One certificate (clinic roles, or its patient).
    pub async fn get_certificate(
        &self,
        actor: &Actor,
        id: CertificateId,
    ) -> Result<Certificate, AppError> {
        let (c, p) = self.readable_certificate(actor, id).await?;
        self.audit(patient_event(
            actor,
            "certificates.read",
            "certificate",
            id.to_string(),
            &p,
        ))
        .await?;
        Ok(c)
    }

    /// Clinic roles: a new certificate, draft or (ADMIN/DOCTOR/DENTIST) pending.
    pub async fn create_certificate(
        &self,
        actor: &Actor,
        input: CertificateInput,
    ) -> Result<Certificate, AppError> {
        self.check(actor, Action::WriteCertificates, "certificate", None)
            .await?;
        let mut f = Fields::default();
        if input.patient_id.is_none() {
            f.add("patient_id", "is required");
        }
        if input.template_id.is_none() {
            f.add("template_id", "is required");
        }
        let parsed = content(&input, None);
        if let Err(AppError::Invalid { details, .. }) = &parsed {
            for (k, v) in details {
                f.add(k, v);
            }
        }
        f.finish()?;
        let content = parsed?;
        let (Some(patient_id), Some(template_id)) = (input.patient_id, input.template_id) else {
            return Err(AppError::field("patient_id", "is required"));
        };
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let p = locked_patient(tx.clinical(), patient_id).await?;
        let t = tx
            .clinical()
            .template(template_id)
            .await?
            .ok_or_else(|| AppError::field("template_id", "no such template"))?;
        if !t.active {
            return Err(AppError::field(
                "template_id",
                "this template is retired; choose an active one",
            ));
        }
        let c = Certificate::create(
            CertificateId::new(),
            patient_id,
            template_id,
            t.kind,
            content,
            actor,
            now,
        )
        .map_err(cert_err)?;
        tx.clinical().save_certificate(&c, true).await?;
        commit_audited(
            tx,
            vec![patient_event(
                actor,
                "certificates.create",
                "certificate",
                c.id.to_string(),
                &p,
            )],
            now,
        )
        .await?;
        Ok(c)
    }

    /// Clinic roles: changes the content of a draft or pending certificate. The status is
    /// not an input: it changes only through submit, approve and reject.
    pub async fn update_certificate(
        &self,
        actor: &Actor,
        id: CertificateId,
        input: CertificateInput,
    ) -> Result<Certificate, AppError> {
        self.check(
            actor,
            Action::WriteCertificates,
            "certificate",
            Some(id.to_string()),
        )
        .await?;
        let mut fixed = crate::Details::new();
        for (field, given) in [
            ("patient_id", input.patient_id.is_some()),
            ("template_id", input.template_id.is_some()),
        ] {
            if given {
                fixed.insert(field.into(), "is fixed at creation".into());
            }
        }
        if let Some(refused) = AppError::fields(fixed) {
            return Err(refused);
        }
        self.change_certificate(actor, id, "certificates.update", |c, _, now| {
            let new = content(&input, Some(&c.content))?;
            c.edit(new, now).map_err(cert_err)
        })
        .await
    }

    /// Submits a draft for approval.
    pub async fn submit_certificate(
        &self,
        actor: &Actor,
        id: CertificateId,
    ) -> Result<Certificate, AppError> {
        self.check(
            actor,
            Action::WriteCertificates,
            "certificate",
            Some(id.to_string()),
        )
        .await?;
        self.change_certificate(actor, id, "certificates.submit", |c, _, now| {
            c.submit(now).map_err(cert_err)
        })
        .await
    }

    /// DOCTOR (DENTIST for dental certificates): approves a pending certificate; the
    /// patient is notified in the app and by email.
    pub async fn approve_certificate(
        &self,
        actor: &Actor,
        id: CertificateId,
    ) -> Result<Certificate, AppError> {
        self.check(
            actor,
            Action::DecideCertificates,
            "certificate",
            Some(id.to_string()),
        )
        .await?;
        let code = CertificateCode::from_random(
            (u64::from(secrets::random_u32()?) << 32) | u64::from(secrets::random_u32()?),
        );
        self.change_certificate(actor, id, "certificates.approve", |c, _, now| {
            c.approve(actor, code, now).map_err(cert_err)
        })
        .await
    }

    /// DOCTOR (DENTIST for dental): rejects a pending certificate with a reason.
    pub async fn reject_certificate(
        &self,
        actor: &Actor,
        id: CertificateId,
        reason: &str,
    ) -> Result<Certificate, AppError> {
        self.check(
            actor,
            Action::DecideCertificates,
            "certificate",
            Some(id.to_string()),
        )
        .await?;
        self.change_certificate(actor, id, "certificates.reject", |c, _, now| {
            c.reject(actor, reason, now).map_err(cert_err)
        })
        .await
    }

    /// The approving DOCTOR/DENTIST or an ADMIN: revokes an approved certificate with a
    /// reason; its verification then answers `revoked` and the patient is notified.
    pub async fn revoke_certificate(
        &self,
        actor: &Actor,
        id: CertificateId,
        reason: &str,
    ) -> Result<Certificate, AppError> {
        self.check(
            actor,
            Action::RevokeCertificates,
            "certificate",
            Some(id.to_string()),
        )
        .await?;
        self.change_certificate(actor, id, "certificates.revoke", |c, _, now| {
            c.revoke(actor, reason, now).map_err(cert_err)
        })
        .await
    }

    async fn change_certificate(
        &self,
        actor: &Actor,
        id: CertificateId,
        action: &str,
        change: impl FnOnce(
            &mut Certificate,
            &Patient,
            chrono::DateTime<chrono::Utc>,
        ) -> Result<(), AppError>,
    ) -> Result<Certificate, AppError> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let mut c = tx
            .clinical()
            .certificate(id)
            .await?
            .ok_or(AppError::NotFound {
                what: "certificate",
            })?;
        let p = locked_patient(tx.clinical(), c.patient_id).await?;
        let before = c.status();
        if let Err(e) = change(&mut c, &p, now) {
            if matches!(e, AppError::Forbidden { .. }) {
                // The domain refused this role (e.g. a DOCTOR deciding a dental
                // certificate): audited like every other refusal, after the write
                // transaction is gone (SQLite has one writer).
                drop(tx);
                self.audit(
                    AuditEvent::by(
                        actor,
                        action,
                        "certificate",
                        Some(id.to_string()),
                        Outcome::Denied,
                    )
                    .about_patient(p.id, p.user_id),
                )
                .await?;
            }
            return Err(e);
        }
        tx.clinical().save_certificate(&c, false).await?;
        if before != c.status()
            && matches!(
                c.status(),
                CertificateStatus::Approved
                    | CertificateStatus::Rejected
                    | CertificateStatus::Revoked
            )
        {
            self.notify_decision(tx.as_mut(), &c, &p, now).await?;
        }
        commit_audited(
            tx,
            vec![patient_event(
                actor,
                action,
                "certificate",
                id.to_string(),
                &p,
            )],
            now,
        )
        .await?;
        Ok(c)
    }

    async fn notify_decision(
        &self,
        tx: &mut dyn UnitOfWork,
        c: &Certificate,
        p: &Patient,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), AppError> {
        let approved = c.status() == CertificateStatus::Approved;
        let (kind, title, message) = match (c.status(), c.revocation()) {
            (CertificateStatus::Approved, _) => {
                let fitness = match &c.content.fitness_reason {
                    Some(r) => format!("{} ({r})", c.content.fitness.label()),
                    None => c.content.fitness.label().to_owned(),
                };
                (
                    "certificate_approved",
                    "Medical Certificate Approved",
                    format!(
                        "Your medical certificate for \"{}\" has been approved. Fitness: {fitness}. Valid {} to {}.",
                        c.content.purpose,
                        long_date(c.content.valid_from),
                        long_date(c.content.valid_until)
                    ),
                )
            }
            (_, Some(r)) => (
                "certificate_revoked",
                "Medical Certificate Revoked",
                format!(
                    "Your medical certificate for \"{}\" has been revoked and is no longer valid: {}",
                    c.content.purpose, r.reason
                ),
            ),
            _ => (
                "certificate_rejected",
                "Medical Certificate Rejected",
                format!(
                    "Your medical certificate for \"{}\" has been rejected: {}",
                    c.content.purpose,
                    c.rejection_reason().unwrap_or("no reason given")
                ),
            ),
        };
        if let Some(user) = p.user_id {
            tx.notify(&Notification {
                id: NotificationId::new(),
                user_id: user,
                kind: kind.into(),
                title: title.into(),
                message: message.clone(),
                link: Some(format!("/medical-certificates/{}", c.id)),
                created_at: now,
                read_at: None,
            })
            .await?;
        }
        let to = match &p.email {
            Some(e) => Some(e.clone()),
            None => match p.user_id {
                Some(u) => self.store.user_contact(u).await?.map(|(e, _)| e),
                None => None,
            },
        };
        if let Some(to) = to {
            let mut text = format!("Dear {},\n\n{message}\n", p.first_name.as_str());
            if let Some(code) = c.verification_code().filter(|_| approved) {
                text.push_str(&format!(
                    "\nVerification code: {}\nAnyone can check it at {}/api/medical-certificates/verify/{}\n",
                    code.display(),
                    self.config.public_url.trim_end_matches('/'),
                    code.as_str()
                ));
            }
            text.push_str("\nUSC Health Services\n");
            tx.enqueue_mail(
                &OutgoingEmail {
                    to,
                    subject: format!(
                        "[USC-PIS] {}",
                        match c.status() {
                            CertificateStatus::Approved => "Medical Certificate Approved",
                            CertificateStatus::Revoked => "Medical Certificate Revoked",
                            _ => "Medical Certificate Update Required",
                        }
                    ),
                    text,
                    html: None,
                },
                now,
            )
            .await?;
        }
        Ok(())
    }

    /// The PDF of an approved certificate (409 otherwise).
    pub async fn certificate_pdf(
        &self,
        actor: &Actor,
        id: CertificateId,
    ) -> Result<Vec<u8>, AppError> {
        let (c, p) = self.readable_certificate(actor, id).await?;
        let Some(code) = c
            .verification_code()
            .filter(|_| c.status() == CertificateStatus::Approved)
        else {
            return Err(AppError::conflict(
                ErrorCode::CertificateNotApproved,
                "only an approved certificate has a PDF",
            ));
        };
        let t =
            self.store.template(c.template_id).await?.ok_or_else(|| {
                AppError::Unexpected(anyhow::anyhow!("certificate template missing"))
            })?;
        let signer = c.decided_by().unwrap_or(c.issued_by);
        let (physician, license) = self
            .store
            .signer(signer)
            .await?
            .unwrap_or_else(|| (signer.to_string(), None));
        let today = self.today();
        let issued = c
            .decided_at()
            .map(|t| t.with_timezone(&self.config.zone).date_naive())
            .unwrap_or(today);
        let course_and_year = match (p.course, p.year_level) {
            (Some(c), Some(y)) => format!("{} – {}", c.name(), y.name()),
            (Some(c), None) => c.name().to_owned(),
            _ => String::new(),
        };
        let physician_title = match c.kind {
            CertificateKind::Medical => "University Physician",
            CertificateKind::Dental => "University Dentist",
        };
        // Values stand inside sentences ("the patient is fit"): lower case, except names.
        let mut values: BTreeMap<&str, String> = BTreeMap::new();
        values.insert("patient_name", p.full_name());
        values.insert("patient_age", p.age_on(issued).to_string());
        values.insert("patient_sex", p.sex.label().to_lowercase());
        values.insert("course_and_year", course_and_year);
        values.insert("date", long_date(issued));
        values.insert("purpose", c.content.purpose.clone());
        values.insert(
            "recommendations",
            c.content.recommendations.clone().unwrap_or_default(),
        );
        values.insert("valid_from", long_date(c.content.valid_from));
        values.insert("valid_until", long_date(c.content.valid_until));
        values.insert(
            "additional_notes",
            c.content.additional_notes.clone().unwrap_or_default(),
        );
        values.insert("fitness_status", c.content.fitness.label().to_lowercase());
        values.insert(
            "fitness_reason",
            c.content.fitness_reason.clone().unwrap_or_default(),
        );
        values.insert("doctor_name", physician.clone());
        values.insert("doctor_title", physician_title.to_owned());
        values.insert("doctor_license", license.clone().unwrap_or_default());
        let body = t
            .body
            .fill(&values)
            .split("\n\n")
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        let facts = p
            .usc_id
            .iter()
            .map(|u| ("USC ID".to_owned(), u.as_str().to_owned()))
            .collect();
        let doc = CertificateDocument {
            clinic_name: self.config.clinic_name.clone(),
            clinic_address: self.config.clinic_address.clone(),
            form_code: t.form_code.clone(),
            title: match c.kind {
                CertificateKind::Medical => "Medical certificate".into(),
                CertificateKind::Dental => "Dental certificate".into(),
            },
            body,
            facts,
            issued_on: long_date(issued),
            physician_name: physician,
            physician_title: physician_title.into(),
            physician_license: license,
            verification_code: code.display(),
            verify_url: format!(
                "{}/api/medical-certificates/verify/{}",
                self.config.public_url.trim_end_matches('/'),
                code.as_str()
            ),
        };
        let pdf = self
            .renderer
            .render(doc)
            .await
            .map_err(AppError::Unexpected)?;
        self.audit(patient_event(
            actor,
            "certificates.pdf",
            "certificate",
            id.to_string(),
            &p,
        ))
        .await?;
        Ok(pdf)
    }

    /// Anyone: whether a code belongs to an approved certificate and whether it is valid
    /// today. Reveals no patient data. Limited per client address
    /// (`ClinicalConfig::verify_per_minute`, 429 beyond); answered look-ups are audited.
    pub async fn verify_certificate(
        &self,
        code: &str,
        client: Option<&str>,
    ) -> Result<Verification, AppError> {
        let addr: Option<std::net::IpAddr> = client.and_then(|ip| ip.parse().ok());
        let key = client.map_or_else(|| "unknown".to_owned(), address_key);
        self.verify_limit
            .hit(&key, self.clock.now())
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
        let code = CertificateCode::parse(code).ok_or(AppError::NotFound {
            what: "certificate",
        })?;
        let c = self
            .store
            .certificate_by_code(&code)
            .await?
            .ok_or(AppError::NotFound {
                what: "certificate",
            })?;
        let holder = self.store.patient(c.patient_id).await?;
        let owner = holder.as_ref().and_then(|p| p.user_id);
        self.audit(
            AuditEvent::new(
                None,
                "certificates.verify",
                "certificate",
                Some(c.id.to_string()),
                Outcome::Success,
            )
            .about_patient(c.patient_id, owner)
            .from(addr),
        )
        .await?;
        let signer = c.decided_by();
        let physician = match signer {
            Some(u) => self.store.user_contact(u).await?.map(|(_, name)| name),
            None => None,
        };
        Ok(Verification {
            verdict: c.verdict(self.today()),
            valid_from: c.content.valid_from,
            valid_until: c.content.valid_until,
            holder_initials: holder.map(|p| p.initials()).unwrap_or_default(),
            physician,
        })
    }

    /// Clinic roles: the templates.
    pub async fn list_templates(
        &self,
        actor: &Actor,
    ) -> Result<Vec<CertificateTemplate>, AppError> {
        self.check(actor, Action::ReadTemplates, "certificate_template", None)
            .await?;
        Ok(self.store.templates().await?)
    }

    /// ADMIN: a new template (placeholders checked, 409 on a duplicate name).
    pub async fn create_template(
        &self,
        actor: &Actor,
        input: TemplateInput,
    ) -> Result<CertificateTemplate, AppError> {
        self.check(actor, Action::ManageTemplates, "certificate_template", None)
            .await?;
        let mut f = Fields::default();
        let name = f.text("name", Some(&input.name), 3, 100);
        let description = f
            .opt_text("description", input.description.as_deref(), 1000)
            .flatten();
        let form_code = opt_text(input.form_code.as_deref(), 30)
            .map_err(|e| f.add("form_code", e))
            .ok()
            .flatten();
        let kind = f
            .opt("kind", input.kind.as_deref(), CertificateKind::parse)
            .flatten()
            .unwrap_or(CertificateKind::Medical);
        let body = TemplateBody::parse(&input.body)
            .map_err(|e| f.add("body", e))
            .ok();
        f.finish()?;
        let (Some(name), Some(body)) = (name, body) else {
            return Err(AppError::field("name", "is required"));
        };
        let now = self.clock.now();
        let t = CertificateTemplate {
            id: TemplateId::new(),
            name,
            description,
            kind,
            form_code,
            body,
            active: true,
            created_at: now,
        };
        let tx = self.store.begin().await?;
        self.save_template(tx, actor, t, true, now).await
    }

    /// ADMIN: changes a template, or retires it (`active: false`: no new certificates
    /// use it; those that did keep printing with it). 409 `name_taken`.
    pub async fn update_template(
        &self,
        actor: &Actor,
        id: TemplateId,
        patch: TemplatePatch,
    ) -> Result<CertificateTemplate, AppError> {
        self.check(
            actor,
            Action::ManageTemplates,
            "certificate_template",
            Some(id.to_string()),
        )
        .await?;
        // Read and changed in the write transaction, locked: two edits at once cannot
        // lose one another's fields.
        let mut tx = self.store.begin().await?;
        let mut t = tx
            .clinical()
            .lock_template(id)
            .await?
            .ok_or(AppError::NotFound { what: "template" })?;
        let mut f = Fields::default();
        if let Some(name) = patch
            .name
            .as_deref()
            .and_then(|n| f.text("name", Some(n), 3, 100))
        {
            t.name = name;
        }
        if let Some(d) = f.opt_text("description", patch.description.as_deref(), 1000) {
            t.description = d;
        }
        if let Some(code) = patch.form_code.as_deref() {
            match opt_text(Some(code), 30) {
                Ok(code) => t.form_code = code,
                Err(e) => f.add("form_code", e),
            }
        }
        if let Some(body) = patch.body.as_deref() {
            match TemplateBody::parse(body) {
                Ok(body) => t.body = body,
                Err(e) => f.add("body", e),
            }
        }
        if let Some(active) = patch.active {
            t.active = active;
        }
        f.finish()?;
        let now = self.clock.now();
        self.save_template(tx, actor, t, false, now).await
    }

    /// Inserts (`insert`) or saves a template with its audit entry, in one transaction.
    async fn save_template(
        &self,
        mut tx: Box<dyn UnitOfWork>,
        actor: &Actor,
        t: CertificateTemplate,
        insert: bool,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<CertificateTemplate, AppError> {
        let action = if insert {
            tx.clinical().insert_template(&t).await?;
            "certificate_templates.create"
        } else {
            tx.clinical().update_template(&t).await?;
            "certificate_templates.update"
        };
        let entry = AuditEvent::by(
            actor,
            action,
            "certificate_template",
            Some(t.id.to_string()),
            Outcome::Success,
        );
        commit_audited(tx, vec![entry], now).await?;
        Ok(t)
    }
}
