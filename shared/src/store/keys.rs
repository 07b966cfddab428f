//! What every key of the single table shares: the [`Key`] type, the partition keys and sort-key
//! prefixes several item kinds use, the index keys and the `entity` names. Each entity module
//! owns its own key constructors (`impl Key` there, e.g. `Key::member` in `members.rs`), which its
//! item type and its reads both use, so the two cannot drift apart. The README's access-pattern
//! table lists them.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::domain::{CustomerIdentifier, CustomerStatus, GeneratedId, PartnerId, ProjectIdentifier, UserId};
use crate::events::EventType;

/// The table's primary key of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

pub(crate) const CUSTOMER_PREFIX: &str = "CUSTOMER#";
pub(crate) const CUSTOMER_SK: &str = "CUSTOMER";
/// Sort-key prefix of a customer's member items.
pub(crate) const MEMBER_PREFIX: &str = "MEMBER#";
/// Sort-key prefix of a customer's invitations (not their `INVITATION_EMAIL#` locks).
pub(crate) const INVITATION_PREFIX: &str = "INVITATION#";
/// Sort-key prefix of the addresses' one-pending-invitation locks.
pub(crate) const INVITATION_EMAIL_PREFIX: &str = "INVITATION_EMAIL#";
pub(crate) const HISTORY_PREFIX: &str = "EVENT#";
/// Sort-key prefix of a customer's projects.
pub(crate) const PROJECT_PREFIX: &str = "PROJECT#";
/// Sort-key prefix of a customer's service users.
pub(crate) const SERVICE_USER_PREFIX: &str = "SERVICE_USER#";
pub(crate) const MESSAGE_PREFIX: &str = "MESSAGE#";
/// Sorts after every history entry (`$` follows `#`) and before the partition's other items.
pub(crate) const HISTORY_END: &str = "EVENT$";
/// Sort-key prefix of the rejection marks in an identifier's rejections partition.
pub(crate) const REJECTION_PREFIX: &str = "REJECTION#";
/// Installation-wide items (events without a customer).
pub(crate) const INSTALLATION_PK: &str = "INSTALLATION";
pub(crate) const TAG_DEFINITIONS_PK: &str = "TAG_DEFINITIONS";
/// The sort-key prefix of the definitions in use (the catalog's Query reads only these).
pub(crate) const TAG_DEFINITION_PREFIX: &str = "TAG#";
pub(crate) const ALL_CUSTOMERS: &str = "CUSTOMERS";

impl Key {
    pub fn into_attributes(self) -> HashMap<String, AttributeValue> {
        HashMap::from([("pk".to_owned(), AttributeValue::S(self.pk)), ("sk".to_owned(), AttributeValue::S(self.sk))])
    }
}

/// The global secondary indexes, all keyed `<name>pk` / `<name>sk`, all projecting every attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    /// Customers of a partner by identifier; memberships of a user by customer; a customer's
    /// history of one event type by time.
    Gsi1,
    /// Every customer by identifier.
    Gsi2,
    /// Customers of a partner in one status, by identifier.
    Gsi3,
    /// Every customer in one status, by identifier.
    Gsi4,
    /// Sparse: the memberships that end, by their end (only member items with `expiresAt`).
    Gsi5,
}

impl Index {
    pub fn name(self) -> &'static str {
        match self {
            Self::Gsi1 => "gsi1",
            Self::Gsi2 => "gsi2",
            Self::Gsi3 => "gsi3",
            Self::Gsi4 => "gsi4",
            Self::Gsi5 => "gsi5",
        }
    }

    pub fn partition_attribute(self) -> &'static str {
        match self {
            Self::Gsi1 => "gsi1pk",
            Self::Gsi2 => "gsi2pk",
            Self::Gsi3 => "gsi3pk",
            Self::Gsi4 => "gsi4pk",
            Self::Gsi5 => "gsi5pk",
        }
    }

    pub fn sort_attribute(self) -> &'static str {
        match self {
            Self::Gsi1 => "gsi1sk",
            Self::Gsi2 => "gsi2sk",
            Self::Gsi3 => "gsi3sk",
            Self::Gsi4 => "gsi4sk",
            Self::Gsi5 => "gsi5sk",
        }
    }
}

pub fn customer_pk(customer: &CustomerIdentifier) -> String {
    format!("{CUSTOMER_PREFIX}{customer}")
}

/// Sort key of a customer in every customer index, and the prefix an identifier search uses.
pub fn customer_sort_key(identifier_or_prefix: &str) -> String {
    format!("{CUSTOMER_PREFIX}{identifier_or_prefix}")
}

pub fn partner_customers(partner: &PartnerId) -> String {
    format!("PARTNER#{partner}")
}

pub fn all_customers() -> String {
    ALL_CUSTOMERS.to_owned()
}

