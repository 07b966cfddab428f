//! Faults at the SDK's HTTP boundary: a client that answers chosen DynamoDB operations with a
//! canned error, or fails to connect, without sending them, and passes everything else to the
//! real client. The request never reaches DynamoDB Local, so a test can check nothing was written.

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, SharedHttpClient, SharedHttpConnector, http_client_fn,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::http::{Response, StatusCode};
use aws_smithy_types::body::SdkBody;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone)]
pub enum Fault {
    /// An HTTP answer, as DynamoDB would give it (JSON 1.0 error body).
    Answer { status: u16, body: String },
    /// The connection cannot be made.
    Unreachable,
}

impl Fault {
    /// A DynamoDB error of this type (e.g. `ThrottlingException`) with status 400.
    pub fn error(error_type: &str) -> Self {
        Self::status(400, error_type, "")
    }

    /// A DynamoDB error answer; `extra` is more JSON members, e.g. `,"CancellationReasons":[…]`.
    pub fn status(status: u16, error_type: &str, extra: &str) -> Self {
        let body = format!(
            r#"{{"__type":"com.amazonaws.dynamodb.v20120810#{error_type}","message":"injected by the test"{extra}}}"#
        );
        Self::Answer { status, body }
    }
}

/// Which operations (`TransactWriteItems`, `Query`, …) fail, and how.
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<Mutex<Vec<(String, Fault)>>>);

impl Faults {
    pub fn inject(&self, operation: &str, fault: Fault) {
        self.0.lock().unwrap().push((operation.to_owned(), fault));
    }

    pub fn clear(&self) {
        self.0.lock().unwrap().clear();
    }

    /// `real` with these faults in front of it.
    pub fn client(&self, real: SharedHttpClient) -> SharedHttpClient {
        let faults = self.clone();
        http_client_fn(move |settings, components| {
            SharedHttpConnector::new(FaultyConnector {
                real: real.http_connector(settings, components),
                faults: faults.clone(),
            })
        })
    }

    fn for_request(&self, request: &HttpRequest) -> Option<Fault> {
        // DynamoDB's JSON protocol names the operation in `x-amz-target`: `DynamoDB_20120810.Query`.
        let target = request.headers().get("x-amz-target")?;
        let operation = target.rsplit('.').next()?;
        self.0.lock().unwrap().iter().find(|(name, _)| name == operation).map(|(_, fault)| fault.clone())
    }
}

#[derive(Debug)]
struct FaultyConnector {
    real: SharedHttpConnector,
    faults: Faults,
}

impl HttpConnector for FaultyConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        match self.faults.for_request(&request) {
            None => self.real.call(request),
            Some(Fault::Unreachable) => {
                HttpConnectorFuture::ready(Err(ConnectorError::io("connection refused (injected)".into())))
            }
            Some(Fault::Answer { status, body }) => {
                let mut response =
                    Response::new(StatusCode::try_from(status).expect("a status code"), SdkBody::from(body));
                response.headers_mut().insert("content-type", "application/x-amz-json-1.0");
                HttpConnectorFuture::ready(Ok(response))
            }
        }
    }
}

/// What runs once, just before a chosen operation is sent: another writer's change landing
/// between a function's read and its write, at exactly that moment.
pub type Interleaved = Arc<dyn Fn() -> futures::future::BoxFuture<'static, ()> + Send + Sync>;

/// `real`, but the first time `operation` (`TransactWriteItems`, …) is sent, `before` runs
/// first and completes before the request goes out.
pub fn interleaving_client(real: SharedHttpClient, operation: &'static str, before: Interleaved) -> SharedHttpClient {
    let done = Arc::new(Mutex::new(false));
    http_client_fn(move |settings, components| {
        SharedHttpConnector::new(InterleavingConnector {
            real: real.http_connector(settings, components),
            operation,
            before: before.clone(),
            done: done.clone(),
        })
    })
}

struct InterleavingConnector {
    real: SharedHttpConnector,
    operation: &'static str,
    before: Interleaved,
    done: Arc<Mutex<bool>>,
}

impl std::fmt::Debug for InterleavingConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InterleavingConnector").field("operation", &self.operation).finish_non_exhaustive()
    }
}

impl HttpConnector for InterleavingConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let target = request.headers().get("x-amz-target").and_then(|target| target.rsplit('.').next());
        let first = target == Some(self.operation) && !std::mem::replace(&mut *self.done.lock().unwrap(), true);
        if !first {
            return self.real.call(request);
        }
        let (before, real) = (self.before.clone(), self.real.clone());
        HttpConnectorFuture::new(async move {
            before().await;
            real.call(request).await
        })
    }
}
