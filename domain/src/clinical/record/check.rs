//! How a record's fields are checked: each refused field is named once, so one answer can
//! list every mistake of an entry. The rules themselves are stated by the records
//! (`medical.rs`, `dental.rs`); this module knows how a value is given, kept, cleared or
//! refused, and the one way creation and edits run those rules.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use thiserror::Error;

use super::{FieldChange, Revision, VisitTimeError, check_visit_time};
use crate::clinical::codes::UnknownCode;
use crate::clinical::values::{Medication, RawMedication, ValueError, opt_text, text};
use crate::{PatientId, UserId};

/// Why one field of a record was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RecordError {
    /// Missing or blank where a value is needed.
    #[error("is required")]
    Required,
    /// A value outside its rule (length, range, tooth, money, control characters).
    #[error(transparent)]
    Value(#[from] ValueError),
    /// A visit time in the future or before 2000.
    #[error(transparent)]
    VisitTime(#[from] VisitTimeError),
    /// A code outside its vocabulary.
    #[error(transparent)]
    Code(#[from] UnknownCode),
    /// An edit that names another patient than the record's.
    #[error("a record cannot move to another patient")]
    OtherPatient,
}

/// Every field a record refused, each under the name the API gives it (`diagnosis`,
/// `physical_exam.skin`, `vital_signs.pulse`, `medications[0]`, `tooth_chart.55`); the
/// first error found for a field is the one kept.
#[derive(Debug, Clone, PartialEq, Default, Error)]
#[error("{}", summary(.0))]
pub struct RecordErrors(BTreeMap<String, RecordError>);

fn summary(errors: &BTreeMap<String, RecordError>) -> String {
    errors
        .iter()
        .map(|(field, e)| format!("{field}: {e}"))
        .collect::<Vec<_>>()
        .join("; ")
}

impl RecordErrors {
    /// The error of `field`, if it was refused.
    pub fn get(&self, field: &str) -> Option<&RecordError> {
        self.0.get(field)
    }
    /// Each refused field with its error, by field name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &RecordError)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
    /// How many fields were refused.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether no field was refused.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    /// A single refused field.
    pub(super) fn one(field: &str, e: RecordError) -> Self {
        Self(BTreeMap::from([(field.to_owned(), e)]))
    }
}

/// Collects the refused fields while an entry is applied over a record. On creation
/// (`creating`) an absent required value is refused; in an edit it keeps the old value.
pub(super) struct Check {
    creating: bool,
    errors: RecordErrors,
}

impl Check {
    /// For a new record.
    pub(super) fn creating() -> Self {
        Self {
            creating: true,
            errors: RecordErrors::default(),
        }
    }
    /// For an edit of a saved record.
    pub(super) fn editing() -> Self {
        Self {
            creating: false,
            errors: RecordErrors::default(),
        }
    }

    /// Names a refused field (the first error of a field wins).
    pub(super) fn add(&mut self, field: &str, e: impl Into<RecordError>) {
        self.errors
            .0
            .entry(field.to_owned())
            .or_insert_with(|| e.into());
    }

    /// Ok when nothing was refused.
    pub(super) fn finish(self) -> Result<(), RecordErrors> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }

    /// Records `r` as refused under `field`, or gives the value.
    pub(super) fn keep<T, E: Into<RecordError>>(
        &mut self,
        field: &str,
        r: Result<T, E>,
    ) -> Option<T> {
        r.map_err(|e| self.add(field, e)).ok()
    }

    /// Required on creation; not in the future (a minute of skew), not before 2000.
    pub(super) fn visit_at(
        &mut self,
        slot: &mut DateTime<Utc>,
        raw: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) {
        match raw {
            None if self.creating => self.add("visit_at", RecordError::Required),
            None => {}
            Some(t) => {
                if let Some(t) = self.keep("visit_at", check_visit_time(t, now)) {
                    *slot = t;
                }
            }
        }
    }

    /// Required text of `min..=max` characters once trimmed: blank is refused; absent is
    /// refused on creation and keeps the value in an edit.
    pub(super) fn text(
        &mut self,
        slot: &mut String,
        field: &str,
        raw: Option<String>,
        min: usize,
        max: usize,
    ) {
        match raw {
            None if self.creating => self.add(field, RecordError::Required),
            None => {}
            Some(s) if s.trim().is_empty() => self.add(field, RecordError::Required),
            Some(s) => {
                if let Some(v) = self.keep(field, text(&s, min, max)) {
                    *slot = v;
                }
            }
        }
    }

    /// Optional text up to `max` characters once trimmed: blank clears it, absent keeps it.
    pub(super) fn opt_text(
        &mut self,
        slot: &mut Option<String>,
        field: &str,
        raw: Option<String>,
        max: usize,
    ) {
        if let Some(s) = raw
            && let Some(v) = self.keep(field, opt_text(Some(&s), max))
        {
            *slot = v;
        }
    }

    /// A value that is always there (a code): blank is refused, absent keeps it.
    pub(super) fn code<T, E: Into<RecordError>>(
        &mut self,
        slot: &mut T,
        field: &str,
        raw: Option<String>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) {
        match raw.as_deref().map(str::trim) {
            None => {}
            Some("") => self.add(field, RecordError::Required),
            Some(s) => {
                if let Some(v) = self.keep(field, parse(s)) {
                    *slot = v;
                }
            }
        }
    }

    /// An optional value parsed from text: blank clears it, absent keeps it.
    pub(super) fn opt<T, E: Into<RecordError>>(
        &mut self,
        slot: &mut Option<T>,
        field: &str,
        raw: Option<String>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) {
        match raw.as_deref().map(str::trim) {
            None => {}
            Some("") => *slot = None,
            Some(s) => {
                if let Some(v) = self.keep(field, parse(s)) {
                    *slot = Some(v);
                }
            }
        }
    }

    /// What both records prescribe: the medication list (replaced when given, see
    /// [`Medication::list`]) and the reason, up to 1000 characters, to give a medication
    /// that matches a recorded allergy.
    pub(super) fn prescription(
        &mut self,
        (medications, override_reason): (&mut Vec<Medication>, &mut Option<String>),
        raw_medications: Option<Vec<RawMedication>>,
        raw_reason: Option<String>,
    ) {
        if let Some(raw) = raw_medications {
            match Medication::list(&raw) {
                Ok(list) => *medications = list,
                Err(errors) => {
                    for (i, e) in errors {
                        match i {
                            None => self.add("medications", e),
                            Some(i) => self.add(&format!("medications[{i}]"), e),
                        }
                    }
                }
            }
        }
        self.opt_text(override_reason, "override_reason", raw_reason, 1000);
    }
}

/// What creation and edits need of a kind of record; its rules are its `apply`.
pub(super) trait Visit: Clone {
    /// The entry, as the caller sends it.
    type Fields;
    /// `medical_record` or `dental_record`, as revisions name it.
    const KIND: &'static str;
    /// The patient an entry names, if any.
    fn named_patient(fields: &Self::Fields) -> Option<PatientId>;
    /// Applies the entry's given parts, each checked by its rule (`patient_id` aside).
    fn apply(&mut self, fields: Self::Fields, check: &mut Check, now: DateTime<Utc>);
    /// The fields that differ from `before`, with both values, in revision order.
    fn changed_since(&self, before: &Self) -> Vec<FieldChange>;
    /// Whose.
    fn patient(&self) -> PatientId;
    /// Marks a saved change made at `now`: one version more. Gives the record's id and
    /// its new version.
    fn stamp(&mut self, now: DateTime<Utc>) -> (uuid::Uuid, i32);
}

/// A new record: the entry over `blank` by the creation rules; `check` may already
/// hold the caller's refusals.
pub(super) fn create<R: Visit>(
    mut blank: R,
    fields: R::Fields,
    mut check: Check,
    now: DateTime<Utc>,
) -> Result<R, RecordErrors> {
    blank.apply(fields, &mut check, now);
    check.finish()?;
    Ok(blank)
}

/// An edit by `by` at `now`: the entry over a copy by the same rules; when every field
/// passes and one changed, the copy replaces the record and its revision is returned.
pub(super) fn edit<R: Visit>(
    record: &mut R,
    fields: R::Fields,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<Option<Revision>, RecordErrors> {
    if R::named_patient(&fields).is_some_and(|p| p != record.patient()) {
        return Err(RecordErrors::one("patient_id", RecordError::OtherPatient));
    }
    let mut check = Check::editing();
    let mut next = record.clone();
    next.apply(fields, &mut check, now);
    check.finish()?;
    let changed = next.changed_since(record);
    if changed.is_empty() {
        return Ok(None);
    }
    let (record_id, version) = next.stamp(now);
    *record = next;
    Ok(Some(Revision {
        record_kind: R::KIND,
        record_id,
        version,
        changed_by: by,
        changed_at: now,
        changes: changed,
    }))
}

/// A `Debug` that shows only the named fields: the others are patient data.
macro_rules! debug_only {
    ($ty:ident: $($field:ident),+ $(,)?) => {
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    $(.field(stringify!($field), &self.$field))+
                    .finish_non_exhaustive()
            }
        }
    };
}

/// The listed fields whose values differ between two records, each with both values as
/// [`Shown`](crate::clinical::shown::Shown), in the order listed (a revision's changes).
macro_rules! changed_fields {
    ($new:expr, $old:expr; $($field:ident),+ $(,)?) => {{
        use $crate::clinical::shown::Shown as _;
        let mut changes: Vec<$crate::clinical::record::FieldChange> = Vec::new();
        $(
            if $new.$field != $old.$field {
                changes.push($crate::clinical::record::FieldChange {
                    field: stringify!($field).to_owned(),
                    old: $old.$field.shown(),
                    new: $new.$field.shown(),
                });
            }
        )+
        changes
    }};
}

pub(crate) use changed_fields;
pub(super) use debug_only;
