//! `POST /customers/{id}/service-users`: a customer admin creates a service user. Its secret (256
//! random bits) is in this answer and nowhere else: the table keeps its SHA-256, and no event or
//! log line holds it. A DISABLED customer makes none (403 `customer-disabled`).

use chrono::Utc;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

use meshcustomers::App;
use meshcustomers::access::{access_refusal, customer_access, require_active};
use meshcustomers::authorization::Action;
use meshcustomers::domain::{CustomerRole, CustomerStatus, DisplayName, LinkToken, ServiceUser};
use meshcustomers::events::{Actor, DomainEvent, EventPayload};
use meshcustomers::http::{
    ApiError, Field, FieldErrors, InternalError, RequestExtensions, UnknownFields, created, respond,
};
use meshcustomers::store::{Conflict, StoreError};

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

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(create_service_user(app, &request).await)
}

#[tracing::instrument(name = "create_service_user", skip_all, fields(user))]
async fn create_service_user(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let customer_id = request.customer_id()?;
    // Access first: a caller who may not act learns nothing from the body's errors.
    let action = Action::CreateServiceUser;
    let (customer, role) = customer_access(&app.store, &principal, &customer_id, action).await?;
    let name = service_user_name(request)?;
    require_active(&customer)?;
    let now = Utc::now();
    let service_user = ServiceUser::new(customer_id.clone(), name, principal.user_id.clone(), now);
    let secret = LinkToken::generate().map_err(InternalError::from)?;
    let mut changes = app.store.changes();
    changes.require_role(&customer_id, &principal.user_id, CustomerRole::CustomerAdmin)?;
    // Decided again by the write: a disable that lands first refuses it (403 `customer-disabled`).
    changes.require_status(&customer_id, &[CustomerStatus::Active])?;
    changes.add_service_user(&service_user, secret.hash())?;
    let event = EventPayload::ServiceUserCreated((&service_user).into());
    changes.record(DomainEvent::new(&customer_id, Actor::new(&principal, role), now, event));
    match app.store.commit(changes).await {
        Ok(()) => {}
        // The caller lost the admin role since it was read: answer as the customer is now.
        Err(StoreError::Conflict(Conflict::AccessChanged)) => {
            return Err(access_refusal(&app.store, &principal, &customer_id, action).await);
        }
        Err(error) => return Err(error.into()),
    }
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
