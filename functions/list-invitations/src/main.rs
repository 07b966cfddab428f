use lambda_http::{Error, run, service_fn};
use meshcustomers::App;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let app = App::from_env().await?;
    run(service_fn(|request| list_invitations::handle(&app, request))).await
}
