//! DynamoDB Streams records, as read from DynamoDB Local, in the JSON form Lambda gives a
//! function (`{"Records": [...]}` of `aws:dynamodb` records with DynamoDB-JSON images).

use aws_sdk_dynamodbstreams::types::{AttributeValue, Record};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

use crate::environment::REGION;

/// One record as Lambda delivers it.
pub fn lambda_record(record: &Record, stream_arn: &str) -> Value {
    let data = record.dynamodb();
    let mut change = Map::new();
    if let Some(data) = data {
        if let Some(created) = data.approximate_creation_date_time() {
            change.insert("ApproximateCreationDateTime".into(), json!(created.secs()));
        }
        for (name, image) in [("Keys", data.keys()), ("NewImage", data.new_image()), ("OldImage", data.old_image())] {
            if let Some(image) = image {
                change.insert(name.into(), item(image));
            }
        }
        change.insert("SequenceNumber".into(), json!(data.sequence_number()));
        change.insert("SizeBytes".into(), json!(data.size_bytes()));
        change.insert("StreamViewType".into(), json!(data.stream_view_type().map(|t| t.as_str())));
    }
    json!({
        "eventID": record.event_id(),
        "eventName": record.event_name().map(|name| name.as_str()),
        "eventVersion": record.event_version().unwrap_or("1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": change,
        "eventSourceARN": stream_arn,
    })
}

/// The record's `SequenceNumber`, Lambda's `itemIdentifier` for partial batch responses.
pub fn sequence_number(record: &Value) -> Option<&str> {
    record["dynamodb"]["SequenceNumber"].as_str()
}

fn item(image: &HashMap<String, AttributeValue>) -> Value {
    Value::Object(image.iter().map(|(name, value)| (name.clone(), attribute(value))).collect())
}

/// DynamoDB JSON: `{"S": "..."}`, `{"N": "1"}`, `{"M": {...}}`, …
fn attribute(value: &AttributeValue) -> Value {
    let base64 = |blob: &aws_sdk_dynamodbstreams::primitives::Blob| json!(BASE64.encode(blob.as_ref()));
    match value {
        AttributeValue::S(text) => json!({ "S": text }),
        AttributeValue::N(number) => json!({ "N": number }),
        AttributeValue::B(blob) => json!({ "B": base64(blob) }),
        AttributeValue::Bool(flag) => json!({ "BOOL": flag }),
        AttributeValue::Null(_) => json!({ "NULL": true }),
        AttributeValue::Ss(texts) => json!({ "SS": texts }),
        AttributeValue::Ns(numbers) => json!({ "NS": numbers }),
        AttributeValue::Bs(blobs) => json!({ "BS": blobs.iter().map(base64).collect::<Vec<_>>() }),
        AttributeValue::M(map) => json!({ "M": item(map) }),
        AttributeValue::L(list) => json!({ "L": list.iter().map(attribute).collect::<Vec<_>>() }),
        _ => json!({ "NULL": true }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodbstreams::types::{OperationType, StreamRecord};

    #[test]
    fn lambda_reads_the_record_with_its_images() {
        let image: HashMap<String, AttributeValue> = [
            ("pk".to_owned(), AttributeValue::S("CUSTOMER#acme".into())),
            ("version".to_owned(), AttributeValue::N("3".into())),
            (
                "tags".to_owned(),
                AttributeValue::M([("env".to_owned(), AttributeValue::Ss(vec!["prod".into()]))].into()),
            ),
        ]
        .into();
        let record = Record::builder()
            .event_id("e1")
            .event_name(OperationType::Insert)
            .dynamodb(StreamRecord::builder().set_new_image(Some(image)).sequence_number("100").size_bytes(10).build())
            .build();
        let json = lambda_record(&record, "arn:stream");
        assert_eq!(json["dynamodb"]["NewImage"]["tags"], json!({"M": {"env": {"SS": ["prod"]}}}));
        assert_eq!(sequence_number(&json), Some("100"));
        let parsed: aws_lambda_events::dynamodb::EventRecord = serde_json::from_value(json).unwrap();
        assert_eq!(parsed.event_name, "INSERT");
        assert_eq!(parsed.change.sequence_number.as_deref(), Some("100"));
        assert!(parsed.change.new_image.get("version").is_some());
    }
}
