//! Human-readable names shown in the portal.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// 1 to 128 characters after trimming surrounding white space, at least one of them visible; no
/// control or bidirectional control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DisplayName(String);

const MAX_CHARS: usize = 128;

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new("must not be empty"));
        }
        if trimmed.chars().count() > MAX_CHARS {
            return Err(FieldError::new("must be at most 128 characters"));
        }
        super::text::check_display_text(trimmed)?;
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form prefix search compares against: case-insensitive.
    pub fn search_key(&self) -> String {
        self.0.to_lowercase()
    }
}

super::string_conversions!(DisplayName);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds_length() {
        assert_eq!(DisplayName::parse("  Acme Corp ").unwrap().as_str(), "Acme Corp");
        assert!(DisplayName::parse(&"é".repeat(128)).is_ok());
        assert!(DisplayName::parse(&"é".repeat(129)).is_err());
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse("a\u{0007}b").is_err());
        assert!(DisplayName::parse("\u{200B}").is_err(), "nothing visible");
        assert!(DisplayName::parse("Acme\u{202E}gnp.exe").is_err(), "bidi override");
    }
}
