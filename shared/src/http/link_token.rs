//! The body of `POST /invitations/accept` and `POST /email-confirmations`: a link's one-time
//! token and nothing else. One shape, one parser.

use serde::Deserialize;

use super::{ApiError, Field, FieldErrors, UnknownFields};
use crate::domain::LinkToken;

/// `{"token": "…"}` as sent.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct LinkTokenBody {
    token: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

impl LinkTokenBody {
    /// The token; a missing or malformed one, and any other field, refused by name.
    pub fn token(self) -> Result<LinkToken, ApiError> {
        let mut errors = FieldErrors::new();
        let token = errors.required("token", self.token, |raw| LinkToken::parse(&raw));
        errors.unknown("", self.unknown);
        let Some(token) = token else { return Err(errors.into_error()) };
        errors.finish()?;
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(json: &str) -> Result<LinkToken, ApiError> {
        serde_json::from_str::<LinkTokenBody>(json).expect("a JSON object").token()
    }

    fn refused_fields(json: &str) -> Vec<String> {
        match parsed(json) {
            Err(ApiError::Validation(fields)) => fields.into_keys().collect(),
            other => panic!("{json}: expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_token_alone_is_taken_and_anything_else_is_refused_by_name() {
        let token = LinkToken::generate().unwrap();
        assert_eq!(parsed(&format!(r#"{{"token":"{}"}}"#, token.expose())).unwrap().hash(), token.hash());
        assert_eq!(refused_fields("{}"), ["token"]);
        assert_eq!(refused_fields(r#"{"token":"short"}"#), ["token"]);
        assert_eq!(refused_fields(&format!(r#"{{"token":"{}","extra":1}}"#, token.expose())), ["extra"]);
    }
}
