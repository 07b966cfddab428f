//! A caller's access to one customer: load it with the caller's membership, decide the action;
//! and the one way a customer item is changed ([`change_customer`]).

use chrono::{DateTime, Utc};
use std::time::Duration;

use crate::authorization::{Action, CustomerRelation, Denial, Role, authorize};
use crate::domain::{Customer, CustomerIdentifier};
use crate::events::{Actor, DomainEvent, EventPayload};
use crate::http::{ApiError, IfMatch};
use crate::principal::Principal;
use crate::store::{Conflict, Store, StoreError};

/// Attempts of a change made without `If-Match` when other writers keep changing the customer
/// between its read and its write; each attempt reads again and decides again.
const CHANGE_ATTEMPTS: u32 = 20;

/// The customer and the role the caller acts in. A customer the caller may not know of is
/// reported exactly like one that does not exist.
pub async fn customer_access(
    store: &Store,
    principal: &Principal,
    identifier: &CustomerIdentifier,
    action: Action,
) -> Result<(Customer, Role), ApiError> {
    let not_found = || ApiError::not_found_customer(identifier.as_str());
    let (customer, membership) =
        store.customer_and_membership(identifier, &principal.user_id).await?.ok_or_else(not_found)?;
    let relation = CustomerRelation { managing_partner_id: &customer.managing_partner_id, membership };
    match authorize(principal, action, Some(&relation)) {
        Ok(role) => Ok((customer, role)),
        Err(Denial::NotFound) => Err(not_found()),
        Err(denial) => Err(denial.into()),
    }
}

/// What a change decided, given the customer as it is stored now.
pub enum Decision {
    /// Write `customer` (a changed copy of what was read) with these events.
    Change { customer: Customer, events: Vec<EventPayload> },
    /// Nothing to write: the customer already is as asked.
    Unchanged,
}

/// The one way a customer item is changed: read it with the caller's membership (one round
/// trip), authorize, let `decide` compute the new state from what is stored, and write it with
/// its events in one transaction conditioned on the version read (the second round trip).
///
/// With `If-Match`, a version other than the stored one is 412 with the current `ETag`. Without
/// it, a concurrent write makes the change read and decide again, so no write is ever lost and
/// each event's `from` is what that write really replaced. A customer that is not yet ACTIVE
/// takes only the actions [`Action::allowed_before_activation`] names.
///
/// Returns the customer as stored afterwards.
pub async fn change_customer(
    store: &Store,
    principal: &Principal,
    identifier: &CustomerIdentifier,
    action: Action,
    if_match: &IfMatch,
    mut decide: impl FnMut(&Customer, DateTime<Utc>) -> Result<Decision, ApiError>,
) -> Result<Customer, ApiError> {
    for attempt in 1..=CHANGE_ATTEMPTS {
        let (customer, role) = customer_access(store, principal, identifier, action).await?;
        if !if_match.matches(customer.version) {
            return Err(precondition_failed(Some(customer.version)));
        }
        if !customer.status.accepts_writes() && !action.allowed_before_activation() {
            return Err(ApiError::customer_not_active(identifier.as_str(), customer.status.as_str()));
        }
        let now = Utc::now();
        let (mut after, payloads) = match decide(&customer, now)? {
            Decision::Unchanged => return Ok(customer),
            Decision::Change { customer: after, events } => (after, events),
        };
        after.version = customer.version + 1;
        let actor = Actor::new(principal, role);
        let events =
            payloads.into_iter().map(|payload| DomainEvent::new(identifier, actor.clone(), now, payload)).collect();
        match store.update_customer(&customer, &after, events).await {
            Ok(()) => return Ok(after),
            Err(StoreError::Conflict(Conflict::VersionMismatch { current_version })) => {
                if if_match.is_conditional() {
                    return Err(precondition_failed(current_version));
                }
                tracing::info!(attempt, "the customer changed since it was read; reading it again");
                tokio::time::sleep(retry_pause(attempt)).await;
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err(ApiError::concurrent_modification())
}

fn precondition_failed(current_version: Option<u64>) -> ApiError {
    ApiError::from(Conflict::VersionMismatch { current_version })
}

/// A few milliseconds, growing, with jitter so that writers that collided spread out.
fn retry_pause(attempt: u32) -> Duration {
    let jitter = u64::from(Utc::now().timestamp_subsec_nanos() % 5_000) / 1_000;
    Duration::from_millis(u64::from(attempt.min(10)) * 2 + jitter)
}
