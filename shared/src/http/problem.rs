//! Every error a request can end in, and its one mapping to `application/problem+json` (RFC 9457).
//! HTTP statuses and problem types are chosen here and nowhere else.

use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Response};
use serde::Serialize;
use std::collections::BTreeMap;

use crate::authorization::Denial;
use crate::change::{DomainError, NeedsVerifiedEmail, Refusal};
use crate::diagnostics::error_chain;
use crate::domain::{CustomerStatus, InvitationStatus, LinkRefusal, RandomSourceError, TagError};
use crate::principal::ClaimsError;
use crate::store::{Conflict, StoreError};

/// Seconds a client should wait before retrying when the store is throttled or unavailable.
const RETRY_AFTER_SECONDS: &str = "1";

/// The `type` of a problem is a short slug (a relative URI reference), e.g. `quota-exceeded`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 401: no usable identity on the request.
    #[error("unauthenticated: {0}")]
    Unauthenticated(String),
    /// 400 `validation-failed`: field → message.
    #[error("invalid fields: {0:?}")]
    Validation(BTreeMap<String, String>),
    /// 400 with a type of its own (`malformed-request`, `invalid-cursor`, …).
    #[error("{problem_type}: {detail}")]
    BadRequest { problem_type: &'static str, detail: String },
    /// 403
    #[error("{problem_type}: {detail}")]
    Forbidden { problem_type: &'static str, detail: String },
    /// 404: also what a caller gets for a customer outside its scope.
    #[error("not found: {0}")]
    NotFound(String),
    /// 404 `api-key-not-found`: the owner has no API key with this id (never made, or revoked).
    #[error("no such API key: {0}")]
    ApiKeyNotFound(String),
    /// 404 with a type of its own: a link token nobody was sent (or whose record is gone).
    #[error("{problem_type}: {detail}")]
    UnknownLink { problem_type: &'static str, detail: String },
    /// 409
    #[error("{problem_type}: {detail}")]
    Conflict { problem_type: &'static str, detail: String },
    /// 410: a one-time or expiring thing that was used up or ran out.
    #[error("{problem_type}: {detail}")]
    Gone { problem_type: &'static str, detail: String },
    /// 412: `If-Match` or the version a write relied on no longer holds; the answer carries the
    /// current `ETag` when it is known.
    #[error("precondition failed: {detail}")]
    PreconditionFailed { detail: String, current_version: Option<u64> },
    /// 413
    #[error("the body exceeds {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// 406: none of the media types the resource is offered in is acceptable (`Accept`).
    #[error("none of {offered} is acceptable")]
    NotAcceptable { offered: String },
    /// 415
    #[error("the body is not application/json")]
    UnsupportedMediaType,
    /// 503 with `Retry-After`: the store is throttling or unreachable; nothing was written.
    #[error("the store is unavailable")]
    Unavailable(#[source] Box<StoreError>),
    /// 500: our fault; logged with its whole cause chain, shown as a bare 500.
    #[error("internal error")]
    Internal(#[source] InternalError),
}

/// What can go wrong on our side while answering.
#[derive(Debug, thiserror::Error)]
pub enum InternalError {
    #[error(transparent)]
    Store(Box<StoreError>),
    #[error("the response could not be built")]
    Response(#[from] lambda_http::http::Error),
    #[error("the response body could not be serialized")]
    Serialize(#[from] serde_json::Error),
    #[error(transparent)]
    Randomness(#[from] RandomSourceError),
    #[error("the CSV could not be written: {0}")]
    Csv(String),
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

    pub fn not_found_message() -> Self {
        Self::NotFound("the message does not exist".to_owned())
    }

    pub fn not_found_tag(key: &str) -> Self {
        Self::NotFound(format!("tag {key:?} is not defined"))
    }

    /// 409: the customer is not yet ACTIVE and allows reads only.
    pub fn customer_not_active(identifier: &str, status: &str) -> Self {
        Self::Conflict {
            problem_type: "customer-not-active",
            detail: format!("customer {identifier:?} is {status} and allows reads only until it is ACTIVE"),
        }
    }

    /// 403: a DISABLED customer keeps what it has, but makes nothing new and opens no tenant.
    pub fn customer_disabled(identifier: &str) -> Self {
        Self::Forbidden {
            problem_type: "customer-disabled",
            detail: format!(
                "customer {identifier:?} is DISABLED: everything stays readable, but nothing new is made and no tenant is opened until it is enabled again"
            ),
        }
    }

    /// 409: the customer owns as many projects as its quota allows (or more, after a lowered quota).
    pub fn quota_exceeded(identifier: &str, quota: u32) -> Self {
        Self::Conflict {
            problem_type: "quota-exceeded",
            detail: format!("customer {identifier:?} has reached its project quota of {quota}"),
        }
    }

    /// 409: the tenant's platform is no longer one of `PLATFORMS`, so there is no console to open.
    pub fn platform_not_configured(platform: &str) -> Self {
        Self::Conflict {
            problem_type: "platform-not-configured",
            detail: format!("platform {platform:?} is no longer configured: its tenants have no console link"),
        }
    }

    pub fn not_found_project(customer: &str, project: &str) -> Self {
        Self::NotFound(format!("customer {customer:?} has no project {project:?}"))
    }

    pub fn not_found_tenant(project: &str, tenant: &str) -> Self {
        Self::NotFound(format!("project {project:?} has no tenant {tenant:?}"))
    }

    pub fn not_found_service_user(customer: &str, service_user: &str) -> Self {
        Self::NotFound(format!("customer {customer:?} has no service user {service_user:?}"))
    }

    /// 404: no API key with this id (as sent) among the owner's.
    pub fn api_key_not_found(key: &str) -> Self {
        Self::ApiKeyNotFound(format!("there is no API key {key:?} (never made, or revoked)"))
    }

    /// 409: only a customer in PENDING_APPROVAL can be approved.
    pub fn customer_not_pending(identifier: &str, status: &str) -> Self {
        Self::Conflict {
            problem_type: "customer-not-pending",
            detail: format!(
                "customer {identifier:?} is {status}; only a customer in PENDING_APPROVAL can be approved or declined"
            ),
        }
    }

    /// 404: no confirmation link has this token.
    pub fn confirmation_not_found() -> Self {
        Self::UnknownLink {
            problem_type: "confirmation-not-found",
            detail: "no confirmation link has this token; use the link of the latest mail".to_owned(),
        }
    }

    /// 410: the confirmation link ran out.
    pub fn confirmation_expired() -> Self {
        Self::Gone { problem_type: "confirmation-expired", detail: "the confirmation link has expired".to_owned() }
    }

    pub fn not_found_invitation(customer: &str, invitation: &str) -> Self {
        Self::NotFound(format!("customer {customer:?} has no invitation {invitation:?}"))
    }

    /// 409: only a pending invitation can be cancelled; an accepted or cancelled one cannot be
    /// resent.
    pub fn invitation_not_pending(action: &str, status: InvitationStatus) -> Self {
        Self::Conflict {
            problem_type: "invitation-not-pending",
            detail: format!("the invitation is {}; {action}", status.as_str()),
        }
    }

    /// 404: no invitation link has this token.
    pub fn invitation_link_not_found() -> Self {
        Self::UnknownLink {
            problem_type: "invitation-not-found",
            detail: "no invitation link has this token; use the link of the latest invitation mail".to_owned(),
        }
    }

    /// 406: the resource is offered as `offered` only, and `Accept` takes none of them.
    pub fn not_acceptable(offered: &[&str]) -> Self {
        Self::NotAcceptable { offered: offered.join(", ") }
    }

    /// 409: an access review, or its export, would cover more than its bound.
    pub fn access_review_too_large(what: &str, max: usize) -> Self {
        Self::Conflict {
            problem_type: "access-review-too-large",
            detail: format!("an access review covers at most {max} {what}; this customer has more"),
        }
    }

    /// 409: a write without `If-Match` lost to other writers on every attempt.
    pub fn concurrent_modification() -> Self {
        Self::Conflict {
            problem_type: "concurrent-modification",
            detail: "the resource is being changed by many requests at once; nothing was changed, retry".to_owned(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
            Self::Validation(_) | Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Forbidden { .. } => StatusCode::FORBIDDEN,
            Self::NotFound(_) | Self::ApiKeyNotFound(_) | Self::UnknownLink { .. } => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Gone { .. } => StatusCode::GONE,
            Self::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn into_response(self) -> Response<Body> {
        let status = self.status();
        if status.is_server_error() {
            // The whole chain, so the log says why (the SDK's error, its dispatch failure, …).
            tracing::error!(status = status.as_u16(), error = %error_chain(&self), "request failed");
        }
        let too_large;
        let not_acceptable;
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
            Self::ApiKeyNotFound(detail) => ("api-key-not-found", "Not found", detail.as_str(), None),
            Self::UnknownLink { problem_type, detail } => (*problem_type, "Not found", detail.as_str(), None),
            Self::Conflict { problem_type, detail } => (*problem_type, "Conflict", detail.as_str(), None),
            Self::Gone { problem_type, detail } => (*problem_type, "Gone", detail.as_str(), None),
            Self::PreconditionFailed { detail, .. } => {
                ("precondition-failed", "Precondition failed", detail.as_str(), None)
            }
            Self::PayloadTooLarge { limit } => {
                too_large = format!("the body must be at most {limit} bytes");
                ("payload-too-large", "Payload too large", too_large.as_str(), None)
            }
            Self::NotAcceptable { offered } => {
                not_acceptable = format!("this resource is offered as {offered} only; ask for one of them in Accept");
                ("not-acceptable", "Not acceptable", not_acceptable.as_str(), None)
            }
            Self::UnsupportedMediaType => (
                "unsupported-media-type",
                "Unsupported media type",
                "request bodies must be sent as application/json (UTF-8)",
                None,
            ),
            Self::Unavailable(_) => (
                "service-unavailable",
                "Service unavailable",
                "the service is busy or briefly unavailable; nothing was changed, retry after a moment",
                None,
            ),
            Self::Internal(_) => {
                ("internal-error", "Internal error", "the request could not be completed; it changed nothing", None)
            }
        };
        let problem = Problem { problem_type, title, status: status.as_u16(), detail, errors };
        let body = serde_json::to_string(&problem).expect("a problem always serializes");
        let mut response = Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "application/problem+json")
            .body(Body::Text(body))
            .expect("static headers are valid");
        let headers = response.headers_mut();
        match &self {
            Self::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
            }
            Self::PreconditionFailed { current_version: Some(version), .. } => {
                headers.insert(header::ETAG, super::etag(*version));
            }
            _ => {}
        }
        response
    }
}

/// Every refusal of the domain, with its status and problem type.
impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        let forbidden = |problem_type, detail: &str| Self::Forbidden { problem_type, detail: detail.to_owned() };
        match refusal {
            Refusal::Denied(denial) => denial.into(),
            Refusal::CustomerNotFound(customer) => Self::not_found_customer(customer.as_str()),
            Refusal::CustomerNotActive { customer, status } => {
                Self::customer_not_active(customer.as_str(), status.as_str())
            }
            Refusal::CustomerDisabled(customer) => Self::customer_disabled(customer.as_str()),
            Refusal::CustomerNotPending { customer, status } => {
                Self::customer_not_pending(customer.as_str(), status.as_str())
            }
            Refusal::RegistrationNotExpired(customer) => {
                Self::customer_not_pending(customer.as_str(), "registered within the TTL")
            }
            Refusal::MemberNotFound { customer, user } => {
                Self::NotFound(format!("user {:?} is not a member of customer {:?}", user.as_str(), customer.as_str()))
            }
            Refusal::InvitationNotFound { customer, invitation } => {
                Self::not_found_invitation(customer.as_str(), &invitation.to_string())
            }
            Refusal::ProjectNotFound { customer, project } => {
                Self::not_found_project(customer.as_str(), project.as_str())
            }
            Refusal::ServiceUserNotFound { customer, service_user } => {
                Self::not_found_service_user(customer.as_str(), &service_user.to_string())
            }
            Refusal::ApiKeyNotFound(key) => Self::api_key_not_found(&key.to_string()),
            Refusal::TagNotDefined(key) => Self::not_found_tag(key.as_str()),
            Refusal::MessageNotFound => Self::not_found_message(),
            Refusal::InvitationNotResendable(status) => {
                Self::invitation_not_pending("an accepted or cancelled one is not sent again", status)
            }
            Refusal::InvitationNotCancellable(status) => {
                Self::invitation_not_pending("only a pending invitation can be cancelled", status)
            }
            Refusal::InvitationLink(refusal) => refusal.into(),
            Refusal::InvitationLinkUnknown => Self::invitation_link_not_found(),
            Refusal::ConfirmationLinkUnknown => Self::confirmation_not_found(),
            Refusal::ConfirmationLinkExpired => Self::confirmation_expired(),
            Refusal::InvitationEmailMismatch => forbidden(
                "invitation-email-mismatch",
                "the invitation is for another e-mail address than the one you are signed in with",
            ),
            Refusal::EmailRequired => forbidden("email-required", "registering needs an e-mail address in the token"),
            Refusal::EmailNotVerified(NeedsVerifiedEmail::Registering) => {
                forbidden("email-not-verified", "registering needs a verified e-mail address (email_verified)")
            }
            Refusal::EmailNotVerified(NeedsVerifiedEmail::AcceptingInvitation) => forbidden(
                "email-not-verified",
                "accepting an invitation needs a verified e-mail address (email_verified)",
            ),
            Refusal::OtherPartner => {
                forbidden("forbidden", "only platform admins may create customers for another partner")
            }
            Refusal::Tags(error) => error.into(),
            Refusal::InvalidFields(errors) => Self::Validation(errors),
            Refusal::Contended => Self::concurrent_modification(),
            Refusal::AccessReviewTooLarge { what, max } => Self::access_review_too_large(what, max),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        match error {
            DomainError::Refused(refusal) => refusal.into(),
            DomainError::Store(error) => error.into(),
        }
    }
}

/// 410: the link cannot accept its invitation any more, each reason with its own type.
impl From<LinkRefusal> for ApiError {
    fn from(refusal: LinkRefusal) -> Self {
        let (problem_type, detail) = match refusal {
            LinkRefusal::Used => ("invitation-used", "the invitation was accepted already"),
            LinkRefusal::Cancelled => ("invitation-cancelled", "the invitation was cancelled"),
            LinkRefusal::Superseded => {
                ("invitation-superseded", "a newer invitation link was sent; use the link of the latest mail")
            }
            LinkRefusal::Expired => ("invitation-expired", "the invitation has expired; ask for it to be sent again"),
        };
        Self::Gone { problem_type, detail: detail.to_owned() }
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
            ClaimsError::MissingSubject | ClaimsError::ReservedSubject | ClaimsError::IncompleteKey => {
                Self::Unauthenticated(error.to_string())
            }
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
            TagError::TooManyTags => Self::Validation(BTreeMap::from([(
                "tags".to_owned(),
                format!("must have at most {} tags", crate::domain::tags::limits::MAX_TAGS),
            )])),
            TagError::Restricted(keys) => Self::Forbidden {
                problem_type: "restricted-tag",
                detail: format!(
                    "only partner and platform users may set or remove restricted tags: {}",
                    keys.join(", ")
                ),
            },
        }
    }
}

impl From<Conflict> for ApiError {
    fn from(conflict: Conflict) -> Self {
        let conflict_of = |problem_type, detail: String| Self::Conflict { problem_type, detail };
        match conflict {
            Conflict::IdentifierTaken(identifier) => conflict_of(
                "identifier-taken",
                format!("a customer with identifier {:?} already exists", identifier.as_str()),
            ),
            Conflict::AlreadyMember => conflict_of("already-member", "the user is already a member".to_owned()),
            Conflict::InvitationPending(email) => {
                conflict_of("invitation-pending", format!("an invitation for {email} is already pending"))
            }
            Conflict::AddressIsMember(email) => {
                conflict_of("already-member", format!("a member of the customer has the address {email}"))
            }
            Conflict::TooManyInvitations(max) => conflict_of(
                "too-many-invitations",
                format!("the customer has {max} pending invitations, as many as allowed; cancel one first"),
            ),
            Conflict::InvitationChanged | Conflict::InvitationLinkDead => Self::concurrent_modification(),
            Conflict::VersionMismatch { current_version } => Self::PreconditionFailed {
                detail: "the resource was changed since it was read; read it again and retry".to_owned(),
                current_version,
            },
            Conflict::ConfirmationUsed => Self::Gone {
                problem_type: "confirmation-used",
                detail: "the confirmation link was used already".to_owned(),
            },
            Conflict::ConfirmationSuperseded => Self::Gone {
                problem_type: "confirmation-superseded",
                detail: "a newer confirmation link was sent, or the customer no longer awaits confirmation".to_owned(),
            },
            Conflict::TagKeyTaken(key) => {
                conflict_of("tag-key-taken", format!("tag {:?} is already defined", key.as_str()))
            }
            Conflict::TagKeyRetired(key) => conflict_of(
                "tag-key-retired",
                format!(
                    "tag {:?} was defined and deleted; a deleted key is never defined again, choose another",
                    key.as_str()
                ),
            ),
            Conflict::TooManyTagDefinitions => conflict_of(
                "tag-definitions-full",
                format!(
                    "at most {} tag definitions can be in use; delete one first",
                    crate::domain::tags::limits::MAX_DEFINITIONS
                ),
            ),
            Conflict::Inconsistent(what) => Self::Internal(InternalError::Store(Box::new(StoreError::Invariant(what)))),
            Conflict::LastAdmin => conflict_of(
                "last-admin",
                "the customer's last CUSTOMER_ADMIN cannot be removed or demoted; make another member admin first"
                    .to_owned(),
            ),
            Conflict::AccessChanged => Self::concurrent_modification(),
            Conflict::CustomerStatus { customer, status } => match status {
                None => Self::not_found_customer(customer.as_str()),
                Some(CustomerStatus::Disabled) => Self::customer_disabled(customer.as_str()),
                Some(status) => Self::customer_not_active(customer.as_str(), status.as_str()),
            },
            Conflict::QuotaExceeded { customer, quota } => Self::quota_exceeded(customer.as_str(), quota.unwrap_or(0)),
            Conflict::ProjectIdentifierTaken(project) => conflict_of(
                "project-identifier-taken",
                format!("the customer has a project {:?} already", project.as_str()),
            ),
            Conflict::TenantExists(platform) => conflict_of(
                "tenant-exists",
                format!("the project has a tenant on platform {:?} already", platform.as_str()),
            ),
            Conflict::ServiceUserGone(id) => Self::NotFound(format!("service user {id} does not exist")),
            Conflict::TooManyApiKeys => conflict_of(
                "too-many-api-keys",
                format!("at most {} API keys can be in force at once; revoke one first", crate::domain::MAX_API_KEYS),
            ),
            Conflict::ApiKeyGone => Self::ApiKeyNotFound("the API key was revoked already".to_owned()),
            Conflict::AlreadyAcknowledged | Conflict::AlreadyResolved => {
                conflict_of("already-acknowledged", "the message was acknowledged already".to_owned())
            }
            Conflict::NotRecipient => Self::not_found_message(),
            Conflict::RegistrationPending => conflict_of(
                "registration-pending",
                "you have a registration waiting for approval; register another customer once it is approved or declined"
                    .to_owned(),
            ),
            Conflict::PendingCustomerChanged => Self::concurrent_modification(),
            Conflict::OutboxGone | Conflict::HistoryRecorded => {
                Self::Internal(InternalError::Store(Box::new(StoreError::Invariant("record keeping met a request"))))
            }
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Conflict(conflict) => conflict.into(),
            StoreError::InvalidCursor => Self::BadRequest {
                problem_type: "invalid-cursor",
                detail: "the cursor is not one this list returned".to_owned(),
            },
            error if error.is_unavailable() => Self::Unavailable(Box::new(error)),
            error => Self::Internal(InternalError::Store(Box::new(error))),
        }
    }
}

impl From<InternalError> for ApiError {
    fn from(error: InternalError) -> Self {
        Self::Internal(error)
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

    /// The domain's newtypes derive `Debug`: a detail that formatted them with `{:?}` showed
    /// `CustomerIdentifier("acme")` to the caller.
    #[test]
    fn conflicts_name_values_never_rust_types() {
        use crate::domain::{CustomerIdentifier, PlatformName, ProjectIdentifier, TagKey};
        let conflicts = [
            Conflict::IdentifierTaken(CustomerIdentifier::parse("acme").unwrap()),
            Conflict::TagKeyTaken(TagKey::parse("costCenter").unwrap()),
            Conflict::TagKeyRetired(TagKey::parse("costCenter").unwrap()),
            Conflict::ProjectIdentifierTaken(ProjectIdentifier::parse("web-shop").unwrap()),
            Conflict::TenantExists(PlatformName::parse("aws").unwrap()),
        ];
        for conflict in conflicts {
            let detail = body(&ApiError::from(conflict).into_response())["detail"].as_str().unwrap().to_owned();
            assert!(!detail.contains('(') && detail.contains('"'), "{detail}");
        }
    }

    #[test]
    fn internal_causes_are_never_shown() {
        let cause = serde_json::from_str::<u8>("\"connection to 10.0.0.7 refused\"").unwrap_err();
        let response = ApiError::Internal(InternalError::Serialize(cause)).into_response();
        assert_eq!(response.status(), 500);
        let shown = body(&response).to_string();
        assert!(!shown.contains("10.0.0.7") && !shown.contains("u8"), "{shown}");
    }

    #[test]
    fn the_log_gets_the_whole_cause_chain() {
        let cause = serde_json::from_str::<u8>("\"x\"").unwrap_err();
        let chain = error_chain(&ApiError::Internal(InternalError::Serialize(cause)));
        assert!(
            chain.starts_with("internal error: the response body could not be serialized: invalid type"),
            "{chain}"
        );
    }

    #[test]
    fn a_stale_version_is_412_with_the_current_etag() {
        let response: Response<Body> =
            ApiError::from(Conflict::VersionMismatch { current_version: Some(7) }).into_response();
        assert_eq!(response.status(), 412);
        assert_eq!(response.headers()[header::ETAG], "\"7\"");
        assert_eq!(body(&response)["type"], "precondition-failed");
    }

    #[test]
    fn unavailability_is_503_with_retry_after() {
        let throttled = aws_sdk_dynamodb::types::error::ThrottlingException::builder().message("slow down").build();
        let error = StoreError::Unavailable(Box::new(aws_sdk_dynamodb::Error::ThrottlingException(throttled)));
        let response = ApiError::from(error).into_response();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()[header::RETRY_AFTER], "1");
        assert_eq!(body(&response)["type"], "service-unavailable");
    }

    #[test]
    fn media_type_and_size_refusals() {
        assert_eq!(ApiError::UnsupportedMediaType.into_response().status(), 415);
        let too_large = ApiError::PayloadTooLarge { limit: 10 }.into_response();
        assert_eq!(too_large.status(), 413);
        assert_eq!(body(&too_large)["detail"], "the body must be at most 10 bytes");
    }
}
