//! Lambda's Runtime API (2018-06-01) for one instance of a function: the runtime inside the
//! function's process long-polls `GET /runtime/invocation/next` for an event and posts the
//! invocation's `/response` or `/error`, or `/runtime/init/error` when its init fails. Each
//! instance gets an API of its own on its own loopback port, so nothing of a killed instance
//! (a late response, a queued event) reaches the next one.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio::sync::{mpsc, oneshot, watch};

/// Lambda's limit on a synchronous invocation's payload and response.
pub const PAYLOAD_LIMIT: usize = 6 * 1024 * 1024;

/// An event for the runtime, as `/next` hands it over.
#[derive(Debug, Clone)]
pub struct Invocation {
    pub request_id: String,
    pub payload: Bytes,
    pub deadline: SystemTime,
    pub function_arn: String,
}

/// What the runtime posted for an invocation: its response, or its error.
pub type Outcome = Result<Bytes, FunctionError>;

/// A function's error as Lambda reports it to the invoker: `{"errorType", "errorMessage"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(rename_all = "camelCase")]
#[error("{error_type}: {error_message}")]
pub struct FunctionError {
    pub error_type: String,
    pub error_message: String,
}

impl FunctionError {
    pub fn new(error_type: &str, error_message: impl Into<String>) -> Self {
        Self { error_type: error_type.to_owned(), error_message: error_message.into() }
    }

    /// What a runtime posts: usually `{errorType, errorMessage}`; anything else is kept as the
    /// message, typed by the `Lambda-Runtime-Function-Error-Type` header.
    fn posted(headers: &HeaderMap, body: &[u8]) -> Self {
        serde_json::from_slice(body).unwrap_or_else(|_| {
            let header = headers.get("lambda-runtime-function-error-type").and_then(|t| t.to_str().ok());
            Self::new(header.unwrap_or("Runtime.Unknown"), String::from_utf8_lossy(body))
        })
    }
}

/// The API of one instance, served until it is dropped.
pub struct RuntimeApi {
    address: SocketAddr,
    events: mpsc::UnboundedSender<Pending>,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

/// What the runtime has told its API so far (its first poll, its init error), readable apart
/// from the API itself: a watcher holds it while an invocation holds the instance.
#[derive(Clone)]
pub struct RuntimeStatus(Arc<Shared>);

impl RuntimeStatus {
    /// Completes once the runtime has asked for an invocation: it has finished its init.
    pub async fn first_poll(&self) {
        let _ = self.0.polled.subscribe().wait_for(|polled| *polled).await;
    }

    pub fn has_polled(&self) -> bool {
        *self.0.polled.borrow()
    }

