//! `PUT /tag-definitions/{key}`: a platform or partner admin replaces a tag definition. Its key
//! and value type never change. Values customers already carry stay as they are: the new rules
//! apply to values written from now on.

use chrono::Utc;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::change::{Loaded, Outcome, Refusal, change};
use meshcustomers::events::{Actor, DomainEvent, EventPayload, TagDefinitionUpdated};
use meshcustomers::http::{ApiError, RequestExtensions, TagDefinitionBody, json_with_etag};

#[tracing::instrument(name = "update_tag_definition", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let role = authorize(&principal, Action::ManageTagDefinitions, None)?;
    let key = request.tag_key()?;
    let body: TagDefinitionBody = request.json_body()?;
    let actor = Actor::new(&principal, role);
    let load = || async {
        let stored = app.store.tag_definition(&key).await?.ok_or_else(|| Refusal::TagNotDefined(key.clone()))?;
        let version = stored.version;
        Ok(Loaded::versioned(&app.store, stored, version))
    };
    let definition = change(&app.store, &request.if_match(), None, load, |stored, changes| {
        let mut replacement = body.definition(Some(stored))?;
        if replacement.same_as(stored) {
            return Ok(Outcome::Unchanged(stored.clone()));
        }
        replacement.version = stored.version + 1;
        changes.replace_tag_definition(stored, &replacement)?;
        let updated = TagDefinitionUpdated { key: key.clone(), from: stored.clone(), to: replacement.clone() };
        let payload = EventPayload::TagDefinitionUpdated(updated);
        changes.record(DomainEvent::installation(actor.clone(), Utc::now(), payload));
        Ok(Outcome::Write(replacement))
    })
    .await?;
    json_with_etag(&definition, definition.version)
}
