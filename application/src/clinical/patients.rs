//! Patient use cases.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::PatientId;
use domain::audit::Outcome;
use domain::clinical::allergy::{self, AllergyEditError, AllergyEditor, ClosedAs};
use domain::clinical::patient::{check_birth_date, possible_duplicates};
use domain::clinical::values::{height_cm, weight_kg};
use domain::clinical::{BloodType, CivilStatus, Patient, Sex};
use domain::clinical::{FieldChange, Revision};
use domain::identity::{Campus, CourseCode, EmailAddress, PersonName, Phone, UscId, YearLevel};
use domain::paging::{Page, PageRequest};
use domain::policy::{Action, Actor};

use super::inputs::PatientInput;
use super::ports::PatientFilter;
use super::service::{ClinicalService, PatientView, event, locked_patient, patient_event};
use crate::fields::{Fields, set};
use crate::unit_of_work::{UnitOfWork, commit_audited};
use crate::{AppError, ErrorCode};

/// Raw search parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatientQuery {
    /// Name, email or USC ID prefix.
    pub search: Option<String>,
    /// `M` | `F` | `O`.
    pub sex: Option<String>,
    /// Youngest age.
    pub min_age: Option<u32>,
    /// Oldest age.
    pub max_age: Option<u32>,
    /// Program code.
    pub course: Option<String>,
    /// Year level.
    pub year_level: Option<String>,
    /// Campus.
    pub campus: Option<String>,
}

fn years_before(d: NaiveDate, years: u32) -> NaiveDate {
    d.with_year(d.year() - years as i32)
        .or_else(|| NaiveDate::from_ymd_opt(d.year() - years as i32, 2, 28))
        .unwrap_or(NaiveDate::MIN)
}

impl ClinicalService {
    pub(super) fn view(&self, patient: Patient) -> PatientView {
        PatientView {
            age: patient.age_on(self.today()),
            bmi: patient.bmi(),
            patient,
        }
    }

    /// Clinic roles: search patients.
    pub async fn list_patients(
        &self,
        actor: &Actor,
        query: PatientQuery,
        page: PageRequest,
    ) -> Result<Page<PatientView>, AppError> {
        self.check(actor, Action::ListPatients, "patient", None)
            .await?;
        let mut f = Fields::default();
        let sex = f.opt("sex", query.sex.as_deref(), Sex::parse).flatten();
        let course = f
            .opt("course", query.course.as_deref(), CourseCode::parse)
            .flatten();
        let year_level = f
            .opt("year_level", query.year_level.as_deref(), YearLevel::parse)
            .flatten();
        let campus = f
            .opt("campus", query.campus.as_deref(), Campus::parse)
            .flatten();
        if let (Some(lo), Some(hi)) = (query.min_age, query.max_age)
            && lo > hi
        {
            f.add("min_age", "must not exceed max_age");
        }
        if query.max_age.is_some_and(|a| a > 150) || query.min_age.is_some_and(|a| a > 150) {
            f.add("max_age", "ages go up to 150");
        }
        let search = query
            .search
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
        if search.as_ref().is_some_and(|s| s.chars().count() > 100) {
            f.add("search", "at most 100 characters");
        }
        if search
            .as_deref()
            .is_some_and(domain::clinical::values::has_control)
        {
            f.add("search", "must not contain control characters");
        }
        f.finish()?;
        let today = self.today();
        let filter = PatientFilter {
            search,
            sex,
            born_until: query.min_age.map(|a| years_before(today, a)),
            born_from: query
                .max_age
                .map(|a| years_before(today, a + 1) + chrono::Duration::days(1)),
            course,
            year_level,
            campus,
        };
        let found = self.store.search_patients(&filter, page).await?;
        self.audit(domain::audit::AuditEvent::by(
            actor,
            "patients.list",
            "patient",
            None,
            Outcome::Success,
        ))
        .await?;
        Ok(found.map(|p| self.view(p)))
    }

    /// One patient (clinic roles, or the patient themselves).
    pub async fn get_patient(&self, actor: &Actor, id: PatientId) -> Result<PatientView, AppError> {
        let p = self.readable_patient(actor, id).await?;
        self.audit(patient_event(
            actor,
            "patients.read",
            "patient",
            id.to_string(),
            &p,
        ))
        .await?;
        Ok(self.view(p))
    }

