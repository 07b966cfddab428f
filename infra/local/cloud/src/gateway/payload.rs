//! API Gateway's HTTP API payload format 2.0: the event a function receives for a request, and
//! the HTTP response API Gateway makes of the function's output.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value, json};

use crate::environment::ACCOUNT_ID;
use crate::gateway::routes::{Matched, percent_decode};

/// What the gateway received.
pub struct IncomingRequest<'a> {
    pub method: &'a Method,
    pub raw_path: &'a str,
    pub raw_query: &'a str,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
    pub source_ip: String,
}

pub const API_ID: &str = "local";

/// The 2.0 event: headers lower-cased and repeated ones joined by commas, query parameters
/// decoded and joined likewise, a body that is not UTF-8 base64-encoded. The authorizer's
/// context is added by [`with_authorizer_context`] once the authorizer has decided.
pub fn request_event(request: &IncomingRequest<'_>, route: &Matched<'_>, now: chrono::DateTime<chrono::Utc>) -> Value {
    let mut headers: BTreeMap<String, String> = BTreeMap::new();
    let mut cookies = Vec::new();
    for (name, value) in request.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == "cookie" {
            cookies.extend(value.split(';').map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()));
            continue;
        }
        headers
            .entry(name.as_str().to_owned())
            .and_modify(|joined| *joined = format!("{joined},{value}"))
            .or_insert(value);
    }
    let mut query: BTreeMap<String, String> = BTreeMap::new();
    for pair in request.raw_query.split('&').filter(|pair| !pair.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode(value);
        query.entry(percent_decode(name)).and_modify(|joined| *joined = format!("{joined},{value}")).or_insert(value);
    }
    let (body, is_base64_encoded) = match std::str::from_utf8(request.body) {
        Ok(text) => (text.to_owned(), false),
        Err(_) => (BASE64.encode(request.body), true),
    };
    let request_id = uuid::Uuid::new_v4().to_string();
    let mut event = json!({
        "version": "2.0",
        "routeKey": route.route_key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": API_ID,
            "domainName": request.headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1"),
            "domainPrefix": API_ID,
            "http": {
                "method": request.method.as_str(),
                "path": request.raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": request.source_ip,
                "userAgent": request.headers.get("user-agent").and_then(|h| h.to_str().ok()).unwrap_or(""),
            },
            "requestId": request_id,
            "routeKey": route.route_key,
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": now.timestamp_millis(),
        },
        "isBase64Encoded": is_base64_encoded,
    });
    let object = event.as_object_mut().expect("the event is an object");
    if !cookies.is_empty() {
        object.insert("cookies".into(), json!(cookies));
    }
    if !query.is_empty() {
        object.insert("queryStringParameters".into(), json!(query));
    }
    if !route.path_parameters.is_empty() {
        object.insert("pathParameters".into(), json!(route.path_parameters));
    }
    if !request.body.is_empty() {
        object.insert("body".into(), json!(body));
    }
    event
}

/// The event as the route's function receives it after a Lambda authorizer allowed it:
/// `requestContext.authorizer.lambda` is the authorizer's context.
pub fn with_authorizer_context(mut event: Value, context: Map<String, Value>) -> Value {
    event["requestContext"]["authorizer"] = json!({ "lambda": context });
    event
}

/// An HTTP response from the function's output: its status, headers, cookies and body as
/// given; an output without `statusCode` is a 200 whose JSON body is the output itself.
pub fn http_response(output: &Value) -> Result<(StatusCode, HeaderMap, Vec<u8>), String> {
    let Some(status) = output.get("statusCode") else {
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        return Ok((StatusCode::OK, headers, output.to_string().into_bytes()));
    };
    let status = status
        .as_u64()
        .and_then(|code| StatusCode::from_u16(u16::try_from(code).ok()?).ok())
        .ok_or_else(|| format!("statusCode {status} is not an HTTP status"))?;
    let mut headers = HeaderMap::new();
    for (name, value) in output.get("headers").and_then(Value::as_object).into_iter().flatten() {
        let value = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
        headers.append(header_name(name)?, header_value(&value)?);
    }
    for (name, values) in output.get("multiValueHeaders").and_then(Value::as_object).into_iter().flatten() {
        for value in values.as_array().into_iter().flatten().filter_map(Value::as_str) {
            headers.append(header_name(name)?, header_value(value)?);
        }
    }
    for cookie in output.get("cookies").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
        headers.append("set-cookie", header_value(cookie)?);
    }
    let body = output.get("body").and_then(Value::as_str).unwrap_or_default();
    let body = if output.get("isBase64Encoded").and_then(Value::as_bool).unwrap_or(false) {
        BASE64.decode(body).map_err(|e| format!("the base64 body does not decode: {e}"))?
    } else {
        body.as_bytes().to_vec()
    };
    Ok((status, headers, body))
}

