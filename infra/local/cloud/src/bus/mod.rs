//! The local EventBridge bus: answers `PutEvents` (AWS JSON 1.1) with per-entry results, matches
//! each event against the template's rules, and delivers it to each rule's function as an
//! asynchronous invocation: EventBridge retries what does not reach the function (the rule's
//! RetryPolicy), Lambda retries what the function fails (its EventInvokeConfig); what still
//! fails becomes a dead letter. The integrator's own rules ([`crate::bus::integrations`]) see every
//! event too.

pub mod integrations;
pub mod integrator_stack;
pub mod pattern;
pub mod schedules;
pub mod sqs_queue;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::aws_json;
use crate::dead_letters::DeadLetters;
use crate::environment::{ACCOUNT_ID, REGION};
use crate::lambda::invoke::{InvokeError, Lambda};
use crate::template::{AsyncInvokeConfig, Rule};
use integrations::Integration;

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
    /// The rules of the integrations file, with local targets.
    pub integrations: Vec<Integration>,
    pub lambda: Lambda,
    /// What POSTs to the integrations' HTTP targets.
    pub http: reqwest::Client,
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
        for integration in self.integrations.iter().filter(|integration| integration.pattern.matches(event)) {
            let (bus, integration, event) = (Arc::clone(self), integration.clone(), event.clone());
            tokio::spawn(async move {
                integrations::deliver(&bus.http, &bus.dead_letters, &bus.timing, &integration, event).await
            });
        }
    }

    async fn deliver(&self, target: &Target, event: Value) {
        let delivery = Delivery {
            by: format!("rule {}", target.rule.name),
            function: &target.function,
            maximum_retry_attempts: target.rule.maximum_retry_attempts,
            maximum_event_age: target.rule.maximum_event_age,
            async_invoke: &target.async_invoke,
            undelivered_source: "rule-delivery",
        };
        invoke_async(&self.lambda, &self.dead_letters, &self.timing, &delivery, event).await;
    }
}

/// Who delivers an asynchronous invocation (a rule, a schedule) and how it retries.
pub struct Delivery<'a> {
    /// `rule <name>`, `schedule <name>`: for the log and the dead letter.
    pub by: String,
    pub function: &'a str,
    /// The deliverer's RetryPolicy, for what does not reach the function.
    pub maximum_retry_attempts: u32,
    pub maximum_event_age: Duration,
    /// Lambda's, for what the function fails.
    pub async_invoke: &'a AsyncInvokeConfig,
    /// The dead letter's `source` when the delivery gives up.
    pub undelivered_source: &'static str,
}

/// An asynchronous invocation: the deliverer retries what does not reach the function (its
/// RetryPolicy, backing off), Lambda what the function fails (its EventInvokeConfig); what
/// still fails becomes a dead letter.
pub async fn invoke_async(
    lambda: &Lambda,
    dead_letters: &DeadLetters,
    timing: &RetryTiming,
    delivery: &Delivery<'_>,
    event: Value,
) {
    let (started, mut delivery_retries, mut function_retries) = (Instant::now(), 0u32, 0usize);
    loop {
        let failure = match lambda.invoke(delivery.function, &event).await {
            Ok(_) => return,
            Err(failure) => failure,
        };
        let age = started.elapsed();
        let wait = match &failure {
            InvokeError::Function { .. } => {
                let exhausted = function_retries >= delivery.async_invoke.maximum_retry_attempts as usize
                    || age >= delivery.async_invoke.maximum_event_age;
                if exhausted {
                    let reason = format!("{failure} (after {function_retries} retries)");
                    dead_letters.put(delivery.function, "async-invocation", &reason, event).await;
                    return;
                }
                function_retries += 1;
                timing.function_retry_delays.get(function_retries - 1).copied().unwrap_or_default()
            }
            InvokeError::Undelivered { .. } => {
                if delivery_retries >= delivery.maximum_retry_attempts || age >= delivery.maximum_event_age {
                    let reason = format!("{}: {failure} (after {delivery_retries} retries)", delivery.by);
                    dead_letters.put(delivery.function, delivery.undelivered_source, &reason, event).await;
                    return;
                }
                delivery_retries += 1;
                let factor = 2u32.saturating_pow(delivery_retries.min(20) - 1);
                timing.delivery_backoff.saturating_mul(factor).min(timing.delivery_backoff_cap)
            }
        };
        tracing::warn!(by = delivery.by, %failure, retry_in = ?wait, "retrying the delivery");
        tokio::time::sleep(wait).await;
    }
}

