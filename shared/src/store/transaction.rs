//! One state change = one `TransactWriteItems`: the items it inserts, replaces, updates, deletes
//! or only checks, each with the condition it relies on and the [`Conflict`] that condition stands
//! for, plus an outbox item for each of its events. Either all of it lands or none.

use crate::sdk::SendBoxed;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, CancellationReason, ConditionCheck, Delete, Put, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem, Update,
};
use chrono::Utc;
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;

use super::items::{self, Item};
use super::keys::Key;
use super::membership_log::{self, MembershipChange};
use super::outbox::OutboxItem;
use super::{Conflict, Store, StoreError};
use crate::domain::{CustomerIdentifier, CustomerStatus, GeneratedId};
use crate::events::{DomainEvent, MAX_ENTRY_BYTES, entry_size};

/// DynamoDB's limit on items in one transaction.
pub(super) const MAX_TRANSACTION_ITEMS: usize = 100;
/// Concurrent transactions on the same items are cancelled with `TransactionConflict`; retrying
/// lets the condition decide who wins instead of failing both.
const CONFLICT_RETRIES: u32 = 8;

/// A condition or update expression with the placeholders it uses (`#name`, `:value`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expression {
    text: String,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expression {
    pub fn new(text: impl Into<String>) -> Self {
        Self { text: text.into(), ..Self::default() }
    }

    /// The item must not exist yet.
    pub fn absent() -> Self {
        Self::new("attribute_not_exists(pk)")
    }

    /// No condition: the write happens whatever is stored (only for [`Changes::update`]).
    pub fn always() -> Self {
        Self::default()
    }

    /// The item must exist.
    pub fn present() -> Self {
        Self::new("attribute_exists(pk)")
    }

    /// The item's `version` must still be `version` (optimistic concurrency).
    pub fn version_is(version: u64) -> Self {
        Self::new("#version = :expectedVersion")
            .name("#version", "version")
            .value(":expectedVersion", AttributeValue::N(version.to_string()))
    }

    /// The same placeholders under another expression text.
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = text.into();
        self
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Its `#name` placeholders and the attributes they stand for.
    pub(crate) fn names(&self) -> impl Iterator<Item = (&String, &String)> {
        self.names.iter()
    }

    /// Its `:value` placeholders and their values.
    pub(crate) fn values(&self) -> impl Iterator<Item = (&String, &AttributeValue)> {
        self.values.iter()
    }

    /// The attribute a `#name` placeholder stands for.
    pub fn attribute_name(&self, placeholder: &str) -> Option<&str> {
        self.names.get(placeholder).map(String::as_str)
    }

    pub fn name(mut self, placeholder: &str, attribute: &str) -> Self {
        self.names.insert(placeholder.to_owned(), attribute.to_owned());
        self
    }

    pub fn value(mut self, placeholder: &str, value: AttributeValue) -> Self {
        self.values.insert(placeholder.to_owned(), value);
        self
    }

    /// Both conditions.
    pub fn and(mut self, other: Expression) -> Self {
        self.text = format!("({}) AND ({})", self.text, other.text);
        self.names.extend(other.names);
        self.values.extend(other.values);
        self
    }
}

type Names = Option<HashMap<String, String>>;
type Values = Option<HashMap<String, AttributeValue>>;

/// The placeholders of an item's update and condition, merged as DynamoDB takes them.
fn placeholders(expressions: &[&Expression]) -> (Names, Values) {
    let names: HashMap<_, _> = expressions.iter().flat_map(|e| e.names.clone()).collect();
    let values: HashMap<_, _> = expressions.iter().flat_map(|e| e.values.clone()).collect();
    ((!names.is_empty()).then_some(names), (!values.is_empty()).then_some(values))
}

/// The items a change writes or checks, and the events it records; begun by [`Store::changes`].
pub struct Changes {
    table: String,
    writes: Vec<(TransactWriteItem, Conflict)>,
    events: Vec<DomainEvent>,
    status_guard: Option<StatusGuard>,
    /// Logged with the commit's time (`membership_log`).
    membership_changes: Vec<MembershipChange>,
}

/// The statuses the customer must have when the change lands ([`Changes::require_status`]): a
/// condition on the customer item, in the change's own write of that item when it has one
/// (DynamoDB takes one operation per item in a transaction), else in a condition check.
struct StatusGuard {
    customer: CustomerIdentifier,
    key: Item,
    allowed: Vec<CustomerStatus>,
    condition: Expression,
    /// The write that carries the condition.
    index: usize,
    /// Whether that write is the guard's own condition check (not yet merged into a write).
    standalone: bool,
}

