//! Answers in the AWS JSON 1.1 protocol, which the twins of EventBridge and Secrets Manager
//! speak: a JSON body typed `application/x-amz-json-1.1`, errors as `{"__type", "message"}`.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A client error (HTTP 400) of type `kind`, as the SDKs parse it.
pub fn error(kind: &str, message: &str) -> Response {
    answer(StatusCode::BAD_REQUEST, json!({ "__type": kind, "message": message }))
}

pub fn answer(status: StatusCode, body: Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert("content-type", HeaderValue::from_static("application/x-amz-json-1.1"));
    response
}
