//! The cursor signing key as a list function gets it when deployed: `App::from_env`, as its
//! `main` calls it, reads only the secret's ARN from the environment, and the key itself from
//! Secrets Manager (here the local cloud's twin, through the real SDK) once per instance, at the
//! first list request.
//!
//! This binary has this one test: it sets process environment variables.
#![recursion_limit = "256"]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::middleware::{self, Next};
use meshcustomers::App;
use meshcustomers::app::AppConfig;
use meshcustomers::config::{Environment, PagesLists};
use meshcustomers::http::respond;
use meshcustomers_tests::fixtures;
use meshcustomers_tests::local_services::{dynamodb_endpoint, free_port};
use meshcustomers_tests::{Caller, TestApp, TestResponse, api};

use local_cloud::environment::LocalStack;
use local_cloud::secrets::SecretStore;
use local_cloud::secrets::manager::{SecretsManager, router};
use local_cloud::template::Template;

/// The local cloud's Secrets Manager with the template's secrets, on a free port; the counter
/// counts the requests it answers.
async fn secrets_manager(requests: Arc<AtomicUsize>) -> (String, String, String) {
    let template = Template::of_repo().unwrap();
    let store = SecretStore::in_memory();
    let stack = LocalStack { template: &template, parameters: Default::default(), secrets: &store };
    let secret = stack.secret("CursorSigningSecret").unwrap();
    let (arn, value) = (secret.arn.clone(), secret.value.clone());
    let counting = router(Arc::new(SecretsManager { secrets: vec![secret] })).layer(middleware::from_fn(
        move |request: axum::extract::Request, next: Next| {
            let requests = Arc::clone(&requests);
            async move {
                requests.fetch_add(1, Ordering::SeqCst);
                next.run(request).await
            }
        },
    ));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", free_port())).await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, counting).await });
    (endpoint, arn, value)
}

async fn page(app: &App<PagesLists>, cursor: Option<&str>) -> TestResponse {
    let mut request = api("GET /customers").query("limit", "1");
    if let Some(cursor) = cursor {
        request = request.query("cursor", cursor);
    }
    let response = respond(list_customers::handle(app, request.by(&Caller::platform_admin())).await);
    TestResponse::from_response(response)
}

#[tokio::test]
async fn a_list_function_reads_the_cursor_key_from_secrets_manager_once() {
    let test = TestApp::spawn().await;
    for identifier in ["one", "two", "three"] {
        fixtures::customer(&test, identifier, "acme", meshcustomers::domain::CustomerStatus::Active, &[]).await;
    }
    let requests = Arc::new(AtomicUsize::new(0));
    let (endpoint, arn, key) = secrets_manager(Arc::clone(&requests)).await;
    let environment = [
        ("TABLE_NAME", test.table.as_str()),
        ("CURSOR_SIGNING_KEY_SECRET_ARN", arn.as_str()),
        ("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_endpoint()),
        ("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint.as_str()),
        ("AWS_REGION", "eu-central-1"),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("AWS_CONFIG_FILE", "/dev/null"),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    for (name, value) in environment {
        // SAFETY: this test binary runs this one test; nothing else reads the environment now.
        unsafe { std::env::set_var(name, value) };
    }

    let config = AppConfig::<PagesLists>::read(&Environment::process()).unwrap();
    let printed = format!("{config:?}");
    assert!(printed.contains(&arn) && !printed.contains(&key), "the configuration names the secret, not its value");
    let app: App<PagesLists> = App::from_env().await.unwrap();
    assert_eq!(requests.load(Ordering::SeqCst), 0, "a cold start does not wait for the secret");

    let first = page(&app, None).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let cursor = first.body["nextCursor"].as_str().expect("three customers, one per page").to_owned();
    let second = page(&app, Some(&cursor)).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_ne!(first.body["items"], second.body["items"]);
    assert_eq!(requests.load(Ordering::SeqCst), 1, "read once, at the first list request");

    // The cursors are signed with the secret's value: one signed with any other key is refused.
    let foreign = test
        .call(list_customers::handle, api("GET /customers").query("limit", "1").by(&Caller::platform_admin()))
        .await;
    let foreign_cursor = foreign.body["nextCursor"].as_str().unwrap();
    page(&app, Some(foreign_cursor)).await.assert_problem(400, "invalid-cursor");
}
