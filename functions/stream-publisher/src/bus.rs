//! The event bus port, and its EventBridge adapter.

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use meshcustomers::events::EVENT_SOURCE;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BusEntry {
    pub detail_type: String,
    pub detail: String,
}

pub trait EventBus {
    /// Puts up to 10 entries; per entry, `Ok` or the bus's error code.
    fn put_events(
        &self,
        entries: Vec<BusEntry>,
    ) -> impl Future<Output = Result<Vec<Result<(), String>>, BoxError>> + Send;
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
    async fn put_events(&self, entries: Vec<BusEntry>) -> Result<Vec<Result<(), String>>, BoxError> {
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
        let output = self.client.put_events().set_entries(Some(entries)).send().await?;
        // Entries answer in request order; an entry with an error code was not put.
        Ok(output
            .entries()
            .iter()
            .map(|result| match result.error_code() {
                None => Ok(()),
                Some(code) => Err(format!("{code}: {}", result.error_message().unwrap_or_default())),
            })
            .collect())
    }
}
