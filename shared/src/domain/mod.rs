//! The domain: what a customer account is and which rules it obeys. No AWS or Lambda types here.

pub use access_review::{
    AccessReview, KeptMembership, MAX_EXPORT_SERVICE_USERS, MAX_NOTE_CHARS, MAX_REVIEW_BYTES, MAX_REVIEW_MEMBERS,
    MAX_REVIEW_REMOVALS, ReviewDecision, ReviewNote,
};
pub use api_key::{
    API_KEY_PREFIX, ApiKey, ApiKeyRole, ApiKeySecret, KeyOwner, MAX_API_KEYS, MAX_KEY_LIFETIME_DAYS, parse_key_expiry,
};
pub use customer::{Customer, CustomerStatus, ProjectQuota};
pub use display_name::DisplayName;
pub use email::EmailAddress;
pub use email_confirmation::{ConfirmationState, EmailConfirmation};
pub use identifier::{CustomerIdentifier, PlatformName, ProjectIdentifier};
pub use ids::{GeneratedId, PartnerId, UserId};
pub use invitation::{Invitation, InvitationLink, InvitationStatus, LinkRefusal};
pub use link_token::{LinkToken, RandomSourceError, TokenHash};
pub use membership::{CustomerRole, JoinedVia, Membership, parse_membership_expiry};
pub use message::{InboxEntry, Message, MessageMode, MessageText, Sender};
pub use moment::parse_moment;
pub use partner_scope::PartnerScope;
pub use platform::{ConsoleUrl, PlatformDisplayName, PlatformSummary, Platforms};
pub use project::{Project, ServiceUser, Tenant};
pub use reason::Reason;
pub use tags::{
    TagCatalog, TagDefinition, TagEdit, TagError, TagKey, TagValueType, TagValues, TagWriter, edit_tags, validate_tags,
};

use std::fmt;

/// `TryFrom<String>` (parsing), `From<T> for String` and `Display` for string newtypes with a
/// `parse(&str) -> Result<Self, FieldError>` and a single `String` field.
macro_rules! string_conversions {
    ($($name:ident),*) => {$(
        impl TryFrom<String> for $name {
            type Error = $crate::domain::FieldError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }
        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}
pub(crate) use string_conversions;

mod access_review;
mod api_key;
mod customer;
mod display_name;
mod email;
mod email_confirmation;
mod identifier;
mod ids;
mod invitation;
mod link_token;
mod membership;
mod message;
mod moment;
mod partner_scope;
mod platform;
mod project;
mod reason;
pub mod tags;
pub(crate) mod text;

/// Why one input value was refused; the boundary attaches the field's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError(String);

impl FieldError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }

    pub fn message(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FieldError {}
