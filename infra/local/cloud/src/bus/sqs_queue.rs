//! The local twin of an SQS queue and of Lambda's SQS event source mapping that reads it, for an
//! integrator's queue (an integration's `Sqs` target, see [`crate::bus::integrator_stack`]).
//!
//! As SQS: a message received becomes invisible for the queue's `VisibilityTimeout`; deleted
//! when the function processed it, else received again once visible; received
//! `maxReceiveCount` times, the next receive moves it to the dead-letter queue instead (here a
//! dead letter `<integration>.jsonl`, source `sqs-redrive`). As Lambda's poller: batches of up to
//! `BatchSize` visible messages, invoked synchronously; with `ReportBatchItemFailures` the
//! messages the answer names stay (the rest are deleted), and an answer naming a message not in
//! the batch fails the whole batch; a function error keeps the whole batch. One poller, one batch
//! at a time (Lambda runs several: order is not promised either way). The record has no
//! `md5OfBody` (no MD5 in the tree).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tokio::sync::{Notify, watch};

use crate::dead_letters::DeadLetters;
use crate::environment::{ACCOUNT_ID, REGION};
use crate::lambda::invoke::Lambda;

/// The queue's and the event source mapping's settings, from the integrator's template.
#[derive(Debug, Clone)]
pub struct QueueSettings {
    /// The integration's name: its dead letters' file.
    pub name: String,
    /// The queue's logical id: its local ARN.
    pub queue: String,
    pub visibility_timeout: Duration,
    pub max_receive_count: Option<u32>,
    pub batch_size: usize,
    pub report_batch_item_failures: bool,
}

impl QueueSettings {
    pub fn arn(&self) -> String {
        format!("arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{}", self.queue)
    }
}

#[derive(Debug, Clone)]
struct Message {
    id: String,
    body: String,
    sent: u128,
    receive_count: u32,
    first_received: Option<u128>,
    visible_at: Instant,
}

#[derive(Debug)]
pub struct LocalQueue {
    pub settings: QueueSettings,
    messages: Mutex<Vec<Message>>,
    arrived: Notify,
}

/// A queue is itself only.
impl PartialEq for LocalQueue {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for LocalQueue {}

/// What one receive took: the batch for the function, and what it moved to the dead-letter queue.
struct Received {
    batch: Vec<Message>,
    redriven: Vec<Message>,
}

fn epoch_millis() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis()
}

impl LocalQueue {
    pub fn new(settings: QueueSettings) -> Self {
        Self { settings, messages: Mutex::new(Vec::new()), arrived: Notify::new() }
    }

    /// SendMessage, as an EventBridge rule's SQS target sends an event: the whole event, as JSON.
    pub fn send(&self, body: String) {
        let message = Message {
            id: uuid::Uuid::new_v4().to_string(),
            body,
            sent: epoch_millis(),
            receive_count: 0,
            first_received: None,
            visible_at: Instant::now(),
        };
        self.messages.lock().expect("never poisoned").push(message);
        self.arrived.notify_one();
    }

