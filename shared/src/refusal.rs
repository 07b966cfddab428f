//! Why a change (or a read) is refused, in the domain's words. Beside [`crate::store::Conflict`]
//! (what a failed condition of the write means), this is what the decision says before anything
//! is written; `http::problem` alone turns either into a status and a problem type.

use std::collections::BTreeMap;

use crate::authorization::Denial;
use crate::domain::{
    CustomerIdentifier, CustomerStatus, GeneratedId, InvitationStatus, LinkRefusal, ProjectIdentifier, TagError,
    TagKey, UserId,
};
use crate::store::{Conflict, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The rule of the action grants none of the caller's roles.
    #[error("denied: {0:?}")]
    Denied(Denial),
    /// The customer does not exist, or the caller may not know that it does.
    #[error("customer {0} does not exist")]
    CustomerNotFound(CustomerIdentifier),
    /// The customer is not yet ACTIVE (or, for what only an ACTIVE customer does, not ACTIVE):
    /// it allows reads only.
    #[error("customer {customer} is {status:?}")]
    CustomerNotActive { customer: CustomerIdentifier, status: CustomerStatus },
    /// The customer is DISABLED: what it has stays readable, nothing new is made.
    #[error("customer {0} is disabled")]
    CustomerDisabled(CustomerIdentifier),
    /// Only a customer in PENDING_APPROVAL can be approved or declined.
    #[error("customer {customer} is {status:?}, not pending")]
    CustomerNotPending { customer: CustomerIdentifier, status: CustomerStatus },
    /// A pending registration the sweep found is younger than the TTL by what is stored now.
    #[error("the registration of {0} has not expired")]
    RegistrationNotExpired(CustomerIdentifier),
    #[error("user {user} is not a member of {customer}")]
    MemberNotFound { customer: CustomerIdentifier, user: UserId },
    #[error("customer {customer} has no invitation {invitation}")]
    InvitationNotFound { customer: CustomerIdentifier, invitation: GeneratedId },
    #[error("customer {customer} has no project {project}")]
    ProjectNotFound { customer: CustomerIdentifier, project: ProjectIdentifier },
    #[error("customer {customer} has no service user {service_user}")]
    ServiceUserNotFound { customer: CustomerIdentifier, service_user: GeneratedId },
    /// The owner (a partner, or the customer) has no API key with this id.
    #[error("no API key {0}")]
    ApiKeyNotFound(GeneratedId),
    /// The caller has no such message in their inbox.
    #[error("no such message")]
    MessageNotFound,
    #[error("tag {0} is not defined")]
    TagNotDefined(TagKey),
    /// An accepted or cancelled invitation is not sent again.
    #[error("the invitation is {0:?} and cannot be resent")]
    InvitationNotResendable(InvitationStatus),
    /// Only a pending invitation can be cancelled.
    #[error("the invitation is {0:?} and cannot be cancelled")]
    InvitationNotCancellable(InvitationStatus),
    /// The link cannot accept its invitation any more.
    #[error("the invitation link is dead: {0:?}")]
    InvitationLink(LinkRefusal),
    /// No invitation link has this token (or its record is gone).
    #[error("unknown invitation link")]
    InvitationLinkUnknown,
    /// The invitation is for another address than the caller's.
    #[error("the invitation is for another address")]
    InvitationEmailMismatch,
    /// No confirmation link has this token.
    #[error("unknown confirmation link")]
    ConfirmationLinkUnknown,
    /// The confirmation link ran out.
    #[error("the confirmation link expired")]
    ConfirmationLinkExpired,
    /// Registering needs an e-mail address in the token.
    #[error("no e-mail address in the token")]
    EmailRequired,
    /// What the caller asks for needs a verified e-mail address.
    #[error("the e-mail address is not verified")]
    EmailNotVerified(NeedsVerifiedEmail),
    /// A partner user named another partner than their own.
    #[error("another partner's customer")]
    OtherPartner,
    /// A tag edit breaks the catalog or the caller's rights on restricted tags.
    #[error("tags: {0:?}")]
    Tags(TagError),
    /// What the change was asked for is invalid, field by field (checked against what is
    /// stored, such as a tag definition's immutable key and value type).
    #[error("invalid fields: {0:?}")]
    InvalidFields(BTreeMap<String, String>),
    /// A write without `If-Match` lost to other writers on every attempt: nothing was written.
    #[error("contended")]
    Contended,
    /// An access review or its export would cover more than its bound allows: more than `max`
    /// of `what` (members, service users, bytes of the review).
    #[error("an access review covers at most {max} {what}")]
    AccessReviewTooLarge { what: &'static str, max: usize },
}

/// What needs a verified address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedsVerifiedEmail {
    Registering,
    AcceptingInvitation,
}

/// Why a change or a read did not happen: refused in the domain's words, or the store's answer
/// (a [`Conflict`] of a write among them).
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Conflict> for DomainError {
    fn from(conflict: Conflict) -> Self {
        Self::Store(StoreError::Conflict(conflict))
    }
}

impl From<Denial> for DomainError {
    fn from(denial: Denial) -> Self {
        Self::Refused(denial.into())
    }
}

impl From<TagError> for DomainError {
    fn from(error: TagError) -> Self {
        Self::Refused(error.into())
    }
}

impl DomainError {
    /// The conflict of a write that did not land, if that is what this is.
    pub fn conflict(&self) -> Option<&Conflict> {
        match self {
            Self::Store(StoreError::Conflict(conflict)) => Some(conflict),
            _ => None,
        }
    }
}

impl From<Denial> for Refusal {
    fn from(denial: Denial) -> Self {
        Self::Denied(denial)
    }
}

impl From<TagError> for Refusal {
    fn from(error: TagError) -> Self {
        Self::Tags(error)
    }
}

impl From<LinkRefusal> for Refusal {
    fn from(refusal: LinkRefusal) -> Self {
        Self::InvitationLink(refusal)
    }
}
