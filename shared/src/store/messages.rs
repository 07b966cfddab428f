//! Messages to a customer's members. Sending writes the message and its event in one
//! transaction; each recipient's inbox entry is written afterwards by the fan-out (a consumer of
//! MESSAGE_SENT), idempotently, one conditional put per recipient. What an inbox shows is decided
//! when it is read: the message itself says whether a SINGLE_READ one is resolved, and the
//! recipient's membership whether they still belong to the customer.

use crate::sdk::SendBoxed;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::Duration;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

use super::items::{self, Item};
use super::keys::{self, Key, MEMBER_PREFIX, MESSAGE_PREFIX, customer_pk, entity, inbox_pk};
use super::members::MemberItem;
use super::pagination::{ListQuery, Page, PageQuery};
use super::{Changes, Conflict, Expression, Store, StoreError};
use crate::domain::{CustomerIdentifier, GeneratedId, InboxEntry, Membership, Message, MessageMode, UserId};
use crate::events::rfc3339_millis;

/// This entity's keys.
impl Key {
    /// A message sent to the customer's members: newest first when read backwards (v7 ids sort by time).
    pub fn message(customer: &CustomerIdentifier, message: GeneratedId) -> Self {
        Self { pk: customer_pk(customer), sk: format!("{MESSAGE_PREFIX}{message}") }
    }

    /// One recipient's copy of a message, in the recipient's inbox across all their customers.
    pub fn inbox(user: &UserId, message: GeneratedId) -> Self {
        Self { pk: inbox_pk(user), sk: format!("{MESSAGE_PREFIX}{message}") }
    }
}

/// A message sent to a customer's members. Its counters (`acknowledgedCount`, `recipientCount`)
/// and the SINGLE_READ resolution are updated in place by acknowledgements and the fan-out.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    #[serde(flatten)]
    pub message: Message,
}

impl From<&Message> for MessageItem {
    fn from(message: &Message) -> Self {
        Self {
            key: Key::message(&message.customer_id, message.message_id),
            entity: entity::MESSAGE.to_owned(),
            message: message.clone(),
        }
    }
}

/// How long an acknowledged inbox entry is kept before DynamoDB's TTL removes it.
pub const ACKNOWLEDGED_INBOX_TTL: Duration = Duration::days(30);

/// One recipient's copy of a message: enough to find the message and to acknowledge it. What
/// it shows (text, sender, whether it is resolved) is read from the message itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    pub user_id: UserId,
    pub customer_id: CustomerIdentifier,
    pub message_id: GeneratedId,
    pub mode: MessageMode,
    #[serde(with = "rfc3339_millis")]
    pub sent_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
}

impl InboxItem {
    /// `user`'s copy of `message`, not yet acknowledged.
    pub fn new(message: &Message, user: &UserId) -> Self {
        Self {
            key: Key::inbox(user, message.message_id),
            entity: entity::INBOX.to_owned(),
            user_id: user.clone(),
            customer_id: message.customer_id.clone(),
            message_id: message.message_id,
            mode: message.mode,
            sent_at: message.sent_at,
            acknowledged_at: None,
            ttl: None,
        }
    }
}

/// DynamoDB's limit on keys in one BatchGetItem.
const MAX_BATCH_KEYS: usize = 100;

/// Whether a recipient's inbox entry was written now or was there already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    AlreadyDelivered,
}

impl Store {
    pub async fn message(
        &self,
        customer: &CustomerIdentifier,
        message: GeneratedId,
    ) -> Result<Option<Message>, StoreError> {
        let Some(item) = self.get_item(Key::message(customer, message)).await? else { return Ok(None) };
        Ok(Some(serde_dynamo::from_item::<_, MessageItem>(item)?.message))
    }

    /// Every member of the customer whose membership has not ended, read consistently page by
    /// page (the fan-out's recipients).
    #[tracing::instrument(skip_all, fields(%customer))]
    pub async fn all_members(&self, customer: &CustomerIdentifier) -> Result<Vec<Membership>, StoreError> {
        let now = Utc::now();
        let members = self
            .query_all(keys::customer_pk(customer), MEMBER_PREFIX)
            .await?
            .into_iter()
            .map(|item| serde_dynamo::from_item::<_, MemberItem>(item).map(|item| item.membership))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(members.into_iter().filter(|member| !member.has_ended(now)).collect())
    }

