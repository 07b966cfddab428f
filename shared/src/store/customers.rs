//! Customers: creation (with members, invitations and events, atomically), reads and lists.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

use super::api_keys;
use super::invitations::InvitationAddressesItem;
use super::invitations::InvitationEmailItem;
use super::invitations::InvitationItem;
use super::items;
use super::keys::{self, CUSTOMER_SK, Index, Key, customer_pk, entity};
use super::members::MemberEmailItem;
use super::members::MemberItem;
use super::membership_log::MembershipChange;
use super::pagination::{ListQuery, Page, PageQuery};
use super::projects::ProjectItem;
use super::projects::ServiceUserItem;
use super::tag_definitions::RetiredTagItem;
use super::tag_definitions::TagDefinitionItem;
use super::{Changes, Conflict, Expression, MAX_BATCH_KEYS, OwnedApiKey, Store, StoreError};
use crate::domain::{
    Customer, CustomerIdentifier, CustomerRole, CustomerStatus, GeneratedId, Invitation, KeyOwner, MAX_REVIEW_MEMBERS,
    Membership, PartnerScope, Project, ProjectIdentifier, ServiceUser, TagCatalog, TagKey, UserId,
};
use crate::events::DomainEvent;

/// This entity's keys.
impl Key {
    pub fn customer(customer: &CustomerIdentifier) -> Self {
        Self { pk: customer_pk(customer), sk: CUSTOMER_SK.to_owned() }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    /// A partner's customers, by identifier.
    pub gsi1pk: String,
    pub gsi1sk: String,
    /// Every customer, by identifier (platform admins).
    pub gsi2pk: String,
    pub gsi2sk: String,
    /// A partner's customers in one status, by identifier.
    pub gsi3pk: String,
    pub gsi3sk: String,
    /// Every customer in one status, by identifier.
    pub gsi4pk: String,
    pub gsi4sk: String,
    /// Lowercase display name, for prefix search.
    pub search_name: String,
    #[serde(flatten)]
    pub customer: Customer,
}

impl From<&Customer> for CustomerItem {
    fn from(customer: &Customer) -> Self {
        let by_identifier = keys::customer_sort_key(customer.identifier.as_str());
        Self {
            key: Key::customer(&customer.identifier),
            entity: entity::CUSTOMER.to_owned(),
            gsi1pk: keys::partner_customers(&customer.managing_partner_id),
            gsi1sk: by_identifier.clone(),
            gsi2pk: keys::all_customers(),
            gsi2sk: by_identifier.clone(),
            gsi3pk: keys::partner_customers_in_status(&customer.managing_partner_id, customer.status),
            gsi3sk: by_identifier.clone(),
            gsi4pk: keys::all_customers_in_status(customer.status),
            gsi4sk: by_identifier,
            search_name: customer.display_name.search_key(),
            customer: customer.clone(),
        }
    }
}

/// The customer item as creation writes it: [`CustomerItem`] and the counter of its CUSTOMER_ADMIN
/// members. The counter is no part of [`Customer`]: from then on only membership changes keep it,
/// each in its own transaction (`ADD`; a decrement only while `adminCount > 1`), and a customer
/// change ([`super::Store::update_customer`], which writes what differs between two
/// `CustomerItem`s) never touches it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewCustomerItem {
    #[serde(flatten)]
    pub item: CustomerItem,
    pub admin_count: u32,
}

/// The attribute that counts a customer's CUSTOMER_ADMIN members, on its customer item.
pub const ADMIN_COUNT: &str = "adminCount";

/// The attribute that counts a customer's projects, on its customer item: kept by the project
/// slot reservation alone, never by a customer change (see `store::projects`).
pub const PROJECT_COUNT: &str = "projectCount";

/// A customer to be created, with what comes into being with it.
pub struct NewCustomer {
    pub customer: Customer,
    pub members: Vec<Membership>,
    pub invitations: Vec<Invitation>,
    /// Its events (CUSTOMER_CREATED or CUSTOMER_REGISTERED, and USER_INVITED per invitation).
    pub events: Vec<DomainEvent>,
}

/// What to read along with a customer, in the same BatchGetItem (the members: a Query at the
/// same time).
#[derive(Debug, Clone, Copy, Default)]
pub struct Related<'a> {
    /// The definitions of these tag keys, in use or retired.
    pub tags: &'a [TagKey],
    pub project: Option<&'a ProjectIdentifier>,
    pub service_user: Option<GeneratedId>,
    pub invitation: Option<GeneratedId>,
    /// One of the customer's API keys.
    pub api_key: Option<GeneratedId>,
    /// Every current member (up to [`MAX_REVIEW_MEMBERS`]), read by one Query beside the
    /// BatchGetItem.
    pub members: bool,
}

