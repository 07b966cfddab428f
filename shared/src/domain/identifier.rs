//! Identifiers of customers, projects and platforms: lowercase DNS-label-like names, immutable
//! once chosen. All follow `^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$` but are distinct types, so a
//! project's identifier can never be passed where a customer's is meant.

use serde::{Deserialize, Serialize};

use super::FieldError;

const MAX_LEN: usize = 32;

/// 1 to 32 lowercase letters, digits or hyphens, no leading or trailing hyphen.
fn is_identifier(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    let allowed = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    !bytes.is_empty()
        && bytes.len() <= MAX_LEN
        && allowed(&bytes[0])
        && allowed(&bytes[bytes.len() - 1])
        && bytes.iter().all(|b| allowed(b) || *b == b'-')
}

macro_rules! identifier_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, FieldError> {
                if is_identifier(raw) {
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

        super::string_conversions!($name);
    };
}

identifier_type!(
    /// A customer's identifier, unique in the installation.
    CustomerIdentifier
);
identifier_type!(
    /// A project's identifier, unique within its customer.
    ProjectIdentifier
);
identifier_type!(
    /// The name of a platform tenants are made on (`PLATFORMS`), e.g. `aws`.
    PlatformName
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_identifiers() {
        for ok in ["a", "7", "acme", "acme-corp", "a1-b2-c3", &"x".repeat(32)] {
            assert!(CustomerIdentifier::parse(ok).is_ok(), "{ok} should parse");
            assert!(ProjectIdentifier::parse(ok).is_ok(), "{ok} should parse");
        }
    }

    #[test]
    fn rejects_invalid_identifiers() {
        for bad in ["", "-acme", "acme-", "Acme", "ac_me", "ac me", "äcme", &"x".repeat(33)] {
            assert!(CustomerIdentifier::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn deserializing_parses() {
        assert!(serde_json::from_str::<CustomerIdentifier>("\"acme\"").is_ok());
        assert!(serde_json::from_str::<CustomerIdentifier>("\"ACME\"").is_err());
    }
}
