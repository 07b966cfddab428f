//! Programs' API keys (SPEC §6.2). Each key is two items, written and deleted together:
//! - the lookup item, `APIKEY#<sha-256 of the key>` / `APIKEY`: what the authorizer finds the key
//!   by with one GetItem (functions/authorizer, `StoredKey`); the key itself is nowhere;
//! - the owner's item, `PARTNER#<partnerId>` or `CUSTOMER#<customerId>` / `APIKEY#<keyId>`: the
//!   owner's list (one Query), and the way to the lookup item on revocation (it holds the hash).
//!
//! Both carry `lastUsedAt` once the key is used; the authorizer writes it to both, at most once an
//! hour, deriving the owner's item's key from the lookup item's `partnerId` | `customerId` and
//! `keyId`: these key formats are a contract with it.
//!
//! `APIKEY_COUNT` in the owner's partition counts its keys, so the bound on them
//! ([`MAX_API_KEYS`]) holds under concurrent creations, as the tag definitions' counter does.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keys::{Key, customer_pk, entity};
use super::{Changes, Conflict, Expression, Store, StoreError};
use crate::domain::{
    ApiKey, ApiKeyRole, CustomerIdentifier, DisplayName, GeneratedId, KeyOwner, MAX_API_KEYS, PartnerId, TokenHash,
    UserId,
};

/// Sort key of the lookup item, and the prefix of the owners' key items.
const API_KEY_SK: &str = "APIKEY";
const API_KEY_PREFIX: &str = "APIKEY#";

/// This entity's keys.
impl Key {
    /// The lookup item of the key whose SHA-256 is `hash`.
    pub fn api_key(hash: &TokenHash) -> Self {
        Self { pk: format!("{API_KEY_PREFIX}{hash}"), sk: API_KEY_SK.to_owned() }
    }

    /// The owner's item of a key.
    pub fn owned_api_key(owner: &KeyOwner, key: GeneratedId) -> Self {
        Self { pk: owner_pk(owner), sk: format!("{API_KEY_PREFIX}{key}") }
    }

    /// How many keys the owner holds. Outside the owner's keys' sort-key range (`_` is no `#`).
    pub fn api_key_count(owner: &KeyOwner) -> Self {
        Self { pk: owner_pk(owner), sk: "APIKEY_COUNT".to_owned() }
    }
}

/// The partition of a key's owner: a partner's own, or the customer's.
fn owner_pk(owner: &KeyOwner) -> String {
    match owner {
        KeyOwner::Partner { partner_id } => format!("PARTNER#{partner_id}"),
        KeyOwner::Customer { customer_id } => customer_pk(customer_id),
    }
}

/// What both items hold of the key; `expiresAt` and `lastUsedAt` only when set, so that the
/// authorizer's conditional `lastUsedAt` write finds an absent attribute, never a NULL.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeyAttributes {
    key_id: GeneratedId,
    name: DisplayName,
    role: ApiKeyRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    partner_id: Option<PartnerId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    customer_id: Option<CustomerIdentifier>,
    created_at: DateTime<Utc>,
    created_by: UserId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_used_at: Option<DateTime<Utc>>,
}

impl From<&ApiKey> for KeyAttributes {
    fn from(key: &ApiKey) -> Self {
        let (partner_id, customer_id) = match &key.owner {
            KeyOwner::Partner { partner_id } => (Some(partner_id.clone()), None),
            KeyOwner::Customer { customer_id } => (None, Some(customer_id.clone())),
        };
        Self {
            key_id: key.key_id,
            name: key.name.clone(),
            role: key.role,
            partner_id,
            customer_id,
            created_at: key.created_at,
            created_by: key.created_by.clone(),
            expires_at: key.expires_at,
            last_used_at: key.last_used_at,
        }
    }
}

impl TryFrom<KeyAttributes> for ApiKey {
    type Error = StoreError;

