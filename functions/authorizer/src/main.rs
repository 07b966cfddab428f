use authorizer::authorizer::{Authorizer, AuthorizerRequest};
use authorizer::jwks::{HttpJwks, IssuerKeys};
use authorizer::settings::Settings;
use authorizer::table::KeyTable;
use lambda_runtime::LambdaEvent;
use meshcustomers::config::Environment;
use meshcustomers::entry::{self, Error};

fn main() -> Result<(), Error> {
    entry::serve_events(async {
        let aws = meshcustomers::app::start().await;
        let settings = Settings::read(&Environment::process()).inspect_err(|error| tracing::error!("{error}"))?;
        let authorizer = entry::for_the_process(Authorizer {
            issuer_keys: IssuerKeys::new(HttpJwks::new(&settings.expected.issuer)),
            expected: settings.expected,
            key_lookup: KeyTable { client: aws_sdk_dynamodb::Client::new(&aws), table_name: settings.table_name },
        });
        Ok(move |event: LambdaEvent<AuthorizerRequest>| authorizer.handle(event.payload))
    })
}
