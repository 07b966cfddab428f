//! `DELETE /tag-definitions/{key}`: a platform or partner admin deletes a tag definition. Its key
//! is retired, never to be defined again. Customers keep the values they carry under it (nothing
//! is scanned or rewritten): those are no longer checked or mandatory, and an edit may remove
//! them but not set them.

use chrono::Utc;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::change::{Loaded, Outcome, Refusal, change};
use meshcustomers::events::{Actor, DomainEvent, EventPayload};
use meshcustomers::http::{ApiError, RequestExtensions, no_content};

#[tracing::instrument(name = "delete_tag_definition", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let role = authorize(&principal, Action::ManageTagDefinitions, None)?;
    let key = request.tag_key()?;
    let actor = Actor::new(&principal, role);
    let load = || async {
        let stored = app.store.tag_definition(&key).await?.ok_or_else(|| Refusal::TagNotDefined(key.clone()))?;
        let version = stored.version;
        Ok(Loaded::versioned(&app.store, stored, version))
    };
    change(&app.store, &request.if_match(), None, load, |stored, changes| {
        let now = Utc::now();
        changes.retire_tag_definition(stored, now)?;
        let payload = EventPayload::TagDefinitionDeleted(stored.clone());
        changes.record(DomainEvent::installation(actor.clone(), now, payload));
        Ok(Outcome::Write(()))
    })
    .await?;
    no_content()
}
