//! `POST /customers/{id}/projects/{projectId}/tenants`: a customer admin puts a project on one of
//! the configured platforms (`PLATFORMS`): one tenant per project and platform.

use chrono::Utc;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::access::{access_refusal, customer_access_with, require_active};
use meshcustomers::authorization::Action;
use meshcustomers::config;
use meshcustomers::domain::{CustomerRole, CustomerStatus, PlatformName, Tenant};
use meshcustomers::events::{Actor, DomainEvent, EventPayload};
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, created, respond};
use meshcustomers::store::{Conflict, Related, StoreError};

pub type Settings = config::PlatformSettings;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct NewTenant {
    platform: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

pub async fn handle(app: &App<Settings>, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(create_tenant(app, &request).await)
}

#[tracing::instrument(name = "create_tenant", skip_all, fields(user))]
async fn create_tenant(app: &App<Settings>, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let customer_id = request.customer_id()?;
    let project_id = request.project_id()?;
    // Access first: a caller who may not act learns nothing from the body's errors (which list
    // the configured platforms).
    let action = Action::CreateTenant;
    let related = Related { project: Some(&project_id), ..Related::default() };
    let (customer, role, found) = customer_access_with(&app.store, &principal, &customer_id, action, &related).await?;
    let platform = tenant_platform(&app.settings, request)?;
    require_active(&customer)?;
    if found.project.is_none() {
        return Err(ApiError::not_found_project(customer_id.as_str(), project_id.as_str()));
    }
    let now = Utc::now();
    let tenant = Tenant::new(customer_id.clone(), project_id, platform, principal.user_id.clone(), now);
    let mut changes = app.store.changes();
    changes.require_role(&customer_id, &principal.user_id, CustomerRole::CustomerAdmin)?;
    // Decided again by the write: a disable that lands first refuses it (403 `customer-disabled`).
    changes.require_status(&customer_id, &[CustomerStatus::Active])?;
    changes.add_tenant(&tenant)?;
    let event = EventPayload::TenantCreated((&tenant).into());
    changes.record(DomainEvent::new(&customer_id, Actor::new(&principal, role), now, event));
    match app.store.commit(changes).await {
        Ok(()) => {}
        // The caller lost the admin role since it was read: answer as the customer is now.
        Err(StoreError::Conflict(Conflict::AccessChanged)) => {
            return Err(access_refusal(&app.store, &principal, &customer_id, action).await);
        }
        Err(error) => return Err(error.into()),
    }
    let location = format!("/customers/{customer_id}/projects/{}/tenants/{}", tenant.project_id, tenant.tenant_id);
    created(&location, &tenant, tenant.version)
}

fn tenant_platform(settings: &Settings, request: &Request) -> Result<PlatformName, ApiError> {
    let body: NewTenant = request.json_body()?;
    let mut errors = FieldErrors::new();
    let platform = errors.required("platform", body.platform, |raw| settings.platforms.known(&raw));
    errors.unknown("", body.unknown);
    let Some(platform) = platform else { return Err(errors.into_error()) };
    errors.finish()?;
    Ok(platform)
}
