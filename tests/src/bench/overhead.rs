//! Section 2: overhead over the raw SDK. For each route, in one process against DynamoDB Local:
//! the handler's time (the API Gateway event's bytes parsed into a request as `lambda_http` does,
//! then the function crate's `handle` with its `App`, up to the response) against the time of the
//! same DynamoDB requests made directly with the SDK (captured from the handler, see
//! [`super::replay`]). Both sides alternate within each iteration, so drift and noise meet both;
//! the ratio is of the medians.

use std::time::{Duration, Instant};

use lambda_http::{Body, Response};
use meshcustomers::App;
use meshcustomers::config::Settings;
use meshcustomers::domain::{CustomerRole, CustomerStatus, GeneratedId, MessageMode};
use meshcustomers::http::{ApiError, respond};
use meshcustomers::secrets::Secret;
use meshcustomers::store::{CursorKey, Store};
use serde_json::json;

use super::event::{ApiRequest, into_request};
use super::replay::{Capture, Request, replay};
use super::stats::summarize;
use super::{Row, Sizes};
use crate::test_app::{TEST_CURSOR_KEY, test_environment, test_variables};
use crate::{Caller, TestApp, fixtures};

const SECTION: &str = "overhead";
const MAX_RATIO: f64 = 1.1;
const CUSTOMER: &str = "overhead-co";
const PARTNER: &str = "acme";
/// Customers of the partner, so that its list's first page is a full one.
const PARTNER_CUSTOMERS: usize = 25;

fn member() -> Caller {
    Caller::user("overhead-admin", "admin@overhead-co.example").with("name", "Overhead Admin")
}

/// A function's `App` on `client`, configured as in the tests.
fn app_on<S: Settings>(test: &TestApp, client: aws_sdk_dynamodb::Client) -> App<S> {
    let variables = test_variables(&test.table);
    let settings = S::read(&test_environment(&variables)).expect("the test configuration is valid");
    let store = Store::new(client, &test.table, CursorKey::Fixed(Secret::new(TEST_CURSOR_KEY)));
    App { settings, store, aws: test.sdk.clone() }
}

/// One route's measurement: its request (fresh for each call, as a write needs) and its handler.
struct Route<'a, S, H> {
    name: &'static str,
    request: &'a dyn Fn(String) -> ApiRequest,
    handler: H,
    _settings: std::marker::PhantomData<S>,
}

