//! Why an admin-area user did something, recorded on the event for the account history.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// 1 to 500 characters after trimming surrounding white space, one line, at least one of them
/// visible; no control or bidirectional control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Reason(String);

const MAX_CHARS: usize = 500;

impl Reason {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new("must not be empty (leave it out or send null for no reason)"));
        }
        if trimmed.chars().count() > MAX_CHARS {
            return Err(FieldError::new("must be at most 500 characters"));
        }
        super::text::check_display_text(trimmed)?;
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_conversions!(Reason);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds_length() {
        assert_eq!(Reason::parse("  no valid payment method ").unwrap().as_str(), "no valid payment method");
        assert!(Reason::parse(&"é".repeat(500)).is_ok());
        assert!(Reason::parse(&"é".repeat(501)).is_err());
        assert!(Reason::parse(" ").is_err());
        assert!(Reason::parse("two\nlines").is_err());
        assert!(Reason::parse("\u{200B}").is_err(), "nothing visible");
        assert!(Reason::parse("paid\u{202E}ton").is_err(), "bidi override");
    }
}
