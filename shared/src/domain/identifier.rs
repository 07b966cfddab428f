//! Identifiers of customers and projects: lowercase DNS-label-like names, immutable once chosen.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// `^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$`: 1 to 32 characters, no leading or trailing hyphen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Identifier(String);

/// A customer's identifier: the same rules as any [`Identifier`], a name of its own so that a
/// project identifier can never be passed where a customer is meant.
pub type CustomerIdentifier = Identifier;

const MAX_LEN: usize = 32;

impl Identifier {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let bytes = raw.as_bytes();
        let allowed = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        let valid = !bytes.is_empty()
            && bytes.len() <= MAX_LEN
            && allowed(&bytes[0])
            && allowed(&bytes[bytes.len() - 1])
            && bytes.iter().all(|b| allowed(b) || *b == b'-');
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new(
                "must be 1 to 32 lowercase letters, digits or hyphens, starting and ending with a letter or digit",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_conversions!(Identifier);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_identifiers() {
        for ok in ["a", "7", "acme", "acme-corp", "a1-b2-c3", &"x".repeat(32)] {
            assert!(Identifier::parse(ok).is_ok(), "{ok} should parse");
        }
    }

    #[test]
    fn rejects_invalid_identifiers() {
        for bad in ["", "-acme", "acme-", "Acme", "ac_me", "ac me", "äcme", &"x".repeat(33)] {
            assert!(Identifier::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn deserializing_parses() {
        assert!(serde_json::from_str::<Identifier>("\"acme\"").is_ok());
        assert!(serde_json::from_str::<Identifier>("\"ACME\"").is_err());
    }
}
