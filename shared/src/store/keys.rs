//! Key shapes of the single table. One place, so the access-pattern table in the docs matches.

pub const GSI1: &str = "gsi1";
pub const GSI2: &str = "gsi2";

/// Installation-wide items (events without a customer, tag definitions).
pub const INSTALLATION_PK: &str = "INSTALLATION";
pub const TAG_DEFINITIONS_PK: &str = "TAG_DEFINITIONS";
/// GSI2 partition listing every customer, for platform admins.
pub const ALL_CUSTOMERS: &str = "CUSTOMERS";

pub const CUSTOMER_SK: &str = "CUSTOMER";
pub const CUSTOMER_PREFIX: &str = "CUSTOMER#";
pub const HISTORY_PREFIX: &str = "EVENT#";
pub const DELIVERY_SK: &str = "EMAIL";

pub fn customer_pk(identifier: &str) -> String {
    format!("{CUSTOMER_PREFIX}{identifier}")
}

pub fn partner_pk(partner_id: &str) -> String {
    format!("PARTNER#{partner_id}")
}

pub fn user_pk(user_id: &str) -> String {
    format!("USER#{user_id}")
}

pub fn member_sk(user_id: &str) -> String {
    format!("MEMBER#{user_id}")
}

pub fn invitation_sk(invitation_id: &str) -> String {
    format!("INVITATION#{invitation_id}")
}

/// Holds one pending invitation per e-mail address per customer.
pub fn invitation_email_sk(email: &str) -> String {
    format!("INVITATION_EMAIL#{email}")
}

pub fn outbox_sk(event_id: &str) -> String {
    format!("OUTBOX#{event_id}")
}

/// Sorts by time, so the newest entries come first when read backwards.
pub fn history_sk(occurred_at: &str, event_id: &str) -> String {
    format!("{HISTORY_PREFIX}{occurred_at}#{event_id}")
}

pub fn delivery_pk(event_id: &str) -> String {
    format!("DELIVERY#{event_id}")
}

pub fn tag_definition_sk(key: &str) -> String {
    format!("TAG#{key}")
}

/// The partition an event's outbox and history items live in.
pub fn event_pk(customer_id: Option<&str>) -> String {
    customer_id.map_or_else(|| INSTALLATION_PK.to_owned(), customer_pk)
}

/// The `entity` attribute every item carries; the stream filter selects `OUTBOX`.
pub mod entity {
    pub const CUSTOMER: &str = "CUSTOMER";
    pub const MEMBER: &str = "MEMBER";
    pub const INVITATION: &str = "INVITATION";
    pub const INVITATION_EMAIL: &str = "INVITATION_EMAIL";
    pub const OUTBOX: &str = "OUTBOX";
    pub const HISTORY: &str = "HISTORY";
    pub const DELIVERY: &str = "DELIVERY";
    pub const TAG_DEFINITION: &str = "TAG_DEFINITION";
}
