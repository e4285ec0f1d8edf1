//! Medical and dental record use cases: allergy checks, revisions, private reads.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use domain::PatientId;
use domain::audit::{AuditEvent, Outcome};
use domain::clinical::allergy;
use domain::clinical::{
    AllergyConflict, Medication, Patient, RecordErrors, Revision, allergy_conflicts,
};
use domain::paging::{Page, PageRequest};
use domain::policy::{Action, Actor};

use super::ports::{RecordFilter, RecordRef};
use super::service::{ClinicalService, RecordView, event, locked_patient, patient_event};
use super::visit_record::VisitRecord;
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

/// The conflicts between a patient's active allergies and the substances of a visit.
fn conflicts(patient: &Patient, substances: &[Medication]) -> Vec<AllergyConflict> {
    allergy_conflicts(allergy::active(&patient.allergies), substances)
}

/// Refuses substances (medications, a dental anaesthetic) that conflict with an active
/// allergy, by name, by drug class or by known cross-reactivity, unless a reason is
/// given: 409 `allergy_conflict` naming each medication, allergy, class and kind.
fn allergy_gate(
    patient: &Patient,
    substances: &[Medication],
    override_reason: &Option<String>,
) -> Result<(), AppError> {
    let hits = conflicts(patient, substances);
    if hits.is_empty() || override_reason.is_some() {
        return Ok(());
    }
    let mut details = Details::new();
    let mut sentences = Vec::with_capacity(hits.len());
    for (i, c) in hits.iter().enumerate() {
        details.insert(format!("conflicts[{i}].medication"), c.medication.clone());
        details.insert(format!("conflicts[{i}].allergy"), c.allergy.clone());
        details.insert(format!("conflicts[{i}].kind"), c.kind.as_str().into());
        if let Some(class) = c.class {
            details.insert(format!("conflicts[{i}].class"), class.into());
        }
        sentences.push(c.to_string());
    }
    let mut substances: Vec<&str> = hits.iter().map(|c| c.allergy.as_str()).collect();
    substances.dedup();
    details.insert("substances".into(), substances.join(", "));
    details.insert(
        "override_reason".into(),
        "send a reason to record this medication anyway".into(),
    );
    Err(AppError::Conflict {
        code: ErrorCode::AllergyConflict,
        message: format!(
            "{}; give an override_reason to proceed",
            sentences.join("; ")
        ),
        details,
    })
}

/// 400 `invalid_input` naming every field a record refused, with the domain's message.
fn invalid(errors: RecordErrors) -> AppError {
    let details: Details = errors
        .iter()
        .map(|(field, e)| (field.to_owned(), e.to_string()))
        .collect();
    AppError::fields(details)
        .unwrap_or_else(|| AppError::Unexpected(anyhow::anyhow!("a record refused no field")))
}

