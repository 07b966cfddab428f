//! The product through the local cloud, over HTTP, as a client of the deployed stack sees it:
//! the gateway's Lambda authorizer, the functions as built binaries under the local Lambda, DynamoDB
//! Local's stream through the event source mapping, the bus and its rules, the SES emulator.

use std::time::Duration;

use futures::future::join_all;
use meshcustomers_tests::pipeline::stream_writes_at;
use meshcustomers_tests::poll::within;
use meshcustomers_tests::repo_root;
use meshcustomers_tests::running_cloud::{RunningCloud, claims};
use serde_json::{Value, json};

struct Client {
    http: reqwest::Client,
    api: String,
}

impl Client {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.api));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the gateway answers");
        let status = response.status().as_u16();
        let text = response.text().await.expect("a body");
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, token, None).await
    }

    async fn post(&self, path: &str, token: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(token), Some(body)).await
    }
}

#[tokio::test]
async fn the_local_cloud_runs_the_product_end_to_end_and_stops_without_leftovers() {
    // As `LOCAL_PARAMETER_RequireEmailConfirmation=true make dev` starts it: approvals need the
    // registrant's confirmation.
    let mut cloud = RunningCloud::start_with(&[("LOCAL_PARAMETER_RequireEmailConfirmation", "true")]).await;
    let client = Client { http: reqwest::Client::new(), api: cloud.api.clone() };
    // Readiness is found without sending the functions anything, so nothing fails on the way.
    let (status, _) = client.get("/_local/health", None).await;
    assert_eq!(status, 200);
    the_log_shows_no_error(&cloud);

    requests_without_a_valid_token_get_401(&cloud, &client).await;
    registering_sends_the_being_verified_mail(&cloud, &client).await;
    the_approval_mails_a_link_that_activates_the_customer_once(&cloud, &client).await;
    a_created_customer_shows_in_its_history_once_with_the_actor(&cloud, &client).await;
    another_partner_gets_404(&cloud, &client).await;
    an_invitation_is_mailed_and_accepted_by_the_invitee(&cloud, &client).await;
    races_through_the_gateway_keep_their_invariants(&cloud, &client).await;
    the_log_shows_no_error(&cloud);
    the_contract_and_its_reference_page_are_served(&client).await;
    the_portal_gets_cors_and_signs_in_through_the_local_sign_in(&cloud).await;
    schemathesis_finds_no_defect(&cloud).await;

    // The marker finds the running processes, so finding none after the stop means something.
    let running = cloud.leftover_processes();
    assert!(running.iter().any(|command| command.contains("DynamoDBLocal.jar")), "{running:#?}");
    assert!(running.iter().any(|command| command.ends_with("debug/create-customer ")), "{running:#?}");
    let status = cloud.stop().expect("the local cloud was running");
    assert!(status.success(), "SIGTERM stops the local cloud cleanly: {status}\n{}", cloud.log_tail());
    let leftovers = within(Duration::from_secs(5), async || {
        let leftovers = cloud.leftover_processes();
        leftovers.is_empty().then_some(())
    })
    .await;
    assert!(leftovers.is_some(), "processes left behind: {:#?}", cloud.leftover_processes());
}

/// The README's tour, run as a newcomer runs it: the `sh` block under "A tour with curl", on a
/// local cloud started as `make dev` starts it (an empty table), only its two addresses changed
/// to this cloud's ports. Its answers must say what the tour's comments say.
#[tokio::test]
async fn the_readme_tour_runs_as_written() {
    let mut cloud = RunningCloud::start().await;
    let output = run_readme_block(&cloud, "### A tour with curl");
    for expected in [
        "HTTP/1.1 401",
        r#""identifier":"acme-web""#,
        r#""type":"not-found""#,
        r#""status":"PENDING_APPROVAL""#,
        // Lee's registration declined (204), the expiry sweep run on demand (nothing expired).
        "HTTP/1.1 204",
        r#"{"expired":[],"movedOn":[]}"#,
        r#""key":"costCenter""#,
        r#""tags.costCenter""#,
        r#""displayName":"Acme Web Shop""#,
        "HTTP/1.1 412",
        r#""projectQuota":10"#,
        r#""status":"DISABLED""#,
        r#""joinedVia":"SELF_ASSIGNMENT""#,
        r#""type":"last-admin""#,
        r#""type":"CUSTOMER_STATUS_CHANGED""#,
        // A project on aws, its console link, a service user's secret; disabled, no console.
        r#""identifier":"web-shop""#,
        r#""url":"https://console.aws.amazon.com/console/home?meshTenant="#,
        r#""secret":""#,
        r#""type":"customer-disabled""#,
        // The invitation's link: refused to sam, accepted by dana.
        r#""type":"invitation-email-mismatch""#,
        r#""userId":"dana""#,
        r#""joinedVia":"INVITATION""#,
        // Seen at login after the fan-out, then resolved by pat's acknowledgement.
        r#""text":"Maintenance on Saturday, 22:00 to 23:00 UTC","mode":"SINGLE_READ""#,
        r#""resolvedBy":"pat""#,
        "sam@shop.example",
        "Your registration of Lee Shop was declined",
    ] {
        assert!(output.contains(expected), "the tour's output lacks {expected}:\n{output}");
    }
    for unexpected in ["internal-error", "service-unavailable", "Internal Server Error"] {
        assert!(!output.contains(unexpected), "the tour's output shows {unexpected}:\n{output}");
    }
    programs_call_the_api_with_keys(&cloud).await;
    the_log_shows_no_error(&cloud);
    cloud.stop();
}

