//! JSON request bodies: media type, size and shape are checked here, once, so that every route
//! answers bad input the same way. A body struct declares each field as a [`Field`], which never
//! fails to deserialize: a field of the wrong JSON type becomes [`Field::WrongType`], so one 400
//! can name every bad field in the API's words instead of serde's first error (which would show
//! Rust type names).

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use std::collections::BTreeMap;

use super::{ApiError, FieldErrors};
use crate::domain::FieldError;

/// The largest body any route accepts. The binding limits are those of the fields (see
/// `domain::tags::limits`); this one keeps parsing cheap and still admits the largest valid body.
pub const MAX_BODY_BYTES: usize = 128 * 1024;

/// The name under which errors about the body as a whole are reported.
pub const BODY: &str = "body";

/// One field of a request body as it was sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Field<T> {
    /// Not sent, or sent as `null`: every optional field reads `null` as absent.
    #[default]
    Absent,
    Present(T),
    /// Sent with a JSON type other than the field's.
    WrongType,
}

/// A JSON type a field can have, and how to say so when a request sends another.
pub trait JsonType: DeserializeOwned {
    const EXPECTED: &'static str;
}

impl JsonType for String {
    const EXPECTED: &'static str = "must be a string";
}

impl JsonType for i64 {
    const EXPECTED: &'static str = "must be a whole number";
}

impl JsonType for bool {
    const EXPECTED: &'static str = "must be true or false";
}

impl<T: JsonType> JsonType for Vec<T> {
    const EXPECTED: &'static str = "must be a list";
}

/// A list's elements are fields too, so one bad element is named by its index.
impl<T: JsonType> JsonType for Field<T> {
    const EXPECTED: &'static str = T::EXPECTED;
}

/// Tag values as sent: key → list of strings.
pub type TagsInput = BTreeMap<String, Vec<String>>;

impl JsonType for TagsInput {
    const EXPECTED: &'static str = "must be an object mapping each tag key to a list of strings";
}

impl<'de, T: JsonType> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(deserializer)? {
            Value::Null => Field::Absent,
            value => T::deserialize(value).map_or(Field::WrongType, Field::Present),
        })
    }
}

/// The members of a body object that its route does not know; `#[serde(flatten)]` them into a
/// body struct, and each is refused by name.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct UnknownFields(BTreeMap<String, IgnoredAny>);

impl FieldErrors {
    /// A field that must be sent: its parsed value, or `None` with the reason recorded.
    pub fn required<T: JsonType, U>(
        &mut self,
        field: &str,
        input: Field<T>,
        parse: impl FnOnce(T) -> Result<U, FieldError>,
    ) -> Option<U> {
        match input {
            Field::Absent => {
                self.add(field, "is required");
                None
            }
            input => self.optional(field, input, parse),
        }
    }

    /// A field that may be left out: `None` when absent, or when invalid (with the reason recorded).
    pub fn optional<T: JsonType, U>(
        &mut self,
        field: &str,
        input: Field<T>,
        parse: impl FnOnce(T) -> Result<U, FieldError>,
    ) -> Option<U> {
        match input {
            Field::Absent => None,
            Field::WrongType => {
                self.add(field, T::EXPECTED);
                None
            }
            Field::Present(value) => self.check(field, parse(value)),
        }
    }

    /// Refuses each unknown member of the object at `path` (`""` for the body itself).
    pub fn unknown(&mut self, path: &str, unknown: UnknownFields) {
        for name in unknown.0.into_keys() {
            let field = if path.is_empty() { name } else { format!("{path}.{name}") };
            self.add(field, "is not a field of this request");
        }
    }
}

