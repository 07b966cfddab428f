//! `POST /customers`: an admin-area user creates an ACTIVE customer, optionally inviting users.

use chrono::{DateTime, Utc};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use std::collections::BTreeSet;

use meshcustomers::App;
use meshcustomers::authorization::{Action, Denial, authorize};
use meshcustomers::change::{IfMatch, Loaded, Outcome, Refusal, change};
use meshcustomers::config::{self, ConfigError, Environment};
use meshcustomers::domain::{
    Customer, CustomerIdentifier, CustomerRole, CustomerStatus, DisplayName, EmailAddress, Invitation, PartnerId,
    PartnerScope, ProjectQuota, TagWriter, parse_membership_expiry, validate_tags,
};
use meshcustomers::events::{Actor, DomainEvent, EventPayload, UserInvited};
use meshcustomers::http::{
    ApiError, Field, FieldErrors, JsonType, RequestExtensions, TagsInput, UnknownFields, created,
};
use meshcustomers::principal::Principal;
use meshcustomers::store::NewCustomer;

/// Keeps one creation within a single DynamoDB transaction (two items per invitation).
pub const MAX_INVITED_USERS: usize = 20;

pub struct Settings {
    pub default_project_quota: ProjectQuota,
    /// The managing partner when a platform admin names none and has none.
    pub default_partner_id: PartnerId,
    /// The invitations made at creation are pending ones too.
    pub invitations: config::InvitationSettings,
}

impl config::Settings for Settings {
    fn read(environment: &Environment) -> Result<Self, ConfigError> {
        Ok(Self {
            default_project_quota: config::default_project_quota(environment)?,
            default_partner_id: config::default_partner_id(environment)?,
            invitations: config::InvitationSettings::read(environment)?,
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct CreateCustomer {
    identifier: Field<String>,
    display_name: Field<String>,
    project_quota: Field<i64>,
    tags: Field<TagsInput>,
    users: Field<Vec<Field<InvitedUser>>>,
    partner_id: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct InvitedUser {
    email: Field<String>,
    role: Field<String>,
    membership_expires_at: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

impl JsonType for InvitedUser {
    const EXPECTED: &'static str = "must be an object with email and role";
}

#[tracing::instrument(name = "create_customer", skip_all, fields(user))]
pub async fn handle(app: &App<Settings>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let role = authorize(&principal, Action::CreateCustomer, None)?;
    let body: CreateCustomer = request.json_body()?;

    let mut errors = FieldErrors::new();
    let identifier = errors.required("identifier", body.identifier, |raw| CustomerIdentifier::parse(&raw));
    let display_name = errors.required("displayName", body.display_name, |raw| DisplayName::parse(&raw));
    let quota = errors.optional("projectQuota", body.project_quota, ProjectQuota::parse);
    let requested_partner = errors.optional("partnerId", body.partner_id, |raw| PartnerId::parse(&raw));
    let tags = errors.optional("tags", body.tags, Ok).unwrap_or_default();
    let users = invited_users(body.users, app.settings.invitations.max_pending_invitations, &mut errors);
    errors.unknown("", body.unknown);
    let (Some(identifier), Some(display_name)) = (identifier, display_name) else {
        return Err(errors.into_error());
    };
    errors.finish()?;
    let partner = managing_partner(&app.settings, &principal, requested_partner)?;
    let settings = &app.settings;
    let load = || async { Ok(Loaded::new(&app.store, app.store.tag_definitions().await?)) };
    let customer = change(&app.store, &IfMatch::Any, None, load, |definitions, changes| {
        let tags = validate_tags(definitions, &tags, TagWriter::AdminArea)?;
        let now = Utc::now();
        let customer = Customer::new(
            identifier.clone(),
            display_name.clone(),
            CustomerStatus::Active,
            partner.clone(),
            quota.unwrap_or(settings.default_project_quota),
            tags,
            principal.user_id.clone(),
            now,
        );
        let invitations: Vec<Invitation> = users
            .iter()
            .map(|user| {
                let (customer, inviter) = (customer.identifier.clone(), principal.user_id.clone());
                Invitation::new(
                    customer,
                    user.email.clone(),
                    user.role,
                    inviter,
                    now,
                    settings.invitations.invitation_ttl,
                )
                .with_membership_end(user.membership_end)
            })
            .collect();
        let actor = Actor::new(&principal, role);
        let event = |payload| DomainEvent::new(&customer.identifier, actor.clone(), now, payload);
        let events = std::iter::once(event(EventPayload::CustomerCreated((&customer).into())))
            .chain(invitations.iter().map(|invitation| {
                event(EventPayload::UserInvited(UserInvited::new(invitation, customer.display_name.as_str())))
            }))
            .collect();
        changes.create_customer(NewCustomer {
            customer: customer.clone(),
            members: Vec::new(),
            invitations,
            events,
        })?;
        Ok(Outcome::Write(customer))
    })
    .await?;
    created(&format!("/customers/{}", customer.identifier), &customer, customer.version)
}

/// Platform admins may name any partner (default: their own, else the installation's default);
/// partner users create customers for their own partner only.
fn managing_partner(
    settings: &Settings,
    principal: &Principal,
    requested: Option<PartnerId>,
) -> Result<PartnerId, Refusal> {
    let scope = principal.partner_scope().ok_or(Denial::Forbidden)?;
    match (requested, scope) {
        (Some(partner), scope) if scope.includes(&partner) => Ok(partner),
        (Some(_), _) => Err(Refusal::OtherPartner),
        (None, PartnerScope::Partner(own)) => Ok(own.clone()),
        (None, PartnerScope::EveryPartner) => {
            Ok(principal.partner_id.clone().unwrap_or_else(|| settings.default_partner_id.clone()))
        }
    }
}

/// One user to invite at creation, parsed.
struct Invitee {
    email: EmailAddress,
    role: CustomerRole,
    /// When the membership the acceptance makes ends (none: it does not).
    membership_end: Option<DateTime<Utc>>,
}

/// The users to invite, at most [`MAX_INVITED_USERS`] and at most `max_pending` (a smaller
/// `MAX_PENDING_INVITATIONS`).
fn invited_users(users: Field<Vec<Field<InvitedUser>>>, max_pending: u32, errors: &mut FieldErrors) -> Vec<Invitee> {
    let users = errors.optional("users", users, Ok).unwrap_or_default();
    let max = MAX_INVITED_USERS.min(usize::try_from(max_pending).unwrap_or(usize::MAX));
    if users.len() > max {
        errors.add("users", format!("at most {max} users can be invited at creation"));
        return Vec::new();
    }
    let mut seen = BTreeSet::new();
    let mut parsed = Vec::new();
    for (index, user) in users.into_iter().enumerate() {
        let path = format!("users[{index}]");
        let Some(user) = errors.required(&path, user, Ok) else { continue };
        let email = errors.required(&format!("{path}.email"), user.email, |raw| EmailAddress::parse(&raw));
        let role = errors.required(&format!("{path}.role"), user.role, |raw| CustomerRole::parse(&raw));
        let membership_end = match user.membership_expires_at {
            Field::Absent => Some(None),
            raw => errors
                .optional(&format!("{path}.membershipExpiresAt"), raw, |raw| parse_membership_expiry(&raw, Utc::now()))
                .map(Some),
        };
        errors.unknown(&path, user.unknown);
        if let (Some(email), Some(role), Some(membership_end)) = (email, role, membership_end) {
            if seen.insert(email.clone()) {
                parsed.push(Invitee { email, role, membership_end });
            } else {
                errors.add(format!("{path}.email"), "is listed more than once");
            }
        }
    }
    parsed
}
