//! Projects, their tenants and service users: the project quota's slot reservation, and the
//! lists.
//!
//! **The quota.** `projectCount` on the customer item counts its projects. A creation first
//! reserves a slot with one conditional UpdateItem of the customer item alone
//! ([`Store::reserve_project_slot`]: `projectCount + 1` while `projectCount < projectQuota` and
//! the customer is ACTIVE), then writes the project and its event in a transaction that does not
//! touch the customer item. Single-item writes of one item never cancel each other as
//! transactions on it do (`TransactionConflict`), so any number of parallel creations are
//! decided one after the other by the condition: with quota Q exactly Q get a slot. When the
//! transaction is refused (a taken identifier, a caller who is not CUSTOMER_ADMIN), the slot is
//! given back ([`Store::release_project_slot`]), so the count stays the number of projects
//! stored. The counter is no part of the customer's `version`, and a customer change
//! (`update_customer`, which writes only attributes whose values it changes) never writes it.

use crate::sdk::SendBoxed;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, ReturnValuesOnConditionCheckFailure};

use super::items::{CustomerItem, Item, PROJECT_COUNT, ProjectItem, ServiceUserItem, TenantItem};
use super::keys::{self, Key, PROJECT_PREFIX, SERVICE_USER_PREFIX};
use super::pagination::{ListQuery, Page, PageQuery};
use super::transaction::retry_on_transaction_conflict;
use super::{Changes, Conflict, Expression, Store, StoreError};
use crate::domain::{
    Customer, CustomerIdentifier, CustomerStatus, Project, ProjectIdentifier, ServiceUser, Tenant, TokenHash,
};

/// What a slot reservation found.
#[derive(Debug, Clone, PartialEq)]
pub enum SlotReservation {
    /// One more project is counted; the customer as it is now.
    Reserved(Customer),
    /// No slot: the customer as it was when refused (not ACTIVE, or at its quota).
    Refused(Customer),
    /// There is no such customer.
    NoCustomer,
}

impl Changes {
    /// A new project (or [`Conflict::ProjectIdentifierTaken`]); its slot is reserved beforehand.
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
    /// Counts one more project on the customer if it is ACTIVE and below its quota, decided by
    /// DynamoDB on the item as stored at the write. A refusal returns the item it was decided on.
    #[tracing::instrument(skip_all, fields(%customer))]
    pub async fn reserve_project_slot(&self, customer: &CustomerIdentifier) -> Result<SlotReservation, StoreError> {
        let result = retry_on_transaction_conflict(|| {
            self.client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(Key::customer(customer).into_attributes()))
                .update_expression("SET #count = #count + :one")
                .condition_expression("attribute_exists(pk) AND #status = :active AND #count < #quota")
                .expression_attribute_names("#count", PROJECT_COUNT)
                .expression_attribute_names("#quota", "projectQuota")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":one", AttributeValue::N("1".to_owned()))
                .expression_attribute_values(":active", AttributeValue::S(CustomerStatus::Active.as_str().to_owned()))
                .return_values(ReturnValue::AllNew)
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
                .send_boxed()
        })
        .await;
        match result {
            Ok(output) => Ok(SlotReservation::Reserved(customer_of(output.attributes)?)),
            Err(error) => match error.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(refused)) => match refused.item() {
                    Some(item) => Ok(SlotReservation::Refused(customer_of(Some(item.clone()))?)),
                    None => Ok(SlotReservation::NoCustomer),
                },
                _ => Err(error.into()),
            },
        }
    }

    /// Gives back a slot whose project was not written.
    #[tracing::instrument(skip_all, fields(%customer))]
    pub async fn release_project_slot(&self, customer: &CustomerIdentifier) -> Result<(), StoreError> {
        let result = retry_on_transaction_conflict(|| {
            self.client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(Key::customer(customer).into_attributes()))
                .update_expression("SET #count = #count - :one")
                .condition_expression("#count > :zero")
                .expression_attribute_names("#count", PROJECT_COUNT)
                .expression_attribute_values(":one", AttributeValue::N("1".to_owned()))
                .expression_attribute_values(":zero", AttributeValue::N("0".to_owned()))
                .send_boxed()
        })
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(error)
                if matches!(error.as_service_error(), Some(UpdateItemError::ConditionalCheckFailedException(_))) =>
            {
                Err(StoreError::Invariant("a project slot was released that no project had reserved"))
            }
            Err(error) => Err(error.into()),
        }
    }

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

fn customer_of(item: Option<Item>) -> Result<Customer, StoreError> {
    let item = item.ok_or(StoreError::Invariant("an update returned no customer item"))?;
    Ok(serde_dynamo::from_item::<_, CustomerItem>(item)?.customer)
}
