//! EventBridge → account history. Reads only the envelope, so every event type is recorded,
//! including types newer than this function; a redelivered event writes nothing new.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use lambda_runtime::LambdaEvent;

use meshcustomers::events::EventEnvelope;
use meshcustomers::store::{Recorded, Store};

pub async fn handle(store: &Store, event: LambdaEvent<EventBridgeEvent>) -> Result<(), lambda_runtime::Error> {
    let detail = event.payload.detail;
    let envelope: EventEnvelope = serde_json::from_value(detail.clone())?;
    match store.record_history(&envelope, &detail).await? {
        Recorded::New => {
            tracing::info!(event_id = %envelope.event_id, event_type = %envelope.event_type, "recorded")
        }
        Recorded::AlreadyRecorded => {
            tracing::info!(event_id = %envelope.event_id, "redelivered; already recorded")
        }
    }
    Ok(())
}