/// The `sh` block under `heading` in the README, run with its API address changed to `cloud`'s;
/// its standard output.
fn run_readme_block(cloud: &RunningCloud, heading: &str) -> String {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("the README");
    let block = readme
        .split(heading)
        .nth(1)
        .and_then(|section| section.split("```sh\n").nth(1))
        .and_then(|block| block.split("```").next())
        .unwrap_or_else(|| panic!("the README has an sh block under {heading}"));
    assert!(block.contains("API=http://127.0.0.1:3000"), "{block}");
    let script = block.replace("http://127.0.0.1:3000", &cloud.api).replace("http://127.0.0.1:8005", &cloud.ses);
    let run = std::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .output()
        .expect("bash runs the block");
    let output = String::from_utf8_lossy(&run.stdout).into_owned();
    assert!(
        run.status.success(),
        "the block under {heading} failed: {}\n{output}\n{}",
        run.status,
        String::from_utf8_lossy(&run.stderr)
    );
    output
}

/// Programs with keys through the gateway (SPEC §6.2): the README's block as written; the Rust
/// example with a key; what a key may not do; 20 first uses at once; a revoked key refused within
/// the authorizer's 60 s.
async fn programs_call_the_api_with_keys(cloud: &RunningCloud) {
    let client = Client { http: reqwest::Client::new(), api: cloud.api.clone() };
    let output = run_readme_block(cloud, "### Calling the API from a program");
    for expected in [r#""identifier":"example-co""#, r#""status":"DISABLED""#] {
        assert!(output.contains(expected), "the block's output lacks {expected}:\n{output}");
    }
    let pat = cloud.token(claims("pat", "pat@acme.example", &["partner-admins"], Some("acme"))).await;
    let (status, keys) = client.get("/api-keys", Some(&pat)).await;
    assert_eq!((status, keys["items"].as_array().map(Vec::len)), (200, Some(0)), "the block revoked its key: {keys}");

    // The Rust example, with a partner admin's key.
    let (status, body) =
        client.post("/customers", &pat, json!({"identifier": "unpaid-co", "displayName": "Unpaid"})).await;
    assert_eq!(status, 201, "{body}");
    let (status, made) =
        client.post("/api-keys", &pat, json!({"name": "billing system", "role": "PARTNER_ADMIN"})).await;
    assert_eq!(status, 201, "{made}");
    let key = made["key"].as_str().expect("the key, once").to_owned();
    let key_id = made["keyId"].as_str().unwrap().to_owned();
    let example = meshcustomers_tests::running_cloud::built_binaries(&["disable-unpaid"]).join("disable-unpaid");
    let run = std::process::Command::new(example)
        .args(["unpaid-co", "invoice 2026-11 unpaid"])
        .env("MESHCUSTOMERS_API", &cloud.api)
        .env("MESHCUSTOMERS_KEY", &key)
        .output()
        .expect("the example runs");
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{said}{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(said.trim(), "unpaid-co is DISABLED");
    let changed = within(Duration::from_secs(10), async || {
        let (_, history) = client.get("/customers/unpaid-co/events", Some(&pat)).await;
        let items = history["items"].as_array().cloned().unwrap_or_default();
        items.into_iter().find(|event| event["type"] == "CUSTOMER_STATUS_CHANGED")
    })
    .await
    .expect("the change is in the history within 10 s");
    assert_eq!(
        changed["actor"],
        json!({"userId": format!("apikey:{key_id}"), "email": null, "role": "PARTNER_ADMIN",
            "apiKeyId": key_id, "apiKeyName": "billing system"})
    );

    // Twenty first uses of a new key at once: all let in.
    let (_, fresh) = client.post("/api-keys", &pat, json!({"name": "burst", "role": "PARTNER_EMPLOYEE"})).await;
    let fresh = fresh["key"].as_str().expect("a key").to_owned();
    let statuses = join_all((0..20).map(|_| client.get("/customers", Some(&fresh)))).await;
    assert!(statuses.iter().all(|(status, _)| *status == 200), "{statuses:?}");
    // A partner employee's key may not do what a partner employee may not.
    let (status, body) = client.post("/tag-definitions", &fresh, json!({"key": "k", "displayName": "K"})).await;
    assert_eq!(status, 403, "{body}");

    // A customer's keys: its admin's and its employee's, on it and on another customer.
    let (status, body) =
        client.post("/customers", &pat, json!({"identifier": "keyed-co", "displayName": "Keyed"})).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = client.send(reqwest::Method::POST, "/customers/keyed-co/users/me", Some(&pat), None).await;
    assert_eq!(status, 201, "{body}");
    let customer_key = async |role: &str| {
        let (status, made) = client
            .post("/customers/keyed-co/api-keys", &pat, json!({"name": format!("ci {role}"), "role": role}))
            .await;
        assert_eq!(status, 201, "{made}");
        made["key"].as_str().expect("a key").to_owned()
    };
    let (admin_key, employee_key) = (customer_key("CUSTOMER_ADMIN").await, customer_key("CUSTOMER_EMPLOYEE").await);
    assert_eq!(client.get("/customers/keyed-co", Some(&employee_key)).await.0, 200);
    let (status, hidden) = client.get("/customers/example-co", Some(&admin_key)).await;
    assert_eq!(status, 404, "another customer is unknown to a customer key: {hidden}");
    let project = json!({"identifier": "pipeline", "displayName": "Pipeline"});
    assert_eq!(client.post("/customers/keyed-co/projects", &employee_key, project.clone()).await.0, 403);
    let (status, body) = client.post("/customers/keyed-co/projects", &admin_key, project).await;
    assert_eq!(status, 201, "{body}");
    // What only people do.
    let (status, _) =
        client.post("/registrations", &admin_key, json!({"identifier": "by-key", "displayName": "K"})).await;
    assert_eq!(status, 403);
    let (status, _) =
        client.post("/customers/keyed-co/api-keys", &admin_key, json!({"name": "x", "role": "CUSTOMER_ADMIN"})).await;
    assert_eq!(status, 403, "a key makes no keys");

    // Revoked: refused within the authorizer's cache of 60 s (it was just used, so it is cached).
    assert_eq!(client.get("/customers", Some(&key)).await.0, 200);
    let revoked_at = std::time::Instant::now();
    let (status, body) = client.send(reqwest::Method::DELETE, &format!("/api-keys/{key_id}"), Some(&pat), None).await;
    assert_eq!(status, 204, "{body}");
    let refused = within(Duration::from_secs(75), async || {
        let (status, body) = client.get("/customers", Some(&key)).await;
        (status == 401).then_some(body)
    })
    .await
    .expect("the revoked key is refused");
    assert_eq!(refused, json!({"message": "Unauthorized"}));
    let took = revoked_at.elapsed();
    assert!(took <= Duration::from_secs(62), "refused {took:?} after the revocation");
}

/// The web page's view of the gateway: the template's CORS for the portal's origin (a preflight
/// answered before the authorizer, nothing for another origin), then the local sign-in as the
/// page does it (authorize, choose a person, exchange the code with its PKCE verifier) giving an
/// ID token the API accepts, once.
async fn the_portal_gets_cors_and_signs_in_through_the_local_sign_in(cloud: &RunningCloud) {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let config: serde_json::Value =
        http.get(format!("{}/config.json", cloud.portal)).send().await.unwrap().json().await.unwrap();
    assert_eq!(config["apiBaseUrl"], json!(cloud.api));
    assert_eq!(config["auth"]["clientId"], "meshcustomers-local");

    let preflight = |origin: &str| {
        http.request(reqwest::Method::OPTIONS, format!("{}/customers", cloud.api))
            .header("origin", origin)
            .header("access-control-request-method", "PATCH")
            .header("access-control-request-headers", "authorization,content-type,if-match")
            .send()
    };
    let allowed = preflight(&cloud.portal).await.unwrap();
    assert_eq!(allowed.status(), 204, "the gateway answers the preflight, without a token");
    assert_eq!(allowed.headers()["access-control-allow-origin"], cloud.portal.as_str());
    let elsewhere = preflight("http://evil.example").await.unwrap();
    assert!(elsewhere.headers().get("access-control-allow-origin").is_none());
    let refused = http.get(format!("{}/customers", cloud.api)).header("origin", &cloud.portal).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    assert_eq!(refused.headers()["access-control-allow-origin"], cloud.portal.as_str(), "the page can read the 401");

    // RFC 7636, appendix B.
    let (verifier, challenge) =
        ("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    let callback = format!("{}/auth/callback", cloud.portal);
    let request = format!(
        "response_type=code&client_id=meshcustomers-local&redirect_uri={}&scope=openid+email+profile&state=s1&code_challenge={challenge}&code_challenge_method=S256",
        encode(&callback)
    );
    let page = http.get(format!("{}/_local/oauth2/authorize?{request}", cloud.api)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Sign in as Pat, partner admin of acme"));
    let form = |body: String| {
        http.post(format!("{}/_local/oauth2/authorize", cloud.api))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let chosen = form(format!("{request}&person=pat")).await.unwrap();
    assert_eq!(chosen.status(), 302);
    let location = chosen.headers()["location"].to_str().unwrap().to_owned();
    let code = location
        .strip_prefix(&format!("{callback}?code="))
        .and_then(|rest| rest.strip_suffix("&state=s1"))
        .unwrap_or_else(|| panic!("back to the callback with a code and the state: {location}"));
    let elsewhere =
        form(request.replace(&encode(&callback), &encode("http://evil.example/auth/callback")) + "&person=pat");
    assert_eq!(elsewhere.await.unwrap().status(), 400, "no code for a redirect_uri of someone else");

    let exchange = || {
        http.post(format!("{}/_local/oauth2/token", cloud.api))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", &cloud.portal)
            .body(format!(
                "grant_type=authorization_code&code={code}&redirect_uri={}&client_id=meshcustomers-local&code_verifier={verifier}",
                encode(&callback)
            ))
            .send()
    };
    let tokens = exchange().await.unwrap();
    assert_eq!(tokens.status(), 200);
    assert_eq!(tokens.headers()["access-control-allow-origin"], cloud.portal.as_str());
    let tokens: serde_json::Value = tokens.json().await.unwrap();
    let id_token = tokens["id_token"].as_str().expect("an ID token");
    let customers = http.get(format!("{}/customers", cloud.api)).bearer_auth(id_token).send().await.unwrap();
    assert_eq!(customers.status(), 200, "the API takes the signed-in page's ID token");
    let again: serde_json::Value = exchange().await.unwrap().json().await.unwrap();
    assert_eq!(again["error"], "invalid_grant", "a code is used once");
}

fn encode(text: &str) -> String {
    text.replace(':', "%3A").replace('/', "%2F")
}

/// A newcomer reads ERROR as broken: the happy path logs none, neither the local cloud nor the
/// functions (whose JSON log lines carry `"level":"ERROR"`).
fn the_log_shows_no_error(cloud: &RunningCloud) {
    let log = cloud.log();
    let errors: Vec<&str> = log.lines().filter(|line| line.contains("ERROR")).collect();
    assert!(errors.is_empty(), "the log shows errors:\n{}", errors.join("\n"));
}

async fn requests_without_a_valid_token_get_401(cloud: &RunningCloud, client: &Client) {
    let (status, body) = client.get("/customers", None).await;
    assert_eq!((status, body), (401, json!({"message": "Unauthorized"})));
    let (status, _) = client.get("/customers", Some("not-a-jwt")).await;
    assert_eq!(status, 401);
    // A token whose signature does not match its content.
    let token = cloud.token(claims("pat", "pat@acme.example", &["partner-admins"], Some("acme"))).await;
    let [header, _, signature] = token.split('.').collect::<Vec<_>>()[..] else { panic!("a JWT: {token}") };
    let forged_payload = base64_url(&json!({"sub": "pat", "cognito:groups": ["platform-admins"]}).to_string());
    let (status, _) = client.get("/customers", Some(&format!("{header}.{forged_payload}.{signature}"))).await;
    assert_eq!(status, 401, "a forged token is refused");
    // The same request with the genuine token passes the authorizer.
    let (status, _) = client.get("/customers", Some(&token)).await;
    assert_eq!(status, 200);
    attacks_on_the_authorizer_get_401(cloud, client).await;
}

/// What an attacker tries against the authorizer, each through the gateway: 401 with API
/// Gateway's own body, nothing else said, and no function reached.
async fn attacks_on_the_authorizer_get_401(cloud: &RunningCloud, client: &Client) {
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    use local_cloud::signin::tokens::{Issuer, TokenRequest};
    use std::time::SystemTime;

    let issuer_url = format!("{}/_local", cloud.api);
    let key_file = cloud.issuer_key_file();
    let with_the_real_key = |issuer: &str, audience: &str| Issuer::load_or_create(&key_file, issuer, audience).unwrap();
    let genuine = with_the_real_key(&issuer_url, local_cloud::cloud::AUDIENCE);
    let olivia = TokenRequest {
        sub: "olivia".into(),
        groups: vec!["platform-admins".into()],
        email: Some("olivia@meshcustomers.example".into()),
        ..TokenRequest::default()
    };
    let now = SystemTime::now();
    let hours = |hours: u64| Duration::from_secs(hours * 60 * 60);
    let sign_with_the_public_key = {
        // The public key as its JWKS publishes it, used as an HMAC secret (the HS256 confusion).
        let jwk = serde_json::to_vec(&genuine.jwks().keys[0]).unwrap();
        let mut header = Header::new(Algorithm::HS256);
        header.kid = genuine.jwks().keys[0].common.key_id.clone();
        let claims = json!({"sub": "olivia", "iss": issuer_url, "aud": local_cloud::cloud::AUDIENCE,
            "token_use": "id", "cognito:groups": ["platform-admins"], "exp": 4_000_000_000u64});
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(&jwk)).unwrap()
    };
    let alg_none = {
        let token = genuine.mint(&olivia, now);
        let payload = token.split('.').nth(1).expect("a JWT");
        format!("{}.{payload}.", base64_url(r#"{"alg":"none","typ":"JWT"}"#))
    };
    let attacks = [
        ("alg none", alg_none),
        ("HS256 signed with the public key", sign_with_the_public_key),
        ("another issuer", with_the_real_key("https://evil.example", local_cloud::cloud::AUDIENCE).mint(&olivia, now)),
        ("another audience", with_the_real_key(&issuer_url, "another-client").mint(&olivia, now)),
        ("an unknown key", Issuer::ephemeral(&issuer_url, local_cloud::cloud::AUDIENCE).unwrap().mint(&olivia, now)),
        ("expired", genuine.mint(&olivia, now - hours(13))),
        ("issued in the future", genuine.mint(&olivia, now + hours(1))),
        ("an access token", genuine.mint_access(&olivia, now)),
        ("a malformed key", "mck_short".to_owned()),
        ("an unknown key of the right shape", format!("mck_{}", "A".repeat(43))),
    ];
    for (attack, credential) in attacks {
        let (status, body) = client.get("/customers", Some(&credential)).await;
        assert_eq!((status, body), (401, json!({"message": "Unauthorized"})), "{attack}");
    }
    // The genuine token of the same person passes, so what was refused was the attack.
    let (status, _) = client.get("/customers", Some(&genuine.mint(&olivia, now))).await;
    assert_eq!(status, 200);
}

async fn registering_sends_the_being_verified_mail(cloud: &RunningCloud, client: &Client) {
    let registrant = cloud.token(claims("sam", "sam@shop.example", &[], None)).await;
    let (status, body) = client
        .post("/registrations", &registrant, json!({"identifier": "sams-shop", "displayName": "Sam's Shop"}))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "PENDING_APPROVAL");
    let mail = within(Duration::from_secs(30), async || {
        cloud.mails().await.into_iter().find(|mail| mail["destination"]["to"] == json!(["sam@shop.example"]))
    })
    .await
    .expect("the registrant's mail reaches the SES store");
    let subject = mail["subject"].as_str().unwrap_or_default();
    assert!(subject.contains("being verified"), "{subject}");
    assert!(mail["body"]["text"].as_str().unwrap_or_default().contains("Sam's Shop"), "{mail}");
}

/// The registration of `registering_sends_the_being_verified_mail` approved by the platform
/// admin: the "approved" mail carries the confirmation link, whose token confirms the address
/// once, without a bearer token, and appears in no log line.
async fn the_approval_mails_a_link_that_activates_the_customer_once(cloud: &RunningCloud, client: &Client) {
    let operator = cloud.token(claims("olivia", "olivia@platform.example", &["platform-admins"], None)).await;
    let (status, body) =
        client.send(reqwest::Method::POST, "/customers/sams-shop/approval", Some(&operator), None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "AWAITING_EMAIL_CONFIRMATION");
    let mail = within(Duration::from_secs(30), async || {
        let mails = cloud.mails().await.into_iter();
        mails
            .filter(|mail| mail["destination"]["to"] == json!(["sam@shop.example"]))
            .find(|mail| mail["subject"].as_str().is_some_and(|subject| subject.contains("is approved")))
    })
    .await
    .expect("the approved mail reaches the SES store");
    let text = mail["body"]["text"].as_str().unwrap_or_default();
    // The local cloud gives the template's PortalBaseUrl its own portal's URL.
    let link = &format!("{}/confirm-email?token=", cloud.portal);
    let start = text.find(link).unwrap_or_else(|| panic!("the mail carries the link: {text}")) + link.len();
    let token = &text[start..start + 43];

    let confirmation = Some(json!({"token": token}));
    let (status, body) = client.send(reqwest::Method::POST, "/email-confirmations", None, confirmation.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, json!({"customerId": "sams-shop", "email": "sam@shop.example", "status": "ACTIVE"}));
    let registrant = cloud.token(claims("sam", "sam@shop.example", &[], None)).await;
    let (status, customer) = client.get("/customers/sams-shop", Some(&registrant)).await;
    assert_eq!((status, customer["status"].clone()), (200, json!("ACTIVE")), "{customer}");
    let (status, body) = client.send(reqwest::Method::POST, "/email-confirmations", None, confirmation).await;
    assert_eq!((status, body["type"].clone()), (410, json!("confirmation-used")), "{body}");
    assert!(!cloud.log().contains(token), "a link's token is in the log");
}

async fn a_created_customer_shows_in_its_history_once_with_the_actor(cloud: &RunningCloud, client: &Client) {
    let admin = cloud.token(claims("pat", "pat@acme.example", &["partner-admins"], Some("acme"))).await;
    let (status, body) =
        client.post("/customers", &admin, json!({"identifier": "acme-web", "displayName": "Acme Web"})).await;
    assert_eq!(status, 201, "{body}");
    let created_events = async || {
        let (status, history) = client.get("/customers/acme-web/events", Some(&admin)).await;
        assert_eq!(status, 200, "{history}");
        let items = history["items"].as_array().cloned().unwrap_or_default();
        items.into_iter().filter(|event| event["type"] == "CUSTOMER_CREATED").collect::<Vec<_>>()
    };
    let events = within(Duration::from_secs(10), async || Some(created_events().await).filter(|e| !e.is_empty()))
        .await
        .expect("CUSTOMER_CREATED is in the history within 10 s");
    assert_eq!(events[0]["actor"], json!({"userId": "pat", "email": "pat@acme.example", "role": "PARTNER_ADMIN"}));
    // Exactly once, also after the stream pump, the bus and the audit writer had time to repeat.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(created_events().await.len(), 1);
}

async fn another_partner_gets_404(cloud: &RunningCloud, client: &Client) {
    let globex = cloud.token(claims("gil", "gil@globex.example", &["partner-admins"], Some("globex"))).await;
    let (status, body) = client.get("/customers/acme-web", Some(&globex)).await;
    assert_eq!(status, 404, "{body}");
    let (missing_status, missing) = client.get("/customers/no-such-customer", Some(&globex)).await;
    let hidden = body.to_string().replace("acme-web", "no-such-customer");
    assert_eq!((status, hidden), (missing_status, missing.to_string()), "a hidden customer looks like a missing one");
    let (status, list) = client.get("/customers", Some(&globex)).await;
    assert_eq!((status, list["items"].as_array().map(Vec::len)), (200, Some(0)));
}

/// sam, the CUSTOMER_ADMIN of sams-shop (ACTIVE since the confirmation), invites dana: the
/// invitation mail reaches the SES store with its link, whose token only dana, signed in with
/// the invited address, can use, once; no log line holds it.
async fn an_invitation_is_mailed_and_accepted_by_the_invitee(cloud: &RunningCloud, client: &Client) {
    let sam = cloud.token(claims("sam", "sam@shop.example", &[], None)).await;
    let invitation = json!({"email": "Dana@Shop.example", "role": "CUSTOMER_EMPLOYEE"});
    let (status, body) = client.post("/customers/sams-shop/invitations", &sam, invitation).await;
    assert_eq!((status, body["status"].clone()), (201, json!("PENDING")), "{body}");
    let mail = within(Duration::from_secs(30), async || {
        cloud.mails().await.into_iter().find(|mail| mail["destination"]["to"] == json!(["dana@shop.example"]))
    })
    .await
    .expect("the invitation mail reaches the SES store");
    let text = mail["body"]["text"].as_str().unwrap_or_default();
    // The local cloud gives the template's PortalBaseUrl its own portal's URL.
    let link = &format!("{}/accept-invitation?token=", cloud.portal);
    let start = text.find(link).unwrap_or_else(|| panic!("the mail carries the link: {text}")) + link.len();
    let token = &text[start..start + 43];

    let (status, body) = client.post("/invitations/accept", &sam, json!({"token": token})).await;
    assert_eq!((status, body["type"].clone()), (403, json!("invitation-email-mismatch")), "{body}");
    let dana = cloud.token(claims("dana", "dana@shop.example", &[], None)).await;
    let (status, membership) = client.post("/invitations/accept", &dana, json!({"token": token})).await;
    assert_eq!(status, 201, "{membership}");
    assert_eq!(
        (membership["customerId"].clone(), membership["role"].clone()),
        (json!("sams-shop"), json!("CUSTOMER_EMPLOYEE"))
    );
    let (status, body) = client.post("/invitations/accept", &dana, json!({"token": token})).await;
    assert_eq!((status, body["type"].clone()), (410, json!("invitation-used")), "{body}");
    let (status, mine) = client.get("/me/customers", Some(&dana)).await;
    assert_eq!((status, mine["items"][0]["customerId"].clone()), (200, json!("sams-shop")), "{mine}");
    let (status, listed) = client.get("/customers/sams-shop/invitations", Some(&sam)).await;
    assert_eq!((status, listed["items"][0]["status"].clone()), (200, json!("ACCEPTED")), "{listed}");
    assert!(!cloud.log().contains(token), "an invitation's token is in the log");
}

/// Twenty requests at once through the gateway, as many clients would send them (the local Lambda
/// runs several instances of a function when its branch allows, one otherwise): "Add Myself"
/// (one membership, one event), an invitation's acceptance (one), project creation at the quota
/// (exactly the quota) and service-user creation racing a disable (none lands after it).
async fn races_through_the_gateway_keep_their_invariants(cloud: &RunningCloud, client: &Client) {
    const RACERS: usize = 20;
    const QUOTA: usize = 3;
    let pia = cloud.token(claims("pia", "pia@acme.example", &["partner-admins"], Some("acme"))).await;
    let customer = json!({"identifier": "race-co", "displayName": "Race Co", "projectQuota": QUOTA});
    let (status, body) = client.post("/customers", &pia, customer).await;
    assert_eq!(status, 201, "{body}");
    let statuses = |answers: &[(u16, Value)]| answers.iter().map(|(status, _)| *status).collect::<Vec<_>>();

    // "Add Myself", twenty times at once: one membership, one event, nineteen 409.
    let joins = (0..RACERS).map(|_| client.post("/customers/race-co/users/me", &pia, json!({"reason": "race"})));
    let answers = join_all(joins).await;
    assert_eq!(answers.iter().filter(|(status, _)| *status == 201).count(), 1, "{:?}", statuses(&answers));
    for (status, body) in answers.iter().filter(|(status, _)| *status != 201) {
        assert_eq!((*status, body["type"].clone()), (409, json!("already-member")), "{body}");
    }
    let joined = within(Duration::from_secs(30), async || {
        let (_, history) = client.get("/customers/race-co/events?type=USER_ASSIGNED_HIMSELF", Some(&pia)).await;
        let entries = history["items"].as_array().cloned().unwrap_or_default();
        (!entries.is_empty()).then_some(entries)
    })
    .await
    .expect("the join reaches the history");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (_, history) = client.get("/customers/race-co/events?type=USER_ASSIGNED_HIMSELF", Some(&pia)).await;
    assert_eq!((joined.len(), history["items"].as_array().map(Vec::len)), (1, Some(1)), "{history}");

    // One invitation accepted by twenty requests at once: one membership.
    let invitation = json!({"email": "racer@race.example", "role": "CUSTOMER_EMPLOYEE"});
    let (status, body) = client.post("/customers/race-co/invitations", &pia, invitation).await;
    assert_eq!(status, 201, "{body}");
    let mail = within(Duration::from_secs(30), async || {
        cloud.mails().await.into_iter().find(|mail| mail["destination"]["to"] == json!(["racer@race.example"]))
    })
    .await
    .expect("the invitation mail reaches the SES store");
    let text = mail["body"]["text"].as_str().unwrap_or_default();
    let link = &format!("{}/accept-invitation?token=", cloud.portal);
    let start = text.find(link).expect("the mail carries the link") + link.len();
    let token = &text[start..start + 43];
    let racer = cloud.token(claims("racer", "racer@race.example", &[], None)).await;
    let accepts = (0..RACERS).map(|_| client.post("/invitations/accept", &racer, json!({"token": token})));
    let answers = join_all(accepts).await;
    assert_eq!(answers.iter().filter(|(status, _)| *status == 201).count(), 1, "{:?}", statuses(&answers));
    for (status, body) in answers.iter().filter(|(status, _)| *status != 201) {
        assert!(matches!(status, 409 | 410), "{status} {body}");
    }
    let (_, members) = client.get("/customers/race-co/users", Some(&pia)).await;
    let racers = members["items"].as_array().unwrap().iter().filter(|member| member["userId"] == "racer").count();
    assert_eq!(racers, 1, "{members}");

    // Twenty project creations at a quota of three: exactly three.
    let creations = (0..RACERS).map(|n| {
        let project = json!({"identifier": format!("p{n}"), "displayName": format!("Project {n}")});
        let pia = &pia;
        async move { client.post("/customers/race-co/projects", pia, project).await }
    });
    let answers = join_all(creations).await;
    assert_eq!(answers.iter().filter(|(status, _)| *status == 201).count(), QUOTA, "{:?}", statuses(&answers));
    for (status, body) in answers.iter().filter(|(status, _)| *status != 201) {
        assert_eq!((*status, body["type"].clone()), (409, json!("quota-exceeded")), "{body}");
    }
    let (_, projects) = client.get("/customers/race-co/projects", Some(&pia)).await;
    assert_eq!(projects["items"].as_array().map(Vec::len), Some(QUOTA), "{projects}");
    let (_, customer) = client.get("/customers/race-co", Some(&pia)).await;
    assert_eq!(customer["projectCount"], json!(QUOTA), "{customer}");

    // Twenty service-user creations racing a disable: none lands after it.
    let creations = (0..RACERS).map(|n| {
        let pia = &pia;
        async move { client.post("/customers/race-co/service-users", pia, json!({"name": format!("bot {n}")})).await }
    });
    let disable = async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let change = json!({"status": "DISABLED", "reason": "race"});
        client.send(reqwest::Method::PUT, "/customers/race-co/status", Some(&pia), Some(change)).await
    };
    let (answers, (status, body)) = futures::join!(join_all(creations), disable);
    assert_eq!(status, 200, "{body}");
    for (status, body) in answers.iter().filter(|(status, _)| *status != 201) {
        assert_eq!((*status, body["type"].clone()), (403, json!("customer-disabled")), "{body}");
    }
    let created = answers.iter().filter(|(status, _)| *status == 201).count();
    let (_, listed) = client.get("/customers/race-co/service-users", Some(&pia)).await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(created), "{listed}");
    // The order the writes landed in: the table's stream (its writes of one customer are in
    // commit order).
    let dynamodb =
        aws_sdk_dynamodb::Client::new(&meshcustomers_tests::test_app::local_sdk_config(&cloud.dynamodb).await);
    let tables = dynamodb.list_tables().send().await.expect("the cloud's tables");
    let table = tables.table_names().first().expect("the cloud's table").clone();
    let writes: Vec<_> = stream_writes_at(&cloud.dynamodb, &table)
        .await
        .into_iter()
        .filter(|write| write.pk == "CUSTOMER#race-co")
        .collect();
    let disabled = writes
        .iter()
        .position(|write| write.sk == "CUSTOMER" && write.status.as_deref() == Some("DISABLED"))
        .expect("the disable is in the stream");
    let late: Vec<_> = writes[disabled..]
        .iter()
        .filter(|write| write.event_name == "INSERT" && write.sk.starts_with("SERVICE_USER#"))
        .collect();
    assert!(late.is_empty(), "service users landed after the disable: {late:?} ({:?})", statuses(&answers));
}

async fn the_contract_and_its_reference_page_are_served(client: &Client) {
    let (status, document) = client.get("/_local/openapi.json", None).await;
    assert_eq!(status, 200);
    assert!(document["openapi"].as_str().is_some_and(|version| version.starts_with("3.1")), "{document}");
    let page = client.http.get(format!("{}/_local/api/", client.api)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("/_local/api/swagger-ui-bundle.js") && html.contains("/_local/openapi.json"), "{html}");
    let renderer = client.http.get(format!("{}/_local/api/swagger-ui-bundle.js", client.api)).send().await.unwrap();
    assert_eq!(renderer.status(), 200, "the renderer is served locally, no CDN");
    assert!(renderer.bytes().await.unwrap().len() > 100_000);
}

/// Fixed, so a failure can be reproduced with the same command.
const FUZZ_SEED: &str = "20261124";
/// Test cases per operation and phase; the run stays within a few minutes on two cores.
const FUZZ_EXAMPLES: &str = "20";

/// schemathesis against the running local cloud: every operation of `infra/openapi.yaml`, with
/// the tokens of four kinds of caller. Checks: no 5xx; statuses, content types, headers and
/// bodies as documented.
async fn schemathesis_finds_no_defect(cloud: &RunningCloud) {
    let callers = [
        ("partner admin", claims("fuzz-pat", "fuzz-pat@acme.example", &["partner-admins"], Some("acme"))),
        ("partner employee", claims("fuzz-eve", "fuzz-eve@acme.example", &["partner-employees"], Some("acme"))),
        ("other partner's admin", claims("fuzz-gil", "fuzz-gil@globex.example", &["partner-admins"], Some("globex"))),
        ("plain user", claims("fuzz-sam", "fuzz-sam@shop.example", &[], None)),
    ];
    let reports = std::env::temp_dir().join(format!("schemathesis-{}", std::process::id()));
    std::fs::create_dir_all(&reports).unwrap();
    let mut figures = Vec::new();
    let mut failed = Vec::new();
    for (name, claims) in callers {
        let token = cloud.token(claims).await;
        let report = reports.join(format!("{}.json", name.replace(' ', "-").replace('\'', "")));
        let output = std::process::Command::new(repo_root().join("infra/local/.venv/bin/schemathesis"))
            .args(["run", &format!("{}/_local/openapi.json", cloud.api), "--url", &cloud.api])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .args(["--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance"])
            // One worker: schemathesis' workers are threads, and with two, case generation on the
            // venv's CPython 3.11.7 now and then crashed in `ast.parse` (hypothesis describing a
            // filter) with "SystemError: AST constructor recursion depth mismatch" (the message of
            // python/cpython#106905), a run error unrelated to the API; one worker never did. The
            // local Lambda serves each function's invocations one at a time, so little is lost.
            .args(["--max-examples", FUZZ_EXAMPLES, "--seed", FUZZ_SEED, "--workers", "1"])
            .args(["--report", "json", "--report-json-path"])
            .arg(&report)
            .current_dir(&reports)
            .env("SCHEMATHESIS_TELEMETRY", "false")
            .env("NO_COLOR", "1")
            .output()
            .expect("schemathesis runs (make deps installs it)");
        let printed = String::from_utf8_lossy(&output.stdout);
        let report: Value =
            std::fs::read(&report).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default();
        let count = |pointer: &str| report.pointer(pointer).and_then(Value::as_u64).unwrap_or_default();
        let (operations, cases) = (count("/operations/tested"), count("/test_cases/generated"));
        let (failures, errors) = (count("/test_cases/with_failures"), count("/test_cases/errored"));
        figures.push(format!("{name:<22} {operations:>10} {cases:>10} {failures:>8} {errors:>6}"));
        if !output.status.success() || failures > 0 || errors > 0 || operations == 0 {
            failed.push(format!("{name}:\n{printed}\n{}", String::from_utf8_lossy(&output.stderr)));
        }
    }
    println!(
        "schemathesis (seed {FUZZ_SEED}, at most {FUZZ_EXAMPLES} examples per operation and phase):\n\
         {:<22} {:>10} {:>10} {:>8} {:>6}\n{}",
        "caller",
        "operations",
        "test cases",
        "failures",
        "errors",
        figures.join("\n")
    );
    assert!(
        failed.is_empty(),
        "schemathesis found defects:\n{}\nlocal cloud log:\n{}",
        failed.join("\n\n"),
        cloud.log_tail()
    );
}

fn base64_url(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}
