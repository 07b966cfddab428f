//! DynamoDB stream → EventBridge: publishes each outbox insert as a domain event, in stream order.
//!
//! Partial batch responses: Lambda retries a batch from the lowest sequence number named in
//! `batchItemFailures`, so the publisher stops at the first record it cannot publish and names
//! that record and every record after it. Later records are never put before an earlier one that
//! failed. (Within one PutEvents call the bus may take entries after a refused one; they are named
//! too, and published again on the retry: consumers deduplicate on `eventId`.)

pub mod bus;

pub use bus::{BusEntry, BusError, EventBridgeBus, EventBus, Rejected};

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use lambda_runtime::LambdaEvent;
use serde::Deserialize;
use std::convert::Infallible;

use meshcustomers::config::{self, ConfigError, Environment};
use meshcustomers::events::MAX_ENTRY_BYTES;

/// EventBridge takes at most 10 entries per `PutEvents`…
const ENTRIES_PER_CALL: usize = 10;
/// …and, counted as for one entry, less than 256 KB per request.
const BYTES_PER_CALL: usize = MAX_ENTRY_BYTES;

pub struct Settings {
    pub event_bus_name: String,
}

impl config::Settings for Settings {
    fn read(environment: &Environment) -> Result<Self, ConfigError> {
        Ok(Self { event_bus_name: config::event_bus_name(environment)? })
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OutboxImage {
    event_type: String,
    detail: String,
}

/// Why a record could not be published.
#[derive(Debug, thiserror::Error)]
enum Unpublished {
    #[error("the outbox record has no readable event")]
    Unreadable(#[source] serde_dynamo::Error),
    #[error("the event is too large for EventBridge ({0} bytes)")]
    TooLarge(usize),
    #[error("the bus refused the entry")]
    Rejected(#[source] Rejected),
    #[error("the entry could not be put")]
    Bus(#[source] BusError),
}

pub async fn handle<B: EventBus>(bus: &B, event: LambdaEvent<Event>) -> Result<DynamoDbEventResponse, Infallible> {
    let records = &event.payload.records;
    let first_failed = publish_in_order(bus, records).await;
    let mut response = DynamoDbEventResponse::default();
    response.batch_item_failures = records[first_failed.unwrap_or(records.len())..]
        .iter()
        .map(|record| {
            let mut failure = DynamoDbBatchItemFailure::default();
            failure.item_identifier = Some(sequence_number(record));
            failure
        })
        .collect();
    Ok(response)
}

/// Publishes the records' events in order, batching calls; the index of the first record that
/// failed, if one did.
async fn publish_in_order<B: EventBus>(bus: &B, records: &[EventRecord]) -> Option<usize> {
    let mut pending: Vec<(usize, BusEntry)> = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let entry = match outbox_entry(record) {
            Ok(None) => continue,
            Ok(Some(entry)) if entry.size() < MAX_ENTRY_BYTES => entry,
            Ok(Some(entry)) => {
                let problem = Unpublished::TooLarge(entry.size());
                return Some(stop_at(bus, &mut pending, records, index, &problem).await);
            }
            Err(problem) => return Some(stop_at(bus, &mut pending, records, index, &problem).await),
        };
        let pending_bytes: usize = pending.iter().map(|(_, entry)| entry.size()).sum();
        let full = pending.len() == ENTRIES_PER_CALL || pending_bytes + entry.size() >= BYTES_PER_CALL;
        if full && let Some(failed) = flush(bus, &mut pending, records).await {
            return Some(failed);
        }
        pending.push((index, entry));
    }
    flush(bus, &mut pending, records).await
}

/// A record that cannot be published: what came before it is still published first.
async fn stop_at<B: EventBus>(
    bus: &B,
    pending: &mut Vec<(usize, BusEntry)>,
    records: &[EventRecord],
    index: usize,
    problem: &Unpublished,
) -> usize {
    flush(bus, pending, records).await.unwrap_or_else(|| {
        report(records, index, problem);
        index
    })
}

/// Puts the pending entries in one call; the index of the first record the bus did not take.
async fn flush<B: EventBus>(bus: &B, pending: &mut Vec<(usize, BusEntry)>, records: &[EventRecord]) -> Option<usize> {
    if pending.is_empty() {
        return None;
    }
    let batch = std::mem::take(pending);
    let entries = batch.iter().map(|(_, entry)| entry.clone()).collect();
    let failed = match bus.put_events(entries).await {
        Ok(outcomes) => batch
            .iter()
            .zip(outcomes)
            .find_map(|((index, _), outcome)| outcome.err().map(|rejected| (*index, Unpublished::Rejected(rejected)))),
        Err(error) => Some((batch[0].0, Unpublished::Bus(error))),
    };
    failed.map(|(index, problem)| {
        report(records, index, &problem);
        index
    })
}

fn report(records: &[EventRecord], index: usize, problem: &Unpublished) {
    tracing::warn!(
        sequence = %sequence_number(&records[index]),
        reported = records.len() - index,
        error = %meshcustomers::diagnostics::error_chain(problem),
        "publishing stopped; this record and every later one are retried"
    );
}

/// The bus entry of an outbox insert; `None` for any other record (the event source mapping's
/// filter already drops those, this keeps the function correct without it).
fn outbox_entry(record: &EventRecord) -> Result<Option<BusEntry>, Unpublished> {
    let is_outbox = record.event_name == "INSERT"
        && matches!(record.change.new_image.get("entity"), Some(serde_dynamo::AttributeValue::S(entity)) if entity == "OUTBOX");
    if !is_outbox {
        return Ok(None);
    }
    let image: OutboxImage =
        serde_dynamo::from_item(record.change.new_image.clone()).map_err(Unpublished::Unreadable)?;
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
            outbox_entry(&record("INSERT", OUTBOX)).unwrap(),
            Some(BusEntry { detail_type: "CUSTOMER_CREATED".into(), detail: r#"{"eventId":"x"}"#.into() })
        );
    }

    #[test]
    fn other_records_are_not_published() {
        assert_eq!(outbox_entry(&record("MODIFY", OUTBOX)).unwrap(), None);
        assert_eq!(outbox_entry(&record("REMOVE", &[])).unwrap(), None, "TTL deletions of outbox items");
        assert_eq!(outbox_entry(&record("INSERT", &[("entity", "CUSTOMER")])).unwrap(), None);
    }

    #[test]
    fn an_outbox_insert_without_its_detail_is_an_error() {
        assert!(outbox_entry(&record("INSERT", &[("entity", "OUTBOX"), ("eventType", "CUSTOMER_CREATED")])).is_err());
    }
}
