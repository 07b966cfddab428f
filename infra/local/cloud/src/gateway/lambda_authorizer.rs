//! The HttpApi's Lambda authorizer as API Gateway runs it: REQUEST type, payload 2.0, simple
//! responses. The identity source is checked first (missing or empty: 401, no invocation); the
//! answer is cached by the identity source's value for `ReauthorizeEvery` seconds (0: never); an
//! `isAuthorized: false` is 401 like a missing credential (README "One authorizer for people and
//! programs": what was found about the deployed answer), and a failed invocation or an answer
//! that is no simple response is 500.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use serde_json::{Map, Value, json};
use serde_yaml::Value as Yaml;

use crate::lambda::invoke::Lambda;
use crate::template::{Function, Template};

/// The default authorizer of the template's HttpApi, when it is a Lambda authorizer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizerDefinition {
    /// The binary of the function `FunctionArn` names.
    pub function: String,
    /// The identity source's header, lower-cased (`Identity.Headers`, one header).
    pub header: String,
    /// `Identity.ReauthorizeEvery` (SAM's default: 300 s).
    pub ttl: Duration,
}

impl AuthorizerDefinition {
    /// The HttpApi's default authorizer; only a Lambda authorizer has a local twin.
    pub fn from_template(template: &Template, functions: &[Function]) -> Result<Self, String> {
        let (_, api) = template.http_api()?;
        let auth = &api["Properties"]["Auth"];
        let name = auth["DefaultAuthorizer"].as_str().ok_or("the HttpApi names no DefaultAuthorizer")?;
        let authorizer = &auth["Authorizers"][name];
        let function_arn = authorizer
            .get("FunctionArn")
            .ok_or_else(|| format!("{name}: not a Lambda authorizer; other kinds have no local twin"))?;
        let logical_id =
            get_att_arn(function_arn).ok_or_else(|| format!("{name}: FunctionArn must be !GetAtt <Function>.Arn"))?;
        let function = functions
            .iter()
            .find(|function| function.logical_id == logical_id)
            .ok_or_else(|| format!("{name}: {logical_id} is no function of the template"))?;
        let unsupported = |what: &str| Err(format!("{name}: {what} has no local twin"));
        if authorizer["AuthorizerPayloadFormatVersion"].as_str() != Some("2.0") {
            return unsupported("a payload format other than 2.0");
        }
        if authorizer["EnableSimpleResponses"].as_bool() != Some(true) {
            return unsupported("an IAM policy response");
        }
        let identity = &authorizer["Identity"];
        let header = match identity["Headers"].as_sequence().map(Vec::as_slice) {
            Some([header]) => header.as_str().ok_or_else(|| format!("{name}: Identity.Headers"))?.to_ascii_lowercase(),
            _ => return unsupported("an identity source other than one header"),
        };
        let ttl = identity["ReauthorizeEvery"].as_u64().unwrap_or(300);
        Ok(Self { function: function.binary.clone(), header, ttl: Duration::from_secs(ttl) })
    }

    /// The identity source's value: the header, present and not empty.
    pub fn identity<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        headers.get(&self.header).and_then(|value| value.to_str().ok()).filter(|value| !value.trim().is_empty())
    }
}

fn get_att_arn(value: &Yaml) -> Option<String> {
    let Yaml::Tagged(tagged) = value else { return None };
    if tagged.tag != "GetAtt" {
        return None;
    }
    let target = match &tagged.value {
        Yaml::String(dotted) => dotted.strip_suffix(".Arn")?.to_owned(),
        Yaml::Sequence(parts) if parts.len() == 2 && parts[1].as_str() == Some("Arn") => parts[0].as_str()?.to_owned(),
        _ => return None,
    };
    Some(target)
}

/// The authorizer's event (payload 2.0) for a request whose integration event is `route_event`.
pub fn authorizer_event(route_event: &Value, identity: &str) -> Value {
    let mut event = route_event.clone();
    if let Some(fields) = event.as_object_mut() {
        for field in ["body", "isBase64Encoded"] {
            fields.remove(field);
        }
        fields.insert("type".into(), json!("REQUEST"));
        fields.insert("identitySource".into(), json!([identity]));
        let route_key = fields.get("routeKey").and_then(Value::as_str).unwrap_or_default().replacen(' ', "/", 1);
        fields.insert(
            "routeArn".into(),
            json!(format!(
                "arn:aws:execute-api:{}:{}:local/$default/{route_key}",
                crate::environment::REGION,
                crate::environment::ACCOUNT_ID
            )),
        );
    }
    event
}

