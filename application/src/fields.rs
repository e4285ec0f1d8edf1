//! Input parsing shared by the use cases: collect every bad field, then answer one 400
//! naming them all.

use domain::clinical::values::{opt_text, text};

use crate::{AppError, Details};

/// Collects field errors while parsing an input.
#[derive(Default)]
pub(crate) struct Fields(pub(crate) Details);

impl Fields {
    pub(crate) fn add(&mut self, field: &str, e: impl ToString) {
        self.0
            .entry(field.to_owned())
            .or_insert_with(|| e.to_string());
    }

    /// A required value: missing or blank is an error.
    pub(crate) fn req<T, E: ToString>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        match raw.map(str::trim) {
            None | Some("") => {
                self.add(field, "is required");
                None
            }
            Some(s) => parse(s).map_err(|e| self.add(field, e)).ok(),
        }
    }

    /// A change to a required value: absent leaves it, blank is an error.
    pub(crate) fn change<T, E: ToString>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<T> {
        raw.and_then(|_| self.req(field, raw, parse))
    }

    /// A change to an optional value: absent → `None` (unchanged), blank → `Some(None)`.
    pub(crate) fn opt<T, E: ToString>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, E>,
    ) -> Option<Option<T>> {
        match raw.map(str::trim) {
            None => None,
            Some("") => Some(None),
            Some(s) => parse(s).map(Some).map_err(|e| self.add(field, e)).ok(),
        }
    }

    /// Optional free text up to `max` characters.
    pub(crate) fn opt_text(
        &mut self,
        field: &str,
        raw: Option<&str>,
        max: usize,
    ) -> Option<Option<String>> {
        let r = raw?;
        opt_text(Some(r), max).map_err(|e| self.add(field, e)).ok()
    }

    /// Required text of `min..=max` characters.
    pub(crate) fn text(
        &mut self,
        field: &str,
        raw: Option<&str>,
        min: usize,
        max: usize,
    ) -> Option<String> {
        self.req(field, raw, |s| text(s, min, max))
    }

    /// 400 naming every bad field, or Ok.
    pub(crate) fn finish(self) -> Result<(), AppError> {
        match AppError::fields(self.0) {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Replaces `cur` when a new value was given.
pub(crate) fn set<T>(cur: &mut T, new: Option<T>) {
    if let Some(v) = new {
        *cur = v;
    }
}
