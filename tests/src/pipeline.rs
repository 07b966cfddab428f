//! The event pipeline as Lambda and EventBridge drive it: records read from DynamoDB Local's
//! real stream become the publisher's input; the bus (no local twin yet) is replaced at its
//! client boundary by a recorder whose entries become EventBridge events for the consumers.

use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use lambda_runtime::{Context, LambdaEvent};
use local_cloud::stream::records::lambda_record;
use std::collections::HashSet;
use std::sync::Mutex;
use stream_publisher::{BusEntry, BusError, EventBus, Rejected};

use crate::local_services::dynamodb_endpoint;
use crate::test_app::local_sdk_config;

/// Every record of the table's stream so far, in the Lambda event format.
pub async fn stream_records(table: &str) -> Vec<EventRecord> {
    stream_records_at(dynamodb_endpoint(), table).await
}

/// Every record so far of the stream of `table` in the DynamoDB Local at `endpoint`.
pub async fn stream_records_at(endpoint: &str, table: &str) -> Vec<EventRecord> {
    let streams = aws_sdk_dynamodbstreams::Client::new(&local_sdk_config(endpoint).await);
    let listed = streams.list_streams().table_name(table).send().await.expect("list streams");
    let arn = listed.streams()[0].stream_arn().expect("stream arn").to_owned();
    let description = streams.describe_stream().stream_arn(&arn).send().await.expect("describe stream");
    let shards = description.stream_description().map(|d| d.shards().to_vec()).unwrap_or_default();
    let mut records = Vec::new();
    for shard in shards {
        let mut iterator = streams
            .get_shard_iterator()
            .stream_arn(&arn)
            .shard_id(shard.shard_id().expect("shard id"))
            .shard_iterator_type(ShardIteratorType::TrimHorizon)
            .send()
            .await
            .expect("shard iterator")
            .shard_iterator;
        while let Some(current) = iterator {
            let output = streams.get_records().shard_iterator(current).send().await.expect("get records");
            if output.records().is_empty() {
                break;
            }
            let lambda_records = output.records().iter().map(|record| lambda_record(record, &arn));
            records.extend(lambda_records.map(|json| serde_json::from_value(json).expect("Lambda's record format")));
            iterator = output.next_shard_iterator;
        }
    }
    records
}

/// One write of the table, as its stream recorded it.
#[derive(Debug, Clone)]
pub struct StreamWrite {
    /// INSERT, MODIFY or REMOVE.
    pub event_name: String,
    pub pk: String,
    pub sk: String,
    /// The item's `status` after the write, if it has one.
    pub status: Option<String>,
}

/// Every write of the table so far, in the order they landed (DynamoDB Local's stream has one
/// shard, and a partition's writes are in commit order in any case).
pub async fn stream_writes(table: &str) -> Vec<StreamWrite> {
    stream_writes_at(dynamodb_endpoint(), table).await
}

/// [`stream_writes`] of `table` in the DynamoDB Local at `endpoint`.
pub async fn stream_writes_at(endpoint: &str, table: &str) -> Vec<StreamWrite> {
    let text = |image: &serde_dynamo::Item, name: &str| match image.get(name) {
        Some(serde_dynamo::AttributeValue::S(value)) => Some(value.clone()),
        _ => None,
    };
    stream_records_at(endpoint, table)
        .await
        .into_iter()
        .map(|record| StreamWrite {
            event_name: record.event_name.clone(),
            pk: text(&record.change.keys, "pk").unwrap_or_default(),
            sk: text(&record.change.keys, "sk").unwrap_or_default(),
            status: text(&record.change.new_image, "status"),
        })
        .collect()
}

pub fn stream_batch(records: Vec<EventRecord>) -> LambdaEvent<Event> {
    let mut event = Event::default();
    event.records = records;
    LambdaEvent::new(event, Context::default())
}

/// The bus's stand-in: records what it was given, rejects entries of chosen event types.
#[derive(Default)]
pub struct RecordingBus {
    pub entries: Mutex<Vec<BusEntry>>,
    pub rejected_types: Mutex<HashSet<String>>,
    pub calls: Mutex<Vec<usize>>,
}

impl RecordingBus {
    pub fn reject(&self, detail_type: &str) {
        self.rejected_types.lock().unwrap().insert(detail_type.to_owned());
    }

    pub fn entries(&self) -> Vec<BusEntry> {
        self.entries.lock().unwrap().clone()
    }
}

impl EventBus for RecordingBus {
    async fn put_events(&self, entries: Vec<BusEntry>) -> Result<Vec<Result<(), Rejected>>, BusError> {
        self.calls.lock().unwrap().push(entries.len());
        let rejected = self.rejected_types.lock().unwrap().clone();
        Ok(entries
            .into_iter()
            .map(|entry| {
                if rejected.contains(&entry.detail_type) {
                    Err(Rejected { code: "InternalFailure".to_owned(), message: "rejected by the test".to_owned() })
                } else {
                    self.entries.lock().unwrap().push(entry);
                    Ok(())
                }
            })
            .collect())
    }
}

/// The event EventBridge delivers to a rule's target for a bus entry.
pub fn delivered(entry: &BusEntry) -> LambdaEvent<EventBridgeEvent> {
    let mut event = EventBridgeEvent::default();
    event.id = Some(uuid::Uuid::now_v7().to_string());
    event.source = meshcustomers::events::EVENT_SOURCE.to_owned();
    event.detail_type = entry.detail_type.clone();
    event.detail = serde_json::from_str(&entry.detail).expect("details are JSON");
    LambdaEvent::new(event, Context::default())
}
