//! `GET /platforms`: the configured platforms (`PLATFORMS`) with the names people see, for any
//! signed-in user (the portal offers them where a tenant is made). It reads only its settings.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;

use meshcustomers::authorization::{Action, authorize};
use meshcustomers::config;
use meshcustomers::domain::PlatformSummary;
use meshcustomers::http::{ApiError, RequestExtensions, json};

pub type Settings = config::PlatformSettings;

/// All of them at once: there are at most `MAX_PLATFORMS`.
#[derive(Serialize)]
struct PlatformList {
    items: Vec<PlatformSummary>,
}

#[tracing::instrument(name = "list_platforms", skip_all, fields(user))]
pub async fn handle(settings: &Settings, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    authorize(&principal, Action::ListPlatforms, None)?;
    json(StatusCode::OK, &PlatformList { items: settings.platforms.summaries() })
}
