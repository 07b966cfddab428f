//! A user's membership in a customer, and the roles a membership carries.

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomerIdentifier, EmailAddress, FieldError, UserId, parse_key_expiry};
use crate::events::rfc3339_millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CustomerRole {
    CustomerAdmin,
    CustomerEmployee,
}

impl CustomerRole {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw {
            "CUSTOMER_ADMIN" => Ok(Self::CustomerAdmin),
            "CUSTOMER_EMPLOYEE" => Ok(Self::CustomerEmployee),
            _ => Err(FieldError::new("must be CUSTOMER_ADMIN or CUSTOMER_EMPLOYEE")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::CustomerAdmin => "CUSTOMER_ADMIN",
            Self::CustomerEmployee => "CUSTOMER_EMPLOYEE",
        }
    }
}

/// How a member came to the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JoinedVia {
    /// Registered the customer (its first CUSTOMER_ADMIN).
    Registration,
    /// Accepted an invitation.
    Invitation,
    /// A partner or platform user who added themselves ("Add Myself").
    SelfAssignment,
}

impl JoinedVia {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registration => "REGISTRATION",
            Self::Invitation => "INVITATION",
            Self::SelfAssignment => "SELF_ASSIGNMENT",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    pub customer_id: CustomerIdentifier,
    pub user_id: UserId,
    pub email: Option<EmailAddress>,
    pub name: Option<String>,
    pub role: CustomerRole,
    pub joined_at: DateTime<Utc>,
    pub joined_via: JoinedVia,
    /// Optimistic-concurrency version: 1 when joined, +1 on every role or end change.
    pub version: u64,
    /// When the membership ends by itself; absent: it does not. Stored as RFC 3339 with
    /// milliseconds and `Z`, so that the store compares it with another instant as text.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "rfc3339_millis::optional")]
    pub expires_at: Option<DateTime<Utc>>,
    /// When the member was mailed that the membership ends soon; a change of the end clears it.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "rfc3339_millis::optional")]
    pub expiry_warned_at: Option<DateTime<Utc>>,
    /// Who added the member: the inviter (the invitation's `invitedBy`) for an accepted
    /// invitation, the member themself for a registration and "Add Myself". Absent on memberships
    /// made before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_by: Option<UserId>,
    /// When the member's role last changed; absent while it never did (or before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "rfc3339_millis::optional")]
    pub last_role_change_at: Option<DateTime<Utc>>,
}

impl Membership {
    /// A membership as it comes into being: version 1.
    pub fn new(
        customer_id: CustomerIdentifier,
        user_id: UserId,
        email: Option<EmailAddress>,
        name: Option<String>,
        role: CustomerRole,
        joined_via: JoinedVia,
        joined_at: DateTime<Utc>,
    ) -> Self {
        Self {
            customer_id,
            user_id,
            email,
            name,
            role,
            joined_at,
            joined_via,
            version: 1,
            expires_at: None,
            expiry_warned_at: None,
            added_by: None,
            last_role_change_at: None,
        }
    }

    /// The same membership, added by `user` (its `added_by`).
    pub fn with_added_by(self, user: Option<UserId>) -> Self {
        Self { added_by: user, ..self }
    }

    /// The same membership, ending at `expires_at` (to the millisecond, as stored).
    pub fn ending(self, expires_at: Option<DateTime<Utc>>) -> Self {
        Self { expires_at: expires_at.map(|at| at.trunc_subsecs(3)), ..self }
    }

    pub fn is_admin(&self) -> bool {
        self.role == CustomerRole::CustomerAdmin
    }

    /// A CUSTOMER_ADMIN whose membership does not end: a customer always keeps one.
    pub fn is_permanent_admin(&self) -> bool {
        self.is_admin() && self.expires_at.is_none()
    }

    /// Whether the membership has ended at `now`: it then counts as none, for every read and
    /// every right, until the sweep removes it.
    pub fn has_ended(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

/// A membership's end as sent: RFC 3339 with an offset, in the future and at most a year ahead
/// (the rule of an API key's end), kept to the millisecond.
pub fn parse_membership_expiry(raw: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, FieldError> {
    parse_key_expiry(raw, now).map(|at| at.trunc_subsecs(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in [CustomerRole::CustomerAdmin, CustomerRole::CustomerEmployee] {
            assert_eq!(CustomerRole::parse(role.as_str()), Ok(role));
            assert_eq!(serde_json::to_value(role).unwrap(), role.as_str());
        }
        assert!(CustomerRole::parse("customer_admin").is_err());
        for via in [JoinedVia::Registration, JoinedVia::Invitation, JoinedVia::SelfAssignment] {
            assert_eq!(serde_json::to_value(via).unwrap(), via.as_str());
        }
    }
}
