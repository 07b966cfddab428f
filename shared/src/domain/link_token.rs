//! One-time link tokens (the e-mail confirmation link) and service users' secrets: 256 bits from
//! the operating system's random source, carried only by the link in the mail (or shown once, in
//! the answer that creates the service user), stored only as their SHA-256 hash and looked up by
//! that hash. A table read reveals no usable token, and the raw token is never compared with
//! anything, so a guess cannot be told apart in time from any other wrong token.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

use super::FieldError;

/// Random bytes per token: 256 bits.
const TOKEN_BYTES: usize = 32;
/// A token's length as sent: 32 bytes in unpadded URL-safe base64.
pub const TOKEN_LENGTH: usize = 43;

/// The secret of a link. Its `Debug` hides it; it is never stored, logged or put in an event.
#[derive(Clone, PartialEq, Eq)]
pub struct LinkToken(String);

impl LinkToken {
    /// A new token from the operating system's random source.
    pub fn generate() -> Result<Self, RandomSourceError> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes).map_err(RandomSourceError)?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// A token as a link carries it: exactly 43 characters of `A-Z a-z 0-9 - _`.
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let well_formed =
            raw.len() == TOKEN_LENGTH && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if well_formed {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new("must be the 43-character token of the link (A-Z, a-z, 0-9, '-' and '_')"))
        }
    }

    /// The token itself, for the one place it goes: the link in the mail (or the answer that
    /// creates a service user).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

/// The operating system gave no random bytes: no token can be made.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed: {0}")]
pub struct RandomSourceError(getrandom::Error);

impl fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkToken(<redacted>)")
    }
}

/// The SHA-256 of a token in lowercase hex: what the table stores and is keyed by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TokenHash(String);

impl TokenHash {
    /// The SHA-256 of `secret`'s UTF-8 bytes.
    pub(crate) fn of(secret: &str) -> Self {
        let digest = Sha256::digest(secret.as_bytes());
        Self(digest.iter().map(|byte| format!("{byte:02x}")).collect())
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.len() == 64 && raw.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new("must be a SHA-256 in lowercase hex"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_conversions!(TokenHash);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_256_random_bits_in_url_safe_base64() {
        let token = LinkToken::generate().unwrap();
        assert_eq!(token.expose().len(), TOKEN_LENGTH);
        assert_eq!(URL_SAFE_NO_PAD.decode(token.expose()).unwrap().len(), 32);
        assert_eq!(LinkToken::parse(token.expose()), Ok(token.clone()));
        assert_ne!(token, LinkToken::generate().unwrap());
    }

    #[test]
    fn only_well_formed_tokens_parse() {
        let valid = "A".repeat(43);
        assert!(LinkToken::parse(&valid).is_ok());
        assert!(LinkToken::parse("aZ09-_aZ09-_aZ09-_aZ09-_aZ09-_aZ09-_aZ09-_a").is_ok());
        for invalid in
            [&"A".repeat(42), &"A".repeat(44), &format!("{}=", "A".repeat(42)), &format!("{}+", "A".repeat(42))]
        {
            assert!(LinkToken::parse(invalid).is_err(), "{invalid}");
        }
        assert!(LinkToken::parse("").is_err());
        assert!(LinkToken::parse(&format!("{}é", "A".repeat(41))).is_err());
    }

    #[test]
    fn the_hash_is_sha256_hex_and_the_token_never_shows() {
        let token = LinkToken::parse(&"A".repeat(43)).unwrap();
        let hash = token.hash();
        // SHA-256 of the token's characters (python3: hashlib.sha256(b"A" * 43).hexdigest()).
        assert_eq!(hash.as_str(), "0f007385b6f9d4b7eeb2748605afe1a984a0a3bfa3f014d09e2a784ce9e5cd1a");
        assert_eq!(TokenHash::parse(hash.as_str()), Ok(hash));
        assert!(!format!("{token:?}").contains("AAAA"));
        assert!(TokenHash::parse("ABC").is_err());
    }
}
