//! DynamoDB Local dies under a request: the request is answered 503 with `Retry-After` (not a
//! 500, not a hang), and once DynamoDB Local is back nothing of the request is found.
//!
//! This test has its own DynamoDB Local, keeping its data in a folder so that it survives the
//! restart; the shared one of the other tests is not touched.

use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use local_cloud::processes::die_with_parent;
use local_cloud::services::table::create_table;
use local_cloud::services::{Storage, dynamodb_local};
use local_cloud::template::Template;
use meshcustomers::App;
use meshcustomers::config::Settings;
use meshcustomers::http::respond;
use meshcustomers::secrets::Secret;
use meshcustomers::store::{CursorKey, Store};
use meshcustomers_tests::local_services::free_port;
use meshcustomers_tests::test_app::{TEST_CURSOR_KEY, local_sdk_config, test_environment, test_variables};
use meshcustomers_tests::{Caller, TestResponse, api};
use serde_json::json;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn start_dynamodb(port: u16, folder: &Path) -> Child {
    let mut command = dynamodb_local(port, &Storage::Folder(folder.to_owned())).unwrap();
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    die_with_parent(&mut command, libc::SIGKILL);
    let child = command.spawn().expect("DynamoDB Local starts");
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
        assert!(Instant::now() < deadline, "DynamoDB Local did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    child
}

/// Kills DynamoDB Local as the first transaction is about to be sent.
#[derive(Debug, Clone)]
struct KillOnTransaction(Arc<Mutex<Option<Child>>>);

impl Intercept for KillOnTransaction {
    fn name(&self) -> &'static str {
        "KillOnTransaction"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let transacting = cfg.load::<Metadata>().is_some_and(|metadata| metadata.name() == "TransactWriteItems");
        if transacting && let Some(mut dynamodb) = self.0.lock().unwrap().take() {
            dynamodb.kill()?;
            dynamodb.wait()?;
        }
        Ok(())
    }
}

#[tokio::test]
async fn dynamodb_dying_under_a_request_answers_503_and_leaves_nothing() {
    let folder = std::env::temp_dir().join(format!("dynamodb-unavailable-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&folder).unwrap();
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let dynamodb = Arc::new(Mutex::new(Some(start_dynamodb(port, &folder))));
    let sdk = local_sdk_config(&endpoint).await;
    let raw = aws_sdk_dynamodb::Client::new(&sdk);
    let table = "meshcustomers-unavailable";
    create_table(&raw, &Template::of_repo().unwrap(), table).await.unwrap();

    let killing =
        aws_sdk_dynamodb::config::Builder::from(&sdk).interceptor(KillOnTransaction(dynamodb.clone())).build();
    let store =
        Store::new(aws_sdk_dynamodb::Client::from_conf(killing), table, CursorKey::Fixed(Secret::new(TEST_CURSOR_KEY)));
    let variables = test_variables(table);
    let settings = create_customer::Settings::read(&test_environment(&variables)).unwrap();
    let app = App { settings, store, aws: sdk.clone() };
    let body = json!({"identifier": "doomed", "displayName": "Doomed", "users": [{"email": "a@doomed.example", "role": "CUSTOMER_ADMIN"}]});
    let request = api("POST /customers").json(body).by(&Caller::partner_admin("acme"));
    let started = Instant::now();
    let response = TestResponse::from_response(respond(create_customer::handle(&app, request).await));
    assert!(dynamodb.lock().unwrap().is_none(), "DynamoDB Local was killed under the request");
    response.assert_problem(503, "service-unavailable");
    assert_eq!(response.header("retry-after"), Some("1"));
    assert!(started.elapsed() < Duration::from_secs(10), "answered within the function's timeout");

    let mut restarted = start_dynamodb(port, &folder);
    let items = raw.scan().table_name(table).consistent_read(true).send().await.expect("the table survived");
    assert_eq!(items.count(), 0, "nothing of the request was written");
    restarted.kill().unwrap();
    restarted.wait().unwrap();
    std::fs::remove_dir_all(&folder).ok();
}