    fn try_from(stored: KeyAttributes) -> Result<Self, StoreError> {
        let owner = match (stored.partner_id, stored.customer_id) {
            (Some(partner_id), None) => KeyOwner::Partner { partner_id },
            (None, Some(customer_id)) => KeyOwner::Customer { customer_id },
            _ => return Err(StoreError::Invariant("an API key names neither or both a partner and a customer")),
        };
        Ok(Self {
            key_id: stored.key_id,
            name: stored.name,
            role: stored.role,
            owner,
            created_at: stored.created_at,
            created_by: stored.created_by,
            expires_at: stored.expires_at,
            last_used_at: stored.last_used_at,
        })
    }
}

/// The item the authorizer finds a key by.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    #[serde(flatten)]
    attributes: KeyAttributes,
}

impl ApiKeyItem {
    pub fn new(key: &ApiKey, hash: &TokenHash) -> Self {
        Self { key: Key::api_key(hash), entity: entity::API_KEY.to_owned(), attributes: key.into() }
    }
}

/// The owner's item of a key: the key's public attributes and the hash that leads to its lookup item.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OwnedApiKeyItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    pub key_hash: TokenHash,
    #[serde(flatten)]
    attributes: KeyAttributes,
}

impl OwnedApiKeyItem {
    pub fn new(key: &ApiKey, hash: &TokenHash) -> Self {
        Self {
            key: Key::owned_api_key(&key.owner, key.key_id),
            entity: entity::OWNED_API_KEY.to_owned(),
            key_hash: hash.clone(),
            attributes: key.into(),
        }
    }
}

/// A key as its owner's item holds it: what revoking it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedApiKey {
    pub key: ApiKey,
    pub hash: TokenHash,
}

impl TryFrom<OwnedApiKeyItem> for OwnedApiKey {
    type Error = StoreError;

    fn try_from(item: OwnedApiKeyItem) -> Result<Self, StoreError> {
        Ok(Self { key: item.attributes.try_into()?, hash: item.key_hash })
    }
}

pub(crate) fn owned_api_key(item: super::items::Item) -> Result<OwnedApiKey, StoreError> {
    serde_dynamo::from_item::<_, OwnedApiKeyItem>(item)?.try_into()
}

impl Store {
    /// The owner's keys, oldest first (their ids are time-ordered): one consistent Query of its
    /// `APIKEY#` items, at most [`MAX_API_KEYS`], so one page.
    #[tracing::instrument(skip_all)]
    pub async fn api_keys_of(&self, owner: &KeyOwner) -> Result<Vec<ApiKey>, StoreError> {
        self.query_all(owner_pk(owner), API_KEY_PREFIX)
            .await?
            .into_iter()
            .map(|item| owned_api_key(item).map(|owned| owned.key))
            .collect()
    }

    /// One key of the owner, read consistently; `None` if it has none with this id.
    #[tracing::instrument(skip_all, fields(%key))]
    pub async fn owned_api_key(&self, owner: &KeyOwner, key: GeneratedId) -> Result<Option<OwnedApiKey>, StoreError> {
        self.get_item(Key::owned_api_key(owner, key)).await?.map(owned_api_key).transpose()
    }
}

impl Changes {
    /// A new key: its two items, counted against the owner's bound ([`Conflict::TooManyApiKeys`]).
    pub fn add_api_key(&mut self, key: &ApiKey, hash: &TokenHash) -> Result<(), StoreError> {
        let max = AttributeValue::N(MAX_API_KEYS.to_string());
        self.update(
            Key::api_key_count(&key.owner),
            count_change("if_not_exists(#count, :zero) + :one"),
            Expression::new("attribute_not_exists(#count) OR #count < :max").name("#count", "count").value(":max", max),
            Conflict::TooManyApiKeys,
        )?;
        self.insert(&OwnedApiKeyItem::new(key, hash), Conflict::Inconsistent("a generated API key id is taken"))?;
        self.insert(&ApiKeyItem::new(key, hash), Conflict::Inconsistent("a new API key's hash is taken"))
    }

