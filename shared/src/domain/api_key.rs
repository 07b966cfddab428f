//! Programs' API keys (SPEC §6.2): the one definition of a key's form and of the hash it is stored
//! and looked up by (the authorizer uses it too). A key is `mck_` and a [`LinkToken`] (256 bits from
//! the operating system's random source); it is shown once, when made, and the table keeps only
//! the SHA-256 of the whole key. A partner's key acts in an admin-area role within its partner, a
//! customer's key as a member of its customer only.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use super::{
    CustomerIdentifier, DisplayName, FieldError, GeneratedId, LinkToken, PartnerId, RandomSourceError, TokenHash,
    UserId,
};

/// What every key begins with, so that a credential is told from an ID token at a glance (and a
/// leaked one is found by secret scanners).
pub const API_KEY_PREFIX: &str = "mck_";

/// The most keys one partner, or one customer, holds at once.
pub const MAX_API_KEYS: u32 = 50;

/// The furthest ahead a key's `expiresAt` may be: a year, leap years included.
pub const MAX_KEY_LIFETIME_DAYS: i64 = 366;

/// The longest `expiresAt` read (an RFC 3339 instant is at most 35 characters with nanoseconds).
const MAX_EXPIRY_CHARS: usize = 64;

/// A key itself. Its `Debug` hides it; it is never stored, logged or put in an event.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeySecret(String);

impl ApiKeySecret {
    /// A new key from the operating system's random source.
    pub fn generate() -> Result<Self, RandomSourceError> {
        Ok(Self(format!("{API_KEY_PREFIX}{}", LinkToken::generate()?.expose())))
    }

    /// A credential shaped like a key (`mck_` and 43 characters of `A-Z a-z 0-9 - _`), or `None`:
    /// anything else is no key, and costs no read.
    pub fn parse(raw: &str) -> Option<Self> {
        let secret = raw.strip_prefix(API_KEY_PREFIX)?;
        LinkToken::parse(secret).ok().map(|_| Self(raw.to_owned()))
    }

    /// The key itself, for the one place it goes: the answer that makes it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the table stores and looks the key up by: the SHA-256 of the whole key, `mck_` included.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

impl fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKeySecret(<redacted>)")
    }
}

/// The role a key acts in: a partner key's admin-area role, a customer key's membership role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ApiKeyRole {
    PartnerAdmin,
    PartnerEmployee,
    CustomerAdmin,
    CustomerEmployee,
}

impl ApiKeyRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PartnerAdmin => "PARTNER_ADMIN",
            Self::PartnerEmployee => "PARTNER_EMPLOYEE",
            Self::CustomerAdmin => "CUSTOMER_ADMIN",
            Self::CustomerEmployee => "CUSTOMER_EMPLOYEE",
        }
    }

    /// A partner key's role, exactly as sent.
    pub fn parse_partner(raw: &str) -> Result<Self, FieldError> {
        match raw {
            "PARTNER_ADMIN" => Ok(Self::PartnerAdmin),
            "PARTNER_EMPLOYEE" => Ok(Self::PartnerEmployee),
            _ => Err(FieldError::new("must be PARTNER_ADMIN or PARTNER_EMPLOYEE")),
        }
    }

    /// A customer key's role, exactly as sent.
    pub fn parse_customer(raw: &str) -> Result<Self, FieldError> {
        match raw {
            "CUSTOMER_ADMIN" => Ok(Self::CustomerAdmin),
            "CUSTOMER_EMPLOYEE" => Ok(Self::CustomerEmployee),
            _ => Err(FieldError::new("must be CUSTOMER_ADMIN or CUSTOMER_EMPLOYEE")),
        }
    }
}

/// Whose key it is, and so where it acts: `partnerId` or `customerId` in its JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KeyOwner {
    Partner {
        #[serde(rename = "partnerId")]
        partner_id: PartnerId,
    },
    Customer {
        #[serde(rename = "customerId")]
        customer_id: CustomerIdentifier,
    },
}

