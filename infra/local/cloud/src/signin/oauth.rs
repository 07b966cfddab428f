//! The local stand-in for Cognito's hosted sign-in: OAuth 2.0 authorization code with PKCE (S256),
//! as the web page uses it deployed. `GET /_local/oauth2/authorize` is a sign-in page that lists
//! example people and has a "sign in as" form with chosen claims; choosing one redirects to the
//! app client's callback with a one-use code. `POST /_local/oauth2/token` exchanges the code, with
//! the PKCE verifier, for an ID token (and an access token) from the local issuer.
//! `GET /_local/logout` returns to one of the client's logout URLs. The app client (its id, its
//! callback and logout URLs) is the template's `UserPoolClient`, its URLs resolved locally; the
//! client id is the local issuer's audience.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::environment::LocalStack;
use crate::signin::tokens::{Issuer, TOKEN_LIFETIME, TokenRequest};

/// How long a code may wait for its exchange; Cognito's codes last five minutes too.
pub const CODE_LIFETIME: Duration = Duration::from_secs(5 * 60);

/// A person the sign-in page offers; the same people as the README's tour.
pub struct ExamplePerson {
    pub sub: &'static str,
    pub name: &'static str,
    /// What the person is, shown after the name.
    pub role: &'static str,
    pub email: &'static str,
    pub groups: &'static [&'static str],
    pub partner_id: Option<&'static str>,
}

pub const EXAMPLE_PEOPLE: &[ExamplePerson] = &[
    ExamplePerson {
        sub: "olivia",
        name: "Olivia",
        role: "platform admin",
        email: "olivia@platform.example",
        groups: &["platform-admins"],
        partner_id: None,
    },
    ExamplePerson {
        sub: "pat",
        name: "Pat",
        role: "partner admin of acme",
        email: "pat@acme.example",
        groups: &["partner-admins"],
        partner_id: Some("acme"),
    },
    ExamplePerson {
        sub: "eve",
        name: "Eve",
        role: "partner employee of acme",
        email: "eve@acme.example",
        groups: &["partner-employees"],
        partner_id: Some("acme"),
    },
    ExamplePerson {
        sub: "gil",
        name: "Gil",
        role: "partner admin of globex",
        email: "gil@globex.example",
        groups: &["partner-admins"],
        partner_id: Some("globex"),
    },
    ExamplePerson {
        sub: "gina",
        name: "Gina",
        role: "partner employee of globex",
        email: "gina@globex.example",
        groups: &["partner-employees"],
        partner_id: Some("globex"),
    },
    ExamplePerson {
        sub: "sam",
        name: "Sam",
        role: "customer user",
        email: "sam@shop.example",
        groups: &[],
        partner_id: None,
    },
    ExamplePerson {
        sub: "dana",
        name: "Dana",
        role: "customer user",
        email: "dana@acme-web.example",
        groups: &[],
        partner_id: None,
    },
];

impl ExamplePerson {
    fn claims(&self) -> TokenRequest {
        TokenRequest {
            sub: self.sub.to_owned(),
            email: Some(self.email.to_owned()),
            email_verified: Some(true),
            name: Some(self.name.to_owned()),
            groups: self.groups.iter().map(|group| (*group).to_owned()).collect(),
            partner_id: self.partner_id.map(str::to_owned),
        }
    }
}

/// The app client the sign-in serves, as the template defines it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppClient {
    pub client_id: String,
    pub callback_urls: Vec<String>,
    pub logout_urls: Vec<String>,
}

