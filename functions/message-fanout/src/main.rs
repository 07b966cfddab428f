use lambda_runtime::{Error, run, service_fn};
use meshcustomers::App;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let app: App = App::from_env().await?;
    run(service_fn(|event| message_fanout::handle(&app.store, event))).await
}