pub fn partner_customers_in_status(partner: &PartnerId, status: CustomerStatus) -> String {
    format!("PARTNER#{partner}#STATUS#{}", status.as_str())
}

pub fn all_customers_in_status(status: CustomerStatus) -> String {
    format!("{ALL_CUSTOMERS}#STATUS#{}", status.as_str())
}

/// A user's inbox: their copies of the messages sent to the customers they belong to.
pub fn inbox_pk(user: &UserId) -> String {
    format!("INBOX#{user}")
}

/// The one gsi5 partition of the memberships that end. One key takes 1,000 writes a second;
/// ends are set far more rarely (see README, "Memberships that end").
pub const MEMBERSHIP_ENDS: &str = "MEMBERSHIP_ENDS";

/// A membership's gsi5 sort key: `<expiresAt>#<customer>#<user>`, so that a range of the index
/// is the memberships ending in a range of time. `expires_at` is RFC 3339 with milliseconds.
pub fn membership_end_sort_key(expires_at: &str, customer: &CustomerIdentifier, user: &UserId) -> String {
    format!("{expires_at}#{customer}#{user}")
}

pub fn user_memberships(user: &UserId) -> String {
    format!("USER#{user}")
}

/// A customer's history entries of one event type (on gsi1, sorted like the history itself).
pub fn history_of_type(customer: Option<&CustomerIdentifier>, event_type: &str) -> String {
    format!("HISTORY#{}#{event_type}", event_pk(customer, event_type))
}

pub fn history_sk(occurred_at: &str, event: GeneratedId) -> String {
    format!("{HISTORY_PREFIX}{occurred_at}#{event}")
}

/// The sort-key prefix of one project's tenants. The `#` after the identifier (which never holds
/// one) keeps project `web` from reading the tenants of project `web-shop`.
pub fn tenants_of(project: &ProjectIdentifier) -> String {
    format!("TENANT#{project}#")
}

pub fn tag_definitions() -> String {
    TAG_DEFINITIONS_PK.to_owned()
}

/// The partition an event's outbox and history items live in: its customer's, the
/// installation's for events without a customer, and for CUSTOMER_REJECTED the identifier's
/// rejections partition, since the customer's own is emptied for whoever takes the identifier next.
pub fn event_pk(customer: Option<&CustomerIdentifier>, event_type: &str) -> String {
    match customer {
        None => INSTALLATION_PK.to_owned(),
        Some(customer) if event_type == EventType::CustomerRejected.as_str() => rejections_pk(customer),
        Some(customer) => customer_pk(customer),
    }
}

/// The declined registrations of an identifier: their history entries and rejection marks.
pub fn rejections_pk(customer: &CustomerIdentifier) -> String {
    format!("REJECTED#{customer}")
}

/// The `entity` attribute every item carries; the stream filter selects `OUTBOX`.
pub mod entity {
    pub const CUSTOMER: &str = "CUSTOMER";
    pub const MEMBER: &str = "MEMBER";
    pub const MEMBER_EMAIL: &str = "MEMBER_EMAIL";
    pub const MEMBERSHIP_CHANGE: &str = "MEMBERSHIP_CHANGE";
    pub const MEMBERSHIP_SNAPSHOT: &str = "MEMBERSHIP_SNAPSHOT";
    pub const INVITATION: &str = "INVITATION";
    pub const INVITATION_EMAIL: &str = "INVITATION_EMAIL";
    pub const INVITATION_ADDRESSES: &str = "INVITATION_ADDRESSES";
    pub const INVITATION_LINK: &str = "INVITATION_LINK";
    pub const OUTBOX: &str = "OUTBOX";
    pub const HISTORY: &str = "HISTORY";
    pub const DELIVERY: &str = "DELIVERY";
    pub const EMAIL_CONFIRMATION: &str = "EMAIL_CONFIRMATION";
    pub const TAG_DEFINITION: &str = "TAG_DEFINITION";
    pub const RETIRED_TAG: &str = "RETIRED_TAG";
    pub const TAG_DEFINITION_COUNT: &str = "TAG_DEFINITION_COUNT";
    pub const PROJECT: &str = "PROJECT";
    pub const TENANT: &str = "TENANT";
    pub const SERVICE_USER: &str = "SERVICE_USER";
    pub const MESSAGE: &str = "MESSAGE";
    pub const INBOX: &str = "INBOX";
    pub const PENDING_REGISTRATION: &str = "PENDING_REGISTRATION";
    pub const REJECTION: &str = "REJECTION";
    pub const API_KEY: &str = "API_KEY";
    pub const OWNED_API_KEY: &str = "OWNED_API_KEY";
    pub const API_KEY_COUNT: &str = "API_KEY_COUNT";
    pub const ACCESS_REVIEW: &str = "ACCESS_REVIEW";
}
