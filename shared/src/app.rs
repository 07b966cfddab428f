//! What a function builds once at start and every invocation shares.

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use std::time::Duration;

use crate::config::{self, ConfigError, Environment, Settings};
use crate::secrets::SecretsManagerSecret;
use crate::store::{CursorKey, MIN_CURSOR_KEY_BYTES, Store};

/// One DynamoDB attempt may take this long before the SDK retries it…
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(2);
/// …and one operation, retries included, this long: well inside the functions' 10 s timeout,
/// so a stuck dependency is answered with a 503 instead of a Lambda timeout.
const OPERATION_TIMEOUT: Duration = Duration::from_secs(6);

/// A function's table access and its own settings `S`.
pub struct App<S = ()> {
    pub settings: S,
    pub store: Store,
    /// For functions that build further clients (SES) from the same configuration.
    pub aws: SdkConfig,
}

/// Everything a function that uses the table reads from its environment.
#[derive(Debug)]
pub struct AppConfig<S> {
    pub table_name: String,
    /// Only functions that page lists have one.
    pub cursor_signing_key_secret: Option<String>,
    pub settings: S,
}

impl<S: Settings> AppConfig<S> {
    pub fn read(environment: &Environment) -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: config::table_name(environment)?,
            cursor_signing_key_secret: S::PAGES_LISTS
                .then(|| config::cursor_signing_key_secret(environment))
                .transpose()?,
            settings: S::read(environment)?,
        })
    }
}

impl<S: Settings> App<S> {
    /// Logging, configuration and clients, from the environment; fails the start on bad config.
    pub async fn from_env() -> Result<Self, ConfigError> {
        let aws = start().await;
        let config = AppConfig::read(&Environment::process()).inspect_err(|error| tracing::error!("{error}"))?;
        Ok(Self::new(config, &aws))
    }

    pub fn new(config: AppConfig<S>, aws: &SdkConfig) -> Self {
        let cursor_key = match config.cursor_signing_key_secret {
            None => CursorKey::None,
            Some(secret) => CursorKey::SecretsManager(SecretsManagerSecret::new(
                aws_sdk_secretsmanager::Client::new(aws),
                secret,
                MIN_CURSOR_KEY_BYTES,
            )),
        };
        let store = Store::new(aws_sdk_dynamodb::Client::new(aws), config.table_name, cursor_key);
        Self { settings: config.settings, store, aws: aws.clone() }
    }
}

/// Logging and the AWS configuration every function starts with. Endpoints follow
/// `AWS_ENDPOINT_URL_*`, which is how the local twins are reached.
pub async fn start() -> SdkConfig {
    lambda_http::tracing::init_default_subscriber();
    let timeouts = TimeoutConfig::builder()
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build();
    aws_config::defaults(BehaviorVersion::latest()).timeout_config(timeouts).load().await
}

/// For functions without a table (the stream publisher): their settings, logged when invalid.
pub fn settings_from_env<S: Settings>() -> Result<S, ConfigError> {
    S::read(&Environment::process()).inspect_err(|error| tracing::error!("{error}"))
}
