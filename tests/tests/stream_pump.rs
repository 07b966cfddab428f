//! The local event source mapping on DynamoDB Local's real stream: the template's filter lets only
//! outbox inserts through, in stream order, and a restart resumes after its checkpoint. The
//! function is a stand-in on the Lambda invoke API that records what it is given.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use axum::extract::Path;
use local_cloud::dead_letters::DeadLetters;
use local_cloud::lambda::invoke::Lambda;
use local_cloud::stream::StreamPump;
use local_cloud::template::Template;
use meshcustomers_tests::TestApp;
use meshcustomers_tests::local_services::dynamodb_endpoint;
use meshcustomers_tests::test_app::local_sdk_config;
use serde_json::{Value, json};
use tokio::sync::watch;

type Batches = Arc<Mutex<Vec<Vec<Value>>>>;

/// The invoke API with a function that succeeds and records each batch's records.
async fn recording_function() -> (String, Batches) {
    let batches = Batches::default();
    let recorded = Arc::clone(&batches);
    let router = axum::Router::new().route(
        "/2015-03-31/functions/{name}/invocations",
        axum::routing::post(move |Path(_name): Path<String>, event: axum::Json<Value>| {
            let batches = Arc::clone(&recorded);
            async move {
                batches.lock().unwrap().push(event.0["Records"].as_array().cloned().unwrap_or_default());
                axum::Json(json!({"batchItemFailures": []}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{address}"), batches)
}

async fn put(test: &TestApp, key: &str, entity: &str) {
    put_version(test, key, entity, "1").await;
}

async fn put_version(test: &TestApp, key: &str, entity: &str, version: &str) {
    let item = [("pk", "CUSTOMER#stream"), ("sk", key), ("entity", entity), ("version", version)]
        .map(|(name, value)| (name.to_owned(), AttributeValue::S(value.to_owned())));
    test.dynamodb.put_item().table_name(&test.table).set_item(Some(item.into())).send().await.unwrap();
}

fn keys(batches: &Batches) -> Vec<String> {
    let batches = batches.lock().unwrap();
    batches.iter().flatten().map(|record| record["dynamodb"]["Keys"]["sk"]["S"].as_str().unwrap().to_owned()).collect()
}

/// Runs the publisher's mapping from the template against `test`'s table until `stop`.
async fn start_pump(test: &TestApp, lambda_url: &str, checkpoint: &std::path::Path, stop: watch::Receiver<bool>) {
    let functions = Template::of_repo().unwrap().functions().unwrap();
    let publisher = functions.iter().find(|f| !f.stream_sources.is_empty()).expect("a stream consumer");
    let sdk = local_sdk_config(dynamodb_endpoint()).await;
    let pump = StreamPump {
        dynamodb: aws_sdk_dynamodb::Client::new(&sdk),
        streams: aws_sdk_dynamodbstreams::Client::new(&sdk),
        table: test.table.clone(),
        function: publisher.binary.clone(),
        source: publisher.stream_sources[0].clone(),
        lambda: Lambda::new(lambda_url),
        dead_letters: Arc::new(DeadLetters::new(checkpoint.with_extension("dead-letters"))),
        checkpoint_file: Some(checkpoint.to_owned()),
        retry_base: Duration::from_millis(10),
    };
    tokio::spawn(pump.run(stop));
}

async fn wait_for(batches: &Batches, count: usize) -> Vec<String> {
    for _ in 0..100 {
        if keys(batches).len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Longer than the batching window, so that anything extra would have arrived.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    keys(batches)
}

#[tokio::test]
async fn only_outbox_inserts_reach_the_function_in_order_and_a_restart_resumes_after_the_checkpoint() {
    let test = TestApp::spawn().await;
    let checkpoint = std::env::temp_dir().join(format!("stream-position-{}.json", test.table));
    let (url, batches) = recording_function().await;
    let (stop_first, stop) = watch::channel(false);
    start_pump(&test, &url, &checkpoint, stop).await;

    put(&test, "OUTBOX#1", "OUTBOX").await;
    put(&test, "CUSTOMER", "CUSTOMER").await;
    put(&test, "OUTBOX#2", "OUTBOX").await;
    // An update of an outbox item is a MODIFY: the filter wants INSERTs only.
    put_version(&test, "OUTBOX#1", "OUTBOX", "2").await;
    assert_eq!(wait_for(&batches, 2).await, ["OUTBOX#1", "OUTBOX#2"]);
    stop_first.send(true).unwrap();

    let (url, batches) = recording_function().await;
    let (_stop_second, stop) = watch::channel(false);
    start_pump(&test, &url, &checkpoint, stop).await;
    put(&test, "OUTBOX#3", "OUTBOX").await;
    assert_eq!(wait_for(&batches, 1).await, ["OUTBOX#3"], "the second pump starts after the first one's position");
    let _ = std::fs::remove_file(checkpoint);
}
