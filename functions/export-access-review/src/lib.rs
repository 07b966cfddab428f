//! `GET /customers/{id}/access-review`: what a person reviewing the customer's access needs in
//! one answer (SPEC §6.3): every current member with how, when and by whom they came, their last
//! role change, their end and when a review last kept them; the customer's service users and its
//! API keys (never a secret, a key or a hash). JSON by default; CSV when `Accept` rates
//! `text/csv` higher (content negotiation with quality values; nothing acceptable is 406).
//!
//! Bounded: at most [`MAX_REVIEW_MEMBERS`] members and [`MAX_EXPORT_SERVICE_USERS`] service users
//! (a customer with more is refused `access-review-too-large`), and at most 50 keys, so the
//! answer stays well below Lambda's 6 MB. Round trips: the customer with the caller's membership,
//! then four Queries at once (members, service users, keys, the latest review).

use chrono::{DateTime, SecondsFormat, Utc};
use lambda_http::http::{HeaderValue, header};
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use std::collections::HashMap;

use meshcustomers::App;
use meshcustomers::access::customer_access;
use meshcustomers::authorization::Action;
use meshcustomers::change::Refusal;
use meshcustomers::domain::{
    AccessReview, ApiKey, CustomerIdentifier, GeneratedId, KeptMembership, KeyOwner, MAX_EXPORT_SERVICE_USERS,
    MAX_REVIEW_MEMBERS, Membership, ServiceUser, UserId,
};
use meshcustomers::events::rfc3339_millis;
use meshcustomers::http::{ApiError, InternalError, RequestExtensions, negotiate};

const JSON: &str = "application/json";
const CSV: &str = "text/csv";

