//! The confirmation of a registrant's e-mail address after approval: the link's record, known by
//! its token's hash. The email sender makes one when it mails the approval; the customer's
//! current link is the one whose hash the customer item names, so a newer link supersedes it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomerIdentifier, EmailAddress, GeneratedId, PartnerId, TokenHash, UserId};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailConfirmation {
    pub token_hash: TokenHash,
    pub customer_id: CustomerIdentifier,
    /// The customer's managing partner: the activation rewrites the status index keys, which
    /// name it, without reading the customer first.
    pub managing_partner_id: PartnerId,
    /// The registrant, whose act the confirmation is.
    pub user_id: UserId,
    pub email: EmailAddress,
    /// The CUSTOMER_APPROVED event whose mail carries the link.
    pub approval_event_id: GeneratedId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_at: Option<DateTime<Utc>>,
}

/// Whether a link can still confirm (superseded links are told apart only when writing: the
/// customer item names the current one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmationState {
    Usable,
    Used,
    Expired,
}

impl EmailConfirmation {
    pub fn state_at(&self, now: DateTime<Utc>) -> ConfirmationState {
        match self.used_at {
            Some(_) => ConfirmationState::Used,
            None if now >= self.expires_at => ConfirmationState::Expired,
            None => ConfirmationState::Usable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::LinkToken;
    use chrono::Duration;

    #[test]
    fn a_link_is_usable_until_used_or_expired() {
        let now = Utc::now();
        let mut confirmation = EmailConfirmation {
            token_hash: LinkToken::generate().unwrap().hash(),
            customer_id: CustomerIdentifier::parse("acme").unwrap(),
            managing_partner_id: PartnerId::parse("default").unwrap(),
            user_id: UserId::parse("u1").unwrap(),
            email: EmailAddress::parse("jo@acme.example").unwrap(),
            approval_event_id: GeneratedId::new(),
            created_at: now,
            expires_at: now + Duration::hours(72),
            used_at: None,
        };
        assert_eq!(confirmation.state_at(now), ConfirmationState::Usable);
        assert_eq!(confirmation.state_at(now + Duration::hours(72)), ConfirmationState::Expired);
        confirmation.used_at = Some(now);
        assert_eq!(confirmation.state_at(now), ConfirmationState::Used);
    }
}
