//! A worked integration (README "A worked integration"): meshcustomers publishes
//! CUSTOMER_STATUS_CHANGED on its bus; the integrator's rule sends it to an SQS queue; this
//! function reads the queue and records each customer's status for a billing system, applying
//! every event exactly once although SQS and EventBridge deliver at least once.
//!
//! Ports and adapters: [`status_change`] is what billing needs of the event, [`billing`] the
//! port that records it, [`dynamodb_billing`] the adapter (one DynamoDB transaction that
//! deduplicates on the event's id and applies the change), [`handler`] the SQS batch with its
//! partial batch response.

pub mod billing;
pub mod dynamodb_billing;
pub mod handler;
pub mod status_change;
