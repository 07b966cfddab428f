//! What a function builds once at start and every invocation shares.

use aws_config::environment::{EnvironmentVariableCredentialsProvider, EnvironmentVariableRegionProvider};
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_sdk_dynamodb::config::{RuntimeComponents, SharedAsyncSleep};
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore};
use aws_smithy_http_client::{Connector, ConnectorBuilder};
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use futures::future::BoxFuture;
use http_body_util::BodyExt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::task::JoinHandle;

use crate::config::{self, ConfigError, Environment, Settings};
use crate::secrets::SecretsManagerSecret;
use crate::store::{CursorKey, MIN_CURSOR_KEY_BYTES, Store};

/// The SDK's own default for a connection's TCP connect, stated here so that the connector built
/// at start is the one every client asks for (its settings are the timeouts).
const CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);
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
        let aws = start_with_table().await;
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
/// `AWS_ENDPOINT_URL_*`, which is how the local twins are reached. A function whose first request
/// goes to another service than DynamoDB (the stream publisher: EventBridge) starts with this;
/// [`App::from_env`] also opens its connection to DynamoDB during the start.
///
/// What a cold start costs is the start and the first request together (the cold-answer bench),
/// so the work of the first request is begun here, beside the start, not on its path:
/// - the TLS trust roots are compiled in (`build.rs`) instead of read from the system's
///   certificate files (~3.5 ms here, a bundle and a folder of them), and the one HTTPS connector
///   of the process is built from them on another thread while the runtime fetches the first
///   event ([`HttpsClient`]);
/// - the credential and region provider chains (profile files, web identity, ECS, IMDS) are not
///   run when Lambda's variables already give both, as they do in Lambda and in the local cloud.
///
/// Boxed so that the configuration loader's future is compiled once, in this crate (see `sdk.rs`).
pub fn start() -> BoxFuture<'static, SdkConfig> {
    Box::pin(async { configure().await.0 })
}

/// [`start`], and a connection to DynamoDB opened beside it (see [`HttpsClient::open_connection`]).
fn start_with_table() -> BoxFuture<'static, SdkConfig> {
    Box::pin(async {
        let (aws, https, preparing) = configure().await;
        if let Some(endpoint) = dynamodb_endpoint(&aws).await {
            https.open_connection(endpoint, preparing);
        }
        aws
    })
}

