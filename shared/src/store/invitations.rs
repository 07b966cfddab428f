//! Invitations: made, resent, cancelled and accepted inside a change (each keeping the address's
//! one-pending-invitation lock), their links made by the email sender and found by hash, and a
//! customer's invitations listed.
//!
//! The lock (`INVITATION_EMAIL#<email>`) names the invitation pending for the address and its
//! expiry: a new invitation takes it only while it is free or its invitation has expired, so an
//! expired invitation's address can be invited again, while a cancellation or an acceptance
//! deletes it. An invitation item names its current link (`linkHash`); every write of the whole
//! invitation (resend, cancellation) drops it, and the email sender sets it only while the
//! invitation still has the version its USER_INVITED names, so at most one link is ever live.
//!
//! The cap on pending invitations (`MAX_PENDING_INVITATIONS`) is held against the customer's
//! invitation-addresses item: the set of the addresses whose lock is held. Every write of a lock
//! `ADD`s its address in the same transaction, on condition that the set is smaller than the cap
//! or has the address already (a resend, a takeover); every deletion of a lock `DELETE`s it.
//! Set operations are idempotent, so the set is exact whatever the interleaving, and a lock
//! written before the set existed (not in it) is simply not counted until its address is
//! invited or resent again. Expired invitations keep their lock (and place) until a refusal for
//! the cap frees the expired locks ([`Store::free_expired_invitation_locks`]).

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::Duration;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::email_confirmations::LinkStart;
use super::items;
use super::keys::{self, INVITATION_EMAIL_PREFIX, INVITATION_PREFIX, Key, customer_pk, entity};
use super::members::USER_IDS;
use super::pagination::{ListQuery, Page, PageQuery};
use super::transaction::MAX_TRANSACTION_ITEMS;
use super::{Changes, Conflict, Expression, Store, StoreError};
use crate::domain::{
    CustomerIdentifier, EmailAddress, GeneratedId, Invitation, InvitationLink, InvitationStatus, Membership, TokenHash,
};
use crate::events::rfc3339_millis;

/// This entity's keys.
impl Key {
    pub fn invitation(customer: &CustomerIdentifier, invitation: GeneratedId) -> Self {
        Self { pk: customer_pk(customer), sk: format!("{INVITATION_PREFIX}{invitation}") }
    }

    /// Names the invitation pending for the address until it expires: one pending invitation per
    /// address.
    pub fn invitation_email(customer: &CustomerIdentifier, email: &EmailAddress) -> Self {
        Self { pk: customer_pk(customer), sk: format!("{INVITATION_EMAIL_PREFIX}{email}") }
    }

    /// The addresses whose `INVITATION_EMAIL#` lock is held, as a set: its size is what the cap
    /// on pending invitations (`MAX_PENDING_INVITATIONS`) is held against.
    pub fn invitation_addresses(customer: &CustomerIdentifier) -> Self {
        Self { pk: customer_pk(customer), sk: "INVITATION_ADDRESSES".to_owned() }
    }

    /// An invitation link, known only by its token's hash.
    pub fn invitation_link(hash: &TokenHash) -> Self {
        Self { pk: format!("INVITATION_LINK#{hash}"), sk: "INVITATION_LINK".to_owned() }
    }
}

/// The attribute of an invitation item that names its current link (the token's hash); not part
/// of the invitation resource.
pub const LINK_HASH: &str = "linkHash";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    /// Set by the email sender when it mails a link; a whole-item write of the invitation (a
    /// resend, a cancellation) drops it, so no link of an earlier version works any more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_hash: Option<TokenHash>,
    #[serde(flatten)]
    pub invitation: Invitation,
}

impl From<&Invitation> for InvitationItem {
    fn from(invitation: &Invitation) -> Self {
        Self {
            key: Key::invitation(&invitation.customer_id, invitation.id),
            entity: entity::INVITATION.to_owned(),
            link_hash: None,
            invitation: invitation.clone(),
        }
    }
}

/// Names the invitation pending for this address until its expiry: one pending invitation per
/// address. A new invitation may take it over once `expiresAt` has passed.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationEmailItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    pub invitation_id: String,
    #[serde(with = "crate::events::rfc3339_millis")]
    pub expires_at: DateTime<Utc>,
}

impl From<&Invitation> for InvitationEmailItem {
    fn from(invitation: &Invitation) -> Self {
        Self {
            key: Key::invitation_email(&invitation.customer_id, &invitation.email),
            entity: entity::INVITATION_EMAIL.to_owned(),
            invitation_id: invitation.id.to_string(),
            expires_at: invitation.expires_at,
        }
    }
}

