//! Domain events: the contract published on EventBridge (`detail`), documented by a JSON Schema
//! per type in `events/schemas/`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use crate::authorization::Role;
use crate::domain::{
    ApiKey, ApiKeyRole, Customer, CustomerIdentifier, CustomerRole, CustomerStatus, EmailAddress, FieldError,
    GeneratedId, Invitation, KeyOwner, MessageMode, MessageText, PartnerId, Project, ProjectIdentifier, Reason,
    ReviewNote, ServiceUser, TagDefinition, TagKey, TagValues, Tenant, UserId,
};
use crate::principal::Principal;

/// The EventBridge `source` of every event.
pub const EVENT_SOURCE: &str = "meshcustomers";

/// EventBridge accepts an entry only below 256 KB, counted as [`entry_size`] counts.
pub const MAX_ENTRY_BYTES: usize = 256 * 1024;

/// The size EventBridge counts for an entry: the UTF-8 bytes of source, detail-type and detail
/// (no time and no resources are sent).
pub fn entry_size(detail_type: &str, detail: &str) -> usize {
    EVENT_SOURCE.len() + detail_type.len() + detail.len()
}

/// Who caused an event, and in which role the action was allowed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    /// A person's `sub`; `apikey:<keyId>` for a program's key.
    pub user_id: UserId,
    pub email: Option<EmailAddress>,
    pub role: Role,
    /// The key a program acted with (`apiKeyId`, `apiKeyName`); absent for people.
    #[serde(flatten, default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<ActorKey>,
}

/// The API key behind an event, named in its actor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActorKey {
    pub api_key_id: GeneratedId,
    pub api_key_name: String,
}

impl Actor {
    pub fn new(principal: &Principal, role: Role) -> Self {
        let api_key =
            principal.api_key().map(|key| ActorKey { api_key_id: key.key_id, api_key_name: key.name.clone() });
        Self { user_id: principal.user_id.clone(), email: principal.email.clone(), role, api_key }
    }

    /// The product itself, acting on its schedule: `{userId: "system", email: null, role: SYSTEM}`
    /// (the role, not the id, tells it from a person).
    pub fn system() -> Self {
        Self {
            user_id: UserId::parse("system").expect("a valid user id"),
            email: None,
            role: Role::System,
            api_key: None,
        }
    }
}

/// The `detail` of an EventBridge event: envelope fields plus `type` and `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DomainEvent {
    pub event_id: GeneratedId,
    /// The customer the event belongs to; `null` only for installation-wide events.
    pub customer_id: Option<CustomerIdentifier>,
    #[serde(with = "rfc3339_millis")]
    pub occurred_at: DateTime<Utc>,
    pub actor: Actor,
    #[serde(flatten)]
    pub payload: EventPayload,
}

impl DomainEvent {
    pub fn new(
        customer_id: &CustomerIdentifier,
        actor: Actor,
        occurred_at: DateTime<Utc>,
        payload: EventPayload,
    ) -> Self {
        Self { event_id: GeneratedId::new(), customer_id: Some(customer_id.clone()), occurred_at, actor, payload }
    }

    /// An installation-wide event: it belongs to no customer (`customerId` is null).
    pub fn installation(actor: Actor, occurred_at: DateTime<Utc>, payload: EventPayload) -> Self {
        Self { event_id: GeneratedId::new(), customer_id: None, occurred_at, actor, payload }
    }

    pub fn event_type(&self) -> EventType {
        self.payload.event_type()
    }
}