    /// Deletes both items of a key, if its owner's item still exists (else
    /// [`Conflict::ApiKeyGone`]: another revocation came first).
    pub fn revoke_api_key(&mut self, owned: &OwnedApiKey) -> Result<(), StoreError> {
        let key = &owned.key;
        self.delete(Key::owned_api_key(&key.owner, key.key_id), Expression::present(), Conflict::ApiKeyGone)?;
        self.delete(
            Key::api_key(&owned.hash),
            Expression::present(),
            Conflict::Inconsistent("an API key's owner item exists without its lookup item"),
        )?;
        self.update(
            Key::api_key_count(&key.owner),
            count_change("#count - :one"),
            Expression::new("#count > :zero").name("#count", "count"),
            Conflict::Inconsistent("no API key is counted, yet one is revoked"),
        )
    }
}

/// Sets the owner's key counter to `value` (an expression over `#count`, `:zero` and `:one`).
fn count_change(value: &str) -> Expression {
    Expression::new(format!("SET #count = {value}, #entity = :entity"))
        .name("#count", "count")
        .name("#entity", "entity")
        .value(":zero", AttributeValue::N("0".to_owned()))
        .value(":one", AttributeValue::N("1".to_owned()))
        .value(":entity", AttributeValue::S(entity::API_KEY_COUNT.to_owned()))
}

/// Golden items: every attribute of each item kind, so a layout change is a deliberate one.
#[cfg(test)]
mod golden {
    use super::*;

    use crate::domain::*;

    use crate::store::items::golden::*;

    use serde_json::json;

    fn key(owner: KeyOwner, role: ApiKeyRole) -> ApiKey {
        let mut key = ApiKey::new(
            owner,
            DisplayName::parse("billing-sync").unwrap(),
            role,
            Some(at() + chrono::Duration::days(30)),
            UserId::parse("u1").unwrap(),
            at(),
        );
        key.key_id = GeneratedId::parse("019bc165-0000-7000-8000-000000000005").unwrap();
        key
    }

    #[test]
    fn lookup_and_owner_items() {
        let hash = TokenHash::parse(&"ab".repeat(32)).unwrap();
        let partner_key =
            key(KeyOwner::Partner { partner_id: PartnerId::parse("acme").unwrap() }, ApiKeyRole::PartnerAdmin);
        assert_eq!(
            stored(ApiKeyItem::new(&partner_key, &hash)),
            json!({
                "pk": {"S": format!("APIKEY#{}", "ab".repeat(32))}, "sk": {"S": "APIKEY"}, "entity": {"S": "API_KEY"},
                "keyId": {"S": "019bc165-0000-7000-8000-000000000005"}, "name": {"S": "billing-sync"},
                "role": {"S": "PARTNER_ADMIN"}, "partnerId": {"S": "acme"},
                "createdAt": {"S": "2026-01-15T11:30:00Z"}, "createdBy": {"S": "u1"},
                "expiresAt": {"S": "2026-02-14T11:30:00Z"}
            })
        );
        let mut customer_key = key(KeyOwner::Customer { customer_id: acme() }, ApiKeyRole::CustomerEmployee);
        customer_key.expires_at = None;
        customer_key.last_used_at = Some(at());
        assert_eq!(
            stored(OwnedApiKeyItem::new(&customer_key, &hash)),
            json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "APIKEY#019bc165-0000-7000-8000-000000000005"},
                "entity": {"S": "OWNED_API_KEY"}, "keyHash": {"S": "ab".repeat(32)},
                "keyId": {"S": "019bc165-0000-7000-8000-000000000005"}, "name": {"S": "billing-sync"},
                "role": {"S": "CUSTOMER_EMPLOYEE"}, "customerId": {"S": "acme"},
                "createdAt": {"S": "2026-01-15T11:30:00Z"}, "createdBy": {"S": "u1"},
                "lastUsedAt": {"S": "2026-01-15T11:30:00Z"}
            })
        );
        let item = crate::store::items::to_item(&OwnedApiKeyItem::new(&customer_key, &hash)).unwrap();
        assert_eq!(owned_api_key(item).unwrap(), OwnedApiKey { key: customer_key, hash });
        assert_eq!(
            Key::api_key_count(&partner_key.owner),
            Key { pk: "PARTNER#acme".into(), sk: "APIKEY_COUNT".into() }
        );
    }
}
