use email_sender::EmailSender;
use lambda_runtime::{Error, run, service_fn};
use meshcustomers::App;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let app = App::from_env().await?;
    let ses = aws_sdk_sesv2::Client::new(&app.aws);
    let sender = EmailSender::new(app, ses);
    run(service_fn(|event| email_sender::handle(&sender, event))).await
}
