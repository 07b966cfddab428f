//! Creates a table in DynamoDB Local with the template's own key schema, indexes and stream
//! (the product's table, and an integrator's tables, see [`crate::bus::integrator_stack`]); a
//! table kept from an earlier run gets the indexes the template has added since.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, CreateGlobalSecondaryIndexAction, GlobalSecondaryIndex,
    GlobalSecondaryIndexUpdate, KeySchemaElement, KeyType, Projection, ProjectionType, ScalarAttributeType,
    StreamSpecification, StreamViewType,
};
use serde_yaml::Value;

use crate::template::Template;

/// Why the table could not be looked up or created in DynamoDB Local.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("the template defines no resource Table")]
    NotInTemplate,
    #[error("DescribeTable {table} failed")]
    Describe {
        table: String,
        #[source]
        source: Box<aws_sdk_dynamodb::Error>,
    },
    #[error("UpdateTable {table} (adding index {index}) failed")]
    AddIndex {
        table: String,
        index: String,
        #[source]
        source: Box<aws_sdk_dynamodb::Error>,
    },
    #[error("CreateTable {table} failed")]
    Create {
        table: String,
        #[source]
        source: Box<aws_sdk_dynamodb::Error>,
    },
}

/// Creates the table `Table` of the template under `name`.
pub async fn create_table(client: &Client, template: &Template, name: &str) -> Result<(), TableError> {
    let properties = template.table_definition("Table").ok_or(TableError::NotInTemplate)?;
    create_table_from(client, properties, name).await
}

/// Creates a table as the `Properties` of an `AWS::DynamoDB::Table` define it, under `name`.
pub async fn create_table_from(client: &Client, properties: &Value, name: &str) -> Result<(), TableError> {
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
    let stream = properties["StreamSpecification"]["StreamViewType"].as_str().map(|view| {
        StreamSpecification::builder()
            .stream_enabled(true)
            .stream_view_type(StreamViewType::from(view))
            .build()
            .expect("stream specification")
    });
    client
        .create_table()
        .table_name(name)
        .set_attribute_definitions(Some(attributes))
        .set_key_schema(Some(key_schema(&properties["KeySchema"])))
        .set_global_secondary_indexes(indexes)
        .billing_mode(BillingMode::PayPerRequest)
        .set_stream_specification(stream)
        .send()
        .await
        .map_err(|error| TableError::Create { table: name.to_owned(), source: Box::new(error.into()) })?;
    Ok(())
}

/// Creates the table unless it exists (data kept from an earlier run).
pub async fn ensure_table(client: &Client, template: &Template, name: &str) -> Result<bool, TableError> {
    let properties = template.table_definition("Table").ok_or(TableError::NotInTemplate)?;
    ensure_table_from(client, properties, name).await
}

/// [`create_table_from`] unless the table exists; whether it created it.
pub async fn ensure_table_from(client: &Client, properties: &Value, name: &str) -> Result<bool, TableError> {
    match client.describe_table().table_name(name).send().await {
        Ok(described) => {
            let existing: Vec<String> = described
                .table()
                .map(|table| {
                    table.global_secondary_indexes().iter().filter_map(|i| i.index_name()).map(str::to_owned).collect()
                })
                .unwrap_or_default();
            add_missing_indexes(client, properties, name, &existing).await?;
            Ok(false)
        }
        Err(error) if error.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()) => {
            create_table_from(client, properties, name).await?;
            Ok(true)
        }
        Err(error) => Err(TableError::Describe { table: name.to_owned(), source: Box::new(error.into()) }),
    }
}

/// Adds to an existing table each index of the template it lacks (one per UpdateTable, as
/// DynamoDB takes them), so that a table kept from an earlier run follows the template.
async fn add_missing_indexes(
    client: &Client,
    properties: &Value,
    name: &str,
    existing: &[String],
) -> Result<(), TableError> {
    let text = |value: &Value| value.as_str().map(str::to_owned).unwrap_or_default();
    let attributes: Vec<AttributeDefinition> = properties["AttributeDefinitions"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|attribute| {
            AttributeDefinition::builder()
                .attribute_name(text(&attribute["AttributeName"]))
                .attribute_type(ScalarAttributeType::from(text(&attribute["AttributeType"]).as_str()))
                .build()
                .ok()
        })
        .collect();
    for index in properties["GlobalSecondaryIndexes"].as_sequence().into_iter().flatten() {
        let index_name = text(&index["IndexName"]);
        if existing.contains(&index_name) {
            continue;
        }
        let key_schema: Vec<KeySchemaElement> = index["KeySchema"]
            .as_sequence()
            .into_iter()
            .flatten()
            .filter_map(|key| {
                KeySchemaElement::builder()
                    .attribute_name(text(&key["AttributeName"]))
                    .key_type(KeyType::from(text(&key["KeyType"]).as_str()))
                    .build()
                    .ok()
            })
            .collect();
        let projection = Projection::builder()
            .projection_type(ProjectionType::from(text(&index["Projection"]["ProjectionType"]).as_str()))
            .build();
        let create = CreateGlobalSecondaryIndexAction::builder()
            .index_name(&index_name)
            .set_key_schema(Some(key_schema))
            .projection(projection)
            .build()
            .expect("an index's name, keys and projection are set");
        let failed = |error: aws_sdk_dynamodb::Error| TableError::AddIndex {
            table: name.to_owned(),
            index: index_name.clone(),
            source: Box::new(error),
        };
        client
            .update_table()
            .table_name(name)
            .set_attribute_definitions(Some(attributes.clone()))
            .global_secondary_index_updates(GlobalSecondaryIndexUpdate::builder().create(create).build())
            .send()
            .await
            .map_err(|error| failed(error.into()))?;
    }
    Ok(())
}
