//! How domain values are laid out as items of the single table. Each item type takes its key
//! from [`Key`], and reads build their keys with the same constructors.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

use super::StoreError;
use super::keys::{self, Key, entity};
use crate::domain::{
    Customer, CustomerIdentifier, EmailAddress, EmailConfirmation, GeneratedId, Invitation, InvitationLink, Membership,
    Message, MessageMode, Project, ServiceUser, TagDefinition, Tenant, TokenHash, UserId,
};
use crate::events::{DomainEvent, EventEnvelope, rfc3339_millis};

pub type Item = HashMap<String, AttributeValue>;

/// An item as stored. Empty maps and lists are left out (and read back as empty through
/// `#[serde(default)]`): DynamoDB Local's stream renders an empty map without its type, which
/// no SDK can decode.
pub fn to_item(value: impl Serialize) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(value)?;
    item.retain(|_, value| match value {
        AttributeValue::M(map) => !map.is_empty(),
        AttributeValue::L(list) => !list.is_empty(),
        _ => true,
    });
    Ok(item)
}

/// How long an outbox item outlives its write: long enough for the stream (24 h retention).
const OUTBOX_TTL: Duration = Duration::hours(48);

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

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    /// A user's memberships, by customer.
    pub gsi1pk: String,
    pub gsi1sk: String,
    #[serde(flatten)]
    pub membership: Membership,
}

impl From<&Membership> for MemberItem {
    fn from(membership: &Membership) -> Self {
        Self {
            key: Key::member(&membership.customer_id, &membership.user_id),
            entity: entity::MEMBER.to_owned(),
            gsi1pk: keys::user_memberships(&membership.user_id),
            gsi1sk: keys::customer_pk(&membership.customer_id),
            membership: membership.clone(),
        }
    }
}

/// The attribute of an invitation item that names its current link (the token's hash); not part
/// of the invitation resource.
pub const LINK_HASH: &str = "linkHash";

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    /// Set by the email sender when it mails a link; a whole-item write of the invitation (a
    /// resend, a cancellation) drops it, so no link of an earlier version works any more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_hash: Option<TokenHash>,
    #[serde(flatten)]
    pub invitation: Invitation,
}

impl From<&Invitation> for InvitationItem {
    fn from(invitation: &Invitation) -> Self {
        Self {
            key: Key::invitation(&invitation.customer_id, invitation.id),
            entity: entity::INVITATION.to_owned(),
            link_hash: None,
            invitation: invitation.clone(),
        }
    }
}

/// Names the invitation pending for this address until its expiry: one pending invitation per
/// address. A new invitation may take it over once `expiresAt` has passed.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationEmailItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    pub invitation_id: String,
    #[serde(with = "crate::events::rfc3339_millis")]
    pub expires_at: DateTime<Utc>,
}

impl From<&Invitation> for InvitationEmailItem {
    fn from(invitation: &Invitation) -> Self {
        Self {
            key: Key::invitation_email(&invitation.customer_id, &invitation.email),
            entity: entity::INVITATION_EMAIL.to_owned(),
            invitation_id: invitation.id.to_string(),
            expires_at: invitation.expires_at,
        }
    }
}

/// The attribute of a customer's invitation-addresses item: the string set of the addresses
/// whose invitation lock is held (see [`Key::invitation_addresses`]).
pub const ADDRESSES: &str = "addresses";

/// The invitation-addresses item as a creation with invitations writes it; later invitations
/// `ADD` to the set and whatever frees a lock `DELETE`s from it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationAddressesItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    #[serde(with = "serde_dynamo::string_set")]
    pub addresses: Vec<String>,
}

impl InvitationAddressesItem {
    /// The item of `invitations` (of one customer, to distinct addresses); `None` without any.
    pub fn of(invitations: &[Invitation]) -> Option<Self> {
        let first = invitations.first()?;
        Some(Self {
            key: Key::invitation_addresses(&first.customer_id),
            entity: entity::INVITATION_ADDRESSES.to_owned(),
            addresses: invitations.iter().map(|invitation| invitation.email.to_string()).collect(),
        })
    }
}

