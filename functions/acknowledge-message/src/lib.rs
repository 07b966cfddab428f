//! `POST /me/messages/{messageId}/acknowledgement`: a recipient acknowledges a message.
//! ALL_MUST_READ: gone for that recipient. SINGLE_READ: gone for every recipient, and of
//! concurrent acknowledgements exactly one is recorded as its resolver (one event). Answers 204;
//! a repeated acknowledgement, and one that lost the SINGLE_READ race, get the same 204 and write
//! nothing. Anyone who is not a recipient (or no longer a member) gets 404.

use chrono::Utc;
use lambda_http::{Body, Request, RequestExt, Response};

use meshcustomers::App;
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::change::{IfMatch, Loaded, Outcome, Refusal, change};
use meshcustomers::domain::{GeneratedId, MessageMode};
use meshcustomers::events::{Actor, DomainEvent, EventPayload, MessageAcknowledged};
use meshcustomers::http::{ApiError, RequestExtensions, no_content};
use meshcustomers::store::Conflict;

#[tracing::instrument(name = "acknowledge_message", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let role = authorize(&principal, Action::AcknowledgeMessage, None)?;
    request.empty_body()?;
    let raw = request.path_parameters_ref().and_then(|parameters| parameters.first("messageId")).unwrap_or_default();
    let message_id = GeneratedId::parse(raw).map_err(|_| Refusal::MessageNotFound)?;
    let load = || async {
        let entry = app.store.inbox_entry(&principal.user_id, message_id).await?;
        Ok(Loaded::new(&app.store, entry.ok_or(Refusal::MessageNotFound)?))
    };
    let acknowledged = change(&app.store, &IfMatch::Any, None, load, |entry, changes| {
        if entry.acknowledged_at.is_some() {
            return Ok(Outcome::Unchanged(()));
        }
        let now = Utc::now();
        changes.acknowledge(entry, now)?;
        let resolved = entry.mode == MessageMode::SingleRead;
        let acknowledged = MessageAcknowledged { message_id, user_id: principal.user_id.clone(), resolved };
        let payload = EventPayload::MessageAcknowledged(acknowledged);
        changes.record(DomainEvent::new(&entry.customer_id, Actor::new(&principal, role), now, payload));
        Ok(Outcome::Write(()))
    })
    .await;
    match acknowledged {
        // Acknowledged before, or (SINGLE_READ) resolved by another meanwhile: the same answer,
        // and nothing written.
        Err(error) if matches!(error.conflict(), Some(Conflict::AlreadyAcknowledged | Conflict::AlreadyResolved)) => {
            no_content()
        }
        acknowledged => {
            acknowledged?;
            no_content()
        }
    }
}
