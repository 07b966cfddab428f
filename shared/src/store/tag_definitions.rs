//! Installation-wide tag definitions: one small partition, read whole.

use aws_sdk_dynamodb::types::AttributeValue;

use super::items::{self, TagDefinitionItem};
use super::keys;
use super::{Store, StoreError};
use crate::domain::TagDefinition;

impl Store {
    pub async fn tag_definitions(&self) -> Result<Vec<TagDefinition>, StoreError> {
        let mut definitions = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", AttributeValue::S(keys::TAG_DEFINITIONS_PK.to_owned()))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(StoreError::internal)?;
            for item in output.items.unwrap_or_default() {
                let item: TagDefinitionItem = serde_dynamo::from_item(item).map_err(StoreError::internal)?;
                definitions.push(item.definition);
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(definitions);
            }
        }
    }

    /// Creates or replaces a definition. (Its route, with its rules, arrives with the tag feature.)
    pub async fn put_tag_definition(&self, definition: &TagDefinition) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(items::to_item(TagDefinitionItem::from(definition)).map_err(StoreError::internal)?))
            .send()
            .await
            .map_err(StoreError::internal)?;
        Ok(())
    }
}