/// The attribute of a member-address item: the string set of the members with the address.
pub const USER_IDS: &str = "userIds";

/// The members of a customer with one address, as a creation writes it; later joins and
/// removals `ADD` to and `DELETE` from the set (an empty set leaves the item without it).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberEmailItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    #[serde(with = "serde_dynamo::string_set")]
    pub user_ids: Vec<String>,
}

impl MemberEmailItem {
    /// The address items of `members` (those with an address), one per address.
    pub fn of(members: &[Membership]) -> Vec<Self> {
        let mut by_email: BTreeMap<(&CustomerIdentifier, &EmailAddress), Vec<String>> = BTreeMap::new();
        for member in members {
            if let Some(email) = &member.email {
                by_email.entry((&member.customer_id, email)).or_default().push(member.user_id.to_string());
            }
        }
        by_email
            .into_iter()
            .map(|((customer, email), user_ids)| Self {
                key: Key::member_email(customer, email),
                entity: entity::MEMBER_EMAIL.to_owned(),
                user_ids,
            })
            .collect()
    }
}

/// How long an invitation link's record outlives its expiry: meanwhile a late click is told
/// why the link no longer works (410) rather than that it is unknown (404).
const INVITATION_LINK_KEPT: Duration = Duration::days(30);

/// An invitation link's record, keyed by its token's hash (never the token).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationLinkItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    pub ttl: i64,
    #[serde(flatten)]
    pub link: InvitationLink,
}

impl From<&InvitationLink> for InvitationLinkItem {
    fn from(link: &InvitationLink) -> Self {
        Self {
            key: Key::invitation_link(&link.token_hash),
            entity: entity::INVITATION_LINK.to_owned(),
            ttl: (link.expires_at + INVITATION_LINK_KEPT).timestamp(),
            link: link.clone(),
        }
    }
}

/// A domain event waiting for the stream publisher; the `detail` is the EventBridge detail verbatim.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    pub event_id: String,
    pub event_type: String,
    pub detail: String,
    pub ttl: i64,
}

impl OutboxItem {
    pub fn new(event: &DomainEvent, now: DateTime<Utc>) -> Result<Self, serde_json::Error> {
        Ok(Self {
            key: Key::outbox(event.customer_id.as_ref(), event.event_type().as_str(), event.event_id),
            entity: entity::OUTBOX.to_owned(),
            event_id: event.event_id.to_string(),
            event_type: event.event_type().to_string(),
            detail: serde_json::to_string(event)?,
            ttl: (now + OUTBOX_TTL).timestamp(),
        })
    }
}

/// A message sent to a customer's members. Its counters (`acknowledgedCount`, `recipientCount`)
/// and the SINGLE_READ resolution are updated in place by acknowledgements and the fan-out.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    #[serde(flatten)]
    pub message: Message,
}

impl From<&Message> for MessageItem {
    fn from(message: &Message) -> Self {
        Self {
            key: Key::message(&message.customer_id, message.message_id),
            entity: entity::MESSAGE.to_owned(),
            message: message.clone(),
        }
    }
}

/// How long an acknowledged inbox entry is kept before DynamoDB's TTL removes it.
pub const ACKNOWLEDGED_INBOX_TTL: Duration = Duration::days(30);

/// One recipient's copy of a message: enough to find the message and to acknowledge it. What
/// it shows (text, sender, whether it is resolved) is read from the message itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    pub user_id: UserId,
    pub customer_id: CustomerIdentifier,
    pub message_id: GeneratedId,
    pub mode: MessageMode,
    #[serde(with = "rfc3339_millis")]
    pub sent_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<i64>,
}