/// One variant per event type; `type` and `data` of the detail. [`EventType`] is derived from it,
/// so the list of types is never restated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, strum::EnumDiscriminants)]
#[serde(tag = "type", content = "data", rename_all = "SCREAMING_SNAKE_CASE")]
#[strum_discriminants(
    name(EventType),
    derive(Hash, PartialOrd, Ord, strum::EnumIter, strum::IntoStaticStr, strum::Display, strum::EnumString),
    strum(serialize_all = "SCREAMING_SNAKE_CASE")
)]
pub enum EventPayload {
    CustomerRegistered(CustomerSnapshot),
    CustomerCreated(CustomerSnapshot),
    UserInvited(UserInvited),
    UserAcceptedInvitation(UserAcceptedInvitation),
    UserInvitationCancelled(UserInvitationCancelled),
    UserRemoved(UserRemoved),
    UserRoleChanged(UserRoleChanged),
    /// A member's end set, moved or cleared (SPEC §6.3).
    MembershipExpiryChanged(MembershipExpiryChanged),
    /// A membership ends within `MEMBERSHIP_EXPIRY_WARNING_DAYS`: the member is mailed, once.
    MembershipExpiring(MembershipExpiring),
    /// A customer admin reviewed who keeps access (SPEC §6.3).
    AccessReviewed(AccessReviewed),
    CustomerQuotaEdited(Change<u32>),
    UserAssignedHimself(UserAssignedHimself),
    CustomerStatusChanged(CustomerStatusChanged),
    CustomerApproved(CustomerApproved),
    CustomerRejected(CustomerRejected),
    CustomerUpdated(CustomerUpdated),
    CustomerTagsEdited(CustomerTagsEdited),
    EmailConfirmed(EmailConfirmed),
    MessageSent(MessageSent),
    MessageAcknowledged(MessageAcknowledged),
    ProjectCreated(ProjectCreated),
    TenantCreated(TenantCreated),
    ServiceUserCreated(ServiceUserCreated),
    /// Beyond the SPEC: a service user removed (`DELETE /customers/{id}/service-users/{serviceUserId}`).
    ServiceUserDeleted(ServiceUserDeleted),
    TagDefinitionCreated(TagDefinition),
    TagDefinitionUpdated(TagDefinitionUpdated),
    TagDefinitionDeleted(TagDefinition),
    /// A program's key made (SPEC §6.2); a partner's key's event is installation-wide.
    ApiKeyCreated(ApiKeyCreated),
    ApiKeyRevoked(ApiKeyRevoked),
}

impl EventPayload {
    pub fn event_type(&self) -> EventType {
        self.into()
    }
}

impl EventType {
    /// The name on the bus (`detail-type`) and in the detail (`type`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        raw.parse().map_err(|_| {
            let known: Vec<&str> = <Self as strum::IntoEnumIterator>::iter().map(Self::as_str).collect();
            FieldError::new(format!("must be one of {}", known.join(", ")))
        })
    }

    /// Whether an event of this type says that a membership came, changed or went: the change that
    /// records it logs the membership too (the membership log), and the audit writer looks
    /// whether the customer's log is due for a snapshot. Every type is named, so a new one decides.
    pub fn changes_memberships(self) -> bool {
        match self {
            // A creation may bring members (the store's `NewCustomer` takes them).
            Self::CustomerCreated
            | Self::CustomerRegistered
            | Self::UserAcceptedInvitation
            | Self::UserRemoved
            | Self::UserRoleChanged
            | Self::MembershipExpiryChanged
            | Self::UserAssignedHimself => true,
            Self::UserInvited
            | Self::UserInvitationCancelled
            | Self::MembershipExpiring
            | Self::CustomerQuotaEdited
            | Self::CustomerStatusChanged
            | Self::CustomerApproved
            | Self::CustomerRejected
            | Self::CustomerUpdated
            | Self::CustomerTagsEdited
            | Self::EmailConfirmed
            | Self::MessageSent
            | Self::MessageAcknowledged
            | Self::ProjectCreated
            | Self::TenantCreated
            | Self::ServiceUserCreated
            | Self::ServiceUserDeleted
            | Self::TagDefinitionCreated
            | Self::TagDefinitionUpdated
            | Self::TagDefinitionDeleted
            | Self::ApiKeyCreated
            | Self::ApiKeyRevoked
            // A review's removals each record their own USER_REMOVED.
            | Self::AccessReviewed => false,
        }
    }
}

/// A value before and after a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change<T> {
    pub from: T,
    pub to: T,
}

/// A pending self-registration declined, by an admin-area user or by the system once it waited
/// longer than `REGISTRATION_TTL_DAYS`. The customer is gone when this is published: the data
/// carries what the "declined" mail and an integrator need of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerRejected {
    pub reason: Reason,
    pub display_name: String,
    pub managing_partner_id: PartnerId,
    pub registrant_user_id: UserId,
    /// The registrant's address as their membership had it; `null` when it had none.
    pub registrant_email: Option<EmailAddress>,
    #[serde(with = "rfc3339_millis")]
    pub registered_at: DateTime<Utc>,
}

