//! Successful responses.

use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Response};
use serde::Serialize;

use super::{ApiError, InternalError};

pub fn json<T: Serialize>(status: StatusCode, value: &T) -> Result<Response<Body>, ApiError> {
    builder(status, value, None, &[])
}

/// 201 with the new resource's `Location` and its `ETag`.
pub fn created<T: Serialize>(location: &str, value: &T, version: u64) -> Result<Response<Body>, ApiError> {
    builder(StatusCode::CREATED, value, Some(version), &[(header::LOCATION, location)])
}

/// 201 with the new resource's `Location`, for resources that are never edited (no `ETag`).
pub fn created_unversioned<T: Serialize>(location: &str, value: &T) -> Result<Response<Body>, ApiError> {
    builder(StatusCode::CREATED, value, None, &[(header::LOCATION, location)])
}

/// 200 with an `ETag` carrying the resource's version, for `If-Match` on later writes.
pub fn json_with_etag<T: Serialize>(value: &T, version: u64) -> Result<Response<Body>, ApiError> {
    builder(StatusCode::OK, value, Some(version), &[])
}

/// 204: done, nothing to show (a deletion).
pub fn no_content() -> Result<Response<Body>, ApiError> {
    Ok(Response::builder().status(StatusCode::NO_CONTENT).body(Body::Empty).map_err(InternalError::from)?)
}

/// `raw` as one segment of a URL path (RFC 3986): every byte but the unreserved characters
/// percent-encoded, so that a user id of any characters makes a valid `Location`.
pub fn path_segment(raw: &str) -> String {
    raw.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(byte).to_string(),
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// A resource version as a strong entity tag: `"<version>"`.
pub fn etag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).expect("digits in quotes are a valid header value")
}

fn builder<T: Serialize>(
    status: StatusCode,
    value: &T,
    version: Option<u64>,
    headers: &[(header::HeaderName, &str)],
) -> Result<Response<Body>, ApiError> {
    let body = serde_json::to_string(value).map_err(InternalError::from)?;
    let mut response = Response::builder().status(status).header(header::CONTENT_TYPE, "application/json");
    if let Some(version) = version {
        response = response.header(header::ETAG, etag(version));
    }
    for (name, value) in headers {
        response = response.header(name, *value);
    }
    Ok(response.body(Body::Text(body)).map_err(InternalError::from)?)
}

/// The end of every HTTP handler, applied by [`crate::entry::serve_http`] (and the tests' callers):
/// an error becomes its problem response, never a Lambda failure.
pub fn respond(result: Result<Response<Body>, ApiError>) -> Response<Body> {
    result.unwrap_or_else(ApiError::into_response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_keep_only_unreserved_characters() {
        assert_eq!(path_segment("8a4f2c1e-5b3d_x.y~z"), "8a4f2c1e-5b3d_x.y~z");
        assert_eq!(path_segment("a b/c?é"), "a%20b%2Fc%3F%C3%A9");
    }
}
