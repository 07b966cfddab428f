//! The account history: one entry per event, written by the audit writer, read newest first.

use crate::domain::GeneratedId;
use crate::sdk::SendBoxed;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use aws_sdk_dynamodb::types::AttributeValue;

use super::items;
use super::keys::{self, Index, Key, entity, event_pk, history_sk};
use super::pagination::{ListQuery, Page, PageQuery};
use super::registrations::HISTORY_RECORDED;
use super::{Conflict, Expression, Store, StoreError};
use crate::domain::CustomerIdentifier;
use crate::events::{EventEnvelope, EventType, rfc3339_millis};

/// This entity's keys.
impl Key {
    /// Sorts by time, so the newest entries come first when read backwards.
    pub fn history(
        customer: Option<&CustomerIdentifier>,
        event_type: &str,
        occurred_at: &str,
        event: GeneratedId,
    ) -> Self {
        Self { pk: event_pk(customer, event_type), sk: history_sk(occurred_at, event) }
    }
}

/// An entry of a customer's account history, written once per event id.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    /// The customer's entries of one event type, by time.
    pub gsi1pk: String,
    pub gsi1sk: String,
    pub event_id: String,
    pub event_type: String,
    pub occurred_at: String,
    pub detail: String,
}

impl HistoryItem {
    pub fn new(envelope: &EventEnvelope, detail: &serde_json::Value) -> Self {
        let occurred_at = rfc3339_millis::format(&envelope.occurred_at);
        let customer = envelope.customer_id.as_ref();
        Self {
            key: Key::history(customer, &envelope.event_type, &occurred_at, envelope.event_id),
            entity: entity::HISTORY.to_owned(),
            gsi1pk: keys::history_of_type(customer, &envelope.event_type),
            gsi1sk: keys::history_sk(&occurred_at, envelope.event_id),
            event_id: envelope.event_id.to_string(),
            event_type: envelope.event_type.clone(),
            occurred_at,
            detail: detail.to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    New,
    /// The event was delivered before: nothing was written.
    AlreadyRecorded,
    /// The event's customer was a registration removed since (declined or expired): nothing was
    /// written, so a later customer with the identifier finds nothing of it.
    CustomerRemoved,
}

/// A history entry as the history route returns it: the event's detail.
pub type HistoryEntry = serde_json::Value;

/// Which entries to read, all by key condition: the event type picks its own index partition,
/// the time window a range of the sort key (which begins with the time).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryFilter {
    pub event_type: Option<EventType>,
    /// Entries that occurred at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Entries that occurred before this time.
    pub until: Option<DateTime<Utc>>,
}

impl HistoryFilter {
    /// The sort-key range `[lower, upper]` of the window. Sort keys are `EVENT#<time>#<eventId>`
    /// with the time in fixed-width milliseconds: `EVENT#<since>` sorts just before the entries
    /// at `since`, `EVENT#<until>` just before those at `until`, and `EVENT$` after every entry.
    fn sort_key_range(&self) -> (String, String) {
        let at =
            |time: &DateTime<Utc>| format!("{}{}", keys::HISTORY_PREFIX, rfc3339_millis::format(&ceil_millis(*time)));
        let lower = self.since.as_ref().map_or_else(|| keys::HISTORY_PREFIX.to_owned(), at);
        let upper = self.until.as_ref().map_or_else(|| keys::HISTORY_END.to_owned(), at);
        (lower, upper)
    }
}

/// Entries are kept to the millisecond: a bound between two milliseconds counts from the next one.
fn ceil_millis(time: DateTime<Utc>) -> DateTime<Utc> {
    let truncated = time.duration_trunc(TimeDelta::milliseconds(1)).unwrap_or(time);
    if truncated == time { time } else { truncated + TimeDelta::milliseconds(1) }
}

impl Store {
    /// Writes the entry once per event id; the key is derived from the event, so a redelivery
    /// meets its own earlier write and the condition turns it into a no-op.
    ///
    /// The entry is written with a mark on the event's outbox item, in one transaction that
    /// needs the outbox item to exist: a pending customer's removal deletes its outbox items
    /// (and fails on one marked since it read them), so an event of a removed customer that
    /// arrives late is not recorded in the partition a later customer with its identifier owns.
    /// An outbox item can also be gone because its time to live ran out (a redrive from a
    /// failure queue days later): then the entry is written unless the customer was removed
    /// after the event.
    #[tracing::instrument(skip_all, fields(event_id = %envelope.event_id, event_type = %envelope.event_type))]
    pub async fn record_history(
        &self,
        envelope: &EventEnvelope,
        detail: &serde_json::Value,
    ) -> Result<Recorded, StoreError> {
        let entry = HistoryItem::new(envelope, detail);
        let customer = envelope.customer_id.as_ref();
        let mut changes = self.changes();
        changes.update(
            Key::outbox(customer, &envelope.event_type, envelope.event_id),
            Expression::new("SET #recorded = :recorded")
                .name("#recorded", HISTORY_RECORDED)
                .value(":recorded", AttributeValue::Bool(true)),
            Expression::present(),
            Conflict::OutboxGone,
        )?;
        changes.insert(&entry, Conflict::HistoryRecorded)?;
        match self.commit_unrecorded(changes).await {
            Ok(()) => Ok(Recorded::New),
            Err(StoreError::Conflict(Conflict::HistoryRecorded)) => Ok(Recorded::AlreadyRecorded),
            Err(StoreError::Conflict(Conflict::OutboxGone)) => {
                if let Some(customer) = customer
                    && self.removed_since(customer, &envelope.occurred_at).await?
                {
                    return Ok(Recorded::CustomerRemoved);
                }
                self.record_unguarded(entry).await
            }
            Err(error) => Err(error),
        }
    }

