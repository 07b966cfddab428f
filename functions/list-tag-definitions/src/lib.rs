//! `GET /tag-definitions`: the tag definitions in use, for any signed-in user (the portal shows
//! them where tags are entered). Deleted definitions are not listed.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;

use meshcustomers::App;
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::domain::TagDefinition;
use meshcustomers::http::{ApiError, RequestExtensions, json, respond};

/// All definitions at once: there are at most `limits::MAX_DEFINITIONS`, read with one Query.
#[derive(Serialize)]
struct TagDefinitions {
    items: Vec<TagDefinition>,
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(list_tag_definitions(app, &request).await)
}

#[tracing::instrument(name = "list_tag_definitions", skip_all, fields(user))]
async fn list_tag_definitions(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    authorize(&principal, Action::ReadTagDefinitions, None)?;
    json(StatusCode::OK, &TagDefinitions { items: app.store.tag_definitions().await? })
}
