//! `POST /customers/{id}/users/me` ("Add Myself"): a partner or platform user in scope becomes a
//! member of the customer with the configured role, saying why if they like. The customer's
//! admins are told by mail (email-sender, on USER_ASSIGNED_HIMSELF).

use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::access::body_after_access;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, change_customer};
use meshcustomers::config::{self, ConfigError, Environment};
use meshcustomers::domain::{CustomerRole, JoinedVia, Membership, Reason};
use meshcustomers::events::{EventPayload, UserAssignedHimself};
use meshcustomers::http::{
    ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, created, path_segment, respond,
};

pub struct Settings {
    /// The role a partner or platform user gets in the customer.
    pub self_assign_role: CustomerRole,
}

impl config::Settings for Settings {
    fn read(environment: &Environment) -> Result<Self, ConfigError> {
        Ok(Self { self_assign_role: config::self_assign_role(environment)? })
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct AddMyself {
    reason: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

pub async fn handle(app: &App<Settings>, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(add_myself(app, &request).await)
}

#[tracing::instrument(name = "add_myself", skip_all, fields(user))]
async fn add_myself(app: &App<Settings>, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    // Authorization before validation: the body's errors only to a caller who may act.
    let parsed = (|| -> Result<_, ApiError> {
        let body: AddMyself = request.optional_json_body()?;
        let mut errors = FieldErrors::new();
        let reason = errors.optional("reason", body.reason, |raw| Reason::parse(&raw));
        errors.unknown("", body.unknown);
        errors.finish()?;
        Ok(reason)
    })();
    let reason = body_after_access(&app.store, &principal, &identifier, Action::AddMyself, parsed).await?;

    let change = CustomerChange::new(&principal, &identifier, Action::AddMyself);
    let membership = change_customer(&app.store, change, |loaded, changes| {
        let membership = Membership::new(
            identifier.clone(),
            principal.user_id.clone(),
            principal.email.clone(),
            principal.name.clone(),
            app.settings.self_assign_role,
            JoinedVia::SelfAssignment,
            loaded.now,
        );
        // Already a member: 409 `already-member`, decided by the member item's condition.
        changes.add_member(&membership)?;
        let joined =
            UserAssignedHimself { user_id: membership.user_id.clone(), role: membership.role, reason: reason.clone() };
        changes.record(loaded.event(EventPayload::UserAssignedHimself(joined)));
        Ok(Outcome::Write(membership))
    })
    .await?;
    let location = format!("/customers/{identifier}/users/{}", path_segment(membership.user_id.as_str()));
    created(&location, &membership, membership.version)
}
