//! Requests as API Gateway (HTTP API, its Lambda authorizer) hands them to a function, and the callers
//! whose verified claims they carry.

use aws_lambda_events::apigw::{ApiGatewayRequestAuthorizer, ApiGatewayV2httpRequestContext};
use lambda_http::http::{HeaderMap, Method};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::json;
use std::collections::HashMap;

/// A signed-in user: the claims the authorizer passes on, every value a string.
#[derive(Debug, Clone)]
pub struct Caller {
    pub claims: HashMap<String, String>,
}

impl Caller {
    pub fn user(sub: &str, email: &str) -> Self {
        Self {
            claims: HashMap::from([
                ("sub".to_owned(), sub.to_owned()),
                ("email".to_owned(), email.to_owned()),
                ("email_verified".to_owned(), "true".to_owned()),
            ]),
        }
    }

    pub fn platform_admin() -> Self {
        Self::user("platform-admin", "ops@platform.example").with("cognito:groups", "[platform-admins]")
    }

    pub fn partner_admin(partner: &str) -> Self {
        Self::partner("partner-admins", partner)
    }

    pub fn partner_employee(partner: &str) -> Self {
        Self::partner("partner-employees", partner)
    }

    fn partner(group: &str, partner: &str) -> Self {
        Self::user(&format!("{group}-{partner}"), &format!("{group}@{partner}.example"))
            .with("cognito:groups", &format!("[{group}]"))
            .with("custom:partner_id", partner)
    }

    pub fn with(mut self, claim: &str, value: &str) -> Self {
        self.claims.insert(claim.to_owned(), value.to_owned());
        self
    }

    pub fn without(mut self, claim: &str) -> Self {
        self.claims.remove(claim);
        self
    }

    pub fn user_id(&self) -> &str {
        &self.claims["sub"]
    }
}

/// A request to a route of the API, e.g. `api("GET /customers/{id}").param("id", "acme")`.
pub fn api(route: &str) -> RequestBuilder {
    let (method, path) = route.split_once(' ').expect("a route is METHOD /path");
    RequestBuilder {
        method: method.parse().expect("an HTTP method"),
        route: path.to_owned(),
        params: HashMap::new(),
        query: HashMap::new(),
        body: None,
        content_type: Some("application/json".to_owned()),
        headers: Vec::new(),
    }
}

pub struct RequestBuilder {
    method: Method,
    route: String,
    params: HashMap<String, String>,
    query: HashMap<String, String>,
    body: Option<String>,
    content_type: Option<String>,
    headers: Vec<(String, String)>,
}

impl RequestBuilder {
    /// Another request header (repeatable: `If-Match` may come more than once).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn param(mut self, name: &str, value: &str) -> Self {
        self.params.insert(name.to_owned(), value.to_owned());
        self
    }

    pub fn query(mut self, name: &str, value: &str) -> Self {
        self.query.insert(name.to_owned(), value.to_owned());
        self
    }

    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body.to_string());
        self
    }

    /// Whether the request carries a body.
    pub fn has_body(&self) -> bool {
        self.body.is_some()
    }

    pub fn raw_body(mut self, body: &str) -> Self {
        self.body = Some(body.to_owned());
        self
    }

    /// The `content-type` header (`application/json` unless changed); `None` sends none.
    pub fn content_type(mut self, content_type: Option<&str>) -> Self {
        self.content_type = content_type.map(str::to_owned);
        self
    }

    /// The request with the caller's verified claims, in the authorizer's context as
    /// functions/authorizer passes a person's.
    pub fn by(self, caller: &Caller) -> Request {
        let mut authorizer = ApiGatewayRequestAuthorizer::default();
        authorizer.fields = caller.claims.iter().map(|(name, value)| (name.clone(), json!(value))).collect();
        authorizer.fields.insert("kind".into(), json!("person"));
        self.with_authorizer(Some(authorizer))
    }

    /// The request with a program's key as its caller: `context` as functions/authorizer builds it
    /// for the key (`kind: apiKey`, its id, name, role and scope).
    pub fn by_key(self, context: &std::collections::BTreeMap<String, String>) -> Request {
        let mut authorizer = ApiGatewayRequestAuthorizer::default();
        authorizer.fields = context.iter().map(|(name, value)| (name.clone(), json!(value))).collect();
        self.with_authorizer(Some(authorizer))
    }

    /// The request as it would look without an authorizer (for routes marked `Auth: NONE`).
    pub fn anonymous(self) -> Request {
        self.with_authorizer(None)
    }

    fn with_authorizer(self, authorizer: Option<ApiGatewayRequestAuthorizer>) -> Request {
        let path = self
            .params
            .iter()
            .fold(self.route.clone(), |path, (name, value)| path.replace(&format!("{{{name}}}"), value));
        let mut context = ApiGatewayV2httpRequestContext::default();
        context.route_key = Some(format!("{} {}", self.method, self.route));
        context.authorizer = authorizer;
        context.http.method = self.method.clone();
        context.http.path = Some(path.clone());
        let mut request = lambda_http::http::Request::builder()
            .method(self.method)
            .uri(format!("https://api.meshcustomers.test{path}"));
        if let Some(content_type) = &self.content_type {
            request = request.header("content-type", content_type);
        }
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let request = request.body(self.body.map_or(Body::Empty, Body::Text)).expect("a valid request");
        request
            .with_request_context(RequestContext::ApiGatewayV2(context))
            .with_path_parameters(self.params)
            .with_query_string_parameters(self.query)
    }
}

/// A function's response: status, headers and the JSON body (`Null` when empty).
#[derive(Debug, Clone)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: serde_json::Value,
}

impl TestResponse {
    pub fn from_response(response: Response<Body>) -> Self {
        let body = match response.body().as_ref() {
            [] => serde_json::Value::Null,
            bytes => serde_json::from_slice(bytes).expect("responses are JSON"),
        };
        Self { status: response.status().as_u16(), headers: response.headers().clone(), body }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// Asserts a problem+json response with this status and type.
    pub fn assert_problem(&self, status: u16, problem_type: &str) {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.body);
        assert_eq!(self.header("content-type"), Some("application/problem+json"));
        assert_eq!(self.body["type"], problem_type, "unexpected problem: {}", self.body);
        assert_eq!(self.body["status"], status);
    }
}
