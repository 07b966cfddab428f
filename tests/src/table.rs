//! Creates a table in DynamoDB Local with the template's own key schema, indexes and stream.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, StreamSpecification, StreamViewType,
};
use serde_yaml::Value;

use crate::template::template;

pub async fn create_table(client: &Client, name: &str) {
    let template = template();
    let properties = &template["Resources"]["Table"]["Properties"];
    let text =
        |value: &Value| value.as_str().unwrap_or_else(|| panic!("expected a literal string, got {value:?}")).to_owned();
    let key_schema = |value: &Value| -> Vec<KeySchemaElement> {
        value
            .as_sequence()
            .expect("KeySchema is a list")
            .iter()
            .map(|key| {
                KeySchemaElement::builder()
                    .attribute_name(text(&key["AttributeName"]))
                    .key_type(KeyType::from(text(&key["KeyType"]).as_str()))
                    .build()
                    .expect("key schema element")
            })
            .collect()
    };
    let attributes = properties["AttributeDefinitions"]
        .as_sequence()
        .expect("AttributeDefinitions is a list")
        .iter()
        .map(|attribute| {
            AttributeDefinition::builder()
                .attribute_name(text(&attribute["AttributeName"]))
                .attribute_type(ScalarAttributeType::from(text(&attribute["AttributeType"]).as_str()))
                .build()
                .expect("attribute definition")
        })
        .collect();
    let indexes = properties["GlobalSecondaryIndexes"].as_sequence().map(|indexes| {
        indexes
            .iter()
            .map(|index| {
                GlobalSecondaryIndex::builder()
                    .index_name(text(&index["IndexName"]))
                    .set_key_schema(Some(key_schema(&index["KeySchema"])))
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::from(
                                text(&index["Projection"]["ProjectionType"]).as_str(),
                            ))
                            .build(),
                    )
                    .build()
                    .expect("index")
            })
            .collect()
    });
    let stream = StreamSpecification::builder()
        .stream_enabled(true)
        .stream_view_type(StreamViewType::from(text(&properties["StreamSpecification"]["StreamViewType"]).as_str()))
        .build()
        .expect("stream specification");
    client
        .create_table()
        .table_name(name)
        .set_attribute_definitions(Some(attributes))
        .set_key_schema(Some(key_schema(&properties["KeySchema"])))
        .set_global_secondary_indexes(indexes)
        .billing_mode(BillingMode::PayPerRequest)
        .stream_specification(stream)
        .send()
        .await
        .expect("DynamoDB Local creates the table");
}
