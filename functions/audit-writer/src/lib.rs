//! EventBridge → account history. Reads only the envelope, so every event type is recorded,
//! including types newer than this function; a redelivered event writes nothing new.
//! After an event that changed a membership, it makes the customer's membership snapshot when one
//! is due (README "Members at a moment"); a redelivery looks again.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use chrono::Utc;
use lambda_runtime::{Diagnostic, LambdaEvent};

use meshcustomers::diagnostics::diagnostic;
use meshcustomers::events::{EventEnvelope, EventType};
use meshcustomers::store::{Recorded, Store, StoreError};

/// Why an event was not recorded; EventBridge's retries and the failure queue take it from here.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("the event's detail has no valid envelope")]
    Envelope(#[source] serde_json::Error),
    #[error("the history entry could not be written")]
    Store(#[source] StoreError),
    #[error("the membership snapshot could not be made")]
    Snapshot(#[source] StoreError),
}

impl From<AuditError> for Diagnostic {
    fn from(error: AuditError) -> Self {
        let error_type = match &error {
            AuditError::Envelope(_) => "AuditError::Envelope",
            AuditError::Store(_) => "AuditError::Store",
            AuditError::Snapshot(_) => "AuditError::Snapshot",
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
        Recorded::CustomerRemoved => {
            tracing::info!("the customer's registration was removed since; not recorded");
            return Ok(());
        }
    }
    let changed_memberships = EventType::parse(&envelope.event_type).is_ok_and(EventType::changes_memberships);
    if let (true, Some(customer)) = (changed_memberships, envelope.customer_id.as_ref()) {
        let taken_in = store.snapshot_memberships(customer, Utc::now()).await.map_err(AuditError::Snapshot)?;
        if taken_in > 0 {
            tracing::info!(taken_in, "membership snapshot made");
        }
    }
    Ok(())
}