/// The attribute of a customer's invitation-addresses item: the string set of the addresses
/// whose invitation lock is held (see [`Key::invitation_addresses`]).
pub const ADDRESSES: &str = "addresses";

/// The invitation-addresses item as a creation with invitations writes it; later invitations
/// `ADD` to the set and whatever frees a lock `DELETE`s from it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationAddressesItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    #[serde(with = "serde_dynamo::string_set")]
    pub addresses: Vec<String>,
}

impl InvitationAddressesItem {
    /// The item of `invitations` (of one customer, to distinct addresses); `None` without any.
    pub fn of(invitations: &[Invitation]) -> Option<Self> {
        let first = invitations.first()?;
        Some(Self {
            key: Key::invitation_addresses(&first.customer_id),
            entity: entity::INVITATION_ADDRESSES.to_owned(),
            addresses: invitations.iter().map(|invitation| invitation.email.to_string()).collect(),
        })
    }
}

/// How long an invitation link's record outlives its expiry: meanwhile a late click is told
/// why the link no longer works (410) rather than that it is unknown (404).
const INVITATION_LINK_KEPT: Duration = Duration::days(30);

/// An invitation link's record, keyed by its token's hash (never the token).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationLinkItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    pub ttl: i64,
    #[serde(flatten)]
    pub link: InvitationLink,
}

impl From<&InvitationLink> for InvitationLinkItem {
    fn from(link: &InvitationLink) -> Self {
        Self {
            key: Key::invitation_link(&link.token_hash),
            entity: entity::INVITATION_LINK.to_owned(),
            ttl: (link.expires_at + INVITATION_LINK_KEPT).timestamp(),
            link: link.clone(),
        }
    }
}

