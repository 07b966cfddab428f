//! A caller's access to one customer: load it with the caller's membership (and what the action
//! needs with it) and decide the action; the one way a customer item is changed
//! ([`change_customer`]), the one way a tag definition is ([`change_tag_definition`]), the one
//! way a membership is changed or removed ([`change_membership`]), and the one way an invitation
//! is resent or cancelled ([`change_invitation`]).

use chrono::{DateTime, Utc};
use std::time::Duration;

use crate::authorization::{Action, CustomerRelation, Denial, Role, authorize};
use crate::domain::{
    Customer, CustomerIdentifier, CustomerRole, CustomerStatus, GeneratedId, Invitation, InvitationStatus, Membership,
    TagCatalog, TagDefinition, TagKey, UserId,
};
use crate::events::{Actor, DomainEvent, EventPayload, TagDefinitionUpdated, UserInvitationCancelled, UserInvited};
use crate::http::{ApiError, IfMatch};
use crate::principal::Principal;
use crate::store::{Conflict, PendingCustomer, Related, RelatedItems, Store, StoreError};

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
    let (customer, role, _) = customer_access_with(store, principal, identifier, action, &Related::default()).await?;
    Ok((customer, role))
}

/// [`customer_access`], reading in the same round trip what `related` names (a project, a
/// service user, tag definitions).
pub async fn customer_access_with(
    store: &Store,
    principal: &Principal,
    identifier: &CustomerIdentifier,
    action: Action,
    related: &Related<'_>,
) -> Result<(Customer, Role, RelatedItems), ApiError> {
    let (customer, membership, items) = store
        .customer_membership_and(identifier, &principal.user_id, related)
        .await?
        .ok_or_else(|| ApiError::not_found_customer(identifier.as_str()))?;
    let role = authorize_on(principal, action, &customer, membership)?;
    Ok((customer, role, items))
}

/// The answer to a write whose condition on the caller's membership failed
/// ([`Conflict::AccessChanged`]): decided on the caller's access as it is now, so it is the
/// refusal a new request would get (403, or 404 for a customer the caller may not know of); a
/// caller allowed again by now gets 409 `concurrent-modification`.
pub async fn access_refusal(
    store: &Store,
    principal: &Principal,
    identifier: &CustomerIdentifier,
    action: Action,
) -> ApiError {
    match customer_access(store, principal, identifier, action).await {
        Ok(_) => ApiError::concurrent_modification(),
        Err(refusal) => refusal,
    }
}

/// Decides `action` on `customer` for a caller who holds `membership` there: the role the caller
/// acts in, or the refusal (a customer the caller may not know of reads as one that does not
/// exist).
pub fn authorize_on(
    principal: &Principal,
    action: Action,
    customer: &Customer,
    membership: Option<CustomerRole>,
) -> Result<Role, ApiError> {
    let relation = CustomerRelation { managing_partner_id: &customer.managing_partner_id, membership };
    match authorize(principal, action, Some(&relation)) {
        Ok(role) => Ok(role),
        Err(Denial::NotFound) => Err(ApiError::not_found_customer(customer.identifier.as_str())),
        Err(denial) => Err(denial.into()),
    }
}

/// What only an ACTIVE customer does: make projects, tenants and service users, and open tenant
/// access. A DISABLED one is 403 `customer-disabled` (what it has stays readable), one not yet
/// ACTIVE 409 `customer-not-active`.
pub fn require_active(customer: &Customer) -> Result<(), ApiError> {
    match customer.status {
        CustomerStatus::Active => Ok(()),
        CustomerStatus::Disabled => Err(ApiError::customer_disabled(customer.identifier.as_str())),
        status => Err(ApiError::customer_not_active(customer.identifier.as_str(), status.as_str())),
    }
}

/// What a change decided, given the customer as it is stored now.
pub enum Decision {
    /// Write `customer` (a changed copy of what was read) with these events.
    Change { customer: Customer, events: Vec<EventPayload> },
    /// Nothing to write: the customer already is as asked.
    Unchanged,
}

