//! The protocol for a change of one customer's partition, asked for by a caller: the customer,
//! the caller's membership and what the change is of (a member, an invitation, a project, tag
//! definitions) read in one BatchGetItem; the action authorized on them through its rule; the
//! customer's status checked; `If-Match` compared with the version of what the change is of;
//! the decision; and one transaction that also holds
//!
//! - the membership role the rule granted, when it granted a membership role: the change lands
//!   only if the caller still holds it ([`Conflict::AccessChanged`](crate::store::Conflict),
//!   after which the change loads and authorizes again, and is refused as a new request would);
//!   a change of the caller's own member item carries it in that item's own condition;
//! - the statuses the customer must have ([`Requires`]).

use chrono::{DateTime, Utc};

use super::{IfMatch, Loaded, Outcome, change};
use crate::access::authorize_on;
use crate::authorization::{Action, Role};
use crate::domain::{Customer, CustomerIdentifier, CustomerStatus, Invitation, Membership, UserId};
use crate::events::{Actor, DomainEvent, EventPayload};
use crate::principal::Principal;
use crate::refusal::{DomainError, Refusal};
use crate::store::{Changes, Key, Related, RelatedItems, Store, StoreError};

/// The statuses of a customer that takes writes ([`CustomerStatus::accepts_writes`]).
pub const WRITABLE: [CustomerStatus; 2] = [CustomerStatus::Active, CustomerStatus::Disabled];

/// The statuses the customer must have, when it is read and when the write lands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requires {
    /// ACTIVE or DISABLED ([`WRITABLE`]); before that, only the actions
    /// [`Action::allowed_before_activation`] names.
    Writable,
    /// ACTIVE, for what makes something new: DISABLED is refused as disabled, any other status
    /// as not active.
    Active,
    /// ACTIVE, for what reaches the customer's members (a message): any other status is refused
    /// as not active when read.
    Receiving,
}

/// What `If-Match` names the version of. A change that makes something new takes no `If-Match`
/// ([`IfMatch::Any`], the default), so its subject's version never refuses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The customer item.
    Customer,
    /// A member of the customer (which must exist).
    Member(UserId),
    /// The one item [`CustomerChange::reading`] names besides tag definitions (a project, a
    /// service user, an invitation), which must exist.
    Related,
}

/// A change of one customer, asked for by a caller.
pub struct CustomerChange<'a> {
    pub principal: &'a Principal,
    pub customer: &'a CustomerIdentifier,
    pub action: Action,
    pub if_match: IfMatch,
    pub subject: Subject,
    pub requires: Requires,
    /// What else the decision reads, in the same round trip.
    pub related: Related<'a>,
}

impl<'a> CustomerChange<'a> {
    /// `action` on `customer`: a change of the customer item, which must take writes.
    pub fn new(principal: &'a Principal, customer: &'a CustomerIdentifier, action: Action) -> Self {
        Self {
            principal,
            customer,
            action,
            if_match: IfMatch::Any,
            subject: Subject::Customer,
            requires: Requires::Writable,
            related: Related::default(),
        }
    }

    pub fn if_match(self, if_match: IfMatch) -> Self {
        Self { if_match, ..self }
    }

    pub fn of(self, subject: Subject) -> Self {
        Self { subject, ..self }
    }

    pub fn requires(self, requires: Requires) -> Self {
        Self { requires, ..self }
    }

    pub fn reading(self, related: Related<'a>) -> Self {
        Self { related, ..self }
    }
}

/// What a change of a customer decides on.
pub struct OnCustomer {
    pub customer: Customer,
    /// The role the caller acts in.
    pub role: Role,
    pub now: DateTime<Utc>,
    /// The member the change is of ([`Subject::Member`]).
    pub member: Option<Membership>,
    /// What [`CustomerChange::related`] named, those that exist (the invitation of
    /// [`Subject::Related`] among them).
    pub related: RelatedItems,
    actor: Actor,
    /// The membership that authorized the change, if one did: a condition of the write.
    granted_by: Option<Membership>,
}

impl OnCustomer {
    /// An event of this change, by its caller, now.
    pub fn event(&self, payload: EventPayload) -> DomainEvent {
        DomainEvent::new(&self.customer.identifier, self.actor.clone(), self.now, payload)
    }

    /// The customer as `after` (a changed copy of what was read) with these events, or nothing
    /// when `after` is what is stored. Answers the customer as stored afterwards.
    pub fn replace_customer(
        &self,
        changes: &mut Changes,
        mut after: Customer,
        events: impl IntoIterator<Item = EventPayload>,
    ) -> Result<Outcome<Customer>, DomainError> {
        if after == self.customer {
            return Ok(Outcome::Unchanged(after));
        }
        after.version = self.customer.version + 1;
        changes.update_customer(&self.customer, &after)?;
        for payload in events {
            changes.record(self.event(payload));
        }
        Ok(Outcome::Write(after))
    }