#[tracing::instrument(name = "export_access_review", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    customer_access(&app.store, &principal, &identifier, Action::ExportAccessReview).await?;
    let media_type = negotiate(&request, &[JSON, CSV])?;
    let owner = KeyOwner::Customer { customer_id: identifier.clone() };
    let (members, service_users, keys, latest) = tokio::try_join!(
        app.store.current_members(&identifier, MAX_REVIEW_MEMBERS),
        app.store.service_users_up_to(&identifier, MAX_EXPORT_SERVICE_USERS),
        app.store.api_keys_of(&owner),
        app.store.latest_access_review(&identifier),
    )?;
    let members = members.ok_or(Refusal::AccessReviewTooLarge { what: "members", max: MAX_REVIEW_MEMBERS })?;
    let service_users =
        service_users.ok_or(Refusal::AccessReviewTooLarge { what: "service users", max: MAX_EXPORT_SERVICE_USERS })?;
    let now = Utc::now();
    let export = Export::new(identifier, now, &members, &service_users, &keys, latest);
    let response = match media_type {
        CSV => Response::builder()
            .header(header::CONTENT_TYPE, "text/csv; charset=utf-8; header=present")
            .header(header::CONTENT_DISPOSITION, export.attachment())
            .body(Body::Text(export.csv().map_err(|error| ApiError::Internal(InternalError::Csv(error.to_string())))?)),
        _ => Response::builder()
            .header(header::CONTENT_TYPE, JSON)
            .body(Body::Text(serde_json::to_string(&export).map_err(InternalError::from)?)),
    };
    let mut response = response.map_err(InternalError::from)?;
    let headers = response.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    // Who may reach what, as of now: never from a shared cache.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The export, as the JSON answer; the CSV has one row per member, service user and key.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    pub customer_id: CustomerIdentifier,
    #[serde(with = "rfc3339_millis")]
    pub generated_at: DateTime<Utc>,
    pub members: Vec<MemberRow>,
    pub service_users: Vec<ServiceUserRow>,
    pub api_keys: Vec<KeyRow>,
    /// The latest review; `null` before the first.
    pub last_review: Option<ReviewSummary>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberRow {
    pub user_id: UserId,
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: &'static str,
    #[serde(with = "rfc3339_millis")]
    pub joined_at: DateTime<Utc>,
    pub joined_via: &'static str,
    /// Who added them; `null` for memberships made before it was recorded.
    pub added_by: Option<UserId>,
    #[serde(with = "rfc3339_millis::optional")]
    pub last_role_change_at: Option<DateTime<Utc>>,
    #[serde(with = "rfc3339_millis::optional")]
    pub expires_at: Option<DateTime<Utc>>,
    /// When the latest review kept this membership as it is; `null`: not since it joined or
    /// last changed.
    #[serde(with = "rfc3339_millis::optional")]
    pub last_reviewed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceUserRow {
    pub service_user_id: GeneratedId,
    pub name: String,
    #[serde(with = "rfc3339_millis")]
    pub created_at: DateTime<Utc>,
    pub created_by: UserId,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyRow {
    pub key_id: GeneratedId,
    pub name: String,
    pub role: &'static str,
    #[serde(with = "rfc3339_millis")]
    pub created_at: DateTime<Utc>,
    pub created_by: UserId,
    #[serde(with = "rfc3339_millis::optional")]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(with = "rfc3339_millis::optional")]
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewSummary {
    pub review_id: GeneratedId,
    #[serde(with = "rfc3339_millis")]
    pub reviewed_at: DateTime<Utc>,
    pub reviewed_by: UserId,
}

/// The CSV's columns. Service users and keys fill `addedBy` with their creator and `joinedAt`
/// with their creation.
pub const CSV_HEADER: [&str; 12] = [
    "kind",
    "id",
    "name",
    "email",
    "role",
    "joinedVia",
    "addedBy",
    "joinedAt",
    "lastRoleChangeAt",
    "expiresAt",
    "lastReviewedAt",
    "lastUsedAt",
];

impl Export {
    pub fn new(
        customer_id: CustomerIdentifier,
        generated_at: DateTime<Utc>,
        members: &[Membership],
        service_users: &[ServiceUser],
        keys: &[ApiKey],
        latest: Option<(AccessReview, Vec<KeptMembership>)>,
    ) -> Self {
        let kept: HashMap<&UserId, &KeptMembership> = latest
            .as_ref()
            .map(|(_, kept)| kept.iter().map(|kept| (&kept.user_id, kept)).collect())
            .unwrap_or_default();
        let reviewed_at = |member: &Membership| {
            let (review, _) = latest.as_ref()?;
            kept.get(&member.user_id).is_some_and(|kept| kept.is(member)).then_some(review.reviewed_at)
        };
        let members = members
            .iter()
            .map(|member| MemberRow {
                user_id: member.user_id.clone(),
                email: member.email.as_ref().map(ToString::to_string),
                name: member.name.clone(),
                role: member.role.as_str(),
                joined_at: member.joined_at,
                joined_via: member.joined_via.as_str(),
                added_by: member.added_by.clone(),
                last_role_change_at: member.last_role_change_at,
                expires_at: member.expires_at,
                last_reviewed_at: reviewed_at(member),
            })
            .collect();
        let service_users = service_users
            .iter()
            .map(|service_user| ServiceUserRow {
                service_user_id: service_user.service_user_id,
                name: service_user.name.to_string(),
                created_at: service_user.created_at,
                created_by: service_user.created_by.clone(),
            })
            .collect();
        let api_keys = keys
            .iter()
            .map(|key| KeyRow {
                key_id: key.key_id,
                name: key.name.to_string(),
                role: key.role.as_str(),
                created_at: key.created_at,
                created_by: key.created_by.clone(),
                expires_at: key.expires_at,
                last_used_at: key.last_used_at,
            })
            .collect();
        let last_review = latest.map(|(review, _)| ReviewSummary {
            review_id: review.review_id,
            reviewed_at: review.reviewed_at,
            reviewed_by: review.reviewed_by,
        });
        Self { customer_id, generated_at, members, service_users, api_keys, last_review }
    }

    /// `attachment; filename="access-review-<id>-<date>.csv"` (the identifier holds only
    /// `a-z 0-9 -`, so the name needs no escaping).
    pub fn attachment(&self) -> String {
        format!(
            "attachment; filename=\"access-review-{}-{}.csv\"",
            self.customer_id,
            self.generated_at.format("%Y-%m-%d")
        )
    }

    /// RFC 4180: a header row, then one row per member, service user and key; CRLF line ends,
    /// fields quoted where they must be, and every cell that a spreadsheet would take as a
    /// formula neutralized ([`cell`]).
    pub fn csv(&self) -> Result<String, csv::Error> {
        let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        writer.write_record(CSV_HEADER)?;
        let maybe = |at: &Option<DateTime<Utc>>| at.as_ref().map(millis).unwrap_or_default();
        for member in &self.members {
            let row: [&str; 12] = [
                "MEMBER",
                member.user_id.as_str(),
                member.name.as_deref().unwrap_or_default(),
                member.email.as_deref().unwrap_or_default(),
                member.role,
                member.joined_via,
                member.added_by.as_ref().map(UserId::as_str).unwrap_or_default(),
                &millis(&member.joined_at),
                &maybe(&member.last_role_change_at),
                &maybe(&member.expires_at),
                &maybe(&member.last_reviewed_at),
                "",
            ];
            writer.write_record(row.map(cell))?;
        }
        for service_user in &self.service_users {
            let row: [&str; 12] = [
                "SERVICE_USER",
                &service_user.service_user_id.to_string(),
                &service_user.name,
                "",
                "",
                "",
                service_user.created_by.as_str(),
                &millis(&service_user.created_at),
                "",
                "",
                "",
                "",
            ];
            writer.write_record(row.map(cell))?;
        }
        for key in &self.api_keys {
            let row: [&str; 12] = [
                "API_KEY",
                &key.key_id.to_string(),
                &key.name,
                "",
                key.role,
                "",
                key.created_by.as_str(),
                &millis(&key.created_at),
                "",
                &maybe(&key.expires_at),
                "",
                &maybe(&key.last_used_at),
            ];
            writer.write_record(row.map(cell))?;
        }
        let bytes = writer.into_inner().map_err(|error| error.into_error())?;
        Ok(String::from_utf8(bytes).expect("the writer writes the UTF-8 it is given"))
    }
}

fn millis(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// A cell as a spreadsheet may safely open it (OWASP, "CSV Injection"): one that begins with `=`,
/// `+`, `-`, `@`, a tab or a carriage return would be read as a formula, so it gets a leading `'`
/// and is shown as the text it is.
pub fn cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{value}") } else { value.to_owned() }
}