impl AppClient {
    /// The template's `AWS::Cognito::UserPoolClient` (there must be one), with `client_id` as
    /// its local id.
    pub fn from_template(stack: &LocalStack, client_id: &str) -> Result<Self, String> {
        let mut clients = stack.template.resources_of_type("AWS::Cognito::UserPoolClient");
        let (logical_id, client) = clients.next().ok_or("no AWS::Cognito::UserPoolClient for the local sign-in")?;
        if clients.next().is_some() {
            return Err("more than one AWS::Cognito::UserPoolClient; the local sign-in serves one".into());
        }
        let properties = &client["Properties"];
        let list = |key: &str| match &properties[key] {
            serde_yaml::Value::Null => Ok(Vec::new()),
            value => stack.resolve_list(value).map_err(|e| format!("{logical_id}.{key}: {e}")),
        };
        let flows = list("AllowedOAuthFlows")?;
        if !flows.iter().any(|flow| flow == "code") {
            return Err(format!("{logical_id}: AllowedOAuthFlows has no `code`; the local sign-in is code + PKCE"));
        }
        Ok(Self {
            client_id: client_id.to_owned(),
            callback_urls: list("CallbackURLs")?,
            logout_urls: list("LogoutURLs")?,
        })
    }
}

/// A code handed out and not yet exchanged.
struct PendingCode {
    claims: TokenRequest,
    client_id: String,
    redirect_uri: String,
    code_challenge: String,
    issued: Instant,
}

pub struct LocalSignIn {
    pub client: AppClient,
    pub issuer: Arc<Issuer>,
    codes: Mutex<HashMap<String, PendingCode>>,
}

impl LocalSignIn {
    pub fn new(client: AppClient, issuer: Arc<Issuer>) -> Self {
        Self { client, issuer, codes: Mutex::new(HashMap::new()) }
    }
}

pub fn router(sign_in: Arc<LocalSignIn>) -> Router {
    Router::new()
        .route("/_local/oauth2/authorize", get(sign_in_page).post(choose_person))
        .route("/_local/oauth2/token", axum::routing::post(exchange_code))
        .route("/_local/logout", get(logout))
        .with_state(sign_in)
}

/// The parameters of an authorization request.
#[derive(Debug, Clone)]
struct AuthorizationRequest {
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    code_challenge: String,
    scope: String,
}

fn pairs(text: &str) -> HashMap<String, String> {
    form_urlencoded::parse(text.as_bytes()).into_owned().collect()
}

impl LocalSignIn {
    /// Checks an authorization request as the hosted UI does: response type `code`, this client,
    /// one of its callback URLs, and a PKCE S256 challenge. Refused requests are not redirected
    /// (the redirect URI may be anyone's), but shown.
    fn authorization_request(&self, parameters: &HashMap<String, String>) -> Result<AuthorizationRequest, String> {
        let get = |name: &str| parameters.get(name).map(String::as_str).unwrap_or_default();
        if get("response_type") != "code" {
            return Err(format!("response_type must be code, not {:?}", get("response_type")));
        }
        if get("client_id") != self.client.client_id {
            return Err(format!("client_id {:?} is not the app client {:?}", get("client_id"), self.client.client_id));
        }
        if !self.client.callback_urls.iter().any(|url| url == get("redirect_uri")) {
            return Err(format!(
                "redirect_uri {:?} is not one of the app client's callback URLs {:?}",
                get("redirect_uri"),
                self.client.callback_urls
            ));
        }
        if get("code_challenge_method") != "S256" || get("code_challenge").is_empty() {
            return Err("a PKCE code_challenge with code_challenge_method=S256 is required".into());
        }
        Ok(AuthorizationRequest {
            client_id: get("client_id").to_owned(),
            redirect_uri: get("redirect_uri").to_owned(),
            state: parameters.get("state").cloned(),
            code_challenge: get("code_challenge").to_owned(),
            scope: get("scope").to_owned(),
        })
    }

    fn issue_code(&self, request: &AuthorizationRequest, claims: TokenRequest, now: Instant) -> String {
        let mut random = [0_u8; 32];
        getrandom::fill(&mut random).expect("the OS random source works");
        let code = URL_SAFE_NO_PAD.encode(random);
        let mut codes = self.codes.lock().expect("not poisoned");
        codes.retain(|_, pending| now.duration_since(pending.issued) < CODE_LIFETIME);
        codes.insert(
            code.clone(),
            PendingCode {
                claims,
                client_id: request.client_id.clone(),
                redirect_uri: request.redirect_uri.clone(),
                code_challenge: request.code_challenge.clone(),
                issued: now,
            },
        );
        code
    }

