//! An invitation of a person, by e-mail address, into a customer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomerIdentifier, CustomerRole, EmailAddress, GeneratedId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InvitationStatus {
    Pending,
    Accepted,
    Cancelled,
    Expired,
}

/// The link token is not part of the invitation: it is minted when the invitation mail is sent
/// and only its hash is stored, so no secret ever travels in an event or sits in the outbox.
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
    pub expires_at: DateTime<Utc>,
}

impl Invitation {
    /// The status a reader sees: a pending invitation past its expiry reads as EXPIRED.
    pub fn status_at(&self, now: DateTime<Utc>) -> InvitationStatus {
        match self.status {
            InvitationStatus::Pending if now >= self.expires_at => InvitationStatus::Expired,
            status => status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn pending_invitation_past_expiry_reads_expired() {
        let now = Utc::now();
        let invitation = Invitation {
            id: GeneratedId::new(),
            customer_id: CustomerIdentifier::parse("acme").unwrap(),
            email: EmailAddress::parse("jane@example.com").unwrap(),
            role: CustomerRole::CustomerEmployee,
            status: InvitationStatus::Pending,
            invited_by: UserId::parse("u1").unwrap(),
            created_at: now - Duration::hours(200),
            expires_at: now - Duration::hours(32),
        };
        assert_eq!(invitation.status_at(now), InvitationStatus::Expired);
        assert_eq!(invitation.status_at(now - Duration::hours(40)), InvitationStatus::Pending);
    }
}
