use lambda_runtime::{Error, run, service_fn};
use meshcustomers::app;
use stream_publisher::{EventBridgeBus, Settings};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let aws = app::start().await;
    let settings: Settings = app::settings_from_env()?;
    let bus = EventBridgeBus::new(aws_sdk_eventbridge::Client::new(&aws), settings.event_bus_name);
    run(service_fn(|event| stream_publisher::handle(&bus, event))).await
}
