//! EventBridge → account history. Reads only the envelope, so every event type is recorded,
//! including types newer than this function; a redelivered event writes nothing new.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use lambda_runtime::{Diagnostic, LambdaEvent};

use meshcustomers::diagnostics::diagnostic;
use meshcustomers::events::EventEnvelope;
use meshcustomers::store::{Recorded, Store, StoreError};

/// Why an event was not recorded; EventBridge's retries and the failure queue take it from here.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("the event's detail has no valid envelope")]
    Envelope(#[source] serde_json::Error),
    #[error("the history entry could not be written")]
    Store(#[source] StoreError),
}

impl From<AuditError> for Diagnostic {
    fn from(error: AuditError) -> Self {
        let error_type = match &error {
            AuditError::Envelope(_) => "AuditError::Envelope",
            AuditError::Store(_) => "AuditError::Store",
        };
        diagnostic(error_type, &error)
    }
}

#[tracing::instrument(skip_all, fields(event_id))]
pub async fn handle(store: &Store, event: LambdaEvent<EventBridgeEvent>) -> Result<(), AuditError> {
    let detail = event.payload.detail;
    let envelope: EventEnvelope = serde_json::from_value(detail.clone()).map_err(AuditError::Envelope)?;
    tracing::Span::current().record("event_id", tracing::field::display(envelope.event_id));
    match store.record_history(&envelope, &detail).await.map_err(AuditError::Store)? {
        Recorded::New => tracing::info!(event_type = %envelope.event_type, "recorded"),
        Recorded::AlreadyRecorded => tracing::info!("redelivered; already recorded"),
        Recorded::CustomerRemoved => tracing::info!("the customer's registration was removed since; not recorded"),
    }
    Ok(())
}
