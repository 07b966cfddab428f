//! Installation-wide tag definitions, all in one small partition (`TAG_DEFINITIONS`):
//! - `TAG#<key>`: the definitions in use, read whole with one Query (at most
//!   [`limits::MAX_DEFINITIONS`], each small enough that they fit one 1 MB Query page);
//! - `RETIRED#<key>`: deleted definitions, never read by that Query, read by key only;
//! - `COUNT`: how many are in use, so the bound holds under concurrent creations.
//!
//! Every change is one transaction with its event.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::items::{RetiredTagItem, TagDefinitionItem};
use super::keys::{self, Key, TAG_DEFINITION_PREFIX, entity};
use super::{Changes, Conflict, Expression, Store, StoreError};
use crate::domain::tags::limits;
use crate::domain::{TagDefinition, TagKey};

impl Store {
    /// The definitions in use, by key: one consistent Query of their sort-key range.
    #[tracing::instrument(skip_all)]
    pub async fn tag_definitions(&self) -> Result<Vec<TagDefinition>, StoreError> {
        // One page by the bounds on definitions; reading on keeps a larger catalog correct.
        self.query_all(keys::tag_definitions(), TAG_DEFINITION_PREFIX)
            .await?
            .into_iter()
            .map(|item| serde_dynamo::from_item::<_, TagDefinitionItem>(item).map(|item| item.definition))
            .collect::<Result<_, _>>()
            .map_err(StoreError::from)
    }

    /// One definition in use, read consistently; `None` if there is none (or it was deleted).
    #[tracing::instrument(skip_all, fields(%key))]
    pub async fn tag_definition(&self, key: &TagKey) -> Result<Option<TagDefinition>, StoreError> {
        let item = self.get_many(vec![Key::tag_definition(key)]).await?.into_iter().next();
        item.map(|item| serde_dynamo::from_item::<_, TagDefinitionItem>(item).map(|item| item.definition))
            .transpose()
            .map_err(StoreError::from)
    }
}

impl Changes {
    /// Defines a new tag, if its key was never defined and fewer than the bound are in use.
    pub fn create_tag_definition(&mut self, definition: &TagDefinition) -> Result<(), StoreError> {
        self.insert(&TagDefinitionItem::from(definition), Conflict::TagKeyTaken(definition.key.clone()))?;
        self.check(
            Key::retired_tag(&definition.key),
            Expression::absent(),
            Conflict::TagKeyRetired(definition.key.clone()),
        )?;
        let max = AttributeValue::N(limits::MAX_DEFINITIONS.to_string());
        self.update(
            Key::tag_definition_count(),
            count_change("if_not_exists(#count, :zero) + :one"),
            Expression::new("attribute_not_exists(#count) OR #count < :max").name("#count", "count").value(":max", max),
            Conflict::TooManyTagDefinitions,
        )?;
        Ok(())
    }

    /// Replaces a definition, if its stored version is still `before.version`.
    pub fn replace_tag_definition(&mut self, before: &TagDefinition, after: &TagDefinition) -> Result<(), StoreError> {
        if after.key != before.key || after.version != before.version + 1 {
            return Err(StoreError::Invariant("a replacement changes the key or skips a version"));
        }
        self.put(
            &TagDefinitionItem::from(after),
            Expression::version_is(before.version),
            Conflict::VersionMismatch { current_version: None },
        )?;
        Ok(())
    }

    /// Deletes a definition (if its stored version is still `definition.version`) and retires its
    /// key. Customers' values stay where they are: nothing is scanned or rewritten.
    pub fn retire_tag_definition(&mut self, definition: &TagDefinition, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.delete(
            Key::tag_definition(&definition.key),
            Expression::version_is(definition.version),
            Conflict::VersionMismatch { current_version: None },
        )?;
        self.insert(&RetiredTagItem::new(definition, at), Conflict::TagKeyRetired(definition.key.clone()))?;
        self.update(
            Key::tag_definition_count(),
            count_change("#count - :one"),
            Expression::new("#count > :zero").name("#count", "count"),
            Conflict::Inconsistent("no tag definition is counted, yet one is deleted"),
        )?;
        Ok(())
    }
}

/// Sets the definition counter to `value` (an expression over `#count`, `:zero` and `:one`).
fn count_change(value: &str) -> Expression {
    Expression::new(format!("SET #count = {value}, #entity = :entity"))
        .name("#count", "count")
        .name("#entity", "entity")
        .value(":zero", number(0))
        .value(":one", number(1))
        .value(":entity", AttributeValue::S(entity::TAG_DEFINITION_COUNT.to_owned()))
}

fn number(n: u64) -> AttributeValue {
    AttributeValue::N(n.to_string())
}
