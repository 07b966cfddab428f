//! The single-table DynamoDB store. Access patterns, keys and indexes: README.md, "Data model".
//! Every state change is one `TransactWriteItems` that also writes its outbox events.
//!
//! One module per entity (modyne style): it owns the entity's keys (`impl Key`), its item shape,
//! its reads (`impl Store`), its writes inside a change (`impl Changes`) and its golden item test.
//! Shared by all: `keys` (the key type, shared partitions, prefixes and entity names), `items`
//! (the raw item), `transaction` (a change and its commit), `pagination` and `cursor`.

mod access_reviews;
mod api_keys;
mod conflict;
mod cursor;
mod customers;
mod deliveries;
mod email_confirmations;
mod error;
mod history;
mod invitations;
mod items;
mod keys;
mod members;
mod membership_log;
mod messages;
mod outbox;
mod pagination;
mod projects;
mod registrations;
mod tag_definitions;
mod transaction;

use crate::sdk::SendBoxed;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use std::sync::Arc;

pub use api_keys::OwnedApiKey;
pub use conflict::Conflict;
pub use customers::{CustomerFilter, MemberRoster, NewCustomer, Related, RelatedItems};
pub use deliveries::{Claim, Completion, DeliveryClaim};
pub use email_confirmations::LinkStart;
pub use error::StoreError;
pub use history::{HistoryEntry, HistoryFilter, Recorded};
use items::Item;
pub use keys::{Index, Key};
pub use membership_log::{
    MembershipChange, MembershipChangeItem, SETTLING as MEMBERSHIP_LOG_SETTLING,
    SNAPSHOT_EVERY as MEMBERSHIP_SNAPSHOT_EVERY,
};
pub use messages::Delivery;
pub use pagination::{MAX_FILTERED_READ, Page, PageQuery};
pub use registrations::PendingCustomer;
use transaction::built;
pub use transaction::{Changes, Expression};

use crate::secrets::{Secret, SecretsManagerSecret};

/// What signs pagination cursors (HMAC-SHA256), so that a tampered cursor is detected.
#[derive(Debug)]
pub enum CursorKey {
    /// The function pages no lists.
    None,
    /// The key itself (tests, tools).
    Fixed(Secret),
    /// Read from Secrets Manager at the first list request.
    SecretsManager(SecretsManagerSecret),
}

/// The most keys one `BatchGetItem` may name.
pub(crate) const MAX_BATCH_KEYS: usize = 100;

/// Shortest signing key accepted, in bytes.
pub const MIN_CURSOR_KEY_BYTES: usize = 32;

#[derive(Clone)]
pub struct Store {
    client: Client,
    table: String,
    cursor_key: Arc<CursorKey>,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>, cursor_key: CursorKey) -> Self {
        Self { client, table: table.into(), cursor_key: Arc::new(cursor_key) }
    }

    async fn cursor_key(&self) -> Result<&Secret, StoreError> {
        match self.cursor_key.as_ref() {
            CursorKey::None => Err(StoreError::Invariant("this function pages a list but has no cursor key")),
            CursorKey::Fixed(secret) => Ok(secret),
            CursorKey::SecretsManager(secret) => {
                secret.get().await.map_err(|error| StoreError::CursorKey(Box::new(error)))
            }
        }
    }
}

impl Store {
    /// One item by its key, read consistently.
    pub(crate) async fn get_item(&self, key: Key) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key.into_attributes()))
            .consistent_read(true)
            .send_boxed()
            .await?;
        Ok(output.item)
    }

    /// Stores a one-time link's new item, then makes it current on the item it belongs to
    /// (`SET #attribute = :hash`) if `condition` still holds there. Whether it became current: a
    /// link stored without becoming current can never be used, and expires like any other.
    pub(crate) async fn start_link(
        &self,
        link: Item,
        owner: Key,
        current: Expression,
        condition: Expression,
    ) -> Result<bool, StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(link))
            .condition_expression("attribute_not_exists(pk)")
            .send_boxed()
            .await?;
        let (names, values) = (current.names().chain(condition.names()), current.values().chain(condition.values()));
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(owner.into_attributes()))
            .update_expression(current.text())
            .condition_expression(condition.text())
            .set_expression_attribute_names(Some(names.map(|(k, v)| (k.clone(), v.clone())).collect()))
            .set_expression_attribute_values(Some(values.map(|(k, v)| (k.clone(), v.clone())).collect()))
            .send_boxed()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) => match error.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(false),
                _ => Err(error.into()),
            },
        }
    }

    /// Every item of `partition` whose sort key begins with `prefix`, read consistently, page
    /// after page: for reads that need all of a bounded set (the tag catalog, a fan-out's
    /// recipients), never for request paths that page their answers.
    pub(crate) async fn query_all(&self, partition: String, prefix: &str) -> Result<Vec<Item>, StoreError> {
        let all = self.query_prefix(partition, prefix, None).await?;
        all.ok_or(StoreError::Invariant("a read without a bound found more than all"))
    }

    /// The items of `partition` whose sort key begins with `prefix`, if there are at most `max`:
    /// read consistently, page after page (`Limit` `max + 1`, and 1 MB a page), stopping as soon
    /// as more than `max` are found (`None`). For reads that need all of a set they bound.
    pub(crate) async fn query_up_to(
        &self,
        partition: String,
        prefix: &str,
        max: usize,
    ) -> Result<Option<Vec<Item>>, StoreError> {
        self.query_prefix(partition, prefix, Some(max)).await
    }

    /// [`Store::query_up_to`], or every item when `max` is `None` (no `Limit`).
    async fn query_prefix(
        &self,
        partition: String,
        prefix: &str,
        max: Option<usize>,
    ) -> Result<Option<Vec<Item>>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let wanted = max.map(|max| i32::try_from(max + 1 - items.len()).unwrap_or(i32::MAX));
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :prefix)")
                .expression_attribute_values(":pk", AttributeValue::S(partition.clone()))
                .expression_attribute_values(":prefix", AttributeValue::S(prefix.to_owned()))
                .consistent_read(true)
                .set_limit(wanted)
                .set_exclusive_start_key(start)
                .send_boxed()
                .await?;
            items.extend(output.items.unwrap_or_default());
            if max.is_some_and(|max| items.len() > max) {
                return Ok(None);
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(Some(items));
            }
        }
    }

    /// Items by their keys, read consistently in one `BatchGetItem` (keys that exist; in no
    /// particular order). Keys DynamoDB leaves unprocessed under throttling are asked again.
    pub(crate) async fn get_many(&self, keys: Vec<Key>) -> Result<Vec<Item>, StoreError> {
        let keys: Vec<Item> = keys.into_iter().map(Key::into_attributes).collect();
        let mut request = Some(built(KeysAndAttributes::builder().set_keys(Some(keys)).consistent_read(true).build())?);
        let mut items = Vec::new();
        while let Some(keys) = request.take() {
            let output = self.client.batch_get_item().request_items(&self.table, keys).send_boxed().await?;
            items.extend(output.responses.and_then(|mut tables| tables.remove(&self.table)).unwrap_or_default());
            request = output.unprocessed_keys.and_then(|mut tables| tables.remove(&self.table));
        }
        Ok(items)
    }
}
