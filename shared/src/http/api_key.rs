//! What the API key routes share: the bodies that make a key, the partner a partner-key route acts
//! on, and the answer that shows a new key, once.

use chrono::{DateTime, Utc};
use lambda_http::Request;
use serde::{Deserialize, Serialize};

use super::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields};
use crate::domain::{ApiKey, ApiKeyRole, DisplayName, FieldError, PartnerId, parse_key_expiry};
use crate::principal::{AdminRole, Principal};

/// A key as asked for: its name, role and end (`None`: it does not expire).
#[derive(Debug, Clone, PartialEq)]
pub struct KeyRequest {
    pub name: DisplayName,
    pub role: ApiKeyRole,
    pub expires_at: Option<DateTime<Utc>>,
}

/// `POST /api-keys` as sent.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct PartnerKeyBody {
    name: Field<String>,
    role: Field<String>,
    expires_at: Field<String>,
    partner_id: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

/// `POST /customers/{id}/api-keys` as sent.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct CustomerKeyBody {
    name: Field<String>,
    role: Field<String>,
    expires_at: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

/// The body of `POST /api-keys`: the key asked for, and the partner it names (if it names one).
pub fn partner_key_request(request: &Request, now: DateTime<Utc>) -> Result<(KeyRequest, Option<PartnerId>), ApiError> {
    let body: PartnerKeyBody = request.json_body()?;
    let mut errors = FieldErrors::new();
    let partner = errors.optional("partnerId", body.partner_id, |raw| PartnerId::parse(&raw));
    let key = key_request(&mut errors, body.name, body.role, body.expires_at, ApiKeyRole::parse_partner, now);
    errors.unknown("", body.unknown);
    let Some(key) = key else { return Err(errors.into_error()) };
    errors.finish()?;
    Ok((key, partner))
}

/// The body of `POST /customers/{id}/api-keys`.
pub fn customer_key_request(request: &Request, now: DateTime<Utc>) -> Result<KeyRequest, ApiError> {
    let body: CustomerKeyBody = request.json_body()?;
    let mut errors = FieldErrors::new();
    let key = key_request(&mut errors, body.name, body.role, body.expires_at, ApiKeyRole::parse_customer, now);
    errors.unknown("", body.unknown);
    let Some(key) = key else { return Err(errors.into_error()) };
    errors.finish()?;
    Ok(key)
}

fn key_request(
    errors: &mut FieldErrors,
    name: Field<String>,
    role: Field<String>,
    expires_at: Field<String>,
    parse_role: fn(&str) -> Result<ApiKeyRole, FieldError>,
    now: DateTime<Utc>,
) -> Option<KeyRequest> {
    let name = errors.required("name", name, |raw| DisplayName::parse(&raw));
    let role = errors.required("role", role, |raw| parse_role(&raw));
    let expires_at = match expires_at {
        Field::Absent => Some(None),
        expires_at => errors.optional("expiresAt", expires_at, |raw| parse_key_expiry(&raw, now)).map(Some),
    };
    Some(KeyRequest { name: name?, role: role?, expires_at: expires_at? })
}

/// The `partnerId` query parameter of the partner-key routes, if sent.
pub fn partner_query(request: &Request) -> Result<Option<PartnerId>, ApiError> {
    request
        .query_parameter("partnerId")
        .map(|raw| PartnerId::parse(&raw))
        .transpose()
        .map_err(|error| ApiError::Validation([("partnerId".to_owned(), error.message().to_owned())].into()))
}

/// The partner whose keys a caller allowed [`crate::authorization::Action::ManagePartnerKeys`]
/// manages: a partner admin's own (naming another is 403), the one a platform admin names (400
/// when none is named).
pub fn key_partner(principal: &Principal, named: Option<PartnerId>) -> Result<PartnerId, ApiError> {
    let forbidden = |detail: &str| ApiError::Forbidden { problem_type: "forbidden", detail: detail.to_owned() };
    match (principal.admin_role(), &principal.partner_id, named) {
        (Some(AdminRole::PlatformAdmin), _, Some(named)) => Ok(named),
        (Some(AdminRole::PlatformAdmin), _, None) => Err(ApiError::Validation(
            [("partnerId".to_owned(), "is required: name the partner whose keys are meant".to_owned())].into(),
        )),
        (Some(AdminRole::PartnerAdmin), Some(own), named) => match named {
            Some(named) if named != *own => Err(forbidden("a partner admin manages their own partner's keys only")),
            _ => Ok(own.clone()),
        },
        _ => Err(forbidden("your roles do not allow this action")),
    }
}

/// A new key's answer: its description and, this once, the key itself.
#[derive(Serialize)]
pub struct WithKey<'a> {
    #[serde(flatten)]
    pub api_key: &'a ApiKey,
    pub key: &'a str,
}

/// A list of keys, never with the keys themselves.
#[derive(Serialize)]
pub struct KeyList {
    pub items: Vec<ApiKey>,
}
