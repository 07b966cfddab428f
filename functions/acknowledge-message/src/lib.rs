//! `POST /me/messages/{messageId}/acknowledgement`: a recipient acknowledges a message.
//! ALL_MUST_READ: gone for that recipient. SINGLE_READ: gone for every recipient, and of
//! concurrent acknowledgements exactly one is recorded as its resolver (one event). Answers 204;
//! a repeated acknowledgement, and one that lost the SINGLE_READ race, get the same 204 and write
//! nothing. Anyone who is not a recipient (or no longer a member) gets 404.

use chrono::Utc;
use lambda_http::{Body, Request, RequestExt, Response};

use meshcustomers::App;
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::domain::GeneratedId;
use meshcustomers::events::{Actor, DomainEvent, EventPayload, MessageAcknowledged};
use meshcustomers::http::{ApiError, RequestExtensions, no_content, respond};

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(acknowledge(app, &request).await)
}

#[tracing::instrument(name = "acknowledge_message", skip_all, fields(user))]
async fn acknowledge(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let role = authorize(&principal, Action::AcknowledgeMessage, None)?;
    request.empty_body()?;
    let not_found = || ApiError::NotFound("the message does not exist".to_owned());
    let raw = request.path_parameters_ref().and_then(|parameters| parameters.first("messageId")).unwrap_or_default();
    let message_id = GeneratedId::parse(raw).map_err(|_| not_found())?;
    let entry = app.store.inbox_entry(&principal.user_id, message_id).await?.ok_or_else(not_found)?;
    if entry.acknowledged_at.is_some() {
        return no_content();
    }
    let now = Utc::now();
    let actor = Actor::new(&principal, role);
    let event = |resolved| {
        let acknowledged = MessageAcknowledged { message_id, user_id: principal.user_id.clone(), resolved };
        DomainEvent::new(&entry.customer_id, actor, now, EventPayload::MessageAcknowledged(acknowledged))
    };
    app.store.acknowledge(&entry, now, event).await?;
    no_content()
}
