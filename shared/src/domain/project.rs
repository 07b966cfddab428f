//! What a customer owns: projects (counted against its quota), their tenants on the configured
//! platforms (one per project and platform), and service users with a secret of their own.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomerIdentifier, DisplayName, GeneratedId, PlatformName, ProjectIdentifier, UserId};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    pub customer_id: CustomerIdentifier,
    pub identifier: ProjectIdentifier,
    pub display_name: DisplayName,
    pub created_at: DateTime<Utc>,
    pub created_by: UserId,
    /// 1: a project does not change once created (its `ETag`).
    pub version: u64,
}

impl Project {
    pub fn new(
        customer_id: CustomerIdentifier,
        identifier: ProjectIdentifier,
        display_name: DisplayName,
        created_by: UserId,
        created_at: DateTime<Utc>,
    ) -> Self {
        Self { customer_id, identifier, display_name, created_at, created_by, version: 1 }
    }
}

/// A project's place on one platform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub tenant_id: GeneratedId,
    pub customer_id: CustomerIdentifier,
    pub project_id: ProjectIdentifier,
    pub platform: PlatformName,
    pub created_at: DateTime<Utc>,
    pub created_by: UserId,
    /// 1: a tenant does not change once created (its `ETag`).
    pub version: u64,
}

impl Tenant {
    pub fn new(
        customer_id: CustomerIdentifier,
        project_id: ProjectIdentifier,
        platform: PlatformName,
        created_by: UserId,
        created_at: DateTime<Utc>,
    ) -> Self {
        Self { tenant_id: GeneratedId::new(), customer_id, project_id, platform, created_at, created_by, version: 1 }
    }
}

/// A non-human user of a customer. Its secret is no part of it: the secret is shown once, when
/// the service user is created, and only its hash is stored (next to it, never in it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceUser {
    pub service_user_id: GeneratedId,
    pub customer_id: CustomerIdentifier,
    pub name: DisplayName,
    pub created_at: DateTime<Utc>,
    pub created_by: UserId,
    /// 1: a service user does not change once created (its `ETag`).
    pub version: u64,
}

impl ServiceUser {
    pub fn new(
        customer_id: CustomerIdentifier,
        name: DisplayName,
        created_by: UserId,
        created_at: DateTime<Utc>,
    ) -> Self {
        Self { service_user_id: GeneratedId::new(), customer_id, name, created_at, created_by, version: 1 }
    }
}
