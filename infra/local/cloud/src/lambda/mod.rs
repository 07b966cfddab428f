//! The local Lambda: every function of the template as a [`FunctionTwin`], behind Lambda's
//! invoke API (`POST /2015-03-31/functions/{name}/invocations`), which the gateway, the bus, the
//! stream pumps and `cargo lambda invoke` call. A function's output comes back with 200; a
//! function error with 500, `X-Amz-Function-Error: Unhandled` and the runtime's
//! `{errorType, errorMessage}` (the status `cargo lambda invoke` reads as an error); an invocation
//! no function took with an AWS service error (`{"Type", "message"}`), which [`crate::lambda::invoke`]
//! tells apart by its shape: 429 `TooManyRequestsException` beyond a function's reserved
//! concurrency, as Lambda throttles it.

pub mod code_reload;
pub mod function;
pub mod function_spec;
pub mod instance;
pub mod invoke;
pub mod runtime_api;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;
use tokio::sync::watch;

use crate::lambda::code_reload::BuildState;
use crate::lambda::function::{FunctionTwin, InvocationFailure, Readiness};
use crate::lambda::function_spec::FunctionSpec;
use crate::lambda::runtime_api::PAYLOAD_LIMIT;

pub struct LambdaTwin {
    functions: BTreeMap<String, FunctionTwin>,
}

impl LambdaTwin {
    /// Starts every function; from a worker thread of the local cloud's runtime.
    pub fn start(specs: Vec<FunctionSpec>, builds: &watch::Receiver<BuildState>) -> Self {
        let functions =
            specs.into_iter().map(|spec| (spec.name.clone(), FunctionTwin::start(spec, builds.clone()))).collect();
        Self { functions }
    }

    pub fn function(&self, name: &str) -> Option<&FunctionTwin> {
        self.functions.get(name)
    }

    /// Each function's readiness, by name.
    pub fn readiness(&self) -> Vec<(String, Readiness)> {
        self.functions.iter().map(|(name, function)| (name.clone(), function.readiness())).collect()
    }

    /// Completes once every function has asked for its first invocation.
    pub async fn until_ready(&self) {
        futures::future::join_all(self.functions.values().map(FunctionTwin::until_ready)).await;
    }
}

pub fn router(lambda: Arc<LambdaTwin>) -> Router {
    Router::new()
        .route("/2015-03-31/functions/{name}/invocations", post(invoke))
        .layer(DefaultBodyLimit::max(PAYLOAD_LIMIT))
        .with_state(lambda)
}

async fn invoke(State(lambda): State<Arc<LambdaTwin>>, Path(name): Path<String>, payload: Bytes) -> Response {
    let Some(function) = lambda.function(&name) else {
        return service_error(
            StatusCode::NOT_FOUND,
            "ResourceNotFoundException",
            &format!("Function not found: {name}"),
        );
    };
    match function.invoke(payload).await {
        Ok(output) => {
            let mut response = (StatusCode::OK, output).into_response();
            response.headers_mut().insert("x-amz-executed-version", HeaderValue::from_static("$LATEST"));
            response
        }
        Err(InvocationFailure::Function(error)) => {
            let mut response = (StatusCode::INTERNAL_SERVER_ERROR, axum::Json(error)).into_response();
            response.headers_mut().insert("x-amz-function-error", HeaderValue::from_static("Unhandled"));
            response
        }
        Err(throttled @ InvocationFailure::Throttled { .. }) => {
            tracing::warn!(function = name, "throttled: {throttled}");
            // Lambda's body also names why: the function's reserved concurrency.
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                axum::Json(json!({
                    "Type": "User",
                    "message": "Rate Exceeded.",
                    "Reason": "ReservedFunctionConcurrentInvocationLimitExceeded",
                })),
            )
                .into_response();
            response.headers_mut().insert("x-amzn-errortype", HeaderValue::from_static("TooManyRequestsException"));
            response
        }
        Err(InvocationFailure::Undelivered(reason)) => {
            service_error(StatusCode::BAD_GATEWAY, "ResourceNotReadyException", &reason)
        }
    }
}

/// Lambda's own errors: `{"Type", "message"}` with the error's name in `x-amzn-ErrorType`.
fn service_error(status: StatusCode, kind: &'static str, message: &str) -> Response {
    let party = if status.is_client_error() { "User" } else { "Service" };
    let mut response = (status, axum::Json(json!({"Type": party, "message": message}))).into_response();
    response.headers_mut().insert("x-amzn-errortype", HeaderValue::from_static(kind));
    response
}