    /// Puts `recipient`'s inbox entry of `message` unless it is there (acknowledged or not), so a
    /// redelivered fan-out never brings back what a recipient acknowledged.
    pub async fn deliver_to_inbox(&self, message: &Message, recipient: &UserId) -> Result<Delivery, StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(items::to_item(InboxItem::new(message, recipient))?))
            .condition_expression("attribute_not_exists(pk)")
            .send_boxed()
            .await;
        match result {
            Ok(_) => Ok(Delivery::Delivered),
            Err(error)
                if matches!(error.as_service_error(), Some(PutItemError::ConditionalCheckFailedException(_))) =>
            {
                Ok(Delivery::AlreadyDelivered)
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Records how many members the message was delivered to (the fan-out, when done).
    pub async fn record_recipients(&self, message: &Message, recipients: u32) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Key::message(&message.customer_id, message.message_id).into_attributes()))
            .update_expression("SET recipientCount = :recipients")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":recipients", AttributeValue::N(recipients.to_string()))
            .send_boxed()
            .await?;
        Ok(())
    }

    /// The messages sent to a customer, newest first: one Query.
    #[tracing::instrument(skip_all, fields(%customer))]
    pub async fn list_messages(
        &self,
        customer: &CustomerIdentifier,
        page: &PageQuery,
    ) -> Result<Page<Message>, StoreError> {
        let query = ListQuery {
            index: None,
            key_condition: "#partition = :partition AND begins_with(#sort, :messages)",
            filter: None,
            names: vec![("#partition", "pk"), ("#sort", "sk")],
            values: vec![(":partition", keys::customer_pk(customer)), (":messages", MESSAGE_PREFIX.to_owned())],
            newest_first: true,
        };
        self.list_page(query, page)
            .await?
            .try_map(|item| serde_dynamo::from_item::<_, MessageItem>(item).map(|item| item.message))
            .map_err(StoreError::from)
    }

    /// The user's pending messages across all their customers, newest first: one Query of the
    /// inbox (unacknowledged entries), then one BatchGetItem of those messages and of the user's
    /// memberships in their customers (a second only for a page of more than 50 messages from
    /// more than 50 customers). Resolved SINGLE_READ messages, and messages of customers the
    /// user has left or joined after the message was sent, are left out.
    #[tracing::instrument(skip_all, fields(%user))]
    pub async fn pending_messages(&self, user: &UserId, page: &PageQuery) -> Result<Page<InboxEntry>, StoreError> {
        let query = ListQuery {
            index: None,
            key_condition: "#partition = :partition AND begins_with(#sort, :messages)",
            filter: Some("attribute_not_exists(#acknowledgedAt)"),
            names: vec![("#partition", "pk"), ("#sort", "sk"), ("#acknowledgedAt", "acknowledgedAt")],
            values: vec![(":partition", keys::inbox_pk(user)), (":messages", MESSAGE_PREFIX.to_owned())],
            newest_first: true,
        };
        let inbox = self.list_page(query, page).await?.try_map(serde_dynamo::from_item::<_, InboxItem>)?;
        let customers: BTreeSet<&CustomerIdentifier> = inbox.items.iter().map(|entry| &entry.customer_id).collect();
        let mut wanted: Vec<Key> =
            inbox.items.iter().map(|entry| Key::message(&entry.customer_id, entry.message_id)).collect();
        wanted.extend(customers.iter().map(|customer| Key::member(customer, user)));
        let mut messages = HashMap::new();
        let mut joined: HashMap<CustomerIdentifier, DateTime<Utc>> = HashMap::new();
        for chunk in wanted.chunks(MAX_BATCH_KEYS) {
            for item in self.get_many(chunk.to_vec()).await? {
                match entity_of(&item) {
                    Some(entity::MESSAGE) => {
                        let message = serde_dynamo::from_item::<_, MessageItem>(item)?.message;
                        messages.insert(message.message_id, message);
                    }
                    Some(entity::MEMBER) => {
                        let member = serde_dynamo::from_item::<_, MemberItem>(item)?.membership;
                        // An ended membership reads no more of the customer's messages.
                        if !member.has_ended(Utc::now()) {
                            joined.insert(member.customer_id, member.joined_at);
                        }
                    }
                    _ => return Err(StoreError::Invariant("an inbox read found an item of another kind")),
                }
            }
        }
        let items = inbox
            .items
            .iter()
            .filter_map(|entry| messages.get(&entry.message_id))
            .filter(|message| !message.is_resolved())
            .filter(|message| joined.get(&message.customer_id).is_some_and(|since| *since <= message.sent_at))
            .map(InboxEntry::of)
            .collect();
        Ok(Page { items, next_cursor: inbox.next_cursor })
    }

    /// The user's inbox entry of a message, if they are a recipient.
    pub async fn inbox_entry(&self, user: &UserId, message: GeneratedId) -> Result<Option<InboxItem>, StoreError> {
        let Some(item) = self.get_item(Key::inbox(user, message)).await? else { return Ok(None) };
        Ok(Some(serde_dynamo::from_item(item)?))
    }
}

impl Changes {
    /// A new message. Only an ACTIVE customer is sent messages: the change requires that status
    /// ([`Changes::require_status`]).
    pub fn send_message(&mut self, message: &Message) -> Result<(), StoreError> {
        self.insert(&MessageItem::from(message), Conflict::Inconsistent("a message id was used twice"))
    }

