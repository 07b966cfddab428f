//! The DNS rebinding guard. A page on another site can have its own name resolve to 127.0.0.1
//! and then call the local cloud from the browser as that site: the request then carries the
//! foreign name in `Host`. The local helpers (which mint tokens without a password) and the
//! portal answer only requests whose `Host` is a loopback name or address, with or without a
//! port; anything else gets 403 and a short explanation, and reaches no handler.

use std::net::IpAddr;

use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Whether `Host` names this machine: `127.0.0.1`, `localhost`, `[::1]` (any loopback
/// address), each with or without a port. A missing `Host` is not loopback.
pub fn is_loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|host| host.to_str().ok()) else { return false };
    let name = match host.strip_prefix('[') {
        // `[::1]` or `[::1]:3000`
        Some(bracketed) => match bracketed.split_once(']') {
            Some((address, rest)) if rest.is_empty() || is_port(rest) => address,
            _ => return false,
        },
        None => match host.rsplit_once(':') {
            Some((name, port)) if is_port(&format!(":{port}")) => name,
            Some(_) => return false,
            None => host,
        },
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<IpAddr>().is_ok_and(|address| address.is_loopback())
}

/// `:` followed by a port number.
fn is_port(text: &str) -> bool {
    text.strip_prefix(':').is_some_and(|port| port.parse::<u16>().is_ok())
}

/// Middleware: the request goes on only with a loopback `Host` (see [`is_loopback_host`]).
pub async fn only_loopback_host(request: Request, next: Next) -> Response {
    if is_loopback_host(request.headers()) {
        return next.run(request).await;
    }
    let host = request.headers().get(header::HOST).and_then(|host| host.to_str().ok()).unwrap_or("(none)");
    tracing::warn!(host, path = request.uri().path(), "refused: not a loopback Host");
    let message = format!(
        "The local cloud answers only a loopback Host (127.0.0.1, localhost or [::1], with or without a port), \
         not {host:?}: a page on another site may have pointed its name at this machine (DNS rebinding). \
         Open it as http://127.0.0.1:<port>."
    );
    (StatusCode::FORBIDDEN, axum::Json(json!({ "message": message }))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, value.parse().unwrap());
        headers
    }

    #[test]
    fn loopback_names_and_addresses_pass_with_or_without_a_port() {
        for value in ["127.0.0.1", "127.0.0.1:3000", "localhost", "LocalHost:5173", "[::1]", "[::1]:9000", "127.0.0.2"]
        {
            assert!(is_loopback_host(&host(value)), "{value}");
        }
    }

    #[test]
    fn other_names_and_malformed_hosts_do_not() {
        let refused = [
            "evil.example",
            "evil.example:3000",
            "localhost.evil.example",
            "127.0.0.1.nip.io:3000",
            "10.0.0.1:3000",
            "[::1]x",
            "[::1]:port",
            "localhost:",
            "localhost:99999",
            "[fe80::1]:3000",
            "",
        ];
        for value in refused {
            assert!(!is_loopback_host(&host(value)), "{value}");
        }
        assert!(!is_loopback_host(&HeaderMap::new()), "no Host at all");
    }
}
