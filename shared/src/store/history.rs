//! The account history: one entry per event, written by the audit writer, read newest first.

use aws_sdk_dynamodb::operation::put_item::PutItemError;

use super::items::{self, HistoryItem};
use super::keys::{self, entity};
use super::pagination::{ListQuery, Page, PageQuery};
use super::{Store, StoreError};
use crate::domain::CustomerIdentifier;
use crate::events::{EventEnvelope, rfc3339_millis};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    New,
    /// The event was delivered before: nothing was written.
    AlreadyRecorded,
}

/// A history entry as the history route returns it: the event's detail.
pub type HistoryEntry = serde_json::Value;

impl Store {
    /// Writes the entry once per event id; the key is derived from the event, so a redelivery
    /// meets its own earlier write and the condition turns it into a no-op.
    pub async fn record_history(
        &self,
        envelope: &EventEnvelope,
        detail: &serde_json::Value,
    ) -> Result<Recorded, StoreError> {
        let event_id = envelope.event_id.to_string();
        let occurred_at = rfc3339_millis::format(&envelope.occurred_at);
        let item = HistoryItem {
            pk: keys::event_pk(envelope.customer_id.as_ref().map(|id| id.as_str())),
            sk: keys::history_sk(&occurred_at, &event_id),
            entity: entity::HISTORY.to_owned(),
            event_id,
            event_type: envelope.event_type.clone(),
            occurred_at,
            detail: detail.to_string(),
        };
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(items::to_item(item).map_err(StoreError::internal)?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(Recorded::New),
            Err(error)
                if matches!(error.as_service_error(), Some(PutItemError::ConditionalCheckFailedException(_))) =>
            {
                Ok(Recorded::AlreadyRecorded)
            }
            Err(error) => Err(StoreError::internal(error)),
        }
    }

    /// A customer's history, newest first, optionally of one event type.
    pub async fn list_history(
        &self,
        customer: &CustomerIdentifier,
        event_type: Option<&str>,
        page: &PageQuery,
    ) -> Result<Page<HistoryEntry>, StoreError> {
        let mut names = vec![("#pk", "pk"), ("#sk", "sk")];
        let mut values =
            vec![(":pk", keys::customer_pk(customer.as_str())), (":prefix", keys::HISTORY_PREFIX.to_owned())];
        if let Some(event_type) = event_type {
            names.push(("#eventType", "eventType"));
            values.push((":eventType", event_type.to_owned()));
        }
        let query = ListQuery {
            index: None,
            key_attributes: &["pk", "sk"],
            key_condition: "#pk = :pk AND begins_with(#sk, :prefix)",
            filter: event_type.map(|_| "#eventType = :eventType".to_owned()),
            names,
            values,
            newest_first: true,
        };
        self.list_page(query, page).await?.try_map(|item| {
            let item: HistoryItem = serde_dynamo::from_item(item).map_err(StoreError::internal)?;
            serde_json::from_str(&item.detail).map_err(StoreError::internal)
        })
    }
}
