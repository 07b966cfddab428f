//! Section 4: cost at scale. The first page of a list whose whole is small, and of one whose
//! whole is large: a partner's customers, a customer's history, a user's customers; and the
//! members at a moment of a customer with a short and with a long membership history. Each is the
//! handler's time in process against DynamoDB Local (as in [`super::overhead`]), small and large
//! alternating, the ratio of the medians. Only a design that reads one page per request (a Query
//! with a limit, never the whole set) keeps the ratio near 1.

use std::time::{Duration, Instant};

use chrono::{TimeDelta, Utc};
use lambda_http::{Body, Response};
use meshcustomers::App;
use meshcustomers::config::Settings;
use meshcustomers::domain::{CustomerIdentifier, UserId};
use meshcustomers::http::{ApiError, respond};
use meshcustomers::store::MEMBERSHIP_SNAPSHOT_EVERY;

use super::event::{ApiRequest, into_request};
use super::seeding::Seeder;
use super::stats::summarize;
use super::{Row, Sizes};
use crate::{Caller, TestApp};

const SECTION: &str = "scale";
const MAX_RATIO: f64 = 1.2;
/// The lists' default page size (`shared/src/http/request.rs`): a user with this many customers
/// has a first page as full as one with many more.
const PAGE_SIZE: usize = 50;

/// Seeds the data sets of the three lists; returns a row that says how long that took.
async fn seed(test: &TestApp, sizes: &Sizes) -> Row {
    let owned = Seeder::new(test);
    // A reference, so that each item's `async move` block takes a copy of it.
    let seeder = &owned;
    let started = Instant::now();
    let mut written = 0;
    let (small, large) = sizes.partner_customers;
    for (partner, count) in [("small-partner", small), ("large-partner", large)] {
        let (items, _) = seeder
            .seed(0..count, |n| {
                let identifier = format!("{partner}-{n:06}");
                async move { seeder.customer_items(&identifier, partner, &[]).await }
            })
            .await;
        written += items;
    }
    let (small, large) = sizes.history_entries;
    for (customer, count) in [("small-history", small), ("large-history", large)] {
        let (items, _) = seeder.seed(0..1, |_| seeder.customer_items(customer, "history", &[])).await;
        written += items;
        let newest = Utc::now();
        let (items, _) = seeder
            .seed(0..count, |n| seeder.history_items(customer, newest - TimeDelta::milliseconds(n as i64 * 10)))
            .await;
        written += items;
    }
    // The membership log: every history entry a membership change (the worst case), the large
    // log snapshotted as the audit writer does and then SNAPSHOT_EVERY entries more (the most a
    // read meets before the next snapshot); the small one has no snapshot yet.
    let (small, large) = sizes.history_entries;
    let start = Utc::now() - TimeDelta::days(1);
    for (customer, count) in [("small-log", small), ("large-log", large)] {
        let (items, _) = seeder.seed(0..1, |_| seeder.customer_items(customer, "history", &[])).await;
        written += items;
        let tail = count.min(MEMBERSHIP_SNAPSHOT_EVERY);
        let entry = |n: usize| {
            let at = start + TimeDelta::milliseconds(n as i64);
            async move { seeder.membership_change_items(customer, n, at) }
        };
        let (items, _) = seeder.seed(0..count - tail, entry).await;
        written += items;
        if count > tail {
            let identifier = CustomerIdentifier::parse(customer).expect("an identifier");
            test.store.snapshot_memberships(&identifier, Utc::now()).await.expect("the snapshot is made");
        }
        let (items, _) = seeder.seed(count - tail..count, entry).await;
        written += items;
    }
    // The expiry sweep's data: as many memberships as the large history has entries, one in a
    // hundred ended a minute ago, four in a hundred ending in a month, the rest without an end.
    let (_, memberships) = sizes.history_entries;
    let ended = Utc::now() - TimeDelta::minutes(1);
    let later = Utc::now() + TimeDelta::days(30);
    let (items, _) = seeder.seed(0..1, |_| seeder.customer_items("swept", "history", &[])).await;
    written += items;
    let (items, _) = seeder
        .seed(0..memberships, |n| {
            let ends = match n % 100 {
                0 => Some(ended),
                1..=4 => Some(later),
                _ => None,
            };
            async move { seeder.member_items("swept", &format!("member-{n:06}"), ends).await }
        })
        .await;
    written += items;
    let (few, many) = sizes.user_customers;
    let full_page = many.min(PAGE_SIZE);
    for (user, count) in [("few-customers", few), ("page-customers", full_page), ("many-customers", many)] {
        let member = [UserId::parse(user).expect("a user id")];
        let (items, _) = seeder
            .seed(0..count, |n| {
                let identifier = format!("{user}-{n:04}");
                let member = member.clone();
                async move { seeder.customer_items(&identifier, "members", &member).await }
            })
            .await;
        written += items;
    }
    let took = started.elapsed().as_secs_f64();
    eprintln!("bench: seeded {written} items in {took:.1} s");
    Row::new(SECTION, "seeding (parallel BatchWriteItem, in-memory DynamoDB Local)")
        .figure("items", written as f64, "items")
        .figure("took", took, "s")
        .figure("rate", written as f64 / took, "items/s")
}

