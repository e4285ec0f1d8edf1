//! Medical and dental record use cases: allergy checks, revisions, private reads.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use domain::audit::{AuditEvent, Outcome};
use domain::clinical::record::check_visit_time;
use domain::clinical::values::{opt_text, text};
use domain::clinical::{
    DentalProcedure, DentalRecord, GumCondition, MedicalRecord, Medication, Money, OralHygiene,
    PainLevel, Patient, PhysicalExam, Priority, Revision, ToothCondition, ToothNumber, VitalSigns,
    allergy_conflicts,
};
use domain::paging::{Page, PageRequest};
use domain::policy::{Action, Actor};
use domain::{DentalRecordId, MedicalRecordId, PatientId};

use super::inputs::{DentalRecordInput, MedicalRecordInput, PhysicalExamInput};
use super::ports::{RecordFilter, RecordRef};
use super::service::{ClinicalService, RecordView, event, patient_event};
use crate::fields::{Fields, set};
use crate::unit_of_work::{UnitOfWork, commit_audited};
use crate::{AppError, Details, ErrorCode};

/// Raw record search parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordQuery {
    /// Only this patient's.
    pub patient_id: Option<PatientId>,
    /// From (inclusive).
    pub from: Option<DateTime<Utc>>,
    /// To (exclusive).
    pub to: Option<DateTime<Utc>>,
    /// Text in complaint or diagnosis.
    pub search: Option<String>,
}

fn exam(f: &mut Fields, raw: &Option<PhysicalExamInput>) -> Option<PhysicalExam> {
    let r = raw.as_ref()?;
    let mut t = |name: &str, v: &Option<String>| {
        opt_text(v.as_deref(), 2000)
            .map_err(|e| f.add(&format!("physical_exam.{name}"), e))
            .ok()
            .flatten()
    };
    Some(PhysicalExam {
        general_appearance: t("general_appearance", &r.general_appearance),
        skin: t("skin", &r.skin),
        heent: t("heent", &r.heent),
        heart: t("heart", &r.heart),
        lungs: t("lungs", &r.lungs),
        abdomen: t("abdomen", &r.abdomen),
        extremities: t("extremities", &r.extremities),
        neurological: t("neurological", &r.neurological),
    })
}

/// Refuses medications that match a recorded allergy unless a reason is given.
fn allergy_gate(
    patient: &Patient,
    medications: &[Medication],
    override_reason: &Option<String>,
) -> Result<(), AppError> {
    let hits = allergy_conflicts(&patient.allergies, medications);
    if hits.is_empty() || override_reason.is_some() {
        return Ok(());
    }
    let mut details = Details::new();
    details.insert("substances".into(), hits.join(", "));
    details.insert(
        "override_reason".into(),
        "send a reason to record this medication anyway".into(),
    );
    Err(AppError::Conflict {
        code: ErrorCode::AllergyConflict,
        message: format!(
            "the patient is allergic to {}; give an override_reason to proceed",
            hits.join(", ")
        ),
        details,
    })
}

/// Names of the fields that differ (values never leave the record).
fn diff(pairs: &[(&str, bool)]) -> Vec<String> {
    pairs
        .iter()
        .filter(|(_, changed)| *changed)
        .map(|(n, _)| (*n).to_owned())
        .collect()
}

impl ClinicalService {
    fn record_view<R>(&self, record: R, p: &Patient) -> RecordView<R> {
        RecordView {
            record,
            patient_name: p.full_name(),
            patient_usc_id: p.usc_id.as_ref().map(|u| u.as_str().to_owned()),
            allergies: p.allergies.clone(),
        }
    }

    /// Resolves who a list is about: patients see only their own (someone else's id is
    /// 404); clinic roles any.
    async fn list_scope(
        &self,
        actor: &Actor,
        query: &RecordQuery,
    ) -> Result<Option<Option<Patient>>, AppError> {
        if actor.role.is_patient() {
            let own = self.own_patient(actor).await?;
            return match (own, query.patient_id) {
                (None, Some(_)) => Err(AppError::NotFound { what: "patient" }),
                (None, None) => Ok(None),
                (Some(p), Some(asked)) if asked != p.id => {
                    Err(AppError::NotFound { what: "patient" })
                }
                (Some(p), _) => Ok(Some(Some(p))),
            };
        }
        match query.patient_id {
            Some(id) => Ok(Some(Some(self.readable_patient(actor, id).await?))),
            None => Ok(Some(None)),
        }
    }