    /// How many messages the queue holds, visible or not.
    pub fn len(&self) -> usize {
        self.messages.lock().expect("never poisoned").len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn receive(&self, now: Instant) -> Received {
        let mut messages = self.messages.lock().expect("never poisoned");
        let (mut batch, mut redriven, mut kept) = (Vec::new(), Vec::new(), Vec::new());
        for mut message in messages.drain(..) {
            if message.visible_at > now || batch.len() >= self.settings.batch_size {
                kept.push(message);
            } else if self.settings.max_receive_count.is_some_and(|maximum| message.receive_count >= maximum) {
                redriven.push(message);
            } else {
                message.receive_count += 1;
                message.first_received.get_or_insert_with(epoch_millis);
                message.visible_at = now + self.settings.visibility_timeout;
                batch.push(message.clone());
                kept.push(message);
            }
        }
        *messages = kept;
        Received { batch, redriven }
    }

    fn delete(&self, ids: &[&str]) {
        self.messages.lock().expect("never poisoned").retain(|message| !ids.contains(&message.id.as_str()));
    }

    /// When the next invisible message becomes visible, if any is waiting.
    fn next_visible(&self) -> Option<Instant> {
        self.messages.lock().expect("never poisoned").iter().map(|message| message.visible_at).min()
    }

    /// The event Lambda's SQS poller hands the function.
    fn event(&self, batch: &[Message]) -> Value {
        let records: Vec<Value> = batch
            .iter()
            .map(|message| {
                json!({
                    "messageId": message.id,
                    "receiptHandle": format!("{}#{}", message.id, message.receive_count),
                    "body": message.body,
                    "attributes": {
                        "ApproximateReceiveCount": message.receive_count.to_string(),
                        "SentTimestamp": message.sent.to_string(),
                        "SenderId": "AIDAEVENTBRIDGE",
                        "ApproximateFirstReceiveTimestamp": message.first_received.unwrap_or(message.sent).to_string(),
                    },
                    "messageAttributes": {},
                    "eventSource": "aws:sqs",
                    "eventSourceARN": self.settings.arn(),
                    "awsRegion": REGION,
                })
            })
            .collect();
        json!({ "Records": records })
    }

    /// Lambda's poller: hands `function` the queue's batches until `stop`.
    pub async fn poll(
        self: Arc<Self>,
        lambda: Lambda,
        function: String,
        dead_letters: Arc<DeadLetters>,
        mut stop: watch::Receiver<bool>,
    ) {
        loop {
            let now = Instant::now();
            let Received { batch, redriven } = self.receive(now);
            for message in redriven {
                let reason = format!(
                    "received {} times (the queue's maxReceiveCount) without being processed",
                    message.receive_count
                );
                let payload = serde_json::from_str(&message.body).unwrap_or(Value::String(message.body));
                dead_letters.put(&self.settings.name, "sqs-redrive", &reason, payload).await;
            }
            if batch.is_empty() {
                let wait =
                    self.next_visible().map_or(Duration::from_secs(3600), |at| at.saturating_duration_since(now));
                tokio::select! {
                    () = self.arrived.notified() => {}
                    () = tokio::time::sleep(wait) => {}
                    _ = stop.wait_for(|stopped| *stopped) => return,
                }
                continue;
            }
            let processed = self.processed(&lambda, &function, &batch).await;
            self.delete(&processed);
        }
    }

    /// The ids of the batch's messages the function processed (to delete).
    async fn processed<'a>(&self, lambda: &Lambda, function: &str, batch: &'a [Message]) -> Vec<&'a str> {
        let ids: Vec<&str> = batch.iter().map(|message| message.id.as_str()).collect();
        let output = match lambda.invoke(function, &self.event(batch)).await {
            Ok(output) => output,
            Err(error) => {
                tracing::warn!(queue = self.settings.queue, %error, "the batch stays in the queue");
                return Vec::new();
            }
        };
        if !self.settings.report_batch_item_failures {
            return ids;
        }
        match failed_ids(&output, &ids) {
            Ok(failed) => {
                if !failed.is_empty() {
                    tracing::warn!(queue = self.settings.queue, ?failed, "the function failed messages: they stay");
                }
                ids.into_iter().filter(|id| !failed.contains(id)).collect()
            }
            Err(reason) => {
                tracing::warn!(queue = self.settings.queue, reason, "the whole batch stays in the queue");
                Vec::new()
            }
        }
    }
}

