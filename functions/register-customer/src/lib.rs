//! `POST /registrations`: any signed-in user registers a customer and becomes its admin.

use chrono::Utc;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use std::collections::BTreeMap;

use meshcustomers::App;
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::domain::{
    Customer, CustomerIdentifier, CustomerRole, CustomerStatus, DisplayName, Membership, TagWriter, validate_tags,
};
use meshcustomers::events::{Actor, DomainEvent, EventPayload};
use meshcustomers::http::{ApiError, FieldErrors, RequestExtensions, created, respond};
use meshcustomers::store::NewCustomer;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Registration {
    identifier: String,
    display_name: String,
    #[serde(default)]
    tags: BTreeMap<String, Vec<String>>,
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(register(app, &request).await)
}

async fn register(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let role = authorize(&principal, Action::RegisterCustomer, None)?;
    // The "being verified" and "approved" mails go to the registrant.
    let email = principal.email.clone().ok_or_else(|| ApiError::Forbidden {
        problem_type: "email-required",
        detail: "registering needs an e-mail address in the token".into(),
    })?;
    let body: Registration = request.json_body()?;

    let mut errors = FieldErrors::new();
    let identifier = errors.check("identifier", CustomerIdentifier::parse(&body.identifier));
    let display_name = errors.check("displayName", DisplayName::parse(&body.display_name));
    let (Some(identifier), Some(display_name)) = (identifier, display_name) else {
        return Err(errors.into_error());
    };
    let tags = validate_tags(&app.store.tag_definitions().await?, &body.tags, TagWriter::Customer)?;

    let now = Utc::now();
    let status =
        if app.config.require_customer_approval { CustomerStatus::PendingApproval } else { CustomerStatus::Active };
    let customer = Customer::new(
        identifier,
        display_name,
        status,
        app.config.default_partner_id.clone(),
        app.config.default_project_quota,
        tags,
        principal.user_id.clone(),
        now,
    );
    let registrant = Membership {
        customer_id: customer.identifier.clone(),
        user_id: principal.user_id.clone(),
        email: Some(email),
        name: principal.name.clone(),
        role: CustomerRole::CustomerAdmin,
        joined_at: now,
    };
    let event = DomainEvent::new(
        &customer.identifier,
        Actor::new(&principal, role),
        now,
        EventPayload::CustomerRegistered((&customer).into()),
    );

    app.store
        .create_customer(NewCustomer {
            customer: customer.clone(),
            members: vec![registrant],
            invitations: Vec::new(),
            events: vec![event],
        })
        .await?;
    created(&format!("/customers/{}", customer.identifier), &customer)
}