    async fn views<R>(
        &self,
        actor: &Actor,
        page: Page<R>,
        patient_of: impl Fn(&R) -> PatientId,
        action: &str,
        scope: Option<&Patient>,
    ) -> Result<Page<RecordView<R>>, AppError> {
        let mut cache: BTreeMap<PatientId, Patient> = BTreeMap::new();
        if let Some(p) = scope {
            cache.insert(p.id, p.clone());
        }
        for r in &page.items {
            let id = patient_of(r);
            if let std::collections::btree_map::Entry::Vacant(e) = cache.entry(id)
                && let Some(p) = self.store.patient(id).await?
            {
                e.insert(p);
            }
        }
        let entry = match scope {
            Some(p) => patient_event(actor, action, "patient", p.id.to_string(), p),
            None => AuditEvent::new(
                Some(actor.user_id),
                action,
                "record",
                None,
                Outcome::Success,
            ),
        };
        self.audit(entry).await?;
        let mut items = Vec::with_capacity(page.items.len());
        for r in page.items {
            let p = cache
                .get(&patient_of(&r))
                .ok_or_else(|| AppError::Unexpected(anyhow::anyhow!("record without patient")))?;
            items.push(self.record_view(r, p));
        }
        Ok(Page {
            items,
            total: page.total,
            page: page.page,
            page_size: page.page_size,
        })
    }

    fn record_filter(
        query: RecordQuery,
        scope: Option<&Patient>,
    ) -> Result<RecordFilter, AppError> {
        let search = query
            .search
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        if search.as_ref().is_some_and(|s| s.chars().count() > 100) {
            return Err(AppError::field("search", "at most 100 characters"));
        }
        if search
            .as_deref()
            .is_some_and(domain::clinical::values::has_control)
        {
            return Err(AppError::field(
                "search",
                "must not contain control characters",
            ));
        }
        if let (Some(a), Some(b)) = (query.from, query.to)
            && a > b
        {
            return Err(AppError::field("from", "must not be after `to`"));
        }
        Ok(RecordFilter {
            patient_id: scope.map(|p| p.id),
            from: query.from,
            to: query.to,
            search,
        })
    }

    /// Medical records: clinic roles all, patients their own.
    pub async fn list_medical_records(
        &self,
        actor: &Actor,
        query: RecordQuery,
        page: PageRequest,
    ) -> Result<Page<RecordView<MedicalRecord>>, AppError> {
        let Some(scope) = self.list_scope(actor, &query).await? else {
            return Ok(Page::empty(page));
        };
        let filter = Self::record_filter(query, scope.as_ref())?;
        let found = self.store.medical_records(&filter, page).await?;
        self.views(
            actor,
            found,
            |r| r.patient_id,
            "medical_records.list",
            scope.as_ref(),
        )
        .await
    }

    /// One medical record.
    pub async fn get_medical_record(
        &self,
        actor: &Actor,
        id: MedicalRecordId,
    ) -> Result<RecordView<MedicalRecord>, AppError> {
        let r = self
            .store
            .medical_record(id)
            .await?
            .ok_or(AppError::NotFound {
                what: "medical record",
            })?;
        let p = self
            .record_patient(actor, r.patient_id, "medical record")
            .await?;
        self.audit(patient_event(
            actor,
            "medical_records.read",
            "medical_record",
            id.to_string(),
            &p,
        ))
        .await?;
        Ok(self.record_view(r, &p))
    }

    async fn record_patient(
        &self,
        actor: &Actor,
        id: PatientId,
        what: &'static str,
    ) -> Result<Patient, AppError> {
        let p = self
            .store
            .patient(id)
            .await?
            .ok_or(AppError::NotFound { what })?;
        self.may_read(actor, &p, what).await?;
        Ok(p)
    }