/// The customer's current members, as [`Related::members`] reads them.
#[derive(Debug, Clone)]
pub enum MemberRoster {
    /// All of them, by user id.
    Complete(Vec<Membership>),
    /// More than [`MAX_REVIEW_MEMBERS`]: not read.
    TooMany,
}

impl MemberRoster {
    /// All the members, unless there are too many.
    pub fn complete(&self) -> Option<&[Membership]> {
        match self {
            Self::Complete(members) => Some(members),
            Self::TooMany => None,
        }
    }
}

/// What was found of [`Related`]: what does not exist is absent.
#[derive(Debug, Clone, Default)]
pub struct RelatedItems {
    pub catalog: TagCatalog,
    pub project: Option<Project>,
    pub service_user: Option<ServiceUser>,
    pub invitation: Option<Invitation>,
    pub api_key: Option<OwnedApiKey>,
    /// [`Related::members`], when asked for.
    pub members: Option<MemberRoster>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerFilter {
    /// A key condition: each status has its own index partition.
    pub status: Option<CustomerStatus>,
    /// Case-insensitive prefix of the identifier or the display name: a filter, bounded per request.
    pub prefix: Option<String>,
}

impl Changes {
    /// Creates the customer, or fails with [`Conflict::IdentifierTaken`] when the identifier
    /// exists; one that starts PENDING_APPROVAL holds its registrant's one pending registration
    /// ([`Conflict::RegistrationPending`]).
    pub fn create_customer(&mut self, new: NewCustomer) -> Result<(), StoreError> {
        let admin_count = new.members.iter().filter(|member| member.is_admin()).count();
        let item = NewCustomerItem {
            item: CustomerItem::from(&new.customer),
            admin_count: u32::try_from(admin_count).map_err(|_| StoreError::Invariant("too many admins"))?,
        };
        self.insert(&item, Conflict::IdentifierTaken(new.customer.identifier.clone()))?;
        for member in &new.members {
            self.insert(&MemberItem::from(member), Conflict::AlreadyMember)?;
            self.log_membership(MembershipChange::joined_or_changed(member));
        }
        for address in MemberEmailItem::of(&new.members) {
            self.insert(&address, Conflict::Inconsistent("a new customer has a member address"))?;
        }
        for invitation in &new.invitations {
            let pending = Conflict::InvitationPending(invitation.email.clone());
            self.insert(&InvitationItem::from(invitation), pending.clone())?;
            self.insert(&InvitationEmailItem::from(invitation), pending)?;
        }
        if let Some(addresses) = InvitationAddressesItem::of(&new.invitations) {
            self.insert(&addresses, Conflict::Inconsistent("a new customer has invitation addresses"))?;
        }
        if new.customer.status == CustomerStatus::PendingApproval {
            self.hold_pending_registration(&new.customer)?;
        }
        for event in new.events {
            self.record(event);
        }
        Ok(())
    }

    /// Writes `after` over `before` if the stored version is still `before.version`, else [`Conflict::VersionMismatch`]. Only the attributes that differ
    /// are written (index keys included), so attributes other writers keep on the item — counters
    /// such as `projectCount` — are never overwritten with what this writer read.
    pub fn update_customer(&mut self, before: &Customer, after: &Customer) -> Result<(), StoreError> {
        if after.identifier != before.identifier || after.version != before.version + 1 {
            return Err(StoreError::Invariant("an update changes the identifier or skips a version"));
        }
        let update = changed_attributes(
            &items::to_item(CustomerItem::from(before))?,
            &items::to_item(CustomerItem::from(after))?,
        );
        self.update(
            Key::customer(&before.identifier),
            update,
            Expression::version_is(before.version),
            Conflict::VersionMismatch { current_version: None },
        )?;
        if before.status == CustomerStatus::PendingApproval && after.status != CustomerStatus::PendingApproval {
            self.release_pending_registration(before)?;
        }
        Ok(())
    }
}

impl Store {
    /// A whole customer written as one change of its own, for fixtures and seeding (routes make
    /// customers through `crate::change`).
    pub async fn create_customer(&self, new: NewCustomer) -> Result<(), StoreError> {
        let mut changes = self.changes();
        changes.create_customer(new)?;
        self.commit(changes).await
    }

