//! Customers: creation (with members, invitations and events, atomically), reads and lists.

use super::items::{CustomerItem, InvitationEmailItem, InvitationItem, MemberItem};
use super::keys::{self, Index, Key};
use super::pagination::{ListQuery, Page, PageQuery};
use super::{Conflict, Store, StoreError};
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
    /// A key condition: each status has its own index partition.
    pub status: Option<CustomerStatus>,
    /// Case-insensitive prefix of the identifier or the display name: a filter, bounded per request.
    pub prefix: Option<String>,
}

impl Store {
    /// Creates the customer, or fails with [`Conflict::IdentifierTaken`] when the identifier exists.
    #[tracing::instrument(skip_all, fields(customer = %new.customer.identifier))]
    pub async fn create_customer(&self, new: NewCustomer) -> Result<(), StoreError> {
        let mut changes = self.changes();
        changes
            .insert(&CustomerItem::from(&new.customer), Conflict::IdentifierTaken(new.customer.identifier.clone()))?;
        for member in &new.members {
            changes.insert(&MemberItem::from(member), Conflict::AlreadyMember)?;
        }
        for invitation in &new.invitations {
            let pending = Conflict::InvitationPending(invitation.email.clone());
            changes.insert(&InvitationItem::from(invitation), pending.clone())?;
            changes.insert(&InvitationEmailItem::from(invitation), pending)?;
        }
        for event in new.events {
            changes.record(event);
        }
        self.commit(changes).await
    }

    /// The customer and the caller's membership role in it, read together in one round trip.
    #[tracing::instrument(skip_all, fields(%customer, %user))]
    pub async fn customer_and_membership(
        &self,
        customer: &CustomerIdentifier,
        user: &UserId,
    ) -> Result<Option<(Customer, Option<CustomerRole>)>, StoreError> {
        let customer_key = Key::customer(customer);
        let mut found = None;
        let mut role = None;
        for item in self.get_many(vec![customer_key.clone(), Key::member(customer, user)]).await? {
            if item.get("sk").and_then(|sk| sk.as_s().ok()) == Some(&customer_key.sk) {
                found = Some(serde_dynamo::from_item::<_, CustomerItem>(item)?.customer);
            } else {
                role = Some(serde_dynamo::from_item::<_, MemberItem>(item)?.membership.role);
            }
        }
        Ok(found.map(|found| (found, role)))
    }

    /// Customers in scope, by identifier. The status picks the index partition; the prefix
    /// filters what one Query evaluates.
    #[tracing::instrument(skip_all, fields(?scope, ?filter))]
    pub async fn list_customers(
        &self,
        scope: &PartnerScope,
        filter: &CustomerFilter,
        page: &PageQuery,
    ) -> Result<Page<Customer>, StoreError> {
        let (index, partition) = match (scope, filter.status) {
            (PartnerScope::EveryPartner, None) => (Index::Gsi2, keys::all_customers()),
            (PartnerScope::Partner(partner), None) => (Index::Gsi1, keys::partner_customers(partner)),
            (PartnerScope::EveryPartner, Some(status)) => (Index::Gsi4, keys::all_customers_in_status(status)),
            (PartnerScope::Partner(partner), Some(status)) => {
                (Index::Gsi3, keys::partner_customers_in_status(partner, status))
            }
        };
        let mut query = ListQuery {
            index: Some(index),
            key_condition: "#partition = :partition AND begins_with(#sort, :customers)",
            filter: None,
            names: vec![("#partition", index.partition_attribute()), ("#sort", index.sort_attribute())],
            values: vec![(":partition", partition), (":customers", keys::customer_sort_key(""))],
            newest_first: false,
        };
        if let Some(prefix) = &filter.prefix {
            query.filter = Some("begins_with(#identifier, :prefix) OR begins_with(#searchName, :prefix)");
            query.names.extend([("#identifier", "identifier"), ("#searchName", "searchName")]);
            query.values.push((":prefix", prefix.to_lowercase()));
        }
        self.list_page(query, page)
            .await?
            .try_map(|item| serde_dynamo::from_item::<_, CustomerItem>(item).map(|item| item.customer))
            .map_err(StoreError::from)
    }
}