impl ClinicalService {
    fn record_view<R>(&self, record: R, p: &Patient) -> RecordView<R> {
        RecordView {
            record,
            patient_name: p.full_name(),
            patient_usc_id: p.usc_id.as_ref().map(|u| u.as_str().to_owned()),
            allergies: p
                .allergies
                .iter()
                .filter(|a| a.is_active())
                .cloned()
                .collect(),
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
            None => AuditEvent::by(actor, action, "record", None, Outcome::Success),
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

    /// Records of one kind: clinic roles all, patients their own.
    pub async fn list_records<R: VisitRecord>(
        &self,
        actor: &Actor,
        query: RecordQuery,
        page: PageRequest,
    ) -> Result<Page<RecordView<R>>, AppError> {
        let Some(scope) = self.list_scope(actor, &query).await? else {
            return Ok(Page::empty(page));
        };
        let filter = Self::record_filter(query, scope.as_ref())?;
        let found = R::search(self.store.as_ref(), &filter, page).await?;
        let action = format!("{}s.list", R::KIND);
        self.views(actor, found, R::patient_id, &action, scope.as_ref())
            .await
    }

    /// One record, with its patient's name and allergies.
    pub async fn get_record<R: VisitRecord>(
        &self,
        actor: &Actor,
        id: R::Id,
    ) -> Result<RecordView<R>, AppError> {
        let r = R::find(self.store.as_ref(), id)
            .await?
            .ok_or(AppError::NotFound { what: R::WHAT })?;
        let p = self.record_patient(actor, r.patient_id(), R::WHAT).await?;
        let action = format!("{}s.read", R::KIND);
        self.audit(patient_event(actor, &action, R::KIND, id.to_string(), &p))
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

    /// Records a visit (roles: [`VisitRecord::WRITE`]). 409 `allergy_conflict` when a
    /// medication matches an allergy and no `override_reason` is given.
    pub async fn create_record<R: VisitRecord>(
        &self,
        actor: &Actor,
        input: R::Input,
    ) -> Result<RecordView<R>, AppError> {
        self.check(actor, R::WRITE, R::KIND, None).await?;
        let now = self.clock.now();
        let r = R::build(input, actor.user_id, now).map_err(invalid)?;
        let mut tx = self.store.begin().await?;
        let p = locked_patient(tx.clinical(), r.patient_id()).await?;
        allergy_gate(&p, &r.checked_substances(), r.override_reason())?;
        r.save(tx.clinical(), true).await?;
        let entries = create_entries(
            actor,
            R::KIND,
            r.id().to_string(),
            &p,
            &r.checked_substances(),
            r.override_reason(),
        );
        commit_audited(tx, entries, now).await?;
        Ok(self.record_view(r, &p))
    }

    /// Changes a record, keeping a revision (who, when, which fields).
    pub async fn update_record<R: VisitRecord>(
        &self,
        actor: &Actor,
        id: R::Id,
        input: R::Input,
    ) -> Result<RecordView<R>, AppError> {
        self.check(actor, R::WRITE, R::KIND, Some(id.to_string()))
            .await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let old = R::load(tx.clinical(), id)
            .await?
            .ok_or(AppError::NotFound { what: R::WHAT })?;
        let gate = R::edit_gate(&input);
        let mut r = old.clone();
        let edit = r.edit(input, actor.user_id, now).map_err(invalid)?;
        let p = locked_patient(tx.clinical(), r.patient_id()).await?;
        if let Some(reason) = &gate {
            allergy_gate(&p, &r.checked_substances(), reason)?;
        }
        let Some(edit) = edit else {
            // Nothing to save, but the record is shown: that is a read, and audited.
            commit_read(tx, actor, R::KIND, id.to_string(), &p, now).await?;
            return Ok(self.record_view(old, &p));
        };
        r.save(tx.clinical(), false).await?;
        commit_edit(tx, actor, edit, &p).await?;
        Ok(self.record_view(r, &p))
    }

    /// Deletes a record (its documents stay with the patient).
    pub async fn delete_record<R: VisitRecord>(
        &self,
        actor: &Actor,
        id: R::Id,
    ) -> Result<(), AppError> {
        self.check(actor, R::WRITE, R::KIND, Some(id.to_string()))
            .await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let r = R::load(tx.clinical(), id)
            .await?
            .ok_or(AppError::NotFound { what: R::WHAT })?;
        let p = locked_patient(tx.clinical(), r.patient_id()).await?;
        R::delete(tx.clinical(), id).await?;
        let action = format!("{}s.delete", R::KIND);
        let entry = patient_event(actor, &action, R::KIND, id.to_string(), &p);
        commit_audited(tx, vec![entry], now).await
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
    substances: &[Medication],
    override_reason: &Option<String>,
) -> Vec<AuditEvent> {
    let mut entries = vec![patient_event(
        actor,
        &format!("{kind}s.create"),
        kind,
        id.clone(),
        p,
    )];
    if override_reason.is_some() && !conflicts(p, substances).is_empty() {
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

/// An edit that changed nothing still showed the record: audits the read and commits.
async fn commit_read(
    tx: Box<dyn UnitOfWork>,
    actor: &Actor,
    kind: &str,
    id: String,
    p: &Patient,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let entry = patient_event(actor, &format!("{kind}s.read"), kind, id, p);
    commit_audited(tx, vec![entry], now).await
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
