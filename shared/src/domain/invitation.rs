//! An invitation of a person, by e-mail address, into a customer, and the one-time links that
//! accept it.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomerIdentifier, CustomerRole, EmailAddress, GeneratedId, TokenHash, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Cancelled,
    Expired,
}

impl InvitationStatus {
    pub const ALL: [Self; 4] = [Self::Pending, Self::Accepted, Self::Cancelled, Self::Expired];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Accepted => "ACCEPTED",
            Self::Cancelled => "CANCELLED",
            Self::Expired => "EXPIRED",
        }
    }
}

/// The link token is not part of the invitation: it is minted when the invitation mail is sent
/// and only its hash is stored, so no secret ever travels in an event or sits in the outbox.
///
/// Stored statuses are PENDING, ACCEPTED and CANCELLED; EXPIRED is what a pending invitation past
/// `expires_at` reads as ([`Invitation::status_at`]): expiry is read, never swept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Invitation {
    pub id: GeneratedId,
    pub customer_id: CustomerIdentifier,
    pub email: EmailAddress,
    pub role: CustomerRole,
    pub status: InvitationStatus,
    pub invited_by: UserId,
    pub created_at: DateTime<Utc>,
    /// In milliseconds, so that it compares as text in the store's conditions.
    #[serde(with = "crate::events::rfc3339_millis")]
    pub expires_at: DateTime<Utc>,
    /// 1 when invited, +1 on every resend, cancellation and acceptance. A mail mints its link
    /// only for the version its USER_INVITED names, so a resend leaves one live link at most.
    pub version: u64,
    /// When the membership an acceptance makes ends; absent: it does not. An invitation
    /// accepted at or after that moment is refused as expired.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::events::rfc3339_millis::optional")]
    pub membership_expires_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_by: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_by: Option<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// Why a link cannot accept its invitation (any more).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkRefusal {
    /// The invitation was accepted already.
    Used,
    Cancelled,
    /// A newer link was sent (a resend, or a retried mail).
    Superseded,
    Expired,
}

impl Invitation {
    /// A new pending invitation, valid for `ttl` from `now` (to the millisecond).
    pub fn new(
        customer_id: CustomerIdentifier,
        email: EmailAddress,
        role: CustomerRole,
        invited_by: UserId,
        now: DateTime<Utc>,
        ttl: Duration,
    ) -> Self {
        Self {
            id: GeneratedId::new(),
            customer_id,
            email,
            role,
            status: InvitationStatus::Pending,
            invited_by,
            created_at: now,
            expires_at: expiry(now, ttl),
            version: 1,
            membership_expires_at: None,
            accepted_by: None,
            accepted_at: None,
            cancelled_by: None,
            cancelled_at: None,
        }
    }

    /// The same invitation, its membership ending at `at` (to the millisecond).
    pub fn with_membership_end(self, at: Option<DateTime<Utc>>) -> Self {
        Self { membership_expires_at: at.map(|at| at.trunc_subsecs(3)), ..self }
    }

    /// The status a reader sees: a pending invitation past its expiry reads as EXPIRED.
    pub fn status_at(&self, now: DateTime<Utc>) -> InvitationStatus {
        match self.status {
            InvitationStatus::Pending if now >= self.expires_at => InvitationStatus::Expired,
            status => status,
        }
    }

    /// The invitation as a reader sees it at `now` (its status read with the expiry).
    pub fn seen_at(&self, now: DateTime<Utc>) -> Self {
        Self { status: self.status_at(now), ..self.clone() }
    }

    /// Sent again (the next version): pending, valid for `ttl` from `now` (an expired invitation
    /// is renewed).
    pub fn resent(&self, now: DateTime<Utc>, ttl: Duration) -> Self {
        Self {
            status: InvitationStatus::Pending,
            expires_at: expiry(now, ttl),
            version: self.version + 1,
            ..self.clone()
        }
    }

    /// Cancelled by `by` (the next version).
    pub fn cancelled(&self, by: &UserId, now: DateTime<Utc>) -> Self {
        Self {
            status: InvitationStatus::Cancelled,
            cancelled_by: Some(by.clone()),
            cancelled_at: Some(now),
            version: self.version + 1,
            ..self.clone()
        }
    }

