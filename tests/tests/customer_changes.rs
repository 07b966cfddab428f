//! `PATCH /customers/{id}` (rename) and `PUT /customers/{id}/status` (disable, enable): the
//! rules, who may, `If-Match`, concurrent writes that lose nothing, and the listed-by-status
//! index keys that follow a change.

use meshcustomers::domain::{CustomerRole, CustomerStatus};
use meshcustomers_tests::requests::RequestBuilder;
use meshcustomers_tests::{Caller, TestApp, TestResponse, api, fixtures};
use serde_json::{Value, json};

use change_customer_status::handle as change_status;
use update_customer::handle as update;

fn rename(customer: &str, body: Value) -> RequestBuilder {
    api("PATCH /customers/{id}").param("id", customer).json(body)
}

fn status(customer: &str, body: Value) -> RequestBuilder {
    api("PUT /customers/{id}/status").param("id", customer).json(body)
}

async fn stored(test: &TestApp, customer: &str) -> Value {
    let read = api("GET /customers/{id}").param("id", customer).by(&Caller::platform_admin());
    test.call(get_customer::handle, read).await.body
}

/// The identifiers `caller` lists with these query parameters.
async fn listed(test: &TestApp, caller: &Caller, query: &[(&str, &str)]) -> Vec<String> {
    let request = query.iter().fold(api("GET /customers"), |request, (name, value)| request.query(name, value));
    let response = test.call(list_customers::handle, request.by(caller)).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.body["items"].as_array().unwrap().iter().map(|c| c["identifier"].as_str().unwrap().to_owned()).collect()
}

fn errors_of(response: &TestResponse) -> &serde_json::Map<String, Value> {
    response.assert_problem(400, "validation-failed");
    response.body["errors"].as_object().expect("a validation problem names its fields")
}

// ------------------------------------------------------------------------------------ rename

#[tokio::test]
async fn an_admin_renames_a_customer_and_the_event_says_from_and_to() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "rename-co", "acme", CustomerStatus::Active, &[]).await;
    let response = test
        .call(
            update,
            rename("rename-co", json!({"displayName": "  Globex Laboratories "})).by(&Caller::partner_admin("acme")),
        )
        .await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.body["displayName"], "Globex Laboratories", "trimmed");
    assert_eq!(response.body["identifier"], "rename-co");
    assert_eq!((response.body["version"].clone(), response.header("etag")), (json!(2), Some("\"2\"")));
    let events = test.events_of("CUSTOMER_UPDATED").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["data"], json!({"displayName": {"from": "Seeded rename-co", "to": "Globex Laboratories"}}));
    assert_eq!(events[0]["actor"]["role"], "PARTNER_ADMIN");
    assert_eq!(stored(&test, "rename-co").await["displayName"], "Globex Laboratories");

    // The name search follows the new name, and no longer finds the old one.
    let admin = Caller::platform_admin();
    assert_eq!(listed(&test, &admin, &[("q", "globex lab")]).await, ["rename-co"]);
    assert!(listed(&test, &admin, &[("q", "seeded")]).await.is_empty());

    // The name it already has: 200, unchanged, no event.
    let again = test.call(update, rename("rename-co", json!({"displayName": "Globex Laboratories"})).by(&admin)).await;
    assert_eq!((again.status, again.body["version"].clone()), (200, json!(2)));
    assert_eq!(again.header("etag"), Some("\"2\""));
    assert_eq!(test.events_of("CUSTOMER_UPDATED").await.len(), 1);
}

#[tokio::test]
async fn the_identifier_cannot_be_changed_and_nothing_is_written() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "rename-co", "acme", CustomerStatus::Active, &[]).await;
    let items = test.all_items().await;
    for body in [
        json!({"identifier": "other-co"}),
        json!({"identifier": "other-co", "displayName": "Renamed"}),
        json!({"identifier": "rename-co", "displayName": "Renamed"}),
        json!({"identifier": 7, "displayName": "Renamed"}),
        json!({"identifier": "Not An Identifier", "displayName": "Renamed"}),
    ] {
        let response = test.call(update, rename("rename-co", body.clone()).by(&Caller::platform_admin())).await;
        let errors = errors_of(&response);
        let message = errors.get("identifier").and_then(Value::as_str).unwrap_or_default();
        assert!(message.starts_with("cannot be changed"), "{body}: {}", response.body);
    }
    assert_eq!(test.all_items().await, items, "a refused change writes nothing");

    // `null` reads as absent, as everywhere: not an attempt to change it.
    let null = test
        .call(
            update,
            rename("rename-co", json!({"identifier": null, "displayName": "Renamed"})).by(&Caller::platform_admin()),
        )
        .await;
    assert_eq!((null.status, null.body["identifier"].clone()), (200, json!("rename-co")));
}

