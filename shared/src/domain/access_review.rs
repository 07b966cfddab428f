//! Access reviews (SPEC §6.3): a customer admin's attestation of who keeps access to the customer.
//! A review decides on every current member, KEEP or REMOVE; the removals happen in the review's
//! own transaction, and the review is kept (`ACCESS_REVIEW#` items) so that the export can say when
//! each member was last reviewed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{CustomerIdentifier, FieldError, GeneratedId, Membership, UserId};
use crate::events::rfc3339_millis;

/// The most members one review decides on, and one export lists: the read of the members is
/// bounded by it, and so are the review's event and item (see [`MAX_REVIEW_BYTES`]).
pub const MAX_REVIEW_MEMBERS: usize = 1000;
/// The most members one review removes: each removal takes up to four of the 100 actions of a
/// DynamoDB transaction (the member, its address's item, its membership log entry, its
/// USER_REMOVED outbox item): 2 + 4 × 20 + 2 = 84 at most.
pub const MAX_REVIEW_REMOVALS: usize = 20;
/// The most service users one export lists.
pub const MAX_EXPORT_SERVICE_USERS: usize = 500;
/// The largest review, as [`AccessReview::bytes`] counts it: far below EventBridge's 256 KB for its
/// event and DynamoDB's 400 KB for its item. Only user ids far longer than an identity provider's
/// subjects reach it (1,000 UUID subjects take about 80 KB).
pub const MAX_REVIEW_BYTES: usize = 200 * 1024;
/// What the item keeps of each kept membership besides its user id, at most (its version and
/// the milliseconds of its `joinedAt`, as numbers).
const KEPT_STATE_BYTES: usize = 40;
/// The longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 1000;

/// What a review decides for one member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReviewDecision {
    Keep,
    Remove,
}

impl ReviewDecision {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        match raw {
            "KEEP" => Ok(Self::Keep),
            "REMOVE" => Ok(Self::Remove),
            _ => Err(FieldError::new("must be KEEP or REMOVE")),
        }
    }
}

/// The reviewer's note: 1 to 1000 characters after trimming surrounding white space, one line,
/// at least one of them visible; no control or bidirectional control characters (the rules of a
/// reason, longer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReviewNote(String);

impl ReviewNote {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new("must not be empty (leave it out or send null for no note)"));
        }
        if trimmed.chars().count() > MAX_NOTE_CHARS {
            return Err(FieldError::new(format!("must be at most {MAX_NOTE_CHARS} characters")));
        }
        super::text::check_display_text(trimmed)?;
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

super::string_conversions!(ReviewNote);

/// A review as it was made: who was kept and who removed, by whom, when and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessReview {
    pub review_id: GeneratedId,
    pub customer_id: CustomerIdentifier,
    #[serde(with = "rfc3339_millis")]
    pub reviewed_at: DateTime<Utc>,
    pub reviewed_by: UserId,
    /// The members kept, by user id.
    #[serde(default)]
    pub kept: Vec<UserId>,
    /// The members removed, by user id (an empty list is not stored: read as none).
    #[serde(default)]
    pub removed: Vec<UserId>,
    pub note: Option<ReviewNote>,
}

impl AccessReview {
    /// Its size: its JSON (that of its event, nearly) and what its item keeps of each kept
    /// membership ([`KeptMembership`]). Bounded by [`MAX_REVIEW_BYTES`].
    pub fn bytes(&self) -> usize {
        serde_json::to_vec(self).map_or(usize::MAX, |json| json.len()) + self.kept.len() * KEPT_STATE_BYTES
    }
}

/// A kept membership as the review saw it: the export counts a member as reviewed only while its
/// membership is still the one kept (a role or end changed since, or a new membership of the same
/// user, was not reviewed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KeptMembership {
    pub user_id: UserId,
    pub version: u64,
    pub joined_at: DateTime<Utc>,
}

impl From<&Membership> for KeptMembership {
    fn from(member: &Membership) -> Self {
        Self { user_id: member.user_id.clone(), version: member.version, joined_at: member.joined_at }
    }
}

impl KeptMembership {
    /// Whether `member` is the membership this one kept (its `joinedAt` compared to the
    /// millisecond, as the review's item keeps it).
    pub fn is(&self, member: &Membership) -> bool {
        self.user_id == member.user_id
            && self.version == member.version
            && self.joined_at.timestamp_millis() == member.joined_at.timestamp_millis()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_and_notes() {
        assert_eq!(ReviewDecision::parse("KEEP"), Ok(ReviewDecision::Keep));
        assert_eq!(ReviewDecision::parse("REMOVE"), Ok(ReviewDecision::Remove));
        assert!(ReviewDecision::parse("keep").is_err());
        assert_eq!(ReviewNote::parse("  quarterly review ").unwrap().as_str(), "quarterly review");
        assert!(ReviewNote::parse(&"é".repeat(1000)).is_ok());
        assert!(ReviewNote::parse(&"é".repeat(1001)).is_err());
        assert!(ReviewNote::parse(" ").is_err());
        assert!(ReviewNote::parse("two\nlines").is_err());
        assert!(ReviewNote::parse("ok\u{202E}ko").is_err(), "bidi override");
    }
}
