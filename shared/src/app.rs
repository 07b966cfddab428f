//! What a function builds once at start and every invocation shares.

use aws_config::environment::{EnvironmentVariableCredentialsProvider, EnvironmentVariableRegionProvider};
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_dynamodb::config::RuntimeComponents;
use aws_smithy_http_client::ConnectorBuilder;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::Provider;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector};
use futures::future::BoxFuture;
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
            Some(secret) => CursorKey::SecretsManager(SecretsManagerSecret::new(aws, secret, MIN_CURSOR_KEY_BYTES)),
        };
        let store = Store::new(aws_sdk_dynamodb::Client::new(aws), config.table_name, cursor_key);
        Self { settings: config.settings, store, aws: aws.clone() }
    }
}

/// Logging and the AWS configuration every function starts with. Endpoints follow
/// `AWS_ENDPOINT_URL_*`, which is how the local twins are reached.
///
/// Kept off the start path (profiled with the cold-start bench; figures in the commit message):
/// - the TLS trust roots: the SDK reads the system's certificates (here a bundle and a folder of
///   them, ~3.5 ms) and builds a throwaway connector (~0.4 ms) whenever a client is built.
///   [`HttpsClient`] leaves that to the first request, which reads the roots once for the
///   process and builds the one connector it uses, shared by every client of the function;
/// - the credential and region provider chains (profile files, web identity, ECS, IMDS) when
///   Lambda's variables already give both, as they do in Lambda and in the local cloud.
///
/// Boxed so that the configuration loader's future is compiled once, in this crate (see `sdk.rs`).
pub fn start() -> BoxFuture<'static, SdkConfig> {
    Box::pin(async {
        lambda_http::tracing::init_default_subscriber();
        let timeouts = TimeoutConfig::builder()
            .operation_attempt_timeout(ATTEMPT_TIMEOUT)
            .operation_timeout(OPERATION_TIMEOUT)
            .build();
        let https = HttpsClient::deferred();
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(timeouts).http_client(https);
        if std::env::var_os("AWS_REGION").is_some() {
            loader = loader.region(EnvironmentVariableRegionProvider::new());
        }
        if std::env::var_os("AWS_ACCESS_KEY_ID").is_some() {
            loader = loader.credentials_provider(EnvironmentVariableCredentialsProvider::new());
        }
        loader.load().await
    })
}

/// The SDK's default HTTPS client (hyper, rustls with aws-lc, proxy from the environment), except
/// that building an SDK client with it does not load the TLS stack: `Client::new` calls
/// `validate_base_client_config`, which the default client answers by building a connector (and
/// so reading the trust roots) "at client initialization time instead of upon first request".
/// Here the first request does it, once.
#[derive(Debug)]
struct HttpsClient(SharedHttpClient);

impl HttpsClient {
    fn deferred() -> SharedHttpClient {
        let inner = aws_smithy_http_client::Builder::new().build_with_connector_fn(|settings, components| {
            let mut connector = ConnectorBuilder::default().tls_provider(Provider::Rustls(CryptoMode::AwsLc));
            connector.set_connector_settings(settings.cloned());
            if let Some(components) = components {
                connector.set_sleep_impl(components.sleep_impl());
            }
            connector.set_proxy_config(Some(ProxyConfig::from_env()));
            connector.build()
        });
        SharedHttpClient::new(Self(inner))
    }
}

impl HttpClient for HttpsClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        self.0.http_connector(settings, components)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

/// For functions without a table (the stream publisher): their settings, logged when invalid.
pub fn settings_from_env<S: Settings>() -> Result<S, ConfigError> {
    S::read(&Environment::process()).inspect_err(|error| tracing::error!("{error}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;

    /// One HTTP/1.1 request answered with a JSON `{}`: what GetItem returns for a missing item.
    fn answer_once() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = Vec::new();
            let mut buffer = [0; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buffer).unwrap();
                request.extend_from_slice(&buffer[..n]);
            }
            let body = b"{}";
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(body).unwrap();
        });
        format!("http://{address}")
    }

    #[test]
    fn the_deferred_client_builds_clients_and_serves_their_requests() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let aws = aws_config::defaults(BehaviorVersion::latest())
                .http_client(HttpsClient::deferred())
                .region(aws_config::Region::new("eu-central-1"))
                .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("AKID", "secret", None, None, "test"))
                .endpoint_url(answer_once())
                .load()
                .await;
            // Building a client loads nothing and validates nothing of the TLS stack…
            let _secrets = aws_sdk_secretsmanager::Client::new(&aws);
            let dynamodb = aws_sdk_dynamodb::Client::new(&aws);
            // …and its first request builds the connector it needs.
            let output = dynamodb
                .get_item()
                .table_name("t")
                .key("pk", aws_sdk_dynamodb::types::AttributeValue::S("x".to_owned()))
                .send()
                .await
                .unwrap();
            assert!(output.item().is_none());
        });
    }
}
