use meshcustomers::App;
use meshcustomers::entry::{self, Error};

fn main() -> Result<(), Error> {
    entry::serve_http(async {
        let app = entry::for_the_process(App::from_env().await?);
        Ok(move |request| export_access_review::handle(app, request))
    })
}
