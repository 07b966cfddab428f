//! `POST /customers/{id}/projects`: a customer admin creates a project, within the customer's
//! project quota however many creations race (see `meshcustomers::store` on projects).
//!
//! One round trip: a transaction that checks the caller's member item (CUSTOMER_ADMIN), counts
//! the project on the customer item on condition that the customer is ACTIVE and below its
//! quota, and writes the project and its event. A caller who may not create projects writes
//! nothing, not even a reserved slot. Only a refusal reads more: when the caller's role decided
//! it, the caller's access, so that only whoever may know the customer learns why.

use chrono::Utc;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::access::{access_refusal, body_after_access};
use meshcustomers::authorization::{Action, Role};
use meshcustomers::domain::{CustomerRole, CustomerStatus, DisplayName, Project, ProjectIdentifier};
use meshcustomers::events::{Actor, DomainEvent, EventPayload};
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, created, respond};
use meshcustomers::store::{Conflict, StoreError};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct NewProject {
    identifier: Field<String>,
    display_name: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(create_project(app, &request).await)
}

#[tracing::instrument(name = "create_project", skip_all, fields(user))]
async fn create_project(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let customer_id = request.customer_id()?;
    let store = &app.store;
    let action = Action::CreateProject;
    let (identifier, display_name) =
        body_after_access(store, &principal, &customer_id, action, new_project(request)).await?;

    let now = Utc::now();
    let project = Project::new(customer_id.clone(), identifier, display_name, principal.user_id.clone(), now);
    let mut changes = store.changes();
    // First, so that a caller who is not CUSTOMER_ADMIN is refused on that, and never learns
    // the customer's status, quota or which identifiers are taken.
    changes.require_role(&customer_id, &principal.user_id, CustomerRole::CustomerAdmin)?;
    changes.require_status(&customer_id, &[CustomerStatus::Active])?;
    changes.count_project(&customer_id)?;
    changes.add_project(&project)?;
    let actor = Actor::new(&principal, Role::CustomerAdmin);
    changes.record(DomainEvent::new(&customer_id, actor, now, EventPayload::ProjectCreated((&project).into())));
    match store.commit(changes).await {
        Ok(()) => {}
        // The caller is not (or no longer) the customer's CUSTOMER_ADMIN: 403, or 404 to whoever
        // may not know the customer.
        Err(StoreError::Conflict(Conflict::AccessChanged)) => {
            return Err(access_refusal(store, &principal, &customer_id, action).await);
        }
        // Not ACTIVE, at the quota, or the identifier taken, told by the conflict itself.
        Err(error) => return Err(error.into()),
    }
    let location = format!("/customers/{customer_id}/projects/{}", project.identifier);
    created(&location, &project, project.version)
}

fn new_project(request: &Request) -> Result<(ProjectIdentifier, DisplayName), ApiError> {
    let body: NewProject = request.json_body()?;
    let mut errors = FieldErrors::new();
    let identifier = errors.required("identifier", body.identifier, |raw| ProjectIdentifier::parse(&raw));
    let display_name = errors.required("displayName", body.display_name, |raw| DisplayName::parse(&raw));
    errors.unknown("", body.unknown);
    let (Some(identifier), Some(display_name)) = (identifier, display_name) else { return Err(errors.into_error()) };
    errors.finish()?;
    Ok((identifier, display_name))
}