impl CustomerRejected {
    pub fn new(customer: &Customer, registrant_email: Option<EmailAddress>, reason: Reason) -> Self {
        Self {
            reason,
            display_name: customer.display_name.to_string(),
            managing_partner_id: customer.managing_partner_id.clone(),
            registrant_user_id: customer.created_by.clone(),
            registrant_email,
            registered_at: customer.created_at,
        }
    }
}

/// The customer as registered or created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerSnapshot {
    pub display_name: String,
    pub status: CustomerStatus,
    pub managing_partner_id: PartnerId,
    pub project_quota: u32,
    pub tags: TagValues,
}

impl From<&Customer> for CustomerSnapshot {
    fn from(customer: &Customer) -> Self {
        Self {
            display_name: customer.display_name.to_string(),
            status: customer.status,
            managing_partner_id: customer.managing_partner_id.clone(),
            project_quota: customer.project_quota.get(),
            tags: customer.tags.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInvited {
    pub invitation_id: GeneratedId,
    pub email: EmailAddress,
    pub role: CustomerRole,
    #[serde(with = "rfc3339_millis")]
    pub expires_at: DateTime<Utc>,
    /// The invitation's version this mail is for (1, then +1 per resend): the email sender
    /// mints the link only while the invitation still has it.
    pub version: u64,
    /// The customer's display name, for the mail.
    pub customer_display_name: String,
    /// When the membership an acceptance makes ends; absent: it does not.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "rfc3339_millis::optional")]
    pub membership_expires_at: Option<DateTime<Utc>>,
    /// Who made the invitation (its `invitedBy`; a resend's actor may be another admin): the
    /// link carries it, and the acceptance records it as the member's `addedBy`. Absent in
    /// events recorded before it was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invited_by: Option<UserId>,
}

impl UserInvited {
    pub fn new(invitation: &Invitation, customer_display_name: &str) -> Self {
        Self {
            invitation_id: invitation.id,
            email: invitation.email.clone(),
            role: invitation.role,
            expires_at: invitation.expires_at,
            version: invitation.version,
            customer_display_name: customer_display_name.to_owned(),
            membership_expires_at: invitation.membership_expires_at,
            invited_by: Some(invitation.invited_by.clone()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserAcceptedInvitation {
    pub invitation_id: GeneratedId,
    pub user_id: UserId,
    pub email: EmailAddress,
    pub role: CustomerRole,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserInvitationCancelled {
    pub invitation_id: GeneratedId,
    pub email: EmailAddress,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRemoved {
    pub user_id: UserId,
    pub email: Option<EmailAddress>,
    pub role: CustomerRole,
    /// Why the member went other than by a removal or a leaving: EXPIRED (the system, at the
    /// membership's end) or ACCESS_REVIEW (an access review); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<RemovalReason>,
}

/// The warning that a membership ends soon, recorded by the system with the member's mark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipExpiring {
    pub user_id: UserId,
    /// Where the warning is mailed; `null` when the member has no address (nothing is sent).
    pub email: Option<EmailAddress>,
    pub role: CustomerRole,
    #[serde(with = "rfc3339_millis")]
    pub expires_at: DateTime<Utc>,
}

/// Why the system removed a member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RemovalReason {
    /// The membership's end passed (`expiresAt`).
    Expired,
    /// A customer admin's access review removed the member (the review's ACCESS_REVIEWED names it).
    AccessReview,
}

/// A review of who keeps access: the members kept and removed (by user id; each removal also has
/// its USER_REMOVED), and the reviewer's note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessReviewed {
    pub review_id: GeneratedId,
    pub kept: Vec<UserId>,
    pub removed: Vec<UserId>,
    /// `null` when none was given.
    pub note: Option<ReviewNote>,
}

/// A member's end before and after: `null` where the membership did not or does not end.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipExpiryChanged {
    pub user_id: UserId,
    #[serde(with = "rfc3339_millis::optional")]
    pub from: Option<DateTime<Utc>>,
    #[serde(with = "rfc3339_millis::optional")]
    pub to: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserRoleChanged {
    pub user_id: UserId,
    pub from: CustomerRole,
    pub to: CustomerRole,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserAssignedHimself {
    pub user_id: UserId,
    pub role: CustomerRole,
    /// Why, as the user gave it; `null` when none was given.
    pub reason: Option<Reason>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerStatusChanged {
    pub from: CustomerStatus,
    pub to: CustomerStatus,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerApproved {
    /// ACTIVE, or AWAITING_EMAIL_CONFIRMATION when e-mail confirmation is configured.
    pub status: CustomerStatus,
    pub email_confirmation_required: bool,
    pub display_name: String,
    pub managing_partner_id: PartnerId,
    /// Who registered the customer (its creator): the "approved" mail goes to them.
    pub registrant_user_id: UserId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerUpdated {
    pub display_name: Change<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerTagsEdited {
    /// Per changed key, the values before and after; `null` where the key had or has no value.
    pub changes: BTreeMap<TagKey, Change<Option<Vec<String>>>>,
}

impl CustomerTagsEdited {
    /// The keys whose values differ between `before` and `after`; `None` when none does.
    pub fn between(before: &TagValues, after: &TagValues) -> Option<Self> {
        let keys: BTreeSet<&TagKey> = before.keys().chain(after.keys()).collect();
        let changes: BTreeMap<TagKey, Change<Option<Vec<String>>>> = keys
            .into_iter()
            .filter(|key| before.get(*key) != after.get(*key))
            .map(|key| ((*key).clone(), Change { from: before.get(key).cloned(), to: after.get(key).cloned() }))
            .collect();
        (!changes.is_empty()).then_some(Self { changes })
    }
}

/// A tag definition replaced (`PUT /tag-definitions/{key}`): the whole definition before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagDefinitionUpdated {
    pub key: TagKey,
    pub from: TagDefinition,
    pub to: TagDefinition,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailConfirmed {
    pub email: EmailAddress,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageSent {
    pub message_id: GeneratedId,
    pub mode: MessageMode,
    pub text: MessageText,
    /// When it was sent: its recipients are the customer's members who had joined by then.
    #[serde(with = "rfc3339_millis")]
    pub sent_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageAcknowledged {
    pub message_id: GeneratedId,
    pub user_id: UserId,
    /// True when this acknowledgement resolved a SINGLE_READ message for every recipient.
    pub resolved: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectCreated {
    pub project_id: ProjectIdentifier,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantCreated {
    pub project_id: ProjectIdentifier,
    pub tenant_id: GeneratedId,
    pub platform: String,
}

/// Never the secret: that is shown once, to the creator, and stored only as its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceUserCreated {
    pub service_user_id: GeneratedId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceUserDeleted {
    pub service_user_id: GeneratedId,
    pub name: String,
}

/// Never the key itself, nor its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyCreated {
    pub key_id: GeneratedId,
    pub name: String,
    pub role: ApiKeyRole,
    #[serde(flatten)]
    pub owner: KeyOwner,
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyRevoked {
    pub key_id: GeneratedId,
    pub name: String,
}

impl From<&ApiKey> for ApiKeyCreated {
    fn from(key: &ApiKey) -> Self {
        Self {
            key_id: key.key_id,
            name: key.name.to_string(),
            role: key.role,
            owner: key.owner.clone(),
            expires_at: key.expires_at,
        }
    }
}

impl From<&ApiKey> for ApiKeyRevoked {
    fn from(key: &ApiKey) -> Self {
        Self { key_id: key.key_id, name: key.name.to_string() }
    }
}

impl From<&ServiceUser> for ServiceUserCreated {
    fn from(user: &ServiceUser) -> Self {
        Self { service_user_id: user.service_user_id, name: user.name.to_string() }
    }
}

impl From<&ServiceUser> for ServiceUserDeleted {
    fn from(user: &ServiceUser) -> Self {
        Self { service_user_id: user.service_user_id, name: user.name.to_string() }
    }
}

impl From<&Project> for ProjectCreated {
    fn from(project: &Project) -> Self {
        Self { project_id: project.identifier.clone(), display_name: project.display_name.to_string() }
    }
}

impl From<&Tenant> for TenantCreated {
    fn from(tenant: &Tenant) -> Self {
        Self {
            project_id: tenant.project_id.clone(),
            tenant_id: tenant.tenant_id,
            platform: tenant.platform.to_string(),
        }
    }
}

/// Timestamps as RFC 3339 in UTC with milliseconds, so that they sort as text.
pub mod rfc3339_millis {
    use chrono::{DateTime, SecondsFormat, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn format(at: &DateTime<Utc>) -> String {
        at.to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&format(at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        let raw = String::deserialize(deserializer)?;
        DateTime::parse_from_rfc3339(&raw).map(|at| at.with_timezone(&Utc)).map_err(serde::de::Error::custom)
    }

    /// The same for an instant that may be absent (`null`).
    pub mod optional {
        use chrono::{DateTime, Utc};
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(at: &Option<DateTime<Utc>>, serializer: S) -> Result<S::Ok, S::Error> {
            match at {
                Some(at) => super::serialize(at, serializer),
                None => serializer.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
            let raw = Option::<String>::deserialize(deserializer)?;
            raw.map(|raw| {
                DateTime::parse_from_rfc3339(&raw).map(|at| at.with_timezone(&Utc)).map_err(serde::de::Error::custom)
            })
            .transpose()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_type_is_the_serialized_type() {
        let payload = EventPayload::CustomerQuotaEdited(Change { from: 5, to: 7 });
        assert_eq!(payload.event_type().as_str(), "CUSTOMER_QUOTA_EDITED");
        assert_eq!("CUSTOMER_QUOTA_EDITED".parse::<EventType>(), Ok(EventType::CustomerQuotaEdited));
        let json = serde_json::to_value(&payload).unwrap();
        assert_eq!(json["type"], payload.event_type().as_str());
        assert_eq!(json["data"], serde_json::json!({"from": 5, "to": 7}));
    }

    #[test]
    fn a_tag_edit_records_only_the_keys_whose_values_changed() {
        let values = |pairs: &[(&str, &str)]| -> TagValues {
            pairs.iter().map(|(k, v)| (TagKey::parse(k).unwrap(), vec![v.to_string()])).collect()
        };
        let before = values(&[("kept", "1"), ("changed", "a"), ("removed", "x")]);
        let after = values(&[("kept", "1"), ("changed", "b"), ("added", "y")]);
        let edited = CustomerTagsEdited::between(&before, &after).unwrap();
        assert_eq!(
            serde_json::to_value(edited).unwrap()["changes"],
            serde_json::json!({
                "added": {"from": null, "to": ["y"]},
                "changed": {"from": ["a"], "to": ["b"]},
                "removed": {"from": ["x"], "to": null}
            })
        );
        assert_eq!(CustomerTagsEdited::between(&before, &before), None);
    }

    #[test]
    fn detail_round_trips() {
        let event = DomainEvent::new(
            &CustomerIdentifier::parse("acme").unwrap(),
            Actor { user_id: UserId::parse("u1").unwrap(), email: None, role: Role::PartnerAdmin, api_key: None },
            Utc::now(),
            EventPayload::CustomerStatusChanged(CustomerStatusChanged {
                from: CustomerStatus::Active,
                to: CustomerStatus::Disabled,
                reason: Some("unpaid".into()),
            }),
        );
        let json = serde_json::to_value(&event).unwrap();
        for field in ["eventId", "type", "customerId", "occurredAt", "actor", "data"] {
            assert!(json.get(field).is_some(), "detail lacks {field}");
        }
        assert_eq!(json["actor"]["role"], "PARTNER_ADMIN");
        let back: DomainEvent = serde_json::from_value(json).unwrap();
        assert_eq!(back.event_id, event.event_id);
        assert_eq!(back.payload, event.payload);
    }
}

/// The envelope fields of any event detail, whatever its type: what consumers that must not
/// depend on every type's data (the audit writer) read.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EventEnvelope {
    pub event_id: GeneratedId,
    #[serde(rename = "type")]
    pub event_type: String,
    pub customer_id: Option<CustomerIdentifier>,
    #[serde(with = "rfc3339_millis")]
    pub occurred_at: DateTime<Utc>,
}
