//! The domain: what a customer account is and which rules it obeys. No AWS or Lambda types here.

mod customer;
mod display_name;
mod email;
mod identifier;
mod ids;
mod invitation;
mod membership;
mod tags;

pub use customer::{Customer, CustomerStatus, ProjectQuota};
pub use display_name::DisplayName;
pub use email::EmailAddress;
pub use identifier::{CustomerIdentifier, Identifier};
pub use ids::{GeneratedId, PartnerId, UserId};
pub use invitation::{Invitation, InvitationStatus};
pub use membership::{CustomerRole, Membership};
pub use tags::{TagDefinition, TagError, TagKey, TagValueType, TagValues, TagWriter, validate_tags};

use std::fmt;

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
