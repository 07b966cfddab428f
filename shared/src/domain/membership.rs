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
}
