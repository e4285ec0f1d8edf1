//! The clinical service: wiring, access checks and shared helpers.

use std::sync::Arc;

use chrono::NaiveDate;
use chrono_tz::Tz;
use domain::PatientId;
use domain::audit::{AuditEvent, Outcome};
use domain::clinical::{Allergy, AllergyEntry, Medication, Patient};
use domain::policy::{Action, Actor, authorize};

use super::inputs::{AllergyInput, MedicationInput};
use super::ports::{CertificateRenderer, ClinicalOps, ClinicalStore};
use crate::audit::{AuditStore, authorize_audited};
use crate::fields::Fields;
use crate::media::MediaStore;
use crate::rate_limit::RateLimit;
use crate::{AppError, Clock};

/// Settings of the clinical use cases.
#[derive(Debug, Clone)]
pub struct ClinicalConfig {
    /// The clinic's wall-clock zone ("today", ages, printed dates).
    pub zone: Tz,
    /// Printed in certificate headers.
    pub clinic_name: String,
    /// Printed in certificate headers.
    pub clinic_address: String,
    /// Base URL for links (certificate verification).
    pub public_url: String,
    /// Public certificate look-ups per client address per minute.
    pub verify_per_minute: u32,
}

impl Default for ClinicalConfig {
    fn default() -> Self {
        Self {
            zone: chrono_tz::Asia::Manila,
            clinic_name: "University of San Carlos — Health Services".into(),
            clinic_address: "Talamban Campus, Nasipit, Talamban, Cebu City 6000".into(),
            public_url: "http://localhost:8080".into(),
            verify_per_minute: 30,
        }
    }
}

/// A patient with derived values.
#[derive(Debug, Clone, PartialEq)]
pub struct PatientView {
    /// The profile.
    pub patient: Patient,
    /// Whole years today (clinic zone).
    pub age: u32,
    /// From height and weight.
    pub bmi: Option<f64>,
}

/// A record as shown: with the patient's name and allergies (every view of a record
/// carries the allergies, so nobody prescribes blind).
#[derive(Debug, Clone, PartialEq)]
pub struct RecordView<R> {
    /// The record.
    pub record: R,
    /// "First Last".
    pub patient_name: String,
    /// The patient's USC ID.
    pub patient_usc_id: Option<String>,
    /// The patient's active allergies, with their provenance.
    pub allergies: Vec<AllergyEntry>,
}

/// The public answer about a certificate code: no patient data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// Valid, revoked, expired or not yet valid, today (only `valid` is valid).
    pub verdict: domain::clinical::Verdict,
    /// First valid day.
    pub valid_from: NaiveDate,
    /// Last valid day.
    pub valid_until: NaiveDate,
    /// The holder's initials ("M. S. R."): enough to match a paper, nothing more.
    pub holder_initials: String,
    /// The approving physician's name.
    pub physician: Option<String>,
}

/// A patient read in a transaction, locked; 404 when there is none.
pub(super) async fn locked_patient(
    ops: &mut dyn ClinicalOps,
    id: PatientId,
) -> Result<Patient, AppError> {
    ops.patient(id)
        .await?
        .ok_or(AppError::NotFound { what: "patient" })
}

/// The clinical use cases.
pub struct ClinicalService {
    pub(super) store: Arc<dyn ClinicalStore>,
    pub(super) audit: Arc<dyn AuditStore>,
    pub(super) media: Arc<dyn MediaStore>,
    pub(super) renderer: Arc<dyn CertificateRenderer>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) config: ClinicalConfig,
    pub(super) verify_limit: RateLimit,
}

impl ClinicalService {
    /// Wires the use cases to their ports.
    pub fn new(
        store: Arc<dyn ClinicalStore>,
        audit: Arc<dyn AuditStore>,
        media: Arc<dyn MediaStore>,
        renderer: Arc<dyn CertificateRenderer>,
        clock: Arc<dyn Clock>,
        config: ClinicalConfig,
    ) -> Self {
        Self {
            store,
            audit,
            media,
            renderer,
            clock,
            verify_limit: RateLimit::new(config.verify_per_minute, chrono::Duration::minutes(1)),
            config,
        }
    }

