//! The account history: one entry per event, written by the audit writer, read newest first.

use aws_sdk_dynamodb::operation::put_item::PutItemError;

use super::items::{self, HistoryItem};
use super::keys::{self, Index};
use super::pagination::{ListQuery, Page, PageQuery};
use super::{Store, StoreError};
use crate::domain::CustomerIdentifier;
use crate::events::{EventEnvelope, EventType};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    New,
    /// The event was delivered before: nothing was written.
    AlreadyRecorded,
}

/// A history entry as the history route returns it: the event's detail.
pub type HistoryEntry = serde_json::Value;

/// Which entries to read. The event type picks its own index partition (a key condition).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    pub event_type: Option<EventType>,
}

impl Store {
    /// Writes the entry once per event id; the key is derived from the event, so a redelivery
    /// meets its own earlier write and the condition turns it into a no-op.
    #[tracing::instrument(skip_all, fields(event_id = %envelope.event_id, event_type = %envelope.event_type))]
    pub async fn record_history(
        &self,
        envelope: &EventEnvelope,
        detail: &serde_json::Value,
    ) -> Result<Recorded, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(items::to_item(HistoryItem::new(envelope, detail))?))
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
            Err(error) => Err(error.into()),
        }
    }

    /// A customer's history, newest first.
    #[tracing::instrument(skip_all, fields(%customer, ?filter))]
    pub async fn list_history(
        &self,
        customer: &CustomerIdentifier,
        filter: &HistoryFilter,
        page: &PageQuery,
    ) -> Result<Page<HistoryEntry>, StoreError> {
        let (index, partition, sort) = match filter.event_type {
            None => (None, keys::customer_pk(customer), "sk"),
            Some(event_type) => {
                (Some(Index::Gsi1), keys::history_of_type(Some(customer), event_type.as_str()), "gsi1sk")
            }
        };
        let query = ListQuery {
            index,
            key_condition: "#partition = :partition AND begins_with(#sort, :history)",
            filter: None,
            names: vec![("#partition", index.map_or("pk", Index::partition_attribute)), ("#sort", sort)],
            values: vec![(":partition", partition), (":history", keys::HISTORY_PREFIX.to_owned())],
            newest_first: true,
        };
        self.list_page(query, page).await?.try_map(|item| {
            let item: HistoryItem = serde_dynamo::from_item(item)?;
            serde_json::from_str(&item.detail)
                .map_err(|_| StoreError::Invariant("a history entry's detail is not JSON"))
        })
    }
}
