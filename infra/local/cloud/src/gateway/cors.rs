//! The HTTP API's CORS configuration (`CorsConfiguration` of the template's `HttpApi`), applied
//! by the local gateway as API Gateway applies it: a preflight `OPTIONS` (with `Origin` and
//! `Access-Control-Request-Method`) is answered by the gateway itself, before routes and the JWT
//! authorizer, and every other answer to an allowed origin carries `access-control-allow-origin`
//! and the exposed headers. An origin that is not allowed gets no CORS header at all, so the
//! browser refuses the answer to the page. API Gateway ignores the CORS headers an integration
//! returns when the API has a CORS configuration; so does this twin.

use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use serde_yaml::Value;

use crate::environment::LocalStack;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorsPolicy {
    /// Origins as written (`*` allows every origin), compared without regard to case.
    pub allow_origins: Vec<String>,
    pub allow_methods: Vec<String>,
    pub allow_headers: Vec<String>,
    pub expose_headers: Vec<String>,
    pub max_age: Option<u64>,
    pub allow_credentials: bool,
}

impl CorsPolicy {
    /// The `CorsConfiguration` of the template's HttpApi, its intrinsics resolved for the local
    /// stack; `None` when the API has none (then the gateway adds no CORS header, as API Gateway).
    pub fn from_template(stack: &LocalStack) -> Result<Option<Self>, String> {
        let (_, api) = stack.template.http_api()?;
        let configuration = &api["Properties"]["CorsConfiguration"];
        let list = |key: &str| -> Result<Vec<String>, String> {
            match &configuration[key] {
                Value::Null => Ok(Vec::new()),
                value => stack.resolve_list(value).map_err(|e| format!("CorsConfiguration.{key}: {e}")),
            }
        };
        match configuration {
            Value::Null => Ok(None),
            Value::Mapping(_) => Ok(Some(Self {
                allow_origins: list("AllowOrigins")?,
                allow_methods: list("AllowMethods")?,
                allow_headers: list("AllowHeaders")?,
                expose_headers: list("ExposeHeaders")?,
                max_age: match &configuration["MaxAge"] {
                    Value::Null => None,
                    value => {
                        Some(stack.resolve(value)?.parse().map_err(|_| format!("CorsConfiguration.MaxAge {value:?}"))?)
                    }
                },
                allow_credentials: match &configuration["AllowCredentials"] {
                    Value::Null => false,
                    value => stack.resolve(value)? == "true",
                },
            })),
            other => Err(format!("CorsConfiguration {other:?}: only the object form has a local twin")),
        }
    }

    /// Whether the request is a CORS preflight, which the gateway answers itself.
    pub fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
        method == Method::OPTIONS
            && headers.contains_key("origin")
            && headers.contains_key("access-control-request-method")
    }

    /// The gateway's answer to a preflight: 204, with the CORS headers only when the origin, the
    /// method and every requested header are allowed.
    pub fn preflight(&self, headers: &HeaderMap) -> Response {
        let mut response = Response::new(axum::body::Body::empty());
        *response.status_mut() = StatusCode::NO_CONTENT;
        let Some(origin) = self.allowed_origin(headers) else { return response };
        let method = header_text(headers, "access-control-request-method").unwrap_or_default();
        let requested_headers: Vec<String> = header_text(headers, "access-control-request-headers")
            .unwrap_or_default()
            .split(',')
            .map(|name| name.trim().to_ascii_lowercase())
            .filter(|name| !name.is_empty())
            .collect();
        let method_allowed =
            self.allow_methods.iter().any(|allowed| allowed == "*" || allowed.eq_ignore_ascii_case(&method));
        let headers_allowed = requested_headers
            .iter()
            .all(|name| self.allow_headers.iter().any(|allowed| allowed == "*" || allowed.eq_ignore_ascii_case(name)));
        if !(method_allowed && headers_allowed) {
            return response;
        }
        let answer = response.headers_mut();
        insert(answer, "access-control-allow-origin", &origin);
        insert(answer, "access-control-allow-methods", &self.allow_methods.join(","));
        if !self.allow_headers.is_empty() {
            insert(answer, "access-control-allow-headers", &self.allow_headers.join(","));
        }
        if let Some(max_age) = self.max_age {
            insert(answer, "access-control-max-age", &max_age.to_string());
        }
        if self.allow_credentials {
            insert(answer, "access-control-allow-credentials", "true");
        }
        response
    }

    /// Puts the CORS headers on an answer to `request_headers`: the integration's own are
    /// dropped, the configuration's set when the origin is allowed.
    pub fn decorate(&self, request_headers: &HeaderMap, response: &mut Response) {
        let answer = response.headers_mut();
        let integration_cors: Vec<HeaderName> =
            answer.keys().filter(|name| name.as_str().starts_with("access-control-")).cloned().collect();
        for name in integration_cors {
            answer.remove(name);
        }
        let Some(origin) = self.allowed_origin(request_headers) else { return };
        insert(answer, "access-control-allow-origin", &origin);
        if !self.expose_headers.is_empty() {
            insert(answer, "access-control-expose-headers", &self.expose_headers.join(","));
        }
        if self.allow_credentials {
            insert(answer, "access-control-allow-credentials", "true");
        }
    }

    /// The value of `access-control-allow-origin` for the request's origin, if it is allowed.
    fn allowed_origin(&self, headers: &HeaderMap) -> Option<String> {
        let origin = header_text(headers, "origin")?;
        if self.allow_origins.iter().any(|allowed| allowed == "*") {
            return Some("*".to_owned());
        }
        self.allow_origins.iter().any(|allowed| allowed.eq_ignore_ascii_case(&origin)).then_some(origin)
    }
}

fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|value| value.to_str().ok()).map(str::to_owned)
}

fn insert(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::secrets::SecretStore;
    use crate::template::Template;

    fn repository_policy(portal: &str) -> CorsPolicy {
        let template = Template::of_repo().unwrap();
        let secrets = SecretStore::in_memory();
        let parameters = BTreeMap::from([("PortalBaseUrl".to_owned(), portal.to_owned())]);
        let stack = LocalStack { template: &template, parameters, secrets: &secrets };
        CorsPolicy::from_template(&stack).unwrap().expect("the template configures CORS")
    }

    fn request(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (HeaderName::from_static(name), HeaderValue::from_str(value).unwrap()))
            .collect()
    }

    #[test]
    fn the_template_allows_the_portal_origin_with_its_own_scheme() {
        let local = repository_policy("http://127.0.0.1:5173");
        assert_eq!(local.allow_origins, ["http://127.0.0.1:5173"]);
        assert_eq!(local.allow_headers, ["authorization", "content-type", "if-match"]);
        assert_eq!(local.expose_headers, ["etag", "location", "content-disposition"]);
        assert_eq!(local.max_age, Some(600));
        // A path of the portal is not part of its origin.
        assert_eq!(repository_policy("https://portal.example.com/app").allow_origins, ["https://portal.example.com"]);
    }

    #[test]
    fn a_preflight_from_the_portal_is_allowed_and_one_from_elsewhere_gets_no_cors_header() {
        let policy = repository_policy("http://127.0.0.1:5173");
        let asked = |origin: &str, method: &str, headers: &str| {
            policy.preflight(&request(&[
                ("origin", origin),
                ("access-control-request-method", method),
                ("access-control-request-headers", headers),
            ]))
        };
        let allowed = asked("http://127.0.0.1:5173", "PATCH", "Authorization, Content-Type, If-Match");
        assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
        let headers = allowed.headers();
        assert_eq!(headers["access-control-allow-origin"], "http://127.0.0.1:5173");
        assert_eq!(headers["access-control-allow-methods"], "GET,POST,PUT,PATCH,DELETE,OPTIONS");
        assert_eq!(headers["access-control-allow-headers"], "authorization,content-type,if-match");
        assert_eq!(headers["access-control-max-age"], "600");
        for refused in [
            asked("http://evil.example", "GET", "authorization"),
            asked("https://127.0.0.1:5173", "GET", "authorization"),
            asked("http://127.0.0.1:5173", "GET", "x-secret"),
            asked("http://127.0.0.1:5173", "TRACE", ""),
        ] {
            assert_eq!(refused.status(), StatusCode::NO_CONTENT);
            assert!(refused.headers().keys().all(|name| !name.as_str().starts_with("access-control-")), "{refused:?}");
        }
    }

    #[test]
    fn answers_carry_the_allowed_origin_and_exposed_headers_and_never_the_integrations_own() {
        let policy = repository_policy("http://127.0.0.1:5173");
        let answer = || {
            let mut response = Response::new(axum::body::Body::empty());
            response.headers_mut().insert("access-control-allow-origin", HeaderValue::from_static("*"));
            response.headers_mut().insert("etag", HeaderValue::from_static("\"1\""));
            response
        };
        let mut allowed = answer();
        policy.decorate(&request(&[("origin", "http://127.0.0.1:5173")]), &mut allowed);
        assert_eq!(allowed.headers()["access-control-allow-origin"], "http://127.0.0.1:5173");
        assert_eq!(allowed.headers()["access-control-expose-headers"], "etag,location,content-disposition");
        let mut elsewhere = answer();
        policy.decorate(&request(&[("origin", "http://evil.example")]), &mut elsewhere);
        assert!(elsewhere.headers().get("access-control-allow-origin").is_none());
        assert_eq!(elsewhere.headers()["etag"], "\"1\"");
        assert!(CorsPolicy::is_preflight(
            &Method::OPTIONS,
            &request(&[("origin", "x"), ("access-control-request-method", "GET")])
        ));
        assert!(!CorsPolicy::is_preflight(&Method::OPTIONS, &request(&[("origin", "x")])));
    }
}
