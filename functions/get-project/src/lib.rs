//! `GET /customers/{id}/projects/{projectId}`: a project with its tenants.

use lambda_http::{Body, Request, Response};
use serde::Serialize;

use meshcustomers::App;
use meshcustomers::access::customer_access_with;
use meshcustomers::authorization::Action;
use meshcustomers::domain::{Project, Tenant};
use meshcustomers::http::{ApiError, RequestExtensions, json_with_etag};
use meshcustomers::store::Related;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ProjectWithTenants {
    #[serde(flatten)]
    project: Project,
    /// By platform.
    tenants: Vec<Tenant>,
}

#[tracing::instrument(name = "get_project", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let customer_id = request.customer_id()?;
    let project_id = request.project_id()?;
    let related = Related { project: Some(&project_id), ..Related::default() };
    let (_, _, found) =
        customer_access_with(&app.store, &principal, &customer_id, Action::ReadProject, &related).await?;
    let project =
        found.project.ok_or_else(|| ApiError::not_found_project(customer_id.as_str(), project_id.as_str()))?;
    let tenants = app.store.project_tenants(&customer_id, &project_id).await?;
    let version = project.version;
    json_with_etag(&ProjectWithTenants { project, tenants }, version)
}
