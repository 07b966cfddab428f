//! The adapter: the billing statuses in the integrator's own DynamoDB table (`TABLE_NAME`, key
//! `pk`), one item per customer (`CUSTOMER#<id>`) and one per event applied (`EVENT#<eventId>`).
//!
//! Deduplication is durable and atomic: one TransactWriteItems puts the event's item only if it
//! does not exist yet, and updates the customer's item, so a change is applied together with
//! its mark or not at all. A redelivery finds the mark and changes nothing, and a failure half
//! way leaves nothing to undo. (Mark-then-apply in two writes would lose the change when the
//! second write fails; apply-then-mark would apply it twice.) The mark expires (TTL
//! `expiresAt`) after [`MARK_LIFETIME`]: longer than any redelivery can come late.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use serde::Serialize;

use crate::billing::{BillingStatuses, Recorded};
use crate::status_change::StatusChange;

/// SQS keeps a message at most 14 days (the template: 4) and EventBridge retries a target for
/// at most 24 hours: after 15 days no copy of an event can still arrive.
pub const MARK_LIFETIME: Duration = Duration::from_secs(15 * 86_400);

pub struct DynamoDbBilling {
    client: Client,
    table: String,
}

/// One line of the customer's status history, which billing prorates from.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct HistoryLine<'a> {
    event_id: &'a str,
    from: &'a str,
    to: &'a str,
    at: &'a str,
    reason: Option<&'a str>,
}

type Error = Box<dyn std::error::Error + Send + Sync>;

impl DynamoDbBilling {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    /// The table named by `TABLE_NAME`, through the SDK's configuration from the environment.
    pub async fn from_env() -> Result<Self, Error> {
        let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;
        let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        Ok(Self::new(Client::new(&config), table))
    }

    fn mark(&self, change: &StatusChange) -> Result<TransactWriteItem, Error> {
        let expires_at = (SystemTime::now() + MARK_LIFETIME).duration_since(UNIX_EPOCH)?.as_secs();
        let put = Put::builder()
            .table_name(&self.table)
            .item("pk", string(format!("EVENT#{}", change.event_id)))
            .item("eventId", string(&change.event_id))
            .item("customerId", string(&change.customer_id))
            .item("expiresAt", AttributeValue::N(expires_at.to_string()))
            .condition_expression("attribute_not_exists(pk)")
            .build()?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// The customer's status becomes the change's, unless a later change was applied already.
    fn apply(&self, change: &StatusChange) -> Result<TransactWriteItem, Error> {
        let line = HistoryLine {
            event_id: &change.event_id,
            from: &change.data.from,
            to: &change.data.to,
            at: &change.occurred_at,
            reason: change.data.reason.as_deref(),
        };
        let update = Update::builder()
            .table_name(&self.table)
            .key("pk", string(format!("CUSTOMER#{}", change.customer_id)))
            .update_expression(
                "SET customerId = :customer, #status = :to, billable = :billable, statusSince = :at, \
                 lastEventId = :event, history = list_append(if_not_exists(history, :none), :line)",
            )
            .condition_expression("attribute_not_exists(statusSince) OR statusSince <= :at")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":customer", string(&change.customer_id))
            .expression_attribute_values(":to", string(&change.data.to))
            .expression_attribute_values(":billable", AttributeValue::Bool(change.billable()))
            .expression_attribute_values(":at", string(&change.occurred_at))
            .expression_attribute_values(":event", string(&change.event_id))
            .expression_attribute_values(":none", AttributeValue::L(Vec::new()))
            .expression_attribute_values(":line", AttributeValue::L(vec![serde_dynamo::to_attribute_value(line)?]))
            .build()?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}

impl BillingStatuses for DynamoDbBilling {
    async fn record(&self, change: &StatusChange) -> Result<Recorded, Error> {
        let written = self
            .client
            .transact_write_items()
            .transact_items(self.mark(change)?)
            .transact_items(self.apply(change)?)
            .send()
            .await;
        let error = match written {
            Ok(_) => return Ok(Recorded::Applied),
            Err(error) => error,
        };
        // Which condition failed, by the position of its write: the mark first.
        let failed = |position: usize| {
            error
                .as_service_error()
                .filter(|service| service.is_transaction_canceled_exception())
                .and_then(|service| match service {
                    aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(
                        canceled,
                    ) => canceled.cancellation_reasons().get(position).and_then(|reason| reason.code()),
                    _ => None,
                })
                == Some("ConditionalCheckFailed")
        };
        if failed(0) {
            Ok(Recorded::Duplicate)
        } else if failed(1) {
            Ok(Recorded::Superseded)
        } else {
            Err(Box::new(aws_sdk_dynamodb::Error::from(error)))
        }
    }
}

fn string(text: impl Into<String>) -> AttributeValue {
    AttributeValue::S(text.into())
}
