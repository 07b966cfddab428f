//! What a function builds once at start and every invocation shares.

use aws_config::{BehaviorVersion, SdkConfig};

use crate::config::Config;
use crate::http::BoxError;
use crate::store::Store;

pub struct App {
    pub config: Config,
    pub store: Store,
    /// For functions that build further clients (EventBridge, SES) from the same configuration.
    pub aws: SdkConfig,
}

impl App {
    /// Logging, configuration and clients, from the environment; fails the start on bad config.
    pub async fn from_env() -> Result<Self, BoxError> {
        lambda_http::tracing::init_default_subscriber();
        let config = Config::from_env().inspect_err(|error| tracing::error!("{error}"))?;
        // Endpoints follow `AWS_ENDPOINT_URL_*`, which is how the local twins are reached.
        let aws = aws_config::load_defaults(BehaviorVersion::latest()).await;
        Ok(Self::new(config, &aws))
    }

    pub fn new(config: Config, aws: &SdkConfig) -> Self {
        let store = Store::new(
            aws_sdk_dynamodb::Client::new(aws),
            config.table_name.clone(),
            config.cursor_signing_key.clone(),
        );
        Self { config, store, aws: aws.clone() }
    }
}
