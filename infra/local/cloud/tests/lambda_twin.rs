//! The local Lambda with a real function: `examples/echo-function.rs` on the real Lambda runtime
//! client, started from its built binary as the local cloud starts the template's functions; and
//! the schedules that invoke it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use local_cloud::bus::RetryTiming;
use local_cloud::bus::schedules::{ScheduledFunction, Scheduler};
use local_cloud::dead_letters::DeadLetters;
use local_cloud::lambda::LambdaTwin;
use local_cloud::lambda::code_reload::BuildState;
use local_cloud::lambda::function::{FunctionTwin, InvocationFailure, Readiness};
use local_cloud::lambda::function_spec::{Concurrency, FunctionSpec, binaries_folder};
use local_cloud::lambda::invoke::{InvokeError, Lambda};
use local_cloud::template::{Template, repo_root};
use serde_json::{Value, json};
use tokio::sync::watch;

/// The echo function's binary, built once per test run.
fn echo_binary() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let status = Command::new(env!("CARGO"))
            .current_dir(repo_root())
            .args(["build", "--quiet", "--locked", "-p", "local-cloud", "--example", "echo-function"])
            .status()
            .expect("cargo runs");
        assert!(status.success(), "the echo function builds");
        binaries_folder().join("examples/echo-function")
    })
}

/// The echo function as `name`, with what Lambda sets and `variables` of its own.
fn echo(name: &str, timeout: Duration, variables: &[(&str, &str)]) -> FunctionSpec {
    let lambda = [
        ("AWS_LAMBDA_FUNCTION_NAME", name),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
    ];
    FunctionSpec {
        name: name.to_owned(),
        binary: echo_binary().to_owned(),
        timeout,
        variables: lambda.iter().chain(variables).map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        concurrency: Concurrency::Unreserved(10),
    }
}

/// Builds that never run, for functions whose binary does not change.
fn no_builds() -> watch::Receiver<BuildState> {
    let (state, builds) = watch::channel(BuildState::default());
    std::mem::forget(state);
    builds
}

async fn invoke(function: &FunctionTwin, payload: Value) -> Result<Value, InvocationFailure> {
    let output = function.invoke(Bytes::from(payload.to_string())).await?;
    Ok(serde_json::from_slice(&output).expect("the echo function answers JSON"))
}

async fn ready(function: &FunctionTwin) {
    tokio::time::timeout(Duration::from_secs(30), function.until_ready())
        .await
        .unwrap_or_else(|_| panic!("not ready: {:?}", function.readiness()));
}

fn temporary(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("lambda-twin-{name}-{}", uuid::Uuid::new_v4()))
}

/// Whether the process is gone (reaped, or a zombie nobody waits for any more).
fn is_gone(pid: u64) -> bool {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status.is_empty() || status.lines().any(|line| line.starts_with("State:") && line.contains('Z'))
}