    /// The token endpoint's checks; the code is used up by any attempt, as RFC 6749 asks.
    fn exchange(&self, form: &HashMap<String, String>, now: Instant) -> Result<TokenRequest, TokenError> {
        let get = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
        if get("grant_type") != "authorization_code" {
            return Err(TokenError::new("unsupported_grant_type", "only authorization_code is supported"));
        }
        let pending = self.codes.lock().expect("not poisoned").remove(get("code"));
        let Some(pending) = pending else {
            return Err(TokenError::new("invalid_grant", "unknown or already used code"));
        };
        if now.duration_since(pending.issued) >= CODE_LIFETIME {
            return Err(TokenError::new("invalid_grant", "the code expired"));
        }
        if get("client_id") != pending.client_id {
            return Err(TokenError::new("invalid_client", "client_id is not the one the code was issued to"));
        }
        if get("redirect_uri") != pending.redirect_uri {
            return Err(TokenError::new("invalid_grant", "redirect_uri differs from the authorization request's"));
        }
        if !pkce_matches(get("code_verifier"), &pending.code_challenge) {
            return Err(TokenError::new("invalid_grant", "code_verifier does not match the code_challenge"));
        }
        Ok(pending.claims)
    }
}

/// RFC 7636: a verifier of 43 to 128 unreserved characters whose SHA-256, base64url without
/// padding, is the challenge.
pub fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"-._~".contains(&byte));
    well_formed && URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge
}

#[derive(Debug)]
struct TokenError {
    error: &'static str,
    description: &'static str,
}

impl TokenError {
    fn new(error: &'static str, description: &'static str) -> Self {
        Self { error, description }
    }
}

async fn sign_in_page(State(sign_in): State<Arc<LocalSignIn>>, RawQuery(query): RawQuery) -> Response {
    let parameters = pairs(query.as_deref().unwrap_or_default());
    match sign_in.authorization_request(&parameters) {
        Ok(request) => Html(page(&request)).into_response(),
        Err(problem) => refused(&problem),
    }
}

/// The sign-in page's forms post here: an example person (`person`), or chosen claims.
async fn choose_person(State(sign_in): State<Arc<LocalSignIn>>, body: Bytes) -> Response {
    let form = pairs(&String::from_utf8_lossy(&body));
    let request = match sign_in.authorization_request(&form) {
        Ok(request) => request,
        Err(problem) => return refused(&problem),
    };
    let claims = match form.get("person") {
        Some(person) => match EXAMPLE_PEOPLE.iter().find(|example| example.sub == person) {
            Some(example) => example.claims(),
            None => return refused(&format!("no example person {person:?}")),
        },
        None => match chosen_claims(&form) {
            Ok(claims) => claims,
            Err(problem) => return refused(&problem),
        },
    };
    let code = sign_in.issue_code(&request, claims, Instant::now());
    let mut location = format!("{}?code={code}", request.redirect_uri);
    if let Some(state) = &request.state {
        location.push_str("&state=");
        location.extend(form_urlencoded::byte_serialize(state.as_bytes()));
    }
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// The claims of the "sign in as" form: groups from its checkboxes and its comma-separated field.
fn chosen_claims(form: &HashMap<String, String>) -> Result<TokenRequest, String> {
    let field = |name: &str| form.get(name).map(|value| value.trim().to_owned()).filter(|value| !value.is_empty());
    let sub = field("sub").ok_or("sub must not be empty")?;
    let mut groups: Vec<String> = ["platform-admins", "partner-admins", "partner-employees"]
        .into_iter()
        .filter(|group| form.contains_key(*group))
        .map(str::to_owned)
        .collect();
    groups.extend(
        field("other_groups")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|g| !g.is_empty())
            .map(str::to_owned),
    );
    let email = field("email");
    Ok(TokenRequest {
        sub,
        email_verified: email.as_ref().map(|_| form.contains_key("email_verified")),
        email,
        name: field("name"),
        groups,
        partner_id: field("partner_id"),
    })
}

