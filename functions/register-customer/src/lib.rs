//! `POST /registrations`: any signed-in user with a verified e-mail address registers a customer
//! and becomes its admin.

use chrono::Utc;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::change::{IfMatch, Loaded, NeedsVerifiedEmail, Outcome, Refusal, change};
use meshcustomers::config::{self, ConfigError, Environment};
use meshcustomers::domain::{
    Customer, CustomerIdentifier, CustomerRole, CustomerStatus, DisplayName, JoinedVia, Membership, PartnerId,
    ProjectQuota, TagWriter, validate_tags,
};
use meshcustomers::events::{Actor, DomainEvent, EventPayload};
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, TagsInput, UnknownFields, created};
use meshcustomers::store::NewCustomer;

pub struct Settings {
    pub require_customer_approval: bool,
    pub default_project_quota: ProjectQuota,
    /// The managing partner of self-registered customers.
    pub default_partner_id: PartnerId,
}

impl config::Settings for Settings {
    fn read(environment: &Environment) -> Result<Self, ConfigError> {
        Ok(Self {
            require_customer_approval: config::require_customer_approval(environment)?,
            default_project_quota: config::default_project_quota(environment)?,
            default_partner_id: config::default_partner_id(environment)?,
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Registration {
    identifier: Field<String>,
    display_name: Field<String>,
    tags: Field<TagsInput>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

#[tracing::instrument(name = "register_customer", skip_all, fields(user))]
pub async fn handle(app: &App<Settings>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let role = authorize(&principal, Action::RegisterCustomer, None)?;
    // The "being verified" and "approved" mails go to the registrant: only to an address the
    // identity provider has verified.
    let email = principal.email.clone().ok_or(Refusal::EmailRequired)?;
    if !principal.email_verified {
        return Err(Refusal::EmailNotVerified(NeedsVerifiedEmail::Registering).into());
    }
    let body: Registration = request.json_body()?;

    let mut errors = FieldErrors::new();
    let identifier = errors.required("identifier", body.identifier, |raw| CustomerIdentifier::parse(&raw));
    let display_name = errors.required("displayName", body.display_name, |raw| DisplayName::parse(&raw));
    let tags = errors.optional("tags", body.tags, Ok).unwrap_or_default();
    errors.unknown("", body.unknown);
    let (Some(identifier), Some(display_name)) = (identifier, display_name) else {
        return Err(errors.into_error());
    };
    errors.finish()?;
    let settings = &app.settings;
    let load = || async { Ok(Loaded::new(&app.store, app.store.tag_definitions().await?)) };
    let customer = change(&app.store, &IfMatch::Any, None, load, |definitions, changes| {
        let tags = validate_tags(definitions, &tags, TagWriter::Customer)?;
        let now = Utc::now();
        let status =
            if settings.require_customer_approval { CustomerStatus::PendingApproval } else { CustomerStatus::Active };
        let customer = Customer::new(
            identifier.clone(),
            display_name.clone(),
            status,
            settings.default_partner_id.clone(),
            settings.default_project_quota,
            tags,
            principal.user_id.clone(),
            now,
        );
        let registrant = Membership::new(
            customer.identifier.clone(),
            principal.user_id.clone(),
            Some(email.clone()),
            principal.name.clone(),
            CustomerRole::CustomerAdmin,
            JoinedVia::Registration,
            now,
        )
        .with_added_by(Some(principal.user_id.clone()));
        let registered = EventPayload::CustomerRegistered((&customer).into());
        let event = DomainEvent::new(&customer.identifier, Actor::new(&principal, role), now, registered);
        let members = vec![registrant];
        let new = NewCustomer { customer: customer.clone(), members, invitations: Vec::new(), events: vec![event] };
        changes.create_customer(new)?;
        Ok(Outcome::Write(customer))
    })
    .await?;
    created(&format!("/customers/{}", customer.identifier), &customer, customer.version)
}