    /// ADMIN, DOCTOR, NURSE: records a visit. 409 `allergy_conflict` when a medication
    /// matches an allergy and no `override_reason` is given.
    pub async fn create_medical_record(
        &self,
        actor: &Actor,
        input: MedicalRecordInput,
    ) -> Result<RecordView<MedicalRecord>, AppError> {
        self.check(actor, Action::WriteMedicalRecords, "medical_record", None)
            .await?;
        let now = self.clock.now();
        let mut f = Fields::default();
        let patient_id = input.patient_id;
        if patient_id.is_none() {
            f.add("patient_id", "is required");
        }
        let visit_at = match input.visit_at {
            None => {
                f.add("visit_at", "is required");
                None
            }
            Some(t) => check_visit_time(t, now)
                .map_err(|e| f.add("visit_at", e))
                .ok(),
        };
        let complaint = f.text("chief_complaint", input.chief_complaint.as_deref(), 3, 1000);
        let diagnosis = f.text("diagnosis", input.diagnosis.as_deref(), 5, 1000);
        let treatment = f.text("treatment", input.treatment.as_deref(), 5, 1000);
        let notes = f.opt_text("notes", input.notes.as_deref(), 2000).flatten();
        let vitals = vitals(&mut f, input.vital_signs);
        let physical_exam = exam(&mut f, &input.physical_exam).unwrap_or_default();
        let medications = f
            .medications("medications", &input.medications)
            .unwrap_or_default();
        let override_reason = f
            .opt_text("override_reason", input.override_reason.as_deref(), 1000)
            .flatten();
        f.finish()?;
        let (
            Some(patient_id),
            Some(visit_at),
            Some(chief_complaint),
            Some(diagnosis),
            Some(treatment),
        ) = (patient_id, visit_at, complaint, diagnosis, treatment)
        else {
            return Err(AppError::field("patient_id", "is required"));
        };
        let mut tx = self.store.begin().await?;
        let p = tx
            .clinical()
            .patient(patient_id)
            .await?
            .ok_or(AppError::NotFound { what: "patient" })?;
        allergy_gate(&p, &medications, &override_reason)?;
        let r = MedicalRecord {
            id: MedicalRecordId::new(),
            patient_id,
            visit_at,
            chief_complaint,
            diagnosis,
            treatment,
            notes,
            vital_signs: vitals.unwrap_or_default(),
            physical_exam,
            medications,
            override_reason: override_reason.clone(),
            created_by: Some(actor.user_id),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        tx.clinical().save_medical_record(&r, true).await?;
        let entries = create_entries(
            actor,
            "medical_record",
            r.id.to_string(),
            &p,
            &r.medications,
            &r.override_reason,
        );
        commit_audited(tx, entries, now).await?;
        Ok(self.record_view(r, &p))
    }

    /// Changes a medical record, keeping a revision (who, when, which fields).
    pub async fn update_medical_record(
        &self,
        actor: &Actor,
        id: MedicalRecordId,
        input: MedicalRecordInput,
    ) -> Result<RecordView<MedicalRecord>, AppError> {
        self.check(
            actor,
            Action::WriteMedicalRecords,
            "medical_record",
            Some(id.to_string()),
        )
        .await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let old = tx
            .clinical()
            .medical_record(id)
            .await?
            .ok_or(AppError::NotFound {
                what: "medical record",
            })?;
        if input.patient_id.is_some_and(|p| p != old.patient_id) {
            return Err(AppError::field(
                "patient_id",
                "a record cannot move to another patient",
            ));
        }
        let mut f = Fields::default();
        let mut r = old.clone();
        if let Some(t) = input.visit_at {
            set(
                &mut r.visit_at,
                check_visit_time(t, now)
                    .map_err(|e| f.add("visit_at", e))
                    .ok(),
            );
        }
        set(
            &mut r.chief_complaint,
            f.change("chief_complaint", input.chief_complaint.as_deref(), |s| {
                text(s, 3, 1000)
            }),
        );
        set(
            &mut r.diagnosis,
            f.change("diagnosis", input.diagnosis.as_deref(), |s| {
                text(s, 5, 1000)
            }),
        );
        set(
            &mut r.treatment,
            f.change("treatment", input.treatment.as_deref(), |s| {
                text(s, 5, 1000)
            }),
        );
        set(
            &mut r.notes,
            f.opt_text("notes", input.notes.as_deref(), 2000),
        );
        if input.vital_signs.is_some() {
            set(&mut r.vital_signs, vitals(&mut f, input.vital_signs));
        }
        set(&mut r.physical_exam, exam(&mut f, &input.physical_exam));
        set(
            &mut r.medications,
            f.medications("medications", &input.medications),
        );
        set(
            &mut r.override_reason,
            f.opt_text("override_reason", input.override_reason.as_deref(), 1000),
        );
        f.finish()?;
        let p = tx
            .clinical()
            .patient(r.patient_id)
            .await?
            .ok_or(AppError::NotFound { what: "patient" })?;
        if input.medications.is_some() {
            allergy_gate(
                &p,
                &r.medications,
                &input
                    .override_reason
                    .clone()
                    .filter(|s| !s.trim().is_empty()),
            )?;
        }
        let changed = diff(&[
            ("visit_at", r.visit_at != old.visit_at),
            ("chief_complaint", r.chief_complaint != old.chief_complaint),
            ("diagnosis", r.diagnosis != old.diagnosis),
            ("treatment", r.treatment != old.treatment),
            ("notes", r.notes != old.notes),
            ("vital_signs", r.vital_signs != old.vital_signs),
            ("physical_exam", r.physical_exam != old.physical_exam),
            ("medications", r.medications != old.medications),
            ("override_reason", r.override_reason != old.override_reason),
        ]);
        if changed.is_empty() {
            // Nothing to save, but the record is shown: that is a read, and audited.
            let entry = patient_event(
                actor,
                "medical_records.read",
                "medical_record",
                id.to_string(),
                &p,
            );
            commit_audited(tx, vec![entry], now).await?;
            return Ok(self.record_view(old, &p));
        }
        r.version += 1;
        r.updated_at = now;
        tx.clinical().save_medical_record(&r, false).await?;
        let edit = Revision {
            record_kind: "medical_record",
            record_id: id.as_uuid(),
            version: r.version,
            changed_by: actor.user_id,
            changed_at: now,
            changed_fields: changed,
        };
        commit_edit(tx, actor, edit, &p).await?;
        Ok(self.record_view(r, &p))
    }

    /// Deletes a medical record (its documents stay with the patient).
    pub async fn delete_medical_record(
        &self,
        actor: &Actor,
        id: MedicalRecordId,
    ) -> Result<(), AppError> {
        self.check(
            actor,
            Action::WriteMedicalRecords,
            "medical_record",
            Some(id.to_string()),
        )
        .await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let r = tx
            .clinical()
            .medical_record(id)
            .await?
            .ok_or(AppError::NotFound {
                what: "medical record",
            })?;
        let p = tx
            .clinical()
            .patient(r.patient_id)
            .await?
            .ok_or(AppError::NotFound { what: "patient" })?;
        tx.clinical().delete_medical_record(id).await?;
        commit_audited(
            tx,
            vec![patient_event(
                actor,
                "medical_records.delete",
                "medical_record",
                id.to_string(),
                &p,
            )],
            now,
        )
        .await?;
        Ok(())
    }

    /// Dental records: clinic roles all, patients their own.
    pub async fn list_dental_records(
        &self,
        actor: &Actor,
        query: RecordQuery,
        page: PageRequest,
    ) -> Result<Page<RecordView<DentalRecord>>, AppError> {
        let Some(scope) = self.list_scope(actor, &query).await? else {
            return Ok(Page::empty(page));
        };
        let filter = Self::record_filter(query, scope.as_ref())?;
        let found = self.store.dental_records(&filter, page).await?;
        self.views(
            actor,
            found,
            |r| r.patient_id,
            "dental_records.list",
            scope.as_ref(),
        )
        .await
    }

    /// One dental record.
    pub async fn get_dental_record(
        &self,
        actor: &Actor,
        id: DentalRecordId,
    ) -> Result<RecordView<DentalRecord>, AppError> {
        let r = self
            .store
            .dental_record(id)
            .await?
            .ok_or(AppError::NotFound {
                what: "dental record",
            })?;
        let p = self
            .record_patient(actor, r.patient_id, "dental record")
            .await?;
        self.audit(patient_event(
            actor,
            "dental_records.read",
            "dental_record",
            id.to_string(),
            &p,
        ))
        .await?;
        Ok(self.record_view(r, &p))
    }

    /// ADMIN, DENTIST, DOCTOR: records a dental visit (allergy gate as for medical ones).
    pub async fn create_dental_record(
        &self,
        actor: &Actor,
        input: DentalRecordInput,
    ) -> Result<RecordView<DentalRecord>, AppError> {
        self.check(actor, Action::WriteDentalRecords, "dental_record", None)
            .await?;
        let now = self.clock.now();
        let Some(patient_id) = input.patient_id else {
            return Err(AppError::field("patient_id", "is required"));
        };
        if input.visit_at.is_none() {
            return Err(AppError::field("visit_at", "is required"));
        }
        let blank = DentalRecord {
            id: DentalRecordId::new(),
            patient_id,
            visit_at: now,
            concern: None,
            procedure: DentalProcedure::Consultation,
            tooth_numbers: vec![],
            tooth_chart: BTreeMap::new(),
            diagnosis: None,
            treatment_performed: None,
            treatment_plan: None,
            referral_to: None,
            oral_hygiene: None,
            gum_condition: None,
            clinical_notes: None,
            pain_level: None,
            anesthesia_used: false,
            anesthesia_type: None,
            materials_used: None,
            next_visit_on: None,
            home_care_instructions: None,
            priority: Priority::Low,
            cost: None,
            insurance_covered: false,
            medications: vec![],
            override_reason: None,
            created_by: Some(actor.user_id),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let r = apply_dental(&input, blank, now)?;
        let mut tx = self.store.begin().await?;
        let p = tx
            .clinical()
            .patient(patient_id)
            .await?
            .ok_or(AppError::NotFound { what: "patient" })?;
        allergy_gate(&p, &r.medications, &r.override_reason)?;
        tx.clinical().save_dental_record(&r, true).await?;
        let entries = create_entries(
            actor,
            "dental_record",
            r.id.to_string(),
            &p,
            &r.medications,
            &r.override_reason,
        );
        commit_audited(tx, entries, now).await?;
        Ok(self.record_view(r, &p))
    }

    /// Changes a dental record, keeping a revision.
    pub async fn update_dental_record(
        &self,
        actor: &Actor,
        id: DentalRecordId,
        input: DentalRecordInput,
    ) -> Result<RecordView<DentalRecord>, AppError> {
        self.check(
            actor,
            Action::WriteDentalRecords,
            "dental_record",
            Some(id.to_string()),
        )
        .await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let old = tx
            .clinical()
            .dental_record(id)
            .await?
            .ok_or(AppError::NotFound {
                what: "dental record",
            })?;
        if input.patient_id.is_some_and(|p| p != old.patient_id) {
            return Err(AppError::field(
                "patient_id",
                "a record cannot move to another patient",
            ));
        }
        let mut r = apply_dental(&input, old.clone(), now)?;
        let p = tx
            .clinical()
            .patient(r.patient_id)
            .await?
            .ok_or(AppError::NotFound { what: "patient" })?;
        if input.medications.is_some() {
            allergy_gate(
                &p,
                &r.medications,
                &input
                    .override_reason
                    .clone()
                    .filter(|s| !s.trim().is_empty()),
            )?;
        }
        let changed = diff(&[
            ("visit_at", r.visit_at != old.visit_at),
            ("procedure", r.procedure != old.procedure),
            ("tooth_numbers", r.tooth_numbers != old.tooth_numbers),
            ("tooth_chart", r.tooth_chart != old.tooth_chart),
            ("concern", r.concern != old.concern),
            ("diagnosis", r.diagnosis != old.diagnosis),
            (
                "treatment_performed",
                r.treatment_performed != old.treatment_performed,
            ),
            ("treatment_plan", r.treatment_plan != old.treatment_plan),
            ("referral_to", r.referral_to != old.referral_to),
            ("oral_hygiene", r.oral_hygiene != old.oral_hygiene),
            ("gum_condition", r.gum_condition != old.gum_condition),
            ("clinical_notes", r.clinical_notes != old.clinical_notes),
            ("pain_level", r.pain_level != old.pain_level),
            ("anesthesia_used", r.anesthesia_used != old.anesthesia_used),
            ("anesthesia_type", r.anesthesia_type != old.anesthesia_type),
            ("materials_used", r.materials_used != old.materials_used),
            ("next_visit_on", r.next_visit_on != old.next_visit_on),
            (
                "home_care_instructions",
                r.home_care_instructions != old.home_care_instructions,
            ),
            ("priority", r.priority != old.priority),
            ("cost", r.cost != old.cost),
            (
                "insurance_covered",
                r.insurance_covered != old.insurance_covered,
            ),
            ("medications", r.medications != old.medications),
            ("override_reason", r.override_reason != old.override_reason),
        ]);
        if changed.is_empty() {
            // Nothing to save, but the record is shown: that is a read, and audited.
            let entry = patient_event(
                actor,
                "dental_records.read",
                "dental_record",
                id.to_string(),
                &p,
            );
            commit_audited(tx, vec![entry], now).await?;
            return Ok(self.record_view(old, &p));
        }
        r.version += 1;
        r.updated_at = now;
        tx.clinical().save_dental_record(&r, false).await?;
        let edit = Revision {
            record_kind: "dental_record",
            record_id: id.as_uuid(),
            version: r.version,
            changed_by: actor.user_id,
            changed_at: now,
            changed_fields: changed,
        };
        commit_edit(tx, actor, edit, &p).await?;
        Ok(self.record_view(r, &p))
    }

    /// Deletes a dental record.
    pub async fn delete_dental_record(
        &self,
        actor: &Actor,
        id: DentalRecordId,
    ) -> Result<(), AppError> {
        self.check(
            actor,
            Action::WriteDentalRecords,
            "dental_record",
            Some(id.to_string()),
        )
        .await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let r = tx
            .clinical()
            .dental_record(id)
            .await?
            .ok_or(AppError::NotFound {
                what: "dental record",
            })?;
        let p = tx
            .clinical()
            .patient(r.patient_id)
            .await?
            .ok_or(AppError::NotFound { what: "patient" })?;
        tx.clinical().delete_dental_record(id).await?;
        commit_audited(
            tx,
            vec![patient_event(
                actor,
                "dental_records.delete",
                "dental_record",
                id.to_string(),
                &p,
            )],
            now,
        )
        .await?;
        Ok(())
    }

    /// Clinic roles: the edits of a record, oldest first.
    pub async fn revisions(
        &self,
        actor: &Actor,
        record: RecordRef,
    ) -> Result<Vec<Revision>, AppError> {
        let id = record.uuid().to_string();
        self.check(
            actor,
            Action::ReadRevisions,
            record.kind(),
            Some(id.clone()),
        )
        .await?;
        let patient_id = match record {
            RecordRef::Medical(r) => self.store.medical_record(r).await?.map(|r| r.patient_id),
            RecordRef::Dental(r) => self.store.dental_record(r).await?.map(|r| r.patient_id),
        }
        .ok_or(AppError::NotFound { what: "record" })?;
        let owner = self
            .store
            .patient(patient_id)
            .await?
            .and_then(|p| p.user_id);
        let revisions = self.store.revisions(record).await?;
        self.audit(
            event(
                actor,
                "records.revisions",
                record.kind(),
                id,
                Outcome::Success,
            )
            .about_patient(patient_id, owner),
        )
        .await?;
        Ok(revisions)
    }
}

/// The audit entries of a new record: its creation and, when an `override_reason` let a
/// medication matching an allergy through, the override.
fn create_entries(
    actor: &Actor,
    kind: &str,
    id: String,
    p: &Patient,
    medications: &[Medication],
    override_reason: &Option<String>,
) -> Vec<AuditEvent> {
    let mut entries = vec![patient_event(
        actor,
        &format!("{kind}s.create"),
        kind,
        id.clone(),
        p,
    )];
    if override_reason.is_some() && !allergy_conflicts(&p.allergies, medications).is_empty() {
        entries.push(patient_event(
            actor,
            &format!("{kind}s.allergy_override"),
            kind,
            id,
            p,
        ));
    }
    entries
}

/// Saves an edit's revision row and its audit entry, then commits (the record itself
/// was saved by the caller in the same transaction).
async fn commit_edit(
    mut tx: Box<dyn UnitOfWork>,
    actor: &Actor,
    edit: Revision,
    p: &Patient,
) -> Result<(), AppError> {
    let entry = patient_event(
        actor,
        &format!("{}s.update", edit.record_kind),
        edit.record_kind,
        edit.record_id.to_string(),
        p,
    );
    tx.clinical().insert_revision(&edit).await?;
    commit_audited(tx, vec![entry], edit.changed_at).await
}

fn vitals(f: &mut Fields, raw: Option<domain::clinical::RawVitals>) -> Option<VitalSigns> {
    match VitalSigns::new(raw?) {
        Ok(v) => Some(v),
        Err(errors) => {
            for (field, e) in errors {
                f.add(&format!("vital_signs.{field}"), e);
            }
            None
        }
    }
}

/// Applies a dental input over `r`, naming every bad field.
fn apply_dental(
    i: &DentalRecordInput,
    mut r: DentalRecord,
    now: DateTime<Utc>,
) -> Result<DentalRecord, AppError> {
    let mut f = Fields::default();
    if let Some(t) = i.visit_at {
        set(
            &mut r.visit_at,
            check_visit_time(t, now)
                .map_err(|e| f.add("visit_at", e))
                .ok(),
        );
    }
    set(
        &mut r.procedure,
        f.change("procedure", i.procedure.as_deref(), DentalProcedure::parse),
    );
    if let Some(teeth) = &i.tooth_numbers {
        let mut out = Vec::new();
        for n in teeth {
            match ToothNumber::new(*n) {
                Ok(t) if !out.contains(&t) => out.push(t),
                Ok(_) => {}
                Err(e) => f.add("tooth_numbers", e),
            }
        }
        out.sort();
        r.tooth_numbers = out;
    }
    if let Some(chart) = &i.tooth_chart {
        let mut out = BTreeMap::new();
        for (tooth, cond) in chart {
            match (ToothNumber::parse(tooth), ToothCondition::parse(cond)) {
                (Ok(t), Ok(c)) => {
                    out.insert(t, c);
                }
                (Err(e), _) => f.add(&format!("tooth_chart.{tooth}"), e),
                (_, Err(e)) => f.add(&format!("tooth_chart.{tooth}"), e),
            }
        }
        r.tooth_chart = out;
    }
    set(
        &mut r.concern,
        f.opt_text("concern", i.concern.as_deref(), 1000),
    );
    set(
        &mut r.diagnosis,
        f.opt_text("diagnosis", i.diagnosis.as_deref(), 1000),
    );
    set(
        &mut r.treatment_performed,
        f.opt_text(
            "treatment_performed",
            i.treatment_performed.as_deref(),
            1000,
        ),
    );
    set(
        &mut r.treatment_plan,
        f.opt_text("treatment_plan", i.treatment_plan.as_deref(), 1000),
    );
    set(
        &mut r.referral_to,
        f.opt_text("referral_to", i.referral_to.as_deref(), 500),
    );
    set(
        &mut r.oral_hygiene,
        f.opt(
            "oral_hygiene",
            i.oral_hygiene.as_deref(),
            OralHygiene::parse,
        ),
    );
    set(
        &mut r.gum_condition,
        f.opt(
            "gum_condition",
            i.gum_condition.as_deref(),
            GumCondition::parse,
        ),
    );
    set(
        &mut r.clinical_notes,
        f.opt_text("clinical_notes", i.clinical_notes.as_deref(), 2000),
    );
    if let Some(n) = i.pain_level {
        set(
            &mut r.pain_level,
            PainLevel::new(n)
                .map(Some)
                .map_err(|e| f.add("pain_level", e))
                .ok(),
        );
    }
    set(&mut r.anesthesia_used, i.anesthesia_used);
    set(
        &mut r.anesthesia_type,
        f.opt_text("anesthesia_type", i.anesthesia_type.as_deref(), 100),
    );
    set(
        &mut r.materials_used,
        f.opt_text("materials_used", i.materials_used.as_deref(), 1000),
    );
    if i.next_visit_on.is_some() {
        r.next_visit_on = i.next_visit_on;
    }
    set(
        &mut r.home_care_instructions,
        f.opt_text(
            "home_care_instructions",
            i.home_care_instructions.as_deref(),
            2000,
        ),
    );
    set(
        &mut r.priority,
        f.change("priority", i.priority.as_deref(), Priority::parse),
    );
    set(&mut r.cost, f.opt("cost", i.cost.as_deref(), Money::parse));
    set(&mut r.insurance_covered, i.insurance_covered);
    set(
        &mut r.medications,
        f.medications("medications", &i.medications),
    );
    set(
        &mut r.override_reason,
        f.opt_text("override_reason", i.override_reason.as_deref(), 1000),
    );
    f.finish()?;
    Ok(r)
}