impl StatusGuard {
    /// The conflict of a failed write that carries the guard: the customer's status if it is no
    /// longer one of the allowed ones (or the customer is gone), else the write's own conflict.
    fn conflict(&self, own: Conflict, stored: Option<&Item>) -> Conflict {
        let status = stored
            .and_then(|item| item.get("status"))
            .and_then(|status| status.as_s().ok())
            .and_then(|status| CustomerStatus::parse(status).ok());
        match status {
            Some(status) if self.allowed.contains(&status) && !self.standalone => own,
            status => Conflict::CustomerStatus { customer: self.customer.clone(), status },
        }
    }
}

/// The key of the item a transaction entry writes or checks.
fn target(write: &TransactWriteItem) -> Option<Item> {
    if let Some(put) = write.put() {
        let key = ["pk", "sk"].map(|name| put.item().get(name).map(|value| (name.to_owned(), value.clone())));
        return key.into_iter().collect();
    }
    let key = write
        .update()
        .map(Update::key)
        .or_else(|| write.delete().map(Delete::key))
        .or_else(|| write.condition_check().map(ConditionCheck::key))?;
    Some(key.clone())
}

/// The SDK's builders fail only when a required field is missing: a bug in the store, not bad input.
pub(crate) fn built<T>(result: Result<T, aws_sdk_dynamodb::error::BuildError>) -> Result<T, StoreError> {
    result.map_err(|_| StoreError::Invariant("a request lacks a required field"))
}

impl Changes {
    /// The change happens only if the customer's status is one of `allowed` when it lands (else
    /// [`Conflict::CustomerStatus`] with the status stored then): a rule that depends on the
    /// status is decided by the write, not by the read before it. Required before the change
    /// writes the customer item, whose write then carries the condition.
    pub fn require_status(
        &mut self,
        customer: &CustomerIdentifier,
        allowed: &[CustomerStatus],
    ) -> Result<(), StoreError> {
        let key = Key::customer(customer).into_attributes();
        if self.status_guard.is_some() || self.writes.iter().any(|(write, _)| target(write).as_ref() == Some(&key)) {
            return Err(StoreError::Invariant("a customer's status is required once, before its item is written"));
        }
        let values: Vec<String> = (0..allowed.len()).map(|n| format!(":allowedStatus{n}")).collect();
        let mut condition =
            Expression::new(format!("#guardedStatus IN ({})", values.join(", "))).name("#guardedStatus", "status");
        for (placeholder, status) in values.iter().zip(allowed) {
            condition = condition.value(placeholder, AttributeValue::S(status.as_str().to_owned()));
        }
        let conflict = Conflict::CustomerStatus { customer: customer.clone(), status: None };
        self.check(Key::customer(customer), condition.clone(), conflict)?;
        self.status_guard = Some(StatusGuard {
            customer: customer.clone(),
            key,
            allowed: allowed.to_vec(),
            condition,
            index: self.writes.len() - 1,
            standalone: true,
        });
        Ok(())
    }

    /// `condition`, with the status guard's when the write is of the guarded customer item: the
    /// guard's own condition check then gives way to this write.
    fn guarded(&mut self, key: &Item, condition: Expression) -> Expression {
        let Some(guard) = self.status_guard.as_mut().filter(|guard| &guard.key == key && guard.standalone) else {
            return condition;
        };
        self.writes.remove(guard.index);
        guard.standalone = false;
        guard.index = self.writes.len();
        condition.and(guard.condition.clone())
    }

    /// Inserts an item that must not exist yet.
    pub fn insert(&mut self, item: &impl Serialize, on_conflict: Conflict) -> Result<(), StoreError> {
        self.put(item, Expression::absent(), on_conflict)
    }

    /// Writes a whole item if `condition` holds on what is stored.
    pub fn put(
        &mut self,
        item: &impl Serialize,
        condition: Expression,
        on_conflict: Conflict,
    ) -> Result<(), StoreError> {
        let item = items::to_item(item)?;
        let key = ["pk", "sk"].map(|name| item.get(name).map(|value| (name.to_owned(), value.clone())));
        let condition = match key.into_iter().collect::<Option<Item>>() {
            Some(key) => self.guarded(&key, condition),
            None => condition,
        };
        let (names, values) = placeholders(&[&condition]);
        let put = Put::builder()
            .set_item(Some(item))
            .condition_expression(condition.text)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        let put = built(put.table_name(&self.table).build())?;
        self.writes.push((TransactWriteItem::builder().put(put).build(), on_conflict));
        Ok(())
    }

