//! `PUT /tag-definitions/{key}`: a platform or partner admin replaces a tag definition. Its key
//! and value type never change. Values customers already carry stay as they are: the new rules
//! apply to values written from now on.

use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::access::{DefinitionDecision, change_tag_definition};
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::events::Actor;
use meshcustomers::http::{ApiError, RequestExtensions, TagDefinitionBody, json_with_etag, respond};

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(update_tag_definition(app, &request).await)
}

#[tracing::instrument(name = "update_tag_definition", skip_all, fields(user))]
async fn update_tag_definition(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let role = authorize(&principal, Action::ManageTagDefinitions, None)?;
    let key = request.tag_key()?;
    let body: TagDefinitionBody = request.json_body()?;
    let actor = Actor::new(&principal, role);
    let stored = change_tag_definition(&app.store, &actor, &key, &request.if_match(), |stored| {
        let replacement = body.definition(Some(stored))?;
        Ok(if replacement.same_as(stored) {
            DefinitionDecision::Unchanged
        } else {
            DefinitionDecision::Replace(replacement)
        })
    })
    .await?;
    let definition = stored.ok_or_else(|| ApiError::not_found_tag(key.as_str()))?;
    json_with_etag(&definition, definition.version)
}
