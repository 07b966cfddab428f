//! API Gateway (HTTP API, payload 2.0) events as a deployed function receives them: the shape of
//! `events/samples/get-customer.json` (its headers and request context), with the route, path,
//! body and the caller's verified claims of the request at hand. The claims are what the JWT
//! authorizer passes on; the token itself is not needed by the function.

use serde_json::{Value, json};
use std::collections::BTreeMap;

use crate::{Caller, repo_root};

/// A request to one route of the API.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// `GET /customers/{id}`
    pub route: String,
    pub params: BTreeMap<String, String>,
    pub query: BTreeMap<String, String>,
    pub body: Option<Value>,
    /// `None` for a route with `Auth: NONE`: API Gateway then passes no authorizer context.
    pub caller: Option<Caller>,
}

impl ApiRequest {
    pub fn new(route: &str, caller: &Caller) -> Self {
        Self { caller: Some(caller.clone()), ..Self::anonymous(route) }
    }

    /// A request without a token, to a route with `Auth: NONE`.
    pub fn anonymous(route: &str) -> Self {
        Self { route: route.to_owned(), params: BTreeMap::new(), query: BTreeMap::new(), body: None, caller: None }
    }

    pub fn param(mut self, name: &str, value: &str) -> Self {
        self.params.insert(name.to_owned(), value.to_owned());
        self
    }

    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.insert(name.to_owned(), value.to_owned());
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// The event API Gateway would hand the function, as JSON.
    pub fn event(&self) -> Value {
        let mut event = sample();
        let (method, template) = self.route.split_once(' ').expect("a route is METHOD /path");
        let path = self
            .params
            .iter()
            .fold(template.to_owned(), |path, (name, value)| path.replace(&format!("{{{name}}}"), value));
        let raw_query: Vec<String> = self.query.iter().map(|(name, value)| format!("{name}={value}")).collect();
        event["routeKey"] = json!(self.route);
        event["rawPath"] = json!(path);
        event["rawQueryString"] = json!(raw_query.join("&"));
        set_or_remove(&mut event, "pathParameters", &self.params);
        set_or_remove(&mut event, "queryStringParameters", &self.query);
        let context = &mut event["requestContext"];
        context["routeKey"] = json!(self.route);
        context["http"]["method"] = json!(method);
        context["http"]["path"] = json!(path);
        context["requestId"] = json!(uuid::Uuid::new_v4().to_string());
        match &self.caller {
            Some(caller) => {
                context["authorizer"] = json!({"lambda": caller.claims});
                context["authorizer"]["lambda"]["kind"] = json!("person");
            }
            None => {
                if let Some(context) = context.as_object_mut() {
                    context.remove("authorizer");
                }
            }
        }
        match &self.body {
            Some(body) => {
                event["body"] = json!(body.to_string());
                event["headers"]["content-type"] = json!("application/json");
            }
            None => {
                if let Some(headers) = event["headers"].as_object_mut() {
                    headers.remove("content-type");
                }
            }
        }
        event
    }

    /// The event as the runtime hands it to `lambda_http`: the request a handler gets.
    pub fn request(&self) -> lambda_http::Request {
        into_request(&serde_json::to_vec(&self.event()).expect("events serialize"))
    }
}

/// What `lambda_http`'s runtime does with the bytes of an event before calling the handler.
pub fn into_request(event: &[u8]) -> lambda_http::Request {
    let request: lambda_http::request::LambdaRequest =
        serde_json::from_slice(event).expect("a valid API Gateway event");
    request.into()
}

fn set_or_remove(event: &mut Value, field: &str, values: &BTreeMap<String, String>) {
    if values.is_empty() {
        if let Some(event) = event.as_object_mut() {
            event.remove(field);
        }
    } else {
        event[field] = json!(values);
    }
}

fn sample() -> Value {
    static SAMPLE: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    SAMPLE
        .get_or_init(|| {
            let path = repo_root().join("events/samples/get-customer.json");
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            serde_json::from_str(&text).expect("the sample event is JSON")
        })
        .clone()
}