    /// Updates attributes of an item if `condition` holds.
    pub fn update(
        &mut self,
        key: Key,
        update: Expression,
        condition: Expression,
        on_conflict: Conflict,
    ) -> Result<(), StoreError> {
        let key = key.into_attributes();
        let condition = self.guarded(&key, condition);
        let (names, values) = placeholders(&[&update, &condition]);
        let update = Update::builder()
            .set_key(Some(key))
            .update_expression(update.text)
            .set_condition_expression((!condition.text.is_empty()).then_some(condition.text))
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        let update = built(update.table_name(&self.table).build())?;
        self.writes.push((TransactWriteItem::builder().update(update).build(), on_conflict));
        Ok(())
    }

    /// Deletes an item if `condition` holds.
    pub fn delete(&mut self, key: Key, condition: Expression, on_conflict: Conflict) -> Result<(), StoreError> {
        let key = key.into_attributes();
        let condition = self.guarded(&key, condition);
        let (names, values) = placeholders(&[&condition]);
        let delete = Delete::builder()
            .set_key(Some(key))
            .condition_expression(condition.text)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        let delete = built(delete.table_name(&self.table).build())?;
        self.writes.push((TransactWriteItem::builder().delete(delete).build(), on_conflict));
        Ok(())
    }

    /// Writes nothing to the item, but the change happens only if `condition` holds on it.
    pub fn check(&mut self, key: Key, condition: Expression, on_conflict: Conflict) -> Result<(), StoreError> {
        let key = key.into_attributes();
        let condition = self.guarded(&key, condition);
        let (names, values) = placeholders(&[&condition]);
        let check = ConditionCheck::builder()
            .set_key(Some(key))
            .condition_expression(condition.text)
            .set_expression_attribute_names(names)
            .set_expression_attribute_values(values)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        let check = built(check.table_name(&self.table).build())?;
        self.writes.push((TransactWriteItem::builder().condition_check(check).build(), on_conflict));
        Ok(())
    }

    /// Whether the change writes or checks the item at `key`.
    pub fn writes_to(&self, key: &Key) -> bool {
        let key = key.clone().into_attributes();
        self.writes.iter().any(|(write, _)| target(write).as_ref() == Some(&key))
    }

    /// Takes back the last write (its key was not the status guard's).
    pub(super) fn pop_last(&mut self) -> Option<(TransactWriteItem, Conflict)> {
        self.writes.pop()
    }

    /// Makes `write` the change's first: DynamoDB's answer names the first failed condition.
    pub(super) fn put_first(&mut self, write: (TransactWriteItem, Conflict)) {
        self.writes.insert(0, write);
        if let Some(guard) = self.status_guard.as_mut() {
            guard.index += 1;
        }
    }

    pub fn record(&mut self, event: DomainEvent) {
        self.events.push(event);
    }

    /// Logs a membership's change when the change commits ([`super::membership_log`]).
    pub(super) fn log_membership(&mut self, change: MembershipChange) {
        self.membership_changes.push(change);
    }
}

impl Store {
    /// A change to be committed to this store's table.
    pub fn changes(&self) -> Changes {
        Changes {
            table: self.table.clone(),
            writes: Vec::new(),
            events: Vec::new(),
            status_guard: None,
            membership_changes: Vec::new(),
        }
    }

