//! How domain values are laid out as items of the single table.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use super::keys::{self, entity};
use crate::domain::{Customer, Invitation, Membership, TagDefinition};
use crate::events::DomainEvent;

/// An item as stored. Empty maps and lists are left out (and read back as empty through
/// `#[serde(default)]`): DynamoDB Local's stream renders an empty map without its type, which
/// no SDK can decode.
pub fn to_item(value: impl Serialize) -> Result<HashMap<String, AttributeValue>, serde_dynamo::Error> {
    let mut item: HashMap<String, AttributeValue> = serde_dynamo::to_item(value)?;
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
    pub pk: String,
    pub sk: String,
    pub entity: String,
    /// Partner's customers, by identifier.
    pub gsi1pk: String,
    pub gsi1sk: String,
    /// Every customer, by identifier (platform admins).
    pub gsi2pk: String,
    pub gsi2sk: String,
    /// Lowercase display name, for prefix search.
    pub search_name: String,
    #[serde(flatten)]
    pub customer: Customer,
}

impl From<&Customer> for CustomerItem {
    fn from(customer: &Customer) -> Self {
        let id = customer.identifier.as_str();
        Self {
            pk: keys::customer_pk(id),
            sk: keys::CUSTOMER_SK.to_owned(),
            entity: entity::CUSTOMER.to_owned(),
            gsi1pk: keys::partner_pk(customer.managing_partner_id.as_str()),
            gsi1sk: keys::customer_pk(id),
            gsi2pk: keys::ALL_CUSTOMERS.to_owned(),
            gsi2sk: keys::customer_pk(id),
            search_name: customer.display_name.search_key(),
            customer: customer.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberItem {
    pub pk: String,
    pub sk: String,
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
            pk: keys::customer_pk(membership.customer_id.as_str()),
            sk: keys::member_sk(membership.user_id.as_str()),
            entity: entity::MEMBER.to_owned(),
            gsi1pk: keys::user_pk(membership.user_id.as_str()),
            gsi1sk: keys::customer_pk(membership.customer_id.as_str()),
            membership: membership.clone(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    #[serde(flatten)]
    pub invitation: Invitation,
}

impl From<&Invitation> for InvitationItem {
    fn from(invitation: &Invitation) -> Self {
        Self {
            pk: keys::customer_pk(invitation.customer_id.as_str()),
            sk: keys::invitation_sk(&invitation.id.to_string()),
            entity: entity::INVITATION.to_owned(),
            invitation: invitation.clone(),
        }
    }
}

/// Exists while an invitation for this address is pending: one pending invitation per address.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvitationEmailItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    pub invitation_id: String,
}

impl From<&Invitation> for InvitationEmailItem {
    fn from(invitation: &Invitation) -> Self {
        Self {
            pk: keys::customer_pk(invitation.customer_id.as_str()),
            sk: keys::invitation_email_sk(invitation.email.as_str()),
            entity: entity::INVITATION_EMAIL.to_owned(),
            invitation_id: invitation.id.to_string(),
        }
    }
}

/// A domain event waiting for the stream publisher; the `detail` is the EventBridge detail verbatim.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutboxItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    pub event_id: String,
    pub event_type: String,
    pub detail: String,
    pub ttl: i64,
}

impl OutboxItem {
    pub fn new(event: &DomainEvent, now: DateTime<Utc>) -> Result<Self, serde_json::Error> {
        let event_id = event.event_id.to_string();
        Ok(Self {
            pk: keys::event_pk(event.customer_id.as_ref().map(|id| id.as_str())),
            sk: keys::outbox_sk(&event_id),
            entity: entity::OUTBOX.to_owned(),
            event_type: event.event_type().to_owned(),
            detail: serde_json::to_string(event)?,
            event_id,
            ttl: (now + OUTBOX_TTL).timestamp(),
        })
    }
}

/// An entry of a customer's account history, written once per event id.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    pub event_id: String,
    pub event_type: String,
    pub occurred_at: String,
    pub detail: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagDefinitionItem {
    pub pk: String,
    pub sk: String,
    pub entity: String,
    #[serde(flatten)]
    pub definition: TagDefinition,
}

impl From<&TagDefinition> for TagDefinitionItem {
    fn from(definition: &TagDefinition) -> Self {
        Self {
            pk: keys::TAG_DEFINITIONS_PK.to_owned(),
            sk: keys::tag_definition_sk(definition.key.as_str()),
            entity: entity::TAG_DEFINITION.to_owned(),
            definition: definition.clone(),
        }
    }
}