    /// The error the runtime reported from its init, if it did.
    pub fn init_error(&self) -> Option<FunctionError> {
        self.0.init_error.lock().expect("never poisoned").clone()
    }
}

struct Pending {
    invocation: Invocation,
    reply: oneshot::Sender<Outcome>,
}

struct Shared {
    events: tokio::sync::Mutex<mpsc::UnboundedReceiver<Pending>>,
    /// Invocations handed to the runtime and not answered yet, by request id.
    in_flight: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    init_error: Mutex<Option<FunctionError>>,
    polled: watch::Sender<bool>,
}

impl RuntimeApi {
    /// Serves the API on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (events, queue) = mpsc::unbounded_channel();
        let (polled, _) = watch::channel(false);
        let shared = Arc::new(Shared {
            events: tokio::sync::Mutex::new(queue),
            in_flight: Mutex::default(),
            init_error: Mutex::default(),
            polled,
        });
        let router = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route("/2018-06-01/runtime/invocation/{request_id}/response", post(response))
            .route("/2018-06-01/runtime/invocation/{request_id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .layer(DefaultBodyLimit::max(PAYLOAD_LIMIT))
            .with_state(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::warn!(%error, "the runtime API stopped");
            }
        });
        Ok(Self { address, events, shared, server })
    }

    /// The value of `AWS_LAMBDA_RUNTIME_API`.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Queues the invocation for the runtime's next poll; the answer is what it posts back.
    pub fn deliver(&self, invocation: Invocation) -> oneshot::Receiver<Outcome> {
        let (reply, answer) = oneshot::channel();
        // The receiver lives in `shared`, as long as `self`.
        let _ = self.events.send(Pending { invocation, reply });
        answer
    }

    pub fn status(&self) -> RuntimeStatus {
        RuntimeStatus(Arc::clone(&self.shared))
    }

    /// Completes once the runtime has asked for an invocation: it has finished its init.
    pub async fn first_poll(&self) {
        self.status().first_poll().await
    }

    pub fn has_polled(&self) -> bool {
        self.status().has_polled()
    }

    /// The error the runtime reported from its init, if it did.
    pub fn init_error(&self) -> Option<FunctionError> {
        self.status().init_error()
    }
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn next(State(shared): State<Arc<Shared>>) -> Response {
    shared.polled.send_replace(true);
    // One runtime polls at a time; the lock only orders unexpected concurrent polls.
    let Some(Pending { invocation, reply }) = shared.events.lock().await.recv().await else {
        return runtime_error(StatusCode::INTERNAL_SERVER_ERROR, "Runtime.Stopping", "the instance is stopping");
    };
    shared.in_flight.lock().expect("never poisoned").insert(invocation.request_id.clone(), reply);
    let deadline_ms = invocation.deadline.duration_since(UNIX_EPOCH).unwrap_or_default().as_millis();
    let headers = [
        ("lambda-runtime-aws-request-id", invocation.request_id.clone()),
        ("lambda-runtime-deadline-ms", deadline_ms.to_string()),
        ("lambda-runtime-invoked-function-arn", invocation.function_arn.clone()),
        ("lambda-runtime-trace-id", trace_id()),
        ("content-type", "application/json".to_owned()),
    ];
    let mut response = invocation.payload.into_response();
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

async fn response(State(shared): State<Arc<Shared>>, Path(request_id): Path<String>, body: Bytes) -> Response {
    answer(&shared, &request_id, Ok(body))
}

async fn error(
    State(shared): State<Arc<Shared>>,
    Path(request_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer(&shared, &request_id, Err(FunctionError::posted(&headers, &body)))
}

async fn init_error(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    *shared.init_error.lock().expect("never poisoned") = Some(FunctionError::posted(&headers, &body));
    accepted()
}

fn answer(shared: &Shared, request_id: &str, outcome: Outcome) -> Response {
    let waiting = shared.in_flight.lock().expect("never poisoned").remove(request_id);
    match waiting {
        Some(reply) => {
            // The invoker may have given up (a timeout); the runtime's answer is then dropped.
            let _ = reply.send(outcome);
            accepted()
        }
        None => runtime_error(StatusCode::BAD_REQUEST, "InvalidRequestID", "Invalid request ID"),
    }
}

fn accepted() -> Response {
    (StatusCode::ACCEPTED, axum::Json(json!({"status": "OK"}))).into_response()
}

fn runtime_error(status: StatusCode, error_type: &str, message: &str) -> Response {
    (status, axum::Json(FunctionError::new(error_type, message))).into_response()
}

/// An X-Ray trace header for the invocation (`Root=1-<epoch hex>-<24 hex digits>`), unsampled:
/// nothing collects traces locally.
fn trace_id() -> String {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("Root=1-{seconds:08x}-{};Sampled=0", &random[..24])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn invocation(request_id: &str) -> Invocation {
        Invocation {
            request_id: request_id.into(),
            payload: Bytes::from_static(br#"{"n":1}"#),
            deadline: UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
            function_arn: "arn:aws:lambda:eu-central-1:000000000000:function:echo".into(),
        }
    }

    fn url(api: &RuntimeApi, path: &str) -> String {
        format!("http://{}/2018-06-01/runtime{path}", api.address())
    }

    #[tokio::test]
    async fn next_hands_over_the_event_with_its_headers_and_the_response_answers_it() {
        let api = RuntimeApi::start().await.unwrap();
        assert!(!api.has_polled());
        let answer = api.deliver(invocation("req-1"));
        let client = reqwest::Client::new();
        let next = client.get(url(&api, "/invocation/next")).send().await.unwrap();
        assert!(api.has_polled());
        let headers = next.headers().clone();
        assert_eq!(headers["lambda-runtime-aws-request-id"], "req-1");
        assert_eq!(headers["lambda-runtime-deadline-ms"], "1700000000123");
        assert_eq!(
            headers["lambda-runtime-invoked-function-arn"],
            "arn:aws:lambda:eu-central-1:000000000000:function:echo"
        );
        assert!(headers["lambda-runtime-trace-id"].to_str().unwrap().starts_with("Root=1-"));
        assert_eq!(next.text().await.unwrap(), r#"{"n":1}"#);

        let posted = client.post(url(&api, "/invocation/req-1/response")).body("\"done\"").send().await.unwrap();
        assert_eq!(posted.status(), StatusCode::ACCEPTED);
        assert_eq!(answer.await.unwrap().unwrap(), Bytes::from_static(b"\"done\""));
        // A second answer, or one for an unknown id, is refused.
        let again = client.post(url(&api, "/invocation/req-1/response")).body("null").send().await.unwrap();
        assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    }

    #[tokio::test]
    async fn an_invocation_error_and_an_init_error_come_back_as_the_runtime_posted_them() {
        let api = RuntimeApi::start().await.unwrap();
        let answer = api.deliver(invocation("req-2"));
        let client = reqwest::Client::new();
        client.get(url(&api, "/invocation/next")).send().await.unwrap();
        let error = json!({"errorType": "&alloc::boxed::Box<dyn Error>", "errorMessage": "boom"});
        client.post(url(&api, "/invocation/req-2/error")).json(&error).send().await.unwrap();
        assert_eq!(answer.await.unwrap(), Err(FunctionError::new("&alloc::boxed::Box<dyn Error>", "boom")));

        assert_eq!(api.init_error(), None);
        let posted = client
            .post(url(&api, "/init/error"))
            .header("lambda-runtime-function-error-type", "Runtime.InitError")
            .body("not json")
            .send()
            .await
            .unwrap();
        assert_eq!(posted.status(), StatusCode::ACCEPTED);
        assert_eq!(api.init_error(), Some(FunctionError::new("Runtime.InitError", "not json")));
    }
}
