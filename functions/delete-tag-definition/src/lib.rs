//! `DELETE /tag-definitions/{key}`: a platform or partner admin deletes a tag definition. Its key
//! is retired, never to be defined again. Customers keep the values they carry under it (nothing
//! is scanned or rewritten): those are no longer checked or mandatory, and an edit may remove
//! them but not set them.

use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::access::{DefinitionDecision, change_tag_definition};
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::events::Actor;
use meshcustomers::http::{ApiError, RequestExtensions, no_content, respond};

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(delete_tag_definition(app, &request).await)
}

#[tracing::instrument(name = "delete_tag_definition", skip_all, fields(user))]
async fn delete_tag_definition(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let role = authorize(&principal, Action::ManageTagDefinitions, None)?;
    let key = request.tag_key()?;
    let actor = Actor::new(&principal, role);
    change_tag_definition(&app.store, &actor, &key, &request.if_match(), |_| Ok(DefinitionDecision::Retire)).await?;
    no_content()
}