/// Times handler and replay `iterations` times after `warm_up` untimed pairs.
async fn measure<S: Settings, H>(test: &TestApp, route: Route<'_, S, H>, warm_up: usize, iterations: usize) -> Row
where
    H: AsyncFn(&App<S>, lambda_http::Request) -> Result<Response<Body>, ApiError>,
{
    let raw = aws_sdk_dynamodb::Client::new(&test.sdk);
    let app = app_on::<S>(test, raw.clone());
    let passing = Capture::passing_through();
    let capturing_app = app_on::<S>(test, passing.client(&test.sdk));
    let withholding = Capture::withholding_writes();
    let withholding_app = app_on::<S>(test, withholding.client(&test.sdk));

    // What the route sends, from a call that really happens (reads), or whose writes are
    // withheld so that the replay is the one that writes them.
    let captured = (route.handler)(&capturing_app, into_request(&event_bytes(&(route.request)("warm".into())))).await;
    assert_success(route.name, captured);
    let reads = passing.take();
    let writes = reads.iter().any(|request| matches!(request, Request::TransactWriteItems(_) | Request::PutItem(_)));
    let round_trips = reads.len();

    // Untimed pairs first: DynamoDB Local is a JVM whose JIT compiles for the first hundreds of
    // requests, on the same two cores; timing them measured the emulator's warm-up.
    let mut handler_times = Vec::with_capacity(iterations);
    let mut raw_times = Vec::with_capacity(iterations);
    for iteration in 0..warm_up + iterations {
        let handler_event = event_bytes(&(route.request)(format!("h{iteration}")));
        let requests = if writes {
            let event = event_bytes(&(route.request)(format!("r{iteration}")));
            let _ = (route.handler)(&withholding_app, into_request(&event)).await;
            withholding.take()
        } else {
            reads.clone()
        };
        let time_handler = async || {
            let started = Instant::now();
            let response = (route.handler)(&app, into_request(&handler_event)).await;
            let took = started.elapsed();
            assert_success(route.name, response);
            took
        };
        let time_raw = async || {
            let started = Instant::now();
            for request in &requests {
                replay(&raw, request).await;
            }
            started.elapsed()
        };
        let (handler_time, raw_time) = if iteration % 2 == 0 {
            let handler_time = time_handler().await;
            (handler_time, time_raw().await)
        } else {
            let raw_time = time_raw().await;
            (time_handler().await, raw_time)
        };
        if iteration >= warm_up {
            handler_times.push(handler_time);
            raw_times.push(raw_time);
        }
    }
    row(route.name, &handler_times, &raw_times, round_trips)
}

fn row(name: &str, handler: &[Duration], raw: &[Duration], round_trips: usize) -> Row {
    let (handler, raw) = (summarize(handler), summarize(raw));
    let ratio = handler.median / raw.median;
    Row::new(SECTION, name)
        .figure("handler median", handler.median, "ms")
        .figure("raw SDK median", raw.median, "ms")
        .figure("ratio", ratio, "×")
        .figure("round trips", round_trips as f64, "calls")
        .at_most(format!("≤ {MAX_RATIO}× the raw SDK"), ratio, MAX_RATIO)
}

fn event_bytes(request: &ApiRequest) -> Vec<u8> {
    serde_json::to_vec(&request.event()).expect("events serialize")
}

fn assert_success(route: &str, response: Result<Response<Body>, ApiError>) {
    let response = respond(response);
    assert!(response.status().is_success(), "{route} answered {} to the bench's request", response.status());
}

async fn seed(test: &TestApp) {
    let member = member();
    fixtures::customer(test, CUSTOMER, PARTNER, CustomerStatus::Active, &[(&member, CustomerRole::CustomerAdmin)])
        .await;
    for n in 0..PARTNER_CUSTOMERS {
        fixtures::customer(test, &format!("overhead-{n:02}"), PARTNER, CustomerStatus::Active, &[]).await;
    }
    fixtures::message_in_inbox(test, CUSTOMER, GeneratedId::new(), MessageMode::SingleRead, &[&member]).await;
}

pub async fn rows(sizes: &Sizes) -> Vec<Row> {
    let test = TestApp::spawn().await;
    seed(&test).await;
    let partner_admin = Caller::partner_admin(PARTNER);
    let (warm_up, iterations) = (sizes.overhead_warm_up, sizes.overhead_iterations);
    let get = |_: String| ApiRequest::new("GET /customers/{id}", &partner_admin).param("id", CUSTOMER);
    let list = |_: String| ApiRequest::new("GET /customers", &partner_admin);
    let create = |tag: String| {
        ApiRequest::new("POST /customers", &partner_admin)
            .json(json!({"identifier": format!("made-{tag}"), "displayName": format!("Made {tag}")}))
    };
    let member = member();
    let inbox = |_: String| ApiRequest::new("GET /me/messages", &member);
    vec![
        measure(&test, route("get-customer", &get, get_customer::handle), warm_up, iterations).await,
        measure(&test, route("list-customers", &list, list_customers::handle), warm_up, iterations).await,
        measure(&test, route("create-customer", &create, create_customer::handle), warm_up, iterations).await,
        measure(&test, route("list-my-messages", &inbox, list_my_messages::handle), warm_up, iterations).await,
    ]
}

fn route<'a, S, H>(name: &'static str, request: &'a dyn Fn(String) -> ApiRequest, handler: H) -> Route<'a, S, H> {
    Route { name, request, handler, _settings: std::marker::PhantomData }
}