fn text(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn status(status: InvitationStatus) -> AttributeValue {
    text(status.as_str())
}

fn instant(at: DateTime<Utc>) -> AttributeValue {
    text(rfc3339_millis::format(&at))
}

impl Changes {
    /// A new invitation: its item, the address's lock (free, or held by an expired invitation;
    /// else [`Conflict::InvitationPending`]) counted among at most `max_pending` held locks (else
    /// [`Conflict::TooManyInvitations`]), and the condition that no member has the address
    /// ([`Conflict::AddressIsMember`]).
    pub fn invite(&mut self, invitation: &Invitation, now: DateTime<Utc>, max_pending: u32) -> Result<(), StoreError> {
        self.insert(&InvitationItem::from(invitation), Conflict::Inconsistent("an invitation id was used twice"))?;
        self.lock_address(invitation, None, now)?;
        self.count_address(invitation, max_pending)?;
        self.require_no_member_with(invitation)
    }

    /// `after` (sent again: a new version and expiry) over `before`, if its version is still
    /// `before.version`: its link dropped, the lock renewed (unless another invitation for the
    /// address has taken it since this one expired), and still no member with the address.
    /// The lock is counted as in [`Changes::invite`] (it may have been freed since it expired).
    pub fn resend_invitation(
        &mut self,
        before: &Invitation,
        after: &Invitation,
        now: DateTime<Utc>,
        max_pending: u32,
    ) -> Result<(), StoreError> {
        self.replace_invitation(before, after)?;
        self.lock_address(after, Some(after.id), now)?;
        self.count_address(after, max_pending)?;
        self.require_no_member_with(after)
    }

    /// `after` (cancelled) over `before`, if its version is still `before.version`: its link
    /// dropped and its address free again.
    pub fn cancel_invitation(&mut self, before: &Invitation, after: &Invitation) -> Result<(), StoreError> {
        self.replace_invitation(before, after)?;
        self.delete(
            Key::invitation_email(&before.customer_id, &before.email),
            Expression::new("invitationId = :invitationId").value(":invitationId", text(before.id.to_string())),
            Conflict::InvitationChanged,
        )?;
        self.uncount_addresses(&before.customer_id, &[&before.email])
    }

    /// `member` joins through `link`: the invitation ACCEPTED (a new version, its link dropped) if
    /// it is still pending and unexpired at the link's version with this link as its current one,
    /// and its address's lock released (else [`Conflict::InvitationLinkDead`] for both); then
    /// [`Changes::add_member`].
    pub fn accept_invitation(
        &mut self,
        link: &InvitationLink,
        member: &Membership,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let update = Expression::new(
            "SET #status = :accepted, acceptedBy = :user, acceptedAt = :at, #version = #version + :one \
             REMOVE #linkHash",
        )
        .name("#status", "status")
        .name("#version", "version")
        .name("#linkHash", LINK_HASH)
        .value(":accepted", status(InvitationStatus::Accepted))
        .value(":user", text(member.user_id.to_string()))
        .value(":at", serde_dynamo::to_attribute_value(now)?)
        .value(":one", AttributeValue::N("1".to_owned()));
        let usable = Expression::new(
            "#status = :pending AND #version = :linkVersion AND #linkHash = :hash AND expiresAt > :now",
        )
        .value(":pending", status(InvitationStatus::Pending))
        .value(":linkVersion", AttributeValue::N(link.version.to_string()))
        .value(":hash", text(link.token_hash.to_string()))
        .value(":now", instant(now));
        let key = Key::invitation(&link.customer_id, link.invitation_id);
        self.update(key, update, usable, Conflict::InvitationLinkDead)?;
        self.delete(
            Key::invitation_email(&link.customer_id, &link.email),
            Expression::new("invitationId = :invitationId")
                .value(":invitationId", text(link.invitation_id.to_string())),
            Conflict::InvitationLinkDead,
        )?;
        self.uncount_addresses(&link.customer_id, &[&link.email])?;
        self.add_member(member)
    }

    /// The whole invitation as `after` (which drops its link), on `before`'s version.
    fn replace_invitation(&mut self, before: &Invitation, after: &Invitation) -> Result<(), StoreError> {
        if after.id != before.id
            || after.customer_id != before.customer_id
            || after.email != before.email
            || after.version != before.version + 1
        {
            return Err(StoreError::Invariant("an invitation change moves it or skips a version"));
        }
        let version_read = Conflict::VersionMismatch { current_version: None };
        self.put(&InvitationItem::from(after), Expression::version_is(before.version), version_read)
    }

    /// The address's lock for `invitation`, if free, held by `own` or held by an invitation that
    /// has expired by `now`.
    fn lock_address(
        &mut self,
        invitation: &Invitation,
        own: Option<GeneratedId>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut free = Expression::new("attribute_not_exists(pk) OR expiresAt <= :now").value(":now", instant(now));
        if let Some(own) = own {
            free = free
                .with_text("attribute_not_exists(pk) OR expiresAt <= :now OR invitationId = :own")
                .value(":own", text(own.to_string()));
        }
        self.put(&InvitationEmailItem::from(invitation), free, Conflict::InvitationPending(invitation.email.clone()))
    }

    /// The invitation's address among the customer's held locks: added if the set has fewer
    /// than `max_pending` or has it already (else [`Conflict::TooManyInvitations`]).
    fn count_address(&mut self, invitation: &Invitation, max_pending: u32) -> Result<(), StoreError> {
        let address = invitation.email.to_string();
        let update = Expression::new("SET entity = :entity ADD #addresses :address")
            .name("#addresses", ADDRESSES)
            .value(":entity", text(entity::INVITATION_ADDRESSES))
            .value(":address", AttributeValue::Ss(vec![address.clone()]));
        let room = Expression::new(
            "attribute_not_exists(#addresses) OR size(#addresses) < :max OR contains(#addresses, :email)",
        )
        .value(":max", AttributeValue::N(max_pending.to_string()))
        .value(":email", text(address));
        let too_many = Conflict::TooManyInvitations(max_pending);
        self.update(Key::invitation_addresses(&invitation.customer_id), update, room, too_many)
    }

    /// The addresses' locks are gone: they no longer count (an address not in the set, whose
    /// lock predates it, changes nothing).
    fn uncount_addresses(&mut self, customer: &CustomerIdentifier, emails: &[&EmailAddress]) -> Result<(), StoreError> {
        let update = Expression::new("SET entity = :entity DELETE #addresses :addresses")
            .name("#addresses", ADDRESSES)
            .value(":entity", text(entity::INVITATION_ADDRESSES))
            .value(":addresses", AttributeValue::Ss(emails.iter().map(|email| email.to_string()).collect()));
        let unconditional = Expression::always();
        self.update(Key::invitation_addresses(customer), update, unconditional, Conflict::Inconsistent("no condition"))
    }

    fn require_no_member_with(&mut self, invitation: &Invitation) -> Result<(), StoreError> {
        self.check(
            Key::member_email(&invitation.customer_id, &invitation.email),
            Expression::new("attribute_not_exists(#userIds)").name("#userIds", USER_IDS),
            Conflict::AddressIsMember(invitation.email.clone()),
        )
    }
}

/// The most expired locks one freeing deletes (one transaction, with the addresses' set).
const MAX_FREED_PER_TRANSACTION: usize = MAX_TRANSACTION_ITEMS - 1;
/// Times a freeing reads the locks again when an invitation took one over meanwhile.
const FREEING_ATTEMPTS: u32 = 3;

impl Store {
    /// Frees the locks of the customer's expired invitations, so that they no longer count
    /// against `MAX_PENDING_INVITATIONS` (the invitations themselves stay, EXPIRED, and can be
    /// resent): one consistent Query of the locks, then one transaction that deletes up to 99
    /// expired ones (each only while it still names the expired invitation read) and takes
    /// their addresses out of the set. No event: nothing anyone sees changes. Returns how many
    /// were freed. Taken only when a write was refused for the cap.
    #[tracing::instrument(skip_all, fields(%customer))]
    pub async fn free_expired_invitation_locks(
        &self,
        customer: &CustomerIdentifier,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        for attempt in 1..=FREEING_ATTEMPTS {
            let locks = self.query_all(keys::customer_pk(customer), INVITATION_EMAIL_PREFIX).await?;
            let mut expired = Vec::new();
            for item in locks {
                let lock = serde_dynamo::from_item::<_, InvitationEmailItem>(item)?;
                if lock.expires_at <= now && expired.len() < MAX_FREED_PER_TRANSACTION {
                    expired.push(lock);
                }
            }
            if expired.is_empty() {
                return Ok(0);
            }
            let mut changes = self.changes();
            let mut emails = Vec::new();
            for lock in &expired {
                let email = lock.key.sk.strip_prefix(INVITATION_EMAIL_PREFIX).and_then(|e| EmailAddress::parse(e).ok());
                emails.push(email.ok_or(StoreError::Invariant("a lock's key names no address"))?);
                let still_expired = Expression::new("invitationId = :invitationId AND expiresAt <= :now")
                    .value(":invitationId", text(lock.invitation_id.clone()))
                    .value(":now", instant(now));
                changes.delete(lock.key.clone(), still_expired, Conflict::InvitationChanged)?;
            }
            changes.uncount_addresses(customer, &emails.iter().collect::<Vec<_>>())?;
            match self.commit_unrecorded(changes).await {
                Ok(()) => return Ok(expired.len()),
                Err(StoreError::Conflict(Conflict::InvitationChanged)) => {
                    tracing::info!(attempt, "an expired lock was taken over meanwhile; reading the locks again");
                }
                Err(error) => return Err(error),
            }
        }
        Ok(0)
    }

    /// Stores a new link, then makes it the invitation's current one if the invitation is still
    /// pending, unexpired and at the link's version (no resend, cancellation or acceptance since
    /// the mail was asked for). A link stored without becoming current can never accept.
    #[tracing::instrument(skip_all, fields(customer = %link.customer_id, invitation = %link.invitation_id))]
    pub async fn start_invitation_link(&self, link: &InvitationLink) -> Result<LinkStart, StoreError> {
        let item = items::to_item(InvitationLinkItem::from(link))?;
        let current = Expression::new("SET #linkHash = :hash")
            .name("#linkHash", LINK_HASH)
            .value(":hash", text(link.token_hash.to_string()));
        let usable = Expression::new("#status = :pending AND #version = :version AND expiresAt > :now")
            .name("#status", "status")
            .name("#version", "version")
            .value(":pending", status(InvitationStatus::Pending))
            .value(":version", AttributeValue::N(link.version.to_string()))
            .value(":now", instant(Utc::now()));
        let owner = Key::invitation(&link.customer_id, link.invitation_id);
        let started = self.start_link(item, owner, current, usable).await?;
        Ok(if started { LinkStart::Started } else { LinkStart::InvitationChanged })
    }

    /// The invitation link whose token has this hash.
    #[tracing::instrument(skip_all)]
    pub async fn invitation_link(&self, hash: &TokenHash) -> Result<Option<InvitationLink>, StoreError> {
        let Some(item) = self.get_item(Key::invitation_link(hash)).await? else { return Ok(None) };
        Ok(Some(serde_dynamo::from_item::<_, InvitationLinkItem>(item)?.link))
    }

    /// The invitation, with the hash of its current link (if one is).
    #[tracing::instrument(skip_all, fields(%customer, %invitation))]
    pub async fn invitation(
        &self,
        customer: &CustomerIdentifier,
        invitation: GeneratedId,
    ) -> Result<Option<(Invitation, Option<TokenHash>)>, StoreError> {
        let Some(item) = self.get_item(Key::invitation(customer, invitation)).await? else { return Ok(None) };
        let item = serde_dynamo::from_item::<_, InvitationItem>(item)?;
        Ok(Some((item.invitation, item.link_hash)))
    }

    /// A customer's invitations, newest first (their ids are time-ordered): one Query of its
    /// `INVITATION#` items, as stored (a reader computes EXPIRED).
    #[tracing::instrument(skip_all, fields(%customer))]
    pub async fn list_invitations(
        &self,
        customer: &CustomerIdentifier,
        page: &PageQuery,
    ) -> Result<Page<Invitation>, StoreError> {
        let query = ListQuery {
            index: None,
            key_condition: "#partition = :partition AND begins_with(#sort, :invitations)",
            filter: None,
            names: vec![("#partition", "pk"), ("#sort", "sk")],
            values: vec![(":partition", keys::customer_pk(customer)), (":invitations", INVITATION_PREFIX.to_owned())],
            newest_first: true,
        };
        self.list_page(query, page)
            .await?
            .try_map(|item| serde_dynamo::from_item::<_, InvitationItem>(item).map(|item| item.invitation))
            .map_err(StoreError::from)
    }
}

/// Golden items: every attribute of each item kind, so a layout change is a deliberate one.
#[cfg(test)]
mod golden {
    use super::*;

    use crate::domain::*;

    use crate::store::items::golden::*;
    use serde_json::json;

    #[test]
    fn invitation_items() {
        let mut invitation = Invitation::new(
            acme(),
            EmailAddress::parse("jane@example.com").unwrap(),
            CustomerRole::CustomerEmployee,
            UserId::parse("u1").unwrap(),
            at(),
            Duration::hours(168),
        );
        invitation.id = GeneratedId::parse("019bc165-0000-7000-8000-000000000001").unwrap();
        let mut expected = json!({
            "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "INVITATION#019bc165-0000-7000-8000-000000000001"},
            "entity": {"S": "INVITATION"}, "id": {"S": "019bc165-0000-7000-8000-000000000001"},
            "customerId": {"S": "acme"}, "email": {"S": "jane@example.com"}, "role": {"S": "CUSTOMER_EMPLOYEE"},
            "status": {"S": "PENDING"}, "invitedBy": {"S": "u1"}, "createdAt": {"S": "2026-01-15T11:30:00Z"},
            "expiresAt": {"S": "2026-01-22T11:30:00.000Z"}, "version": {"N": "1"}
        });
        assert_eq!(stored(InvitationItem::from(&invitation)), expected);
        let cancelled = invitation.cancelled(&UserId::parse("u2").unwrap(), at());
        let mut item = InvitationItem::from(&cancelled);
        item.link_hash = Some(TokenHash::parse(&"a".repeat(64)).unwrap());
        for (name, value) in [
            ("status", json!({"S": "CANCELLED"})),
            ("version", json!({"N": "2"})),
            ("cancelledBy", json!({"S": "u2"})),
            ("cancelledAt", json!({"S": "2026-01-15T11:30:00Z"})),
            ("linkHash", json!({"S": "a".repeat(64)})),
        ] {
            expected[name] = value;
        }
        assert_eq!(stored(item), expected);
        assert_eq!(
            stored(InvitationEmailItem::from(&invitation)),
            json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "INVITATION_EMAIL#jane@example.com"},
                "entity": {"S": "INVITATION_EMAIL"}, "invitationId": {"S": "019bc165-0000-7000-8000-000000000001"},
                "expiresAt": {"S": "2026-01-22T11:30:00.000Z"}
            })
        );
        let hash = "0f007385b6f9d4b7eeb2748605afe1a984a0a3bfa3f014d09e2a784ce9e5cd1a";
        let link = InvitationLink {
            token_hash: TokenHash::parse(hash).unwrap(),
            customer_id: acme(),
            invitation_id: invitation.id,
            email: invitation.email.clone(),
            role: invitation.role,
            version: 1,
            created_at: at(),
            expires_at: invitation.expires_at,
            membership_expires_at: None,
            invited_by: Some(UserId::parse("u1").unwrap()),
        };
        assert_eq!(
            stored(InvitationLinkItem::from(&link)),
            json!({
                "pk": {"S": format!("INVITATION_LINK#{hash}")}, "sk": {"S": "INVITATION_LINK"},
                "entity": {"S": "INVITATION_LINK"},
                "ttl": {"N": (invitation.expires_at + INVITATION_LINK_KEPT).timestamp().to_string()},
                "tokenHash": {"S": hash}, "customerId": {"S": "acme"},
                "invitationId": {"S": "019bc165-0000-7000-8000-000000000001"}, "email": {"S": "jane@example.com"},
                "role": {"S": "CUSTOMER_EMPLOYEE"}, "version": {"N": "1"}, "createdAt": {"S": "2026-01-15T11:30:00Z"},
                "expiresAt": {"S": "2026-01-22T11:30:00.000Z"}, "invitedBy": {"S": "u1"}
            })
        );
    }
}