/// The messages a partial batch response names; an identifier that is empty or not in the batch
/// fails the whole batch, as Lambda does.
fn failed_ids<'a>(output: &Value, batch: &[&'a str]) -> Result<Vec<&'a str>, String> {
    let failures = match output.get("batchItemFailures") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(failures)) => failures,
        Some(other) => return Err(format!("batchItemFailures is not a list: {other}")),
    };
    failures
        .iter()
        .map(|failure| {
            let identifier = failure.get("itemIdentifier").and_then(Value::as_str).unwrap_or_default();
            batch
                .iter()
                .find(|id| **id == identifier && !identifier.is_empty())
                .copied()
                .ok_or_else(|| format!("batchItemFailures names {failure}, which is not a message of the batch"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::extract::Path;
    use axum::http::StatusCode;

    /// A stand-in for the invoke API: fails the bodies listed in `poison` (by partial batch
    /// response or, with `crash`, as a function error) and records each batch's bodies.
    async fn function(poison: &'static [&'static str], crash: bool) -> (String, Arc<Mutex<Vec<Vec<String>>>>) {
        let calls: Arc<Mutex<Vec<Vec<String>>>> = Arc::default();
        let recorded = Arc::clone(&calls);
        let router = Router::new().route(
            "/2015-03-31/functions/{name}/invocations",
            axum::routing::post(move |Path(_name): Path<String>, event: axum::Json<Value>| {
                let recorded = Arc::clone(&recorded);
                async move {
                    let records = event["Records"].as_array().cloned().unwrap_or_default();
                    let bodies: Vec<String> = records.iter().map(|r| r["body"].as_str().unwrap().to_owned()).collect();
                    recorded.lock().unwrap().push(bodies);
                    let failed: Vec<Value> = records
                        .iter()
                        .filter(|r| poison.contains(&r["body"].as_str().unwrap()))
                        .map(|r| json!({"itemIdentifier": r["messageId"]}))
                        .collect();
                    if crash && !failed.is_empty() {
                        let error = json!({"errorType": "Boom", "errorMessage": "failed"});
                        return (StatusCode::INTERNAL_SERVER_ERROR, error.to_string());
                    }
                    (StatusCode::OK, json!({ "batchItemFailures": failed }).to_string())
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        (format!("http://{address}"), calls)
    }

    struct Running {
        queue: Arc<LocalQueue>,
        calls: Arc<Mutex<Vec<Vec<String>>>>,
        dead_letters: std::path::PathBuf,
        _stop: watch::Sender<bool>,
    }

    /// A queue holding `bodies`, then its poller started (so the first batch is all of them).
    async fn running(bodies: &[&str], poison: &'static [&'static str], crash: bool, max_receive_count: u32) -> Running {
        let (url, calls) = function(poison, crash).await;
        let dead_letters = std::env::temp_dir().join(format!("local-cloud-queue-{}", uuid::Uuid::new_v4()));
        let queue = Arc::new(LocalQueue::new(QueueSettings {
            name: "billing".into(),
            queue: "StatusChangesQueue".into(),
            visibility_timeout: Duration::from_millis(100),
            max_receive_count: Some(max_receive_count),
            batch_size: 10,
            report_batch_item_failures: true,
        }));
        for body in bodies {
            queue.send((*body).to_owned());
        }
        let (stop, stopped) = watch::channel(false);
        let letters = Arc::new(DeadLetters::new(dead_letters.clone()));
        tokio::spawn(Arc::clone(&queue).poll(Lambda::new(url), "consumer".into(), letters, stopped));
        Running { queue, calls, dead_letters, _stop: stop }
    }

    /// The dead letters' payloads, once there are `count` (at most 3 s).
    async fn dead_letters(run: &Running, count: usize) -> Vec<Value> {
        let file = run.dead_letters.join("billing.jsonl");
        for _ in 0..300 {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            if text.lines().count() >= count && text.ends_with('\n') {
                return text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("no {count} dead letters within 3 s");
    }

    async fn until(mut done: impl FnMut() -> bool) {
        for _ in 0..300 {
            if done() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("not within 3 s");
    }

    fn calls(run: &Running) -> Vec<Vec<String>> {
        run.calls.lock().unwrap().clone()
    }

    #[tokio::test]
    async fn only_the_failed_messages_come_again_after_the_visibility_timeout_then_go_to_the_dead_letters() {
        let run = running(&["a", "poison", "b"], &["poison"], false, 3).await;
        let letters = dead_letters(&run, 1).await;
        // Received three times (maxReceiveCount), the fourth receive moves it to the dead letters.
        assert_eq!(calls(&run), [vec!["a", "poison", "b"], vec!["poison"], vec!["poison"]]);
        assert_eq!(letters.len(), 1);
        assert_eq!(
            (letters[0]["source"].as_str(), letters[0]["payload"].as_str()),
            (Some("sqs-redrive"), Some("poison"))
        );
        assert!(run.queue.is_empty());
    }

    #[tokio::test]
    async fn a_function_error_keeps_the_whole_batch() {
        let run = running(&["a", "poison"], &["poison"], true, 2).await;
        let letters = dead_letters(&run, 2).await;
        assert_eq!(calls(&run), [vec!["a", "poison"], vec!["a", "poison"]]);
        let payloads: Vec<&str> = letters.iter().map(|letter| letter["payload"].as_str().unwrap()).collect();
        assert_eq!(payloads, ["a", "poison"]);
        assert!(run.queue.is_empty());
    }

    #[tokio::test]
    async fn a_processed_batch_is_deleted_and_an_event_body_is_a_dead_letter_as_json() {
        let run = running(&[r#"{"id":"e1"}"#], &[], false, 1).await;
        until(|| calls(&run).len() == 1 && run.queue.is_empty()).await;
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(calls(&run).len(), 1, "deleted: never received again");
        let poisoned = running(&[r#"{"id":"e2"}"#], &[r#"{"id":"e2"}"#], false, 1).await;
        assert_eq!(dead_letters(&poisoned, 1).await[0]["payload"], json!({"id": "e2"}));
    }

    #[test]
    fn an_identifier_outside_the_batch_fails_the_whole_batch() {
        let batch = ["m1", "m2"];
        assert_eq!(failed_ids(&json!({"batchItemFailures": [{"itemIdentifier": "m2"}]}), &batch).unwrap(), ["m2"]);
        assert!(failed_ids(&json!({"batchItemFailures": []}), &batch).unwrap().is_empty());
        assert!(failed_ids(&json!(null), &batch).unwrap().is_empty());
        assert!(failed_ids(&json!({"batchItemFailures": [{"itemIdentifier": "m9"}]}), &batch).is_err());
        assert!(failed_ids(&json!({"batchItemFailures": [{"itemIdentifier": ""}]}), &batch).is_err());
        assert!(failed_ids(&json!({"batchItemFailures": "m1"}), &batch).is_err());
    }
}