/// A key as everyone but its holder sees it: never the key itself (nor its hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub key_id: GeneratedId,
    pub name: DisplayName,
    pub role: ApiKeyRole,
    #[serde(flatten)]
    pub owner: KeyOwner,
    pub created_at: DateTime<Utc>,
    pub created_by: UserId,
    /// `null`: the key does not expire.
    pub expires_at: Option<DateTime<Utc>>,
    /// Written by the authorizer at most once an hour; `null` until the key is first used.
    pub last_used_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    pub fn new(
        owner: KeyOwner,
        name: DisplayName,
        role: ApiKeyRole,
        expires_at: Option<DateTime<Utc>>,
        created_by: UserId,
        created_at: DateTime<Utc>,
    ) -> Self {
        Self { key_id: GeneratedId::new(), name, role, owner, created_at, created_by, expires_at, last_used_at: None }
    }
}

/// A key's end as sent: RFC 3339 with an offset, after `now` and at most
/// [`MAX_KEY_LIFETIME_DAYS`] ahead of it.
pub fn parse_key_expiry(raw: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, FieldError> {
    let at = (raw.len() <= MAX_EXPIRY_CHARS)
        .then(|| DateTime::parse_from_rfc3339(raw).ok())
        .flatten()
        .ok_or_else(|| FieldError::new("must be an instant in RFC 3339 form, e.g. 2027-06-30T00:00:00Z"))?
        .with_timezone(&Utc);
    if at <= now {
        return Err(FieldError::new("must be in the future"));
    }
    if at > now + Duration::days(MAX_KEY_LIFETIME_DAYS) {
        return Err(FieldError::new(format!("must be at most {MAX_KEY_LIFETIME_DAYS} days ahead")));
    }
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_the_prefix_and_256_random_bits_and_never_shows() {
        let key = ApiKeySecret::generate().unwrap();
        assert!(key.expose().starts_with("mck_") && key.expose().len() == 4 + 43, "{}", key.expose());
        assert_eq!(ApiKeySecret::parse(key.expose()), Some(key.clone()));
        assert_ne!(key, ApiKeySecret::generate().unwrap());
        assert!(!format!("{key:?}").contains(&key.expose()[4..]));
        // SHA-256 of the whole key (python3: hashlib.sha256(b"mck_" + b"A" * 43).hexdigest()).
        let fixed = ApiKeySecret::parse(&format!("mck_{}", "A".repeat(43))).unwrap();
        assert_eq!(fixed.hash().as_str(), "d0bc97b69f470ee036eda9d7858f7cca6d9c70c3b5ff15eec2f9fa3698517fc1");
    }

    #[test]
    fn only_key_shaped_credentials_parse() {
        for raw in
            ["mck_", "mck_short", "MCK_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "eyJhbGciOiJSUzI1NiJ9.e30.x"]
        {
            assert_eq!(ApiKeySecret::parse(raw), None, "{raw}");
        }
        assert_eq!(ApiKeySecret::parse(&format!("mck_{}=", "A".repeat(42))), None);
        assert_eq!(ApiKeySecret::parse(&format!("mck_{}", "A".repeat(44))), None);
    }

    #[test]
    fn roles_are_parsed_per_kind_of_key() {
        assert_eq!(ApiKeyRole::parse_partner("PARTNER_EMPLOYEE"), Ok(ApiKeyRole::PartnerEmployee));
        assert!(ApiKeyRole::parse_partner("CUSTOMER_ADMIN").is_err());
        assert!(ApiKeyRole::parse_partner("PLATFORM_ADMIN").is_err());
        assert_eq!(ApiKeyRole::parse_customer("CUSTOMER_ADMIN"), Ok(ApiKeyRole::CustomerAdmin));
        assert!(ApiKeyRole::parse_customer("customer_admin").is_err());
    }

    #[test]
    fn an_expiry_is_in_the_future_and_at_most_366_days_ahead() {
        let now = DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z").unwrap().with_timezone(&Utc);
        let at = parse_key_expiry("2027-01-01T00:00:00+01:00", now).unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-31T23:00:00+00:00");
        assert!(parse_key_expiry("2027-12-08T10:00:00Z", now).is_ok());
        for bad in
            ["2026-12-07T10:00:00Z", "2025-01-01T00:00:00Z", "2027-12-08T10:00:01Z", "2027-01-01", "tomorrow", ""]
        {
            assert!(parse_key_expiry(bad, now).is_err(), "{bad}");
        }
        // Valid RFC 3339, but longer than any instant needs.
        assert!(parse_key_expiry(&format!("2027-01-01T00:00:00.{}Z", "0".repeat(60)), now).is_err());
    }
}
