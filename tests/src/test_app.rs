//! One test's application: its own table in the shared DynamoDB Local, and each function's
//! `App` pointed at it, configured from the test environment as the function would be.

use lambda_http::{Body, Request, Response};
use meshcustomers::App;
use meshcustomers::config::{Environment, Settings};
use meshcustomers::http::{ApiError, respond};
use meshcustomers::secrets::Secret;
use meshcustomers::store::{CursorKey, Store};

use crate::faults::{Faults, Interleaved, interleaving_client};
use crate::local_services::dynamodb_endpoint;
use crate::operations::OperationRecorder;
use crate::requests::TestResponse;
use local_cloud::services::table::create_table;
use local_cloud::template::Template;

pub use local_cloud::cloud::local_sdk_config;

/// The cursor signing key of the tests (the deployed one comes from Secrets Manager).
pub const TEST_CURSOR_KEY: &str = "test-cursor-signing-key-of-sufficient-length";

pub struct TestApp {
    pub table: String,
    /// A client for looking at the table directly (not recorded).
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// The store every function of this test uses; its DynamoDB calls are recorded.
    pub store: Store,
    pub sdk: aws_config::SdkConfig,
    /// The DynamoDB operations the functions' store made, as IAM actions.
    pub operations: OperationRecorder,
    variables: Vec<(String, String)>,
}

/// The platforms of the tests: `aws` links by tenant only, `azure` names customer and project too.
pub const TEST_PLATFORMS: &str = r#"{"aws": "https://console.aws.test/tenants/{tenantId}", "azure": "https://portal.azure.test/{customerId}/{projectId}/{tenantId}", "gcp": "https://console.gcp.test/{tenantId}"}"#;

