//! The customer account.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomerIdentifier, DisplayName, FieldError, PartnerId, TagValues, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CustomerStatus {
    PendingApproval,
    AwaitingEmailConfirmation,
    Active,
    Disabled,
}

impl CustomerStatus {
    pub const ALL: [CustomerStatus; 4] =
        [Self::PendingApproval, Self::AwaitingEmailConfirmation, Self::Active, Self::Disabled];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingApproval => "PENDING_APPROVAL",
            Self::AwaitingEmailConfirmation => "AWAITING_EMAIL_CONFIRMATION",
            Self::Active => "ACTIVE",
            Self::Disabled => "DISABLED",
        }
    }

    /// ACTIVE and DISABLED customers take writes; one that is not yet ACTIVE allows reads only
    /// (approval and confirmation aside).
    pub fn accepts_writes(self) -> bool {
        matches!(self, Self::Active | Self::Disabled)
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|status| status.as_str() == raw).ok_or_else(|| {
            FieldError::new("must be one of PENDING_APPROVAL, AWAITING_EMAIL_CONFIRMATION, ACTIVE, DISABLED")
        })
    }
}

/// The most projects a customer may own: 0 to 10000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct ProjectQuota(u32);

impl ProjectQuota {
    pub const MAX: u32 = 10_000;

    pub fn parse(raw: i64) -> Result<Self, FieldError> {
        u32::try_from(raw)
            .ok()
            .filter(|quota| *quota <= Self::MAX)
            .map(Self)
            .ok_or_else(|| FieldError::new("must be a whole number from 0 to 10000"))
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<i64> for ProjectQuota {
    type Error = FieldError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<ProjectQuota> for u32 {
    fn from(value: ProjectQuota) -> Self {
        value.0
    }
}

/// A customer account as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Customer {
    pub identifier: CustomerIdentifier,
    pub display_name: DisplayName,
    pub status: CustomerStatus,
    pub managing_partner_id: PartnerId,
    pub project_quota: ProjectQuota,
    pub project_count: u32,
    #[serde(default)]
    pub tags: TagValues,
    pub created_at: DateTime<Utc>,
    pub created_by: UserId,
    /// Optimistic-concurrency version: 1 when created, +1 on every change.
    pub version: u64,
}

impl Customer {
    /// A customer as it comes into being: no projects yet, version 1.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        identifier: CustomerIdentifier,
        display_name: DisplayName,
        status: CustomerStatus,
        managing_partner_id: PartnerId,
        project_quota: ProjectQuota,
        tags: TagValues,
        created_by: UserId,
        created_at: DateTime<Utc>,
    ) -> Self {
        Self {
            identifier,
            display_name,
            status,
            managing_partner_id,
            project_quota,
            project_count: 0,
            tags,
            created_at,
            created_by,
            version: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_bounds() {
        assert_eq!(ProjectQuota::parse(0).unwrap().get(), 0);
        assert_eq!(ProjectQuota::parse(10_000).unwrap().get(), 10_000);
        assert!(ProjectQuota::parse(10_001).is_err());
        assert!(ProjectQuota::parse(-1).is_err());
    }

    #[test]
    fn status_round_trips_through_its_name() {
        for status in CustomerStatus::ALL {
            assert_eq!(CustomerStatus::parse(status.as_str()).unwrap(), status);
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        assert!(CustomerStatus::parse("active").is_err());
    }
}