    /// A patient-role user's own profile (404 until they complete it).
    pub async fn my_patient(&self, actor: &Actor) -> Result<PatientView, AppError> {
        let p = self.own_patient(actor).await?.ok_or(AppError::NotFound {
            what: "patient profile",
        })?;
        self.audit(patient_event(
            actor,
            "patients.read",
            "patient",
            p.id.to_string(),
            &p,
        ))
        .await?;
        Ok(self.view(p))
    }

    /// Clinic roles: a new patient (409 on a duplicate email, USC ID or account link;
    /// 409 `possible_duplicate` when the same person seems to exist already, unless the
    /// input says `confirm_new`).
    pub async fn create_patient(
        &self,
        actor: &Actor,
        input: PatientInput,
    ) -> Result<PatientView, AppError> {
        self.check(actor, Action::WritePatients, "patient", None)
            .await?;
        let now = self.clock.now();
        let mut p = apply_patient(&input, None, PatientId::new(), actor, now, self.today())?;
        restate_allergies(&mut p, &input, AllergyEditor::Clinician(actor.user_id), now)?;
        let mut tx = self.store.begin().await?;
        // Inserted first, so that a taken email or USC ID answers as such; a possible
        // duplicate then rolls the insert back (the transaction is not committed).
        tx.clinical().insert_patient(&p).await?;
        if !input.confirm_new {
            let born = tx.clinical().patients_born_on(p.date_of_birth).await?;
            duplicate_gate(&p, &born)?;
        }
        commit_audited(
            tx,
            vec![patient_event(
                actor,
                "patients.create",
                "patient",
                p.id.to_string(),
                &p,
            )],
            now,
        )
        .await?;
        Ok(self.view(p))
    }

    /// Clinic roles: changes a patient.
    pub async fn update_patient(
        &self,
        actor: &Actor,
        id: PatientId,
        input: PatientInput,
    ) -> Result<PatientView, AppError> {
        self.check(
            actor,
            Action::WritePatients,
            "patient",
            Some(id.to_string()),
        )
        .await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let old = locked_patient(tx.clinical(), id).await?;
        // An account is linked once: at creation, or later to a patient the clinic
        // registered before the person had an account (one account, one patient: the
        // database refuses a second link).
        if input.user_id.is_some() && old.user_id.is_some() {
            return Err(AppError::field(
                "user_id",
                "this patient is already linked to an account",
            ));
        }
        let mut p = apply_patient(&input, Some(&old), id, actor, now, self.today())?;
        if let Some(user) = input.user_id {
            p.user_id = Some(user);
        }
        let allergies =
            restate_allergies(&mut p, &input, AllergyEditor::Clinician(actor.user_id), now)?;
        save_with_revision(tx, actor, "patients.update", &old, &p, allergies, now).await?;
        Ok(self.view(p))
    }