    /// Today in the clinic's zone.
    pub(super) fn today(&self) -> NaiveDate {
        self.clock
            .now()
            .with_timezone(&self.config.zone)
            .date_naive()
    }

    /// Appends an audit entry in its own transaction (reads are audited this way; a
    /// failed audit fails the read, so nothing is shown unaudited).
    pub(super) async fn audit(&self, event: AuditEvent) -> Result<(), AppError> {
        self.audit.append(event, self.clock.now()).await?;
        Ok(())
    }

    /// Asks the policy; a refusal is audited and becomes 403.
    pub(super) async fn check(
        &self,
        actor: &Actor,
        action: Action,
        entity: &str,
        id: Option<String>,
    ) -> Result<(), AppError> {
        authorize_audited(
            self.audit.as_ref(),
            self.clock.now(),
            actor,
            &action,
            entity,
            id,
        )
        .await
    }

    /// Whether `actor` may see data of `patient`; if not, the refusal is audited and the
    /// data does not exist for them (404 `what`).
    pub(super) async fn may_read(
        &self,
        actor: &Actor,
        patient: &Patient,
        what: &'static str,
    ) -> Result<(), AppError> {
        let action = Action::ReadPatientData {
            owner: patient.user_id,
        };
        if authorize(actor, &action).is_err() {
            self.audit(
                event(
                    actor,
                    "patients.read",
                    "patient",
                    patient.id.to_string(),
                    Outcome::Denied,
                )
                .about_patient(patient.id, patient.user_id),
            )
            .await?;
            return Err(AppError::NotFound { what });
        }
        Ok(())
    }

    /// A patient the actor may see, or 404.
    pub(super) async fn readable_patient(
        &self,
        actor: &Actor,
        id: PatientId,
    ) -> Result<Patient, AppError> {
        let patient = self
            .store
            .patient(id)
            .await?
            .ok_or(AppError::NotFound { what: "patient" })?;
        self.may_read(actor, &patient, "patient").await?;
        Ok(patient)
    }

    /// A patient-role actor's own profile (`None` for clinic roles).
    pub(super) async fn own_patient(&self, actor: &Actor) -> Result<Option<Patient>, AppError> {
        if actor.role.is_patient() {
            Ok(self.store.patient_of_user(actor.user_id).await?)
        } else {
            Ok(None)
        }
    }
}

/// An event by `actor` about an entity.
pub(super) fn event(
    actor: &Actor,
    action: &str,
    entity: &str,
    id: String,
    outcome: Outcome,
) -> AuditEvent {
    AuditEvent::by(actor, action, entity, Some(id), outcome)
}

/// An event about a patient's data.
pub(super) fn patient_event(
    actor: &Actor,
    action: &str,
    entity: &str,
    id: String,
    p: &Patient,
) -> AuditEvent {
    event(actor, action, entity, id, Outcome::Success).about_patient(p.id, p.user_id)
}

/// Clinical lists, each entry checked.
impl Fields {
    /// Medications, each checked (see `Medication::list`).
    pub(super) fn medications(
        &mut self,
        field: &str,
        raw: &Option<Vec<MedicationInput>>,
    ) -> Option<Vec<Medication>> {
        match Medication::list(raw.as_ref()?) {
            Ok(list) => Some(list),
            Err(errors) => {
                for (i, e) in errors {
                    match i {
                        None => self.add(field, e),
                        Some(i) => self.add(&format!("{field}[{i}]"), e),
                    }
                }
                None
            }
        }
    }

    /// Allergies, each checked.
    pub(super) fn allergies(&mut self, raw: &Option<Vec<AllergyInput>>) -> Option<Vec<Allergy>> {
        let list = raw.as_ref()?;
        if list.len() > 50 {
            self.add("allergies", "at most 50 entries");
            return None;
        }
        let mut out = Vec::with_capacity(list.len());
        for (i, a) in list.iter().enumerate() {
            let field = format!("allergies[{i}]");
            let severity = domain::clinical::Severity::parse(&a.severity);
            match severity {
                Err(e) => self.add(&format!("{field}.severity"), e),
                Ok(sev) => match Allergy::new(&a.substance, a.reaction.as_deref(), sev) {
                    Ok(v) => out.push(v),
                    Err(e) => self.add(&field, e),
                },
            }
        }
        Some(out)
    }
}
