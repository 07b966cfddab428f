//! `POST /customers/{id}/service-users`: a customer admin creates a service user. Its secret (256
//! random bits) is in this answer and nowhere else: the table keeps its SHA-256, and no event or
//! log line holds it. A DISABLED customer makes none (403 `customer-disabled`).

use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

use meshcustomers::App;
use meshcustomers::access::body_after_access;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, Requires, change_customer};
use meshcustomers::domain::{DisplayName, LinkToken, ServiceUser};
use meshcustomers::events::EventPayload;
use meshcustomers::http::{ApiError, Field, FieldErrors, InternalError, RequestExtensions, UnknownFields, created};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct NewServiceUser {
    name: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

/// The service user and, this once, its secret.
#[derive(Serialize)]
struct WithSecret<'a> {
    #[serde(flatten)]
    service_user: &'a ServiceUser,
    secret: &'a str,
}

#[tracing::instrument(name = "create_service_user", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let customer_id = request.customer_id()?;
    let action = Action::CreateServiceUser;
    let name = body_after_access(&app.store, &principal, &customer_id, action, service_user_name(&request)).await?;
    let secret = LinkToken::generate().map_err(InternalError::from)?;
    let change = CustomerChange::new(&principal, &customer_id, action).requires(Requires::Active);
    let service_user = change_customer(&app.store, change, |loaded, changes| {
        let service_user = ServiceUser::new(customer_id.clone(), name.clone(), principal.user_id.clone(), loaded.now);
        changes.add_service_user(&service_user, secret.hash())?;
        changes.record(loaded.event(EventPayload::ServiceUserCreated((&service_user).into())));
        Ok(Outcome::Write(service_user))
    })
    .await?;
    let location = format!("/customers/{customer_id}/service-users/{}", service_user.service_user_id);
    created(&location, &WithSecret { service_user: &service_user, secret: secret.expose() }, service_user.version)
}

fn service_user_name(request: &Request) -> Result<DisplayName, ApiError> {
    let body: NewServiceUser = request.json_body()?;
    let mut errors = FieldErrors::new();
    let name = errors.required("name", body.name, |raw| DisplayName::parse(&raw));
    errors.unknown("", body.unknown);
    let Some(name) = name else { return Err(errors.into_error()) };
    errors.finish()?;
    Ok(name)
}