#[tokio::test]
async fn bad_renames_are_400_naming_the_field_and_change_nothing() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "rename-co", "acme", CustomerStatus::Active, &[]).await;
    let items = test.all_items().await;
    for (body, field) in [
        (json!({}), "displayName"),
        (json!({"displayName": null}), "displayName"),
        (json!({"displayName": ""}), "displayName"),
        (json!({"displayName": "   "}), "displayName"),
        (json!({"displayName": "\u{200B}"}), "displayName"),
        (json!({"displayName": "x".repeat(129)}), "displayName"),
        (json!({"displayName": "a\nb"}), "displayName"),
        (json!({"displayName": "Acme\u{202E}gnp.exe"}), "displayName"),
        (json!({"displayName": 5}), "displayName"),
        (json!({"displayName": ["Acme"]}), "displayName"),
        (json!({"displayName": "Fine", "status": "DISABLED"}), "status"),
        (json!({"displayName": "Fine", "version": 3}), "version"),
    ] {
        let response = test.call(update, rename("rename-co", body.clone()).by(&Caller::platform_admin())).await;
        assert!(errors_of(&response).contains_key(field), "{body}: {}", response.body);
    }
    let not_an_object = test.call(update, rename("rename-co", json!(["x"])).by(&Caller::platform_admin())).await;
    assert!(errors_of(&not_an_object).contains_key("body"));
    let text = api("PATCH /customers/{id}").param("id", "rename-co").raw_body("x").content_type(Some("text/plain"));
    test.call(update, text.by(&Caller::platform_admin())).await.assert_problem(415, "unsupported-media-type");
    assert_eq!(test.all_items().await, items);
}

#[tokio::test]
async fn who_may_rename() {
    let test = TestApp::spawn().await;
    let admin = Caller::user("ca", "ca@rename.example");
    let employee = Caller::user("ce", "ce@rename.example");
    fixtures::customer(
        &test,
        "rename-co",
        "acme",
        CustomerStatus::Active,
        &[(&admin, CustomerRole::CustomerAdmin), (&employee, CustomerRole::CustomerEmployee)],
    )
    .await;
    let body = || json!({"displayName": "By Someone"});
    test.call(update, rename("rename-co", body()).by(&employee)).await.assert_problem(403, "forbidden");
    test.call(update, rename("rename-co", body()).by(&Caller::partner_admin("globex")))
        .await
        .assert_problem(404, "not-found");
    test.call(update, rename("rename-co", body()).by(&Caller::user("outsider", "o@example.com")))
        .await
        .assert_problem(404, "not-found");
    assert!(test.events_of("CUSTOMER_UPDATED").await.is_empty());

    let by_admin = test.call(update, rename("rename-co", json!({"displayName": "By Its Admin"})).by(&admin)).await;
    assert_eq!(by_admin.status, 200, "{}", by_admin.body);
    let by_employee = test.call(update, rename("rename-co", body()).by(&Caller::partner_employee("acme"))).await;
    assert_eq!(by_employee.status, 200, "{}", by_employee.body);
    let roles: Vec<Value> =
        test.events_of("CUSTOMER_UPDATED").await.iter().map(|e| e["actor"]["role"].clone()).collect();
    assert_eq!(roles, [json!("CUSTOMER_ADMIN"), json!("PARTNER_EMPLOYEE")]);
}

#[tokio::test]
async fn a_customer_not_yet_active_cannot_be_renamed() {
    let test = TestApp::spawn().await;
    let registrant = Caller::user("reg", "reg@rename.example");
    for (customer, status) in
        [("pending", CustomerStatus::PendingApproval), ("awaiting", CustomerStatus::AwaitingEmailConfirmation)]
    {
        fixtures::customer(&test, customer, "acme", status, &[(&registrant, CustomerRole::CustomerAdmin)]).await;
        for caller in [&Caller::platform_admin(), &registrant] {
            test.call(update, rename(customer, json!({"displayName": "Too Early"})).by(caller))
                .await
                .assert_problem(409, "customer-not-active");
        }
    }
    fixtures::customer(&test, "disabled", "acme", CustomerStatus::Disabled, &[]).await;
    let disabled = test
        .call(update, rename("disabled", json!({"displayName": "Still Named"})).by(&Caller::platform_admin()))
        .await;
    assert_eq!(disabled.status, 200, "a disabled customer can still be renamed");
    assert_eq!(test.events_of("CUSTOMER_UPDATED").await.len(), 1);
}

