//! Self-registrations waiting for approval: the registrant's one pending registration (an item
//! held exactly while the customer is PENDING_APPROVAL), and the removal of a pending customer
//! when it is declined or expires.
//!
//! A removal deletes everything in the customer's partition (the customer, its member, its
//! outbox and history items) in one transaction, so a later customer with the same identifier
//! finds nothing of it. The CUSTOMER_REJECTED event and a rejection mark go to the identifier's
//! rejections partition instead. The audit writer records an event's history entry only while
//! the event's outbox item exists (and marks it recorded), so an entry of the removed customer
//! arriving late is not written into the partition a later customer owns: see
//! [`Store::record_history`].

use crate::domain::GeneratedId;
use crate::sdk::SendBoxed;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::customers::CustomerItem;
use super::items::Item;
use super::keys::{self, Index, Key, REJECTION_PREFIX, entity, rejections_pk};
use super::members::MemberItem;
use super::{Changes, Conflict, Expression, Store, StoreError};
use crate::domain::{Customer, CustomerIdentifier, CustomerStatus, Membership, UserId};
use crate::events::{DomainEvent, rfc3339_millis};

/// This entity's keys.
impl Key {
    /// The registrant's one registration waiting for approval (held while it is PENDING_APPROVAL).
    pub fn pending_registration(user: &UserId) -> Self {
        Self { pk: format!("PENDING_REGISTRATION#{user}"), sk: "PENDING_REGISTRATION".to_owned() }
    }

    /// Left by a declined registration in its identifier's rejections partition: events of the
    /// removed customer that reach the audit writer late are recognised by it and not recorded
    /// in the partition a later customer with the identifier owns.
    pub fn rejection(customer: &CustomerIdentifier, rejected_at: &str, event: GeneratedId) -> Self {
        Self { pk: rejections_pk(customer), sk: format!("{REJECTION_PREFIX}{rejected_at}#{event}") }
    }
}

/// The attribute the audit writer sets on an outbox item once its history entry is written.
pub(crate) const HISTORY_RECORDED: &str = "historyRecorded";

/// The most items a pending customer's partition may hold to be removed in one transaction
/// (DynamoDB takes 100 items; the marker, the rejection mark and the event take three). A pending
/// customer takes no writes but its approval, so it holds a handful: its item, its registrant's
/// membership and address, its registration's outbox and history items.
const MAX_PENDING_ITEMS: usize = 97;

/// The registrant's registration waiting for approval: one per user.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingRegistrationItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    pub customer_id: CustomerIdentifier,
}

impl From<&Customer> for PendingRegistrationItem {
    fn from(customer: &Customer) -> Self {
        Self {
            key: Key::pending_registration(&customer.created_by),
            entity: entity::PENDING_REGISTRATION.to_owned(),
            customer_id: customer.identifier.clone(),
        }
    }
}

/// What a removal leaves in the identifier's rejections partition: the audit writer knows by it
/// that an event of the customer that occurred before it belongs to the removed customer.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectionItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    pub customer_id: CustomerIdentifier,
    pub event_id: String,
    #[serde(with = "rfc3339_millis")]
    pub registered_at: DateTime<Utc>,
    #[serde(with = "rfc3339_millis")]
    pub rejected_at: DateTime<Utc>,
}

/// A customer's partition as read for its removal.
#[derive(Debug, Clone)]
pub struct PendingCustomer {
    pub customer: Customer,
    pub members: Vec<Membership>,
    /// Every other item of the partition: its key, and for an outbox item whether its history
    /// entry was recorded when it was read.
    others: Vec<(Key, Option<bool>)>,
}

impl PendingCustomer {
    pub fn membership(&self, user: &UserId) -> Option<&Membership> {
        self.members.iter().find(|member| &member.user_id == user)
    }

    /// The registrant's membership, whose address the "declined" mail goes to.
    pub fn registrant(&self) -> Option<&Membership> {
        self.membership(&self.customer.created_by)
    }
}

impl Changes {
    /// The registrant's one pending registration ([`Conflict::RegistrationPending`] while they
    /// have another), for a customer that starts PENDING_APPROVAL.
    pub(crate) fn hold_pending_registration(&mut self, customer: &Customer) -> Result<(), StoreError> {
        self.insert(&PendingRegistrationItem::from(customer), Conflict::RegistrationPending)
    }

