use lambda_http::{Error, run, service_fn};
use meshcustomers::App;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let app = App::from_env().await?;
    run(service_fn(|request| cancel_invitation::handle(&app, request))).await
}