impl InboxItem {
    /// `user`'s copy of `message`, not yet acknowledged.
    pub fn new(message: &Message, user: &UserId) -> Self {
        Self {
            key: Key::inbox(user, message.message_id),
            entity: entity::INBOX.to_owned(),
            user_id: user.clone(),
            customer_id: message.customer_id.clone(),
            message_id: message.message_id,
            mode: message.mode,
            sent_at: message.sent_at,
            acknowledged_at: None,
            ttl: None,
        }
    }
}

/// An entry of a customer's account history, written once per event id.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    /// The customer's entries of one event type, by time.
    pub gsi1pk: String,
    pub gsi1sk: String,
    pub event_id: String,
    pub event_type: String,
    pub occurred_at: String,
    pub detail: String,
}

impl HistoryItem {
    pub fn new(envelope: &EventEnvelope, detail: &serde_json::Value) -> Self {
        let occurred_at = rfc3339_millis::format(&envelope.occurred_at);
        let customer = envelope.customer_id.as_ref();
        Self {
            key: Key::history(customer, &envelope.event_type, &occurred_at, envelope.event_id),
            entity: entity::HISTORY.to_owned(),
            gsi1pk: keys::history_of_type(customer, &envelope.event_type),
            gsi1sk: keys::history_sk(&occurred_at, envelope.event_id),
            event_id: envelope.event_id.to_string(),
            event_type: envelope.event_type.clone(),
            occurred_at,
            detail: detail.to_string(),
        }
    }
}

/// How long a confirmation link's record outlives its expiry: meanwhile a late click is told
/// that the link expired (410) rather than that it is unknown (404).
const EMAIL_CONFIRMATION_KEPT: Duration = Duration::days(30);

/// An e-mail confirmation link's record, keyed by its token's hash (never the token).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailConfirmationItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    pub ttl: i64,
    #[serde(flatten)]
    pub confirmation: EmailConfirmation,
}