fn header_name(name: &str) -> Result<HeaderName, String> {
    HeaderName::try_from(name).map_err(|e| format!("header {name}: {e}"))
}

fn header_value(value: &str) -> Result<HeaderValue, String> {
    HeaderValue::try_from(value).map_err(|e| format!("header value {value}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matched() -> Matched<'static> {
        Matched {
            route_key: "GET /customers/{id}",
            function: "get-customer",
            authorized: true,
            path_parameters: [("id".to_owned(), "acme".to_owned())].into(),
        }
    }

    #[test]
    fn the_event_carries_route_parameters_query_headers_and_the_authorizers_context() {
        let mut headers = HeaderMap::new();
        headers.append("x-tag", HeaderValue::from_static("a"));
        headers.append("x-tag", HeaderValue::from_static("b"));
        headers.append("cookie", HeaderValue::from_static("s=1; t=2"));
        let context = json!({"kind": "person", "sub": "u1", "cognito:groups": "[partner-admins other]"});
        let request = IncomingRequest {
            method: &Method::GET,
            raw_path: "/customers/acme",
            raw_query: "status=ACTIVE&q=a%20b&q=c",
            headers: &headers,
            body: b"",
            source_ip: "127.0.0.1".into(),
        };
        let event = request_event(&request, &matched(), chrono::Utc::now());
        assert!(event["requestContext"].get("authorizer").is_none(), "no context before the authorizer decided");
        let event = with_authorizer_context(event, context.as_object().unwrap().clone());
        assert_eq!(event["routeKey"], "GET /customers/{id}");
        assert_eq!(event["pathParameters"]["id"], "acme");
        assert_eq!(event["queryStringParameters"], json!({"status": "ACTIVE", "q": "a b,c"}));
        assert_eq!(event["headers"]["x-tag"], "a,b");
        assert_eq!(event["cookies"], json!(["s=1", "t=2"]));
        assert_eq!(event["requestContext"]["authorizer"]["lambda"], context);
        assert!(event.get("body").is_none());
    }

    #[test]
    fn lambda_http_reads_the_event_as_the_request_api_gateway_sends() {
        use lambda_http_request::*;
        let headers = HeaderMap::new();
        let request = IncomingRequest {
            method: &Method::POST,
            raw_path: "/customers/acme",
            raw_query: "",
            headers: &headers,
            body: br#"{"a":1}"#,
            source_ip: "127.0.0.1".into(),
        };
        let context = json!({"kind": "person", "sub": "u1"});
        let event = with_authorizer_context(
            request_event(&request, &matched(), chrono::Utc::now()),
            context.as_object().unwrap().clone(),
        );
        let parsed: ApiGatewayV2httpRequest = serde_json::from_value(event).unwrap();
        assert_eq!(parsed.request_context.http.method, Method::POST);
        assert_eq!(parsed.body.as_deref(), Some(r#"{"a":1}"#));
        let lambda = parsed.request_context.authorizer.unwrap().fields;
        assert_eq!(lambda["sub"], "u1");
    }

    mod lambda_http_request {
        pub use aws_lambda_events::apigw::ApiGatewayV2httpRequest;
    }

    #[test]
    fn the_response_keeps_status_headers_cookies_and_body() {
        let output = json!({
            "statusCode": 201,
            "headers": {"content-type": "application/json", "location": "/customers/acme"},
            "cookies": ["a=1"],
            "body": "{\"id\":\"acme\"}",
            "isBase64Encoded": false
        });
        let (status, headers, body) = http_response(&output).unwrap();
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(headers["location"], "/customers/acme");
        assert_eq!(headers["set-cookie"], "a=1");
        assert_eq!(body, br#"{"id":"acme"}"#);
        let (status, _, body) =
            http_response(&json!({"statusCode": 200, "body": "aGk=", "isBase64Encoded": true})).unwrap();
        assert_eq!((status, body.as_slice()), (StatusCode::OK, b"hi".as_slice()));
        assert!(http_response(&json!({"statusCode": "teapot"})).is_err());
    }
}
