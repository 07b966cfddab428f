//! What the billing system needs of a CUSTOMER_STATUS_CHANGED event: the EventBridge event
//! (the SQS message's body, as the rule's SQS target delivers it) read against
//! `events/schemas/CUSTOMER_STATUS_CHANGED.json`. Fields beyond these are ignored: the schemas
//! only grow, with optional fields.

use serde::Deserialize;

/// One change of a customer's status.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusChange {
    /// Unique per event: what duplicates share.
    pub event_id: String,
    pub customer_id: String,
    /// RFC 3339 in UTC with milliseconds: it sorts as text.
    pub occurred_at: String,
    pub data: Statuses,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Statuses {
    pub from: String,
    pub to: String,
    pub reason: Option<String>,
}

#[derive(Deserialize)]
struct Envelope {
    source: String,
    #[serde(rename = "detail-type")]
    detail_type: String,
    detail: serde_json::Value,
}

#[derive(Debug, thiserror::Error)]
pub enum UnreadableEvent {
    #[error("the message is not an EventBridge event: {0}")]
    NotAnEvent(serde_json::Error),
    #[error("the event is {event_source}/{detail_type}, not meshcustomers/CUSTOMER_STATUS_CHANGED")]
    OtherType { event_source: String, detail_type: String },
    #[error("the event's detail does not match CUSTOMER_STATUS_CHANGED: {0}")]
    BadDetail(serde_json::Error),
}

impl StatusChange {
    /// The change an SQS message's body carries.
    pub fn from_message_body(body: &str) -> Result<Self, UnreadableEvent> {
        let envelope: Envelope = serde_json::from_str(body).map_err(UnreadableEvent::NotAnEvent)?;
        if envelope.source != "meshcustomers" || envelope.detail_type != "CUSTOMER_STATUS_CHANGED" {
            return Err(UnreadableEvent::OtherType {
                event_source: envelope.source,
                detail_type: envelope.detail_type,
            });
        }
        serde_json::from_value(envelope.detail).map_err(UnreadableEvent::BadDetail)
    }

    /// Whether the customer is billed from this change on.
    pub fn billable(&self) -> bool {
        self.data.to == "ACTIVE"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{"version":"0","id":"5c1f…","detail-type":"CUSTOMER_STATUS_CHANGED","source":"meshcustomers",
        "account":"111122223333","time":"2026-01-15T10:30:00Z","region":"eu-central-1","resources":[],
        "detail":{"eventId":"019bc165-0000-7000-8000-000000000001","type":"CUSTOMER_STATUS_CHANGED",
        "customerId":"globex-labs","occurredAt":"2026-01-15T10:30:00.123Z",
        "actor":{"userId":"pat","email":"pat@acme.example","role":"PARTNER_ADMIN"},
        "data":{"from":"ACTIVE","to":"DISABLED","reason":"Unpaid invoice"},"newField":1}}"#;

    #[test]
    fn reads_the_change_and_ignores_fields_it_does_not_know() {
        let change = StatusChange::from_message_body(SAMPLE).unwrap();
        assert_eq!(change.event_id, "019bc165-0000-7000-8000-000000000001");
        assert_eq!(
            (change.customer_id.as_str(), change.occurred_at.as_str()),
            ("globex-labs", "2026-01-15T10:30:00.123Z")
        );
        assert_eq!((change.data.from.as_str(), change.data.to.as_str()), ("ACTIVE", "DISABLED"));
        assert_eq!(change.data.reason.as_deref(), Some("Unpaid invoice"));
        assert!(!change.billable());
    }

    #[test]
    fn refuses_other_events_and_malformed_bodies() {
        let other = SAMPLE.replace(r#""detail-type":"CUSTOMER_STATUS_CHANGED""#, r#""detail-type":"CUSTOMER_CREATED""#);
        assert!(matches!(StatusChange::from_message_body(&other), Err(UnreadableEvent::OtherType { .. })));
        assert!(matches!(StatusChange::from_message_body("not json"), Err(UnreadableEvent::NotAnEvent(_))));
        let no_customer = SAMPLE.replace(r#""customerId":"globex-labs","#, "");
        assert!(matches!(StatusChange::from_message_body(&no_customer), Err(UnreadableEvent::BadDetail(_))));
    }
}