    /// Acknowledges `entry` for its recipient: the entry
    /// marked (it then expires), the message's count, and for SINGLE_READ the resolution, which
    /// exactly one of concurrent acknowledgements gets ([`Conflict::AlreadyResolved`] for the others;
    /// [`Conflict::AlreadyAcknowledged`] for a repeat). The recipient must still be a member.
    pub fn acknowledge(&mut self, entry: &InboxItem, now: DateTime<Utc>) -> Result<(), StoreError> {
        let resolves = entry.mode == MessageMode::SingleRead;
        self.check(Key::member(&entry.customer_id, &entry.user_id), Expression::present(), Conflict::NotRecipient)?;
        let mark = Expression::new("SET #acknowledgedAt = :now, #ttl = :ttl")
            .name("#acknowledgedAt", "acknowledgedAt")
            .name("#ttl", "ttl")
            .value(":now", AttributeValue::S(rfc3339_millis::format(&now)))
            .value(":ttl", AttributeValue::N((now + ACKNOWLEDGED_INBOX_TTL).timestamp().to_string()));
        let unacknowledged = Expression::new("attribute_exists(pk) AND attribute_not_exists(#acknowledgedAt)")
            .name("#acknowledgedAt", "acknowledgedAt");
        self.update(entry.key.clone(), mark, unacknowledged, Conflict::AlreadyAcknowledged)?;
        let message = Key::message(&entry.customer_id, entry.message_id);
        let count = if resolves {
            Expression::new("SET #resolvedBy = :user, #resolvedAt = :now ADD #acknowledgedCount :one")
                .name("#resolvedBy", "resolvedBy")
                .name("#resolvedAt", "resolvedAt")
                .value(":user", AttributeValue::S(entry.user_id.to_string()))
                .value(":now", AttributeValue::S(rfc3339_millis::format(&now)))
        } else {
            Expression::new("ADD #acknowledgedCount :one")
        }
        .name("#acknowledgedCount", "acknowledgedCount")
        .value(":one", AttributeValue::N("1".to_owned()));
        let condition = if resolves {
            // Stored as NULL until resolved.
            Expression::new("attribute_exists(pk) AND attribute_type(#resolvedBy, :null)")
                .name("#resolvedBy", "resolvedBy")
                .value(":null", AttributeValue::S("NULL".to_owned()))
        } else {
            Expression::present()
        };
        self.update(message, count, condition, Conflict::AlreadyResolved)?;
        Ok(())
    }
}

fn entity_of(item: &Item) -> Option<&str> {
    item.get("entity").and_then(|entity| entity.as_s().ok()).map(String::as_str)
}

/// Golden items: every attribute of each item kind, so a layout change is a deliberate one.
#[cfg(test)]
mod golden {
    use super::*;
    use crate::domain::{MessageText, Sender};
    use crate::store::items::golden::*;
    use serde_json::json;

    fn message() -> Message {
        Message {
            message_id: GeneratedId::parse("019bc165-0000-7000-8000-0000000000bb").unwrap(),
            customer_id: acme(),
            text: MessageText::parse("Maintenance tonight").unwrap(),
            mode: MessageMode::SingleRead,
            sender: Sender { user_id: UserId::parse("ops").unwrap(), email: None },
            sent_at: at(),
            recipient_count: None,
            acknowledged_count: 0,
            resolved_by: None,
            resolved_at: None,
        }
    }

    /// `resolvedBy` is stored as NULL until resolved: the acknowledgement's condition for
    /// SINGLE_READ (`attribute_type(resolvedBy, NULL)`) relies on it.
    #[test]
    fn message_item() {
        assert_eq!(
            stored(MessageItem::from(&message())),
            json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "MESSAGE#019bc165-0000-7000-8000-0000000000bb"},
                "entity": {"S": "MESSAGE"}, "messageId": {"S": "019bc165-0000-7000-8000-0000000000bb"},
                "customerId": {"S": "acme"}, "text": {"S": "Maintenance tonight"}, "mode": {"S": "SINGLE_READ"},
                "sender": {"M": {"userId": {"S": "ops"}, "email": {"NULL": true}}},
                "sentAt": {"S": "2026-01-15T11:30:00Z"}, "recipientCount": {"NULL": true},
                "acknowledgedCount": {"N": "0"}, "resolvedBy": {"NULL": true}, "resolvedAt": {"NULL": true}
            })
        );
    }

    #[test]
    fn inbox_item() {
        let user = UserId::parse("u2").unwrap();
        assert_eq!(
            stored(InboxItem::new(&message(), &user)),
            json!({
                "pk": {"S": "INBOX#u2"}, "sk": {"S": "MESSAGE#019bc165-0000-7000-8000-0000000000bb"},
                "entity": {"S": "INBOX"}, "userId": {"S": "u2"}, "customerId": {"S": "acme"},
                "messageId": {"S": "019bc165-0000-7000-8000-0000000000bb"}, "mode": {"S": "SINGLE_READ"},
                "sentAt": {"S": "2026-01-15T11:30:00.000Z"}
            })
        );
    }
}
