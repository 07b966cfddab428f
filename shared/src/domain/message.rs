//! Messages from the admin area to a customer's members, and each recipient's inbox entry.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomerIdentifier, EmailAddress, FieldError, GeneratedId, UserId};

/// 1 to 2000 characters of several lines (line breaks and tabs allowed), at least one visible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MessageText(String);

const MAX_TEXT_CHARS: usize = 2000;

impl MessageText {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let length = raw.chars().count();
        if length == 0 || length > MAX_TEXT_CHARS {
            return Err(FieldError::new("must be 1 to 2000 characters"));
        }
        super::text::check_multiline_text(raw)?;
        if raw.lines().all(|line| super::text::check_display_text(line).is_err()) {
            return Err(FieldError::new("must contain a visible character"));
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_conversions!(MessageText);

/// ALL_MUST_READ stays with each recipient until they acknowledge it; SINGLE_READ disappears for
/// every recipient once any one does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MessageMode {
    AllMustRead,
    SingleRead,
}

impl MessageMode {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw {
            "ALL_MUST_READ" => Ok(Self::AllMustRead),
            "SINGLE_READ" => Ok(Self::SingleRead),
            _ => Err(FieldError::new("must be ALL_MUST_READ or SINGLE_READ")),
        }
    }
}

/// Who sent a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sender {
    pub user_id: UserId,
    pub email: Option<EmailAddress>,
}

/// A message as its customer's admin-area readers see it: with how it was received.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub message_id: GeneratedId,
    pub customer_id: CustomerIdentifier,
    pub text: MessageText,
    pub mode: MessageMode,
    pub sender: Sender,
    pub sent_at: DateTime<Utc>,
    /// The members it was delivered to; `null` until its delivery (asynchronous) has finished.
    #[serde(default)]
    pub recipient_count: Option<u32>,
    /// How many recipients acknowledged it.
    #[serde(default)]
    pub acknowledged_count: u32,
    /// SINGLE_READ: the recipient whose acknowledgement resolved it for everyone, and when.
    #[serde(default)]
    pub resolved_by: Option<UserId>,
    #[serde(default)]
    pub resolved_at: Option<DateTime<Utc>>,
}

impl Message {
    /// Whether a recipient still has it to read: SINGLE_READ ones no longer once resolved.
    pub fn is_resolved(&self) -> bool {
        self.mode == MessageMode::SingleRead && self.resolved_by.is_some()
    }
}

/// One recipient's copy of a message, as `GET /me/messages` shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InboxEntry {
    pub message_id: GeneratedId,
    pub customer_id: CustomerIdentifier,
    pub text: MessageText,
    pub mode: MessageMode,
    pub sender: Sender,
    pub sent_at: DateTime<Utc>,
}

impl InboxEntry {
    pub fn of(message: &Message) -> Self {
        Self {
            message_id: message.message_id,
            customer_id: message.customer_id.clone(),
            text: message.text.clone(),
            mode: message.mode,
            sender: message.sender.clone(),
            sent_at: message.sent_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_bounded_and_visible() {
        assert!(MessageText::parse("Maintenance tonight\n\n- 22:00 to 23:00\tUTC").is_ok());
        assert!(MessageText::parse(&"é".repeat(2000)).is_ok());
        assert!(MessageText::parse(&"é".repeat(2001)).is_err());
        for bad in ["", " \n\t", "a\u{0007}b", "a\u{202E}b", "\u{200B}"] {
            assert!(MessageText::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn modes_by_name() {
        assert_eq!(MessageMode::parse("SINGLE_READ"), Ok(MessageMode::SingleRead));
        assert!(MessageMode::parse("single_read").is_err());
    }
}
