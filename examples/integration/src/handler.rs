//! An SQS batch (Lambda's SQS event source with `ReportBatchItemFailures`): each message is
//! recorded on its own; the ones that failed are named in the answer, so SQS redelivers only
//! them (after the queue's visibility timeout, until `maxReceiveCount` sends them to the
//! dead-letter queue). A message that cannot be read is failed too: it ends in the dead-letter
//! queue for a person to look at, never silently dropped.

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_runtime::{Error, LambdaEvent};

use crate::billing::{BillingStatuses, Recorded};
use crate::status_change::StatusChange;

pub async fn handle(billing: &impl BillingStatuses, event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, Error> {
    let mut response = SqsBatchResponse::default();
    // One at a time, in the batch's order: two changes of one customer apply in turn.
    for message in event.payload.records {
        let message_id = message.message_id.clone().unwrap_or_default();
        match record(billing, &message).await {
            Ok((change, recorded)) => tracing::info!(
                message_id,
                event_id = change.event_id,
                customer_id = change.customer_id,
                to = change.data.to,
                ?recorded,
                "recorded"
            ),
            Err(error) => {
                tracing::error!(message_id, %error, "not recorded; SQS delivers it again");
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = message_id;
                response.batch_item_failures.push(failure);
            }
        }
    }
    Ok(response)
}

async fn record(billing: &impl BillingStatuses, message: &SqsMessage) -> Result<(StatusChange, Recorded), Error> {
    let change = StatusChange::from_message_body(message.body.as_deref().unwrap_or_default())?;
    let recorded = billing.record(&change).await?;
    Ok((change, recorded))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Records in memory, each event once; fails for customers named `broken`.
    #[derive(Default)]
    struct InMemory {
        applied: Mutex<Vec<String>>,
    }

    impl BillingStatuses for InMemory {
        async fn record(&self, change: &StatusChange) -> Result<Recorded, Box<dyn std::error::Error + Send + Sync>> {
            if change.customer_id == "broken" {
                return Err("the table is unavailable".into());
            }
            let mut applied = self.applied.lock().unwrap();
            if applied.contains(&change.event_id) {
                return Ok(Recorded::Duplicate);
            }
            applied.push(change.event_id.clone());
            Ok(Recorded::Applied)
        }
    }

    fn message(id: &str, event_id: &str, customer: &str) -> SqsMessage {
        let body = serde_json::json!({
            "source": "meshcustomers", "detail-type": "CUSTOMER_STATUS_CHANGED",
            "detail": {"eventId": event_id, "customerId": customer, "occurredAt": "2026-01-15T10:30:00.123Z",
                       "data": {"from": "ACTIVE", "to": "DISABLED", "reason": null}}
        });
        let mut message = SqsMessage::default();
        message.message_id = Some(id.to_owned());
        message.body = Some(body.to_string());
        message
    }

    #[tokio::test]
    async fn only_the_messages_that_failed_are_named_for_redelivery() {
        let billing = InMemory::default();
        let mut unreadable = message("m4", "e4", "x");
        unreadable.body = Some("{}".into());
        let mut event = SqsEvent::default();
        event.records =
            vec![message("m1", "e1", "acme"), message("m2", "e2", "broken"), message("m3", "e1", "acme"), unreadable];
        let response = handle(&billing, LambdaEvent::new(event, Default::default())).await.unwrap();
        let failed: Vec<&str> = response.batch_item_failures.iter().map(|f| f.item_identifier.as_str()).collect();
        assert_eq!(failed, ["m2", "m4"]);
        // m3 is a redelivery of e1's event: applied once.
        assert_eq!(*billing.applied.lock().unwrap(), ["e1"]);
    }
}