    /// Frees the registrant to register again: the customer leaves PENDING_APPROVAL. Without a
    /// condition: customers registered before the rule have no such item, and their registrant
    /// may hold one for a newer registration (which this then frees too: at worst one more
    /// pending registration, never a refused approval).
    pub(crate) fn release_pending_registration(&mut self, customer: &Customer) -> Result<(), StoreError> {
        self.delete(
            Key::pending_registration(&customer.created_by),
            Expression::new("attribute_exists(pk) OR attribute_not_exists(pk)"),
            Conflict::Inconsistent("an unconditional delete failed its condition"),
        )
    }
}

impl Store {
    /// The customer's whole partition (one consistent Query): `None` when there is no customer.
    /// Reads at most one partition's first [`MAX_PENDING_ITEMS`] + 1 items: enough to remove a
    /// pending customer, and to refuse any other (whose status the customer item tells).
    #[tracing::instrument(skip_all, fields(%customer))]
    pub async fn pending_customer(&self, customer: &CustomerIdentifier) -> Result<Option<PendingCustomer>, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S(keys::customer_pk(customer)))
            .consistent_read(true)
            .limit(i32::try_from(MAX_PENDING_ITEMS + 1).unwrap_or(i32::MAX))
            .send_boxed()
            .await?;
        let complete = output.last_evaluated_key.is_none();
        let mut found = None;
        let mut members = Vec::new();
        let mut others = Vec::new();
        for item in output.items.unwrap_or_default() {
            match entity_of(&item) {
                Some(entity::CUSTOMER) => found = Some(serde_dynamo::from_item::<_, CustomerItem>(item)?.customer),
                Some(entity::MEMBER) => {
                    let member = serde_dynamo::from_item::<_, MemberItem>(item.clone())?.membership;
                    others.push((key_of(&item)?, None));
                    members.push(member);
                }
                Some(entity::OUTBOX) => {
                    let recorded = item.contains_key(HISTORY_RECORDED);
                    others.push((key_of(&item)?, Some(recorded)));
                }
                _ => others.push((key_of(&item)?, None)),
            }
        }
        let Some(customer) = found else { return Ok(None) };
        if customer.status == CustomerStatus::PendingApproval && !complete {
            return Err(StoreError::Invariant("a pending customer holds more items than one removal takes"));
        }
        Ok(Some(PendingCustomer { customer, members, others }))
    }

    /// Whether a registration with this identifier was removed at or after `occurred_at`: an
    /// event of the customer that occurred then belongs to the removed one.
    pub(crate) async fn removed_since(
        &self,
        customer: &CustomerIdentifier,
        occurred_at: &DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let from = format!("{}{}", keys::REJECTION_PREFIX, rfc3339_millis::format(occurred_at));
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND sk BETWEEN :from AND :to")
            .expression_attribute_values(":pk", AttributeValue::S(keys::rejections_pk(customer)))
            .expression_attribute_values(":from", AttributeValue::S(from))
            // `$` sorts right after `#`: the end of the marks' range.
            .expression_attribute_values(":to", AttributeValue::S("REJECTION$".to_owned()))
            .consistent_read(true)
            .limit(1)
            .send_boxed()
            .await?;
        Ok(output.count > 0)
    }

    /// The customers waiting for approval that registered before `before`, at most `limit`:
    /// Queries of the index partition of every customer in PENDING_APPROVAL (the registration
    /// time is a filter on it; pending customers are few, as partners approve or decline them).
    #[tracing::instrument(skip_all)]
    pub async fn pending_registrations_before(
        &self,
        before: &DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<CustomerIdentifier>, StoreError> {
        let index = Index::Gsi4;
        let partition = keys::all_customers_in_status(CustomerStatus::PendingApproval);
        let mut found = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index.name())
                .key_condition_expression("#partition = :partition")
                .filter_expression("createdAt < :before")
                .expression_attribute_names("#partition", index.partition_attribute())
                .expression_attribute_values(":partition", AttributeValue::S(partition.clone()))
                .expression_attribute_values(":before", AttributeValue::S(rfc3339_millis::format(before)))
                .set_exclusive_start_key(start)
                .send_boxed()
                .await?;
            for item in output.items.unwrap_or_default() {
                found.push(serde_dynamo::from_item::<_, CustomerItem>(item)?.customer.identifier);
                if found.len() == limit {
                    return Ok(found);
                }
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                return Ok(found);
            }
        }
    }
}

fn entity_of(item: &Item) -> Option<&str> {
    item.get("entity").and_then(|entity| entity.as_s().ok()).map(String::as_str)
}

fn key_of(item: &Item) -> Result<Key, StoreError> {
    let attribute = |name: &str| {
        item.get(name)
            .and_then(|value| value.as_s().ok())
            .cloned()
            .ok_or(StoreError::Invariant("an item without its key"))
    };
    Ok(Key { pk: attribute("pk")?, sk: attribute("sk")? })
}