#[tokio::test]
async fn a_rename_with_if_match_needs_the_stored_version() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "rename-co", "acme", CustomerStatus::Active, &[]).await;
    let admin = Caller::platform_admin();
    let body = |name: &str| json!({"displayName": name});
    let stale = test.call(update, rename("rename-co", body("Stale")).header("if-match", "\"7\"").by(&admin)).await;
    stale.assert_problem(412, "precondition-failed");
    assert_eq!(stale.header("etag"), Some("\"1\""), "the answer carries the current version");

    let current = test.call(update, rename("rename-co", body("Current")).header("if-match", "\"1\"").by(&admin)).await;
    assert_eq!((current.status, current.header("etag")), (200, Some("\"2\"")));

    // Another client still holding version 1 loses, and learns the version to read.
    let late = test.call(update, rename("rename-co", body("Late")).header("if-match", "\"1\"").by(&admin)).await;
    late.assert_problem(412, "precondition-failed");
    assert_eq!(late.header("etag"), Some("\"2\""));
    assert_eq!(stored(&test, "rename-co").await["displayName"], "Current");
    assert_eq!(test.events_of("CUSTOMER_UPDATED").await.len(), 1);
}

/// The lost update: 10 concurrent renames without `If-Match` all succeed, one after the other,
/// and the events form one chain: each `from` is the name that rename really replaced, and the
/// stored name is the last one's `to`.
#[tokio::test]
async fn ten_concurrent_renames_lose_no_write() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "rename-co", "acme", CustomerStatus::Active, &[]).await;
    let renames = (0..10).map(|n| {
        let test = &test;
        async move {
            let body = json!({"displayName": format!("Name {n}")});
            test.call(update, rename("rename-co", body).by(&Caller::platform_admin())).await
        }
    });
    let responses = futures::future::join_all(renames).await;
    assert!(responses.iter().all(|r| r.status == 200), "{:?}", responses.iter().map(|r| &r.body).collect::<Vec<_>>());
    let events = test.events_of("CUSTOMER_UPDATED").await;
    assert_eq!(events.len(), 10);
    let mut name = json!("Seeded rename-co");
    let mut remaining: Vec<&Value> = events.iter().collect();
    while let Some(position) = remaining.iter().position(|e| e["data"]["displayName"]["from"] == name) {
        name = remaining.remove(position)["data"]["displayName"]["to"].clone();
    }
    assert!(remaining.is_empty(), "the events do not chain: {events:?}");
    let customer = stored(&test, "rename-co").await;
    assert_eq!(customer["displayName"], name, "the last event's `to` is what is stored");
    assert_eq!(customer["version"], 11);
}

// ------------------------------------------------------------------------------------ status

#[tokio::test]
async fn an_admin_disables_and_enables_a_customer_with_or_without_a_reason() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "status-co", "acme", CustomerStatus::Active, &[]).await;
    let partner_admin = Caller::partner_admin("acme");
    let disabled = test
        .call(
            change_status,
            status("status-co", json!({"status": "DISABLED", "reason": "  no valid payment method "}))
                .by(&partner_admin),
        )
        .await;
    assert_eq!(disabled.status, 200, "{}", disabled.body);
    assert_eq!(disabled.body["status"], "DISABLED");
    assert_eq!(disabled.header("etag"), Some("\"2\""));

    // The same status again, with or without a reason: 200, unchanged, no event.
    for body in [json!({"status": "DISABLED"}), json!({"status": "DISABLED", "reason": "still unpaid"})] {
        let again = test.call(change_status, status("status-co", body).by(&Caller::platform_admin())).await;
        assert_eq!((again.status, again.body["version"].clone()), (200, json!(2)));
    }

    let enabled = test
        .call(
            change_status,
            status("status-co", json!({"status": "ACTIVE", "reason": null})).by(&Caller::platform_admin()),
        )
        .await;
    assert_eq!((enabled.status, enabled.body["status"].clone()), (200, json!("ACTIVE")));
    assert_eq!(enabled.body["version"], 3);

    let events = test.events_of("CUSTOMER_STATUS_CHANGED").await;
    let data: Vec<&Value> = events.iter().map(|e| &e["data"]).collect();
    assert_eq!(
        data,
        [
            &json!({"from": "ACTIVE", "to": "DISABLED", "reason": "no valid payment method"}),
            &json!({"from": "DISABLED", "to": "ACTIVE", "reason": null}),
        ]
    );
    assert_eq!(events[0]["actor"]["role"], "PARTNER_ADMIN");
    assert_eq!(events[1]["actor"]["role"], "PLATFORM_ADMIN");
}