/// First-page latency of `small` and `large`, alternating, `requests` times each.
async fn compare<S: Settings>(
    test: &TestApp,
    subject: &str,
    handler: impl AsyncFn(&App<S>, lambda_http::Request) -> Result<Response<Body>, ApiError>,
    (small, large): (ApiRequest, ApiRequest),
    requests: usize,
) -> Row {
    let app = test.app::<S>();
    let events = [&small, &large].map(|request| serde_json::to_vec(&request.event()).expect("events serialize"));
    let time = async |event: &[u8]| {
        let started = Instant::now();
        let response = respond(handler(&app, into_request(event)).await);
        let took = started.elapsed();
        assert!(response.status().is_success(), "{subject}: {} to the bench's request", response.status());
        took
    };
    // Once each first: connections and the cursor key are ready before timing starts.
    time(&events[0]).await;
    time(&events[1]).await;
    let (mut small_times, mut large_times): (Vec<Duration>, Vec<Duration>) = (Vec::new(), Vec::new());
    for n in 0..requests {
        if n % 2 == 0 {
            small_times.push(time(&events[0]).await);
            large_times.push(time(&events[1]).await);
        } else {
            large_times.push(time(&events[1]).await);
            small_times.push(time(&events[0]).await);
        }
    }
    let (small, large) = (summarize(&small_times), summarize(&large_times));
    let ratio = large.median / small.median;
    Row::new(SECTION, subject)
        .figure("small median", small.median, "ms")
        .figure("large median", large.median, "ms")
        .figure("large p95", large.p95, "ms")
        .figure("ratio", ratio, "×")
        .at_most(format!("first page ≤ {MAX_RATIO}× at the large size"), ratio, MAX_RATIO)
}

/// The expiry sweep over the seeded memberships: runs until one removes nothing, with their
/// DynamoDB calls and time (the sparse index of ends means the memberships without one cost
/// nothing).
async fn sweep(test: &TestApp, memberships: usize) -> Row {
    let app = test.app::<expire_memberships::Settings>();
    test.operations.take_calls();
    let started = Instant::now();
    let (mut runs, mut removed) = (0, 0);
    loop {
        let run = expire_memberships::sweep(&app, Utc::now()).await.expect("the sweep runs");
        runs += 1;
        removed += run.expired.len();
        if run.expired.is_empty() {
            break;
        }
    }
    let took = started.elapsed().as_secs_f64();
    let calls = test.operations.take_calls().len();
    let ended = memberships.div_ceil(100);
    assert_eq!(removed, ended, "the sweep removes exactly the ended memberships");
    let subject = format!("expire-memberships: {memberships} memberships, {ended} ended");
    Row::new(SECTION, &subject)
        .figure("runs", runs as f64, "runs")
        .figure("DynamoDB calls", calls as f64, "calls")
        .figure("calls per removal", calls as f64 / removed.max(1) as f64, "calls")
        .figure("took", took, "s")
        .figure("per removal", took * 1000.0 / removed.max(1) as f64, "ms")
}

pub async fn rows(sizes: &Sizes) -> Vec<Row> {
    let test = TestApp::spawn().await;
    let seeding = seed(&test, sizes).await;
    let requests = sizes.first_page_requests;
    let (small, large) = sizes.partner_customers;
    let partners = (
        ApiRequest::new("GET /customers", &Caller::partner_admin("small-partner")),
        ApiRequest::new("GET /customers", &Caller::partner_admin("large-partner")),
    );
    let customers = compare(
        &test,
        &format!("GET /customers: {small} vs {large} customers"),
        list_customers::handle,
        partners,
        requests,
    )
    .await;
    let (small, large) = sizes.history_entries;
    let platform_admin = Caller::platform_admin();
    let histories = (
        ApiRequest::new("GET /customers/{id}/events", &platform_admin).param("id", "small-history"),
        ApiRequest::new("GET /customers/{id}/events", &platform_admin).param("id", "large-history"),
    );
    let subject = format!("GET /customers/{{id}}/events: {small} vs {large} entries");
    let history = compare(&test, &subject, list_customer_events::handle, histories, requests).await;
    let (few, many) = sizes.user_customers;
    let users = (
        ApiRequest::new("GET /me/customers", &Caller::user("few-customers", "few@users.example")),
        ApiRequest::new("GET /me/customers", &Caller::user("many-customers", "many@users.example")),
    );
    let subject = format!("GET /me/customers: {few} vs {many} customers");
    let memberships = compare(&test, &subject, list_my_customers::handle, users, requests).await;
    // The first page of 1 customer holds 1, that of 500 a full page of 50 (a BatchGetItem of 50):
    // the same comparison between two full first pages shows what the total costs.
    let full_pages = (
        ApiRequest::new("GET /me/customers", &Caller::user("page-customers", "page@users.example")),
        ApiRequest::new("GET /me/customers", &Caller::user("many-customers", "many@users.example")),
    );
    let subject = format!("GET /me/customers: {} vs {many} customers (both first pages full)", many.min(PAGE_SIZE));
    let full_memberships = compare(&test, &subject, list_my_customers::handle, full_pages, requests).await;
    let (small, large) = sizes.history_entries;
    let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let at_moment = |customer: &str| {
        ApiRequest::new("GET /customers/{id}/users", &platform_admin).param("id", customer).query("at", &now)
    };
    let subject = format!("GET /customers/{{id}}/users?at=: {small} vs {large} membership changes");
    let moments = compare(
        &test,
        &subject,
        list_customer_users::handle,
        (at_moment("small-log"), at_moment("large-log")),
        requests,
    )
    .await;
    let sweep = sweep(&test, sizes.history_entries.1).await;
    vec![customers, history, memberships, full_memberships, moments, sweep, seeding]
}
