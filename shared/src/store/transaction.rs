//! One state change = one `TransactWriteItems`: the items it writes, each with the condition it
//! relies on, plus an outbox item for each of its events. Either all of it lands or none.

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use chrono::Utc;
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;

use super::items::{self, OutboxItem};
use super::{Store, StoreError};
use crate::domain::GeneratedId;
use crate::events::DomainEvent;

/// What a failed condition means to the caller: a problem type and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub problem_type: &'static str,
    pub detail: String,
}

impl Conflict {
    pub fn new(problem_type: &'static str, detail: impl Into<String>) -> Self {
        Self { problem_type, detail: detail.into() }
    }
}

/// DynamoDB's limit on items in one transaction.
const MAX_TRANSACTION_ITEMS: usize = 100;
/// Concurrent transactions on the same items are cancelled with `TransactionConflict`; retrying
/// lets the condition decide who wins instead of failing both.
const CONFLICT_RETRIES: u32 = 8;

struct Write {
    item: HashMap<String, AttributeValue>,
    conflict: Conflict,
}

/// The items a change inserts and the events it records.
#[derive(Default)]
pub(crate) struct Changes {
    writes: Vec<Write>,
    events: Vec<DomainEvent>,
}

impl Changes {
    /// Inserts an item that must not exist yet; if it does, the change fails with `conflict`.
    pub fn insert(&mut self, item: &impl Serialize, conflict: Conflict) -> Result<(), StoreError> {
        let item = items::to_item(item).map_err(StoreError::internal)?;
        self.writes.push(Write { item, conflict });
        Ok(())
    }

    pub fn record(&mut self, event: DomainEvent) {
        self.events.push(event);
    }
}

impl Store {
    pub(crate) async fn commit(&self, changes: Changes) -> Result<(), StoreError> {
        if changes.events.is_empty() {
            return Err(StoreError::internal("a state change must record at least one event"));
        }
        let now = Utc::now();
        let outbox = changes
            .events
            .iter()
            .map(|event| {
                let item = items::to_item(OutboxItem::new(event, now).map_err(StoreError::internal)?)
                    .map_err(StoreError::internal)?;
                Ok(self.put_new(item))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        // Conflicts stay index-aligned with the transaction's first items, as cancellation reasons are.
        let (items, conflicts): (Vec<_>, Vec<_>) =
            changes.writes.into_iter().map(|write| (write.item, write.conflict)).unzip();
        let mut transaction: Vec<TransactWriteItem> = items.into_iter().map(|item| self.put_new(item)).collect();
        transaction.extend(outbox);
        if transaction.len() > MAX_TRANSACTION_ITEMS {
            return Err(StoreError::internal("a change exceeds DynamoDB's 100 items per transaction"));
        }

        for attempt in 0..=CONFLICT_RETRIES {
            // A token per attempt: the SDK's own retries of one attempt stay idempotent.
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(transaction.clone()))
                .client_request_token(GeneratedId::new().to_string())
                .send()
                .await;
            let error = match result {
                Ok(_) => return Ok(()),
                Err(error) => error,
            };
            let reasons: Vec<Option<String>> = match error.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                    cancelled.cancellation_reasons().iter().map(|r| r.code().map(str::to_owned)).collect()
                }
                _ => return Err(StoreError::internal(error)),
            };
            if let Some(index) = reasons.iter().position(|code| code.as_deref() == Some("ConditionalCheckFailed")) {
                return match conflicts.get(index) {
                    Some(conflict) => Err(StoreError::Conflict(conflict.clone())),
                    None => Err(StoreError::internal("an outbox event id collided")),
                };
            }
            let conflicted = reasons.iter().any(|code| code.as_deref() == Some("TransactionConflict"));
            if !conflicted || attempt == CONFLICT_RETRIES {
                return Err(StoreError::internal(error));
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
        unreachable!("the loop returns on its last attempt")
    }

    fn put_new(&self, item: HashMap<String, AttributeValue>) -> TransactWriteItem {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .expect("table, item and condition are set");
        TransactWriteItem::builder().put(put).build()
    }
}

/// Exponential, with jitter from the clock's sub-millisecond noise, capped at ~1 s.
fn backoff(attempt: u32) -> Duration {
    let base = 10u64 << attempt.min(6);
    let jitter = u64::from(Utc::now().timestamp_subsec_nanos() % 1_000) * base / 1_000;
    Duration::from_millis(base + jitter)
}
