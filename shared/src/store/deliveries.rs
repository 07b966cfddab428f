//! At most one e-mail per event: a delivery record claimed before sending, completed after.

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{Duration, Utc};

use super::keys::{self, entity};
use super::{Store, StoreError};
use crate::domain::GeneratedId;

/// How long a claim blocks other deliveries of the same event before it counts as abandoned
/// (the sender crashed between claiming and completing): longer than the function's 10 s
/// timeout, shorter than Lambda's asynchronous retries (about 1 and 2 minutes later), so a
/// retry can take an abandoned claim over.
const CLAIM_LEASE: Duration = Duration::seconds(60);
/// Delivery records outlive any redelivery EventBridge or Lambda would attempt.
const RECORD_TTL: Duration = Duration::days(30);

const SENDING: &str = "SENDING";
const SENT: &str = "SENT";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryClaim {
    /// This invocation sends the mail.
    Claimed,
    /// The mail went out on an earlier delivery of the event.
    AlreadySent,
    /// Another invocation is sending it right now; retry later.
    InProgress,
}

impl Store {
    pub async fn claim_delivery(&self, event_id: GeneratedId) -> Result<DeliveryClaim, StoreError> {
        let now = Utc::now();
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item("pk", AttributeValue::S(keys::delivery_pk(&event_id.to_string())))
            .item("sk", AttributeValue::S(keys::DELIVERY_SK.to_owned()))
            .item("entity", AttributeValue::S(entity::DELIVERY.to_owned()))
            .item("state", AttributeValue::S(SENDING.to_owned()))
            .item("leaseUntil", AttributeValue::N((now + CLAIM_LEASE).timestamp().to_string()))
            .item("ttl", AttributeValue::N((now + RECORD_TTL).timestamp().to_string()))
            .condition_expression("attribute_not_exists(pk) OR (#state = :sending AND leaseUntil < :now)")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":sending", AttributeValue::S(SENDING.to_owned()))
            .expression_attribute_values(":now", AttributeValue::N(now.timestamp().to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(DeliveryClaim::Claimed),
            Err(error)
                if matches!(error.as_service_error(), Some(PutItemError::ConditionalCheckFailedException(_))) =>
            {
                let existing = self.get(keys::delivery_pk(&event_id.to_string()), keys::DELIVERY_SK.to_owned()).await?;
                let sent = existing
                    .as_ref()
                    .and_then(|item| item.get("state"))
                    .is_some_and(|state| state == &AttributeValue::S(SENT.to_owned()));
                Ok(if sent { DeliveryClaim::AlreadySent } else { DeliveryClaim::InProgress })
            }
            Err(error) => Err(StoreError::internal(error)),
        }
    }

    pub async fn complete_delivery(&self, event_id: GeneratedId, message_id: &str) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(keys::delivery_pk(&event_id.to_string())))
            .key("sk", AttributeValue::S(keys::DELIVERY_SK.to_owned()))
            .update_expression("SET #state = :sent, messageId = :message REMOVE leaseUntil")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":sent", AttributeValue::S(SENT.to_owned()))
            .expression_attribute_values(":message", AttributeValue::S(message_id.to_owned()))
            .send()
            .await
            .map_err(StoreError::internal)?;
        Ok(())
    }

    /// Gives a claim up after a failed send, so that the retry may send.
    pub async fn release_delivery(&self, event_id: GeneratedId) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(keys::delivery_pk(&event_id.to_string())))
            .key("sk", AttributeValue::S(keys::DELIVERY_SK.to_owned()))
            .condition_expression("#state = :sending")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":sending", AttributeValue::S(SENDING.to_owned()))
            .send()
            .await
            .map_err(StoreError::internal)?;
        Ok(())
    }
}
