//! Reading what a handler needs from an API Gateway (HTTP API) request.

use lambda_http::http::header;
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};
use serde::de::DeserializeOwned;

use super::{ApiError, IfMatch};
use crate::domain::{CustomerIdentifier, GeneratedId, ProjectIdentifier, TagKey, UserId};
use crate::principal::{Principal, person_claims};
use crate::store::PageQuery;

const DEFAULT_LIMIT: u16 = 50;
const MAX_LIMIT: u16 = 100;

pub trait RequestExtensions {
    /// The caller, from the context API Gateway's authorizer gave (functions/authorizer); a
    /// request without one is refused; recorded as the current span's `user` field.
    fn principal(&self) -> Result<Principal, ApiError>;
    /// The `{id}` path parameter; an identifier that cannot exist reads as an unknown customer.
    fn customer_id(&self) -> Result<CustomerIdentifier, ApiError>;
    /// The `{key}` path parameter; a key that cannot exist reads as an undefined tag.
    fn tag_key(&self) -> Result<TagKey, ApiError>;
    fn query_parameter(&self, name: &str) -> Option<String>;
    /// `limit` (1–100, default 50) and the opaque `cursor`.
    fn page_query(&self) -> Result<PageQuery, ApiError>;
    /// The `{userId}` path parameter; one that cannot be a user id reads as an unknown member.
    fn user_id_parameter(&self) -> Result<UserId, ApiError>;
    /// The `{projectId}` path parameter; one that cannot be an identifier reads as an unknown project.
    fn project_id(&self) -> Result<ProjectIdentifier, ApiError>;
    /// The `{tenantId}` path parameter; one that cannot be an id reads as an unknown tenant.
    fn tenant_id(&self) -> Result<GeneratedId, ApiError>;
    /// The `{serviceUserId}` path parameter; one that cannot be an id reads as an unknown service user.
    fn service_user_id(&self) -> Result<GeneratedId, ApiError>;
    /// The `{keyId}` path parameter; one that cannot be an id reads as an unknown key.
    fn api_key_id(&self) -> Result<GeneratedId, ApiError>;
    /// The `{invitationId}` path parameter; one that cannot be an id reads as an unknown
    /// invitation of `customer`.
    fn invitation_id(&self, customer: &CustomerIdentifier) -> Result<GeneratedId, ApiError>;
    /// The JSON body: `application/json`, at most `MAX_BODY_BYTES`, an object whose fields are
    /// `Field`s (see `http::body`).
    fn json_body<T: DeserializeOwned>(&self) -> Result<T, ApiError>;
    /// For routes that take no body: one sent anyway (even `{}`) is refused, naming `body`.
    fn empty_body(&self) -> Result<(), ApiError>;
    /// Like [`RequestExtensions::json_body`] for a body that may be left out: none at all reads
    /// as `{}`.
    fn optional_json_body<T: DeserializeOwned + Default>(&self) -> Result<T, ApiError>;
    /// The versions `If-Match` accepts.
    fn if_match(&self) -> IfMatch;
}

impl RequestExtensions for Request {
    fn principal(&self) -> Result<Principal, ApiError> {
        let authorizer = match self.request_context_ref() {
            Some(RequestContext::ApiGatewayV2(context)) => context.authorizer.as_ref(),
            _ => None,
        };
        // `requestContext.authorizer.lambda`: what functions/authorizer allowed the request with.
        let context = authorizer
            .map(|authorizer| &authorizer.fields)
            .filter(|context| !context.is_empty())
            .ok_or_else(|| ApiError::Unauthenticated("the request carries no verified caller".into()))?;
        let principal = match person_claims(context) {
            Some(claims) => Principal::from_claims(&claims)?,
            None => Principal::from_key_context(context)?,
        };
        // Handlers declare a `user` field on their span; the caller is known only from here on.
        tracing::Span::current().record("user", principal.user_id.as_str());
        Ok(principal)
    }

    fn customer_id(&self) -> Result<CustomerIdentifier, ApiError> {
        let raw = path_parameter(self, "id");
        CustomerIdentifier::parse(raw).map_err(|_| ApiError::not_found_customer(raw))
    }

    fn tag_key(&self) -> Result<TagKey, ApiError> {
        let raw = path_parameter(self, "key");
        TagKey::parse(raw).map_err(|_| ApiError::not_found_tag(raw))
    }

    fn user_id_parameter(&self) -> Result<UserId, ApiError> {
        let raw = path_parameter(self, "userId");
        UserId::parse(raw).map_err(|_| ApiError::NotFound(format!("user {raw:?} is not a member")))
    }

    fn project_id(&self) -> Result<ProjectIdentifier, ApiError> {
        let raw = path_parameter(self, "projectId");
        ProjectIdentifier::parse(raw).map_err(|_| ApiError::not_found_project(path_parameter(self, "id"), raw))
    }

    fn tenant_id(&self) -> Result<GeneratedId, ApiError> {
        let raw = path_parameter(self, "tenantId");
        GeneratedId::parse(raw).map_err(|_| ApiError::not_found_tenant(path_parameter(self, "projectId"), raw))
    }

    fn service_user_id(&self) -> Result<GeneratedId, ApiError> {
        let raw = path_parameter(self, "serviceUserId");
        GeneratedId::parse(raw).map_err(|_| ApiError::not_found_service_user(path_parameter(self, "id"), raw))
    }

    fn api_key_id(&self) -> Result<GeneratedId, ApiError> {
        let raw = path_parameter(self, "keyId");
        GeneratedId::parse(raw).map_err(|_| ApiError::api_key_not_found(raw))
    }

    fn invitation_id(&self, customer: &CustomerIdentifier) -> Result<GeneratedId, ApiError> {
        let raw =
            self.path_parameters_ref().and_then(|parameters| parameters.first("invitationId")).unwrap_or_default();
        GeneratedId::parse(raw).map_err(|_| ApiError::not_found_invitation(customer.as_str(), raw))
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
        let content_type = self.headers().get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok());
        super::body::parse_json_body(content_type, self.body().as_ref())
    }

    fn empty_body(&self) -> Result<(), ApiError> {
        if self.body().is_empty() {
            return Ok(());
        }
        Err(ApiError::Validation(
            [(super::BODY.to_owned(), "must be empty: this request takes no body".to_owned())].into(),
        ))
    }

    fn optional_json_body<T: DeserializeOwned + Default>(&self) -> Result<T, ApiError> {
        if self.body().is_empty() { Ok(T::default()) } else { self.json_body() }
    }

    fn if_match(&self) -> IfMatch {
        super::if_match::if_match(self.headers())
    }
}

/// A path parameter as sent (empty when absent).
fn path_parameter<'a>(request: &'a Request, name: &str) -> &'a str {
    request.path_parameters_ref().and_then(|parameters| parameters.first(name)).unwrap_or_default()
}
