//! `POST /tag-definitions`: a platform or partner admin defines a tag for the whole installation.

use chrono::Utc;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::change::{IfMatch, Loaded, Outcome, change};
use meshcustomers::events::{Actor, DomainEvent, EventPayload};
use meshcustomers::http::{ApiError, RequestExtensions, TagDefinitionBody, created};

/// One round trip: the transaction's conditions refuse a key in use (409 `tag-key-taken`), a
/// deleted key (409 `tag-key-retired`) and a definition beyond the bound (409
/// `tag-definitions-full`), also under concurrent creations.
#[tracing::instrument(name = "create_tag_definition", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let role = authorize(&principal, Action::ManageTagDefinitions, None)?;
    let body: TagDefinitionBody = request.json_body()?;
    let definition = body.definition(None)?;
    let actor = Actor::new(&principal, role);
    // Nothing to read: the transaction's conditions decide.
    let load = || async { Ok(Loaded::new(&app.store, ())) };
    change(&app.store, &IfMatch::Any, None, load, |(), changes| {
        changes.create_tag_definition(&definition)?;
        let payload = EventPayload::TagDefinitionCreated(definition.clone());
        changes.record(DomainEvent::installation(actor.clone(), Utc::now(), payload));
        Ok(Outcome::Write(()))
    })
    .await?;
    created(&format!("/tag-definitions/{}", definition.key), &definition, definition.version)
}