    /// Whether `link` accepts the invitation at `now`, given the hash of its current link.
    pub fn accepts(
        &self,
        link: &InvitationLink,
        current: Option<&TokenHash>,
        now: DateTime<Utc>,
    ) -> Result<(), LinkRefusal> {
        match self.status_at(now) {
            InvitationStatus::Cancelled => Err(LinkRefusal::Cancelled),
            InvitationStatus::Accepted => Err(LinkRefusal::Used),
            _ if self.version != link.version || current != Some(&link.token_hash) => Err(LinkRefusal::Superseded),
            InvitationStatus::Expired => Err(LinkRefusal::Expired),
            InvitationStatus::Pending => Ok(()),
        }
    }
}

/// A pending invitation's expiry: `ttl` from `now`, to the millisecond (as stored).
fn expiry(now: DateTime<Utc>, ttl: Duration) -> DateTime<Utc> {
    (now + ttl).trunc_subsecs(3)
}

/// An invitation link's record, known by its token's hash: made by the email sender when it
/// mails the invitation (version `version`). The invitation names its current link's hash, so
/// a newer link supersedes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationLink {
    pub token_hash: TokenHash,
    pub customer_id: CustomerIdentifier,
    pub invitation_id: GeneratedId,
    /// The invited address: only a caller with this verified address may accept.
    pub email: EmailAddress,
    pub role: CustomerRole,
    /// The invitation's version the link was made for.
    pub version: u64,
    pub created_at: DateTime<Utc>,
    #[serde(with = "crate::events::rfc3339_millis")]
    pub expires_at: DateTime<Utc>,
    /// When the membership the acceptance makes ends (the invitation's `membershipExpiresAt`).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "crate::events::rfc3339_millis::optional")]
    pub membership_expires_at: Option<DateTime<Utc>>,
    /// Who made the invitation: the acceptance's member is recorded as added by them. Absent on
    /// links made before it was recorded (the member's `addedBy` is then unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invited_by: Option<UserId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LinkToken;

    fn invitation(now: DateTime<Utc>) -> Invitation {
        let mut invitation = Invitation::new(
            CustomerIdentifier::parse("acme").unwrap(),
            EmailAddress::parse("jane@example.com").unwrap(),
            CustomerRole::CustomerEmployee,
            UserId::parse("u1").unwrap(),
            now - Duration::hours(200),
            Duration::hours(168),
        );
        invitation.version = 2;
        invitation
    }

    #[test]
    fn pending_invitation_past_expiry_reads_expired() {
        let now = Utc::now();
        let invitation = invitation(now);
        assert_eq!(invitation.status_at(now), InvitationStatus::Expired);
        assert_eq!(invitation.seen_at(now).status, InvitationStatus::Expired);
        assert_eq!(invitation.status_at(now - Duration::hours(40)), InvitationStatus::Pending);
        assert_eq!(invitation.expires_at, invitation.expires_at.trunc_subsecs(3), "stored to the millisecond");
    }

    #[test]
    fn a_link_accepts_only_its_current_pending_unexpired_invitation() {
        let now = Utc::now();
        let pending = invitation(now);
        let valid = now - Duration::hours(40);
        let token = LinkToken::generate().unwrap();
        let link = InvitationLink {
            token_hash: token.hash(),
            customer_id: pending.customer_id.clone(),
            invitation_id: pending.id,
            email: pending.email.clone(),
            role: pending.role,
            version: 2,
            created_at: valid,
            expires_at: pending.expires_at,
            membership_expires_at: None,
            invited_by: None,
        };
        let current = Some(&link.token_hash);
        assert_eq!(pending.accepts(&link, current, valid), Ok(()));
        assert_eq!(pending.accepts(&link, current, now), Err(LinkRefusal::Expired));
        let other = LinkToken::generate().unwrap().hash();
        assert_eq!(pending.accepts(&link, Some(&other), valid), Err(LinkRefusal::Superseded));
        assert_eq!(pending.accepts(&link, None, valid), Err(LinkRefusal::Superseded));
        let resent = Invitation { version: 3, ..pending.clone() };
        assert_eq!(resent.accepts(&link, current, valid), Err(LinkRefusal::Superseded));
        let cancelled = Invitation { status: InvitationStatus::Cancelled, ..pending.clone() };
        assert_eq!(cancelled.accepts(&link, current, now), Err(LinkRefusal::Cancelled));
        let accepted = Invitation { status: InvitationStatus::Accepted, ..pending };
        assert_eq!(accepted.accepts(&link, None, valid), Err(LinkRefusal::Used));
    }
}