    /// The customer, the caller's membership role in it and what `related` names, read together
    /// in one round trip.
    pub async fn customer_membership_and(
        &self,
        customer: &CustomerIdentifier,
        user: &UserId,
        related: &Related<'_>,
    ) -> Result<Option<(Customer, Option<CustomerRole>, RelatedItems)>, StoreError> {
        let found = self.customer_with(customer, &[user], related).await?;
        Ok(found.map(|(customer, members, items)| (customer, members.first().map(|member| member.role), items)))
    }

    /// The customer, the memberships of `users` in it and what `related` names: whichever exist,
    /// read together in one consistent BatchGetItem.
    #[tracing::instrument(skip_all, fields(%customer, users = users.len(), tags = related.tags.len()))]
    pub async fn customer_with(
        &self,
        customer: &CustomerIdentifier,
        users: &[&UserId],
        related: &Related<'_>,
    ) -> Result<Option<(Customer, Vec<Membership>, RelatedItems)>, StoreError> {
        let mut wanted = vec![Key::customer(customer)];
        for user in users {
            let key = Key::member(customer, user);
            // BatchGetItem refuses a request that names a key twice.
            if !wanted.contains(&key) {
                wanted.push(key);
            }
        }
        wanted.extend(related.tags.iter().flat_map(|key| [Key::tag_definition(key), Key::retired_tag(key)]));
        wanted.extend(related.project.map(|project| Key::project(customer, project)));
        wanted.extend(related.service_user.map(|id| Key::service_user(customer, id)));
        wanted.extend(related.invitation.map(|id| Key::invitation(customer, id)));
        let owner = KeyOwner::Customer { customer_id: customer.clone() };
        wanted.extend(related.api_key.map(|id| Key::owned_api_key(&owner, id)));
        let mut found = None;
        let mut members = Vec::new();
        let mut items = RelatedItems::default();
        // The roster's Query beside the BatchGetItem, at once.
        let roster = async {
            if !related.members {
                return Ok(None);
            }
            let members = self.current_members(customer, MAX_REVIEW_MEMBERS).await?;
            Ok(Some(members.map_or(MemberRoster::TooMany, MemberRoster::Complete)))
        };
        let (read, roster) = tokio::try_join!(self.get_many(wanted), roster)?;
        items.members = roster;
        let now = chrono::Utc::now();
        for item in read {
            match item.get("entity").and_then(|entity| entity.as_s().ok()).map(String::as_str) {
                Some(entity::CUSTOMER) => found = Some(serde_dynamo::from_item::<_, CustomerItem>(item)?.customer),
                Some(entity::MEMBER) => {
                    let member = serde_dynamo::from_item::<_, MemberItem>(item)?.membership;
                    // An ended membership counts as none from its end on, before the sweep.
                    if !member.has_ended(now) {
                        members.push(member);
                    }
                }
                Some(entity::TAG_DEFINITION) => {
                    items.catalog.defined.push(serde_dynamo::from_item::<_, TagDefinitionItem>(item)?.definition);
                }
                Some(entity::RETIRED_TAG) => {
                    items.catalog.retired.push(serde_dynamo::from_item::<_, RetiredTagItem>(item)?.definition);
                }
                Some(entity::PROJECT) => items.project = Some(serde_dynamo::from_item::<_, ProjectItem>(item)?.project),
                Some(entity::SERVICE_USER) => {
                    items.service_user = Some(serde_dynamo::from_item::<_, ServiceUserItem>(item)?.service_user);
                }
                Some(entity::INVITATION) => {
                    items.invitation = Some(serde_dynamo::from_item::<_, InvitationItem>(item)?.invitation);
                }
                Some(entity::OWNED_API_KEY) => items.api_key = Some(api_keys::owned_api_key(item)?),
                _ => return Err(StoreError::Invariant("a key read with a customer holds an item of another kind")),
            }
        }
        Ok(found.map(|found| (found, members, items)))
    }

    /// A user's membership in a customer, unless it has ended.
    #[tracing::instrument(skip_all, fields(%customer, %user))]
    pub async fn membership(
        &self,
        customer: &CustomerIdentifier,
        user: &UserId,
    ) -> Result<Option<Membership>, StoreError> {
        let Some(item) = self.get_item(Key::member(customer, user)).await? else { return Ok(None) };
        let member = serde_dynamo::from_item::<_, MemberItem>(item)?.membership;
        Ok((!member.has_ended(chrono::Utc::now())).then_some(member))
    }

