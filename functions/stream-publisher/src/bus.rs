//! The event bus port, and its EventBridge adapter.

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use meshcustomers::events::{EVENT_SOURCE, entry_size};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusEntry {
    pub detail_type: String,
    pub detail: String,
}

impl BusEntry {
    /// The size EventBridge counts for this entry.
    pub fn size(&self) -> usize {
        entry_size(&self.detail_type, &self.detail)
    }
}

/// Why the bus did not take one entry of a call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct Rejected {
    pub code: String,
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BusError {
    #[error("PutEvents failed")]
    PutEvents(#[source] Box<aws_sdk_eventbridge::Error>),
    #[error("the bus answered for {answered} of {sent} entries")]
    Miscounted { sent: usize, answered: usize },
}

pub trait EventBus {
    /// Puts up to 10 entries; per entry, in order, whether the bus took it.
    fn put_events(
        &self,
        entries: Vec<BusEntry>,
    ) -> impl Future<Output = Result<Vec<Result<(), Rejected>>, BusError>> + Send;
}

pub struct EventBridgeBus {
    client: Client,
    bus_name: String,
}

impl EventBridgeBus {
    pub fn new(client: Client, bus_name: impl Into<String>) -> Self {
        Self { client, bus_name: bus_name.into() }
    }
}

impl EventBus for EventBridgeBus {
    async fn put_events(&self, entries: Vec<BusEntry>) -> Result<Vec<Result<(), Rejected>>, BusError> {
        let sent = entries.len();
        let entries = entries
            .into_iter()
            .map(|entry| {
                PutEventsRequestEntry::builder()
                    .event_bus_name(&self.bus_name)
                    .source(EVENT_SOURCE)
                    .detail_type(entry.detail_type)
                    .detail(entry.detail)
                    .build()
            })
            .collect();
        let output = self
            .client
            .put_events()
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|error| BusError::PutEvents(Box::new(error.into())))?;
        // Entries answer in request order; an entry with an error code was not put.
        let outcomes: Vec<Result<(), Rejected>> = output
            .entries()
            .iter()
            .map(|result| match result.error_code() {
                None => Ok(()),
                Some(code) => Err(Rejected {
                    code: code.to_owned(),
                    message: result.error_message().unwrap_or_default().to_owned(),
                }),
            })
            .collect();
        if outcomes.len() != sent {
            return Err(BusError::Miscounted { sent, answered: outcomes.len() });
        }
        Ok(outcomes)
    }
}
