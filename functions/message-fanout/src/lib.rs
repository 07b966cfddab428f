//! EventBridge MESSAGE_SENT → each recipient's inbox entry. The recipients are the customer's
//! members who had joined when the message was sent (one consistent read of its members); each
//! entry is one conditional put, many in flight at once, so a redelivery, or a retry after a
//! failure part-way, writes only the entries still missing and never revives an acknowledged one.
//! When all are written, the message records how many members it reached.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use futures::{StreamExt, TryStreamExt, stream};
use lambda_runtime::{Diagnostic, LambdaEvent};

use meshcustomers::diagnostics::diagnostic;
use meshcustomers::events::{DomainEvent, EventPayload};
use meshcustomers::store::{Delivery, Store, StoreError};

/// Inbox puts in flight at once: fast for thousands of members, gentle on the table.
const CONCURRENT_PUTS: usize = 25;

/// Why a message was not (fully) delivered; EventBridge's retries and the failure queue take it from here.
#[derive(Debug, thiserror::Error)]
pub enum FanOutError {
    #[error("the event's detail is not a domain event")]
    Event(#[source] serde_json::Error),
    #[error("the event is not a MESSAGE_SENT of a customer")]
    NotAMessage,
    #[error("the table could not be read or written")]
    Store(#[source] StoreError),
}

impl From<FanOutError> for Diagnostic {
    fn from(error: FanOutError) -> Self {
        let error_type = match &error {
            FanOutError::Event(_) => "FanOutError::Event",
            FanOutError::NotAMessage => "FanOutError::NotAMessage",
            FanOutError::Store(_) => "FanOutError::Store",
        };
        diagnostic(error_type, &error)
    }
}

#[tracing::instrument(skip_all, fields(event_id))]
pub async fn handle(store: &Store, event: LambdaEvent<EventBridgeEvent>) -> Result<(), FanOutError> {
    let event: DomainEvent = serde_json::from_value(event.payload.detail).map_err(FanOutError::Event)?;
    tracing::Span::current().record("event_id", tracing::field::display(event.event_id));
    let (EventPayload::MessageSent(sent), Some(customer)) = (&event.payload, &event.customer_id) else {
        return Err(FanOutError::NotAMessage);
    };
    let Some(message) = store.message(customer, sent.message_id).await.map_err(FanOutError::Store)? else {
        // The event comes from the transaction that wrote the message: it cannot be missing.
        return Err(FanOutError::Store(StoreError::Invariant("a sent message is not stored")));
    };
    let members = store.all_members(customer).await.map_err(FanOutError::Store)?;
    let recipients: Vec<_> =
        members.iter().filter(|member| member.joined_at <= message.sent_at).map(|member| &member.user_id).collect();
    let delivered: Vec<Delivery> = stream::iter(&recipients)
        .map(|recipient| store.deliver_to_inbox(&message, recipient))
        .buffer_unordered(CONCURRENT_PUTS)
        .try_collect()
        .await
        .map_err(FanOutError::Store)?;
    let new = delivered.iter().filter(|delivery| **delivery == Delivery::Delivered).count();
    let count = u32::try_from(recipients.len()).unwrap_or(u32::MAX);
    store.record_recipients(&message, count).await.map_err(FanOutError::Store)?;
    tracing::info!(recipients = count, new, "message delivered");
    Ok(())
}