impl Changes {
    /// Removes the pending customer as read, with its CUSTOMER_REJECTED event, in one
    /// transaction: [`Conflict::VersionMismatch`] when the customer changed since (approved,
    /// say), [`Conflict::PendingCustomerChanged`] when another item of it did (read again).
    pub fn remove_pending_customer(&mut self, pending: &PendingCustomer, event: DomainEvent) -> Result<(), StoreError> {
        let customer = &pending.customer;
        if pending.others.len() > MAX_PENDING_ITEMS {
            return Err(StoreError::Invariant("a pending customer holds more items than one removal takes"));
        }
        let still_pending = Expression::version_is(customer.version).and(
            Expression::new("#status = :pending")
                .name("#status", "status")
                .value(":pending", AttributeValue::S(CustomerStatus::PendingApproval.as_str().to_owned())),
        );
        self.delete(
            Key::customer(&customer.identifier),
            still_pending,
            Conflict::VersionMismatch { current_version: None },
        )?;
        for (key, recorded) in &pending.others {
            let unchanged = match recorded {
                // An outbox item whose history entry was written since the read: that entry is
                // not among the items read, so read again.
                Some(false) => Expression::new("attribute_exists(pk) AND attribute_not_exists(#recorded)")
                    .name("#recorded", HISTORY_RECORDED),
                _ => Expression::present(),
            };
            self.delete(key.clone(), unchanged, Conflict::PendingCustomerChanged)?;
        }
        self.release_pending_registration(customer)?;
        let rejected_at = rfc3339_millis::format(&event.occurred_at);
        let mark = RejectionItem {
            key: Key::rejection(&customer.identifier, &rejected_at, event.event_id),
            entity: entity::REJECTION.to_owned(),
            customer_id: customer.identifier.clone(),
            event_id: event.event_id.to_string(),
            registered_at: customer.created_at,
            rejected_at: event.occurred_at,
        };
        self.insert(&mark, Conflict::Inconsistent("a rejection mark was written twice"))?;
        self.record(event);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::items::to_item;
    use serde_json::json;

    fn stored(item: impl Serialize) -> serde_json::Value {
        let item = to_item(item).unwrap();
        let mut value = serde_json::Map::new();
        for (name, attribute) in item {
            let attribute = match attribute {
                AttributeValue::S(text) => json!({"S": text}),
                other => json!(format!("{other:?}")),
            };
            value.insert(name, attribute);
        }
        serde_json::Value::Object(value)
    }

    #[test]
    fn pending_registration_item() {
        let customer = CustomerIdentifier::parse("acme").unwrap();
        let item = PendingRegistrationItem {
            key: Key::pending_registration(&UserId::parse("sam").unwrap()),
            entity: entity::PENDING_REGISTRATION.to_owned(),
            customer_id: customer,
        };
        assert_eq!(
            stored(item),
            json!({
                "pk": {"S": "PENDING_REGISTRATION#sam"}, "sk": {"S": "PENDING_REGISTRATION"},
                "entity": {"S": "PENDING_REGISTRATION"}, "customerId": {"S": "acme"}
            })
        );
    }

    #[test]
    fn rejection_item() {
        let customer = CustomerIdentifier::parse("acme").unwrap();
        let at = |raw: &str| DateTime::parse_from_rfc3339(raw).unwrap().with_timezone(&Utc);
        let event = crate::domain::GeneratedId::parse("019bc165-0000-7000-8000-000000000002").unwrap();
        let item = RejectionItem {
            key: Key::rejection(&customer, "2026-02-01T08:00:00.000Z", event),
            entity: entity::REJECTION.to_owned(),
            customer_id: customer,
            event_id: event.to_string(),
            registered_at: at("2026-01-15T11:30:00Z"),
            rejected_at: at("2026-02-01T08:00:00Z"),
        };
        assert_eq!(
            stored(item),
            json!({
                "pk": {"S": "REJECTED#acme"},
                "sk": {"S": "REJECTION#2026-02-01T08:00:00.000Z#019bc165-0000-7000-8000-000000000002"},
                "entity": {"S": "REJECTION"}, "customerId": {"S": "acme"},
                "eventId": {"S": "019bc165-0000-7000-8000-000000000002"},
                "registeredAt": {"S": "2026-01-15T11:30:00.000Z"}, "rejectedAt": {"S": "2026-02-01T08:00:00.000Z"}
            })
        );
    }
}