/// Media type, size, syntax and shape of a body; `T` is a struct of [`Field`]s.
pub(super) fn parse_json_body<T: DeserializeOwned>(content_type: Option<&str>, body: &[u8]) -> Result<T, ApiError> {
    if !is_json(content_type) {
        return Err(ApiError::UnsupportedMediaType);
    }
    if body.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge { limit: MAX_BODY_BYTES });
    }
    let value: Value = serde_json::from_slice(body).map_err(|error| ApiError::BadRequest {
        problem_type: "malformed-request",
        detail: format!("the body is not valid JSON (line {}, column {})", error.line(), error.column()),
    })?;
    let shape_error = |message: &str| ApiError::Validation(BTreeMap::from([(BODY.to_owned(), message.to_owned())]));
    if !value.is_object() {
        return Err(shape_error("must be a JSON object"));
    }
    // Every field is a `Field` and unknown members are collected, so this fails only if a body
    // struct breaks that convention; the answer still names no Rust type.
    T::deserialize(value).map_err(|error| {
        tracing::error!(%error, "a body struct does not follow the Field convention");
        shape_error("does not have the expected shape")
    })
}

/// `application/json`, with an optional `charset=utf-8` (RFC 8259: JSON is UTF-8).
fn is_json(content_type: Option<&str>) -> bool {
    let Some(media_type) = content_type.and_then(|raw| raw.parse::<mime::Mime>().ok()) else {
        return false;
    };
    media_type.essence_str() == "application/json"
        && media_type.get_param(mime::CHARSET).is_none_or(|charset| charset == mime::UTF_8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "camelCase", default)]
    #[allow(dead_code)]
    struct Example {
        name: Field<String>,
        count: Field<i64>,
        #[serde(flatten)]
        unknown: UnknownFields,
    }

    impl Default for Example {
        fn default() -> Self {
            Self { name: Field::Absent, count: Field::Absent, unknown: UnknownFields::default() }
        }
    }

    fn parse(content_type: &str, body: &str) -> Result<Example, ApiError> {
        parse_json_body(Some(content_type), body.as_bytes())
    }

    #[test]
    fn reads_fields_of_the_right_type_and_marks_the_others() {
        let body = parse("application/json", r#"{"name": "x", "count": "5", "extra": 1}"#).unwrap();
        assert_eq!(body.name, Field::Present("x".to_owned()));
        assert_eq!(body.count, Field::WrongType);
        let mut errors = FieldErrors::new();
        errors.optional("count", body.count, |n: i64| Ok(n));
        errors.unknown("", body.unknown);
        let Err(ApiError::Validation(errors)) = errors.finish() else { panic!("expected validation errors") };
        assert_eq!(errors["count"], "must be a whole number");
        assert_eq!(errors["extra"], "is not a field of this request");
    }

    #[test]
    fn null_reads_as_absent() {
        let body = parse("application/json; charset=UTF-8", r#"{"name": null}"#).unwrap();
        assert_eq!(body.name, Field::Absent);
        let mut errors = FieldErrors::new();
        assert_eq!(errors.required("name", body.name, |s: String| Ok(s)), None);
        let Err(ApiError::Validation(errors)) = errors.finish() else { panic!("expected validation errors") };
        assert_eq!(errors["name"], "is required");
    }

    #[test]
    fn a_body_that_is_not_an_object_is_a_validation_error_naming_the_body() {
        for body in ["null", "[]", "\"x\"", "5"] {
            match parse("application/json", body) {
                Err(ApiError::Validation(errors)) => assert_eq!(errors[BODY], "must be a JSON object", "{body}"),
                other => panic!("{body}: {other:?}"),
            }
        }
    }

    #[test]
    fn only_json_is_accepted() {
        for content_type in ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", ""]
        {
            assert!(matches!(parse(content_type, "{}"), Err(ApiError::UnsupportedMediaType)), "{content_type}");
        }
        assert!(matches!(parse_json_body::<Example>(None, b"{}"), Err(ApiError::UnsupportedMediaType)));
    }

    #[test]
    fn syntax_errors_and_oversized_bodies_are_refused() {
        assert!(matches!(parse("application/json", "{"), Err(ApiError::BadRequest { .. })));
        assert!(matches!(parse("application/json", ""), Err(ApiError::BadRequest { .. })));
        let nested = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(matches!(parse("application/json", &nested), Err(ApiError::BadRequest { .. })));
        let huge = format!(r#"{{"name": "{}"}}"#, "x".repeat(MAX_BODY_BYTES));
        assert!(matches!(parse("application/json", &huge), Err(ApiError::PayloadTooLarge { .. })));
    }
}