impl From<&EmailConfirmation> for EmailConfirmationItem {
    fn from(confirmation: &EmailConfirmation) -> Self {
        Self {
            key: Key::email_confirmation(&confirmation.token_hash),
            entity: entity::EMAIL_CONFIRMATION.to_owned(),
            ttl: (confirmation.expires_at + EMAIL_CONFIRMATION_KEPT).timestamp(),
            confirmation: confirmation.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagDefinitionItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    #[serde(flatten)]
    pub definition: TagDefinition,
}

impl From<&TagDefinition> for TagDefinitionItem {
    fn from(definition: &TagDefinition) -> Self {
        Self {
            key: Key::tag_definition(&definition.key),
            entity: entity::TAG_DEFINITION.to_owned(),
            definition: definition.clone(),
        }
    }
}

/// A deleted definition, as it was when deleted: its key is never defined again, and customers'
/// values stored under it can still be removed by whoever could write it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetiredTagItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    #[serde(flatten)]
    pub definition: TagDefinition,
    #[serde(with = "crate::events::rfc3339_millis")]
    pub retired_at: DateTime<Utc>,
}

impl RetiredTagItem {
    pub fn new(definition: &TagDefinition, retired_at: DateTime<Utc>) -> Self {
        Self {
            key: Key::retired_tag(&definition.key),
            entity: entity::RETIRED_TAG.to_owned(),
            definition: definition.clone(),
            retired_at,
        }
    }
}

/// The attribute that counts a customer's projects, on its customer item: kept by the project
/// slot reservation alone, never by a customer change (see `store::projects`).
pub const PROJECT_COUNT: &str = "projectCount";

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

/// Golden items: every attribute of each item kind, so a layout change is a deliberate one.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::authorization::Role;
    use crate::domain::*;
    use crate::events::{Actor, EventPayload};
    use chrono::TimeZone;
    use serde_json::{Value, json};

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 15, 11, 30, 0).unwrap()
    }

    /// The item in DynamoDB's JSON form, for readable literals.
    fn stored(value: impl Serialize) -> Value {
        let item = to_item(value).unwrap();
        let json: serde_dynamo::Item = item.into();
        let mut map = serde_json::Map::new();
        for (name, value) in json.into_inner() {
            map.insert(name, serde_json::to_value(value).unwrap());
        }
        Value::Object(map)
    }

    fn acme() -> CustomerIdentifier {
        CustomerIdentifier::parse("acme").unwrap()
    }

    fn customer() -> Customer {
        let mut customer = Customer::new(
            acme(),
            DisplayName::parse("Acme Corp").unwrap(),
            CustomerStatus::Active,
            PartnerId::parse("globex").unwrap(),
            ProjectQuota::parse(5).unwrap(),
            TagValues::from([(TagKey::parse("costCenter").unwrap(), vec!["1234".to_owned()])]),
            UserId::parse("u1").unwrap(),
            at(),
        );
        customer.project_count = 2;
        customer
    }

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

    #[test]
    fn member_item() {
        let mut membership = Membership::new(
            acme(),
            UserId::parse("u1").unwrap(),
            Some(EmailAddress::parse("jo@acme.example").unwrap()),
            Some("Jo".to_owned()),
            CustomerRole::CustomerAdmin,
            JoinedVia::SelfAssignment,
            at(),
        );
        membership.version = 3;
        assert_eq!(
            stored(MemberItem::from(&membership)),
            json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "MEMBER#u1"}, "entity": {"S": "MEMBER"},
                "gsi1pk": {"S": "USER#u1"}, "gsi1sk": {"S": "CUSTOMER#acme"},
                "customerId": {"S": "acme"}, "userId": {"S": "u1"}, "email": {"S": "jo@acme.example"},
                "name": {"S": "Jo"}, "role": {"S": "CUSTOMER_ADMIN"}, "joinedAt": {"S": "2026-01-15T11:30:00Z"},
                "joinedVia": {"S": "SELF_ASSIGNMENT"}, "version": {"N": "3"}
            })
        );
    }

    #[test]
    fn invitation_items() {
        let mut invitation = Invitation::new(
            acme(),
            EmailAddress::parse("jane@example.com").unwrap(),
            CustomerRole::CustomerEmployee,
            UserId::parse("u1").unwrap(),
            at(),
            Duration::hours(168),
        );
        invitation.id = GeneratedId::parse("019bc165-0000-7000-8000-000000000001").unwrap();
        let mut expected = json!({
            "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "INVITATION#019bc165-0000-7000-8000-000000000001"},
            "entity": {"S": "INVITATION"}, "id": {"S": "019bc165-0000-7000-8000-000000000001"},
            "customerId": {"S": "acme"}, "email": {"S": "jane@example.com"}, "role": {"S": "CUSTOMER_EMPLOYEE"},
            "status": {"S": "PENDING"}, "invitedBy": {"S": "u1"}, "createdAt": {"S": "2026-01-15T11:30:00Z"},
            "expiresAt": {"S": "2026-01-22T11:30:00.000Z"}, "version": {"N": "1"}
        });
        assert_eq!(stored(InvitationItem::from(&invitation)), expected);
        let cancelled = invitation.cancelled(&UserId::parse("u2").unwrap(), at());
        let mut item = InvitationItem::from(&cancelled);
        item.link_hash = Some(TokenHash::parse(&"a".repeat(64)).unwrap());
        for (name, value) in [
            ("status", json!({"S": "CANCELLED"})),
            ("version", json!({"N": "2"})),
            ("cancelledBy", json!({"S": "u2"})),
            ("cancelledAt", json!({"S": "2026-01-15T11:30:00Z"})),
            ("linkHash", json!({"S": "a".repeat(64)})),
        ] {
            expected[name] = value;
        }
        assert_eq!(stored(item), expected);
        assert_eq!(
            stored(InvitationEmailItem::from(&invitation)),
            json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "INVITATION_EMAIL#jane@example.com"},
                "entity": {"S": "INVITATION_EMAIL"}, "invitationId": {"S": "019bc165-0000-7000-8000-000000000001"},
                "expiresAt": {"S": "2026-01-22T11:30:00.000Z"}
            })
        );
        let hash = "0f007385b6f9d4b7eeb2748605afe1a984a0a3bfa3f014d09e2a784ce9e5cd1a";
        let link = InvitationLink {
            token_hash: TokenHash::parse(hash).unwrap(),
            customer_id: acme(),
            invitation_id: invitation.id,
            email: invitation.email.clone(),
            role: invitation.role,
            version: 1,
            created_at: at(),
            expires_at: invitation.expires_at,
        };
        assert_eq!(
            stored(InvitationLinkItem::from(&link)),
            json!({
                "pk": {"S": format!("INVITATION_LINK#{hash}")}, "sk": {"S": "INVITATION_LINK"},
                "entity": {"S": "INVITATION_LINK"},
                "ttl": {"N": (invitation.expires_at + INVITATION_LINK_KEPT).timestamp().to_string()},
                "tokenHash": {"S": hash}, "customerId": {"S": "acme"},
                "invitationId": {"S": "019bc165-0000-7000-8000-000000000001"}, "email": {"S": "jane@example.com"},
                "role": {"S": "CUSTOMER_EMPLOYEE"}, "version": {"N": "1"}, "createdAt": {"S": "2026-01-15T11:30:00Z"},
                "expiresAt": {"S": "2026-01-22T11:30:00.000Z"}
            })
        );
    }

    #[test]
    fn member_email_items_group_the_members_of_an_address() {
        let member = |user: &str, email: Option<&str>| {
            Membership::new(
                acme(),
                UserId::parse(user).unwrap(),
                email.map(|e| EmailAddress::parse(e).unwrap()),
                None,
                CustomerRole::CustomerAdmin,
                JoinedVia::Registration,
                at(),
            )
        };
        let members =
            [member("u1", Some("jo@acme.example")), member("u2", None), member("u3", Some("Jo@Acme.example"))];
        let items: Vec<Value> = MemberEmailItem::of(&members).into_iter().map(stored).collect();
        assert_eq!(
            items,
            [json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "MEMBER_EMAIL#jo@acme.example"},
                "entity": {"S": "MEMBER_EMAIL"}, "userIds": {"SS": ["u1", "u3"]}
            })]
        );
    }

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

    fn event() -> DomainEvent {
        let actor = Actor { user_id: UserId::parse("u1").unwrap(), email: None, role: Role::PartnerAdmin };
        let mut event = DomainEvent::new(
            &acme(),
            actor,
            at(),
            EventPayload::CustomerQuotaEdited(crate::events::Change { from: 5, to: 7 }),
        );
        event.event_id = GeneratedId::parse("019bc165-0000-7000-8000-000000000002").unwrap();
        event
    }

    #[test]
    fn outbox_item() {
        let event = event();
        let detail = serde_json::to_string(&event).unwrap();
        assert_eq!(
            stored(OutboxItem::new(&event, at()).unwrap()),
            json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "OUTBOX#019bc165-0000-7000-8000-000000000002"},
                "entity": {"S": "OUTBOX"}, "eventId": {"S": "019bc165-0000-7000-8000-000000000002"},
                "eventType": {"S": "CUSTOMER_QUOTA_EDITED"}, "detail": {"S": detail},
                "ttl": {"N": (at() + OUTBOX_TTL).timestamp().to_string()}
            })
        );
    }

    #[test]
    fn history_item() {
        let detail = serde_json::to_value(event()).unwrap();
        let envelope: EventEnvelope = serde_json::from_value(detail.clone()).unwrap();
        let sk = "EVENT#2026-01-15T11:30:00.000Z#019bc165-0000-7000-8000-000000000002";
        assert_eq!(
            stored(HistoryItem::new(&envelope, &detail)),
            json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": sk}, "entity": {"S": "HISTORY"},
                "gsi1pk": {"S": "HISTORY#CUSTOMER#acme#CUSTOMER_QUOTA_EDITED"}, "gsi1sk": {"S": sk},
                "eventId": {"S": "019bc165-0000-7000-8000-000000000002"}, "eventType": {"S": "CUSTOMER_QUOTA_EDITED"},
                "occurredAt": {"S": "2026-01-15T11:30:00.000Z"}, "detail": {"S": detail.to_string()}
            })
        );
    }

    #[test]
    fn email_confirmation_item() {
        let hash = "0f007385b6f9d4b7eeb2748605afe1a984a0a3bfa3f014d09e2a784ce9e5cd1a";
        let confirmation = EmailConfirmation {
            token_hash: TokenHash::parse(hash).unwrap(),
            customer_id: acme(),
            managing_partner_id: PartnerId::parse("default").unwrap(),
            user_id: UserId::parse("u1").unwrap(),
            email: EmailAddress::parse("jo@acme.example").unwrap(),
            approval_event_id: GeneratedId::parse("019bc165-0000-7000-8000-000000000003").unwrap(),
            created_at: at(),
            expires_at: at() + Duration::hours(72),
            used_at: None,
        };
        assert_eq!(
            stored(EmailConfirmationItem::from(&confirmation)),
            json!({
                "pk": {"S": format!("EMAIL_CONFIRMATION#{hash}")}, "sk": {"S": "EMAIL_CONFIRMATION"},
                "entity": {"S": "EMAIL_CONFIRMATION"},
                "ttl": {"N": (at() + Duration::hours(72) + EMAIL_CONFIRMATION_KEPT).timestamp().to_string()},
                "tokenHash": {"S": hash}, "customerId": {"S": "acme"}, "managingPartnerId": {"S": "default"},
                "userId": {"S": "u1"}, "email": {"S": "jo@acme.example"},
                "approvalEventId": {"S": "019bc165-0000-7000-8000-000000000003"},
                "createdAt": {"S": "2026-01-15T11:30:00Z"}, "expiresAt": {"S": "2026-01-18T11:30:00Z"}
            })
        );
    }

    #[test]
    fn tag_definition_item() {
        let definition = TagDefinition {
            key: TagKey::parse("billing").unwrap(),
            display_name: DisplayName::parse("Billing").unwrap(),
            description: String::new(),
            value_type: TagValueType::SingleSelect { options: vec!["card".to_owned()] },
            mandatory: true,
            restricted: true,
            version: 2,
        };
        assert_eq!(
            stored(TagDefinitionItem::from(&definition)),
            json!({
                "pk": {"S": "TAG_DEFINITIONS"}, "sk": {"S": "TAG#billing"}, "entity": {"S": "TAG_DEFINITION"},
                "key": {"S": "billing"}, "displayName": {"S": "Billing"}, "description": {"S": ""},
                "valueType": {"S": "SINGLE_SELECT"}, "options": {"L": [{"S": "card"}]},
                "mandatory": {"BOOL": true}, "restricted": {"BOOL": true}, "version": {"N": "2"}
            })
        );
        assert_eq!(
            stored(RetiredTagItem::new(&definition, at())),
            json!({
                "pk": {"S": "TAG_DEFINITIONS"}, "sk": {"S": "RETIRED#billing"}, "entity": {"S": "RETIRED_TAG"},
                "key": {"S": "billing"}, "displayName": {"S": "Billing"}, "description": {"S": ""},
                "valueType": {"S": "SINGLE_SELECT"}, "options": {"L": [{"S": "card"}]},
                "mandatory": {"BOOL": true}, "restricted": {"BOOL": true}, "version": {"N": "2"},
                "retiredAt": {"S": "2026-01-15T11:30:00.000Z"}
            })
        );
    }
}