/// A value for every configuration variable a function may read: local values where the SPEC
/// has no default. Each function reads only its own.
pub fn test_variables(table: &str) -> Vec<(String, String)> {
    [
        ("TABLE_NAME", table),
        ("EVENT_BUS_NAME", "meshcustomers-test-bus"),
        ("DEFAULT_PARTNER_ID", "default"),
        ("PORTAL_BASE_URL", "https://portal.meshcustomers.test"),
        ("EMAIL_FROM", "no-reply@meshcustomers.test"),
        ("PLATFORMS", TEST_PLATFORMS),
        ("JWT_ISSUER", "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_test"),
        ("JWT_AUDIENCE", "meshcustomers-test-client"),
        (
            "CURSOR_SIGNING_KEY_SECRET_ARN",
            "arn:aws:secretsmanager:eu-central-1:000000000000:secret:CursorSigningSecret",
        ),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect()
}

/// [`test_variables`] with `overrides`, as an [`Environment`].
pub fn test_environment(variables: &[(String, String)]) -> Environment<'_> {
    Environment::from_lookup(move |name| variables.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone()))
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// Like [`TestApp::spawn`], with some variables set otherwise (e.g. approval off).
    pub async fn spawn_with(overrides: &[(&str, &str)]) -> Self {
        Self::build(overrides, None).await
    }

    /// Like [`TestApp::spawn`], with the functions' DynamoDB calls passing through `faults`.
    pub async fn spawn_with_faults(faults: &Faults) -> Self {
        Self::build(&[], Some(faults)).await
    }

    async fn build(overrides: &[(&str, &str)], faults: Option<&Faults>) -> Self {
        let sdk = local_sdk_config(dynamodb_endpoint()).await;
        let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
        let table = format!("meshcustomers-{}", uuid::Uuid::now_v7());
        create_table(&dynamodb, &Template::of_repo().expect("the template reads"), &table)
            .await
            .expect("DynamoDB Local creates the table");
        let mut variables = test_variables(&table);
        for (name, value) in overrides {
            variables.retain(|(key, _)| key != name);
            variables.push(((*name).to_owned(), (*value).to_owned()));
        }
        let operations = OperationRecorder::default();
        let mut recorded = aws_sdk_dynamodb::config::Builder::from(&sdk).interceptor(operations.clone());
        if let Some(faults) = faults {
            // DynamoDB Local speaks plain HTTP; the faults sit in front of the client that reaches it.
            recorded = recorded.http_client(faults.client(aws_smithy_http_client::Builder::new().build_http()));
        }
        let recorded = recorded.build();
        let store = Store::new(
            aws_sdk_dynamodb::Client::from_conf(recorded),
            &table,
            CursorKey::Fixed(Secret::new(TEST_CURSOR_KEY)),
        );
        Self { table, dynamodb, store, sdk, operations, variables }
    }

    /// The function's `App`, its settings read from this test's environment.
    pub fn app<S: Settings>(&self) -> App<S> {
        let settings = S::read(&test_environment(&self.variables)).expect("the test configuration is valid");
        App { settings, store: self.store.clone(), aws: self.sdk.clone() }
    }

    /// The function's `App` whose DynamoDB client runs `before` once, just before it first sends
    /// `operation`: a concurrent change that lands between the function's read and its write.
    pub fn app_interleaved<S: Settings>(&self, operation: &'static str, before: Interleaved) -> App<S> {
        let real = aws_smithy_http_client::Builder::new().build_http();
        let config = aws_sdk_dynamodb::config::Builder::from(&self.sdk)
            .http_client(interleaving_client(real, operation, before))
            .build();
        let store = Store::new(
            aws_sdk_dynamodb::Client::from_conf(config),
            &self.table,
            CursorKey::Fixed(Secret::new(TEST_CURSOR_KEY)),
        );
        let settings = S::read(&test_environment(&self.variables)).expect("the test configuration is valid");
        App { settings, store, aws: self.sdk.clone() }
    }

    /// Calls an HTTP function's handler with `app` as the Lambda runtime would.
    pub async fn call_with<S: Settings>(
        app: &App<S>,
        handler: impl AsyncFn(&App<S>, Request) -> Result<Response<Body>, ApiError>,
        request: Request,
    ) -> TestResponse {
        TestResponse::from_response(respond(handler(app, request).await))
    }

    /// Calls an HTTP function's handler as the Lambda runtime would.
    pub async fn call<S: Settings>(
        &self,
        handler: impl AsyncFn(&App<S>, Request) -> Result<Response<Body>, ApiError>,
        request: Request,
    ) -> TestResponse {
        let app = self.app::<S>();
        TestResponse::from_response(respond(handler(&app, request).await))
    }

    /// Every item in the table (a test may scan; request paths never do).
    pub async fn all_items(&self) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .dynamodb
                .scan()
                .table_name(&self.table)
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("scan");
            items.extend(output.items.unwrap_or_default());
            start = output.last_evaluated_key;
            if start.is_none() {
                return items;
            }
        }
    }

    /// The details of the events recorded (outbox items) of `event_type`, oldest first, each
    /// checked against its published schema.
    pub async fn events_of(&self, event_type: &str) -> Vec<serde_json::Value> {
        let mut details: Vec<serde_json::Value> = self
            .items_of("OUTBOX")
            .await
            .into_iter()
            .filter(|item| item.get("eventType").and_then(|t| t.as_s().ok()).is_some_and(|t| t == event_type))
            .map(|item| serde_json::from_str(item["detail"].as_s().expect("a detail")).expect("details are JSON"))
            .collect();
        details.iter().for_each(crate::schemas::assert_matches_schema);
        details.sort_by(|a, b| a["occurredAt"].as_str().cmp(&b["occurredAt"].as_str()));
        details
    }

    /// The items of one entity (`CUSTOMER`, `OUTBOX`, `HISTORY`, …).
    pub async fn items_of(
        &self,
        entity: &str,
    ) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
        self.all_items()
            .await
            .into_iter()
            .filter(|item| item.get("entity").and_then(|e| e.as_s().ok()).is_some_and(|e| e == entity))
            .collect()
    }
}
