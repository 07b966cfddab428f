use meshcustomers::App;
use meshcustomers::entry::{self, Error};

fn main() -> Result<(), Error> {
    entry::serve_events(async {
        let app = entry::for_the_process(App::from_env().await?);
        Ok(move |event| expire_memberships::handle(app, event))
    })
}
