//! Lists read a bounded amount per request, however large the partition: one Query per page;
//! `status` and the event type are key conditions (their own index partitions); `q` is a filter
//! that evaluates at most `MAX_FILTERED_READ` items per request and answers a short page with a
//! `nextCursor`.

use chrono::Utc;
use futures::StreamExt;
use meshcustomers::domain::{CustomerIdentifier, CustomerStatus, UserId};
use meshcustomers::store::MAX_FILTERED_READ;
use meshcustomers_tests::fixtures;
use meshcustomers_tests::operations::Call;
use meshcustomers_tests::{Caller, TestApp, TestResponse, api};

use list_customers::handle as list;

const SEEDED: usize = 5_000;

async fn seed(test: &TestApp, identifier: String, status: CustomerStatus) {
    fixtures::customer(test, &identifier, "acme", status, &[]).await;
}

/// 5,000 ACTIVE customers of acme, one PENDING_APPROVAL, one whose name matches `q=needle`.
async fn crowded() -> TestApp {
    let test = TestApp::spawn().await;
    futures::stream::iter(0..SEEDED)
        .for_each_concurrent(32, |n| seed(&test, format!("c{n:05}"), CustomerStatus::Active))
        .await;
    seed(&test, "pending".into(), CustomerStatus::PendingApproval).await;
    seed(&test, "zz-needle".into(), CustomerStatus::Active).await;
    test.operations.take();
    test
}

async fn page(test: &TestApp, query: &[(&str, &str)]) -> (TestResponse, Vec<Call>) {
    let mut request = api("GET /customers");
    for (name, value) in query {
        request = request.query(name, value);
    }
    let response = test.call(list, request.by(&Caller::partner_employee("acme"))).await;
    assert_eq!(response.status, 200, "{}", response.body);
    (response, test.operations.take_calls())
}

fn identifiers(response: &TestResponse) -> Vec<String> {
    response.body["items"].as_array().unwrap().iter().map(|c| c["identifier"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn filtered_lists_read_a_bounded_amount_per_request() {
    let test = crowded().await;

    // A status is a key condition: one Query reads exactly the matching item.
    let (pending, calls) = page(&test, &[("status", "PENDING_APPROVAL")]).await;
    assert_eq!(identifiers(&pending), ["pending"]);
    assert_eq!(pending.body["nextCursor"], serde_json::Value::Null);
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].scanned, Some(1), "nothing but the match is read");

    // `q` filters: each request evaluates at most MAX_FILTERED_READ items and says where to go on.
    let mut cursor: Option<String> = None;
    let mut requests = 0;
    let mut found = Vec::new();
    loop {
        let mut query = vec![("q", "zz-nee")];
        if let Some(cursor) = &cursor {
            query.push(("cursor", cursor));
        }
        let (response, calls) = page(&test, &query).await;
        requests += 1;
        assert_eq!(calls.len(), 1, "one Query per request: {calls:?}");
        let scanned = calls[0].scanned.unwrap();
        assert!(scanned <= i32::from(MAX_FILTERED_READ), "a request evaluated {scanned} items");
        found.extend(identifiers(&response));
        match response.body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(found, ["zz-needle"]);
    let bound = (SEEDED + 2).div_ceil(usize::from(MAX_FILTERED_READ));
    assert!((bound..=bound + 1).contains(&requests), "{requests} requests for {} items", SEEDED + 2);
}

#[tokio::test]
async fn the_event_type_filter_reads_only_that_type() {
    let test = TestApp::spawn().await;
    seed(&test, "busy".into(), CustomerStatus::Active).await;
    let customer = CustomerIdentifier::parse("busy").unwrap();
    let actor = meshcustomers::events::Actor {
        user_id: UserId::parse("u1").unwrap(),
        email: None,
        role: meshcustomers::authorization::Role::PartnerAdmin,
        api_key: None,
    };
    let entries = (0..300).map(|n| {
        meshcustomers::events::DomainEvent::new(
            &customer,
            actor.clone(),
            Utc::now(),
            meshcustomers::events::EventPayload::CustomerQuotaEdited(meshcustomers::events::Change {
                from: n,
                to: n + 1,
            }),
        )
    });
    futures::stream::iter(entries)
        .for_each_concurrent(32, |event| {
            let test = &test;
            async move {
                let detail = serde_json::to_value(&event).unwrap();
                let envelope = serde_json::from_value(detail.clone()).unwrap();
                test.store.record_history(&envelope, &detail).await.unwrap();
            }
        })
        .await;
    let created = meshcustomers::events::DomainEvent::new(
        &customer,
        actor,
        Utc::now(),
        meshcustomers::events::EventPayload::CustomerUpdated(meshcustomers::events::CustomerUpdated {
            display_name: meshcustomers::events::Change { from: "A".into(), to: "B".into() },
        }),
    );
    let detail = serde_json::to_value(&created).unwrap();
    test.store.record_history(&serde_json::from_value(detail.clone()).unwrap(), &detail).await.unwrap();
    test.operations.take();

    let request = api("GET /customers/{id}/events").param("id", "busy").query("type", "CUSTOMER_UPDATED");
    let response = test.call(list_customer_events::handle, request.by(&Caller::partner_admin("acme"))).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.body["items"].as_array().unwrap().len(), 1);
    let queries: Vec<Call> =
        test.operations.take_calls().into_iter().filter(|call| call.operation == "dynamodb:Query").collect();
    assert_eq!(queries.len(), 1);
    assert_eq!(queries[0].scanned, Some(1), "the type is a key condition, not a filter over 301 entries");
}