    /// Patient roles: completes or changes one's own profile; the first call creates it,
    /// linked to the account (its email and USC ID by default).
    pub async fn update_my_patient(
        &self,
        actor: &Actor,
        mut input: PatientInput,
    ) -> Result<PatientView, AppError> {
        self.check(actor, Action::UpdateOwnPatientProfile, "patient", None)
            .await?;
        if input.user_id.is_some() {
            return Err(AppError::field(
                "user_id",
                "the account link cannot be changed",
            ));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let existing = tx.clinical().patient_of_user(actor.user_id).await?;
        let editor = AllergyEditor::Patient(actor.user_id);
        match existing {
            Some(old) => {
                input.email = None; // the account's email stays the contact
                let mut p = apply_patient(&input, Some(&old), old.id, actor, now, self.today())?;
                let allergies = restate_allergies(&mut p, &input, editor, now)?;
                save_with_revision(tx, actor, "patients.update_own", &old, &p, allergies, now)
                    .await?;
                Ok(self.view(p))
            }
            None => {
                if let Some((email, _)) = self.store.user_contact(actor.user_id).await? {
                    input.email = Some(email.as_str().to_owned());
                    if input.usc_id.is_none() && email.is_student_number() {
                        input.usc_id = Some(email.local_part().to_owned());
                    }
                }
                input.user_id = Some(actor.user_id);
                let mut p =
                    apply_patient(&input, None, PatientId::new(), actor, now, self.today())?;
                restate_allergies(&mut p, &input, editor, now)?;
                tx.clinical().insert_patient(&p).await?;
                // A record the clinic keeps for this person (no account yet) must not
                // be duplicated: the clinic links it instead. The answer names no one.
                let born = tx.clinical().patients_born_on(p.date_of_birth).await?;
                let unlinked: Vec<Patient> =
                    born.into_iter().filter(|o| o.user_id.is_none()).collect();
                if possible_duplicates(&p, &unlinked)
                    .iter()
                    .any(|c| c.blocks())
                {
                    return Err(AppError::Conflict {
                        code: ErrorCode::PossibleDuplicate,
                        message: "the clinic may already keep your record: ask the clinic to \
                                  link it to your account"
                            .into(),
                        details: crate::Details::new(),
                    });
                }
                let entry = patient_event(
                    actor,
                    "patients.create_own",
                    "patient",
                    p.id.to_string(),
                    &p,
                );
                commit_audited(tx, vec![entry], now).await?;
                Ok(self.view(p))
            }
        }
    }

    /// Clinic roles: closes an active allergy as `resolved` or `entered_in_error`, with a
    /// reason; it stays in the patient's history and the revision shows the change.
    pub async fn close_allergy(
        &self,
        actor: &Actor,
        id: PatientId,
        allergy: uuid::Uuid,
        status: &str,
        reason: &str,
    ) -> Result<PatientView, AppError> {
        self.check(
            actor,
            Action::WritePatients,
            "patient",
            Some(id.to_string()),
        )
        .await?;
        let status =
            ClosedAs::parse(status).map_err(|e| AppError::field("status", e.to_string()))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let old = locked_patient(tx.clinical(), id).await?;
        let mut p = old.clone();
        let change = allergy::close(
            &mut p.allergies,
            allergy,
            status,
            reason,
            actor.user_id,
            now,
        )
        .map_err(|e| match e {
            AllergyEditError::NoSuchEntry => AppError::NotFound {
                what: "active allergy",
            },
            other => AppError::field("reason", other.to_string()),
        })?;
        p.updated_at = now;
        save_with_revision(
            tx,
            actor,
            "patients.allergy_close",
            &old,
            &p,
            vec![change],
            now,
        )
        .await?;
        Ok(self.view(p))
    }

    /// Clinic roles: the edits of a patient's profile and allergies, oldest first, each
    /// field with its old and new value.
    pub async fn patient_revisions(
        &self,
        actor: &Actor,
        id: PatientId,
    ) -> Result<Vec<Revision>, AppError> {
        self.check(
            actor,
            Action::ReadRevisions,
            "patient",
            Some(id.to_string()),
        )
        .await?;
        let p = self
            .store
            .patient(id)
            .await?
            .ok_or(AppError::NotFound { what: "patient" })?;
        let revisions = self.store.patient_revisions(id).await?;
        self.audit(patient_event(
            actor,
            "patients.revisions",
            "patient",
            id.to_string(),
            &p,
        ))
        .await?;
        Ok(revisions)
    }

    /// Clinic roles: deletes a patient who has no records, certificates or documents
    /// (409 otherwise: nothing is cascaded away).
    pub async fn delete_patient(&self, actor: &Actor, id: PatientId) -> Result<(), AppError> {
        self.check(
            actor,
            Action::WritePatients,
            "patient",
            Some(id.to_string()),
        )
        .await?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let p = locked_patient(tx.clinical(), id).await?;
        let deps = tx.clinical().dependents(id).await?;
        if !deps.is_empty() {
            let mut details = crate::Details::new();
            details.insert("medical_records".into(), deps.medical_records.to_string());
            details.insert("dental_records".into(), deps.dental_records.to_string());
            details.insert("certificates".into(), deps.certificates.to_string());
            details.insert("documents".into(), deps.documents.to_string());
            return Err(AppError::Conflict {
                code: ErrorCode::PatientHasRecords,
                message: "this patient has records, certificates or documents; remove them first"
                    .into(),
                details,
            });
        }
        tx.clinical().delete_patient(id).await?;
        commit_audited(
            tx,
            vec![
                event(
                    actor,
                    "patients.delete",
                    "patient",
                    id.to_string(),
                    Outcome::Success,
                )
                .about_patient(id, p.user_id),
            ],
            now,
        )
        .await?;
        Ok(())
    }
}

/// Builds a patient from an input over `base` (None: a new patient, required fields
/// needed), naming every bad field.
pub(super) fn apply_patient(
    input: &PatientInput,
    base: Option<&Patient>,
    id: PatientId,
    actor: &Actor,
    now: chrono::DateTime<chrono::Utc>,
    today: NaiveDate,
) -> Result<Patient, AppError> {
    let mut f = Fields::default();
    let i = input;
    let name = |s: &str| PersonName::parse(s);
    let (first_name, last_name, dob, sex) = match base {
        None => (
            f.req("first_name", i.first_name.as_deref(), name),
            f.req("last_name", i.last_name.as_deref(), name),
            match i.date_of_birth {
                None => {
                    f.add("date_of_birth", "is required");
                    None
                }
                Some(d) => check_birth_date(d, today)
                    .map_err(|e| f.add("date_of_birth", e))
                    .ok(),
            },
            f.req("sex", i.sex.as_deref(), Sex::parse),
        ),
        Some(b) => (
            f.change("first_name", i.first_name.as_deref(), name)
                .or(Some(b.first_name.clone())),
            f.change("last_name", i.last_name.as_deref(), name)
                .or(Some(b.last_name.clone())),
            match i.date_of_birth {
                None => Some(b.date_of_birth),
                Some(d) => check_birth_date(d, today)
                    .map_err(|e| f.add("date_of_birth", e))
                    .ok(),
            },
            f.change("sex", i.sex.as_deref(), Sex::parse)
                .or(Some(b.sex)),
        ),
    };
    let mut p = match base {
        Some(b) => b.clone(),
        None => {
            // Until the required parts are known to be valid, the optional ones are applied
            // to this scratch profile only to collect their errors; it is never returned.
            let scratch =
                || PersonName::parse("x").map_err(|e| AppError::Unexpected(anyhow::anyhow!(e)));
            let mut p = Patient::new(
                id,
                first_name.clone().map_or_else(scratch, Ok)?,
                last_name.clone().map_or_else(scratch, Ok)?,
                dob.unwrap_or(today),
                sex.unwrap_or(Sex::Other),
                Some(actor.user_id),
                now,
            );
            p.user_id = i.user_id;
            p
        }
    };
    set(
        &mut p.middle_name,
        f.opt("middle_name", i.middle_name.as_deref(), name),
    );
    set(
        &mut p.email,
        f.opt("email", i.email.as_deref(), EmailAddress::parse),
    );
    set(
        &mut p.phone,
        f.opt("phone", i.phone.as_deref(), Phone::parse),
    );
    set(
        &mut p.usc_id,
        f.opt("usc_id", i.usc_id.as_deref(), UscId::parse),
    );
    set(
        &mut p.address,
        f.opt_text("address", i.address.as_deref(), 500),
    );
    set(
        &mut p.permanent_address,
        f.opt_text("permanent_address", i.permanent_address.as_deref(), 500),
    );
    set(
        &mut p.civil_status,
        f.opt(
            "civil_status",
            i.civil_status.as_deref(),
            CivilStatus::parse,
        ),
    );
    set(
        &mut p.nationality,
        f.opt_text("nationality", i.nationality.as_deref(), 50),
    );
    set(
        &mut p.religion,
        f.opt_text("religion", i.religion.as_deref(), 50),
    );
    set(
        &mut p.course,
        f.opt("course", i.course.as_deref(), CourseCode::parse),
    );
    set(
        &mut p.year_level,
        f.opt("year_level", i.year_level.as_deref(), YearLevel::parse),
    );
    set(
        &mut p.campus,
        f.opt("campus", i.campus.as_deref(), Campus::parse),
    );
    set(
        &mut p.department,
        f.opt_text("department", i.department.as_deref(), 100),
    );
    set(
        &mut p.emergency_contact.name,
        f.opt_text(
            "emergency_contact_name",
            i.emergency_contact_name.as_deref(),
            100,
        ),
    );
    set(
        &mut p.emergency_contact.phone,
        f.opt(
            "emergency_contact_phone",
            i.emergency_contact_phone.as_deref(),
            Phone::parse,
        ),
    );
    set(
        &mut p.emergency_contact.relationship,
        f.opt_text(
            "emergency_contact_relationship",
            i.emergency_contact_relationship.as_deref(),
            50,
        ),
    );
    set(
        &mut p.blood_type,
        f.opt("blood_type", i.blood_type.as_deref(), BloodType::parse),
    );
    if let Some(h) = i.height_cm {
        set(
            &mut p.height_cm,
            height_cm(h)
                .map(Some)
                .map_err(|e| f.add("height_cm", e))
                .ok(),
        );
    }
    if let Some(w) = i.weight_kg {
        set(
            &mut p.weight_kg,
            weight_kg(w)
                .map(Some)
                .map_err(|e| f.add("weight_kg", e))
                .ok(),
        );
    }
    // Checked here so that every bad field is named at once; applied by
    // `restate_allergies`, which knows who is changing them.
    f.allergies(&i.allergies);
    set(
        &mut p.medications,
        f.medications("medications", &i.medications),
    );
    let h = &mut p.history;
    set(
        &mut h.illnesses,
        f.opt_text("illnesses", i.illnesses.as_deref(), 1000),
    );
    set(
        &mut h.childhood_diseases,
        f.opt_text("childhood_diseases", i.childhood_diseases.as_deref(), 1000),
    );
    set(
        &mut h.special_needs,
        f.opt_text("special_needs", i.special_needs.as_deref(), 1000),
    );
    set(
        &mut h.existing_conditions,
        f.opt_text(
            "existing_conditions",
            i.existing_conditions.as_deref(),
            1000,
        ),
    );
    set(
        &mut h.hospitalizations,
        f.opt_text("hospitalizations", i.hospitalizations.as_deref(), 1000),
    );
    set(
        &mut h.surgeries,
        f.opt_text("surgeries", i.surgeries.as_deref(), 1000),
    );
    f.finish()?;
    // finish() passed, so every required value parsed.
    let (Some(first_name), Some(last_name), Some(dob), Some(sex)) =
        (first_name, last_name, dob, sex)
    else {
        return Err(AppError::field("first_name", "is required"));
    };
    p.first_name = first_name;
    p.last_name = last_name;
    p.date_of_birth = dob;
    p.sex = sex;
    p.updated_at = now;
    Ok(p)
}

/// Applies the input's allergy list (if it has one) to `p` as `editor` states it, under
/// the domain's rules; the changes for the revision. A patient touching what a clinician
/// recorded is 403, naming the entries.
fn restate_allergies(
    p: &mut Patient,
    input: &PatientInput,
    editor: AllergyEditor,
    now: DateTime<Utc>,
) -> Result<Vec<FieldChange>, AppError> {
    let mut f = Fields::default();
    let stated = f.allergies(&input.allergies);
    f.finish()?;
    let Some(stated) = stated else {
        return Ok(Vec::new());
    };
    allergy::restate(&mut p.allergies, stated, editor, now).map_err(|e| match e {
        AllergyEditError::ClinicianRecorded(_) => AppError::Forbidden {
            code: ErrorCode::Forbidden,
            message: format!("allergies: {e}"),
        },
        other => AppError::field("allergies", other.to_string()),
    })
}

/// 409 `possible_duplicate` when `new` seems to be one of the patients born that day;
/// the candidates' id, name and USC ID are in `details`.
fn duplicate_gate(new: &Patient, born_same_day: &[Patient]) -> Result<(), AppError> {
    let found = possible_duplicates(new, born_same_day);
    if !found.iter().any(|c| c.blocks()) {
        return Ok(());
    }
    let mut details = crate::Details::new();
    for (i, c) in found.iter().enumerate() {
        let Some(p) = born_same_day.iter().find(|p| p.id == c.id) else {
            continue;
        };
        details.insert(format!("candidates[{i}].id"), p.id.to_string());
        details.insert(format!("candidates[{i}].name"), p.full_name());
        if let Some(u) = &p.usc_id {
            details.insert(format!("candidates[{i}].usc_id"), u.as_str().to_owned());
        }
        details.insert(format!("candidates[{i}].score"), format!("{:.2}", c.score));
    }
    details.insert(
        "confirm_new".into(),
        "send confirm_new: true to create a new patient anyway".into(),
    );
    Err(AppError::Conflict {
        code: ErrorCode::PossibleDuplicate,
        message: format!(
            "{} may already be registered ({} with the same date of birth); check the \
             candidates, or send confirm_new: true",
            new.full_name(),
            found.len()
        ),
        details,
    })
}

/// Saves a changed patient with its revision (profile fields, then allergies; none when
/// nothing changed) and its audit entry, in one transaction.
async fn save_with_revision(
    mut tx: Box<dyn UnitOfWork>,
    actor: &Actor,
    action: &str,
    old: &Patient,
    p: &Patient,
    allergy_changes: Vec<FieldChange>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut changes = p.changes_since(old);
    changes.extend(allergy_changes);
    tx.clinical().update_patient(p).await?;
    if !changes.is_empty() {
        // The store gives the number (the next of this patient's).
        tx.clinical()
            .insert_patient_revision(&Revision {
                record_kind: "patient",
                record_id: p.id.as_uuid(),
                version: 0,
                changed_by: actor.user_id,
                changed_at: now,
                changes,
            })
            .await?;
    }
    let entry = patient_event(actor, action, "patient", p.id.to_string(), p);
    commit_audited(tx, vec![entry], now).await
}
