//! Projects, their tenants and service users: the project quota's counter, and the lists.
//!
//! **The quota.** `projectCount` on the customer item counts its projects. A creation is one
//! transaction: a condition check on the caller's member item (the role that allows it), the
//! customer item's `projectCount + 1` on condition `projectCount < projectQuota` and status
//! ACTIVE ([`Changes::count_project`] with [`Changes::require_status`]), the project (its
//! identifier free) and its event. All or nothing: a caller who is not allowed, a taken
//! identifier or a full quota writes nothing, not even for a moment. Parallel creations meet on
//! the customer item; DynamoDB cancels the ones that overlap (`TransactionConflict`) and
//! [`Store::commit`] sends them again, so the condition decides them one after the other: with
//! quota Q exactly Q land. The counter is no part of the customer's `version`, and a customer
//! change (`update_customer`, which writes only attributes whose values it changes) never
//! writes it.

use crate::domain::GeneratedId;
use crate::domain::PlatformName;
use crate::sdk::SendBoxed;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

use super::customers::PROJECT_COUNT;
use super::keys::{self, Key, PROJECT_PREFIX, SERVICE_USER_PREFIX, customer_pk, entity, tenants_of};
use super::pagination::{ListQuery, Page, PageQuery};
use super::{Changes, Conflict, Expression, Store, StoreError};
use crate::domain::{CustomerIdentifier, Project, ProjectIdentifier, ServiceUser, Tenant, TokenHash};

/// This entity's keys.
impl Key {
    pub fn project(customer: &CustomerIdentifier, project: &ProjectIdentifier) -> Self {
        Self { pk: customer_pk(customer), sk: format!("{PROJECT_PREFIX}{project}") }
    }

    /// Keyed by platform: one tenant per project and platform. Outside the projects' sort-key
    /// range, so a list of projects reads no tenants.
    pub fn tenant(customer: &CustomerIdentifier, project: &ProjectIdentifier, platform: &PlatformName) -> Self {
        Self { pk: customer_pk(customer), sk: format!("{}{platform}", tenants_of(project)) }
    }

    pub fn service_user(customer: &CustomerIdentifier, service_user: GeneratedId) -> Self {
        Self { pk: customer_pk(customer), sk: format!("{SERVICE_USER_PREFIX}{service_user}") }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    #[serde(flatten)]
    pub project: Project,
}

impl From<&Project> for ProjectItem {
    fn from(project: &Project) -> Self {
        Self {
            key: Key::project(&project.customer_id, &project.identifier),
            entity: entity::PROJECT.to_owned(),
            project: project.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    #[serde(flatten)]
    pub tenant: Tenant,
}

impl From<&Tenant> for TenantItem {
    fn from(tenant: &Tenant) -> Self {
        Self {
            key: Key::tenant(&tenant.customer_id, &tenant.project_id, &tenant.platform),
            entity: entity::TENANT.to_owned(),
            tenant: tenant.clone(),
        }
    }
}

/// A service user and the SHA-256 of its secret (never the secret).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceUserItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    pub secret_hash: TokenHash,
    #[serde(flatten)]
    pub service_user: ServiceUser,
}

impl ServiceUserItem {
    pub fn new(service_user: &ServiceUser, secret_hash: TokenHash) -> Self {
        Self {
            key: Key::service_user(&service_user.customer_id, service_user.service_user_id),
            entity: entity::SERVICE_USER.to_owned(),
            secret_hash,
            service_user: service_user.clone(),
        }
    }
}

impl Changes {
    /// One more project on the customer's `projectCount`, while it is below `projectQuota` (else
    /// [`Conflict::QuotaExceeded`]). With [`Changes::require_status`] required before, the same
    /// write holds the customer's status.
    pub fn count_project(&mut self, customer: &CustomerIdentifier) -> Result<(), StoreError> {
        let update = Expression::new("SET #count = #count + :one")
            .name("#count", PROJECT_COUNT)
            .value(":one", AttributeValue::N("1".to_owned()));
        let below_quota = Expression::new("attribute_exists(pk) AND #count < #quota")
            .name("#count", PROJECT_COUNT)
            .name("#quota", "projectQuota");
        let conflict = Conflict::QuotaExceeded { customer: customer.clone(), quota: None };
        self.update(Key::customer(customer), update, below_quota, conflict)
    }

    /// A new project (or [`Conflict::ProjectIdentifierTaken`]), counted by [`Changes::count_project`].
    pub fn add_project(&mut self, project: &Project) -> Result<(), StoreError> {
        self.insert(&ProjectItem::from(project), Conflict::ProjectIdentifierTaken(project.identifier.clone()))
    }

    /// A new tenant (or [`Conflict::TenantExists`] when the project has one on its platform).
    pub fn add_tenant(&mut self, tenant: &Tenant) -> Result<(), StoreError> {
        self.insert(&TenantItem::from(tenant), Conflict::TenantExists(tenant.platform.clone()))
    }

    /// A new service user with the hash of its secret.
    pub fn add_service_user(&mut self, service_user: &ServiceUser, secret_hash: TokenHash) -> Result<(), StoreError> {
        let item = ServiceUserItem::new(service_user, secret_hash);
        self.insert(&item, Conflict::Inconsistent("a generated service user id is taken"))
    }

