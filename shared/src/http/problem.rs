//! Every error a request can end in, and its one mapping to `application/problem+json` (RFC 9457).

use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Response};
use serde::Serialize;
use std::collections::BTreeMap;

use crate::authorization::Denial;
use crate::domain::TagError;
use crate::principal::ClaimsError;
use crate::store::StoreError;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The `type` of a problem is a short slug (a relative URI reference), e.g. `quota-exceeded`.
#[derive(Debug)]
pub enum ApiError {
    /// 401: no usable identity on the request.
    Unauthenticated(String),
    /// 400 `validation-failed`: field → message.
    Validation(BTreeMap<String, String>),
    /// 400 with a type of its own (`malformed-request`, `invalid-cursor`, `immutable-field`, …).
    BadRequest { problem_type: &'static str, detail: String },
    /// 403
    Forbidden { problem_type: &'static str, detail: String },
    /// 404: also what a caller gets for a customer outside its scope.
    NotFound(String),
    /// 409
    Conflict { problem_type: &'static str, detail: String },
    /// Anything that is our fault: logged with its cause, shown as a bare 500.
    Internal(BoxError),
}

#[derive(Serialize)]
struct Problem<'a> {
    #[serde(rename = "type")]
    problem_type: &'a str,
    title: &'a str,
    status: u16,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a BTreeMap<String, String>>,
}

impl ApiError {
    pub fn not_found_customer(identifier: &str) -> Self {
        Self::NotFound(format!("customer {identifier:?} does not exist"))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Validation(_) | Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn into_response(self) -> Response<Body> {
        let status = self.status();
        let (problem_type, title, detail, errors) = match &self {
            Self::Unauthenticated(detail) => ("unauthenticated", "Authentication required", detail.as_str(), None),
            Self::Validation(errors) => {
                ("validation-failed", "The request is invalid", "one or more fields are invalid", Some(errors))
            }
            Self::BadRequest { problem_type, detail } => {
                (*problem_type, "The request is invalid", detail.as_str(), None)
            }
            Self::Forbidden { problem_type, detail } => (*problem_type, "Forbidden", detail.as_str(), None),
            Self::NotFound(detail) => ("not-found", "Not found", detail.as_str(), None),
            Self::Conflict { problem_type, detail } => (*problem_type, "Conflict", detail.as_str(), None),
            Self::Internal(cause) => {
                tracing::error!(error = %cause, "request failed");
                ("internal-error", "Internal error", "the request could not be completed; it changed nothing", None)
            }
        };
        let problem = Problem { problem_type, title, status: status.as_u16(), detail, errors };
        let body = serde_json::to_string(&problem).expect("a problem always serializes");
        Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "application/problem+json")
            .body(Body::Text(body))
            .expect("static headers are valid")
    }
}

impl From<Denial> for ApiError {
    fn from(denial: Denial) -> Self {
        match denial {
            Denial::NotFound => Self::NotFound("the resource does not exist".to_owned()),
            Denial::Forbidden => {
                Self::Forbidden { problem_type: "forbidden", detail: "your roles do not allow this action".to_owned() }
            }
        }
    }
}

impl From<ClaimsError> for ApiError {
    fn from(error: ClaimsError) -> Self {
        match error {
            ClaimsError::MissingSubject => Self::Unauthenticated(error.to_string()),
            ClaimsError::PartnerRoleWithoutPartner => {
                Self::Forbidden { problem_type: "forbidden", detail: error.to_string() }
            }
        }
    }
}

impl From<TagError> for ApiError {
    fn from(error: TagError) -> Self {
        match error {
            TagError::Invalid(errors) => {
                Self::Validation(errors.into_iter().map(|(key, message)| (format!("tags.{key}"), message)).collect())
            }
            TagError::Restricted(keys) => Self::Forbidden {
                problem_type: "restricted-tag",
                detail: format!("only partner and platform users may set restricted tags: {}", keys.join(", ")),
            },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(conflict) => {
                Self::Conflict { problem_type: conflict.problem_type, detail: conflict.detail }
            }
            StoreError::InvalidCursor => Self::BadRequest {
                problem_type: "invalid-cursor",
                detail: "the cursor is not one this list returned".to_owned(),
            },
            StoreError::Internal(cause) => Self::Internal(cause),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(response: &Response<Body>) -> serde_json::Value {
        serde_json::from_slice(response.body().as_ref()).unwrap()
    }

    #[test]
    fn validation_errors_list_fields() {
        let response =
            ApiError::Validation(BTreeMap::from([("identifier".to_owned(), "must be …".to_owned())])).into_response();
        assert_eq!(response.status(), 400);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/problem+json");
        let json = body(&response);
        assert_eq!(json["type"], "validation-failed");
        assert_eq!(json["status"], 400);
        assert_eq!(json["errors"]["identifier"], "must be …");
    }

    #[test]
    fn internal_causes_are_never_shown() {
        let response = ApiError::Internal("connection to 10.0.0.7 refused".into()).into_response();
        assert_eq!(response.status(), 500);
        assert!(!body(&response).to_string().contains("10.0.0.7"));
    }

    #[test]
    fn tag_errors_name_the_key() {
        let error: ApiError = TagError::Invalid(BTreeMap::from([("costCenter".into(), "is mandatory".into())])).into();
        assert_eq!(body(&error.into_response())["errors"]["tags.costCenter"], "is mandatory");
    }
}