/// What the authorizer decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    /// Allowed, with the context the integration receives as `requestContext.authorizer.lambda`.
    Allowed(Map<String, Value>),
    Refused,
}

/// Reads a simple response: `isAuthorized` a boolean, `context` an object when present.
pub fn verdict(output: &Value) -> Result<Verdict, String> {
    match (output.get("isAuthorized"), output.get("context")) {
        (Some(Value::Bool(false)), _) => Ok(Verdict::Refused),
        (Some(Value::Bool(true)), None | Some(Value::Null)) => Ok(Verdict::Allowed(Map::new())),
        (Some(Value::Bool(true)), Some(Value::Object(context))) => Ok(Verdict::Allowed(context.clone())),
        _ => Err(format!("not a simple response: {output}")),
    }
}

/// The authorizer as the local gateway runs it for every route that is not `Authorizer: NONE`.
#[derive(Debug)]
pub struct LocalAuthorizer {
    pub definition: AuthorizerDefinition,
    cache: VerdictCache,
}

/// What the gateway does with a request.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// On to the route's function, with `requestContext.authorizer.lambda`.
    Allowed(Map<String, Value>),
    /// 401, with or without an invocation.
    Unauthorized,
    /// 500: the authorizer failed or answered something that is no simple response.
    Failed(String),
}

impl LocalAuthorizer {
    pub fn new(definition: AuthorizerDefinition) -> Self {
        let cache = VerdictCache::new(definition.ttl);
        Self { definition, cache }
    }

    /// The decision for the request whose integration event is `route_event`: from the cache
    /// while it holds one for this identity, else from an invocation of the authorizer.
    pub async fn decide(&self, lambda: &Lambda, headers: &HeaderMap, route_event: &Value) -> Decision {
        let Some(identity) = self.definition.identity(headers) else { return Decision::Unauthorized };
        let verdict = match self.cache.get(identity, Instant::now()) {
            Some(verdict) => verdict,
            None => {
                let event = authorizer_event(route_event, identity);
                let output = match lambda.invoke(&self.definition.function, &event).await {
                    Ok(output) => output,
                    Err(error) => return Decision::Failed(error.to_string()),
                };
                match verdict(&output) {
                    Ok(verdict) => {
                        self.cache.put(identity, verdict.clone(), Instant::now());
                        verdict
                    }
                    Err(error) => return Decision::Failed(error),
                }
            }
        };
        match verdict {
            Verdict::Allowed(context) => Decision::Allowed(context),
            Verdict::Refused => Decision::Unauthorized,
        }
    }
}

/// Verdicts by identity source value, each kept for the TTL.
#[derive(Debug)]
pub struct VerdictCache {
    ttl: Duration,
    entries: Mutex<HashMap<String, (Instant, Verdict)>>,
}

