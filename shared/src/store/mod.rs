//! The single-table DynamoDB store. Access patterns, keys and indexes: README.md, "Data model".
//! Every state change is one `TransactWriteItems` that also writes its outbox events.

mod cursor;
mod customers;
mod deliveries;
mod history;
mod items;
mod keys;
mod pagination;
mod tag_definitions;
mod transaction;

use aws_sdk_dynamodb::Client;

pub use customers::{CustomerFilter, NewCustomer};
pub use deliveries::DeliveryClaim;
pub use history::{HistoryEntry, Recorded};
pub use pagination::{Page, PageQuery};
pub use transaction::Conflict;

use crate::http::BoxError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A condition the change relied on did not hold (a taken identifier, a pending invitation, …).
    #[error("{}", .0.detail)]
    Conflict(Conflict),
    #[error("the pagination cursor is invalid or belongs to another list")]
    InvalidCursor,
    #[error("store failure: {0}")]
    Internal(BoxError),
}

impl StoreError {
    pub(crate) fn internal(error: impl Into<BoxError>) -> Self {
        Self::Internal(error.into())
    }
}

#[derive(Clone)]
pub struct Store {
    client: Client,
    table: String,
    cursor_key: Vec<u8>,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>, cursor_key: Vec<u8>) -> Self {
        Self { client, table: table.into(), cursor_key }
    }
}