#[tokio::test]
async fn only_active_and_disabled_can_be_set_and_a_bad_body_changes_nothing() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "status-co", "acme", CustomerStatus::Active, &[]).await;
    let items = test.all_items().await;
    for (body, field) in [
        (json!({"status": "PENDING_APPROVAL"}), "status"),
        (json!({"status": "AWAITING_EMAIL_CONFIRMATION"}), "status"),
        (json!({"status": "active"}), "status"),
        (json!({"status": "DELETED"}), "status"),
        (json!({"status": 1}), "status"),
        (json!({"status": null}), "status"),
        (json!({}), "status"),
        (json!({"reason": "no status"}), "status"),
        (json!({"status": "DISABLED", "reason": ""}), "reason"),
        (json!({"status": "DISABLED", "reason": "   "}), "reason"),
        (json!({"status": "DISABLED", "reason": "x".repeat(501)}), "reason"),
        (json!({"status": "DISABLED", "reason": "two\nlines"}), "reason"),
        (json!({"status": "DISABLED", "reason": "a\u{202E}b"}), "reason"),
        (json!({"status": "DISABLED", "reason": 5}), "reason"),
        (json!({"status": "DISABLED", "displayName": "Sneaky"}), "displayName"),
    ] {
        let response = test.call(change_status, status("status-co", body.clone()).by(&Caller::platform_admin())).await;
        assert!(errors_of(&response).contains_key(field), "{body}: {}", response.body);
    }
    let pending = test
        .call(change_status, status("status-co", json!({"status": "PENDING_APPROVAL"})).by(&Caller::platform_admin()))
        .await;
    let message = pending.body["errors"]["status"].as_str().unwrap();
    assert!(message.starts_with("must be ACTIVE or DISABLED"), "{message}");
    assert_eq!(test.all_items().await, items);

    let longest = json!({"status": "DISABLED", "reason": "é".repeat(500)});
    let accepted = test.call(change_status, status("status-co", longest).by(&Caller::platform_admin())).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
}

#[tokio::test]
async fn who_may_change_the_status() {
    let test = TestApp::spawn().await;
    let admin = Caller::user("ca", "ca@status.example");
    let employee = Caller::user("ce", "ce@status.example");
    fixtures::customer(
        &test,
        "status-co",
        "acme",
        CustomerStatus::Active,
        &[(&admin, CustomerRole::CustomerAdmin), (&employee, CustomerRole::CustomerEmployee)],
    )
    .await;
    let body = || json!({"status": "DISABLED"});
    test.call(change_status, status("status-co", body()).by(&admin)).await.assert_problem(403, "forbidden");
    test.call(change_status, status("status-co", body()).by(&employee)).await.assert_problem(403, "forbidden");
    test.call(change_status, status("status-co", body()).by(&Caller::partner_admin("globex")))
        .await
        .assert_problem(404, "not-found");
    assert!(test.events_of("CUSTOMER_STATUS_CHANGED").await.is_empty());
    let by_employee = test.call(change_status, status("status-co", body()).by(&Caller::partner_employee("acme"))).await;
    assert_eq!(by_employee.status, 200, "{}", by_employee.body);
}

#[tokio::test]
async fn a_customer_not_yet_active_keeps_its_status_until_approved() {
    let test = TestApp::spawn().await;
    for (customer, current) in
        [("pending", CustomerStatus::PendingApproval), ("awaiting", CustomerStatus::AwaitingEmailConfirmation)]
    {
        fixtures::customer(&test, customer, "acme", current, &[]).await;
        for target in ["ACTIVE", "DISABLED"] {
            test.call(change_status, status(customer, json!({"status": target})).by(&Caller::platform_admin()))
                .await
                .assert_problem(409, "customer-not-active");
        }
        assert_eq!(stored(&test, customer).await["status"], current.as_str());
    }
    assert!(test.events_of("CUSTOMER_STATUS_CHANGED").await.is_empty());
}

