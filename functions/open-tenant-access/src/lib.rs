//! `POST /customers/{id}/projects/{projectId}/tenants/{tenantId}/access`: a member of the
//! customer gets the link to the tenant's console on its platform. A DISABLED customer's
//! tenants open no more (403 `customer-disabled`); enabled again, they open at once.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;

use meshcustomers::App;
use meshcustomers::access::{customer_access, require_active};
use meshcustomers::authorization::Action;
use meshcustomers::config;
use meshcustomers::http::{ApiError, RequestExtensions, json};

pub type Settings = config::PlatformSettings;

#[derive(Serialize)]
struct TenantAccess {
    url: String,
}

#[tracing::instrument(name = "open_tenant_access", skip_all, fields(user))]
pub async fn handle(app: &App<Settings>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let customer_id = request.customer_id()?;
    let project_id = request.project_id()?;
    let tenant_id = request.tenant_id()?;
    request.empty_body()?;
    let (customer, _) = customer_access(&app.store, &principal, &customer_id, Action::OpenTenantAccess).await?;
    require_active(&customer)?;
    let tenants = app.store.project_tenants(&customer_id, &project_id).await?;
    let tenant = tenants
        .iter()
        .find(|tenant| tenant.tenant_id == tenant_id)
        .ok_or_else(|| ApiError::not_found_tenant(project_id.as_str(), &tenant_id.to_string()))?;
    let console = app
        .settings
        .platforms
        .console(&tenant.platform)
        .ok_or_else(|| ApiError::platform_not_configured(tenant.platform.as_str()))?;
    tracing::info!(customer = %customer_id, project = %project_id, tenant = %tenant_id, platform = %tenant.platform, "tenant access opened");
    json(StatusCode::OK, &TenantAccess { url: console.link(tenant) })
}
