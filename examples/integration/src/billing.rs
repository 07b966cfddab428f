//! The port: where the billing system keeps each customer's status.

use crate::status_change::StatusChange;

/// What recording one change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// The change is now the customer's status.
    Applied,
    /// This event was applied before (a redelivery): nothing changed.
    Duplicate,
    /// A later change of the customer was applied first (SQS does not keep order): this older
    /// one is not applied, so the record keeps the latest status.
    Superseded,
}

/// Records customers' statuses, each event at most once.
pub trait BillingStatuses {
    fn record(
        &self,
        change: &StatusChange,
    ) -> impl Future<Output = Result<Recorded, Box<dyn std::error::Error + Send + Sync>>> + Send;
}