/// Also returns the connector's build on its thread ([`HttpsClient::prepare`]).
async fn configure() -> (SdkConfig, HttpsClient, JoinHandle<()>) {
    lambda_http::tracing::init_default_subscriber();
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_attempt_timeout(ATTEMPT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build();
    let https = HttpsClient::new(&timeouts);
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .timeout_config(timeouts)
        .http_client(SharedHttpClient::new(https.clone()));
    if std::env::var_os("AWS_REGION").is_some() {
        loader = loader.region(EnvironmentVariableRegionProvider::new());
    }
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_some() {
        loader = loader.credentials_provider(EnvironmentVariableCredentialsProvider::new());
    }
    let aws = loader.load().await;
    let preparing = https.prepare(aws.sleep_impl());
    (aws, https, preparing)
}

/// The trust roots every HTTPS connection of a function verifies its server against: Mozilla's
/// root program as the `webpki-root-certs` crate of `Cargo.lock` carries it (`build.rs`), the same
/// in Lambda, in the local cloud and on any machine; updated with that crate.
const TRUST_ROOTS_PEM: &str = include_str!(concat!(env!("OUT_DIR"), "/trust-roots.pem"));

fn tls_context() -> TlsContext {
    let roots = TrustStore::empty().with_native_roots(false).with_pem_certificate(TRUST_ROOTS_PEM.as_bytes());
    TlsContext::builder().with_trust_store(roots).build().expect("a TLS context of PEM roots builds")
}

/// One HTTPS connector (hyper, rustls with aws-lc, proxy from the environment) for every client of
/// the process, built once, on another thread, as soon as the configuration is loaded
/// ([`HttpsClient::prepare`]); a request that needs it sooner waits for that build instead of
/// starting a second one. The SDK's default client would instead build a throwaway connector
/// whenever a client is built (`validate_base_client_config`, "at client initialization time
/// instead of upon first request") and another at the first request.
#[derive(Debug, Clone)]
struct HttpsClient(Arc<Connectors>);

#[derive(Debug)]
struct Connectors {
    /// The settings every client of the process asks with (they share one timeout configuration).
    settings: HttpConnectorSettings,
    prepared: OnceLock<SharedHttpConnector>,
    sleep: OnceLock<Option<SharedAsyncSleep>>,
    /// For a client that asks with other settings: connectors built on demand, cached per settings.
    others: SharedHttpClient,
}

impl HttpsClient {
    fn new(timeouts: &TimeoutConfig) -> Self {
        let mut settings = HttpConnectorSettings::builder();
        settings.set_connect_timeout(timeouts.connect_timeout()).set_read_timeout(timeouts.read_timeout());
        let settings = settings.build();
        let others = aws_smithy_http_client::Builder::new().build_with_connector_fn(|settings, components| {
            https_connector(settings, components.and_then(RuntimeComponents::sleep_impl))
        });
        Self(Arc::new(Connectors { settings, prepared: OnceLock::new(), sleep: OnceLock::new(), others }))
    }

    /// Builds the process's connector on a thread of its own; the start goes on meanwhile.
    fn prepare(&self, sleep: Option<SharedAsyncSleep>) -> JoinHandle<()> {
        let _ = self.0.sleep.set(sleep);
        let connectors = self.0.clone();
        tokio::task::spawn_blocking(move || {
            connectors.prepared();
        })
    }

    /// Opens a connection to `endpoint` (an unsigned `GET /`, answered without credentials, its
    /// answer read to the end) so that the first request finds it open in the connector's pool:
    /// the TCP and TLS handshakes happen beside the start instead of in the first request.
    /// `preparing` is the connector's build ([`Self::prepare`]).
    fn open_connection(&self, endpoint: String, preparing: JoinHandle<()>) {
        let connectors = self.0.clone();
        tokio::spawn(async move {
            let Ok(request) = HttpRequest::get(&endpoint) else { return };
            // Awaited, not waited for: the runtime has one thread (`entry`), which waiting on
            // `prepared` would hold until the roots are parsed, and the start with it.
            let _ = preparing.await;
            let connector = connectors.prepared().clone();
            match connector.call(request).await {
                Ok(response) => {
                    let _ = response.into_body().collect().await;
                }
                Err(error) => tracing::debug!(%endpoint, %error, "opening a connection at start failed"),
            }
        });
    }
}

impl Connectors {
    fn prepared(&self) -> &SharedHttpConnector {
        self.prepared.get_or_init(|| {
            let sleep = self.sleep.get().cloned().flatten();
            SharedHttpConnector::new(https_connector(Some(&self.settings), sleep))
        })
    }
}

fn https_connector(settings: Option<&HttpConnectorSettings>, sleep: Option<SharedAsyncSleep>) -> Connector {
    let mut connector =
        ConnectorBuilder::default().tls_provider(Provider::Rustls(CryptoMode::AwsLc)).tls_context(tls_context());
    connector.set_connector_settings(settings.cloned());
    connector.set_sleep_impl(sleep);
    connector.set_proxy_config(Some(ProxyConfig::from_env()));
    connector.build()
}

impl HttpClient for HttpsClient {
    fn http_connector(&self, settings: &HttpConnectorSettings, components: &RuntimeComponents) -> SharedHttpConnector {
        let connectors = &self.0;
        let same = settings.connect_timeout() == connectors.settings.connect_timeout()
            && settings.read_timeout() == connectors.settings.read_timeout();
        if same && connectors.sleep.get().is_some() {
            return connectors.prepared().clone();
        }
        connectors.others.http_connector(settings, components)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.0.others.connector_metadata()
    }
}

/// Where the DynamoDB client of `aws` sends its requests, resolved as the SDK resolves it (its
/// endpoint rules; `AWS_ENDPOINT_URL_DYNAMODB` or `AWS_ENDPOINT_URL` when set).
async fn dynamodb_endpoint(aws: &SdkConfig) -> Option<String> {
    use aws_sdk_dynamodb::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
    let configured = std::env::var("AWS_ENDPOINT_URL_DYNAMODB").ok().or_else(|| aws.endpoint_url().map(str::to_owned));
    let params = Params::builder()
        .set_region(aws.region().map(ToString::to_string))
        .set_endpoint(configured)
        .set_use_fips(aws.use_fips())
        .set_use_dual_stack(aws.use_dual_stack())
        .set_account_id(std::env::var("AWS_ACCOUNT_ID").ok())
        .build()
        .ok()?;
    let endpoint = DefaultResolver::new().resolve_endpoint(&params).await.ok()?;
    Some(endpoint.url().to_owned())
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
    fn the_prepared_connector_serves_every_client() {
        // The functions' runtime: one thread (`entry`).
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let timeouts = TimeoutConfig::builder().connect_timeout(CONNECT_TIMEOUT).build();
            let https = HttpsClient::new(&timeouts);
            let aws = aws_config::defaults(BehaviorVersion::latest())
                .timeout_config(timeouts)
                .http_client(SharedHttpClient::new(https.clone()))
                .region(aws_config::Region::new("eu-central-1"))
                .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("AKID", "secret", None, None, "test"))
                .endpoint_url(answer_once())
                .load()
                .await;
            drop(https.prepare(aws.sleep_impl()));
            let _secrets = aws_sdk_secretsmanager::Client::new(&aws);
            let dynamodb = aws_sdk_dynamodb::Client::new(&aws);
            let output = dynamodb
                .get_item()
                .table_name("t")
                .key("pk", aws_sdk_dynamodb::types::AttributeValue::S("x".to_owned()))
                .send()
                .await
                .unwrap();
            assert!(output.item().is_none());
            assert!(https.0.prepared.get().is_some(), "the request went through the prepared connector");
        });
    }

    #[test]
    fn the_connection_opened_at_start_awaits_the_connector_instead_of_building_it_on_the_one_thread() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let https = HttpsClient::new(&TimeoutConfig::builder().connect_timeout(CONNECT_TIMEOUT).build());
            let _ = https.0.sleep.set(None);
            // The connector's build on its thread, held until the start has gone on.
            let (go, held) = std::sync::mpsc::channel::<()>();
            let connectors = https.0.clone();
            let preparing = tokio::task::spawn_blocking(move || {
                held.recv().unwrap();
                connectors.prepared();
            });
            https.open_connection(answer_once(), preparing);
            for _ in 0..10 {
                tokio::task::yield_now().await;
            }
            assert!(https.0.prepared.get().is_none(), "the start's thread built the connector itself");
            go.send(()).unwrap();
            let opened = async {
                while https.0.prepared.get().is_none() {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            };
            tokio::time::timeout(Duration::from_secs(10), opened).await.expect("the connector is built on its thread");
        });
    }

    #[test]
    fn the_compiled_in_roots_are_mozillas_whole_list() {
        let certificates = TRUST_ROOTS_PEM.matches("-----BEGIN CERTIFICATE-----").count();
        assert!(certificates > 100, "only {certificates} roots");
        // Every one parses: the connector's TLS configuration is built from them.
        let _ = https_connector(None, None);
    }

    #[test]
    fn the_connection_opened_at_start_goes_to_dynamodbs_regional_endpoint() {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let aws = SdkConfig::builder().region(aws_config::Region::new("eu-central-1")).build();
        let endpoint = runtime.block_on(dynamodb_endpoint(&aws));
        assert_eq!(endpoint.as_deref(), Some("https://dynamodb.eu-central-1.amazonaws.com"));
    }
}
