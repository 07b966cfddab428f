//! Successful responses.

use lambda_http::http::{StatusCode, header};
use lambda_http::{Body, Response};
use serde::Serialize;

use super::ApiError;

pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Response<Body>, ApiError> {
    builder(status, value, None, &[])
}

/// 201 with the new resource's `Location`.
pub fn created<T: Serialize>(location: &str, value: &T) -> Result<Response<Body>, ApiError> {
    builder(StatusCode::CREATED, value, None, &[(header::LOCATION, location)])
}

/// 200 with an `ETag` carrying the resource's version, for `If-Match` on later writes.
pub fn json_with_etag<T: Serialize>(value: &T, version: u64) -> Result<Response<Body>, ApiError> {
    builder(StatusCode::OK, value, Some(version), &[])
}

fn builder<T: Serialize>(
    status: StatusCode,
    value: &T,
    version: Option<u64>,
    headers: &[(header::HeaderName, &str)],
) -> Result<Response<Body>, ApiError> {
    let body = serde_json::to_string(value).map_err(|e| ApiError::Internal(e.into()))?;
    let mut response = Response::builder().status(status).header(header::CONTENT_TYPE, "application/json");
    if let Some(version) = version {
        response = response.header(header::ETAG, format!("\"{version}\""));
    }
    for (name, value) in headers {
        response = response.header(name, *value);
    }
    response.body(Body::Text(body)).map_err(|e| ApiError::Internal(e.into()))
}

/// The end of every HTTP handler: an error becomes its problem response, never a Lambda failure.
pub fn respond(result: Result<Response<Body>, ApiError>) -> Result<Response<Body>, lambda_http::Error> {
    Ok(result.unwrap_or_else(ApiError::into_response))
}