    /// Customers by identifier, read consistently in one BatchGetItem (at most 100: one page of
    /// a list); those that do not exist are left out.
    #[tracing::instrument(skip_all, fields(customers = identifiers.len()))]
    pub async fn customers(&self, identifiers: &[CustomerIdentifier]) -> Result<Vec<Customer>, StoreError> {
        if identifiers.is_empty() {
            return Ok(Vec::new());
        }
        if identifiers.len() > MAX_BATCH_KEYS {
            return Err(StoreError::Invariant("a BatchGetItem names at most 100 keys"));
        }
        let keys = identifiers.iter().map(Key::customer).collect();
        let items = self.get_many(keys).await?;
        items
            .into_iter()
            .map(|item| serde_dynamo::from_item::<_, CustomerItem>(item).map(|item| item.customer))
            .collect::<Result<_, _>>()
            .map_err(StoreError::from)
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

    /// Every field of the customer changes, and still the admin counter, which membership
    /// changes keep on the same item, is neither set nor removed.
    #[test]
    fn a_customer_change_never_touches_the_admin_counter() {
        use crate::domain::*;
        let before = Customer::new(
            CustomerIdentifier::parse("acme").unwrap(),
            DisplayName::parse("Acme").unwrap(),
            CustomerStatus::PendingApproval,
            PartnerId::parse("globex").unwrap(),
            ProjectQuota::parse(5).unwrap(),
            TagValues::from([(TagKey::parse("costCenter").unwrap(), vec!["1".to_owned()])]),
            UserId::parse("u1").unwrap(),
            chrono::Utc::now(),
        );
        let mut after = before.clone();
        after.display_name = DisplayName::parse("Acme Two").unwrap();
        after.status = CustomerStatus::Disabled;
        after.managing_partner_id = PartnerId::parse("initech").unwrap();
        after.project_quota = ProjectQuota::parse(9).unwrap();
        after.project_count = 3;
        after.tags = TagValues::new();
        after.version = 2;
        let item = |customer: &Customer| items::to_item(CustomerItem::from(customer)).unwrap();
        let expression = changed_attributes(&item(&before), &item(&after));
        let names: Vec<&str> = (0..20)
            .flat_map(|n| [format!("#set{n}"), format!("#remove{n}")])
            .filter_map(|placeholder| expression.attribute_name(&placeholder))
            .collect();
        assert!(names.contains(&"displayName") && names.contains(&"tags"), "{names:?}");
        assert!(!names.contains(&ADMIN_COUNT), "{names:?}");
        assert!(!expression.text().contains(ADMIN_COUNT), "{}", expression.text());
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

/// Golden items: every attribute of each item kind, so a layout change is a deliberate one.
#[cfg(test)]
mod golden {
    use super::*;

    use crate::store::items::golden::*;

    use serde_json::json;

    #[test]
    fn customer_item() {
        let mut expected = json!({
            "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "CUSTOMER"}, "entity": {"S": "CUSTOMER"},
            "gsi1pk": {"S": "PARTNER#globex"}, "gsi1sk": {"S": "CUSTOMER#acme"},
            "gsi2pk": {"S": "CUSTOMERS"}, "gsi2sk": {"S": "CUSTOMER#acme"},
            "gsi3pk": {"S": "PARTNER#globex#STATUS#ACTIVE"}, "gsi3sk": {"S": "CUSTOMER#acme"},
            "gsi4pk": {"S": "CUSTOMERS#STATUS#ACTIVE"}, "gsi4sk": {"S": "CUSTOMER#acme"},
            "searchName": {"S": "acme corp"},
            "identifier": {"S": "acme"}, "displayName": {"S": "Acme Corp"}, "status": {"S": "ACTIVE"},
            "managingPartnerId": {"S": "globex"}, "projectQuota": {"N": "5"}, "projectCount": {"N": "2"},
            "tags": {"M": {"costCenter": {"L": [{"S": "1234"}]}}},
            "createdAt": {"S": "2026-01-15T11:30:00Z"}, "createdBy": {"S": "u1"}, "version": {"N": "1"}
        });
        assert_eq!(stored(CustomerItem::from(&customer())), expected);
        // Creation adds the admin counter; the item every later change diffs never has it.
        expected[ADMIN_COUNT] = json!({"N": "2"});
        assert_eq!(stored(NewCustomerItem { item: CustomerItem::from(&customer()), admin_count: 2 }), expected);
    }
}
