//! At most one e-mail per event, as far as SES allows: a delivery record is claimed before
//! sending and completed after. The claim carries an owner token, so only the invocation that
//! claimed it can complete or release it.
//!
//! A mail with more recipients than one SES message takes (50) is sent as several messages. Its
//! recipients are fixed at the first delivery ([`Store::delivery_recipients`]), so every
//! redelivery splits them into the same parts, and each part has a claim of its own
//! ([`Store::claim_delivery_part`]) under the event's claim: a redelivery after a failure half-way
//! sends only the parts that were not sent.
//!
//! The window that remains: SES has no idempotency key, so a mail that SES accepted but whose
//! completion never landed (the function died, or DynamoDB stayed unreachable through the
//! retries below) is sent again by a redelivery once the lease has run out. Delivery is at least
//! once; a duplicate needs a failure in that window.

use crate::sdk::SendBoxed;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::items::to_item;
use super::keys::{Key, entity};
use super::{Store, StoreError};
use crate::domain::{EmailAddress, GeneratedId};

/// This entity's keys.
impl Key {
    pub fn delivery(event: GeneratedId) -> Self {
        Self::delivery_part(event, 0)
    }

    /// The delivery record of one part of an event's mail: part 0 is the mail as a whole, parts
    /// 1, 2, … the messages it is split into when it has more recipients than one message takes.
    pub fn delivery_part(event: GeneratedId, part: u32) -> Self {
        let sk = if part == 0 { "EMAIL".to_owned() } else { format!("EMAIL#{part}") };
        Self { pk: format!("DELIVERY#{event}"), sk }
    }

    /// The recipients an event's mail was split for, fixed at its first delivery.
    pub fn delivery_recipients(event: GeneratedId) -> Self {
        Self { pk: format!("DELIVERY#{event}"), sk: "RECIPIENTS".to_owned() }
    }
}

/// How long a claim blocks other deliveries of the same event before it counts as abandoned
/// (the sender crashed between claiming and completing): longer than the function's 10 s
/// timeout, shorter than Lambda's asynchronous retries (about 1 and 2 minutes later), so a
/// retry can take an abandoned claim over.
const CLAIM_LEASE: Duration = Duration::seconds(60);
/// Delivery records outlive any redelivery EventBridge or Lambda would attempt.
const RECORD_TTL: Duration = Duration::days(30);
/// Attempts to record a sent mail; each already includes the SDK's own retries.
const COMPLETE_ATTEMPTS: u32 = 3;

const SENDING: &str = "SENDING";
const SENT: &str = "SENT";

/// A delivery record as its claim writes it: `SENDING`, by `owner`, until `leaseUntil` (epoch
/// seconds); completing it sets `SENT` and the SES message id in place.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct DeliveryItem {
    #[serde(flatten)]
    key: Key,
    entity: String,
    state: String,
    owner: String,
    lease_until: i64,
    ttl: i64,
}

impl DeliveryItem {
    fn claimed(event_id: GeneratedId, part: u32, owner: GeneratedId, now: DateTime<Utc>) -> Self {
        Self {
            key: Key::delivery_part(event_id, part),
            entity: entity::DELIVERY.to_owned(),
            state: SENDING.to_owned(),
            owner: owner.to_string(),
            lease_until: (now + CLAIM_LEASE).timestamp(),
            ttl: (now + RECORD_TTL).timestamp(),
        }
    }
}

/// The right to send one event's mail, held by one invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    event_id: GeneratedId,
    part: u32,
    owner: GeneratedId,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryClaim {
    /// This invocation sends the mail.
    Claimed(Claim),
    /// The mail went out on an earlier delivery of the event.
    AlreadySent,
    /// Another invocation is sending it right now; retry later.
    InProgress,
}

/// Whether a sent mail's record says so now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    Recorded,
    /// The lease ran out and another invocation took the claim over: it may send again.
    ClaimLost,
}

impl Store {
    /// The right to send the event's mail (as a whole).
    pub async fn claim_delivery(&self, event_id: GeneratedId) -> Result<DeliveryClaim, StoreError> {
        self.claim_delivery_part(event_id, 0).await
    }

