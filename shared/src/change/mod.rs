//! The one way state changes, for every write route:
//!
//! 1. **load** what the decision needs, in one round trip;
//! 2. **authorize** through [`Action::rule`](crate::authorization::Action::rule): on a customer,
//!    the membership role the rule granted becomes a condition of the write (see [`customer`]);
//! 3. **decide**, a pure function of what was loaded: the writes and events of the change in a
//!    [`Changes`], or a [`Refusal`] in the domain's words;
//! 4. **commit** them in one transaction. `If-Match`, and reading and deciding again after a
//!    concurrent write, are handled here ([`change`]) and nowhere else.
//!
//! Refusals and conflicts are turned into statuses and problem types by `http::problem` alone.

pub mod customer;
mod precondition;

use chrono::Utc;
use std::time::Duration;

pub use crate::refusal::{DomainError, NeedsVerifiedEmail, Refusal};
pub use customer::{CustomerChange, OnCustomer, Requires, Subject, WRITABLE, change_customer};
pub use precondition::IfMatch;

use crate::domain::CustomerIdentifier;
use crate::store::{Changes, Conflict, Store, StoreError};

/// Attempts of a change made without `If-Match` when other writers keep changing what it read
/// between its read and its write; each attempt loads again and decides again.
const ATTEMPTS: u32 = 20;

/// What a decision came to.
#[derive(Debug)]
pub enum Outcome<T> {
    /// Commit what the decision put in the [`Changes`] (at least one event); answer `T`.
    Write(T),
    /// Nothing to write: it already is as asked. Answer `T`.
    Unchanged(T),
}

/// What a load found: the state the decision reads, the version `If-Match` is compared with
/// (`None`: the change makes something new, and `If-Match` does not apply), and the change begun
/// with the conditions the load's authorization relies on.
pub struct Loaded<L> {
    pub state: L,
    pub version: Option<u64>,
    pub changes: Changes,
}

impl<L> Loaded<L> {
    /// `state`, for a change that makes something new (`If-Match` does not apply).
    pub fn new(store: &Store, state: L) -> Self {
        Self { state, version: None, changes: store.changes() }
    }

    /// `state`, for a change of something stored at `version`.
    pub fn versioned(store: &Store, state: L, version: u64) -> Self {
        Self { state, version: Some(version), changes: store.changes() }
    }
}

/// The protocol's engine: load, compare `If-Match`, decide, commit; while the write meets a
/// concurrent change of what was read, all of it again. With `If-Match`, a stale version is 412
/// (the [`Conflict::VersionMismatch`] with the version stored); without, a change that keeps
/// losing is [`Refusal::Contended`]. A write refused for the cap on pending invitations frees the
/// expired ones' locks of `customer` once and tries again.
pub async fn change<L, T, Load>(
    store: &Store,
    if_match: &IfMatch,
    customer: Option<&CustomerIdentifier>,
    mut load: impl FnMut() -> Load,
    mut decide: impl FnMut(&L, &mut Changes) -> Result<Outcome<T>, DomainError>,
) -> Result<T, DomainError>
where
    Load: Future<Output = Result<Loaded<L>, DomainError>>,
{
    let mut freed_expired = false;
    for attempt in 1..=ATTEMPTS {
        let Loaded { state, version, mut changes } = load().await?;
        if let Some(version) = version.filter(|version| !if_match.matches(*version)) {
            return Err(Conflict::VersionMismatch { current_version: Some(version) }.into());
        }
        let answer = match decide(&state, &mut changes)? {
            Outcome::Unchanged(answer) => return Ok(answer),
            Outcome::Write(answer) => answer,
        };
        let conflict = match store.commit(changes).await {
            Ok(()) => return Ok(answer),
            Err(StoreError::Conflict(conflict)) => conflict,
            Err(error) => return Err(error.into()),
        };
        match conflict {
            Conflict::VersionMismatch { .. } if if_match.is_conditional() => return Err(conflict.into()),
            Conflict::VersionMismatch { .. }
            | Conflict::AccessChanged
            | Conflict::InvitationChanged
            | Conflict::PendingCustomerChanged => {
                tracing::info!(attempt, ?conflict, "what the change read changed before it landed; loading again");
                tokio::time::sleep(retry_pause(attempt)).await;
            }
            Conflict::TooManyInvitations(_) if !freed_expired && customer.is_some() => {
                freed_expired = true;
                let customer = customer.expect("checked");
                if store.free_expired_invitation_locks(customer, Utc::now()).await? == 0 {
                    return Err(conflict.into());
                }
            }
            conflict => return Err(conflict.into()),
        }
    }
    Err(Refusal::Contended.into())
}

/// A few milliseconds, growing, with jitter so that writers that collided spread out.
fn retry_pause(attempt: u32) -> Duration {
    let jitter = u64::from(Utc::now().timestamp_subsec_nanos() % 5_000) / 1_000;
    Duration::from_millis(u64::from(attempt.min(10)) * 2 + jitter)
}
