//! Section 1: cold start. Each function's built binary is started as Lambda starts it (exactly the
//! template's environment, see `FunctionSpec`), with a Runtime API of the bench's own: the time from
//! spawning the process to its first `GET /2018-06-01/runtime/invocation/next` is its init. The
//! floor is a hello-world `lambda_http` binary (`tests/lambda-floor`) built the same way, started
//! in the same rounds, interleaved with the functions so that both meet the same machine load.
//! What a person waits for, the start and the first answer together, is the cold-answer section's,
//! which starts the binaries the same way (`Instance`, `specs`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use axum::body::Bytes;
use local_cloud::bus::{Bus, RetryTiming};
use local_cloud::dead_letters::DeadLetters;
use local_cloud::environment::{LocalStack, default_local_parameters};
use local_cloud::lambda::function_spec::FunctionSpec;
use local_cloud::lambda::invoke::Lambda;
use local_cloud::lambda::runtime_api::{Invocation, Outcome, RuntimeApi};
use local_cloud::processes::die_with_parent;
use local_cloud::secrets::SecretStore;
use local_cloud::secrets::manager::{self, SecretsManager};
use local_cloud::template::Template;
use tokio::sync::oneshot;

use super::stats::summarize;
use super::{Row, Sizes};
use crate::TestApp;
use crate::local_services::{dynamodb_endpoint, ses_endpoint};

const SECTION: &str = "cold-start";
/// The floor's binary (package `tests/lambda-floor`).
pub const FLOOR: &str = "lambda-floor";
/// The goal: a function's median init at most this many times the floor's.
const MAX_RATIO: f64 = 1.5;
/// Longer than any init: a binary that has not polled by then is broken, not slow.
const START_TIMEOUT: Duration = Duration::from_secs(30);
const INVOCATION_TIMEOUT: Duration = Duration::from_secs(30);

/// One process of a function, killed when dropped.
pub(super) struct Instance {
    child: Child,
    api: RuntimeApi,
}

impl Instance {
    /// Spawns the binary and waits for its first poll; returns the instance and its init time.
    async fn start(spec: &FunctionSpec) -> (Self, Duration) {
        Self::spawn(spec, Command::new(&spec.binary)).await
    }

    /// Runs `command`, which starts the function's binary (directly, or under an emulator), with
    /// the function's environment and a runtime API of its own, and waits for its first poll.
    pub(super) async fn spawn(spec: &FunctionSpec, command: Command) -> (Self, Duration) {
        let (instance, started) = Self::launch(spec, command).await;
        instance.wait_for_first_poll(spec).await;
        (instance, started.elapsed())
    }

    /// Spawns the binary with `event` already waiting for it, as Lambda holds the request that
    /// caused a cold start: the instance, its init (spawn → first poll), its cold answer (spawn →
    /// the answer) and its output.
    pub(super) async fn answer_cold(
        spec: &FunctionSpec,
        event: &serde_json::Value,
    ) -> (Self, Duration, Duration, serde_json::Value) {
        let (instance, started) = Self::launch(spec, Command::new(&spec.binary)).await;
        let answer = instance.api.deliver(invocation(spec, event));
        let polled = async {
            instance.wait_for_first_poll(spec).await;
            started.elapsed()
        };
        let answered = async {
            let output = answer_of(spec, answer).await;
            (started.elapsed(), output)
        };
        let (init, (cold_answer, output)) = tokio::join!(polled, answered);
        (instance, init, cold_answer, output)
    }

