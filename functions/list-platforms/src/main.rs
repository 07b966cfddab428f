use meshcustomers::app;
use meshcustomers::entry::{self, Error};

fn main() -> Result<(), Error> {
    entry::serve_http(async {
        lambda_http::tracing::init_default_subscriber();
        let settings = entry::for_the_process(app::settings_from_env::<list_platforms::Settings>()?);
        Ok(move |request| list_platforms::handle(settings, request))
    })
}
