//! A user's membership in a customer, and the roles a membership carries.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomerIdentifier, EmailAddress, FieldError, UserId};

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
    /// Optimistic-concurrency version: 1 when joined, +1 on every role change.
    pub version: u64,
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
        Self { customer_id, user_id, email, name, role, joined_at, joined_via, version: 1 }
    }

    pub fn is_admin(&self) -> bool {
        self.role == CustomerRole::CustomerAdmin
    }
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
    }
}
