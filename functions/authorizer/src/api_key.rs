//! Programs' keys: `mck_` and 43 base64url characters (256 random bits), stored only as the
//! SHA-256 of the whole key and found by it with one GetItem (README, access patterns:
//! `pk = APIKEY#<hex sha-256>`, `sk = APIKEY`). The key's form, its hash and its item's key are
//! defined once, in `meshcustomers` (`domain::ApiKeySecret`, `store::Key::api_key`), where the
//! routes that make keys use them too.

use chrono::{DateTime, Utc};
use meshcustomers::domain::ApiKeySecret;
use meshcustomers::store::Key;
use serde::Deserialize;

/// A key as its item holds it (the attributes the authorizer reads).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredKey {
    pub key_id: String,
    pub name: String,
    /// PARTNER_ADMIN, PARTNER_EMPLOYEE, CUSTOMER_ADMIN or CUSTOMER_EMPLOYEE.
    pub role: String,
    #[serde(default)]
    pub partner_id: Option<String>,
    #[serde(default)]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub expires_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Why a key was refused; every variant means 401 and none is told to the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyRefusal {
    #[error("not a key this API issues")]
    Malformed,
    #[error("no such key")]
    Unknown,
    #[error("key {0} is revoked")]
    Revoked(String),
    #[error("key {0} has expired")]
    Expired(String),
    #[error("key {0} names neither a partner nor a customer")]
    WithoutScope(String),
}

/// The table key a well-formed key is looked up by; `None` for anything not shaped like a key,
/// so it costs no read.
pub fn item_key(key: &str) -> Option<String> {
    ApiKeySecret::parse(key).map(|key| Key::api_key(&key.hash()).pk)
}

/// The item's sort key.
pub const ITEM_SORT_KEY: &str = "APIKEY";

/// Whether the key found may act now.
pub fn check(stored: &StoredKey, now: DateTime<Utc>) -> Result<(), KeyRefusal> {
    if stored.revoked_at.is_some() {
        return Err(KeyRefusal::Revoked(stored.key_id.clone()));
    }
    if stored.expires_at.is_some_and(|expires_at| expires_at <= now) {
        return Err(KeyRefusal::Expired(stored.key_id.clone()));
    }
    if stored.partner_id.is_none() == stored.customer_id.is_none() {
        return Err(KeyRefusal::WithoutScope(stored.key_id.clone()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    const KEY: &str = "mck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA0";

    fn stored() -> StoredKey {
        StoredKey {
            key_id: "k1".into(),
            name: "billing".into(),
            role: "PARTNER_ADMIN".into(),
            partner_id: Some("acme".into()),
            customer_id: None,
            expires_at: None,
            revoked_at: None,
        }
    }

    #[test]
    fn a_well_formed_key_is_looked_up_by_its_hash() {
        // sha256 of the key, as `printf %s KEY | sha256sum` prints it.
        let expected = format!("APIKEY#{}", hex(&Sha256::digest(KEY.as_bytes())));
        assert_eq!(item_key(KEY), Some(expected.clone()));
        assert_eq!(expected.len(), "APIKEY#".len() + 64);
        assert!(!expected.contains(&KEY[4..]), "the secret is never part of the item key");
    }

    #[test]
    fn a_key_made_by_the_routes_generator_is_found_at_the_item_they_write() {
        let made = ApiKeySecret::generate().unwrap();
        let expected = format!("APIKEY#{}", hex(&Sha256::digest(made.expose().as_bytes())));
        assert_eq!(item_key(made.expose()), Some(expected));
        assert_eq!(item_key(made.expose()), Some(Key::api_key(&made.hash()).pk));
        assert_eq!(Key::api_key(&made.hash()).sk, ITEM_SORT_KEY);
    }

    #[test]
    fn anything_not_shaped_like_a_key_costs_no_read() {
        for malformed in [
            "mck_",
            "mck_short",
            &format!("{KEY}A"),
            &KEY[..KEY.len() - 1],
            "mck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+0",
            "mck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=0",
            "MCK_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA0",
            "mck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAé",
        ] {
            assert_eq!(item_key(malformed), None, "{malformed:?}");
        }
    }

    #[test]
    fn revoked_expired_and_unscoped_keys_are_refused() {
        let now = Utc::now();
        assert_eq!(check(&stored(), now), Ok(()));
        let revoked = StoredKey { revoked_at: Some(now), ..stored() };
        assert_eq!(check(&revoked, now), Err(KeyRefusal::Revoked("k1".into())));
        let expired = StoredKey { expires_at: Some(now), ..stored() };
        assert_eq!(check(&expired, now), Err(KeyRefusal::Expired("k1".into())));
        let later = StoredKey { expires_at: Some(now + chrono::Duration::seconds(1)), ..stored() };
        assert_eq!(check(&later, now), Ok(()));
        let both = StoredKey { customer_id: Some("c1".into()), ..stored() };
        assert_eq!(check(&both, now), Err(KeyRefusal::WithoutScope("k1".into())));
        let neither = StoredKey { partner_id: None, ..stored() };
        assert_eq!(check(&neither, now), Err(KeyRefusal::WithoutScope("k1".into())));
    }

    #[test]
    fn the_item_reads_as_a_stored_key() {
        let item = serde_json::json!({
            "pk": "APIKEY#00", "sk": "APIKEY", "keyId": "k1", "name": "billing", "role": "CUSTOMER_ADMIN",
            "customerId": "c1", "expiresAt": "2030-01-01T00:00:00Z", "createdBy": "u1",
        });
        let key: StoredKey = serde_json::from_value(item).unwrap();
        assert_eq!(key.customer_id.as_deref(), Some("c1"));
        assert_eq!(key.expires_at.unwrap().to_rfc3339(), "2030-01-01T00:00:00+00:00");
    }
}