async fn put_events(State(bus): State<Arc<Bus>>, headers: HeaderMap, body: Bytes) -> Response {
    let target = headers.get("x-amz-target").and_then(|t| t.to_str().ok()).unwrap_or_default();
    if target != "AWSEvents.PutEvents" {
        return aws_json::error(
            "UnknownOperationException",
            &format!("the local bus answers PutEvents only, not {target:?}"),
        );
    }
    let request: PutEventsRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => return aws_json::error("SerializationException", &error.to_string()),
    };
    if request.entries.is_empty() || request.entries.len() > 10 {
        return aws_json::error("ValidationException", "Entries must hold between 1 and 10 entries.");
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
    aws_json::answer(StatusCode::OK, json!({ "FailedEntryCount": failed, "Entries": entries }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bus::integrations::IntegrationTarget;
    use crate::bus::pattern::EventPattern;
    use axum::extract::Path;
    use std::sync::Mutex;

    /// How the stand-in for cargo lambda's invoke API answers.
    #[derive(Clone, Copy)]
    enum Answer {
        Success,
        FunctionError,
        MissingFunction,
    }

    #[derive(Clone)]
    struct InvokeApi {
        answer: Answer,
        calls: Arc<Mutex<Vec<(String, Value)>>>,
    }

    async fn serve(router: Router) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        format!("http://{address}")
    }

    async fn invoke_api(answer: Answer) -> (String, InvokeApi) {
        let api = InvokeApi { answer, calls: Arc::default() };
        let recorded = api.clone();
        let router = Router::new().route(
            "/2015-03-31/functions/{name}/invocations",
            axum::routing::post(move |Path(name): Path<String>, body: axum::Json<Value>| {
                let api = recorded.clone();
                async move {
                    api.calls.lock().unwrap().push((name, body.0));
                    match api.answer {
                        Answer::Success => (StatusCode::OK, "null".to_owned()),
                        Answer::FunctionError => (
                            StatusCode::INTERNAL_SERVER_ERROR,
                            json!({"errorType": "Boom", "errorMessage": "failed"}).to_string(),
                        ),
                        Answer::MissingFunction => {
                            (StatusCode::NOT_FOUND, json!({"title": "Missing function"}).to_string())
                        }
                    }
                }
            }),
        );
        (serve(router).await, api)
    }

    fn target(function: &str, pattern: Value, rule_retries: u32) -> Target {
        Target {
            rule: Rule {
                name: format!("{function}Rule"),
                bus: "EventBus".into(),
                pattern: EventPattern::parse(&pattern).unwrap(),
                maximum_retry_attempts: rule_retries,
                maximum_event_age: Duration::from_secs(3600),
            },
            function: function.into(),
            async_invoke: AsyncInvokeConfig { maximum_retry_attempts: 2, maximum_event_age: Duration::from_secs(3600) },
        }
    }

    struct TestBus {
        url: String,
        api: InvokeApi,
        dead_letters: std::path::PathBuf,
    }

    async fn bus(answer: Answer) -> TestBus {
        let (lambda_url, api) = invoke_api(answer).await;
        let dead_letters = std::env::temp_dir().join(format!("local-cloud-bus-{}", uuid::Uuid::new_v4()));
        let bus = Bus {
            name: "test-bus".into(),
            targets: vec![
                target("audit-writer", json!({"source": ["meshcustomers"]}), 3),
                target("email-sender", json!({"source": ["meshcustomers"], "detail-type": ["CUSTOMER_REGISTERED"]}), 3),
            ],
            integrations: Vec::new(),
            lambda: Lambda::new(lambda_url),
            http: reqwest::Client::new(),
            dead_letters: Arc::new(DeadLetters::new(dead_letters.clone())),
            timing: RetryTiming {
                function_retry_delays: vec![Duration::ZERO; 2],
                delivery_backoff: Duration::from_millis(1),
                delivery_backoff_cap: Duration::from_millis(5),
            },
        };
        TestBus { url: serve(router(Arc::new(bus))).await, api, dead_letters }
    }

    async fn put_events(url: &str, body: Value) -> (StatusCode, Value) {
        let response = reqwest::Client::new()
            .post(url)
            .header("x-amz-target", "AWSEvents.PutEvents")
            .header("content-type", "application/x-amz-json-1.1")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        (response.status(), serde_json::from_str(&response.text().await.unwrap()).unwrap())
    }

    fn entry(detail_type: &str, detail: &str) -> Value {
        json!({"Source": "meshcustomers", "DetailType": detail_type, "Detail": detail, "EventBusName": "test-bus"})
    }

    async fn settled(api: &InvokeApi, calls: usize) -> Vec<(String, Value)> {
        for _ in 0..200 {
            if api.calls.lock().unwrap().len() >= calls {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        api.calls.lock().unwrap().clone()
    }

    #[tokio::test]
    async fn put_events_answers_per_entry_and_delivers_to_matching_rules() {
        let bus = bus(Answer::Success).await;
        let mut wrong_bus = entry("CUSTOMER_CREATED", "{}");
        wrong_bus["EventBusName"] = json!("other-bus");
        let entries = [
            entry("CUSTOMER_REGISTERED", r#"{"customerId":"acme"}"#),
            entry("CUSTOMER_CREATED", "not json"),
            wrong_bus,
            json!({"DetailType": "CUSTOMER_CREATED", "Detail": "{}", "EventBusName": "test-bus"}),
        ];
        let (status, answer) = put_events(&bus.url, json!({ "Entries": entries })).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(answer["FailedEntryCount"], 3);
        let results = answer["Entries"].as_array().unwrap();
        assert!(results[0]["EventId"].is_string());
        assert_eq!(results[1]["ErrorCode"], "MalformedDetail");
        assert_eq!(results[2]["ErrorCode"], "InvalidArgument");
        assert_eq!(results[3]["ErrorCode"], "InvalidArgument");

        let mut calls = settled(&bus.api, 2).await;
        calls.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(calls.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>(), ["audit-writer", "email-sender"]);
        let event = &calls[0].1;
        assert_eq!(
            (event["source"].as_str(), event["detail-type"].as_str()),
            (Some("meshcustomers"), Some("CUSTOMER_REGISTERED"))
        );
        assert_eq!(event["detail"], json!({"customerId": "acme"}));
        assert_eq!(event["id"], results[0]["EventId"]);

        // CUSTOMER_CREATED matches the audit rule only.
        put_events(&bus.url, json!({ "Entries": [entry("CUSTOMER_CREATED", "{}")] })).await;
        let calls = settled(&bus.api, 3).await;
        assert_eq!(calls.len(), 3);
        assert_eq!(calls[2].0, "audit-writer");
    }

    #[tokio::test]
    async fn put_events_refuses_more_than_ten_entries_and_other_operations() {
        let bus = bus(Answer::Success).await;
        let entries: Vec<Value> = (0..11).map(|_| entry("CUSTOMER_CREATED", "{}")).collect();
        let (status, answer) = put_events(&bus.url, json!({ "Entries": entries })).await;
        assert_eq!((status, answer["__type"].as_str()), (StatusCode::BAD_REQUEST, Some("ValidationException")));
        let response = reqwest::Client::new().post(&bus.url).header("x-amz-target", "AWSEvents.ListRules").body("{}");
        assert_eq!(response.send().await.unwrap().status(), StatusCode::BAD_REQUEST);
        assert!(bus.api.calls.lock().unwrap().is_empty());
    }

    /// The dead letters of `function`, once there are some (at most 2 s).
    async fn dead_letters(bus: &TestBus, function: &str) -> Vec<Value> {
        let file = bus.dead_letters.join(format!("{function}.jsonl"));
        for _ in 0..200 {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            if text.ends_with('\n') {
                return text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Vec::new()
    }

    /// A stand-in integrator endpoint: fails the first `failures` POSTs with `status`, then 200.
    async fn endpoint(failures: usize, status: StatusCode) -> (String, Arc<Mutex<Vec<(HeaderMap, String)>>>) {
        let received: Arc<Mutex<Vec<(HeaderMap, String)>>> = Arc::default();
        let recorded = Arc::clone(&received);
        let router = Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: String| {
                let recorded = Arc::clone(&recorded);
                async move {
                    let mut calls = recorded.lock().unwrap();
                    calls.push((headers, body));
                    if calls.len() <= failures { status } else { StatusCode::OK }
                }
            }),
        );
        (format!("{}/hook", serve(router).await), received)
    }

    fn integration(name: &str, pattern: Value, target: IntegrationTarget, retries: u32) -> Integration {
        Integration {
            name: name.into(),
            pattern: EventPattern::parse(&pattern).unwrap(),
            event_pattern: pattern,
            target,
            maximum_retry_attempts: retries,
            maximum_event_age: Duration::from_secs(3600),
        }
    }

    async fn bus_with(integrations: Vec<Integration>) -> TestBus {
        let (lambda_url, api) = invoke_api(Answer::Success).await;
        let dead_letters = std::env::temp_dir().join(format!("local-cloud-bus-{}", uuid::Uuid::new_v4()));
        let bus = Bus {
            name: "test-bus".into(),
            targets: Vec::new(),
            integrations,
            lambda: Lambda::new(lambda_url),
            http: reqwest::Client::new(),
            dead_letters: Arc::new(DeadLetters::new(dead_letters.clone())),
            timing: RetryTiming {
                function_retry_delays: vec![Duration::ZERO; 2],
                delivery_backoff: Duration::from_millis(1),
                delivery_backoff_cap: Duration::from_millis(5),
            },
        };
        TestBus { url: serve(router(Arc::new(bus))).await, api, dead_letters }
    }

    async fn until<T>(mut probe: impl FnMut() -> Option<T>) -> T {
        for _ in 0..300 {
            if let Some(found) = probe() {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("not within 3 s")
    }

    #[tokio::test]
    async fn an_integration_gets_each_matching_event_posted_as_an_api_destination_would() {
        let (url, received) = endpoint(2, StatusCode::SERVICE_UNAVAILABLE).await;
        let file = std::env::temp_dir().join(format!("integration-{}/events.jsonl", uuid::Uuid::new_v4()));
        let bus = bus_with(vec![
            integration("disabled", json!({"detail": {"data": {"to": ["DISABLED"]}}}), IntegrationTarget::Http(url), 3),
            integration("everything", json!({"source": ["meshcustomers"]}), IntegrationTarget::File(file.clone()), 3),
        ])
        .await;
        let disabled = r#"{"type":"CUSTOMER_STATUS_CHANGED","data":{"to":"DISABLED"}}"#;
        let enabled = r#"{"type":"CUSTOMER_STATUS_CHANGED","data":{"to":"ACTIVE"}}"#;
        let (_, answer) = put_events(
            &bus.url,
            json!({"Entries": [entry("CUSTOMER_STATUS_CHANGED", enabled), entry("CUSTOMER_STATUS_CHANGED", disabled)]}),
        )
        .await;
        // Two 503s, then delivered: three POSTs of the one matching event, each the whole event.
        let posts = until(|| Some(received.lock().unwrap().clone()).filter(|posts| posts.len() >= 3)).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(received.lock().unwrap().len(), 3);
        for (headers, body) in &posts {
            assert_eq!(headers["content-type"], "application/json");
            let event: Value = serde_json::from_str(body).unwrap();
            assert_eq!(event["id"], answer["Entries"][1]["EventId"]);
            assert_eq!(
                (event["detail-type"].as_str(), event["source"].as_str()),
                (Some("CUSTOMER_STATUS_CHANGED"), Some("meshcustomers"))
            );
            assert_eq!(event["detail"]["data"]["to"], "DISABLED");
        }
        let lines = until(|| {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            (text.lines().count() == 2 && text.ends_with('\n')).then_some(text)
        })
        .await;
        // Each event once, in no promised order (as EventBridge).
        let mut ids: Vec<String> = lines
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap()["id"].as_str().unwrap().to_owned())
            .collect();
        let mut sent: Vec<String> =
            answer["Entries"].as_array().unwrap().iter().map(|e| e["EventId"].as_str().unwrap().to_owned()).collect();
        ids.sort();
        sent.sort();
        assert_eq!(ids, sent);
        assert!(!bus.dead_letters.join("disabled.jsonl").exists());
    }

    #[tokio::test]
    async fn an_integration_that_keeps_failing_is_retried_by_its_policy_then_dead_lettered() {
        let (url, received) = endpoint(usize::MAX, StatusCode::INTERNAL_SERVER_ERROR).await;
        let (refusing, refused) = endpoint(usize::MAX, StatusCode::BAD_REQUEST).await;
        let bus = bus_with(vec![
            integration("failing", json!({"source": ["meshcustomers"]}), IntegrationTarget::Http(url), 2),
            integration("refusing", json!({"source": ["meshcustomers"]}), IntegrationTarget::Http(refusing), 2),
        ])
        .await;
        put_events(&bus.url, json!({"Entries": [entry("CUSTOMER_CREATED", r#"{"n":1}"#)]})).await;
        let letters = until(|| {
            let text = std::fs::read_to_string(bus.dead_letters.join("failing.jsonl")).unwrap_or_default();
            text.ends_with('\n').then_some(text)
        })
        .await;
        // One attempt and the policy's two retries; a 400 is not retried (as API destinations do).
        assert_eq!(received.lock().unwrap().len(), 3);
        let letter: Value = serde_json::from_str(letters.lines().next().unwrap()).unwrap();
        assert_eq!(letter["source"], "integration-delivery");
        assert_eq!(letter["payload"]["detail"], json!({"n": 1}));
        assert!(letter["reason"].as_str().unwrap().contains("answered 500 (after 2 retries)"), "{letter}");
        let refused_letter = until(|| std::fs::read_to_string(bus.dead_letters.join("refusing.jsonl")).ok()).await;
        assert!(refused_letter.contains("answered 400 (after 0 retries)"), "{refused_letter}");
        assert_eq!(refused.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_failing_function_is_retried_as_lambda_does_then_dead_lettered() {
        let bus = bus(Answer::FunctionError).await;
        put_events(&bus.url, json!({ "Entries": [entry("CUSTOMER_CREATED", r#"{"n":1}"#)] })).await;
        let calls = settled(&bus.api, 3).await;
        // One run and EventInvokeConfig's two retries.
        assert_eq!(calls.len(), 3);
        let letters = dead_letters(&bus, "audit-writer").await;
        assert_eq!(letters.len(), 1);
        assert_eq!(letters[0]["source"], "async-invocation");
        assert_eq!(letters[0]["payload"]["detail"], json!({"n": 1}));
    }

    #[tokio::test]
    async fn an_undeliverable_event_is_retried_by_the_rule_policy_then_dead_lettered() {
        let bus = bus(Answer::MissingFunction).await;
        put_events(&bus.url, json!({ "Entries": [entry("CUSTOMER_CREATED", "{}")] })).await;
        let calls = settled(&bus.api, 4).await;
        // One attempt and the rule's three retries.
        assert_eq!(calls.len(), 4);
        let letters = dead_letters(&bus, "audit-writer").await;
        assert_eq!(letters.len(), 1);
        assert_eq!(letters[0]["source"], "rule-delivery");
        assert!(letters[0]["reason"].as_str().unwrap().contains("audit-writerRule"));
    }
}
