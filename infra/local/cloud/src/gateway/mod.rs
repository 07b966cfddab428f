//! The local API Gateway: the template's routes behind its Lambda authorizer, each invoking its
//! function through the local Lambda with the 2.0 payload, plus the local-only helpers under
//! `/_local` (health, tokens, the issuer's keys, the API's contract and reference page, the local
//! sign-in), which the template never has and which answer only a loopback `Host`. The API's CORS
//! configuration applies to every answer.

pub mod api_reference;
pub mod cors;
pub mod lambda_authorizer;
pub mod payload;
pub mod routes;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::SystemTime;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};

use crate::bus::schedules::Scheduler;
use crate::gateway::api_reference::ApiReference;
use crate::gateway::cors::CorsPolicy;
use crate::gateway::lambda_authorizer::{Decision, LocalAuthorizer};
use crate::gateway::payload::{IncomingRequest, http_response, request_event, with_authorizer_context};
use crate::gateway::routes::RouteTable;
use crate::lambda::LambdaTwin;
use crate::lambda::function::Readiness;
use crate::lambda::invoke::Lambda;
use crate::loopback_host::only_loopback_host;
use crate::signin::oauth::LocalSignIn;
use crate::signin::tokens::{Issuer, TokenRequest};

pub struct Gateway {
    pub routes: RouteTable,
    /// `/_local/openapi.json` and the reference page `/_local/api/`.
    pub reference: Arc<ApiReference>,
    /// Mints `/_local/tokens` and publishes its keys; the authorizer verifies what it mints.
    pub issuer: Arc<Issuer>,
    /// The HttpApi's default authorizer, run through the local Lambda.
    pub authorizer: LocalAuthorizer,
    /// The HttpApi's `CorsConfiguration`, if it has one.
    pub cors: Option<CorsPolicy>,
    /// `/_local/oauth2/*` and `/_local/logout`.
    pub sign_in: Arc<LocalSignIn>,
    pub lambda: Lambda,
    /// Every function of the template (HTTP or not): health waits for all of them.
    pub functions: Arc<LambdaTwin>,
    /// `/_local/schedules/{name}` runs a schedule now.
    pub scheduler: Arc<Scheduler>,
}

pub fn router(gateway: Arc<Gateway>) -> Router {
    Router::new()
        .route("/_local/health", get(health))
        .route("/_local/tokens", post(mint_token))
        .route("/_local/.well-known/openid-configuration", get(openid_configuration))
        .route("/_local/.well-known/jwks.json", get(jwks))
        .fallback(api)
        .with_state(Arc::clone(&gateway))
        .merge(Arc::clone(&gateway.reference).router())
        .merge(crate::signin::oauth::router(Arc::clone(&gateway.sign_in)))
        .merge(
            Router::new()
                .route("/_local/schedules/{name}", post(crate::bus::schedules::run_now))
                .with_state(Arc::clone(&gateway.scheduler)),
        )
        .layer(axum::middleware::from_fn_with_state(gateway, cors))
        .layer(axum::middleware::from_fn(guard_local_helpers))
}

/// The local helpers and the sign-in mint tokens without a password: they answer only a
/// loopback `Host` (see [`crate::loopback_host`]). The API itself is guarded by its tokens.
async fn guard_local_helpers(request: Request, next: Next) -> Response {
    match request.uri().path().starts_with("/_local") {
        true => only_loopback_host(request, next).await,
        false => next.run(request).await,
    }
}

/// API Gateway answers a preflight itself, before any route or authorizer, and puts the CORS
/// headers on every other answer (see [`CorsPolicy`]).
async fn cors(State(gateway): State<Arc<Gateway>>, request: Request, next: Next) -> Response {
    let Some(policy) = &gateway.cors else { return next.run(request).await };
    if CorsPolicy::is_preflight(request.method(), request.headers()) {
        return policy.preflight(request.headers());
    }
    let request_headers = request.headers().clone();
    let mut response = next.run(request).await;
    policy.decorate(&request_headers, &mut response);
    response
}

