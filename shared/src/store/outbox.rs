//! The transactional outbox: one item per domain event, written in the transaction of its
//! change and put on the bus by the stream publisher.

use super::keys::{Key, entity, event_pk};
use crate::domain::CustomerIdentifier;
use crate::domain::GeneratedId;
use crate::events::DomainEvent;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// This entity's keys.
impl Key {
    pub fn outbox(customer: Option<&CustomerIdentifier>, event_type: &str, event: GeneratedId) -> Self {
        Self { pk: event_pk(customer, event_type), sk: format!("OUTBOX#{event}") }
    }
}

/// How long an outbox item outlives its write: long enough for the stream (24 h retention).
const OUTBOX_TTL: Duration = Duration::hours(48);

/// A domain event waiting for the stream publisher; the `detail` is the EventBridge detail verbatim.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    pub event_id: String,
    pub event_type: String,
    pub detail: String,
    pub ttl: i64,
}

impl OutboxItem {
    pub fn new(event: &DomainEvent, now: DateTime<Utc>) -> Result<Self, serde_json::Error> {
        Ok(Self {
            key: Key::outbox(event.customer_id.as_ref(), event.event_type().as_str(), event.event_id),
            entity: entity::OUTBOX.to_owned(),
            event_id: event.event_id.to_string(),
            event_type: event.event_type().to_string(),
            detail: serde_json::to_string(event)?,
            ttl: (now + OUTBOX_TTL).timestamp(),
        })
    }
}

/// Golden items: every attribute of each item kind, so a layout change is a deliberate one.
#[cfg(test)]
mod golden {
    use super::*;

    use crate::store::items::golden::*;
    use serde_json::json;

    #[test]
    fn outbox_item() {
        let event = event();
        let detail = serde_json::to_string(&event).unwrap();
        assert_eq!(
            stored(OutboxItem::new(&event, at()).unwrap()),
            json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "OUTBOX#019bc165-0000-7000-8000-000000000002"},
                "entity": {"S": "OUTBOX"}, "eventId": {"S": "019bc165-0000-7000-8000-000000000002"},
                "eventType": {"S": "CUSTOMER_QUOTA_EDITED"}, "detail": {"S": detail},
                "ttl": {"N": (at() + OUTBOX_TTL).timestamp().to_string()}
            })
        );
    }
}
