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

use crate::sdk::SendBoxed;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::email_confirmations::LinkStart;
use super::items::{self, ADDRESSES, InvitationEmailItem, InvitationItem, InvitationLinkItem, LINK_HASH, USER_IDS};
use super::keys::{self, INVITATION_EMAIL_PREFIX, INVITATION_PREFIX, Key, entity};
use super::pagination::{ListQuery, Page, PageQuery};
use super::transaction::MAX_TRANSACTION_ITEMS;
use super::{Changes, Conflict, Expression, Store, StoreError};
use crate::domain::{
    CustomerIdentifier, EmailAddress, GeneratedId, Invitation, InvitationLink, InvitationStatus, Membership, TokenHash,
};
use crate::events::rfc3339_millis;

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
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(items::to_item(InvitationLinkItem::from(link))?))
            .condition_expression("attribute_not_exists(pk)")
            .send_boxed()
            .await?;
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Key::invitation(&link.customer_id, link.invitation_id).into_attributes()))
            .update_expression("SET #linkHash = :hash")
            .condition_expression("#status = :pending AND #version = :version AND expiresAt > :now")
            .expression_attribute_names("#linkHash", LINK_HASH)
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":hash", text(link.token_hash.to_string()))
            .expression_attribute_values(":pending", status(InvitationStatus::Pending))
            .expression_attribute_values(":version", AttributeValue::N(link.version.to_string()))
            .expression_attribute_values(":now", instant(Utc::now()))
            .send_boxed()
            .await;
        match result {
            Ok(_) => Ok(LinkStart::Started),
            Err(error) => match error.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(LinkStart::InvitationChanged),
                _ => Err(error.into()),
            },
        }
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