    async fn launch(spec: &FunctionSpec, mut command: Command) -> (Self, Instant) {
        let api = RuntimeApi::start().await.expect("a runtime API on a free port");
        command
            .env_clear()
            .envs(spec.instance_variables(api.address()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        die_with_parent(&mut command, libc::SIGKILL);
        let started = Instant::now();
        let child = command.spawn().unwrap_or_else(|e| panic!("{}: {e}", spec.binary.display()));
        (Self { child, api }, started)
    }

    async fn wait_for_first_poll(&self, spec: &FunctionSpec) {
        if tokio::time::timeout(START_TIMEOUT, self.api.first_poll()).await.is_err() {
            panic!("{} did not poll within {START_TIMEOUT:?} (init error {:?})", spec.name, self.api.init_error());
        }
    }

    /// Hands the event to the runtime and waits for its answer: the invocation's time and the
    /// function's output. An error the function posts fails the bench.
    pub(super) async fn invoke(&self, spec: &FunctionSpec, event: &serde_json::Value) -> (Duration, serde_json::Value) {
        let started = Instant::now();
        let output = answer_of(spec, self.api.deliver(invocation(spec, event))).await;
        (started.elapsed(), output)
    }
}

fn invocation(spec: &FunctionSpec, event: &serde_json::Value) -> Invocation {
    Invocation {
        request_id: uuid::Uuid::new_v4().to_string(),
        payload: Bytes::from(serde_json::to_vec(event).expect("events serialize")),
        deadline: SystemTime::now() + spec.timeout,
        function_arn: spec.arn(),
    }
}

/// The function's output for an invocation handed over; an error it posts fails the bench.
async fn answer_of(spec: &FunctionSpec, answer: oneshot::Receiver<Outcome>) -> serde_json::Value {
    let answer = tokio::time::timeout(INVOCATION_TIMEOUT, answer)
        .await
        .unwrap_or_else(|_| panic!("{} did not answer", spec.name))
        .expect("the runtime API keeps the invocation")
        .unwrap_or_else(|error| panic!("{} failed the invocation: {error}", spec.name));
    serde_json::from_slice(&answer).unwrap_or_else(|e| panic!("{}'s output is not JSON: {e}", spec.name))
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Serves the template's secrets (the cursor signing key) as Secrets Manager, on a free port.
async fn local_secrets_manager(stack: &LocalStack<'_>) -> SocketAddr {
    let secrets = stack.secrets().expect("the template's secrets resolve");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let address = listener.local_addr().expect("a bound address");
    let router = manager::router(Arc::new(SecretsManager { secrets }));
    tokio::spawn(async move { axum::serve(listener, router).await });
    address
}

/// The local cloud's bus started alone, without its rules: it answers the stream publisher's
/// `PutEvents` as EventBridge does (an id or an error per entry) and delivers to nobody, since the
/// bench invokes the consumers itself; so its Lambda and dead letters are never used.
async fn local_bus(stack: &LocalStack<'_>) -> SocketAddr {
    let (bus, _) = stack.template.resources_of_type("AWS::Events::EventBus").next().expect("the template has a bus");
    let bus = Bus {
        name: stack.physical_name(bus).expect("the bus has a local name"),
        targets: Vec::new(),
        integrations: Vec::new(),
        lambda: Lambda::new("http://127.0.0.1:9"),
        http: reqwest::Client::new(),
        dead_letters: Arc::new(DeadLetters::new(std::env::temp_dir().join("bench-dead-letters"))),
        timing: RetryTiming::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let address = listener.local_addr().expect("a bound address");
    let router = local_cloud::bus::router(Arc::new(bus));
    tokio::spawn(async move { axum::serve(listener, router).await });
    address
}

/// Every function of the template as the local Lambda would start it, on `table`, plus the floor.
pub(super) async fn specs(sizes: &Sizes, table: &str) -> Vec<FunctionSpec> {
    let template = Template::of_repo().expect("the template reads");
    let secrets = SecretStore::in_memory();
    let parameters = default_local_parameters().expect("local parameters");
    let stack = LocalStack { template: &template, parameters, secrets: &secrets };
    let secrets_manager = local_secrets_manager(&stack).await;
    let bus = local_bus(&stack).await;
    let local_aws = [
        ("AWS_ACCESS_KEY_ID", "local".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "local".to_owned()),
        ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("AWS_ENDPOINT_URL_DYNAMODB", dynamodb_endpoint().to_owned()),
        ("AWS_ENDPOINT_URL_SECRETS_MANAGER", format!("http://{secrets_manager}")),
        ("AWS_ENDPOINT_URL_EVENTBRIDGE", format!("http://{bus}")),
        ("AWS_ENDPOINT_URL_SESV2", ses_endpoint().to_owned()),
    ];
    let mut specs: Vec<FunctionSpec> = template
        .functions()
        .expect("the template's functions read")
        .iter()
        .filter(|function| {
            sizes.cold_start_functions.is_empty() || sizes.cold_start_functions.contains(&function.binary)
        })
        .map(|function| {
            let mut spec =
                FunctionSpec::from_template(&stack, function, &sizes.binaries, &local_aws).expect("a function spec");
            spec.variables.insert("TABLE_NAME".to_owned(), table.to_owned());
            spec
        })
        .collect();
    // The floor gets an HTTP function's environment: Lambda's variables are what its runtime reads.
    let get_customer = template.functions().expect("the template's functions read");
    let get_customer = get_customer.iter().find(|f| f.binary == "get-customer").expect("get-customer is a function");
    let mut floor =
        FunctionSpec::from_template(&stack, get_customer, &sizes.binaries, &local_aws).expect("a function spec");
    floor.name = FLOOR.to_owned();
    floor.binary = sizes.binaries.join(FLOOR);
    specs.push(floor);
    specs
}

pub async fn rows(sizes: &Sizes) -> Vec<Row> {
    let test = TestApp::spawn().await;
    let specs = specs(sizes, &test.table).await;
    for spec in &specs {
        assert!(spec.binary.exists(), "{} is not built", spec.binary.display());
    }

    // Interleaved rounds: every binary once per round.
    let mut inits: BTreeMap<String, Vec<Duration>> = BTreeMap::new();
    for _ in 0..sizes.cold_starts {
        for spec in &specs {
            let (instance, init) = Instance::start(spec).await;
            drop(instance);
            inits.entry(spec.name.clone()).or_default().push(init);
        }
    }

    let floor = summarize(&inits[FLOOR]);
    let mut rows = vec![
        Row::new(SECTION, format!("{FLOOR} (hello world, {})", sizes.profile))
            .figure("init min", floor.min, "ms")
            .figure("median", floor.median, "ms")
            .figure("max", floor.max, "ms"),
    ];
    for (name, samples) in inits.iter().filter(|(name, _)| name.as_str() != FLOOR) {
        let init = summarize(samples);
        let ratio = init.median / floor.median;
        let row = Row::new(SECTION, name.clone())
            .figure("init min", init.min, "ms")
            .figure("median", init.median, "ms")
            .figure("max", init.max, "ms")
            .figure("floor", ratio, "×");
        rows.push(row.at_most(format!("median init ≤ {MAX_RATIO}× the floor"), ratio, MAX_RATIO));
    }
    rows
}
