//! `POST /customers`: an admin-area user creates an ACTIVE customer, optionally inviting users.

use chrono::Utc;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

use meshcustomers::App;
use meshcustomers::authorization::{Action, Denial, authorize};
use meshcustomers::domain::{
    Customer, CustomerIdentifier, CustomerRole, CustomerStatus, DisplayName, EmailAddress, GeneratedId, Invitation,
    InvitationStatus, PartnerId, PartnerScope, ProjectQuota, TagWriter, validate_tags,
};
use meshcustomers::events::{Actor, DomainEvent, EventPayload};
use meshcustomers::http::{ApiError, FieldErrors, RequestExtensions, created, respond};
use meshcustomers::principal::Principal;
use meshcustomers::store::NewCustomer;

/// Keeps one creation within a single DynamoDB transaction (two items per invitation).
const MAX_INVITED_USERS: usize = 20;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateCustomer {
    identifier: String,
    display_name: String,
    project_quota: Option<i64>,
    #[serde(default)]
    tags: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    users: Vec<InvitedUser>,
    partner_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InvitedUser {
    email: String,
    role: String,
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(create_customer(app, &request).await)
}

async fn create_customer(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let role = authorize(&principal, Action::CreateCustomer, None)?;
    let body: CreateCustomer = request.json_body()?;

    let mut errors = FieldErrors::new();
    let identifier = errors.check("identifier", CustomerIdentifier::parse(&body.identifier));
    let display_name = errors.check("displayName", DisplayName::parse(&body.display_name));
    let quota = match body.project_quota {
        None => Some(app.config.default_project_quota),
        Some(quota) => errors.check("projectQuota", ProjectQuota::parse(quota)),
    };
    let requested_partner = match body.partner_id.as_deref() {
        None => Some(None),
        Some(raw) => errors.check("partnerId", PartnerId::parse(raw)).map(Some),
    };
    let users = invited_users(&body.users, &mut errors);
    let (Some(identifier), Some(display_name), Some(quota), Some(requested_partner)) =
        (identifier, display_name, quota, requested_partner)
    else {
        return Err(errors.into_error());
    };
    errors.finish()?;
    let partner = managing_partner(app, &principal, requested_partner)?;
    let tags = validate_tags(&app.store.tag_definitions().await?, &body.tags, TagWriter::AdminArea)?;

    let now = Utc::now();
    let customer = Customer::new(
        identifier,
        display_name,
        CustomerStatus::Active,
        partner,
        quota,
        tags,
        principal.user_id.clone(),
        now,
    );
    let invitations: Vec<Invitation> = users
        .into_iter()
        .map(|(email, role)| Invitation {
            id: GeneratedId::new(),
            customer_id: customer.identifier.clone(),
            email,
            role,
            status: InvitationStatus::Pending,
            invited_by: principal.user_id.clone(),
            created_at: now,
            expires_at: now + app.config.invitation_ttl,
        })
        .collect();
    let actor = Actor::new(&principal, role);
    let event = |payload| DomainEvent::new(&customer.identifier, actor.clone(), now, payload);
    let events = std::iter::once(event(EventPayload::CustomerCreated((&customer).into())))
        .chain(invitations.iter().map(|invitation| event(EventPayload::UserInvited(invitation.into()))))
        .collect();

    app.store
        .create_customer(NewCustomer { customer: customer.clone(), members: Vec::new(), invitations, events })
        .await?;
    created(&format!("/customers/{}", customer.identifier), &customer)
}

/// Platform admins may name any partner (default: their own, else the installation's default);
/// partner users create customers for their own partner only.
fn managing_partner(app: &App, principal: &Principal, requested: Option<PartnerId>) -> Result<PartnerId, ApiError> {
    let scope = principal.partner_scope().ok_or(Denial::Forbidden)?;
    match (requested, scope) {
        (Some(partner), scope) if scope.includes(&partner) => Ok(partner),
        (Some(_), _) => Err(ApiError::Forbidden {
            problem_type: "forbidden",
            detail: "only platform admins may create customers for another partner".into(),
        }),
        (None, PartnerScope::Partner(own)) => Ok(own.clone()),
        (None, PartnerScope::EveryPartner) => {
            Ok(principal.partner_id.clone().unwrap_or_else(|| app.config.default_partner_id.clone()))
        }
    }
}

fn invited_users(users: &[InvitedUser], errors: &mut FieldErrors) -> Vec<(EmailAddress, CustomerRole)> {
    if users.len() > MAX_INVITED_USERS {
        errors.add("users", format!("at most {MAX_INVITED_USERS} users can be invited at creation"));
    }
    let mut seen = BTreeSet::new();
    let mut parsed = Vec::new();
    for (index, user) in users.iter().enumerate() {
        let email = errors.check(format!("users[{index}].email"), EmailAddress::parse(&user.email));
        let role = errors.check(format!("users[{index}].role"), CustomerRole::parse(&user.role));
        if let (Some(email), Some(role)) = (email, role) {
            if seen.insert(email.clone()) {
                parsed.push((email, role));
            } else {
                errors.add(format!("users[{index}].email"), "is listed more than once");
            }
        }
    }
    parsed
}
