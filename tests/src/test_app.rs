//! One test's application: its own table in the shared DynamoDB Local, and the functions'
//! `App` pointed at it.

use lambda_http::{Body, Request, Response};
use meshcustomers::App;
use meshcustomers::config::Config;
use meshcustomers::store::Store;

use crate::local_services::dynamodb_endpoint;
use crate::operations::OperationRecorder;
use crate::requests::TestResponse;
use local_cloud::table::create_table;
use local_cloud::template::Template;

pub struct TestApp {
    pub app: App,
    pub table: String,
    pub dynamodb: aws_sdk_dynamodb::Client,
    /// The DynamoDB operations the functions' store made, as IAM actions.
    pub operations: OperationRecorder,
}

/// The environment the functions get in tests: local values where the SPEC has no default.
pub fn test_variables(table: &str) -> Vec<(String, String)> {
    [
        ("TABLE_NAME", table),
        ("EVENT_BUS_NAME", "meshcustomers-test-bus"),
        ("DEFAULT_PARTNER_ID", "default"),
        ("PORTAL_BASE_URL", "https://portal.meshcustomers.test"),
        ("EMAIL_FROM", "no-reply@meshcustomers.test"),
        ("PLATFORMS", r#"{"aws":"https://console.aws.amazon.com/"}"#),
        ("CURSOR_SIGNING_KEY", "test-cursor-signing-key-of-sufficient-length"),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value.to_owned()))
    .collect()
}

/// [`test_variables`] as the lookup `Config::from_lookup` takes.
pub fn test_environment(table: &str) -> impl Fn(&str) -> Option<String> {
    let variables = test_variables(table);
    move |name| variables.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone())
}

pub fn test_config(table: &str) -> Config {
    Config::from_lookup(test_environment(table)).expect("the test configuration is valid")
}

pub use local_cloud::cloud::local_sdk_config;

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// Like [`TestApp::spawn`], with configuration changed first (e.g. approval off).
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        let sdk = local_sdk_config(dynamodb_endpoint()).await;
        let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
        let table = format!("meshcustomers-{}", uuid::Uuid::now_v7());
        create_table(&dynamodb, &Template::of_repo().expect("the template reads"), &table)
            .await
            .expect("DynamoDB Local creates the table");
        let mut config = test_config(&table);
        adjust(&mut config);
        let operations = OperationRecorder::default();
        let recorded = aws_sdk_dynamodb::config::Builder::from(&sdk).interceptor(operations.clone()).build();
        let store =
            Store::new(aws_sdk_dynamodb::Client::from_conf(recorded), &table, config.cursor_signing_key.clone());
        Self { app: App { config, store, aws: sdk }, table, dynamodb, operations }
    }

    /// Calls an HTTP function's handler as the Lambda runtime would.
    pub async fn call(
        &self,
        handler: impl AsyncFn(&App, Request) -> Result<Response<Body>, lambda_http::Error>,
        request: Request,
    ) -> TestResponse {
        TestResponse::from_response(handler(&self.app, request).await.expect("HTTP handlers answer every request"))
    }

    /// Every item in the table (a test may scan; request paths never do).
    pub async fn all_items(&self) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
        let output = self.dynamodb.scan().table_name(&self.table).consistent_read(true).send().await.expect("scan");
        output.items.unwrap_or_default()
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
