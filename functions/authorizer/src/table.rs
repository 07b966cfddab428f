//! The key's item, read with one GetItem (README, access patterns: "API key by its hash"), and
//! `lastUsedAt` written on it and on its owner's listing item at most once an hour.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::{DateTime, SecondsFormat, Utc};

use crate::api_key::{ITEM_SORT_KEY, LAST_USED_GRANULARITY, StoredKey, owner_item_key};
use crate::authorizer::{KeyLookup, LookupError};

pub struct KeyTable {
    pub client: aws_sdk_dynamodb::Client,
    pub table_name: String,
}

impl KeyLookup for KeyTable {
    async fn find(&self, item_key: &str) -> Result<Option<StoredKey>, LookupError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table_name)
            .key("pk", AttributeValue::S(item_key.to_owned()))
            .key("sk", AttributeValue::S(ITEM_SORT_KEY.to_owned()))
            .send()
            .await
            .map_err(|error| LookupError(meshcustomers::diagnostics::error_chain(&error)))?;
        output
            .item
            .map(serde_dynamo::from_item)
            .transpose()
            .map_err(|error| LookupError(format!("the item is not a key: {error}")))
    }

    async fn mark_used(&self, item_key: &str, stored: &StoredKey, now: DateTime<Utc>) -> Result<(), LookupError> {
        let Some((owner_pk, owner_sk)) = owner_item_key(stored) else { return Ok(()) };
        // One timestamp form (milliseconds, `Z`) so that the condition compares them as text.
        let stamp = |at: DateTime<Utc>| AttributeValue::S(at.to_rfc3339_opts(SecondsFormat::Millis, true));
        let update = |pk: String, sk: String, condition: &str, values: Vec<(&str, AttributeValue)>| {
            let update = Update::builder()
                .table_name(&self.table_name)
                .key("pk", AttributeValue::S(pk))
                .key("sk", AttributeValue::S(sk))
                .update_expression("SET lastUsedAt = :now")
                .condition_expression(condition)
                .expression_attribute_values(":now", stamp(now));
            values
                .into_iter()
                .fold(update, |update, (name, value)| update.expression_attribute_values(name, value))
                .build()
                .map(|update| TransactWriteItem::builder().update(update).build())
                .map_err(|error| LookupError(error.to_string()))
        };
        let on_key = update(
            item_key.to_owned(),
            ITEM_SORT_KEY.to_owned(),
            "attribute_exists(pk) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt <= :hourAgo)",
            vec![(":hourAgo", stamp(now - LAST_USED_GRANULARITY))],
        )?;
        // Never recreates the listing of a key revoked meanwhile.
        let on_owner = update(owner_pk, owner_sk, "attribute_exists(pk)", vec![])?;
        match self.client.transact_write_items().transact_items(on_key).transact_items(on_owner).send().await {
            Ok(_) => Ok(()),
            // Marked meanwhile by another request, or revoked: nothing to write.
            Err(SdkError::ServiceError(error))
                if matches!(error.err(), TransactWriteItemsError::TransactionCanceledException(_)) =>
            {
                Ok(())
            }
            Err(error) => Err(LookupError(meshcustomers::diagnostics::error_chain(&error))),
        }
    }
}
