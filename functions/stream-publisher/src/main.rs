use meshcustomers::app;
use meshcustomers::entry::{self, Error};
use stream_publisher::{EventBridgeBus, Settings};

fn main() -> Result<(), Error> {
    entry::serve_events(async {
        let aws = app::start().await;
        let settings: Settings = app::settings_from_env()?;
        let bus = entry::for_the_process(EventBridgeBus::new(
            aws_sdk_eventbridge::Client::new(&aws),
            settings.event_bus_name,
        ));
        Ok(move |event| stream_publisher::handle(bus, event))
    })
}
