//! Installation-wide tag definitions, all in one small partition (`TAG_DEFINITIONS`):
//! - `TAG#<key>`: the definitions in use, read whole with one Query (at most
//!   [`limits::MAX_DEFINITIONS`], each small enough that they fit one 1 MB Query page);
//! - `RETIRED#<key>`: deleted definitions, never read by that Query, read by key only;
//! - `COUNT`: how many are in use, so the bound holds under concurrent creations.
//!
//! Every change is one transaction with its event.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keys::{self, Key, TAG_DEFINITION_PREFIX, TAG_DEFINITIONS_PK, entity};
use super::{Changes, Conflict, Expression, Store, StoreError};
use crate::domain::tags::limits;
use crate::domain::{TagDefinition, TagKey};

/// This entity's keys.
impl Key {
    pub fn tag_definition(key: &TagKey) -> Self {
        Self { pk: TAG_DEFINITIONS_PK.to_owned(), sk: format!("{TAG_DEFINITION_PREFIX}{key}") }
    }

    /// Exists once a definition was deleted: its key is never defined again. Outside the
    /// definitions' sort-key range, so reading the definitions never reads these.
    pub fn retired_tag(key: &TagKey) -> Self {
        Self { pk: TAG_DEFINITIONS_PK.to_owned(), sk: format!("RETIRED#{key}") }
    }

    /// How many definitions are in use: the bound on them holds under concurrent creations.
    pub fn tag_definition_count() -> Self {
        Self { pk: TAG_DEFINITIONS_PK.to_owned(), sk: "COUNT".to_owned() }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagDefinitionItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    #[serde(flatten)]
    pub definition: TagDefinition,
}

impl From<&TagDefinition> for TagDefinitionItem {
    fn from(definition: &TagDefinition) -> Self {
        Self {
            key: Key::tag_definition(&definition.key),
            entity: entity::TAG_DEFINITION.to_owned(),
            definition: definition.clone(),
        }
    }
}

/// A deleted definition, as it was when deleted: its key is never defined again, and customers'
/// values stored under it can still be removed by whoever could write it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetiredTagItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    #[serde(flatten)]
    pub definition: TagDefinition,
    #[serde(with = "crate::events::rfc3339_millis")]
    pub retired_at: DateTime<Utc>,
}

impl RetiredTagItem {
    pub fn new(definition: &TagDefinition, retired_at: DateTime<Utc>) -> Self {
        Self {
            key: Key::retired_tag(&definition.key),
            entity: entity::RETIRED_TAG.to_owned(),
            definition: definition.clone(),
            retired_at,
        }
    }
}

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

/// Golden items: every attribute of each item kind, so a layout change is a deliberate one.
#[cfg(test)]
mod golden {
    use super::*;

    use crate::domain::*;

    use crate::store::items::golden::*;

    use serde_json::json;

    #[test]
    fn tag_definition_item() {
        let definition = TagDefinition {
            key: TagKey::parse("billing").unwrap(),
            display_name: DisplayName::parse("Billing").unwrap(),
            description: String::new(),
            value_type: TagValueType::SingleSelect { options: vec!["card".to_owned()] },
            mandatory: true,
            restricted: true,
            version: 2,
        };
        assert_eq!(
            stored(TagDefinitionItem::from(&definition)),
            json!({
                "pk": {"S": "TAG_DEFINITIONS"}, "sk": {"S": "TAG#billing"}, "entity": {"S": "TAG_DEFINITION"},
                "key": {"S": "billing"}, "displayName": {"S": "Billing"}, "description": {"S": ""},
                "valueType": {"S": "SINGLE_SELECT"}, "options": {"L": [{"S": "card"}]},
                "mandatory": {"BOOL": true}, "restricted": {"BOOL": true}, "version": {"N": "2"}
            })
        );
        assert_eq!(
            stored(RetiredTagItem::new(&definition, at())),
            json!({
                "pk": {"S": "TAG_DEFINITIONS"}, "sk": {"S": "RETIRED#billing"}, "entity": {"S": "RETIRED_TAG"},
                "key": {"S": "billing"}, "displayName": {"S": "Billing"}, "description": {"S": ""},
                "valueType": {"S": "SINGLE_SELECT"}, "options": {"L": [{"S": "card"}]},
                "mandatory": {"BOOL": true}, "restricted": {"BOOL": true}, "version": {"N": "2"},
                "retiredAt": {"S": "2026-01-15T11:30:00.000Z"}
            })
        );
    }
}