    /// Deletes the service user, if it still exists (else [`Conflict::ServiceUserGone`]).
    pub fn remove_service_user(&mut self, service_user: &ServiceUser) -> Result<(), StoreError> {
        let key = Key::service_user(&service_user.customer_id, service_user.service_user_id);
        self.delete(key, Expression::present(), Conflict::ServiceUserGone(service_user.service_user_id))
    }
}

impl Store {
    /// A customer's projects, by identifier: one Query of its `PROJECT#` items.
    #[tracing::instrument(skip_all, fields(%customer))]
    pub async fn list_projects(
        &self,
        customer: &CustomerIdentifier,
        page: &PageQuery,
    ) -> Result<Page<Project>, StoreError> {
        let query = of_customer(customer, PROJECT_PREFIX.to_owned());
        self.list_page(query, page).await?.try_map(|item| Ok(serde_dynamo::from_item::<_, ProjectItem>(item)?.project))
    }

    /// A project's tenants, by platform: one consistent Query of its `TENANT#<projectId>#`
    /// items (at most one per platform, so one page holds them all).
    #[tracing::instrument(skip_all, fields(%customer, %project))]
    pub async fn project_tenants(
        &self,
        customer: &CustomerIdentifier,
        project: &ProjectIdentifier,
    ) -> Result<Vec<Tenant>, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :tenants)")
            .expression_attribute_values(":pk", AttributeValue::S(keys::customer_pk(customer)))
            .expression_attribute_values(":tenants", AttributeValue::S(keys::tenants_of(project)))
            .consistent_read(true)
            .send_boxed()
            .await?;
        if output.last_evaluated_key.is_some() {
            return Err(StoreError::Invariant("a project's tenants exceed one Query page"));
        }
        output
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|item| Ok(serde_dynamo::from_item::<_, TenantItem>(item)?.tenant))
            .collect()
    }

    /// A customer's service users, by id (so by creation time): one Query of its
    /// `SERVICE_USER#` items. Their secrets' hashes stay in the table.
    #[tracing::instrument(skip_all, fields(%customer))]
    pub async fn list_service_users(
        &self,
        customer: &CustomerIdentifier,
        page: &PageQuery,
    ) -> Result<Page<ServiceUser>, StoreError> {
        let query = of_customer(customer, SERVICE_USER_PREFIX.to_owned());
        self.list_page(query, page)
            .await?
            .try_map(|item| Ok(serde_dynamo::from_item::<_, ServiceUserItem>(item)?.service_user))
    }

    /// All of a customer's service users, by id, if it has at most `max` (else `None`): one
    /// consistent Query, page after page. Their secrets' hashes stay in the table.
    #[tracing::instrument(skip_all, fields(%customer, max))]
    pub async fn service_users_up_to(
        &self,
        customer: &CustomerIdentifier,
        max: usize,
    ) -> Result<Option<Vec<ServiceUser>>, StoreError> {
        let Some(items) = self.query_up_to(keys::customer_pk(customer), SERVICE_USER_PREFIX, max).await? else {
            return Ok(None);
        };
        let read = items.into_iter().map(|item| Ok(serde_dynamo::from_item::<_, ServiceUserItem>(item)?.service_user));
        read.collect::<Result<Vec<_>, StoreError>>().map(Some)
    }
}

/// The items of a customer's partition whose sort key begins with `prefix`.
fn of_customer(customer: &CustomerIdentifier, prefix: String) -> ListQuery {
    ListQuery {
        index: None,
        key_condition: "#partition = :partition AND begins_with(#sort, :prefix)",
        filter: None,
        names: vec![("#partition", "pk"), ("#sort", "sk")],
        values: vec![(":partition", keys::customer_pk(customer)), (":prefix", prefix)],
        newest_first: false,
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
    fn project_tenant_and_service_user_items() {
        let created_by = UserId::parse("u1").unwrap();
        let web = ProjectIdentifier::parse("web").unwrap();
        let project = Project::new(acme(), web.clone(), DisplayName::parse("Web").unwrap(), created_by.clone(), at());
        assert_eq!(
            stored(ProjectItem::from(&project)),
            json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "PROJECT#web"}, "entity": {"S": "PROJECT"},
                "customerId": {"S": "acme"}, "identifier": {"S": "web"}, "displayName": {"S": "Web"},
                "createdAt": {"S": "2026-01-15T11:30:00Z"}, "createdBy": {"S": "u1"}, "version": {"N": "1"}
            })
        );
        let mut tenant = Tenant::new(acme(), web, PlatformName::parse("aws").unwrap(), created_by.clone(), at());
        tenant.tenant_id = GeneratedId::parse("019bc165-0000-7000-8000-000000000003").unwrap();
        assert_eq!(
            stored(TenantItem::from(&tenant)),
            json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "TENANT#web#aws"}, "entity": {"S": "TENANT"},
                "tenantId": {"S": "019bc165-0000-7000-8000-000000000003"}, "customerId": {"S": "acme"},
                "projectId": {"S": "web"}, "platform": {"S": "aws"},
                "createdAt": {"S": "2026-01-15T11:30:00Z"}, "createdBy": {"S": "u1"}, "version": {"N": "1"}
            })
        );
        let mut user = ServiceUser::new(acme(), DisplayName::parse("ci").unwrap(), created_by, at());
        user.service_user_id = GeneratedId::parse("019bc165-0000-7000-8000-000000000004").unwrap();
        let hash = TokenHash::parse(&"ab".repeat(32)).unwrap();
        assert_eq!(
            stored(ServiceUserItem::new(&user, hash)),
            json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "SERVICE_USER#019bc165-0000-7000-8000-000000000004"},
                "entity": {"S": "SERVICE_USER"}, "secretHash": {"S": "ab".repeat(32)},
                "serviceUserId": {"S": "019bc165-0000-7000-8000-000000000004"}, "customerId": {"S": "acme"},
                "name": {"S": "ci"}, "createdAt": {"S": "2026-01-15T11:30:00Z"}, "createdBy": {"S": "u1"},
                "version": {"N": "1"}
            })
        );
    }
}
