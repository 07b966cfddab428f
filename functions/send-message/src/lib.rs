//! `POST /customers/{id}/messages`: an admin-area user sends a message to an ACTIVE customer's
//! members. The message and MESSAGE_SENT are written together; each member's inbox entry follows
//! from the fan-out (message-fanout), within a second or two.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::access::body_after_access;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, Requires, change_customer};
use meshcustomers::domain::{GeneratedId, Message, MessageMode, MessageText, Sender};
use meshcustomers::events::{EventPayload, MessageSent};
use meshcustomers::http::{
    ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, created_unversioned, path_segment,
};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct NewMessage {
    text: Field<String>,
    mode: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

#[tracing::instrument(name = "send_message", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    // Authorization before validation: the body's errors only to a caller who may act.
    let parsed = (|| -> Result<_, ApiError> {
        let body: NewMessage = request.json_body()?;
        let mut errors = FieldErrors::new();
        let text = errors.required("text", body.text, |raw| MessageText::parse(&raw));
        let mode = errors.required("mode", body.mode, |raw| MessageMode::parse(&raw));
        errors.unknown("", body.unknown);
        let (Some(text), Some(mode)) = (text, mode) else { return Err(errors.into_error()) };
        errors.finish()?;
        Ok((text, mode))
    })();
    let (text, mode) = body_after_access(&app.store, &principal, &identifier, Action::SendMessage, parsed).await?;

    let change = CustomerChange::new(&principal, &identifier, Action::SendMessage).requires(Requires::Receiving);
    let message = change_customer(&app.store, change, |loaded, changes| {
        let now = loaded.now;
        let message = Message {
            message_id: GeneratedId::new(),
            customer_id: identifier.clone(),
            text: text.clone(),
            mode,
            sender: Sender { user_id: principal.user_id.clone(), email: principal.email.clone() },
            sent_at: now,
            recipient_count: None,
            acknowledged_count: 0,
            resolved_by: None,
            resolved_at: None,
        };
        changes.send_message(&message)?;
        let sent = MessageSent { message_id: message.message_id, mode, text: message.text.clone(), sent_at: now };
        changes.record(loaded.event(EventPayload::MessageSent(sent)));
        Ok(Outcome::Write(message))
    })
    .await?;
    let location = format!("/customers/{}/messages/{}", identifier, path_segment(&message.message_id.to_string()));
    created_unversioned(&location, &message)
}
