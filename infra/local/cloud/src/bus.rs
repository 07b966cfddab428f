//! The local EventBridge bus: answers `PutEvents` (AWS JSON 1.1) with per-entry results, matches
//! each event against the template's rules, and delivers it to each rule's function as an
//! asynchronous invocation: EventBridge retries what does not reach the function (the rule's
//! RetryPolicy), Lambda retries what the function fails (its EventInvokeConfig); what still
//! fails becomes a dead letter.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::dead_letters::DeadLetters;
use crate::environment::{ACCOUNT_ID, REGION};
use crate::lambda::{InvokeError, Lambda};
use crate::template::{AsyncInvokeConfig, Rule};

/// A rule and the function it targets.
#[derive(Debug, Clone)]
pub struct Target {
    pub rule: Rule,
    pub function: String,
    pub async_invoke: AsyncInvokeConfig,
}

/// Waits between attempts: Lambda retries a failed asynchronous run after 1 and 2 minutes;
/// EventBridge backs off exponentially (documented without figures; here from 1 s, capped).
#[derive(Debug, Clone)]
pub struct RetryTiming {
    pub function_retry_delays: Vec<Duration>,
    pub delivery_backoff: Duration,
    pub delivery_backoff_cap: Duration,
}

impl Default for RetryTiming {
    fn default() -> Self {
        Self {
            function_retry_delays: vec![Duration::from_secs(60), Duration::from_secs(120)],
            delivery_backoff: Duration::from_secs(1),
            delivery_backoff_cap: Duration::from_secs(300),
        }
    }
}

pub struct Bus {
    /// The bus's local name; `EventBusName` may give it or its ARN.
    pub name: String,
    pub targets: Vec<Target>,
    pub lambda: Lambda,
    pub dead_letters: Arc<DeadLetters>,
    pub timing: RetryTiming,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PutEventsRequest {
    entries: Vec<RequestEntry>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", default)]
struct RequestEntry {
    source: Option<String>,
    detail_type: Option<String>,
    detail: Option<String>,
    event_bus_name: Option<String>,
    resources: Vec<String>,
    time: Option<Value>,
}

pub fn router(bus: Arc<Bus>) -> Router {
    Router::new().fallback(put_events).with_state(bus)
}

impl Bus {
    pub fn arn(&self) -> String {
        format!("arn:aws:events:{REGION}:{ACCOUNT_ID}:event-bus/{}", self.name)
    }

    /// The entry as the event rules see, or the entry's `(ErrorCode, ErrorMessage)`.
    fn event(&self, entry: &RequestEntry) -> Result<Value, (&'static str, String)> {
        let bus = entry.event_bus_name.as_deref().unwrap_or("default");
        if bus != self.name && bus != self.arn() {
            return Err(("InvalidArgument", format!("Event bus {bus} does not exist.")));
        }
        let required = |value: &Option<String>, name: &str| {
            value.clone().filter(|v| !v.is_empty()).ok_or_else(|| {
                ("InvalidArgument", format!("Parameter {name} is not valid. Reason: {name} is a required argument."))
            })
        };
        let source = required(&entry.source, "Source")?;
        let detail_type = required(&entry.detail_type, "DetailType")?;
        let detail: Value = serde_json::from_str(&required(&entry.detail, "Detail")?)
            .ok()
            .filter(Value::is_object)
            .ok_or(("MalformedDetail", "Detail is malformed.".to_owned()))?;
        let time = match &entry.time {
            Some(Value::Number(seconds)) => seconds
                .as_f64()
                .and_then(|s| chrono::DateTime::from_timestamp(s as i64, 0))
                .unwrap_or_else(chrono::Utc::now),
            _ => chrono::Utc::now(),
        };
        Ok(json!({
            "version": "0",
            "id": uuid::Uuid::new_v4().to_string(),
            "detail-type": detail_type,
            "source": source,
            "account": ACCOUNT_ID,
            "time": time.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            "region": REGION,
            "resources": entry.resources,
            "detail": detail,
        }))
    }

    /// Starts the delivery of `event` to every target whose rule matches it.
    fn dispatch(self: &Arc<Self>, event: &Value) {
        for target in self.targets.iter().filter(|target| target.rule.pattern.matches(event)) {
            let (bus, target, event) = (Arc::clone(self), target.clone(), event.clone());
            tokio::spawn(async move { bus.deliver(&target, event).await });
        }
    }

    async fn deliver(&self, target: &Target, event: Value) {
        let (started, mut delivery_retries, mut function_retries) = (Instant::now(), 0u32, 0usize);
        loop {
            let failure = match self.lambda.invoke(&target.function, &event).await {
                Ok(_) => return,
                Err(failure) => failure,
            };
            let age = started.elapsed();
            let wait = match &failure {
                InvokeError::Function { .. } => {
                    let exhausted = function_retries >= target.async_invoke.maximum_retry_attempts as usize
                        || age >= target.async_invoke.maximum_event_age;
                    if exhausted {
                        let reason = format!("{failure} (after {function_retries} retries)");
                        self.dead_letters.put(&target.function, "async-invocation", &reason, event).await;
                        return;
                    }
                    function_retries += 1;
                    self.timing.function_retry_delays.get(function_retries - 1).copied().unwrap_or_default()
                }
                InvokeError::Undelivered { .. } => {
                    if delivery_retries >= target.rule.maximum_retry_attempts || age >= target.rule.maximum_event_age {
                        let reason = format!("rule {}: {failure} (after {delivery_retries} retries)", target.rule.name);
                        self.dead_letters.put(&target.function, "rule-delivery", &reason, event).await;
                        return;
                    }
                    delivery_retries += 1;
                    let factor = 2u32.saturating_pow(delivery_retries.min(20) - 1);
                    self.timing.delivery_backoff.saturating_mul(factor).min(self.timing.delivery_backoff_cap)
                }
            };
            tracing::warn!(rule = target.rule.name, %failure, retry_in = ?wait, "retrying the delivery");
            tokio::time::sleep(wait).await;
        }
    }
}

async fn put_events(State(bus): State<Arc<Bus>>, headers: HeaderMap, body: Bytes) -> Response {
    let target = headers.get("x-amz-target").and_then(|t| t.to_str().ok()).unwrap_or_default();
    if target != "AWSEvents.PutEvents" {
        return aws_error(
            "UnknownOperationException",
            &format!("the local bus answers PutEvents only, not {target:?}"),
        );
    }
    let request: PutEventsRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => return aws_error("SerializationException", &error.to_string()),
    };
    if request.entries.is_empty() || request.entries.len() > 10 {
        return aws_error("ValidationException", "Entries must hold between 1 and 10 entries.");
    }
    let mut failed = 0;
    let entries: Vec<Value> = request
        .entries
        .iter()
        .map(|entry| match bus.event(entry) {
            Ok(event) => {
                bus.dispatch(&event);
                json!({ "EventId": event["id"] })
            }
            Err((code, message)) => {
                failed += 1;
                json!({ "ErrorCode": code, "ErrorMessage": message })
            }
        })
        .collect();
    aws_json(StatusCode::OK, json!({ "FailedEntryCount": failed, "Entries": entries }))
}

fn aws_error(kind: &str, message: &str) -> Response {
    aws_json(StatusCode::BAD_REQUEST, json!({ "__type": kind, "message": message }))
}

fn aws_json(status: StatusCode, body: Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/x-amz-json-1.1"));
    response
}