    async fn record_unguarded(&self, entry: HistoryItem) -> Result<Recorded, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(items::to_item(entry)?))
            .condition_expression("attribute_not_exists(pk)")
            .send_boxed()
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
        let (lower, upper) = filter.sort_key_range();
        let query = ListQuery {
            index,
            key_condition: "#partition = :partition AND #sort BETWEEN :lower AND :upper",
            filter: None,
            names: vec![("#partition", index.map_or("pk", Index::partition_attribute)), ("#sort", sort)],
            values: vec![(":partition", partition), (":lower", lower), (":upper", upper)],
            newest_first: true,
        };
        self.list_page(query, page).await?.try_map(|item| {
            let item: HistoryItem = serde_dynamo::from_item(item)?;
            serde_json::from_str(&item.detail)
                .map_err(|_| StoreError::Invariant("a history entry's detail is not JSON"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(raw: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(raw).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_window_is_a_sort_key_range() {
        let all = HistoryFilter::default();
        assert_eq!(all.sort_key_range(), ("EVENT#".to_owned(), "EVENT$".to_owned()));
        let window = HistoryFilter {
            since: Some(time("2026-01-15T11:30:00Z")),
            until: Some(time("2026-01-16T00:00:00.0001+01:00")),
            ..HistoryFilter::default()
        };
        assert_eq!(
            window.sort_key_range(),
            ("EVENT#2026-01-15T11:30:00.000Z".to_owned(), "EVENT#2026-01-15T23:00:00.001Z".to_owned())
        );
        // An entry at `since` is inside (its key continues past the bound), one at `until` outside.
        let (lower, upper) = window.sort_key_range();
        assert!("EVENT#2026-01-15T11:30:00.000Z#0190" > lower.as_str());
        assert!("EVENT#2026-01-15T23:00:00.001Z#0190" > upper.as_str());
    }
}

/// Golden items: every attribute of each item kind, so a layout change is a deliberate one.
#[cfg(test)]
mod golden {
    use super::*;

    use crate::store::items::golden::*;

    use serde_json::json;

    #[test]
    fn history_item() {
        let detail = serde_json::to_value(event()).unwrap();
        let envelope: EventEnvelope = serde_json::from_value(detail.clone()).unwrap();
        let sk = "EVENT#2026-01-15T11:30:00.000Z#019bc165-0000-7000-8000-000000000002";
        assert_eq!(
            stored(HistoryItem::new(&envelope, &detail)),
            json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": sk}, "entity": {"S": "HISTORY"},
                "gsi1pk": {"S": "HISTORY#CUSTOMER#acme#CUSTOMER_QUOTA_EDITED"}, "gsi1sk": {"S": sk},
                "eventId": {"S": "019bc165-0000-7000-8000-000000000002"}, "eventType": {"S": "CUSTOMER_QUOTA_EDITED"},
                "occurredAt": {"S": "2026-01-15T11:30:00.000Z"}, "detail": {"S": detail.to_string()}
            })
        );
    }
}
