//! DynamoDB stream → EventBridge: publishes each outbox insert as a domain event.
//!
//! Partial batch responses: a record that could not be published is named in
//! `batchItemFailures`, so Lambda retries from it without failing the whole batch.

pub mod bus;

pub use bus::{BusEntry, EventBridgeBus, EventBus};

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use lambda_runtime::LambdaEvent;
use serde::Deserialize;

/// EventBridge takes at most 10 entries per `PutEvents`.
const ENTRIES_PER_CALL: usize = 10;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OutboxImage {
    event_type: String,
    detail: String,
}

pub async fn handle<B: EventBus>(
    bus: &B,
    event: LambdaEvent<Event>,
) -> Result<DynamoDbEventResponse, lambda_runtime::Error> {
    let mut failed: Vec<String> = Vec::new();
    let mut pending: Vec<(String, BusEntry)> = Vec::new();
    for record in &event.payload.records {
        match outbox_entry(record) {
            Ok(Some(entry)) => pending.push((sequence_number(record), entry)),
            Ok(None) => {}
            Err(problem) => {
                tracing::error!(sequence = %sequence_number(record), %problem, "unreadable outbox record");
                failed.push(sequence_number(record));
            }
        }
    }
    for chunk in pending.chunks(ENTRIES_PER_CALL) {
        let entries = chunk.iter().map(|(_, entry)| entry.clone()).collect();
        match bus.put_events(entries).await {
            Ok(outcomes) if outcomes.len() == chunk.len() => {
                for ((sequence, entry), outcome) in chunk.iter().zip(outcomes) {
                    if let Err(code) = outcome {
                        tracing::warn!(%sequence, detail_type = %entry.detail_type, %code, "event rejected by the bus");
                        failed.push(sequence.clone());
                    }
                }
            }
            Ok(_) => {
                tracing::error!("the bus answered for a different number of entries");
                failed.extend(chunk.iter().map(|(sequence, _)| sequence.clone()));
            }
            Err(error) => {
                tracing::warn!(%error, "PutEvents failed");
                failed.extend(chunk.iter().map(|(sequence, _)| sequence.clone()));
            }
        }
    }
    let mut response = DynamoDbEventResponse::default();
    response.batch_item_failures = failed
        .into_iter()
        .map(|sequence| {
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = Some(sequence);
            failure
        })
        .collect();
    Ok(response)
}

/// The bus entry of an outbox insert; `None` for any other record (the event source mapping's
/// filter already drops those, this keeps the function correct without it).
fn outbox_entry(record: &EventRecord) -> Result<Option<BusEntry>, String> {
    let is_outbox = record.event_name == "INSERT"
        && matches!(record.change.new_image.get("entity"), Some(serde_dynamo::AttributeValue::S(entity)) if entity == "OUTBOX");
    if !is_outbox {
        return Ok(None);
    }
    let image: OutboxImage = serde_dynamo::from_item(record.change.new_image.clone()).map_err(|e| e.to_string())?;
    Ok(Some(BusEntry { detail_type: image.event_type, detail: image.detail }))
}

fn sequence_number(record: &EventRecord) -> String {
    record.change.sequence_number.clone().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_dynamo::AttributeValue;
    use std::collections::HashMap;

    fn record(event_name: &str, image: &[(&str, &str)]) -> EventRecord {
        let image: HashMap<String, AttributeValue> =
            image.iter().map(|(k, v)| (k.to_string(), AttributeValue::S(v.to_string()))).collect();
        let mut record = EventRecord::default();
        record.event_name = event_name.to_owned();
        record.change.new_image = image.into();
        record
    }

    const OUTBOX: &[(&str, &str)] =
        &[("entity", "OUTBOX"), ("eventType", "CUSTOMER_CREATED"), ("detail", r#"{"eventId":"x"}"#)];

    #[test]
    fn an_outbox_insert_becomes_a_bus_entry_with_its_detail_verbatim() {
        assert_eq!(
            outbox_entry(&record("INSERT", OUTBOX)),
            Ok(Some(BusEntry { detail_type: "CUSTOMER_CREATED".into(), detail: r#"{"eventId":"x"}"#.into() }))
        );
    }

    #[test]
    fn other_records_are_not_published() {
        assert_eq!(outbox_entry(&record("MODIFY", OUTBOX)), Ok(None));
        assert_eq!(outbox_entry(&record("REMOVE", &[])), Ok(None), "TTL deletions of outbox items");
        assert_eq!(outbox_entry(&record("INSERT", &[("entity", "CUSTOMER")])), Ok(None));
    }

    #[test]
    fn an_outbox_insert_without_its_detail_is_an_error() {
        assert!(outbox_entry(&record("INSERT", &[("entity", "OUTBOX"), ("eventType", "CUSTOMER_CREATED")])).is_err());
    }
}