async fn exchange_code(State(sign_in): State<Arc<LocalSignIn>>, body: Bytes) -> Response {
    let form = pairs(&String::from_utf8_lossy(&body));
    let mut response = match sign_in.exchange(&form, Instant::now()) {
        Ok(claims) => {
            let now = SystemTime::now();
            axum::Json(json!({
                "id_token": sign_in.issuer.mint(&claims, now),
                "access_token": sign_in.issuer.mint_access(&claims, now),
                "expires_in": TOKEN_LIFETIME.as_secs(),
                "token_type": "Bearer",
            }))
            .into_response()
        }
        Err(error) => {
            (StatusCode::BAD_REQUEST, axum::Json(json!({"error": error.error, "error_description": error.description})))
                .into_response()
        }
    };
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Back to the page: the local sign-in keeps no session, so there is nothing to end but the
/// redirect, which must go to one of the client's logout URLs.
async fn logout(State(sign_in): State<Arc<LocalSignIn>>, RawQuery(query): RawQuery) -> Response {
    let parameters = pairs(query.as_deref().unwrap_or_default());
    let get = |name: &str| parameters.get(name).map(String::as_str).unwrap_or_default();
    if get("client_id") != sign_in.client.client_id {
        return refused(&format!("client_id {:?} is not the app client", get("client_id")));
    }
    let target = get("logout_uri");
    if !sign_in.client.logout_urls.iter().any(|url| url == target) {
        return refused(&format!("logout_uri {target:?} is not one of {:?}", sign_in.client.logout_urls));
    }
    (StatusCode::FOUND, [(header::LOCATION, target.to_owned())]).into_response()
}

fn refused(problem: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in refused</title></head>\
         <body><main><h1>Sign-in refused</h1><p>{}</p></main></body></html>",
        escape(problem)
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The sign-in page: a button per example person, and the "sign in as" form.
fn page(request: &AuthorizationRequest) -> String {
    let mut hidden = String::new();
    for (name, value) in [
        ("response_type", "code"),
        ("client_id", request.client_id.as_str()),
        ("redirect_uri", request.redirect_uri.as_str()),
        ("code_challenge", request.code_challenge.as_str()),
        ("code_challenge_method", "S256"),
        ("scope", request.scope.as_str()),
    ] {
        hidden.push_str(&format!("<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(value)));
    }
    if let Some(state) = &request.state {
        hidden.push_str(&format!("<input type=\"hidden\" name=\"state\" value=\"{}\">", escape(state)));
    }
    let people: String = EXAMPLE_PEOPLE
        .iter()
        .map(|person| {
            format!(
                "<li><form method=\"post\">{hidden}<input type=\"hidden\" name=\"person\" value=\"{sub}\">\
                 <button type=\"submit\">Sign in as {name}, {role}</button> <span>{email}</span></form></li>",
                sub = person.sub,
                name = person.name,
                role = person.role,
                email = person.email,
            )
        })
        .collect();
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in — meshcustomers local cloud</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 44rem; padding: 0 1rem; color: #1a1a1a; }}
ul {{ list-style: none; padding: 0; }} li {{ margin: .4rem 0; }}
button {{ font: inherit; padding: .35rem .8rem; }} span {{ color: #444; }}
fieldset {{ margin: 1rem 0; }} label {{ display: block; margin: .5rem 0 .2rem; }}
input[type=text], input[type=email] {{ font: inherit; width: 100%; max-width: 24rem; }}
.choice label {{ display: inline; margin-right: 1rem; }}
</style>
</head>
<body>
<main>
<h1>Sign in to meshcustomers (local)</h1>
<p>The local cloud's stand-in for the hosted sign-in: choose a person; no password is asked.</p>
<h2>Example people</h2>
<ul>{people}</ul>
<h2>Sign in as someone else</h2>
<form method="post">{hidden}
<label for="sub">User id (sub)</label><input id="sub" name="sub" type="text" required>
<label for="email">Email</label><input id="email" name="email" type="email">
<div class="choice"><input id="email_verified" name="email_verified" type="checkbox" checked><label for="email_verified">Email verified</label></div>
<label for="name">Name</label><input id="name" name="name" type="text">
<fieldset><legend>Groups</legend><div class="choice">
<input id="platform-admins" name="platform-admins" type="checkbox"><label for="platform-admins">platform-admins</label>
<input id="partner-admins" name="partner-admins" type="checkbox"><label for="partner-admins">partner-admins</label>
<input id="partner-employees" name="partner-employees" type="checkbox"><label for="partner-employees">partner-employees</label>
</div>
<label for="other_groups">Other groups (comma-separated)</label><input id="other_groups" name="other_groups" type="text">
</fieldset>
<label for="partner_id">Partner id</label><input id="partner_id" name="partner_id" type="text">
<p><button type="submit">Sign in with these claims</button></p>
</form>
</main>
</body>
</html>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use authorizer::id_token::{Expected, KeySet};

    const CALLBACK: &str = "http://127.0.0.1:5173/auth/callback";
    const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    /// RFC 7636, appendix B: the challenge of VERIFIER.
    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn sign_in() -> LocalSignIn {
        let client = AppClient {
            client_id: "meshcustomers-local".into(),
            callback_urls: vec![CALLBACK.into()],
            logout_urls: vec!["http://127.0.0.1:5173/signed-out".into()],
        };
        let issuer = Issuer::ephemeral("http://127.0.0.1:3000/_local", "meshcustomers-local").unwrap();
        LocalSignIn::new(client, Arc::new(issuer))
    }

    fn authorization(overrides: &[(&str, &str)]) -> HashMap<String, String> {
        let mut parameters: HashMap<String, String> = [
            ("response_type", "code"),
            ("client_id", "meshcustomers-local"),
            ("redirect_uri", CALLBACK),
            ("state", "xyz"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
        for (name, value) in overrides {
            parameters.insert((*name).to_owned(), (*value).to_owned());
        }
        parameters
    }

    fn exchange_form(code: &str, overrides: &[(&str, &str)]) -> HashMap<String, String> {
        let mut form: HashMap<String, String> = [
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", CALLBACK),
            ("client_id", "meshcustomers-local"),
            ("code_verifier", VERIFIER),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect();
        for (name, value) in overrides {
            form.insert((*name).to_owned(), (*value).to_owned());
        }
        form
    }

    #[test]
    fn the_rfc_7636_example_verifier_matches_its_challenge_and_nothing_else_does() {
        assert!(pkce_matches(VERIFIER, CHALLENGE));
        assert!(!pkce_matches(&VERIFIER.replace('d', "e"), CHALLENGE));
        assert!(!pkce_matches("short", &URL_SAFE_NO_PAD.encode(Sha256::digest(b"short"))));
    }

    #[test]
    fn authorization_requests_need_this_client_a_callback_url_and_s256() {
        let sign_in = sign_in();
        assert!(sign_in.authorization_request(&authorization(&[])).is_ok());
        for (name, value, named) in [
            ("response_type", "token", "response_type"),
            ("client_id", "other", "client_id"),
            ("redirect_uri", "http://evil.example/auth/callback", "redirect_uri"),
            ("code_challenge_method", "plain", "S256"),
            ("code_challenge", "", "S256"),
        ] {
            let problem = sign_in.authorization_request(&authorization(&[(name, value)])).unwrap_err();
            assert!(problem.contains(named), "{name}={value}: {problem}");
        }
    }

    #[test]
    fn a_code_is_exchanged_once_with_its_verifier_for_the_chosen_persons_token() {
        let sign_in = sign_in();
        let request = sign_in.authorization_request(&authorization(&[])).unwrap();
        let now = Instant::now();
        let code = sign_in.issue_code(&request, EXAMPLE_PEOPLE[1].claims(), now);
        let claims = sign_in.exchange(&exchange_form(&code, &[]), now).unwrap();
        assert_eq!((claims.sub.as_str(), claims.partner_id.as_deref()), ("pat", Some("acme")));
        let again = sign_in.exchange(&exchange_form(&code, &[]), now).unwrap_err();
        assert_eq!(again.error, "invalid_grant");
        // The token the page gets is one the API's authorizer accepts.
        let token = sign_in.issuer.mint(&claims, SystemTime::now());
        let issuer = &sign_in.issuer;
        let expected = Expected { issuer: issuer.issuer().to_owned(), audience: issuer.audience().to_owned() };
        let keys = KeySet::from_jwks(&issuer.jwks());
        let verified = authorizer::id_token::verify(&token, &keys, &expected, SystemTime::now()).unwrap();
        assert_eq!(verified["cognito:groups"], json!(["partner-admins"]));
    }

    #[test]
    fn a_wrong_verifier_redirect_uri_client_or_an_old_code_is_refused_and_uses_the_code_up() {
        let sign_in = sign_in();
        let request = sign_in.authorization_request(&authorization(&[])).unwrap();
        let now = Instant::now();
        for (overrides, error) in [
            (vec![("code_verifier", "x".repeat(43))], "invalid_grant"),
            (vec![("redirect_uri", "http://127.0.0.1:5173/other".to_owned())], "invalid_grant"),
            (vec![("client_id", "other".to_owned())], "invalid_client"),
        ] {
            let code = sign_in.issue_code(&request, EXAMPLE_PEOPLE[0].claims(), now);
            let overrides: Vec<(&str, &str)> = overrides.iter().map(|(n, v)| (*n, v.as_str())).collect();
            assert_eq!(sign_in.exchange(&exchange_form(&code, &overrides), now).unwrap_err().error, error);
            // Refused once, the code is gone, even with the right parameters.
            assert!(sign_in.exchange(&exchange_form(&code, &[]), now).is_err());
        }
        let code = sign_in.issue_code(&request, EXAMPLE_PEOPLE[0].claims(), now);
        let later = now + CODE_LIFETIME;
        assert_eq!(sign_in.exchange(&exchange_form(&code, &[]), later).unwrap_err().description, "the code expired");
    }

    #[tokio::test]
    async fn logout_returns_only_to_a_logout_url_of_the_client() {
        let sign_in = Arc::new(sign_in());
        let leave = |query: &str| logout(State(Arc::clone(&sign_in)), RawQuery(Some(query.to_owned())));
        let back = leave("client_id=meshcustomers-local&logout_uri=http%3A%2F%2F127.0.0.1%3A5173%2Fsigned-out").await;
        assert_eq!(back.status(), StatusCode::FOUND);
        assert_eq!(back.headers()[header::LOCATION], "http://127.0.0.1:5173/signed-out");
        let elsewhere = leave("client_id=meshcustomers-local&logout_uri=http%3A%2F%2Fevil.example%2F").await;
        assert_eq!(elsewhere.status(), StatusCode::BAD_REQUEST);
        let other_client = leave("client_id=other&logout_uri=http%3A%2F%2F127.0.0.1%3A5173%2Fsigned-out").await;
        assert_eq!(other_client.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn the_sign_in_as_form_gives_the_chosen_claims() {
        let form: HashMap<String, String> =
            pairs("sub=zoe&email=zoe%40x.example&name=Zoe&partner-admins=on&other_groups=a%2C+b&partner_id=acme");
        let claims = chosen_claims(&form).unwrap();
        assert_eq!(claims.groups, ["partner-admins", "a", "b"]);
        assert_eq!((claims.email.as_deref(), claims.email_verified), (Some("zoe@x.example"), Some(false)));
        assert_eq!(claims.partner_id.as_deref(), Some("acme"));
        assert!(chosen_claims(&pairs("sub=+")).is_err());
    }

    #[test]
    fn the_template_defines_the_local_app_client_from_the_portal_url() {
        let template = crate::template::Template::of_repo().unwrap();
        let secrets = crate::secrets::SecretStore::in_memory();
        let parameters =
            std::collections::BTreeMap::from([("PortalBaseUrl".to_owned(), "http://127.0.0.1:5173".to_owned())]);
        let stack = LocalStack { template: &template, parameters, secrets: &secrets };
        let client = AppClient::from_template(&stack, "meshcustomers-local").unwrap();
        assert_eq!(client.callback_urls, [CALLBACK]);
        assert_eq!(client.logout_urls, ["http://127.0.0.1:5173/signed-out"]);
    }
}
