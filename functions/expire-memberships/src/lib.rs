//! The schedule's sweep (every 5 minutes, in the template): removes, as the system, every
//! membership whose end (`expiresAt`) has passed, exactly as a removal by an admin does
//! (USER_REMOVED with `reason` EXPIRED and actor role SYSTEM, the member's address item kept).
//! An ended membership already counts as none for every read and right (`meshcustomers::store`);
//! this only makes it go, within 15 minutes of its end.
//!
//! The same run warns each member whose membership ends within `MEMBERSHIP_EXPIRY_WARNING_DAYS`,
//! once: MEMBERSHIP_EXPIRING (which the email sender mails) recorded in the transaction that
//! marks the member `expiryWarnedAt`, on condition that it was not marked yet; a new end clears
//! the mark.
//!
//! Ended memberships are found through the sparse gsi5 (`MEMBERSHIP_ENDS` / `<expiresAt>#…`),
//! never a Scan. Each removal is one transaction on condition that the member's version and end
//! are still the ones read, so a member whose end was moved or cleared meanwhile stays.

use chrono::{DateTime, Duration, Utc};
use lambda_runtime::LambdaEvent;
use serde::Serialize;

use meshcustomers::App;
use meshcustomers::change::{DomainError, IfMatch, Loaded, Outcome, change};
use meshcustomers::config::{self, ConfigError, Environment};
use meshcustomers::diagnostics::error_chain;
use meshcustomers::domain::{CustomerIdentifier, Membership, UserId};
use meshcustomers::events::{Actor, DomainEvent, EventPayload, MembershipExpiring, RemovalReason, UserRemoved};
use meshcustomers::store::{Changes, StoreError};
use meshcustomers::sweep::SweepError;

/// Memberships removed per run at most: one round trip each keeps a run well within its
/// timeout; the next run, 5 minutes later, takes the rest.
pub const MAX_PER_RUN: usize = 500;

/// Memberships read per run for warnings (those warned already among them): the next run
/// goes on where warnings are still due.
pub const MAX_WARNINGS_READ_PER_RUN: usize = 500;

pub struct Settings {
    /// How long before its end a member is warned.
    pub warning: Duration,
}

impl config::Settings for Settings {
    fn read(environment: &Environment) -> Result<Self, ConfigError> {
        Ok(Self { warning: config::membership_expiry_warning(environment)? })
    }
}

/// A membership, by customer and user.
#[derive(Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    pub customer_id: CustomerIdentifier,
    pub user_id: UserId,
}

/// What a run did: the invocation's answer (in the local cloud's on-demand run too).
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Sweep {
    /// Removed in this run.
    pub expired: Vec<Member>,
    /// Changed by someone else (end moved or cleared, role changed, removed) between the search
    /// and the removal: left as they are now (a member still ended is taken by the next run).
    pub moved_on: Vec<Member>,
    /// Warned in this run that their membership ends soon.
    pub warned: Vec<Member>,
}

/// One member's write (`write`) with its event, through the change protocol with the version the
/// index showed as its `If-Match`: a member changed since is refused, never written from a stale read.
async fn change_as_indexed(
    app: &App<Settings>,
    member: &Membership,
    event: DomainEvent,
    write: impl Fn(&mut Changes, &Membership) -> Result<(), StoreError>,
) -> Result<(), DomainError> {
    let load = || async { Ok(Loaded::versioned(&app.store, member.clone(), member.version)) };
    change(&app.store, &IfMatch::Versions(vec![member.version]), None, load, |member, changes| {
        write(changes, member)?;
        changes.record(event.clone());
        Ok(Outcome::Write(()))
    })
    .await
}

/// The schedule's event is not read: a run removes what has ended by its own clock.
#[tracing::instrument(skip_all)]
pub async fn handle(app: &App<Settings>, _event: LambdaEvent<serde_json::Value>) -> Result<Sweep, SweepError> {
    sweep(app, Utc::now()).await
}

/// Removes the memberships ended at `now`, earliest end first, at most [`MAX_PER_RUN`]; then
/// warns those ending within the warning period that were not warned yet.
pub async fn sweep(app: &App<Settings>, now: DateTime<Utc>) -> Result<Sweep, SweepError> {
    let ended = app
        .store
        .memberships_ending(None, now, MAX_PER_RUN)
        .await
        .map_err(SweepError::listing("the ended memberships"))?;
    let mut sweep = Sweep { expired: Vec::new(), moved_on: Vec::new(), warned: Vec::new() };
    let mut failed = 0;
    for member in ended {
        let removed = UserRemoved {
            user_id: member.user_id.clone(),
            email: member.email.clone(),
            role: member.role,
            reason: Some(RemovalReason::Expired),
        };
        let event = DomainEvent::new(&member.customer_id, Actor::system(), now, EventPayload::UserRemoved(removed));
        let written =
            change_as_indexed(app, &member, event, |changes, member| changes.remove_ended_member(member, now)).await;
        let id = Member { customer_id: member.customer_id, user_id: member.user_id };
        match written {
            Ok(()) => {
                tracing::info!(customer = %id.customer_id, user = %id.user_id, "ended membership removed");
                sweep.expired.push(id);
            }
            // Its version or end is no longer the one the index showed.
            Err(DomainError::Store(StoreError::Conflict(_))) => sweep.moved_on.push(id),
            Err(error) => {
                tracing::error!(customer = %id.customer_id, error = %error_chain(&error), "an ended membership was not removed");
                failed += 1;
            }
        }
    }
    let ending = app
        .store
        .memberships_ending(Some(now), now + app.settings.warning, MAX_WARNINGS_READ_PER_RUN)
        .await
        .map_err(SweepError::listing("the memberships ending soon"))?;
    for member in ending.into_iter().filter(|member| member.expiry_warned_at.is_none()) {
        let Some(expires_at) = member.expires_at else { continue };
        let warning = MembershipExpiring {
            user_id: member.user_id.clone(),
            email: member.email.clone(),
            role: member.role,
            expires_at,
        };
        let event =
            DomainEvent::new(&member.customer_id, Actor::system(), now, EventPayload::MembershipExpiring(warning));
        let written =
            change_as_indexed(app, &member, event, |changes, member| changes.mark_expiry_warned(member, now)).await;
        let id = Member { customer_id: member.customer_id, user_id: member.user_id };
        match written {
            Ok(()) => sweep.warned.push(id),
            // Warned already, or its end changed: nothing to do (a new end is warned of later).
            Err(DomainError::Store(StoreError::Conflict(_))) => sweep.moved_on.push(id),
            Err(error) => {
                tracing::error!(customer = %id.customer_id, error = %error_chain(&error), "an ending membership was not warned");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        return Err(SweepError::Remove { failed, what: "ended membership(s)", done: "removed or warned" });
    }
    Ok(sweep)
}
