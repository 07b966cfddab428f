use lambda_runtime::{Error, run, service_fn};
use meshcustomers::App;
use stream_publisher::EventBridgeBus;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let app = App::from_env().await?;
    let bus = EventBridgeBus::new(aws_sdk_eventbridge::Client::new(&app.aws), app.config.event_bus_name.clone());
    run(service_fn(|event| stream_publisher::handle(&bus, event))).await
}
