//! The DNS rebinding guard: a page on another site whose name an attacker's DNS points at
//! 127.0.0.1 reaches the local cloud with its own name in `Host`. The local helpers (tokens, the
//! sign-in, health, the contract…) and the portal answer only a loopback `Host`.

use std::sync::Arc;
use std::time::Duration;

use local_cloud::bus::RetryTiming;
use local_cloud::bus::schedules::Scheduler;
use local_cloud::dead_letters::DeadLetters;
use local_cloud::gateway::Gateway;
use local_cloud::gateway::api_reference::ApiReference;
use local_cloud::gateway::lambda_authorizer::{AuthorizerDefinition, LocalAuthorizer};
use local_cloud::gateway::routes::RouteTable;
use local_cloud::lambda::LambdaTwin;
use local_cloud::lambda::code_reload::BuildState;
use local_cloud::lambda::invoke::Lambda;
use local_cloud::portal::{Portal, page_config};
use local_cloud::signin::oauth::{AppClient, LocalSignIn};
use local_cloud::signin::tokens::Issuer;
use local_cloud::template::repo_root;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::sync::watch;

/// A gateway with the local helpers and no routes; its address.
async fn gateway() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let issuer = Arc::new(Issuer::ephemeral(&format!("http://{address}/_local"), "meshcustomers-local").unwrap());
    let client = AppClient {
        client_id: "meshcustomers-local".into(),
        callback_urls: vec!["http://127.0.0.1:5173/auth/callback".into()],
        logout_urls: vec!["http://127.0.0.1:5173/".into()],
    };
    let (build_state, builds) = watch::channel(BuildState::default());
    std::mem::forget(build_state);
    let gateway = Arc::new(Gateway {
        routes: RouteTable::default(),
        reference: Arc::new(ApiReference::load(&repo_root()).unwrap()),
        issuer: Arc::clone(&issuer),
        authorizer: LocalAuthorizer::new(AuthorizerDefinition {
            function: "authorizer".into(),
            header: "authorization".into(),
            ttl: Duration::ZERO,
        }),
        cors: None,
        sign_in: Arc::new(LocalSignIn::new(client, issuer)),
        lambda: Lambda::new("http://127.0.0.1:9"),
        functions: Arc::new(LambdaTwin::start(vec![], &builds)),
        scheduler: Arc::new(Scheduler {
            schedules: vec![],
            lambda: Lambda::new("http://127.0.0.1:9"),
            dead_letters: Arc::new(DeadLetters::new(std::env::temp_dir().join("loopback-host-dead-letters"))),
            timing: RetryTiming::default(),
        }),
    });
    tokio::spawn(local_cloud::gateway::serve(listener, gateway, std::future::pending()));
    format!("http://{address}")
}

async fn mint(gateway: &str, host: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{gateway}/_local/tokens"))
        .header("host", host)
        .json(&json!({"sub": "olivia", "groups": ["platform-admins"]}))
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_foreign_host_gets_no_token_and_a_loopback_one_does() {
    let gateway = gateway().await;
    let port = gateway.rsplit(':').next().unwrap();
    for host in ["evil.example:3000", "evil.example", "127.0.0.1.evil.example", "localhost.evil.example:3000"] {
        let (status, body) = mint(&gateway, host).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{host}: {body}");
        assert!(body.get("token").is_none(), "{host}: {body}");
        assert!(body["message"].as_str().unwrap().contains("loopback"), "{host}: {body}");
    }
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}"), "LOCALHOST".into()]
    {
        let (status, body) = mint(&gateway, &host).await;
        assert_eq!(status, StatusCode::OK, "{host}: {body}");
        assert!(body["token"].as_str().is_some_and(|token| token.split('.').count() == 3), "{host}: {body}");
    }
}

#[tokio::test]
async fn every_local_helper_and_the_sign_in_refuse_a_foreign_host() {
    let gateway = gateway().await;
    let client = reqwest::Client::new();
    let paths = [
        "/_local/health",
        "/_local/openapi.json",
        "/_local/api/",
        "/_local/.well-known/jwks.json",
        "/_local/.well-known/openid-configuration",
        "/_local/oauth2/authorize?client_id=meshcustomers-local",
        "/_local/logout?client_id=meshcustomers-local",
    ];
    for path in paths {
        let foreign = client.get(format!("{gateway}{path}")).header("host", "evil.example:3000").send().await.unwrap();
        assert_eq!(foreign.status(), StatusCode::FORBIDDEN, "{path}");
        let local = client.get(format!("{gateway}{path}")).send().await.unwrap();
        assert_ne!(local.status(), StatusCode::FORBIDDEN, "{path}");
    }
    let exchange = client
        .post(format!("{gateway}/_local/oauth2/token"))
        .header("host", "evil.example:3000")
        .form(&[("grant_type", "authorization_code"), ("code", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(exchange.status(), StatusCode::FORBIDDEN);
    let schedule = client
        .post(format!("{gateway}/_local/schedules/Anything"))
        .header("host", "evil.example:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(schedule.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_portal_answers_only_a_loopback_host() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let portal = format!("http://{}", listener.local_addr().unwrap());
    let config = page_config("http://127.0.0.1:3000", "meshcustomers-local");
    let router = local_cloud::portal::router(Arc::new(Portal::new(repo_root().join("web/dist"), config)));
    tokio::spawn(axum::serve(listener, router).into_future());
    let client = reqwest::Client::new();
    let foreign = client.get(format!("{portal}/config.json")).header("host", "evil.example:5173").send().await.unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let local = client.get(format!("{portal}/config.json")).send().await.unwrap();
    assert_eq!(local.status(), StatusCode::OK);
    assert_eq!(local.json::<Value>().await.unwrap()["apiBaseUrl"], "http://127.0.0.1:3000");
}
