//! What a failed condition means, in the domain's words. Each conditional write of a change
//! names the conflict it stands for; the HTTP boundary alone turns conflicts into statuses.

use crate::domain::{
    CustomerIdentifier, CustomerStatus, EmailAddress, GeneratedId, PlatformName, ProjectIdentifier, TagKey,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// A customer with this identifier exists.
    IdentifierTaken(CustomerIdentifier),
    /// The user is already a member of the customer.
    AlreadyMember,
    /// An invitation for this address is pending in the customer.
    InvitationPending(EmailAddress),
    /// The customer has as many invitation locks held as `MAX_PENDING_INVITATIONS` (this) allows.
    TooManyInvitations(u32),
    /// A member of the customer has this address: it cannot be invited.
    AddressIsMember(EmailAddress),
    /// The invitation or its address's lock changed between the read and the write: decide
    /// again on what is stored now.
    InvitationChanged,
    /// The link's invitation is no longer pending, unexpired, at the link's version and with
    /// this link as its current one: read the invitation to tell which.
    InvitationLinkDead,
    /// The item changed since it was read (optimistic concurrency). The current version is
    /// filled in from the item DynamoDB returns with the failed condition.
    VersionMismatch { current_version: Option<u64> },
    /// The confirmation link was used already.
    ConfirmationUsed,
    /// The confirmation link is no longer the customer's current one (a newer one was mailed),
    /// or the customer no longer awaits confirmation.
    ConfirmationSuperseded,
    /// A tag definition with this key is in use.
    TagKeyTaken(TagKey),
    /// A tag definition with this key was deleted: the key is never defined again.
    TagKeyRetired(TagKey),
    /// As many tag definitions as the bound allows are in use.
    TooManyTagDefinitions,
    /// A condition that holds whenever the table is consistent did not (a bug, or an item edited
    /// by hand): answered as an internal error.
    Inconsistent(&'static str),
    /// The change would leave the customer without a CUSTOMER_ADMIN (its `adminCount` is 1).
    LastAdmin,
    /// What authorized the change (the customer, the caller's membership) changed or vanished
    /// between the read and the write: decide again on what is stored now.
    AccessChanged,
    /// The customer's status did not allow the change when it landed (see
    /// [`super::Changes::require_status`]): the status stored then, `None` when the customer is
    /// gone.
    CustomerStatus { customer: CustomerIdentifier, status: Option<CustomerStatus> },
    /// The customer owns as many projects as its quota allows (the quota stored then).
    QuotaExceeded { customer: CustomerIdentifier, quota: Option<u32> },
    /// The customer has a project with this identifier.
    ProjectIdentifierTaken(ProjectIdentifier),
    /// The project has a tenant on this platform.
    TenantExists(PlatformName),
    /// The service user was deleted meanwhile.
    ServiceUserGone(GeneratedId),
    /// The owner holds as many API keys as the bound allows.
    TooManyApiKeys,
    /// The API key was revoked meanwhile.
    ApiKeyGone,
    /// The recipient acknowledged the message before.
    AlreadyAcknowledged,
    /// Another recipient resolved the SINGLE_READ message first.
    AlreadyResolved,
    /// The user is not (or no longer) a member of the message's customer.
    NotRecipient,
    /// The registrant has a registration waiting for approval already.
    RegistrationPending,
    /// Items of a pending customer changed between its read and its removal (its history was
    /// recorded meanwhile, say): read it again and decide again.
    PendingCustomerChanged,
    /// The event's outbox item is gone: its customer was removed (a declined registration), or
    /// the item's time to live ran out before the history entry was written.
    OutboxGone,
    /// The event has its history entry already (a redelivery).
    HistoryRecorded,
}
