//! `POST /customers/{id}/projects`: a customer admin creates a project, within the customer's
//! project quota however many creations race (see `meshcustomers::store` on projects).
//!
//! Two round trips: the slot is reserved on the customer item (its condition decides status
//! and quota), then the project and its event are written in a transaction whose condition
//! check on the caller's member item decides the authorization. A refused transaction gives
//! the slot back. Only a refusal reads more: the caller's access, so that only whoever may know
//! the customer learns why.

use chrono::Utc;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::access::{access_refusal, customer_access, require_active};
use meshcustomers::authorization::{Action, Role};
use meshcustomers::diagnostics::error_chain;
use meshcustomers::domain::{CustomerIdentifier, CustomerRole, DisplayName, Project, ProjectIdentifier};
use meshcustomers::events::{Actor, DomainEvent, EventPayload};
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, created, respond};
use meshcustomers::store::{Conflict, SlotReservation, Store, StoreError};

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
    let body: NewProject = request.json_body()?;
    let mut errors = FieldErrors::new();
    let identifier = errors.required("identifier", body.identifier, |raw| ProjectIdentifier::parse(&raw));
    let display_name = errors.required("displayName", body.display_name, |raw| DisplayName::parse(&raw));
    errors.unknown("", body.unknown);
    let (Some(identifier), Some(display_name)) = (identifier, display_name) else { return Err(errors.into_error()) };
    errors.finish()?;

    let store = &app.store;
    let now = Utc::now();
    let project = Project::new(customer_id.clone(), identifier, display_name, principal.user_id.clone(), now);
    // Built before the slot is taken: nothing can fail between the two writes but the second.
    let mut changes = store.changes();
    // First, so that a caller who is not CUSTOMER_ADMIN never learns which identifiers are taken.
    changes.require_role(&customer_id, &principal.user_id, CustomerRole::CustomerAdmin)?;
    changes.add_project(&project)?;
    let actor = Actor::new(&principal, Role::CustomerAdmin);
    changes.record(DomainEvent::new(&customer_id, actor, now, EventPayload::ProjectCreated((&project).into())));

    match store.reserve_project_slot(&customer_id).await? {
        SlotReservation::Reserved(_) => {}
        SlotReservation::NoCustomer => return Err(ApiError::not_found_customer(customer_id.as_str())),
        SlotReservation::Refused(customer) => {
            // Why, only to whoever may know the customer.
            customer_access(store, &principal, &customer_id, Action::CreateProject).await?;
            require_active(&customer)?;
            return Err(ApiError::quota_exceeded(customer_id.as_str(), customer.project_quota.get()));
        }
    }
    if let Err(error) = store.commit(changes).await {
        give_back_slot(store, &customer_id, &error).await;
        return Err(match error {
            // The caller is not (or no longer) the customer's CUSTOMER_ADMIN.
            StoreError::Conflict(Conflict::AccessChanged) => {
                access_refusal(store, &principal, &customer_id, Action::CreateProject).await
            }
            error => error.into(),
        });
    }
    let location = format!("/customers/{customer_id}/projects/{}", project.identifier);
    created(&location, &project, project.version)
}

/// Gives back the slot of a project that was not written, so that `projectCount` stays the
/// number of projects. When it is unknown whether the transaction landed (a timeout, a broken
/// connection), the slot stays taken: the count may then be one above the projects, never below
/// them, so the quota is never exceeded.
async fn give_back_slot(store: &Store, customer: &CustomerIdentifier, error: &StoreError) {
    if !error.changed_nothing() {
        tracing::error!(%customer, "the project's transaction may have landed: its slot stays taken");
        return;
    }
    if let Err(release) = store.release_project_slot(customer).await {
        tracing::error!(%customer, error = %error_chain(&release), "a project slot could not be given back: projectCount is one above the projects");
    }
}