/// What a change knows when it decides, besides the customer as stored.
pub struct ChangeContext {
    /// The role the caller acts in.
    pub role: Role,
    pub now: DateTime<Utc>,
    /// The definitions of the tag keys the change asked for (see [`change_customer_with_context`]).
    pub tags: TagCatalog,
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
    change_customer_with_context(store, principal, identifier, action, if_match, &[], |customer, context| {
        decide(customer, context.now)
    })
    .await
}

/// [`change_customer`] for a decision that needs more than the customer: the caller's role, and
/// the definitions of `tags`, read in the same round trip as the customer (and again with it).
pub async fn change_customer_with_context(
    store: &Store,
    principal: &Principal,
    identifier: &CustomerIdentifier,
    action: Action,
    if_match: &IfMatch,
    tags: &[TagKey],
    mut decide: impl FnMut(&Customer, &ChangeContext) -> Result<Decision, ApiError>,
) -> Result<Customer, ApiError> {
    for attempt in 1..=CHANGE_ATTEMPTS {
        let related = Related { tags, ..Related::default() };
        let (customer, role, related) = customer_access_with(store, principal, identifier, action, &related).await?;
        if !if_match.matches(customer.version) {
            return Err(precondition_failed(Some(customer.version)));
        }
        if !customer.status.accepts_writes() && !action.allowed_before_activation() {
            return Err(ApiError::customer_not_active(identifier.as_str(), customer.status.as_str()));
        }
        let context = ChangeContext { role, now: Utc::now(), tags: related.catalog };
        let (mut after, payloads) = match decide(&customer, &context)? {
            Decision::Unchanged => return Ok(customer),
            Decision::Change { customer: after, events } => (after, events),
        };
        after.version = customer.version + 1;
        let actor = Actor::new(principal, role);
        let events = payloads
            .into_iter()
            .map(|payload| DomainEvent::new(identifier, actor.clone(), context.now, payload))
            .collect();
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

/// What a change of a tag definition decided, given the definition as stored now.
pub enum DefinitionDecision {
    /// Replace it by this (a changed copy of what was read; its version is set on writing).
    Replace(TagDefinition),
    /// Delete it and retire its key.
    Retire,
    /// Nothing to write: it already is as asked.
    Unchanged,
}

/// The one way a tag definition is changed: read it (one round trip; a key not in use is 404),
/// let `decide` say what becomes of it, and write that with its event (TAG_DEFINITION_UPDATED or
/// TAG_DEFINITION_DELETED) in one transaction conditioned on the version read. `If-Match` and
/// concurrent writes are handled as in [`change_customer`]. Returns the definition as stored
/// afterwards, `None` once retired.
pub async fn change_tag_definition(
    store: &Store,
    actor: &Actor,
    key: &TagKey,
    if_match: &IfMatch,
    mut decide: impl FnMut(&TagDefinition) -> Result<DefinitionDecision, ApiError>,
) -> Result<Option<TagDefinition>, ApiError> {
    for attempt in 1..=CHANGE_ATTEMPTS {
        let before = store.tag_definition(key).await?.ok_or_else(|| ApiError::not_found_tag(key.as_str()))?;
        if !if_match.matches(before.version) {
            return Err(precondition_failed(Some(before.version)));
        }
        let now = Utc::now();
        let event = |payload| DomainEvent::installation(actor.clone(), now, payload);
        let (written, after) = match decide(&before)? {
            DefinitionDecision::Unchanged => return Ok(Some(before)),
            DefinitionDecision::Replace(mut after) => {
                after.version = before.version + 1;
                let payload = TagDefinitionUpdated { key: key.clone(), from: before.clone(), to: after.clone() };
                let written = store
                    .replace_tag_definition(&before, &after, event(EventPayload::TagDefinitionUpdated(payload)))
                    .await;
                (written, Some(after))
            }
            DefinitionDecision::Retire => {
                let payload = EventPayload::TagDefinitionDeleted(before.clone());
                (store.retire_tag_definition(&before, now, event(payload)).await, None)
            }
        };
        match written {
            Ok(()) => return Ok(after),
            Err(StoreError::Conflict(Conflict::VersionMismatch { current_version })) => {
                if if_match.is_conditional() {
                    return Err(precondition_failed(current_version));
                }
                tracing::info!(attempt, "the tag definition changed since it was read; reading it again");
                tokio::time::sleep(retry_pause(attempt)).await;
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err(ApiError::concurrent_modification())
}

/// What a membership change decided, given the member as it is stored now.
pub enum MemberDecision {
    /// Write the member as `member` (a changed copy of what was read) with this event.
    Change { member: Membership, event: EventPayload },
    /// Remove the member, with this event.
    Remove { event: EventPayload },
    /// Nothing to write: the member already is as asked.
    Unchanged,
}

/// The one way a membership is changed or removed: read the customer with the caller's and the
/// `target`'s memberships (one BatchGetItem), authorize `action`, let `decide` work on the target
/// as stored, and write the result with its event in one transaction (the second round trip).
/// The transaction holds only if the target's version is still the one read, the caller still
/// has the membership role that authorized the change (unless the caller is the target), and,
/// when a CUSTOMER_ADMIN is taken away, another one remains (the customer's `adminCount`; else
/// 409 `last-admin`).
///
/// With `If-Match`, a member version other than the stored one is 412 with the current `ETag`.
/// Without it, a concurrent change of what was read makes the change read, authorize and
/// decide again. The customer must take writes (ACTIVE or DISABLED); an unknown member is 404.
///
/// Returns the member as the change left it (a removed one as it was when removed).
pub async fn change_membership(
    store: &Store,
    principal: &Principal,
    identifier: &CustomerIdentifier,
    target: &UserId,
    action: Action,
    if_match: &IfMatch,
    mut decide: impl FnMut(&Membership) -> Result<MemberDecision, ApiError>,
) -> Result<Membership, ApiError> {
    let not_found = || ApiError::not_found_customer(identifier.as_str());
    for attempt in 1..=CHANGE_ATTEMPTS {
        let (customer, members) =
            store.customer_with_members(identifier, &[&principal.user_id, target]).await?.ok_or_else(not_found)?;
        let caller = members.iter().find(|member| member.user_id == principal.user_id);
        let role = authorize_on(principal, action, &customer, caller.map(|member| member.role))?;
        if !customer.status.accepts_writes() {
            return Err(ApiError::customer_not_active(identifier.as_str(), customer.status.as_str()));
        }
        let before = members.iter().find(|member| &member.user_id == target).ok_or_else(|| {
            ApiError::NotFound(format!(
                "user {:?} is not a member of customer {:?}",
                target.as_str(),
                identifier.as_str()
            ))
        })?;
        if !if_match.matches(before.version) {
            return Err(precondition_failed(Some(before.version)));
        }

        let mut changes = store.changes();
        // Allowed through the caller's own membership: it must still hold when the change lands.
        // First in the transaction, because DynamoDB's answer names the first failed condition: a
        // caller who lost the role meanwhile is then told so on the re-read (not `last-admin`).
        if let Some(caller) = caller.filter(|caller| &caller.user_id != target && role == caller.role.into()) {
            changes.require_role(identifier, &caller.user_id, caller.role)?;
        }
        let (after, payload) = match decide(before)? {
            MemberDecision::Unchanged => return Ok(before.clone()),
            MemberDecision::Change { mut member, event } => {
                member.version = before.version + 1;
                changes.change_member(before, &member)?;
                (member, event)
            }
            MemberDecision::Remove { event } => {
                changes.remove_member(before)?;
                (before.clone(), event)
            }
        };
        changes.record(DomainEvent::new(identifier, Actor::new(principal, role), Utc::now(), payload));
        match store.commit(changes).await {
            Ok(()) => return Ok(after),
            Err(StoreError::Conflict(Conflict::VersionMismatch { current_version })) if if_match.is_conditional() => {
                return Err(precondition_failed(current_version));
            }
            Err(StoreError::Conflict(Conflict::VersionMismatch { .. } | Conflict::AccessChanged)) => {
                tracing::info!(attempt, "the member or the caller changed since they were read; reading again");
                tokio::time::sleep(retry_pause(attempt)).await;
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err(ApiError::concurrent_modification())
}

/// A change of an invitation: what `PUT …/resend` and `DELETE …/invitations/{invitationId}` do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationChange {
    /// A new link and mail, valid for `ttl` from now (USER_INVITED); a pending or expired
    /// invitation only, whose lock counts among at most `max_pending` (an expired one's may have
    /// been freed).
    Resend { ttl: chrono::Duration, max_pending: u32 },
    /// Its link dead, its address free (USER_INVITATION_CANCELLED); a pending invitation only.
    Cancel,
}

/// The one way an invitation is changed: read the customer with the caller's membership and the
/// invitation (one BatchGetItem), authorize, check the invitation's status, and write the change
/// with its event in one transaction (the second round trip) on the invitation's version and on
/// the caller still having the membership role that authorized it.
///
/// `If-Match` compares the invitation's version (412 with the current `ETag`). Without it, a
/// concurrent change makes the change read and decide again. The customer must take writes;
/// an unknown invitation is 404.
///
/// Returns the invitation as the change left it.
pub async fn change_invitation(
    store: &Store,
    principal: &Principal,
    identifier: &CustomerIdentifier,
    invitation: GeneratedId,
    change: InvitationChange,
    if_match: &IfMatch,
) -> Result<Invitation, ApiError> {
    let not_found = || ApiError::not_found_customer(identifier.as_str());
    let action = match change {
        InvitationChange::Resend { .. } => Action::ResendInvitation,
        InvitationChange::Cancel => Action::CancelInvitation,
    };
    let mut freed_expired = false;
    for attempt in 1..=CHANGE_ATTEMPTS {
        let (customer, caller, before) = store
            .customer_membership_and_invitation(identifier, &principal.user_id, invitation)
            .await?
            .ok_or_else(not_found)?;
        let relation = CustomerRelation {
            managing_partner_id: &customer.managing_partner_id,
            membership: caller.as_ref().map(|member| member.role),
        };
        let role = match authorize(principal, action, Some(&relation)) {
            Ok(role) => role,
            Err(Denial::NotFound) => return Err(not_found()),
            Err(denial) => return Err(denial.into()),
        };
        if !customer.status.accepts_writes() {
            return Err(ApiError::customer_not_active(identifier.as_str(), customer.status.as_str()));
        }
        let before =
            before.ok_or_else(|| ApiError::not_found_invitation(identifier.as_str(), &invitation.to_string()))?;
        if !if_match.matches(before.version) {
            return Err(precondition_failed(Some(before.version)));
        }

        let now = Utc::now();
        let mut changes = store.changes();
        if let Some(caller) = caller.filter(|caller| role == caller.role.into()) {
            changes.require_role(identifier, &caller.user_id, caller.role)?;
        }
        let (after, payload) = match (change, before.status_at(now)) {
            (InvitationChange::Resend { ttl, max_pending }, InvitationStatus::Pending | InvitationStatus::Expired) => {
                let after = before.resent(now, ttl);
                changes.resend_invitation(&before, &after, now, max_pending)?;
                let payload = EventPayload::UserInvited(UserInvited::new(&after, customer.display_name.as_str()));
                (after, payload)
            }
            (InvitationChange::Resend { .. }, status) => {
                return Err(ApiError::invitation_not_pending("an accepted or cancelled one is not sent again", status));
            }
            (InvitationChange::Cancel, InvitationStatus::Pending) => {
                let after = before.cancelled(&principal.user_id, now);
                changes.cancel_invitation(&before, &after)?;
                let payload = EventPayload::UserInvitationCancelled(UserInvitationCancelled {
                    invitation_id: before.id,
                    email: before.email.clone(),
                });
                (after, payload)
            }
            (InvitationChange::Cancel, status) => {
                return Err(ApiError::invitation_not_pending("only a pending invitation can be cancelled", status));
            }
        };
        changes.record(DomainEvent::new(identifier, Actor::new(principal, role), now, payload));
        match store.commit(changes).await {
            Ok(()) => return Ok(after),
            Err(StoreError::Conflict(Conflict::VersionMismatch { current_version })) if if_match.is_conditional() => {
                return Err(precondition_failed(current_version));
            }
            Err(StoreError::Conflict(
                Conflict::VersionMismatch { .. } | Conflict::AccessChanged | Conflict::InvitationChanged,
            )) => {
                tracing::info!(attempt, "the invitation or the caller changed since they were read; reading again");
                tokio::time::sleep(retry_pause(attempt)).await;
            }
            // A resend whose lock was freed, at the cap: free the expired locks, then once more.
            Err(StoreError::Conflict(Conflict::TooManyInvitations(max))) if !freed_expired => {
                freed_expired = true;
                if store.free_expired_invitation_locks(identifier, now).await? == 0 {
                    return Err(Conflict::TooManyInvitations(max).into());
                }
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err(ApiError::concurrent_modification())
}

fn precondition_failed(current_version: Option<u64>) -> ApiError {
    ApiError::from(Conflict::VersionMismatch { current_version })
}

/// The one way a pending self-registration is removed (declined by an admin-area user, or
/// expired): read the customer's partition (one round trip), let `decide` authorize and build
/// the CUSTOMER_REJECTED event from what is stored (refusing a customer that is not
/// PENDING_APPROVAL), and remove the partition with the event in one transaction (the second).
/// A change between the read and the write makes it read and decide again; with `If-Match`, a
/// version other than the stored one is 412.
pub async fn remove_registration(
    store: &Store,
    identifier: &CustomerIdentifier,
    if_match: &IfMatch,
    mut decide: impl FnMut(&PendingCustomer) -> Result<DomainEvent, ApiError>,
) -> Result<(), ApiError> {
    for attempt in 1..=CHANGE_ATTEMPTS {
        let pending = store
            .pending_customer(identifier)
            .await?
            .ok_or_else(|| ApiError::not_found_customer(identifier.as_str()))?;
        let event = decide(&pending)?;
        if !if_match.matches(pending.customer.version) {
            return Err(precondition_failed(Some(pending.customer.version)));
        }
        if pending.customer.status != CustomerStatus::PendingApproval {
            return Err(ApiError::customer_not_pending(identifier.as_str(), pending.customer.status.as_str()));
        }
        match store.remove_pending_customer(&pending, event).await {
            Ok(()) => return Ok(()),
            Err(StoreError::Conflict(Conflict::VersionMismatch { current_version })) if if_match.is_conditional() => {
                return Err(precondition_failed(current_version));
            }
            Err(StoreError::Conflict(Conflict::VersionMismatch { .. } | Conflict::PendingCustomerChanged)) => {
                tracing::info!(attempt, "the pending customer changed since it was read; reading it again");
                tokio::time::sleep(retry_pause(attempt)).await;
            }
            Err(error) => return Err(error.into()),
        }
    }
    Err(ApiError::concurrent_modification())
}

/// A few milliseconds, growing, with jitter so that writers that collided spread out.
fn retry_pause(attempt: u32) -> Duration {
    let jitter = u64::from(Utc::now().timestamp_subsec_nanos() % 5_000) / 1_000;
    Duration::from_millis(u64::from(attempt.min(10)) * 2 + jitter)
}
