//! A patient's allergies with their provenance, and the rules for changing them.
//!
//! Every allergy entry says who stated it ([`AllergySource`]), who recorded it and when.
//! Entries are never deleted: a clinician closes one as [`ClosedAs::Resolved`] or
//! [`ClosedAs::EnteredInError`] with a reason, and it stays in the history. The list a
//! client sends (`allergies: [{substance, reaction, severity}]`) is *restated* over the
//! active entries by [`restate`], which enforces who may change what:
//!
//! | editor | adds | changes or drops a patient-reported entry | changes or drops a clinician-recorded one |
//! |---|---|---|---|
//! | the patient | as `patient_reported` | yes (a dropped one is closed as entered in error, "withdrawn by the patient") | no: [`AllergyEditError::ClinicianRecorded`] |
//! | a clinician | as `clinician_recorded` | changes it (it becomes clinician-recorded); dropping needs [`close`] | changes it; dropping needs [`close`] |

use std::fmt;

use chrono::{DateTime, Utc};

use super::codes::code_enum;
use super::record::FieldChange;
use super::values::Allergy;
use crate::UserId;

code_enum!(
    /// Who stated an allergy.
    AllergySource {
        PatientReported = "patient_reported" / "Reported by the patient",
        ClinicianRecorded = "clinician_recorded" / "Recorded by a clinician",
    }
);

code_enum!(
    /// Why an allergy entry is no longer active: resolved (outgrown, desensitised,
    /// disproved by challenge) or entered in error (never true).
    ClosedAs {
        Resolved = "resolved" / "Resolved",
        EnteredInError = "entered_in_error" / "Entered in error",
    }
);

/// How and why an entry was closed.
#[derive(Clone, PartialEq, Eq)]
pub struct Closure {
    /// Resolved or entered in error.
    pub status: ClosedAs,
    /// Why, 3-500 characters.
    pub reason: String,
    /// Who closed it.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
}

/// One allergy of a patient, with its provenance; `closed` is `None` while it is active.
#[derive(Clone, PartialEq, Eq)]
pub struct AllergyEntry {
    /// Stable identity within the patient's list.
    pub id: uuid::Uuid,
    /// Substance, reaction and severity.
    pub allergy: Allergy,
    /// Who stated it.
    pub source: AllergySource,
    /// Who recorded it (`None` for entries kept from before provenance was recorded).
    pub recorded_by: Option<UserId>,
    /// When it was recorded or last changed.
    pub recorded_at: DateTime<Utc>,
    /// Set once it is resolved or entered in error.
    pub closed: Option<Closure>,
}

impl fmt::Debug for AllergyEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AllergyEntry")
            .field("id", &self.id)
            .field("source", &self.source)
            .field("active", &self.is_active())
            .finish_non_exhaustive()
    }
}

impl AllergyEntry {
    /// A new active entry.
    pub fn new(
        allergy: Allergy,
        source: AllergySource,
        by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            id: uuid::Uuid::now_v7(),
            allergy,
            source,
            recorded_by: by,
            recorded_at: now,
            closed: None,
        }
    }

    /// Not resolved nor entered in error.
    pub fn is_active(&self) -> bool {
        self.closed.is_none()
    }

    /// `active`, `resolved` or `entered_in_error`.
    pub fn status(&self) -> &'static str {
        self.closed.as_ref().map_or("active", |c| c.status.as_str())
    }

    fn key(&self) -> String {
        substance_key(&self.allergy.substance)
    }

    fn shown(&self) -> String {
        let a = &self.allergy;
        let mut s = format!("{} ({}", a.substance, a.severity.as_str());
        if let Some(r) = &a.reaction {
            s.push_str(", ");
            s.push_str(r);
        }
        s.push_str(", ");
        s.push_str(self.source.as_str());
        s.push_str(", ");
        s.push_str(self.status());
        s.push(')');
        s
    }
}

/// Who is changing a patient's allergies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllergyEditor {
    /// The patient, on their own profile.
    Patient(UserId),
    /// A clinic role.
    Clinician(UserId),
}

impl AllergyEditor {
    fn user(self) -> UserId {
        match self {
            Self::Patient(u) | Self::Clinician(u) => u,
        }
    }

    fn source(self) -> AllergySource {
        match self {
            Self::Patient(_) => AllergySource::PatientReported,
            Self::Clinician(_) => AllergySource::ClinicianRecorded,
        }
    }
}

