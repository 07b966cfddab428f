//! `GET /tag-definitions`: the tag definitions in use, for any signed-in user (the portal shows
//! them where tags are entered). Deleted definitions are not listed.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;

use meshcustomers::App;
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::domain::TagDefinition;
use meshcustomers::http::{ApiError, RequestExtensions, json};

/// All definitions at once: there are at most `limits::MAX_DEFINITIONS`, read with one Query.
#[derive(Serialize)]
struct TagDefinitions {
    items: Vec<TagDefinition>,
}

#[tracing::instrument(name = "list_tag_definitions", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    authorize(&principal, Action::ReadTagDefinitions, None)?;
    json(StatusCode::OK, &TagDefinitions { items: app.store.tag_definitions().await? })
}
