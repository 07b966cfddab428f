//! What every item of the single table shares: the raw [`Item`] and [`to_item`], and the golden
//! tests' fixtures. Each item kind lives in its entity's module (`customers.rs`, `members.rs`,
//! `invitations.rs`, `messages.rs`, `deliveries.rs`, …) with its key, its reads and writes and
//! its golden test.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;
use std::collections::HashMap;

use super::StoreError;

pub type Item = HashMap<String, AttributeValue>;

/// An item as stored. Empty maps and lists are left out (and read back as empty through
/// `#[serde(default)]`): DynamoDB Local's stream renders an empty map without its type, which
/// no SDK can decode.
pub fn to_item(value: impl Serialize) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(value)?;
    item.retain(|_, value| match value {
        AttributeValue::M(map) => !map.is_empty(),
        AttributeValue::L(list) => !list.is_empty(),
        _ => true,
    });
    Ok(item)
}

/// What the golden item tests of the entity modules share: a time, a customer, an event, and an
/// item in DynamoDB's JSON form for readable literals.
#[cfg(test)]
pub(crate) mod golden {
    use super::*;
    use crate::authorization::Role;
    use crate::domain::*;
    use crate::events::{Actor, DomainEvent, EventPayload};
    use chrono::{DateTime, TimeZone, Utc};
    use serde::Serialize;
    use serde_json::Value;
    pub(crate) fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 15, 11, 30, 0).unwrap()
    }

    /// The item in DynamoDB's JSON form, for readable literals.
    pub(crate) fn stored(value: impl Serialize) -> Value {
        let item = to_item(value).unwrap();
        let json: serde_dynamo::Item = item.into();
        let mut map = serde_json::Map::new();
        for (name, value) in json.into_inner() {
            map.insert(name, serde_json::to_value(value).unwrap());
        }
        Value::Object(map)
    }

    pub(crate) fn acme() -> CustomerIdentifier {
        CustomerIdentifier::parse("acme").unwrap()
    }

    pub(crate) fn customer() -> Customer {
        let mut customer = Customer::new(
            acme(),
            DisplayName::parse("Acme Corp").unwrap(),
            CustomerStatus::Active,
            PartnerId::parse("globex").unwrap(),
            ProjectQuota::parse(5).unwrap(),
            TagValues::from([(TagKey::parse("costCenter").unwrap(), vec!["1234".to_owned()])]),
            UserId::parse("u1").unwrap(),
            at(),
        );
        customer.project_count = 2;
        customer
    }

    pub(crate) fn event() -> DomainEvent {
        let actor =
            Actor { user_id: UserId::parse("u1").unwrap(), email: None, role: Role::PartnerAdmin, api_key: None };
        let mut event = DomainEvent::new(
            &acme(),
            actor,
            at(),
            EventPayload::CustomerQuotaEdited(crate::events::Change { from: 5, to: 7 }),
        );
        event.event_id = GeneratedId::parse("019bc165-0000-7000-8000-000000000002").unwrap();
        event
    }
}
