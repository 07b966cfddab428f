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

use crate::sdk::SendBoxed;
use aws_sdk_dynamodb::types::AttributeValue;

use super::items::{PROJECT_COUNT, ProjectItem, ServiceUserItem, TenantItem};
use super::keys::{self, Key, PROJECT_PREFIX, SERVICE_USER_PREFIX};
use super::pagination::{ListQuery, Page, PageQuery};
use super::{Changes, Conflict, Expression, Store, StoreError};
use crate::domain::{CustomerIdentifier, Project, ProjectIdentifier, ServiceUser, Tenant, TokenHash};

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
