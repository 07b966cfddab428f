//! Customers: creation (with members, invitations and events, atomically), reads and lists.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

use super::items::{CustomerItem, InvitationEmailItem, InvitationItem, MemberItem};
use super::keys::{self, GSI1, GSI2};
use super::pagination::{ListQuery, Page, PageQuery};
use super::transaction::{Changes, Conflict};
use super::{Store, StoreError};
use crate::domain::{
    Customer, CustomerIdentifier, CustomerRole, CustomerStatus, Invitation, Membership, PartnerScope, UserId,
};
use crate::events::DomainEvent;

/// A customer to be created, with what comes into being with it.
pub struct NewCustomer {
    pub customer: Customer,
    pub members: Vec<Membership>,
    pub invitations: Vec<Invitation>,
    pub events: Vec<DomainEvent>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerFilter {
    pub status: Option<CustomerStatus>,
    /// Case-insensitive prefix of the identifier or the display name.
    pub prefix: Option<String>,
}

impl Store {
    /// Creates the customer, or fails with `identifier-taken` when the identifier exists.
    pub async fn create_customer(&self, new: NewCustomer) -> Result<(), StoreError> {
        let identifier = new.customer.identifier.as_str();
        let mut changes = Changes::default();
        changes.insert(
            &CustomerItem::from(&new.customer),
            Conflict::new("identifier-taken", format!("a customer with identifier {identifier:?} already exists")),
        )?;
        for member in &new.members {
            changes
                .insert(&MemberItem::from(member), Conflict::new("already-member", "the user is already a member"))?;
        }
        for invitation in &new.invitations {
            let conflict = || {
                Conflict::new(
                    "invitation-pending",
                    format!("an invitation for {} is already pending", invitation.email),
                )
            };
            changes.insert(&InvitationItem::from(invitation), conflict())?;
            changes.insert(&InvitationEmailItem::from(invitation), conflict())?;
        }
        for event in new.events {
            changes.record(event);
        }
        self.commit(changes).await
    }

    pub async fn customer(&self, identifier: &CustomerIdentifier) -> Result<Option<Customer>, StoreError> {
        let item = self.get(keys::customer_pk(identifier.as_str()), keys::CUSTOMER_SK.to_owned()).await?;
        item.map(|item| serde_dynamo::from_item::<_, CustomerItem>(item).map(|it| it.customer))
            .transpose()
            .map_err(StoreError::internal)
    }

    /// The customer and the caller's membership role in it, read together.
    pub async fn customer_and_membership(
        &self,
        identifier: &CustomerIdentifier,
        user_id: &UserId,
    ) -> Result<Option<(Customer, Option<CustomerRole>)>, StoreError> {
        let (customer, member) = tokio::try_join!(
            self.customer(identifier),
            self.get(keys::customer_pk(identifier.as_str()), keys::member_sk(user_id.as_str()))
        )?;
        let role = member
            .map(|item| serde_dynamo::from_item::<_, MemberItem>(item).map(|it| it.membership.role))
            .transpose()
            .map_err(StoreError::internal)?;
        Ok(customer.map(|customer| (customer, role)))
    }

    /// Customers in scope, by identifier; `status` and `prefix` filter within the scope's partition.
    pub async fn list_customers(
        &self,
        scope: &PartnerScope,
        filter: &CustomerFilter,
        page: &PageQuery,
    ) -> Result<Page<Customer>, StoreError> {
        let (index, key_attributes, partition_attribute, partition): (_, &'static [&'static str], _, _) = match scope {
            PartnerScope::EveryPartner => {
                (GSI2, &["pk", "sk", "gsi2pk", "gsi2sk"], "gsi2pk", keys::ALL_CUSTOMERS.to_owned())
            }
            PartnerScope::Partner(partner) => {
                (GSI1, &["pk", "sk", "gsi1pk", "gsi1sk"], "gsi1pk", keys::partner_pk(partner.as_str()))
            }
        };
        let mut names = vec![("#partition", partition_attribute)];
        let mut values = vec![(":partition", partition)];
        let mut conditions = Vec::new();
        if let Some(status) = filter.status {
            names.push(("#status", "status"));
            values.push((":status", status.as_str().to_owned()));
            conditions.push("#status = :status");
        }
        if let Some(prefix) = &filter.prefix {
            names.push(("#identifier", "identifier"));
            names.push(("#searchName", "searchName"));
            values.push((":prefix", prefix.to_lowercase()));
            conditions.push("(begins_with(#identifier, :prefix) OR begins_with(#searchName, :prefix))");
        }
        let query = ListQuery {
            index: Some(index),
            key_attributes,
            key_condition: "#partition = :partition",
            filter: (!conditions.is_empty()).then(|| conditions.join(" AND ")),
            names,
            values,
            newest_first: false,
        };
        self.list_page(query, page)
            .await?
            .try_map(|item| serde_dynamo::from_item::<_, CustomerItem>(item).map(|it| it.customer))
            .map_err(StoreError::internal)
    }

    pub(crate) async fn get(
        &self,
        pk: String,
        sk: String,
    ) -> Result<Option<HashMap<String, AttributeValue>>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(pk))
            .key("sk", AttributeValue::S(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::internal)?;
        Ok(output.item)
    }
}