#[tokio::test]
async fn a_status_change_with_if_match_needs_the_stored_version() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "status-co", "acme", CustomerStatus::Active, &[]).await;
    let admin = Caller::platform_admin();
    let disable = || status("status-co", json!({"status": "DISABLED"}));
    let stale = test.call(change_status, disable().header("if-match", "\"2\"").by(&admin)).await;
    stale.assert_problem(412, "precondition-failed");
    assert_eq!(stale.header("etag"), Some("\"1\""));
    assert!(test.events_of("CUSTOMER_STATUS_CHANGED").await.is_empty());
    let current = test.call(change_status, disable().header("if-match", "\"1\"").by(&admin)).await;
    assert_eq!((current.status, current.header("etag")), (200, Some("\"2\"")));
}

/// The status-keyed index keys (gsi3 per partner, gsi4 for all) follow the status: a list by
/// status finds the customer under its new status only, for partner users and platform admins.
#[tokio::test]
async fn lists_by_status_follow_the_change() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "status-co", "acme", CustomerStatus::Active, &[]).await;
    fixtures::customer(&test, "other-co", "acme", CustomerStatus::Active, &[]).await;
    let callers = [Caller::platform_admin(), Caller::partner_employee("acme")];
    let set = |target: &'static str| {
        let test = &test;
        async move {
            let response = test
                .call(change_status, status("status-co", json!({"status": target})).by(&Caller::platform_admin()))
                .await;
            assert_eq!(response.status, 200, "{}", response.body);
        }
    };

    set("DISABLED").await;
    for caller in &callers {
        assert_eq!(listed(&test, caller, &[("status", "DISABLED")]).await, ["status-co"]);
        assert_eq!(listed(&test, caller, &[("status", "ACTIVE")]).await, ["other-co"]);
        assert_eq!(listed(&test, caller, &[]).await, ["other-co", "status-co"]);
    }
    set("ACTIVE").await;
    for caller in &callers {
        assert!(listed(&test, caller, &[("status", "DISABLED")]).await.is_empty());
        assert_eq!(listed(&test, caller, &[("status", "ACTIVE")]).await, ["other-co", "status-co"]);
    }
}

/// 10 concurrent requests, five to disable and five to enable, none with `If-Match`: every one
/// is 200 with the status it asked for at that moment, each change is one event whose `from` is
/// the status it replaced, and the stored status and version agree with the events.
#[tokio::test]
async fn ten_concurrent_status_flips_each_record_what_they_replaced() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "status-co", "acme", CustomerStatus::Active, &[]).await;
    let flips = (0..10).map(|n| {
        let test = &test;
        let target = if n % 2 == 0 { "DISABLED" } else { "ACTIVE" };
        async move {
            let body = json!({"status": target, "reason": format!("flip {n}")});
            (target, test.call(change_status, status("status-co", body).by(&Caller::platform_admin())).await)
        }
    });
    for (target, response) in futures::future::join_all(flips).await {
        assert_eq!((response.status, response.body["status"].as_str()), (200, Some(target)), "{}", response.body);
    }
    let events = test.events_of("CUSTOMER_STATUS_CHANGED").await;
    assert!(!events.is_empty() && events.len() <= 10, "{events:?}");
    let count =
        |from: &str, to: &str| events.iter().filter(|e| e["data"]["from"] == from && e["data"]["to"] == to).count();
    let (disables, enables) = (count("ACTIVE", "DISABLED"), count("DISABLED", "ACTIVE"));
    assert_eq!(disables + enables, events.len(), "every event changes the status: {events:?}");
    // A chain from ACTIVE alternates, so it disables once more than it enables, or as often.
    let last = match disables.checked_sub(enables) {
        Some(0) => "ACTIVE",
        Some(1) => "DISABLED",
        _ => panic!("the events do not chain from ACTIVE: {events:?}"),
    };
    let customer = stored(&test, "status-co").await;
    assert_eq!(customer["status"], last);
    assert_eq!(customer["version"], 1 + events.len());
}