    /// Writes the change and its outbox events as one transaction.
    #[tracing::instrument(skip_all, fields(writes = changes.writes.len(), events = changes.events.len()))]
    pub async fn commit(&self, changes: Changes) -> Result<(), StoreError> {
        if changes.events.is_empty() {
            return Err(StoreError::Invariant("a state change must record at least one event"));
        }
        if !changes.membership_changes.is_empty()
            && !changes.events.iter().any(|event| event.event_type().changes_memberships())
        {
            return Err(StoreError::Invariant("a membership change must record an event that says so"));
        }
        let now = Utc::now();
        let status_guard = changes.status_guard;
        let (mut transaction, conflicts): (Vec<TransactWriteItem>, Vec<Conflict>) = changes.writes.into_iter().unzip();
        // After the writes, whose indexes name the conflicts; a log entry's key is new.
        transaction.extend(membership_log::entries(&changes.membership_changes, now, &self.table)?);
        for event in &changes.events {
            let outbox =
                OutboxItem::new(event, now).map_err(|_| StoreError::Invariant("an event does not serialize"))?;
            // A record EventBridge refuses would block its stream shard on every retry.
            if entry_size(&outbox.event_type, &outbox.detail) >= MAX_ENTRY_BYTES {
                return Err(StoreError::Invariant("an event exceeds EventBridge's 256 KB entry limit"));
            }
            let put = built(
                Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(items::to_item(outbox)?))
                    .condition_expression("attribute_not_exists(pk)")
                    .build(),
            )?;
            transaction.push(TransactWriteItem::builder().put(put).build());
        }
        self.send_transaction(transaction, conflicts, status_guard.as_ref()).await
    }

    /// Writes a change that no one sees happen, so it records no event: housekeeping such as
    /// freeing the locks of expired invitations (what stays visible of them is unchanged), and
    /// the table's own record keeping (a history entry with its outbox item's mark).
    #[tracing::instrument(skip_all, fields(writes = changes.writes.len()))]
    pub(super) async fn commit_unrecorded(&self, changes: Changes) -> Result<(), StoreError> {
        if !changes.events.is_empty() || !changes.membership_changes.is_empty() {
            return Err(StoreError::Invariant("a change with events must be committed with them"));
        }
        let (transaction, conflicts) = changes.writes.into_iter().unzip();
        self.send_transaction(transaction, conflicts, changes.status_guard.as_ref()).await
    }

    /// One transaction, sent again while it only meets concurrent transactions on its items; a
    /// failed condition is answered as the [`Conflict`] of its write (the customer's status when
    /// the write that failed carries the change's status guard).
    async fn send_transaction(
        &self,
        transaction: Vec<TransactWriteItem>,
        conflicts: Vec<Conflict>,
        status_guard: Option<&StatusGuard>,
    ) -> Result<(), StoreError> {
        if transaction.len() > MAX_TRANSACTION_ITEMS {
            return Err(StoreError::Invariant("a change exceeds DynamoDB's 100 items per transaction"));
        }

        for attempt in 0..=CONFLICT_RETRIES {
            // A token per attempt: the SDK's own retries of one attempt stay idempotent.
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(transaction.clone()))
                .client_request_token(GeneratedId::new().to_string())
                .send_boxed()
                .await;
            let error = match result {
                Ok(_) => return Ok(()),
                Err(error) => error,
            };
            let Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) = error.as_service_error()
            else {
                return Err(error.into());
            };
            let reasons = cancelled.cancellation_reasons();
            let code = |reason: &CancellationReason| reason.code().unwrap_or_default().to_owned();
            // Reasons are index-aligned with the transaction's items; the writes come first.
            if let Some(index) = reasons.iter().position(|reason| code(reason) == "ConditionalCheckFailed") {
                let conflict =
                    conflicts.get(index).ok_or(StoreError::Invariant("an outbox event id collided"))?.clone();
                let stored = reasons[index].item();
                let conflict = match status_guard {
                    Some(guard) if guard.index == index => guard.conflict(conflict, stored),
                    _ => conflict,
                };
                return Err(StoreError::Conflict(with_current_state(conflict, stored)));
            }
            let throttled = reasons
                .iter()
                .any(|reason| matches!(code(reason).as_str(), "ThrottlingError" | "ProvisionedThroughputExceeded"));
            let conflicted = reasons.iter().any(|reason| code(reason) == "TransactionConflict");
            if throttled || (conflicted && attempt == CONFLICT_RETRIES) {
                return Err(StoreError::Unavailable(Box::new(error.into())));
            }
            if !conflicted {
                return Err(StoreError::Refused(Box::new(error.into())));
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
        unreachable!("the loop returns on its last attempt")
    }
}

/// A version conflict reports the version that is stored now, from the item DynamoDB returns
/// with the failed condition (`ReturnValuesOnConditionCheckFailure::AllOld`).
fn with_current_state(conflict: Conflict, stored: Option<&Item>) -> Conflict {
    match conflict {
        Conflict::VersionMismatch { .. } => Conflict::VersionMismatch { current_version: number(stored, "version") },
        Conflict::QuotaExceeded { customer, .. } => {
            Conflict::QuotaExceeded { customer, quota: number(stored, "projectQuota") }
        }
        conflict => conflict,
    }
}

fn number<T: std::str::FromStr>(stored: Option<&Item>, attribute: &str) -> Option<T> {
    stored.and_then(|item| item.get(attribute)).and_then(|value| value.as_n().ok()).and_then(|value| value.parse().ok())
}

/// Exponential, with jitter from the clock's sub-millisecond noise, capped at ~1 s.
fn backoff(attempt: u32) -> Duration {
    let base = 10u64 << attempt.min(6);
    let jitter = u64::from(Utc::now().timestamp_subsec_nanos() % 1_000) * base / 1_000;
    Duration::from_millis(base + jitter)
}
