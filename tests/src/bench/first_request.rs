//! Where a cold answer's first request spends its time, measured in fresh processes: the bench's
//! own binary started again as a probe (`bench --first-request-probe`), which starts as a
//! table function starts (`App::from_env`: configuration, clients, the connector built and the
//! connection to DynamoDB opened beside the start) and then sends `GetItem`s with the SDK client of
//! that configuration: the first at once, or after a pause that lets what the start began finish,
//! then a warm one. It also times a read of the system's TLS roots, what the first request used
//! to do before the roots were compiled in.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use meshcustomers::App;
use meshcustomers::domain::CustomerIdentifier;
use meshcustomers::store::Key;
use serde::{Deserialize, Serialize};

use super::invocations::CUSTOMER;
use super::stats::{millis, percentile};
use super::{Row, Sizes};
use crate::TestApp;
use crate::local_services::dynamodb_endpoint;

/// The argument that makes the bench binary a probe.
pub const PROBE_ARGUMENT: &str = "--first-request-probe";
/// The pause before the first request that lets the start's background work finish.
const PAUSE: Duration = Duration::from_millis(20);
const SECTION: &str = "cold-answer";

/// What one probe measured, in milliseconds.
#[derive(Debug, Serialize, Deserialize)]
struct Probe {
    start: f64,
    first: f64,
    warm: f64,
    system_roots: f64,
}

/// The probe's side: runs in the child process, prints one JSON line and exits.
pub fn probe() -> ! {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a Tokio runtime");
    let pause = std::env::var("PROBE_PAUSE_MS").ok().and_then(|ms| ms.parse().ok()).map(Duration::from_millis);
    let table = std::env::var("TABLE_NAME").expect("the probe is given TABLE_NAME");
    let probe = runtime.block_on(async {
        let started = Instant::now();
        let app: App = App::from_env().await.expect("the probe's environment is a function's");
        let start = millis(started.elapsed());
        let dynamodb = aws_sdk_dynamodb::Client::new(&app.aws);
        if let Some(pause) = pause {
            tokio::time::sleep(pause).await;
        }
        let customer = CustomerIdentifier::parse(CUSTOMER).expect("the bench's customer identifier");
        let read =
            || dynamodb.get_item().table_name(&table).set_key(Some(Key::customer(&customer).into_attributes())).send();
        let started = Instant::now();
        read().await.expect("the first GetItem");
        let first = millis(started.elapsed());
        let started = Instant::now();
        read().await.expect("the warm GetItem");
        let warm = millis(started.elapsed());
        let started = Instant::now();
        let roots = rustls_native_certs::load_native_certs();
        let system_roots = millis(started.elapsed());
        assert!(!roots.certs.is_empty(), "the system has TLS roots");
        Probe { start, first, warm, system_roots }
    });
    println!("{}", serde_json::to_string(&probe).expect("the probe serializes"));
    std::process::exit(0)
}

/// Rows of the profile, `rounds` probes of each kind; none without the bench binary to start.
pub async fn rows(sizes: &Sizes, test: &TestApp) -> Vec<Row> {
    let Some(bench) = &sizes.bench_binary else { return Vec::new() };
    let (mut at_once, mut paused) = (Vec::new(), Vec::new());
    for _ in 0..sizes.cold_answers.max(1) {
        at_once.push(run(bench, test, None).await);
        paused.push(run(bench, test, Some(PAUSE)).await);
    }
    let median =
        |probes: &[Probe], field: fn(&Probe) -> f64| percentile(&probes.iter().map(field).collect::<Vec<_>>(), 50.0);
    vec![
        Row::new(SECTION, "first request of a table function in a fresh process (App::from_env, then GetItem)")
            .figure("start", median(&at_once, |p| p.start), "ms")
            .figure("first GetItem at once", median(&at_once, |p| p.first), "ms")
            .figure(&format!("first GetItem {} ms later", PAUSE.as_millis()), median(&paused, |p| p.first), "ms")
            .figure("warm GetItem", median(&at_once, |p| p.warm), "ms")
            .figure("system TLS roots read", median(&at_once, |p| p.system_roots), "ms"),
    ]
}

async fn run(bench: &std::path::Path, test: &TestApp, pause: Option<Duration>) -> Probe {
    let mut command = Command::new(bench);
    command
        .arg(PROBE_ARGUMENT)
        .env_clear()
        .env("AWS_REGION", "eu-central-1")
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_endpoint())
        .env("TABLE_NAME", &test.table)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit());
    if let Some(pause) = pause {
        command.env("PROBE_PAUSE_MS", pause.as_millis().to_string());
    }
    let output = tokio::task::spawn_blocking(move || command.output()).await.expect("the probe runs").expect("spawn");
    assert!(output.status.success(), "the probe failed: {}", String::from_utf8_lossy(&output.stdout));
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("the probe's answer {line:?}: {e}"))
}
