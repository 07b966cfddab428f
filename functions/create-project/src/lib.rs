//! `POST /customers/{id}/projects`: a customer admin creates a project, within the customer's
//! project quota however many creations race (see `meshcustomers::store` on projects).
//!
//! Two round trips: the customer with the caller's membership, read to authorize; then a
//! transaction that checks the caller still holds the role that authorized it, counts the
//! project on the customer item on condition that the customer is ACTIVE and below its quota,
//! and writes the project and its event. A caller who may not create projects writes nothing,
//! not even a reserved slot.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::access::body_after_access;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, Requires, change_customer};
use meshcustomers::domain::{DisplayName, Project, ProjectIdentifier};
use meshcustomers::events::EventPayload;
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, created};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct NewProject {
    identifier: Field<String>,
    display_name: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

#[tracing::instrument(name = "create_project", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let customer_id = request.customer_id()?;
    let store = &app.store;
    let action = Action::CreateProject;
    let (identifier, display_name) =
        body_after_access(store, &principal, &customer_id, action, new_project(&request)).await?;

    let change = CustomerChange::new(&principal, &customer_id, action).requires(Requires::Active);
    let project = change_customer(store, change, |loaded, changes| {
        let project = Project::new(
            customer_id.clone(),
            identifier.clone(),
            display_name.clone(),
            principal.user_id.clone(),
            loaded.now,
        );
        // At the quota, or the identifier taken: told by the write's conditions.
        changes.count_project(&customer_id)?;
        changes.add_project(&project)?;
        changes.record(loaded.event(EventPayload::ProjectCreated((&project).into())));
        Ok(Outcome::Write(project))
    })
    .await?;
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