impl VerdictCache {
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, entries: Mutex::new(HashMap::new()) }
    }

    pub fn get(&self, identity: &str, now: Instant) -> Option<Verdict> {
        let mut entries = self.entries.lock().expect("the cache lock is never poisoned");
        entries.retain(|_, (stored_at, _)| now.duration_since(*stored_at) < self.ttl);
        entries.get(identity).map(|(_, verdict)| verdict.clone())
    }

    pub fn put(&self, identity: &str, verdict: Verdict, now: Instant) {
        if !self.ttl.is_zero() {
            let mut entries = self.entries.lock().expect("the cache lock is never poisoned");
            entries.insert(identity.to_owned(), (now, verdict));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(auth: &str) -> (Template, Vec<Function>) {
        let text = format!(
            "Resources:\n  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      Auth:\n{auth}\n\
             \x20 AuthorizerFunction:\n    Type: AWS::Serverless::Function\n    Metadata:\n      BuildProperties:\n        Binary: authorizer\n    Properties:\n      Runtime: provided.al2023\n      Handler: bootstrap\n"
        );
        let template = Template::parse(&text).unwrap();
        let functions = template.functions().unwrap();
        (template, functions)
    }

    const LAMBDA: &str = "        DefaultAuthorizer: Lambda\n        Authorizers:\n          Lambda:\n            FunctionArn: !GetAtt AuthorizerFunction.Arn\n            AuthorizerPayloadFormatVersion: '2.0'\n            EnableSimpleResponses: true\n            Identity:\n              Headers: [Authorization]\n              ReauthorizeEvery: 60";

    #[test]
    fn the_default_lambda_authorizer_is_read_from_the_template() {
        let (template, functions) = template(LAMBDA);
        let definition = AuthorizerDefinition::from_template(&template, &functions).unwrap();
        assert_eq!(
            definition,
            AuthorizerDefinition {
                function: "authorizer".into(),
                header: "authorization".into(),
                ttl: Duration::from_secs(60)
            }
        );
        let mut headers = HeaderMap::new();
        assert_eq!(definition.identity(&headers), None);
        headers.insert("authorization", " ".parse().unwrap());
        assert_eq!(definition.identity(&headers), None, "an empty identity source is a missing one");
        headers.insert("authorization", "Bearer x".parse().unwrap());
        assert_eq!(definition.identity(&headers), Some("Bearer x"));
    }

    #[test]
    fn a_jwt_authorizer_and_other_lambda_forms_have_no_local_twin() {
        let jwt = "        DefaultAuthorizer: Jwt\n        Authorizers:\n          Jwt:\n            IdentitySource: $request.header.Authorization\n            JwtConfiguration: {issuer: x}";
        let (template_jwt, functions) = template(jwt);
        assert!(AuthorizerDefinition::from_template(&template_jwt, &functions).unwrap_err().contains("no local twin"));
        for (from, to) in [("'2.0'", "'1.0'"), ("EnableSimpleResponses: true", "EnableSimpleResponses: false")] {
            let (template, functions) = template(&LAMBDA.replace(from, to));
            assert!(AuthorizerDefinition::from_template(&template, &functions).unwrap_err().contains("no local twin"));
        }
    }

    #[test]
    fn simple_responses_are_read_strictly() {
        assert_eq!(verdict(&json!({"isAuthorized": false})), Ok(Verdict::Refused));
        let allowed = verdict(&json!({"isAuthorized": true, "context": {"kind": "person", "sub": "u1"}})).unwrap();
        assert_eq!(allowed, Verdict::Allowed(json!({"kind": "person", "sub": "u1"}).as_object().unwrap().clone()));
        for malformed in
            [json!({}), json!({"isAuthorized": "true"}), json!({"isAuthorized": true, "context": []}), json!(null)]
        {
            assert!(verdict(&malformed).is_err(), "{malformed}");
        }
    }

    #[test]
    fn verdicts_are_cached_by_identity_for_the_ttl() {
        let cache = VerdictCache::new(Duration::from_secs(60));
        let start = Instant::now();
        cache.put("Bearer a", Verdict::Refused, start);
        assert_eq!(cache.get("Bearer a", start + Duration::from_secs(59)), Some(Verdict::Refused));
        assert_eq!(cache.get("Bearer b", start), None);
        assert_eq!(cache.get("Bearer a", start + Duration::from_secs(60)), None);
        let never = VerdictCache::new(Duration::ZERO);
        never.put("Bearer a", Verdict::Refused, start);
        assert_eq!(never.get("Bearer a", start), None);
    }

    #[test]
    fn the_authorizer_event_is_the_requests_with_its_identity_source() {
        let route_event = json!({"version": "2.0", "routeKey": "GET /customers/{id}", "rawPath": "/customers/a",
            "headers": {"authorization": "Bearer x"}, "body": "{}", "isBase64Encoded": false, "requestContext": {}});
        let event = authorizer_event(&route_event, "Bearer x");
        assert_eq!(event["type"], "REQUEST");
        assert_eq!(event["identitySource"], json!(["Bearer x"]));
        assert_eq!(
            event["routeArn"],
            "arn:aws:execute-api:eu-central-1:000000000000:local/$default/GET//customers/{id}"
        );
        assert!(event.get("body").is_none() && event.get("isBase64Encoded").is_none());
    }
}