    /// The member the change is of (the protocol refused the change when there is none).
    pub fn member(&self) -> &Membership {
        self.member.as_ref().expect("the protocol loads the subject member or refuses")
    }

    /// The invitation the change is of ([`Subject::Related`]: the protocol refused the change
    /// when there is none).
    pub fn invitation(&self) -> &Invitation {
        self.related.invitation.as_ref().expect("the protocol loads the subject invitation or refuses")
    }
}

/// Runs `change` through the protocol ([`super::change`]); `decide` puts the writes and
/// events in the [`Changes`] (with [`OnCustomer::event`]) and answers, or refuses.
pub async fn change_customer<T>(
    store: &Store,
    request: CustomerChange<'_>,
    mut decide: impl FnMut(&OnCustomer, &mut Changes) -> Result<Outcome<T>, DomainError>,
) -> Result<T, DomainError> {
    let CustomerChange { principal, customer: identifier, action, if_match, subject, requires, related } = request;
    let (subject, related, if_match) = (&subject, &related, &if_match);
    let load = move || async move {
        let target = match subject {
            Subject::Member(user) => Some(user),
            _ => None,
        };
        let users: Vec<&UserId> = std::iter::once(&principal.user_id).chain(target).collect();
        let (customer, members, found) = store
            .customer_with(identifier, &users, related)
            .await?
            .ok_or_else(|| Refusal::CustomerNotFound(identifier.clone()))?;
        let caller = members.iter().find(|member| member.user_id == principal.user_id);
        let role = authorize_on(principal, action, &customer, caller.map(|member| member.role))?;
        let granted_by = caller.filter(|caller| role == caller.role.into()).cloned();
        let mut version = None;
        if *subject == Subject::Customer {
            version = Some(customer.version);
            // A stale version is told before the status: the client's picture is out of date.
            if !if_match.matches(customer.version) {
                return Ok(Loaded { state: None, version, changes: store.changes() });
            }
        }
        let status = customer.status;
        let not_active = || Refusal::CustomerNotActive { customer: identifier.clone(), status };
        let mut changes = store.changes();
        match requires {
            Requires::Writable if action.allowed_before_activation() => {}
            Requires::Writable if status.accepts_writes() => changes.require_status(identifier, &WRITABLE)?,
            Requires::Writable => return Err(not_active().into()),
            Requires::Active | Requires::Receiving if status == CustomerStatus::Active => {
                changes.require_status(identifier, &[CustomerStatus::Active])?;
            }
            Requires::Active if status == CustomerStatus::Disabled => {
                return Err(Refusal::CustomerDisabled(identifier.clone()).into());
            }
            Requires::Active | Requires::Receiving => return Err(not_active().into()),
        }
        let member = match subject {
            Subject::Member(user) => {
                let member = members.iter().find(|member| &member.user_id == user).cloned();
                let member = member
                    .ok_or_else(|| Refusal::MemberNotFound { customer: identifier.clone(), user: user.clone() })?;
                version = Some(member.version);
                Some(member)
            }
            _ => None,
        };
        if *subject == Subject::Related {
            version = Some(related_version(identifier, related, &found)?);
        }
        let now = Utc::now();
        let actor = Actor::new(principal, role);
        let state = OnCustomer { customer, role, now, member, related: found, actor, granted_by };
        Ok(Loaded { state: Some(state), version, changes })
    };
    change(store, if_match, Some(identifier), load, |state, changes| {
        let state = state.as_ref().expect("a load without state has a stale version, refused before deciding");
        let outcome = decide(state, changes)?;
        if let (Outcome::Write(_), Some(caller)) = (&outcome, &state.granted_by) {
            // First in the transaction: DynamoDB names the first failed condition, so a caller
            // who lost the role meanwhile is told that on the next load, not what it hid.
            let own = Key::member(identifier, &caller.user_id);
            if !changes.writes_to(&own) {
                changes.require_role_first(identifier, &caller.user_id, caller.role, Utc::now())?;
            }
        }
        Ok(outcome)
    })
    .await
}

/// The version of the one related item `asked` names ([`Subject::Related`]), or the refusal
/// for an item that does not exist.
fn related_version(customer: &CustomerIdentifier, asked: &Related, found: &RelatedItems) -> Result<u64, DomainError> {
    let customer = customer.clone();
    let version = match (asked.invitation, asked.service_user, asked.project) {
        (Some(invitation), None, None) => found
            .invitation
            .as_ref()
            .map(|found| found.version)
            .ok_or(Refusal::InvitationNotFound { customer, invitation }),
        (None, Some(service_user), None) => found
            .service_user
            .as_ref()
            .map(|found| found.version)
            .ok_or(Refusal::ServiceUserNotFound { customer, service_user }),
        (None, None, Some(project)) => found
            .project
            .as_ref()
            .map(|found| found.version)
            .ok_or_else(|| Refusal::ProjectNotFound { customer, project: project.clone() }),
        _ => return Err(StoreError::Invariant("a change of a related item reads exactly one").into()),
    };
    Ok(version?)
}
