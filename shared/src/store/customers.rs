//! Customers: creation (with members, invitations and events, atomically), reads and lists.

use aws_sdk_dynamodb::types::AttributeValue;

use super::items::{
    self, CustomerItem, InvitationEmailItem, InvitationItem, MemberItem, RetiredTagItem, TagDefinitionItem,
};
use super::keys::{self, Index, Key, entity};
use super::pagination::{ListQuery, Page, PageQuery};
use super::{Conflict, Expression, Store, StoreError};
use crate::domain::{
    Customer, CustomerIdentifier, CustomerRole, CustomerStatus, Invitation, Membership, PartnerScope, TagCatalog,
    TagKey, UserId,
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

    /// Writes `after` over `before` in one transaction with its events, if the stored version is
    /// still `before.version`, else [`Conflict::VersionMismatch`]. Only the attributes that differ
    /// are written (index keys included), so attributes other writers keep on the item — counters
    /// such as `projectCount` — are never overwritten with what this writer read.
    #[tracing::instrument(skip_all, fields(customer = %before.identifier, version = before.version))]
    pub async fn update_customer(
        &self,
        before: &Customer,
        after: &Customer,
        events: Vec<DomainEvent>,
    ) -> Result<(), StoreError> {
        if after.identifier != before.identifier || after.version != before.version + 1 {
            return Err(StoreError::Invariant("an update changes the identifier or skips a version"));
        }
        let update = changed_attributes(
            &items::to_item(CustomerItem::from(before))?,
            &items::to_item(CustomerItem::from(after))?,
        );
        let mut changes = self.changes();
        changes.update(
            Key::customer(&before.identifier),
            update,
            Expression::version_is(before.version),
            Conflict::VersionMismatch { current_version: None },
        )?;
        for event in events {
            changes.record(event);
        }
        self.commit(changes).await
    }

    /// The customer and the caller's membership role in it, read together in one round trip.
    pub async fn customer_and_membership(
        &self,
        customer: &CustomerIdentifier,
        user: &UserId,
    ) -> Result<Option<(Customer, Option<CustomerRole>)>, StoreError> {
        let found = self.customer_membership_and_tags(customer, user, &[]).await?;
        Ok(found.map(|(customer, role, _)| (customer, role)))
    }

    /// The customer, the caller's membership role in it and the definitions (in use or retired)
    /// of `tags`, read together in one round trip.
    #[tracing::instrument(skip_all, fields(%customer, %user, tags = tags.len()))]
    pub async fn customer_membership_and_tags(
        &self,
        customer: &CustomerIdentifier,
        user: &UserId,
        tags: &[TagKey],
    ) -> Result<Option<(Customer, Option<CustomerRole>, TagCatalog)>, StoreError> {
        let mut wanted = vec![Key::customer(customer), Key::member(customer, user)];
        wanted.extend(tags.iter().flat_map(|key| [Key::tag_definition(key), Key::retired_tag(key)]));
        let mut found = None;
        let mut role = None;
        let mut catalog = TagCatalog::default();
        for item in self.get_many(wanted).await? {
            match item.get("entity").and_then(|entity| entity.as_s().ok()).map(String::as_str) {
                Some(entity::CUSTOMER) => found = Some(serde_dynamo::from_item::<_, CustomerItem>(item)?.customer),
                Some(entity::MEMBER) => role = Some(serde_dynamo::from_item::<_, MemberItem>(item)?.membership.role),
                Some(entity::TAG_DEFINITION) => {
                    catalog.defined.push(serde_dynamo::from_item::<_, TagDefinitionItem>(item)?.definition);
                }
                Some(entity::RETIRED_TAG) => {
                    catalog.retired.push(serde_dynamo::from_item::<_, RetiredTagItem>(item)?.definition);
                }
                _ => return Err(StoreError::Invariant("a key read with a customer holds an item of another kind")),
            }
        }
        Ok(found.map(|found| (found, role, catalog)))
    }

    /// A user's membership in a customer.
    #[tracing::instrument(skip_all, fields(%customer, %user))]
    pub async fn membership(
        &self,
        customer: &CustomerIdentifier,
        user: &UserId,
    ) -> Result<Option<Membership>, StoreError> {
        let Some(item) = self.get_item(Key::member(customer, user)).await? else { return Ok(None) };
        Ok(Some(serde_dynamo::from_item::<_, MemberItem>(item)?.membership))
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

/// `SET` for every attribute `after` adds or changes, `REMOVE` for every one it drops.
fn changed_attributes(before: &items::Item, after: &items::Item) -> Expression {
    let mut set = Vec::new();
    let mut expression = Expression::default();
    let mut attributes: Vec<(&String, &AttributeValue)> =
        after.iter().filter(|(name, value)| before.get(*name) != Some(*value)).collect();
    attributes.sort_by_key(|(name, _)| *name);
    for (n, (name, value)) in attributes.into_iter().enumerate() {
        set.push(format!("#set{n} = :set{n}"));
        expression = expression.name(&format!("#set{n}"), name).value(&format!(":set{n}"), value.clone());
    }
    let mut removed: Vec<&String> = before.keys().filter(|name| !after.contains_key(*name)).collect();
    removed.sort();
    let mut remove = Vec::new();
    for (n, name) in removed.into_iter().enumerate() {
        remove.push(format!("#remove{n}"));
        expression = expression.name(&format!("#remove{n}"), name);
    }
    let mut text = String::new();
    if !set.is_empty() {
        text.push_str(&format!("SET {}", set.join(", ")));
    }
    if !remove.is_empty() {
        text.push_str(&format!(" REMOVE {}", remove.join(", ")));
    }
    expression.with_text(text.trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(pairs: &[(&str, &str)]) -> items::Item {
        pairs.iter().map(|(k, v)| (k.to_string(), AttributeValue::S(v.to_string()))).collect()
    }

    #[test]
    fn writes_only_what_changed() {
        let before = item(&[("pk", "p"), ("displayName", "A"), ("tags", "x"), ("projectCount", "3")]);
        let after = item(&[("pk", "p"), ("displayName", "B"), ("projectCount", "3"), ("version", "2")]);
        let expression = changed_attributes(&before, &after);
        assert_eq!(expression.text(), "SET #set0 = :set0, #set1 = :set1 REMOVE #remove0");
        assert_eq!(expression.attribute_name("#set0"), Some("displayName"));
        assert_eq!(expression.attribute_name("#set1"), Some("version"));
        assert_eq!(expression.attribute_name("#remove0"), Some("tags"));
    }
}
