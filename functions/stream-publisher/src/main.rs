use lambda_runtime::{Error, run, service_fn};
use meshcustomers::App;
use meshcustomers::config::Config;
use stream_publisher::EventBridgeBus;

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let config = Config::from_env()?;
    let bus = EventBridgeBus::new(aws_sdk_eventbridge::Client::new(&App::aws_config().await), config.event_bus_name);
    run(service_fn(|event| stream_publisher::handle(&bus, event))).await
}
