//! Installation-wide tag definitions: one small partition, read whole (one Query: definitions
//! are few and small, far below the 1 MB a Query returns).

use aws_sdk_dynamodb::types::AttributeValue;

use super::items::{self, TagDefinitionItem};
use super::keys;
use super::{Store, StoreError};
use crate::domain::TagDefinition;

impl Store {
    #[tracing::instrument(skip_all)]
    pub async fn tag_definitions(&self) -> Result<Vec<TagDefinition>, StoreError> {
        let mut definitions = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", AttributeValue::S(keys::tag_definitions()))
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await?;
            for item in output.items.unwrap_or_default() {
                definitions.push(serde_dynamo::from_item::<_, TagDefinitionItem>(item)?.definition);
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
            .set_item(Some(items::to_item(TagDefinitionItem::from(definition))?))
            .send()
            .await?;
        Ok(())
    }
}
