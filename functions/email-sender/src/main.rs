use email_sender::EmailSender;
use meshcustomers::App;
use meshcustomers::entry::{self, Error};

fn main() -> Result<(), Error> {
    entry::serve_events(async {
        let app = App::from_env().await?;
        let ses = aws_sdk_sesv2::Client::new(&app.aws);
        let sender = entry::for_the_process(EmailSender::new(app, ses));
        Ok(move |event| email_sender::handle(sender, event))
    })
}
