//! Reading what a handler needs from an API Gateway (HTTP API) request.

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use serde::de::DeserializeOwned;

use super::ApiError;
use crate::domain::CustomerIdentifier;
use crate::principal::Principal;
use crate::store::PageQuery;

const DEFAULT_LIMIT: u16 = 50;
const MAX_LIMIT: u16 = 100;

pub trait RequestExtensions {
    /// The caller, from the claims API Gateway's JWT authorizer verified.
    fn principal(&self) -> Result<Principal, ApiError>;
    /// The `{id}` path parameter; an identifier that cannot exist reads as an unknown customer.
    fn customer_id(&self) -> Result<CustomerIdentifier, ApiError>;
    fn query_parameter(&self, name: &str) -> Option<String>;
    /// `limit` (1–100, default 50) and the opaque `cursor`.
    fn page_query(&self) -> Result<PageQuery, ApiError>;
    /// The JSON body; a missing or malformed body is a 400 that says what is wrong.
    fn json_body<T: DeserializeOwned>(&self) -> Result<T, ApiError>;
}

impl RequestExtensions for Request {
    fn principal(&self) -> Result<Principal, ApiError> {
        let claims = match self.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(context)) => {
                context.authorizer.as_ref().and_then(|authorizer| authorizer.jwt.as_ref()).map(|jwt| &jwt.claims)
            }
            _ => None,
        };
        let claims = claims.ok_or_else(|| ApiError::Unauthenticated("the request carries no verified token".into()))?;
        Ok(Principal::from_claims(claims)?)
    }

    fn customer_id(&self) -> Result<CustomerIdentifier, ApiError> {
        let raw = self.path_parameters_ref().and_then(|parameters| parameters.first("id")).unwrap_or_default();
        CustomerIdentifier::parse(raw).map_err(|_| ApiError::not_found_customer(raw))
    }

    fn query_parameter(&self, name: &str) -> Option<String> {
        self.query_string_parameters_ref().and_then(|parameters| parameters.first(name)).map(str::to_owned)
    }

    fn page_query(&self) -> Result<PageQuery, ApiError> {
        let limit = match self.query_parameter("limit") {
            None => DEFAULT_LIMIT,
            Some(raw) => raw.parse::<u16>().ok().filter(|limit| (1..=MAX_LIMIT).contains(limit)).ok_or_else(|| {
                ApiError::Validation([("limit".to_owned(), "must be a whole number from 1 to 100".to_owned())].into())
            })?,
        };
        Ok(PageQuery { limit, cursor: self.query_parameter("cursor") })
    }

    fn json_body<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        let body = self.body().as_ref();
        if body.is_empty() {
            return Err(ApiError::BadRequest {
                problem_type: "malformed-request",
                detail: "a JSON body is required".into(),
            });
        }
        serde_json::from_slice(body).map_err(|error| ApiError::BadRequest {
            problem_type: "malformed-request",
            detail: format!("the body is not the expected JSON: {error}"),
        })
    }
}