    /// The right to send part `part` (1, 2, …) of the event's mail, or part 0: the whole of it.
    #[tracing::instrument(skip_all, fields(%event_id, part))]
    pub async fn claim_delivery_part(&self, event_id: GeneratedId, part: u32) -> Result<DeliveryClaim, StoreError> {
        let now = Utc::now();
        let owner = GeneratedId::new();
        let item = to_item(DeliveryItem::claimed(event_id, part, owner, now))?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk) OR (#state = :sending AND leaseUntil < :now)")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":sending", AttributeValue::S(SENDING.to_owned()))
            .expression_attribute_values(":now", AttributeValue::N(now.timestamp().to_string()))
            // The record that blocks the claim comes back with the refusal: no second read.
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send_boxed()
            .await;
        match result {
            Ok(_) => Ok(DeliveryClaim::Claimed(Claim { event_id, part, owner })),
            Err(error) => match error.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(refused)) => {
                    let sent =
                        refused.item().and_then(|item| item.get("state")) == Some(&AttributeValue::S(SENT.to_owned()));
                    Ok(if sent { DeliveryClaim::AlreadySent } else { DeliveryClaim::InProgress })
                }
                _ => Err(error.into()),
            },
        }
    }

    /// Marks the claimed mail as sent, retrying while DynamoDB is briefly unavailable.
    #[tracing::instrument(skip_all, fields(event_id = %claim.event_id))]
    pub async fn complete_delivery(&self, claim: &Claim, message_id: &str) -> Result<Completion, StoreError> {
        let mut attempt = 1;
        loop {
            let result = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(Key::delivery_part(claim.event_id, claim.part).into_attributes()))
                .update_expression("SET #state = :sent, messageId = :message REMOVE leaseUntil, #owner")
                .condition_expression("#state = :sending AND #owner = :owner")
                .expression_attribute_names("#state", "state")
                .expression_attribute_names("#owner", "owner")
                .expression_attribute_values(":sent", AttributeValue::S(SENT.to_owned()))
                .expression_attribute_values(":sending", AttributeValue::S(SENDING.to_owned()))
                .expression_attribute_values(":owner", AttributeValue::S(claim.owner.to_string()))
                .expression_attribute_values(":message", AttributeValue::S(message_id.to_owned()))
                .send_boxed()
                .await;
            let error = match result {
                Ok(_) => return Ok(Completion::Recorded),
                Err(error) => error,
            };
            if matches!(error.as_service_error(), Some(UpdateItemError::ConditionalCheckFailedException(_))) {
                return Ok(Completion::ClaimLost);
            }
            let error = StoreError::from(error);
            if !error.is_unavailable() || attempt == COMPLETE_ATTEMPTS {
                return Err(error);
            }
            attempt += 1;
            tokio::time::sleep(std::time::Duration::from_millis(200 * u64::from(attempt))).await;
        }
    }

    /// The recipients of the event's mail as its first delivery fixed them: `recipients` when
    /// this is the first, else those stored then (one conditional PutItem either way, the
    /// stored list coming back with the refusal). The list is sorted and without duplicates.
    #[tracing::instrument(skip_all, fields(%event_id, recipients = recipients.len()))]
    pub async fn delivery_recipients(
        &self,
        event_id: GeneratedId,
        recipients: &[EmailAddress],
    ) -> Result<Vec<EmailAddress>, StoreError> {
        let mut item = Key::delivery_recipients(event_id).into_attributes();
        let list = recipients.iter().map(|to| AttributeValue::S(to.to_string())).collect();
        item.extend([
            ("entity".to_owned(), AttributeValue::S(entity::DELIVERY.to_owned())),
            ("recipients".to_owned(), AttributeValue::L(list)),
            ("ttl".to_owned(), AttributeValue::N((Utc::now() + RECORD_TTL).timestamp().to_string())),
        ]);
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .send_boxed()
            .await;
        let stored = match result {
            Ok(_) => return Ok(recipients.to_vec()),
            Err(error) => match error.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(refused)) => refused.item().cloned(),
                _ => return Err(error.into()),
            },
        };
        let list = stored
            .as_ref()
            .and_then(|item| item.get("recipients"))
            .and_then(|list| list.as_l().ok())
            .ok_or(StoreError::Invariant("a delivery's recipients record has no list"))?;
        list.iter()
            .map(|to| {
                let to = to.as_s().map_err(|_| StoreError::Invariant("a delivery's recipient is not a string"))?;
                EmailAddress::parse(to).map_err(|_| StoreError::Invariant("a delivery's recipient is no address"))
            })
            .collect()
    }

    /// Gives the claim up after a failed send, so that a retry may send; a claim that another
    /// invocation has taken over meanwhile is left alone.
    #[tracing::instrument(skip_all, fields(event_id = %claim.event_id))]
    pub async fn release_delivery(&self, claim: &Claim) -> Result<(), StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(Key::delivery_part(claim.event_id, claim.part).into_attributes()))
            .condition_expression("#state = :sending AND #owner = :owner")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#owner", "owner")
            .expression_attribute_values(":sending", AttributeValue::S(SENDING.to_owned()))
            .expression_attribute_values(":owner", AttributeValue::S(claim.owner.to_string()))
            .send_boxed()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error)
                if matches!(error.as_service_error(), Some(DeleteItemError::ConditionalCheckFailedException(_))) =>
            {
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }
}

/// Golden items: every attribute of each item kind, so a layout change is a deliberate one.
#[cfg(test)]
mod golden {
    use super::*;
    use crate::store::items::golden::*;
    use serde_json::json;

    #[test]
    fn delivery_item() {
        let event = GeneratedId::parse("019bc165-0000-7000-8000-000000000002").unwrap();
        let owner = GeneratedId::parse("019bc165-0000-7000-8000-0000000000aa").unwrap();
        let (lease_until, ttl) = ((at() + CLAIM_LEASE).timestamp(), (at() + RECORD_TTL).timestamp());
        assert_eq!(
            stored(DeliveryItem::claimed(event, 0, owner, at())),
            json!({
                "pk": {"S": "DELIVERY#019bc165-0000-7000-8000-000000000002"}, "sk": {"S": "EMAIL"},
                "entity": {"S": "DELIVERY"}, "state": {"S": "SENDING"},
                "owner": {"S": "019bc165-0000-7000-8000-0000000000aa"},
                "leaseUntil": {"N": lease_until.to_string()}, "ttl": {"N": ttl.to_string()}
            })
        );
        let part = stored(DeliveryItem::claimed(event, 2, owner, at()));
        assert_eq!(part["sk"], json!({"S": "EMAIL#2"}));
    }
}