/// Serves the gateway on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    gateway: Arc<Gateway>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(gateway).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
}

async fn api(
    State(gateway): State<Arc<Gateway>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(route) = gateway.routes.find(method.as_str(), uri.path()) else {
        return message(StatusCode::NOT_FOUND, "Not Found");
    };
    let request = IncomingRequest {
        method: &method,
        raw_path: uri.path(),
        raw_query: uri.query().unwrap_or_default(),
        headers: &headers,
        body: &body,
        source_ip: peer.ip().to_string(),
    };
    let mut event = request_event(&request, &route, chrono::Utc::now());
    if route.authorized {
        match gateway.authorizer.decide(&gateway.lambda, &headers, &event).await {
            Decision::Allowed(context) => event = with_authorizer_context(event, context),
            Decision::Unauthorized => {
                tracing::info!(route = route.route_key, "401 from the authorizer");
                return message(StatusCode::UNAUTHORIZED, "Unauthorized");
            }
            Decision::Failed(error) => {
                tracing::error!(route = route.route_key, %error, "the authorizer failed");
                return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
            }
        }
    }
    let output = match gateway.lambda.invoke(route.function, &event).await {
        Ok(output) => output,
        Err(error) => {
            tracing::error!(route = route.route_key, %error, "the integration failed");
            return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
        }
    };
    match http_response(&output) {
        Ok((status, headers, body)) => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = status;
            *response.headers_mut() = headers;
            response
        }
        Err(error) => {
            tracing::error!(route = route.route_key, %error, "the function's response is malformed");
            message(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
        }
    }
}

/// API Gateway's own error bodies: `{"message": "..."}`.
fn message(status: StatusCode, text: &str) -> Response {
    (status, axum::Json(json!({ "message": text }))).into_response()
}

/// 200 once every function of the template has asked for an invocation (nothing is sent to
/// them to find out), else 503 naming those that have not and why.
async fn health(State(gateway): State<Arc<Gateway>>) -> Response {
    let readiness = gateway.functions.readiness();
    let not_ready: Vec<Value> = readiness
        .iter()
        .filter_map(|(function, readiness)| match readiness {
            Readiness::Ready => None,
            Readiness::Starting => Some(json!({"function": function, "state": "starting"})),
            Readiness::Down(reason) => Some(json!({"function": function, "state": "down", "reason": reason})),
        })
        .collect();
    if not_ready.is_empty() {
        let functions: Vec<&String> = readiness.iter().map(|(function, _)| function).collect();
        (StatusCode::OK, axum::Json(json!({"status": "ready", "functions": functions}))).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, axum::Json(json!({"status": "starting", "notReady": not_ready})))
            .into_response()
    }
}

async fn mint_token(State(gateway): State<Arc<Gateway>>, body: Bytes) -> Response {
    match serde_json::from_slice::<TokenRequest>(&body) {
        Ok(request) if !request.sub.trim().is_empty() => {
            let token = gateway.issuer.mint(&request, SystemTime::now());
            (StatusCode::OK, axum::Json(json!({ "token": token }))).into_response()
        }
        Ok(_) => message(StatusCode::BAD_REQUEST, "sub must not be empty"),
        Err(error) => message(
            StatusCode::BAD_REQUEST,
            &format!(
                "expected {{\"sub\", \"email\"?, \"email_verified\"?, \"name\"?, \"groups\"?: [..], \"partner_id\"?}}: {error}"
            ),
        ),
    }
}

async fn openid_configuration(State(gateway): State<Arc<Gateway>>) -> Response {
    let issuer = gateway.issuer.issuer();
    axum::Json(json!({
        "issuer": issuer,
        "jwks_uri": format!("{issuer}/.well-known/jwks.json"),
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
    .into_response()
}

async fn jwks(State(gateway): State<Arc<Gateway>>) -> Response {
    axum::Json(gateway.issuer.jwks()).into_response()
}
