//! Collects every invalid field of a request, so one 400 names them all.

use std::collections::BTreeMap;

use super::ApiError;
use crate::domain::FieldError;

#[derive(Debug, Default)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps a parsed value, or records why the field was refused.
    pub fn check<T>(&mut self, field: impl Into<String>, parsed: Result<T, FieldError>) -> Option<T> {
        parsed.map_err(|error| self.add(field, error.message())).ok()
    }

    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.entry(field.into()).or_insert_with(|| message.into());
    }

    /// `Err` with every recorded field, or `Ok` when there were none.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() { Ok(()) } else { Err(ApiError::Validation(self.0)) }
    }

    /// The validation error, for when a required value failed to parse (and so was recorded).
    /// The errors by field, for a refusal made where no HTTP answer is built.
    pub fn into_fields(self) -> BTreeMap<String, String> {
        self.0
    }

    pub fn into_error(self) -> ApiError {
        ApiError::Validation(self.0)
    }
}
