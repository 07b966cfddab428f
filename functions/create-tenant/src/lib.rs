//! `POST /customers/{id}/projects/{projectId}/tenants`: a customer admin puts a project on one of
//! the configured platforms (`PLATFORMS`): one tenant per project and platform.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::access::body_after_access;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, Refusal, Requires, change_customer};
use meshcustomers::config;
use meshcustomers::domain::{PlatformName, Tenant};
use meshcustomers::events::EventPayload;
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, created};
use meshcustomers::store::Related;

pub type Settings = config::PlatformSettings;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct NewTenant {
    platform: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

#[tracing::instrument(name = "create_tenant", skip_all, fields(user))]
pub async fn handle(app: &App<Settings>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let customer_id = request.customer_id()?;
    let project_id = request.project_id()?;
    // Authorization before validation: the body's errors (which list the configured platforms)
    // only to a caller who may act.
    let action = Action::CreateTenant;
    let platform = tenant_platform(&app.settings, &request);
    let platform = body_after_access(&app.store, &principal, &customer_id, action, platform).await?;
    let change = CustomerChange::new(&principal, &customer_id, action)
        .requires(Requires::Active)
        .reading(Related { project: Some(&project_id), ..Related::default() });
    let tenant = change_customer(&app.store, change, |loaded, changes| {
        if loaded.related.project.is_none() {
            let refusal = Refusal::ProjectNotFound { customer: customer_id.clone(), project: project_id.clone() };
            return Err(refusal.into());
        }
        let (customer, project, user) = (customer_id.clone(), project_id.clone(), principal.user_id.clone());
        let tenant = Tenant::new(customer, project, platform.clone(), user, loaded.now);
        changes.add_tenant(&tenant)?;
        changes.record(loaded.event(EventPayload::TenantCreated((&tenant).into())));
        Ok(Outcome::Write(tenant))
    })
    .await?;
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
