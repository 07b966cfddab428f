//! How long the services take to answer a function's own requests: a reverse proxy in front of
//! each AWS endpoint a function is given (DynamoDB Local, the SES emulator, the bus, Secrets
//! Manager) forwards every request and records when it sent the request on and when the answer's
//! last byte came back. The time between is the raw round trip of the request, without the
//! function's code, its SDK's serialization or signing, or the hop to the proxy (the proxy's own
//! client is in it: tens of microseconds); requests that overlap count once. The cold-answer section uses it for each function's floor: hello
//! world's cold answer plus the round trips the function itself makes, not one `GetItem`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use local_cloud::lambda::function_spec::FunctionSpec;

/// The prefix of the variables that point the SDK at a service (`AWS_ENDPOINT_URL_DYNAMODB`, …).
const ENDPOINT_VARIABLE: &str = "AWS_ENDPOINT_URL_";
/// Headers of one hop only: the proxy's client and server set their own.
const HOP_HEADERS: [header::HeaderName; 4] =
    [header::HOST, header::CONNECTION, header::CONTENT_LENGTH, header::TRANSFER_ENCODING];

/// When the services were answering: one interval per request, in the order they finished.
type Intervals = Arc<Mutex<Vec<(Instant, Instant)>>>;

/// The proxies (one per service address) and the intervals they record.
#[derive(Default)]
pub struct ServiceClock {
    proxies: HashMap<String, String>,
    intervals: Intervals,
}

struct Proxy {
    upstream: String,
    http: reqwest::Client,
    intervals: Intervals,
}

impl ServiceClock {
    /// A copy of `spec` whose every service endpoint is a proxy of this clock.
    pub async fn timed(&mut self, spec: &FunctionSpec) -> FunctionSpec {
        let mut timed = spec.clone();
        for (name, endpoint) in timed.variables.iter_mut().filter(|(name, _)| name.starts_with(ENDPOINT_VARIABLE)) {
            assert!(endpoint.starts_with("http://"), "{name}: the bench proxies plain HTTP only, not {endpoint}");
            if !self.proxies.contains_key(endpoint.as_str()) {
                let proxy = self.start_proxy(endpoint).await;
                self.proxies.insert(endpoint.clone(), proxy);
            }
            *endpoint = self.proxies[endpoint.as_str()].clone();
        }
        timed
    }

    /// The time at least one request was at a service since the last call.
    pub fn take_busy_time(&self) -> Duration {
        let mut intervals = std::mem::take(&mut *self.intervals.lock().expect("never poisoned"));
        intervals.sort();
        busy_time(&intervals)
    }

    async fn start_proxy(&self, upstream: &str) -> String {
        let proxy = Proxy {
            upstream: upstream.trim_end_matches('/').to_owned(),
            http: reqwest::Client::new(),
            intervals: self.intervals.clone(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let address = listener.local_addr().expect("a bound address");
        let router = axum::Router::new().fallback(forward).with_state(Arc::new(proxy));
        tokio::spawn(async move { axum::serve(listener, router).await });
        format!("http://{address}")
    }
}

/// Forwards the request as it came and times the service's answer.
async fn forward(State(proxy): State<Arc<Proxy>>, request: Request) -> Result<Response, StatusCode> {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.map_err(|_| StatusCode::BAD_REQUEST)?;
    let path = parts.uri.path_and_query().map_or("/", |path| path.as_str());
    let mut headers = parts.headers;
    for name in &HOP_HEADERS {
        headers.remove(name);
    }
    let began = Instant::now();
    let answer = proxy
        .http
        .request(parts.method, format!("{}{path}", proxy.upstream))
        .headers(headers)
        .body(body)
        .send()
        .await
        .map_err(|_| StatusCode::BAD_GATEWAY)?;
    let status = answer.status();
    let mut headers = answer.headers().clone();
    let body = answer.bytes().await.map_err(|_| StatusCode::BAD_GATEWAY)?;
    proxy.intervals.lock().expect("never poisoned").push((began, Instant::now()));
    for name in &HOP_HEADERS {
        headers.remove(name);
    }
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Ok(response)
}

/// The length of the union of `intervals`, sorted by their start.
fn busy_time(intervals: &[(Instant, Instant)]) -> Duration {
    let mut busy = Duration::ZERO;
    let mut current: Option<(Instant, Instant)> = None;
    for &(start, end) in intervals {
        current = match current {
            Some((from, to)) if start <= to => Some((from, to.max(end))),
            Some((from, to)) => {
                busy += to - from;
                Some((start, end))
            }
            None => Some((start, end)),
        };
    }
    busy + current.map_or(Duration::ZERO, |(from, to)| to - from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_requests_count_once_and_the_gaps_between_not_at_all() {
        let zero = Instant::now();
        let at = |ms: u64| zero + Duration::from_millis(ms);
        // 0–4 and 2–6 overlap (6 ms), 5–5 lies inside them, 10–11 stands alone (1 ms).
        let intervals = [(at(0), at(4)), (at(2), at(6)), (at(5), at(5)), (at(10), at(11))];
        assert_eq!(busy_time(&intervals), Duration::from_millis(7));
        assert_eq!(busy_time(&[]), Duration::ZERO);
    }
}
