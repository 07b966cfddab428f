//! E-mail addresses, normalised so that comparisons are case-insensitive.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// A syntactically plausible address (one `@`, a dotted domain, no white space, at most 254
/// characters), stored in lowercase: invitations match the caller's address case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let invalid = || FieldError::new("must be an e-mail address such as jane@example.com");
        let address = raw.trim();
        if address.len() > 254 || address.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = address.split_once('@').ok_or_else(invalid)?;
        let domain_ok =
            !domain.contains('@') && domain.contains('.') && domain.split('.').all(|label| !label.is_empty());
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(address.to_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_conversions!(EmailAddress);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case() {
        assert_eq!(EmailAddress::parse("Jane.Doe@Example.COM").unwrap().as_str(), "jane.doe@example.com");
    }

    #[test]
    fn rejects_implausible_addresses() {
        for bad in
            ["", "jane", "jane@", "@example.com", "jane@example", "ja ne@example.com", "a@b@c.de", "jane@example..com"]
        {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
