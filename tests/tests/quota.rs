//! `PUT /customers/{id}/quota`: the rules, `If-Match`, and concurrent edits whose events each
//! name the value they really replaced.

use meshcustomers::domain::{CustomerRole, CustomerStatus};
use meshcustomers_tests::{Caller, TestApp, api, fixtures};
use serde_json::{Value, json};

use edit_customer_quota::handle as edit_quota;

fn quota(customer: &str, body: Value) -> meshcustomers_tests::requests::RequestBuilder {
    api("PUT /customers/{id}/quota").param("id", customer).json(body)
}

#[tokio::test]
async fn an_admin_sets_the_quota_and_the_event_says_from_and_to() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "quota-co", "acme", CustomerStatus::Active, &[]).await;
    let response =
        test.call(edit_quota, quota("quota-co", json!({"projectQuota": 12})).by(&Caller::partner_admin("acme"))).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.body["projectQuota"], 12);
    assert_eq!(response.body["version"], 2);
    assert_eq!(response.header("etag"), Some("\"2\""));
    let events = test.events_of("CUSTOMER_QUOTA_EDITED").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["data"], json!({"from": 5, "to": 12}));
    assert_eq!(events[0]["actor"]["role"], "PARTNER_ADMIN");

    // The same quota again: 200, unchanged, no event.
    let again =
        test.call(edit_quota, quota("quota-co", json!({"projectQuota": 12})).by(&Caller::platform_admin())).await;
    assert_eq!((again.status, again.body["version"].clone()), (200, json!(2)));
    assert_eq!(test.events_of("CUSTOMER_QUOTA_EDITED").await.len(), 1);
}

#[tokio::test]
async fn bad_quotas_are_400_and_change_nothing() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "quota-co", "acme", CustomerStatus::Active, &[]).await;
    let items = test.all_items().await;
    for body in [
        json!({"projectQuota": -1}),
        json!({"projectQuota": 10001}),
        json!({"projectQuota": 2.5}),
        json!({"projectQuota": "5"}),
        json!({"projectQuota": null}),
        json!({}),
        json!({"projectQuota": 5, "identifier": "other"}),
    ] {
        let response = test.call(edit_quota, quota("quota-co", body.clone()).by(&Caller::platform_admin())).await;
        response.assert_problem(400, "validation-failed");
        assert!(response.body["errors"].as_object().is_some_and(|e| !e.is_empty()), "{body}: {}", response.body);
    }
    assert_eq!(test.all_items().await, items);
}

#[tokio::test]
async fn who_may_set_it() {
    let test = TestApp::spawn().await;
    let admin = Caller::user("ca", "ca@quota.example");
    fixtures::customer(&test, "quota-co", "acme", CustomerStatus::Active, &[(&admin, CustomerRole::CustomerAdmin)])
        .await;
    let body = json!({"projectQuota": 7});
    test.call(edit_quota, quota("quota-co", body.clone()).by(&admin)).await.assert_problem(403, "forbidden");
    test.call(edit_quota, quota("quota-co", body.clone()).by(&Caller::partner_admin("globex")))
        .await
        .assert_problem(404, "not-found");
    let employee = test.call(edit_quota, quota("quota-co", body).by(&Caller::partner_employee("acme"))).await;
    assert_eq!(employee.status, 200);
}

#[tokio::test]
async fn a_customer_not_yet_active_takes_no_quota() {
    let test = TestApp::spawn().await;
    for (customer, status) in
        [("pending", CustomerStatus::PendingApproval), ("awaiting", CustomerStatus::AwaitingEmailConfirmation)]
    {
        fixtures::customer(&test, customer, "acme", status, &[]).await;
        test.call(edit_quota, quota(customer, json!({"projectQuota": 1})).by(&Caller::platform_admin()))
            .await
            .assert_problem(409, "customer-not-active");
    }
    fixtures::customer(&test, "disabled", "acme", CustomerStatus::Disabled, &[]).await;
    let disabled =
        test.call(edit_quota, quota("disabled", json!({"projectQuota": 1})).by(&Caller::platform_admin())).await;
    assert_eq!(disabled.status, 200, "a disabled customer's quota may still change");
}

#[tokio::test]
async fn if_match_must_name_the_stored_version() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "quota-co", "acme", CustomerStatus::Active, &[]).await;
    let admin = Caller::platform_admin();
    let stale = test
        .call(edit_quota, quota("quota-co", json!({"projectQuota": 8})).header("if-match", "\"7\"").by(&admin))
        .await;
    stale.assert_problem(412, "precondition-failed");
    assert_eq!(stale.header("etag"), Some("\"1\""), "the answer carries the current version");
    let weak = test
        .call(edit_quota, quota("quota-co", json!({"projectQuota": 8})).header("if-match", "W/\"1\"").by(&admin))
        .await;
    weak.assert_problem(412, "precondition-failed");
    assert!(test.events_of("CUSTOMER_QUOTA_EDITED").await.is_empty());
    let current = test
        .call(edit_quota, quota("quota-co", json!({"projectQuota": 8})).header("if-match", "\"1\"").by(&admin))
        .await;
    assert_eq!((current.status, current.header("etag")), (200, Some("\"2\"")));
}

/// 10 concurrent edits without `If-Match`: all succeed, in some order, and the events form one
/// chain from the first value to the last: each `from` is what that edit really replaced.
#[tokio::test]
async fn concurrent_edits_each_record_what_they_replaced() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "quota-co", "acme", CustomerStatus::Active, &[]).await;
    let edits = (0..10).map(|n| {
        let test = &test;
        async move {
            test.call(edit_quota, quota("quota-co", json!({"projectQuota": 100 + n})).by(&Caller::platform_admin()))
                .await
        }
    });
    let responses = futures::future::join_all(edits).await;
    assert!(responses.iter().all(|r| r.status == 200), "{:?}", responses.iter().map(|r| r.status).collect::<Vec<_>>());
    let events = test.events_of("CUSTOMER_QUOTA_EDITED").await;
    assert_eq!(events.len(), 10);
    let mut value = 5;
    let mut remaining: Vec<&Value> = events.iter().collect();
    while let Some(position) = remaining.iter().position(|e| e["data"]["from"] == value) {
        value = remaining.remove(position)["data"]["to"].as_i64().unwrap();
    }
    assert!(remaining.is_empty(), "the events do not chain: {events:?}");
    let stored = test
        .call(get_customer::handle, api("GET /customers/{id}").param("id", "quota-co").by(&Caller::platform_admin()))
        .await;
    assert_eq!(stored.body["projectQuota"], value, "the last event's `to` is what is stored");
    assert_eq!(stored.body["version"], 11);
}