/// Why a change to the allergies was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllergyEditError {
    /// A patient tried to change or drop clinician-recorded entries (the substances).
    #[error(
        "a clinician recorded {}; only the clinic can change or remove it",
        .0.join(", ")
    )]
    ClinicianRecorded(Vec<String>),
    /// A clinician's list left out active entries (the substances): they are closed with a
    /// reason instead.
    #[error(
        "{} left out; mark an allergy resolved or entered_in_error, with a reason, to remove it",
        .0.join(", ")
    )]
    DroppedWithoutReason(Vec<String>),
    /// The list names one substance twice (the second position).
    #[error("names {0} twice")]
    ListedTwice(String),
    /// No active entry has this id.
    #[error("no active allergy has this id")]
    NoSuchEntry,
    /// The history (active and closed entries) would exceed [`MAX_ENTRIES`].
    #[error("a patient's allergy history holds at most {MAX_ENTRIES} entries")]
    TooMany,
    /// The closing reason is shorter than 3 or longer than 500 characters.
    #[error("a reason of 3 to 500 characters is required")]
    Reason,
}

/// Most entries, active and closed, one patient's history keeps.
pub const MAX_ENTRIES: usize = 200;

/// Substances compare by their lowercase words ("Penicillin  G" = "penicillin g").
fn substance_key(s: &str) -> String {
    s.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Restates the active allergies as `stated` by `editor` at `now`, under the rules of
/// the [module](self). On success `entries` holds the new state (closed entries kept)
/// and the changes are returned, one per substance, for the revision; on refusal
/// `entries` is unchanged.
pub fn restate(
    entries: &mut Vec<AllergyEntry>,
    stated: Vec<Allergy>,
    editor: AllergyEditor,
    now: DateTime<Utc>,
) -> Result<Vec<FieldChange>, AllergyEditError> {
    let mut keys: Vec<String> = Vec::with_capacity(stated.len());
    for a in &stated {
        let key = substance_key(&a.substance);
        if keys.contains(&key) {
            return Err(AllergyEditError::ListedTwice(a.substance.clone()));
        }
        keys.push(key);
    }
    let mut next = entries.clone();
    let mut changes = Vec::new();
    let mut forbidden = Vec::new();
    let mut dropped = Vec::new();
    for entry in next.iter_mut().filter(|e| e.is_active()) {
        let before = entry.shown();
        let key = entry.key();
        let clinician_owned = entry.source == AllergySource::ClinicianRecorded;
        match keys.iter().position(|k| *k == key) {
            Some(i) => {
                let a = &stated[i];
                if *a == entry.allergy {
                    continue;
                }
                if clinician_owned && matches!(editor, AllergyEditor::Patient(_)) {
                    forbidden.push(entry.allergy.substance.clone());
                    continue;
                }
                entry.allergy = a.clone();
                entry.source = editor.source().max_with(entry.source);
                entry.recorded_by = Some(editor.user());
                entry.recorded_at = now;
            }
            None => match editor {
                AllergyEditor::Patient(user) if !clinician_owned => {
                    entry.closed = Some(Closure {
                        status: ClosedAs::EnteredInError,
                        reason: "withdrawn by the patient".into(),
                        by: user,
                        at: now,
                    });
                }
                AllergyEditor::Patient(_) => {
                    forbidden.push(entry.allergy.substance.clone());
                    continue;
                }
                AllergyEditor::Clinician(_) => {
                    dropped.push(entry.allergy.substance.clone());
                    continue;
                }
            },
        }
        changes.push(change(
            &entry.allergy.substance,
            Some(before),
            Some(entry.shown()),
        ));
    }
    if !forbidden.is_empty() {
        return Err(AllergyEditError::ClinicianRecorded(forbidden));
    }
    if !dropped.is_empty() {
        return Err(AllergyEditError::DroppedWithoutReason(dropped));
    }
    for (a, key) in stated.into_iter().zip(keys) {
        if next.iter().any(|e| e.is_active() && e.key() == key) {
            continue;
        }
        let entry = AllergyEntry::new(a, editor.source(), Some(editor.user()), now);
        changes.push(change(&entry.allergy.substance, None, Some(entry.shown())));
        next.push(entry);
    }
    if next.len() > MAX_ENTRIES {
        return Err(AllergyEditError::TooMany);
    }
    *entries = next;
    Ok(changes)
}

impl AllergySource {
    /// A clinician's confirmation outranks the patient's report.
    fn max_with(self, other: Self) -> Self {
        if self == Self::ClinicianRecorded || other == Self::ClinicianRecorded {
            Self::ClinicianRecorded
        } else {
            Self::PatientReported
        }
    }
}

/// Closes the active entry `id` (a clinician's act) with a reason; the change for the
/// revision.
pub fn close(
    entries: &mut [AllergyEntry],
    id: uuid::Uuid,
    status: ClosedAs,
    reason: &str,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<FieldChange, AllergyEditError> {
    let reason = reason.trim();
    let len = reason.chars().count();
    if !(3..=500).contains(&len) || super::values::has_control(reason) {
        return Err(AllergyEditError::Reason);
    }
    let entry = entries
        .iter_mut()
        .find(|e| e.id == id && e.is_active())
        .ok_or(AllergyEditError::NoSuchEntry)?;
    let before = entry.shown();
    entry.closed = Some(Closure {
        status,
        reason: reason.to_owned(),
        by,
        at: now,
    });
    let mut after = entry.shown();
    after.push_str(": ");
    after.push_str(reason);
    Ok(change(&entry.allergy.substance, Some(before), Some(after)))
}

fn change(substance: &str, old: Option<String>, new: Option<String>) -> FieldChange {
    FieldChange {
        field: format!("allergies.{substance}"),
        old,
        new,
    }
}

/// The active entries' allergies.
pub fn active(entries: &[AllergyEntry]) -> impl Iterator<Item = &Allergy> {
    entries.iter().filter(|e| e.is_active()).map(|e| &e.allergy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clinical::Severity;

    fn a(s: &str, sev: Severity) -> Allergy {
        Allergy::new(s, Some("hives"), sev).expect("valid")
    }

    fn nurse() -> AllergyEditor {
        AllergyEditor::Clinician(UserId::new())
    }

    #[test]
    fn a_patient_cannot_erase_or_change_what_a_clinician_recorded() {
        let now = Utc::now();
        let student = AllergyEditor::Patient(UserId::new());
        let mut list = Vec::new();
        restate(
            &mut list,
            vec![a("Penicillin", Severity::Severe)],
            nurse(),
            now,
        )
        .expect("nurse");
        assert_eq!(list[0].source, AllergySource::ClinicianRecorded);

        let before = list.clone();
        assert_eq!(
            restate(&mut list, vec![], student, now),
            Err(AllergyEditError::ClinicianRecorded(vec![
                "Penicillin".into()
            ]))
        );
        assert_eq!(
            restate(
                &mut list,
                vec![a("penicillin", Severity::Mild)],
                student,
                now
            ),
            Err(AllergyEditError::ClinicianRecorded(vec![
                "Penicillin".into()
            ]))
        );
        assert_eq!(list, before, "a refusal changes nothing");

        // Repeating it unchanged (any case) and adding one's own is fine.
        let changes = restate(
            &mut list,
            vec![
                a("PENICILLIN", Severity::Severe),
                a("Shellfish", Severity::Mild),
            ],
            student,
            now,
        );
        assert!(
            changes.is_err(),
            "a different spelling of the substance is a change"
        );
        let changes = restate(
            &mut list,
            vec![
                a("Penicillin", Severity::Severe),
                a("Shellfish", Severity::Mild),
            ],
            student,
            now,
        )
        .expect("own report");
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "allergies.Shellfish");
        assert_eq!(list[1].source, AllergySource::PatientReported);

        // The patient edits and withdraws their own report; it stays in the history.
        restate(
            &mut list,
            vec![
                a("Penicillin", Severity::Severe),
                a("Shellfish", Severity::Moderate),
            ],
            student,
            now,
        )
        .expect("edit own");
        restate(
            &mut list,
            vec![a("Penicillin", Severity::Severe)],
            student,
            now,
        )
        .expect("drop own");
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].status(), "entered_in_error");
        assert_eq!(active(&list).count(), 1);
    }

    #[test]
    fn a_clinician_closes_with_a_reason_and_never_silently_drops() {
        let now = Utc::now();
        let by = nurse();
        let mut list = Vec::new();
        restate(
            &mut list,
            vec![
                a("Penicillin", Severity::Severe),
                a("Latex", Severity::Mild),
            ],
            by,
            now,
        )
        .expect("add");
        assert_eq!(
            restate(&mut list, vec![a("Latex", Severity::Mild)], by, now),
            Err(AllergyEditError::DroppedWithoutReason(vec![
                "Penicillin".into()
            ]))
        );
        let id = list[0].id;
        assert_eq!(
            close(&mut list, id, ClosedAs::Resolved, " ", UserId::new(), now),
            Err(AllergyEditError::Reason)
        );
        let c = close(
            &mut list,
            id,
            ClosedAs::Resolved,
            "negative oral challenge",
            UserId::new(),
            now,
        )
        .expect("close");
        assert_eq!(c.field, "allergies.Penicillin");
        assert!(c.new.as_deref().is_some_and(|s| s.contains("resolved")));
        assert_eq!(
            close(
                &mut list,
                id,
                ClosedAs::EnteredInError,
                "again",
                UserId::new(),
                now
            ),
            Err(AllergyEditError::NoSuchEntry)
        );
        // Closed entries no longer take part; the list may now leave it out.
        restate(&mut list, vec![a("Latex", Severity::Mild)], by, now).expect("after close");
        assert_eq!(list.len(), 2);
        assert_eq!(
            restate(
                &mut list,
                vec![a("Latex", Severity::Mild), a("latex", Severity::Mild)],
                by,
                now
            ),
            Err(AllergyEditError::ListedTwice("latex".into()))
        );
    }

    #[test]
    fn the_history_is_bounded() {
        let now = Utc::now();
        let student = AllergyEditor::Patient(UserId::new());
        let mut list = Vec::new();
        let batch = |n: usize| {
            (0..40)
                .map(|i| a(&format!("Substance {n}-{i}"), Severity::Mild))
                .collect::<Vec<_>>()
        };
        // Each round reports 40 and withdraws the 40 before: the history grows by 40.
        let mut n = 0;
        let refused = loop {
            match restate(&mut list, batch(n), student, now) {
                Ok(_) => n += 1,
                Err(e) => break e,
            }
        };
        assert_eq!(refused, AllergyEditError::TooMany);
        assert!(list.len() <= MAX_ENTRIES, "{}", list.len());
    }

    #[test]
    fn a_clinician_confirming_a_report_makes_it_clinician_recorded() {
        let now = Utc::now();
        let mut list = Vec::new();
        let student = AllergyEditor::Patient(UserId::new());
        restate(&mut list, vec![a("Aspirin", Severity::Mild)], student, now).expect("report");
        restate(
            &mut list,
            vec![a("Aspirin", Severity::Severe)],
            nurse(),
            now,
        )
        .expect("confirm");
        assert_eq!(list[0].source, AllergySource::ClinicianRecorded);
        assert!(restate(&mut list, vec![], student, now).is_err());
    }

    use proptest::prelude::*;

    #[derive(Debug, Clone)]
    enum Step {
        Restate {
            patient: bool,
            list: Vec<(usize, usize)>,
        },
        Close {
            pick: usize,
            resolved: bool,
        },
    }

    const SUBSTANCES: [&str; 4] = ["Penicillin", "Latex", "Aspirin", "Shellfish"];
    const SEVERITIES: [Severity; 3] = [Severity::Mild, Severity::Moderate, Severity::Severe];

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (
                any::<bool>(),
                prop::collection::vec((0..4usize, 0..3usize), 0..4)
            )
                .prop_map(|(patient, list)| Step::Restate { patient, list }),
            (0..8usize, any::<bool>()).prop_map(|(pick, resolved)| Step::Close { pick, resolved }),
        ]
    }

    proptest! {
        /// Whatever anyone sends: entries are never removed, a patient never changes or
        /// closes what a clinician recorded, and a refused change changes nothing.
        #[test]
        fn history_is_kept_and_clinician_entries_are_the_clinics(steps in prop::collection::vec(step(), 1..25)) {
            let (student, nurse) = (UserId::new(), UserId::new());
            let now = Utc::now();
            let mut list: Vec<AllergyEntry> = Vec::new();
            for s in steps {
                let before = list.clone();
                let result = match s {
                    Step::Restate { patient, list: stated } => {
                        let stated: Vec<Allergy> = stated
                            .into_iter()
                            .map(|(n, v)| a(SUBSTANCES[n], SEVERITIES[v]))
                            .collect();
                        let editor = if patient {
                            AllergyEditor::Patient(student)
                        } else {
                            AllergyEditor::Clinician(nurse)
                        };
                        restate(&mut list, stated, editor, now).map(|_| patient)
                    }
                    Step::Close { pick, resolved } => {
                        let id = list.get(pick).map_or(uuid::Uuid::nil(), |e| e.id);
                        let how = if resolved { ClosedAs::Resolved } else { ClosedAs::EnteredInError };
                        close(&mut list, id, how, "checked again", nurse, now).map(|_| false)
                    }
                };
                match result {
                    Err(_) => prop_assert_eq!(&list, &before),
                    Ok(by_patient) => {
                        prop_assert!(list.len() >= before.len());
                        for (old, new) in before.iter().zip(&list) {
                            prop_assert_eq!(old.id, new.id);
                            if !old.is_active() {
                                prop_assert_eq!(old, new);
                            }
                            if by_patient && old.source == AllergySource::ClinicianRecorded {
                                prop_assert_eq!(old, new);
                            }
                        }
                        let active: Vec<String> = list
                            .iter()
                            .filter(|e| e.is_active())
                            .map(AllergyEntry::key)
                            .collect();
                        let mut unique = active.clone();
                        unique.sort();
                        unique.dedup();
                        prop_assert_eq!(unique.len(), active.len(), "one active entry per substance");
                    }
                }
            }
        }
    }
}
