//! Identifiers that come from outside (the identity provider) or are generated here.

use serde::{Deserialize, Serialize};
use std::fmt;
use uuid::Uuid;

use super::FieldError;

/// The identity provider's subject (`sub`) of a user.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserId(String);

impl UserId {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        if raw.is_empty() || raw.len() > 256 || raw.chars().any(|c| c.is_control() || c == '#') {
            return Err(FieldError::new("must be 1 to 256 printable characters without '#'"));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The partner that manages a customer (`custom:partner_id`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PartnerId(String);

impl PartnerId {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let valid = !raw.is_empty()
            && raw.len() <= 64
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new("must be 1 to 64 letters, digits, '-', '_' or '.'"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_conversions!(UserId, PartnerId);

/// A generated, time-ordered id (UUID v7) for events, invitations and the like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct GeneratedId(Uuid);

impl GeneratedId {
    pub fn new() -> Self {
        Self(Uuid::now_v7())
    }

    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        Uuid::parse_str(raw).map(Self).map_err(|_| FieldError::new("must be a UUID"))
    }
}

impl Default for GeneratedId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for GeneratedId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partner_ids_are_plain_names() {
        assert!(PartnerId::parse("acme").is_ok());
        assert!(PartnerId::parse("acme#1").is_err());
        assert!(PartnerId::parse("").is_err());
    }

    #[test]
    fn user_ids_cannot_break_keys() {
        assert!(UserId::parse("3f1c-42").is_ok());
        assert!(UserId::parse("a#b").is_err());
    }
}
