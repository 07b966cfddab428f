//! A tiny function on the real Lambda runtime client, for the Lambda twin's tests: it answers
//! with what it saw (its payload, its environment, its process id) and does on request what a
//! function may do wrong: fail, take too long, exit, or fail its init. Its answer also says when
//! the handler started and answered (`startedMs`, `answeredMs`), to see invocations overlap.
//!
//! - `{"fail": "message"}`: the handler returns an error.
//! - `{"sleep_ms": n}`: the handler answers after `n` milliseconds.
//! - `{"exit": code}`: the process exits in the middle of the invocation.
//! - `ECHO_INIT_ERROR=message` in the environment: reports an init error and exits before polling.
//! - `ECHO_RECORD=path`: every payload received is appended to that file, one line each.

use std::io::Write;
use std::time::Duration;

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::{Value, json};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    if let Ok(message) = std::env::var("ECHO_INIT_ERROR") {
        report_init_error(&message).await?;
        std::process::exit(1);
    }
    run(service_fn(echo)).await
}

async fn echo(event: LambdaEvent<Value>) -> Result<Value, Error> {
    let started_ms = now_ms();
    let payload = event.payload;
    if let Ok(path) = std::env::var("ECHO_RECORD") {
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        writeln!(file, "{payload}")?;
    }
    if let Some(message) = payload["fail"].as_str() {
        return Err(message.into());
    }
    if let Some(milliseconds) = payload["sleep_ms"].as_u64() {
        tokio::time::sleep(Duration::from_millis(milliseconds)).await;
    }
    if let Some(code) = payload["exit"].as_i64() {
        std::process::exit(code as i32);
    }
    let environment: serde_json::Map<String, Value> = std::env::vars().map(|(k, v)| (k, Value::String(v))).collect();
    Ok(json!({
        "payload": payload,
        "environment": environment,
        "pid": std::process::id(),
        "requestId": event.context.request_id,
        "deadlineMs": event.context.deadline,
        "functionArn": event.context.invoked_function_arn,
        "startedMs": started_ms,
        "answeredMs": now_ms(),
    }))
}

fn now_ms() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_millis()
}

/// What a runtime does when its init fails: `POST /runtime/init/error`, then exit.
async fn report_init_error(message: &str) -> Result<(), Error> {
    let api = std::env::var("AWS_LAMBDA_RUNTIME_API")?;
    reqwest::Client::new()
        .post(format!("http://{api}/2018-06-01/runtime/init/error"))
        .header("lambda-runtime-function-error-type", "Echo.InitError")
        .json(&json!({"errorType": "Echo.InitError", "errorMessage": message}))
        .send()
        .await?
        .error_for_status()?;
    Ok(())
}