/// Whether the process `pid` is gone (or a zombie) now or within `limit`.
async fn gone_within(pid: u64, limit: Duration) -> bool {
    let until = std::time::Instant::now() + limit;
    while !is_gone(pid) {
        if std::time::Instant::now() >= until {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

#[tokio::test]
async fn readiness_comes_from_the_first_poll_without_any_payload_sent() {
    let record = temporary("record");
    let function = FunctionTwin::start(
        echo("echo", Duration::from_secs(5), &[("ECHO_RECORD", record.to_str().unwrap())]),
        no_builds(),
    );
    ready(&function).await;
    assert_eq!(function.readiness(), Readiness::Ready);
    assert!(!record.exists(), "a payload reached the function before any invocation");

    let output = invoke(&function, json!({"n": 1})).await.unwrap();
    assert_eq!(output["payload"], json!({"n": 1}));
    assert_eq!(std::fs::read_to_string(&record).unwrap(), "{\"n\":1}\n");
    std::fs::remove_file(record).unwrap();
}

#[tokio::test]
async fn each_function_sees_exactly_its_own_environment() {
    let first = FunctionTwin::start(echo("first", Duration::from_secs(5), &[("ONLY_FIRST", "1")]), no_builds());
    let second = FunctionTwin::start(echo("second", Duration::from_secs(5), &[("ONLY_SECOND", "2")]), no_builds());
    let seen = invoke(&first, json!({})).await.unwrap()["environment"].clone();
    let seen_by_second = invoke(&second, json!({})).await.unwrap()["environment"].clone();

    assert_eq!(seen["ONLY_FIRST"], "1");
    assert_eq!(seen["AWS_LAMBDA_FUNCTION_NAME"], "first");
    assert!(seen.get("ONLY_SECOND").is_none(), "{seen}");
    assert_eq!(seen_by_second["ONLY_SECOND"], "2");
    assert!(seen_by_second.get("ONLY_FIRST").is_none(), "{seen_by_second}");
    // Nothing of the test's own environment (PATH, HOME, …) gets through; the runtime API's
    // address, the log stream and the trace id are the instance's own.
    let spec = echo("first", Duration::from_secs(5), &[("ONLY_FIRST", "1")]);
    let per_instance =
        ["AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_LOG_STREAM_NAME", "_X_AMZN_TRACE_ID", "LOCAL_CLOUD_INSTANCE"];
    let unexpected: Vec<&String> = seen
        .as_object()
        .unwrap()
        .keys()
        .filter(|name| !spec.variables.contains_key(*name) && !per_instance.contains(&name.as_str()))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
    assert!(seen["AWS_LAMBDA_RUNTIME_API"].as_str().unwrap().starts_with("127.0.0.1:"));
}

#[tokio::test]
async fn a_timeout_answers_task_timed_out_and_starts_the_instance_again() {
    let function = FunctionTwin::start(echo("slow", Duration::from_secs(1), &[]), no_builds());
    let before = invoke(&function, json!({})).await.unwrap()["pid"].as_u64().unwrap();
    let started = std::time::Instant::now();
    let failure = invoke(&function, json!({"sleep_ms": 10_000})).await.unwrap_err();
    let InvocationFailure::Function(error) = failure else { panic!("{failure:?}") };
    assert_eq!(error.error_type, "Sandbox.Timedout");
    assert!(error.error_message.ends_with("Task timed out after 1.00 seconds"), "{}", error.error_message);
    assert!(started.elapsed() < Duration::from_secs(5));

    let after = invoke(&function, json!({})).await.unwrap()["pid"].as_u64().unwrap();
    assert_ne!(before, after, "a new instance answers");
    // SIGKILL is sent as the instance is dropped; the kernel ends the process a moment later (on a
    // busy machine, after the next invocation may have answered). The function would sleep until
    // 10 s after its invocation, so an instance still there 3 s from now was not killed.
    assert!(gone_within(before, Duration::from_secs(3)).await, "the timed-out instance was killed");
}

#[tokio::test]
async fn a_function_error_and_a_crash_come_back_as_function_errors_and_the_next_invocation_starts_it_again() {
    let function = FunctionTwin::start(echo("fragile", Duration::from_secs(5), &[]), no_builds());
    let failure = invoke(&function, json!({"fail": "no customer"})).await.unwrap_err();
    let InvocationFailure::Function(error) = failure else { panic!("{failure:?}") };
    assert_eq!(error.error_message, "no customer");

    let before = invoke(&function, json!({})).await.unwrap()["pid"].as_u64().unwrap();
    let failure = invoke(&function, json!({"exit": 3})).await.unwrap_err();
    let InvocationFailure::Function(error) = failure else { panic!("{failure:?}") };
    assert_eq!(error.error_type, "Runtime.ExitError");
    assert!(error.error_message.ends_with("Runtime exited with error: exit status 3"), "{}", error.error_message);
    assert_eq!(function.readiness(), Readiness::Ready, "it did start, so it stays ready");

    let after = invoke(&function, json!({})).await.unwrap()["pid"].as_u64().unwrap();
    assert_ne!(before, after);
}

#[tokio::test]
async fn an_init_error_is_the_error_of_the_invocation_that_waited_for_it() {
    let function =
        FunctionTwin::start(echo("broken", Duration::from_secs(5), &[("ECHO_INIT_ERROR", "no table")]), no_builds());
    for _ in 0..100 {
        if matches!(function.readiness(), Readiness::Down(_)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let Readiness::Down(reason) = function.readiness() else { panic!("{:?}", function.readiness()) };
    assert!(reason.contains("no table"), "{reason}");

    let failure = invoke(&function, json!({})).await.unwrap_err();
    let InvocationFailure::Function(error) = failure else { panic!("{failure:?}") };
    assert_eq!((error.error_type.as_str(), error.error_message.as_str()), ("Echo.InitError", "no table"));
}

#[tokio::test]
async fn invocations_wait_for_a_build_and_a_new_binary_replaces_the_instance() {
    let binary = temporary("binary");
    std::fs::copy(echo_binary(), &binary).unwrap();
    let (build_state, builds) = watch::channel(BuildState::default());
    let mut spec = echo("rebuilt", Duration::from_secs(5), &[]);
    spec.binary = binary.clone();
    let function = Arc::new(FunctionTwin::start(spec, builds));
    ready(&function).await;
    let before = invoke(&function, json!({})).await.unwrap()["pid"].as_u64().unwrap();

    build_state.send_replace(BuildState { building: true });
    let waiting = tokio::spawn({
        let function = Arc::clone(&function);
        async move { invoke(&function, json!({})).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "an invocation during a build waits for it");
    // The build writes a new binary (a new file, as the linker does).
    std::fs::remove_file(&binary).unwrap();
    std::fs::copy(echo_binary(), &binary).unwrap();
    build_state.send_replace(BuildState { building: false });

    let after = waiting.await.unwrap().unwrap()["pid"].as_u64().unwrap();
    assert_ne!(before, after, "the new build answers");
    assert!(gone_within(before, Duration::from_secs(3)).await, "the old build's instance was killed");
    std::fs::remove_file(binary).unwrap();
}

#[tokio::test]
async fn the_invoke_api_tells_a_function_error_from_an_undelivered_invocation() {
    let missing = FunctionSpec { binary: temporary("missing"), ..echo("unbuilt", Duration::from_secs(5), &[]) };
    let lambda = Arc::new(LambdaTwin::start(vec![echo("echo", Duration::from_secs(5), &[]), missing], &no_builds()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, local_cloud::lambda::router(Arc::clone(&lambda))).into_future());
    let client = Lambda::new(&endpoint);

    let output = client.invoke("echo", &json!({"hello": "world"})).await.unwrap();
    assert_eq!(output["payload"], json!({"hello": "world"}));
    assert_eq!(output["functionArn"], "arn:aws:lambda:eu-central-1:000000000000:function:echo");
    let error = client.invoke("echo", &json!({"fail": "boom"})).await.unwrap_err();
    assert!(matches!(&error, InvokeError::Function { message, .. } if message == "boom"), "{error:?}");
    let error = client.invoke("unbuilt", &json!({})).await.unwrap_err();
    assert!(matches!(&error, InvokeError::Undelivered { reason, .. } if reason.contains("no binary")), "{error:?}");
    let error = client.invoke("nonexistent", &json!({})).await.unwrap_err();
    assert!(matches!(&error, InvokeError::Undelivered { reason, .. } if reason.contains("Function not found")));

    let readiness: BTreeMap<String, Readiness> = lambda.readiness().into_iter().collect();
    assert_eq!(readiness["echo"], Readiness::Ready);
    assert!(matches!(&readiness["unbuilt"], Readiness::Down(reason) if reason.contains("no binary")));
}

/// What one echo invocation reports: its instance's process, and when its handler ran.
#[derive(Debug, Clone, Copy)]
struct Served {
    pid: u64,
    started_ms: u64,
    answered_ms: u64,
}

/// `count` invocations sent at once, each sleeping `sleep_ms` in the handler.
async fn at_once(function: &Arc<FunctionTwin>, count: usize, sleep_ms: u64) -> Vec<Result<Served, InvocationFailure>> {
    let invocations = (0..count).map(|_| {
        let function = Arc::clone(function);
        tokio::spawn(async move {
            let output = invoke(&function, json!({"sleep_ms": sleep_ms})).await?;
            let number = |key: &str| output[key].as_u64().unwrap_or_else(|| panic!("{key} in {output}"));
            Ok(Served { pid: number("pid"), started_ms: number("startedMs"), answered_ms: number("answeredMs") })
        })
    });
    futures::future::join_all(invocations).await.into_iter().map(|joined| joined.unwrap()).collect()
}

/// The most handlers that ran at the same moment.
fn most_at_once(served: &[Served]) -> usize {
    served
        .iter()
        .map(|one| {
            served
                .iter()
                .filter(|other| other.started_ms <= one.started_ms && one.started_ms < other.answered_ms)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test]
async fn parallel_invocations_run_in_instances_of_their_own_up_to_the_limit_and_the_rest_wait() {
    let spec = FunctionSpec { concurrency: Concurrency::Unreserved(3), ..echo("scaled", Duration::from_secs(10), &[]) };
    let function = Arc::new(FunctionTwin::start(spec, no_builds()));
    ready(&function).await;

    let served: Vec<Served> = at_once(&function, 9, 400).await.into_iter().map(Result::unwrap).collect();
    let instances: std::collections::BTreeSet<u64> = served.iter().map(|one| one.pid).collect();
    assert!((2..=3).contains(&instances.len()), "instances: {instances:?}");
    let overlap = most_at_once(&served);
    assert!((2..=3).contains(&overlap), "{overlap} handlers at once: {served:#?}");

    // Idle instances are used again: nothing new starts for the next ones.
    let again: Vec<Served> = at_once(&function, 2, 0).await.into_iter().map(Result::unwrap).collect();
    assert!(again.iter().all(|one| instances.contains(&one.pid)), "{again:?} not among {instances:?}");
}

#[tokio::test]
async fn beyond_its_reserved_concurrency_a_synchronous_invocation_is_throttled() {
    let spec = FunctionSpec { concurrency: Concurrency::Reserved(2), ..echo("reserved", Duration::from_secs(10), &[]) };
    let function = Arc::new(FunctionTwin::start(spec, no_builds()));
    ready(&function).await;

    let outcomes = at_once(&function, 3, 800).await;
    let throttled: Vec<&InvocationFailure> = outcomes.iter().filter_map(|outcome| outcome.as_ref().err()).collect();
    assert!(
        matches!(throttled[..], [InvocationFailure::Throttled { limit: 2, .. }]),
        "exactly one is throttled: {outcomes:?}"
    );
    let served: Vec<Served> = outcomes.iter().filter_map(|outcome| outcome.as_ref().ok().copied()).collect();
    assert_ne!(served[0].pid, served[1].pid, "two instances served at once");
    assert_eq!(most_at_once(&served), 2);
    // Once they are free, it is taken again.
    assert!(invoke(&function, json!({})).await.is_ok());
}

#[tokio::test]
async fn the_invoke_api_answers_a_throttled_invocation_as_lambda_does() {
    let disabled =
        FunctionSpec { concurrency: Concurrency::Reserved(0), ..echo("disabled", Duration::from_secs(5), &[]) };
    let lambda = Arc::new(LambdaTwin::start(vec![disabled], &no_builds()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, local_cloud::lambda::router(Arc::clone(&lambda))).into_future());

    let response = reqwest::Client::new()
        .post(format!("{endpoint}/2015-03-31/functions/disabled/invocations"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["x-amzn-errortype"], "TooManyRequestsException");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["Reason"], "ReservedFunctionConcurrentInvocationLimitExceeded");
    assert!(matches!(lambda.readiness()[0].1, Readiness::Down(_)), "{:?}", lambda.readiness());
    let error = Lambda::new(&endpoint).invoke("disabled", &json!({})).await.unwrap_err();
    assert!(matches!(&error, InvokeError::Undelivered { reason, .. } if reason.contains("429")), "{error:?}");
}

/// A template of its own with a function on two schedules (the echo function stands in for it),
/// run by the scheduler against a local Lambda: (scheduler, its `/_local/schedules` address,
/// the file the function records its payloads in).
async fn scheduled_echo() -> (Arc<Scheduler>, String, PathBuf) {
    let template = Template::parse(
        "Resources:\n  ExpireFunction:\n    Type: AWS::Serverless::Function\n    Metadata:\n      BuildProperties:\n        Binary: expire\n\
         \x20   Properties:\n      Runtime: provided.al2023\n      Events:\n\
         \x20       Schedule:\n          Type: ScheduleV2\n          Properties:\n            ScheduleExpression: rate(1 hour)\n\
         \x20           RetryPolicy: {MaximumRetryAttempts: 2}\n\
         \x20       Nightly:\n          Type: Schedule\n          Properties:\n            Schedule: rate(1 day)\n            Name: nightly\n",
    )
    .unwrap();
    let record = temporary("scheduled");
    let spec = echo("expire", Duration::from_secs(5), &[("ECHO_RECORD", record.to_str().unwrap())]);
    let lambda = Arc::new(LambdaTwin::start(vec![spec], &no_builds()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, local_cloud::lambda::router(Arc::clone(&lambda))).into_future());
    let scheduler = Arc::new(Scheduler {
        schedules: ScheduledFunction::of(&template.functions().unwrap()),
        lambda: Lambda::new(&endpoint),
        dead_letters: Arc::new(DeadLetters::new(temporary("dead-letters"))),
        timing: RetryTiming::default(),
    });
    let router = axum::Router::new()
        .route("/_local/schedules/{name}", axum::routing::post(local_cloud::bus::schedules::run_now))
        .with_state(Arc::clone(&scheduler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let helper = format!("http://{}/_local/schedules", listener.local_addr().unwrap());
    tokio::spawn(axum::serve(listener, router).into_future());
    std::mem::forget(lambda);
    (scheduler, helper, record)
}

#[tokio::test]
async fn a_schedule_runs_on_demand_with_the_event_its_aws_scheduler_sends() {
    let (_, helper, record) = scheduled_echo().await;
    let client = reqwest::Client::new();

    // By the function's logical id (it has two schedules, so that names none) or the schedule's name.
    let ambiguous = client.post(format!("{helper}/ExpireFunction")).send().await.unwrap();
    assert_eq!(ambiguous.status(), reqwest::StatusCode::NOT_FOUND);
    let response = client.post(format!("{helper}/ExpireFunctionSchedule")).send().await.unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    let output: Value = response.json().await.unwrap();
    let event = &output["payload"];
    assert_eq!(event["source"], "aws.scheduler");
    assert_eq!(event["detail-type"], "Scheduled Event");
    assert_eq!(event["detail"], "{}", "Scheduler's default event carries the detail as a string");
    assert_eq!(
        event["resources"],
        json!(["arn:aws:scheduler:eu-central-1:000000000000:schedule/default/ExpireFunctionSchedule"])
    );
    assert!(chrono::DateTime::parse_from_rfc3339(event["time"].as_str().unwrap()).is_ok(), "{event}");

    let rule: Value = client.post(format!("{helper}/nightly")).send().await.unwrap().json().await.unwrap();
    assert_eq!(rule["payload"]["source"], "aws.events");
    assert_eq!(rule["payload"]["detail"], json!({}));
    assert_eq!(rule["payload"]["resources"], json!(["arn:aws:events:eu-central-1:000000000000:rule/nightly"]));

    let unknown = client.post(format!("{helper}/Nothing")).send().await.unwrap();
    assert_eq!(unknown.status(), reqwest::StatusCode::NOT_FOUND);
    assert!(unknown.text().await.unwrap().contains("ExpireFunctionSchedule (ExpireFunction)"));
    assert_eq!(std::fs::read_to_string(&record).unwrap().lines().count(), 2, "each run invoked it once");
    std::fs::remove_file(record).unwrap();
}

#[tokio::test]
async fn an_enabled_schedule_invokes_its_function_every_period() {
    let (scheduler, _, record) = scheduled_echo().await;
    // The template's rate, shortened so that the test need not wait an hour.
    let mut hourly = scheduler.find("ExpireFunctionSchedule").unwrap().clone();
    hourly.schedule.every = Duration::from_millis(300);
    let shortened = Scheduler {
        schedules: vec![hourly],
        lambda: scheduler.lambda.clone(),
        dead_letters: Arc::clone(&scheduler.dead_letters),
        timing: RetryTiming::default(),
    };
    let (stop, stopped) = watch::channel(false);
    let running = tokio::spawn(Arc::new(shortened).run(stopped));

    let runs = |count: usize| {
        let record = record.clone();
        async move {
            for _ in 0..100 {
                let lines = std::fs::read_to_string(&record).unwrap_or_default().lines().count();
                if lines >= count {
                    return lines;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            panic!("fewer than {count} scheduled runs");
        }
    };
    runs(3).await;
    stop.send_replace(true);
    running.await.unwrap();
    let first: Value = serde_json::from_str(std::fs::read_to_string(&record).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!(first["source"], "aws.scheduler");
    std::fs::remove_file(record).unwrap();
}
