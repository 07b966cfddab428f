//! Members: listing them, "Add Myself", role changes and removal, the caller's own customers,
//! and the last-admin rule under concurrent requests. After each scenario the customer's
//! `adminCount` is read from its item and held against the admin members stored.

use futures::future::join_all;
use meshcustomers::authorization::Role;
use meshcustomers::domain::{CustomerIdentifier, CustomerRole, CustomerStatus, UserId};
use meshcustomers::events::{Actor, CustomerStatusChanged, DomainEvent, EventPayload};
use meshcustomers_tests::requests::RequestBuilder;
use meshcustomers_tests::{Caller, TestApp, TestResponse, api, fixtures};
use serde_json::{Value, json};

use add_myself::handle as add_myself;
use change_member_role::handle as change_role;
use list_customer_users::handle as list_users;
use list_my_customers::handle as my_customers;
use remove_member::handle as remove;

use CustomerRole::{CustomerAdmin as ADMIN, CustomerEmployee as EMPLOYEE};

fn users(customer: &str) -> RequestBuilder {
    api("GET /customers/{id}/users").param("id", customer)
}

fn add_me(customer: &str) -> RequestBuilder {
    api("POST /customers/{id}/users/me").param("id", customer)
}

fn set_role(customer: &str, user: &str, role: &str) -> RequestBuilder {
    api("PUT /customers/{id}/users/{userId}/role")
        .param("id", customer)
        .param("userId", user)
        .json(json!({"role": role}))
}

fn removal(customer: &str, user: &str) -> RequestBuilder {
    api("DELETE /customers/{id}/users/{userId}").param("id", customer).param("userId", user)
}

fn user(name: &str) -> Caller {
    Caller::user(name, &format!("{name}@members.example"))
}

/// The customer item's `adminCount`.
async fn admin_count(test: &TestApp, customer: &str) -> i64 {
    let items = test.items_of("CUSTOMER").await;
    let item = items.iter().find(|item| item["identifier"].as_s().unwrap() == customer).expect("the customer");
    item.get("adminCount").map_or(-1, |count| count.as_n().unwrap().parse().unwrap())
}

/// The customer's members as stored: (user id, role).
async fn stored_members(test: &TestApp, customer: &str) -> Vec<(String, String)> {
    let mut members: Vec<(String, String)> = test
        .items_of("MEMBER")
        .await
        .iter()
        .filter(|item| item["customerId"].as_s().unwrap() == customer)
        .map(|item| (item["userId"].as_s().unwrap().clone(), item["role"].as_s().unwrap().clone()))
        .collect();
    members.sort();
    members
}

/// `adminCount` is exact: it equals the CUSTOMER_ADMIN members stored. Returns it.
async fn assert_admin_count_exact(test: &TestApp, customer: &str) -> i64 {
    let admins = stored_members(test, customer).await.iter().filter(|(_, role)| role == "CUSTOMER_ADMIN").count();
    let count = admin_count(test, customer).await;
    assert_eq!(count, i64::try_from(admins).unwrap(), "adminCount of {customer} differs from its admins");
    count
}

fn statuses(responses: &[TestResponse]) -> Vec<u16> {
    responses.iter().map(|response| response.status).collect()
}

// ------------------------------------------------------------------------------- counting

#[tokio::test]
async fn registration_counts_its_admin_and_creation_none() {
    let test = TestApp::spawn_with(&[("REQUIRE_CUSTOMER_APPROVAL", "false")]).await;
    let registrant = user("reg").with("name", "Reggie");
    let body = json!({"identifier": "registered", "displayName": "Registered"});
    let registered = test.call(register_customer::handle, api("POST /registrations").json(body).by(&registrant)).await;
    assert_eq!(registered.status, 201, "{}", registered.body);
    assert_eq!(assert_admin_count_exact(&test, "registered").await, 1);
    assert!(registered.body.get("adminCount").is_none(), "the counter is no part of the API's customer");

    let listed = test.call(list_users, users("registered").by(&registrant)).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let member = &listed.body["items"][0];
    assert_eq!(member["userId"], "reg");
    assert_eq!(member["email"], "reg@members.example");
    assert_eq!(member["name"], "Reggie");
    assert_eq!(member["role"], "CUSTOMER_ADMIN");
    assert_eq!(member["joinedVia"], "REGISTRATION");
    assert_eq!(member["version"], 1);
    assert!(member["joinedAt"].as_str().is_some_and(|at| at.starts_with("20")), "{member}");
    assert_eq!(listed.body["nextCursor"], Value::Null);

    let body = json!({"identifier": "created", "displayName": "Created", "users": [{"email": "x@members.example", "role": "CUSTOMER_ADMIN"}]});
    let created =
        test.call(create_customer::handle, api("POST /customers").json(body).by(&Caller::platform_admin())).await;
    assert_eq!(created.status, 201);
    assert_eq!(assert_admin_count_exact(&test, "created").await, 0, "invited users are no members yet");
}

#[tokio::test]
async fn customer_changes_leave_the_admin_counter_alone_even_when_they_race_membership_changes() {
    let test = TestApp::spawn().await;
    let (admin, second) = (user("admin"), user("second"));
    fixtures::customer(&test, "counted", "acme", CustomerStatus::Active, &[(&admin, ADMIN), (&second, ADMIN)]).await;
    let employees: Vec<Caller> = (0..5).map(|n| user(&format!("emp{n}"))).collect();
    for employee in &employees {
        fixtures::member(&test, "counted", employee, EMPLOYEE).await;
    }
    let quota_edits = (0..5).map(|n| {
        let quota = api("PUT /customers/{id}/quota").param("id", "counted").json(json!({"projectQuota": 10 + n}));
        test.call(edit_customer_quota::handle, quota.by(&Caller::platform_admin()))
    });
    let promotions =
        employees.iter().map(|e| test.call(change_role, set_role("counted", e.user_id(), "CUSTOMER_ADMIN").by(&admin)));
    let (edits, promoted) = futures::join!(join_all(quota_edits), join_all(promotions));
    assert!(edits.iter().all(|r| r.status == 200), "{:?}", statuses(&edits));
    assert!(promoted.iter().all(|r| r.status == 200), "{:?}", statuses(&promoted));
    assert_eq!(assert_admin_count_exact(&test, "counted").await, 7);
}

// ------------------------------------------------------------------------------- listing

#[tokio::test]
async fn members_and_admin_area_list_the_members_page_by_page() {
    let test = TestApp::spawn().await;
    let admin = user("a-admin");
    fixtures::customer(&test, "listed", "acme", CustomerStatus::PendingApproval, &[(&admin, ADMIN)]).await;
    fixtures::customer(&test, "other", "acme", CustomerStatus::Active, &[(&admin, ADMIN)]).await;
    for n in 0..4 {
        fixtures::member(&test, "listed", &user(&format!("b-member-{n}")), EMPLOYEE).await;
    }
    let employee = user("b-member-0");
    for caller in [&admin, &employee, &Caller::partner_employee("acme"), &Caller::platform_admin()] {
        let response = test.call(list_users, users("listed").by(caller)).await;
        assert_eq!(response.status, 200, "{}", response.body);
        assert_eq!(response.body["items"].as_array().unwrap().len(), 5, "any status of the customer is listed");
    }
    for caller in [&Caller::partner_admin("globex"), &user("stranger")] {
        test.call(list_users, users("listed").by(caller)).await.assert_problem(404, "not-found");
    }
    test.call(list_users, users("No-Such").by(&admin)).await.assert_problem(404, "not-found");

    // Two per page, by user id; each page is the access read and one Query.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut request = users("listed").query("limit", "2");
        if let Some(cursor) = &cursor {
            request = request.query("cursor", cursor);
        }
        test.operations.take_calls();
        let page = test.call(list_users, request.by(&admin)).await;
        let calls: Vec<String> = test.operations.take_calls().into_iter().map(|c| c.operation).collect();
        assert_eq!(calls, ["dynamodb:BatchGetItem", "dynamodb:Query"]);
        seen.extend(page.body["items"].as_array().unwrap().iter().map(|m| m["userId"].as_str().unwrap().to_owned()));
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ["a-admin", "b-member-0", "b-member-1", "b-member-2", "b-member-3"]);

    let first = test.call(list_users, users("listed").query("limit", "2").by(&admin)).await;
    let cursor = first.body["nextCursor"].as_str().unwrap();
    test.call(list_users, users("other").query("cursor", cursor).by(&admin))
        .await
        .assert_problem(400, "invalid-cursor");
    test.call(list_users, users("listed").query("cursor", &format!("x{cursor}")).by(&admin))
        .await
        .assert_problem(400, "invalid-cursor");
    test.call(list_users, users("listed").query("limit", "0").by(&admin))
        .await
        .assert_problem(400, "validation-failed");
}

// ------------------------------------------------------------------------------- Add Myself

#[tokio::test]
async fn a_partner_user_adds_himself_with_a_reason_once() {
    let test = TestApp::spawn().await;
    let admin = user("owner");
    fixtures::customer(&test, "joined", "acme", CustomerStatus::Active, &[(&admin, ADMIN)]).await;
    let partner = Caller::partner_admin("acme").with("name", "Pat Partner");
    let response = test
        .call(add_myself, add_me("joined").json(json!({"reason": "  Ticket 4711: set up projects "})).by(&partner))
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
    assert_eq!(response.header("location"), Some("/customers/joined/users/partner-admins-acme"));
    assert_eq!(response.header("etag"), Some("\"1\""));
    let member = &response.body;
    assert_eq!(member["userId"], "partner-admins-acme");
    assert_eq!(member["email"], "partner-admins@acme.example");
    assert_eq!(member["name"], "Pat Partner");
    assert_eq!(member["role"], "CUSTOMER_ADMIN", "SELF_ASSIGN_ROLE defaults to CUSTOMER_ADMIN");
    assert_eq!(member["joinedVia"], "SELF_ASSIGNMENT");
    assert_eq!(assert_admin_count_exact(&test, "joined").await, 2);

    let events = test.events_of("USER_ASSIGNED_HIMSELF").await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["data"],
        json!({"userId": "partner-admins-acme", "role": "CUSTOMER_ADMIN", "reason": "Ticket 4711: set up projects"})
    );
    assert_eq!(events[0]["actor"]["role"], "PARTNER_ADMIN");

    // Once a member, always 409, with or without a body; nothing more is written.
    let items = test.all_items().await;
    test.call(add_myself, add_me("joined").by(&partner)).await.assert_problem(409, "already-member");
    assert_eq!(test.all_items().await, items);

    // No body at all: no reason.
    let platform = test.call(add_myself, add_me("joined").content_type(None).by(&Caller::platform_admin())).await;
    assert_eq!(platform.status, 201, "{}", platform.body);
    assert_eq!(test.events_of("USER_ASSIGNED_HIMSELF").await[1]["data"]["reason"], Value::Null);
    assert_eq!(assert_admin_count_exact(&test, "joined").await, 3);
}

/// SPEC §6.1: the `name` claim is display data that other members see. One with a right-to-left
/// override, a BEL or a line break is not stored: the member shows no name, in the answer, the
/// members' list and the stored item alike.
#[tokio::test]
async fn a_name_that_would_hide_or_reorder_what_others_see_is_not_stored() {
    let test = TestApp::spawn().await;
    let admin = user("owner");
    fixtures::customer(&test, "named", "acme", CustomerStatus::Active, &[(&admin, ADMIN)]).await;
    let names = ["Pat \u{202E}rentraP", "Pat\u{7} Partner", "Pat\nPartner"];
    for (n, name) in names.iter().enumerate() {
        let partner = Caller::user(&format!("partner-{n}"), &format!("p{n}@acme.example"))
            .with("cognito:groups", "[partner-admins]")
            .with("custom:partner_id", "acme")
            .with("name", name);
        let response = test.call(add_myself, add_me("named").by(&partner)).await;
        assert_eq!(response.status, 201, "{}", response.body);
        assert_eq!(response.body["name"], Value::Null, "{name:?} is not shown");
    }
    let listed = test.call(list_users, users("named").by(&admin)).await;
    for member in listed.body["items"].as_array().unwrap() {
        assert!(member["name"].is_null() || member["userId"] == "owner", "{member}");
    }
    for item in test.items_of("MEMBER").await {
        let name = item.get("name").and_then(|name| name.as_s().ok());
        assert!(name.is_none_or(|name| !name.contains(['\u{202E}', '\u{7}', '\n'])), "stored: {name:?}");
    }
    // A name people write is kept.
    let partner = Caller::partner_employee("acme").with("name", "Zoë Łukasz-O'Brien");
    let response = test.call(add_myself, add_me("named").by(&partner)).await;
    assert_eq!(response.body["name"], "Zoë Łukasz-O'Brien");
}

#[tokio::test]
async fn the_configured_role_is_the_one_given() {
    let test = TestApp::spawn_with(&[("SELF_ASSIGN_ROLE", "CUSTOMER_EMPLOYEE")]).await;
    fixtures::customer(&test, "staffed", "acme", CustomerStatus::Active, &[(&user("owner"), ADMIN)]).await;
    let response = test.call(add_myself, add_me("staffed").by(&Caller::partner_employee("acme"))).await;
    assert_eq!(response.status, 201, "{}", response.body);
    assert_eq!(response.body["role"], "CUSTOMER_EMPLOYEE");
    assert_eq!(assert_admin_count_exact(&test, "staffed").await, 1);
    assert_eq!(test.events_of("USER_ASSIGNED_HIMSELF").await[0]["data"]["role"], "CUSTOMER_EMPLOYEE");
}

#[tokio::test]
async fn who_may_add_themselves_and_to_which_customer() {
    let test = TestApp::spawn().await;
    let admin = user("owner");
    fixtures::customer(&test, "active", "acme", CustomerStatus::Active, &[(&admin, ADMIN)]).await;
    test.call(add_myself, add_me("active").by(&admin)).await.assert_problem(403, "forbidden");
    for outsider in [&Caller::partner_admin("globex"), &user("stranger")] {
        test.call(add_myself, add_me("active").by(outsider)).await.assert_problem(404, "not-found");
    }
    for (customer, status) in
        [("pending", CustomerStatus::PendingApproval), ("awaiting", CustomerStatus::AwaitingEmailConfirmation)]
    {
        fixtures::customer(&test, customer, "acme", status, &[]).await;
        test.call(add_myself, add_me(customer).by(&Caller::platform_admin()))
            .await
            .assert_problem(409, "customer-not-active");
    }
    fixtures::customer(&test, "disabled", "acme", CustomerStatus::Disabled, &[]).await;
    let disabled = test.call(add_myself, add_me("disabled").by(&Caller::platform_admin())).await;
    assert_eq!(disabled.status, 201, "a disabled customer may still be joined: {}", disabled.body);
}

#[tokio::test]
async fn bad_reasons_and_bodies_are_refused_and_write_nothing() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "strict", "acme", CustomerStatus::Active, &[]).await;
    let items = test.all_items().await;
    let partner = Caller::partner_admin("acme");
    for body in [
        json!({"reason": "x".repeat(501)}),
        json!({"reason": "two\nlines"}),
        json!({"reason": "   "}),
        json!({"reason": "a\u{202E}b"}),
        json!({"reason": 5}),
        json!({"why": "no"}),
    ] {
        let response = test.call(add_myself, add_me("strict").json(body.clone()).by(&partner)).await;
        response.assert_problem(400, "validation-failed");
        assert!(response.body["errors"].as_object().is_some_and(|e| !e.is_empty()), "{body}: {}", response.body);
    }
    test.call(add_myself, add_me("strict").raw_body("[]").by(&partner)).await.assert_problem(400, "validation-failed");
    test.call(add_myself, add_me("strict").raw_body("nope").by(&partner))
        .await
        .assert_problem(400, "malformed-request");
    test.call(add_myself, add_me("strict").content_type(Some("text/plain")).raw_body("{}").by(&partner))
        .await
        .assert_problem(415, "unsupported-media-type");
    assert_eq!(test.all_items().await, items);
    let longest = test.call(add_myself, add_me("strict").json(json!({"reason": "é".repeat(500)})).by(&partner)).await;
    assert_eq!(longest.status, 201, "{}", longest.body);
}

#[tokio::test]
async fn many_parallel_add_myself_of_one_user_join_once() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "rush", "acme", CustomerStatus::Active, &[(&user("owner"), ADMIN)]).await;
    let partner = Caller::partner_admin("acme");
    let requests = (0..15).map(|_| test.call(add_myself, add_me("rush").by(&partner)));
    let responses = join_all(requests).await;
    let created = responses.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 1, "{:?}", statuses(&responses));
    for refused in responses.iter().filter(|r| r.status != 201) {
        refused.assert_problem(409, "already-member");
    }
    assert_eq!(test.events_of("USER_ASSIGNED_HIMSELF").await.len(), 1);
    assert_eq!(assert_admin_count_exact(&test, "rush").await, 2);
}

// ------------------------------------------------------------------------------- roles

#[tokio::test]
async fn an_admin_promotes_and_demotes_a_member() {
    let test = TestApp::spawn().await;
    let (admin, employee) = (user("admin"), user("emp"));
    fixtures::customer(&test, "roles", "acme", CustomerStatus::Active, &[(&admin, ADMIN), (&employee, EMPLOYEE)]).await;
    let promoted = test.call(change_role, set_role("roles", "emp", "CUSTOMER_ADMIN").by(&admin)).await;
    assert_eq!(promoted.status, 200, "{}", promoted.body);
    assert_eq!(promoted.body["role"], "CUSTOMER_ADMIN");
    assert_eq!(promoted.body["version"], 2);
    assert_eq!(promoted.body["joinedVia"], "INVITATION", "how the member joined stays");
    assert_eq!(promoted.header("etag"), Some("\"2\""));
    assert_eq!(assert_admin_count_exact(&test, "roles").await, 2);

    // The role it has: 200, unchanged, no event.
    let again = test.call(change_role, set_role("roles", "emp", "CUSTOMER_ADMIN").by(&admin)).await;
    assert_eq!((again.status, again.header("etag")), (200, Some("\"2\"")));

    let demoted = test.call(change_role, set_role("roles", "emp", "CUSTOMER_EMPLOYEE").by(&admin)).await;
    assert_eq!((demoted.status, demoted.body["version"].clone()), (200, json!(3)));
    assert_eq!(assert_admin_count_exact(&test, "roles").await, 1);

    let events = test.events_of("USER_ROLE_CHANGED").await;
    let data: Vec<&Value> = events.iter().map(|e| &e["data"]).collect();
    assert_eq!(
        data,
        [
            &json!({"userId": "emp", "from": "CUSTOMER_EMPLOYEE", "to": "CUSTOMER_ADMIN"}),
            &json!({"userId": "emp", "from": "CUSTOMER_ADMIN", "to": "CUSTOMER_EMPLOYEE"}),
        ]
    );
    assert!(events.iter().all(|e| e["actor"]["role"] == "CUSTOMER_ADMIN" && e["actor"]["userId"] == "admin"));
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted() {
    let test = TestApp::spawn().await;
    let (admin, employee) = (user("only"), user("emp"));
    fixtures::customer(&test, "lonely", "acme", CustomerStatus::Active, &[(&admin, ADMIN), (&employee, EMPLOYEE)])
        .await;
    let items = test.all_items().await;
    test.call(change_role, set_role("lonely", "only", "CUSTOMER_EMPLOYEE").by(&admin))
        .await
        .assert_problem(409, "last-admin");
    assert_eq!(test.all_items().await, items, "nothing of the refused change is written");

    test.call(change_role, set_role("lonely", "emp", "CUSTOMER_ADMIN").by(&admin)).await;
    let stepped_down = test.call(change_role, set_role("lonely", "only", "CUSTOMER_EMPLOYEE").by(&admin)).await;
    assert_eq!(stepped_down.status, 200, "with another admin, one may step down: {}", stepped_down.body);
    assert_eq!(assert_admin_count_exact(&test, "lonely").await, 1);
    // Now an employee, the former admin may change nothing.
    test.call(change_role, set_role("lonely", "emp", "CUSTOMER_EMPLOYEE").by(&admin))
        .await
        .assert_problem(403, "forbidden");
}

#[tokio::test]
async fn only_customer_admins_change_roles_and_partner_users_only_as_members() {
    let test = TestApp::spawn().await;
    let (admin, employee) = (user("admin"), user("emp"));
    fixtures::customer(&test, "guarded", "acme", CustomerStatus::Active, &[(&admin, ADMIN), (&employee, EMPLOYEE)])
        .await;
    let promote = || set_role("guarded", "emp", "CUSTOMER_ADMIN");
    test.call(change_role, promote().by(&employee)).await.assert_problem(403, "forbidden");
    let partner = Caller::partner_admin("acme");
    test.call(change_role, promote().by(&partner)).await.assert_problem(403, "forbidden");
    test.call(change_role, promote().by(&Caller::platform_admin())).await.assert_problem(403, "forbidden");
    for outsider in [&Caller::partner_admin("globex"), &user("stranger")] {
        test.call(change_role, promote().by(outsider)).await.assert_problem(404, "not-found");
    }
    // After "Add Myself" the partner user is a CUSTOMER_ADMIN, and acts as one.
    assert_eq!(test.call(add_myself, add_me("guarded").by(&partner)).await.status, 201);
    let by_partner = test.call(change_role, promote().by(&partner)).await;
    assert_eq!(by_partner.status, 200, "{}", by_partner.body);
    assert_eq!(test.events_of("USER_ROLE_CHANGED").await[0]["actor"]["role"], "CUSTOMER_ADMIN");
    assert_eq!(assert_admin_count_exact(&test, "guarded").await, 3);
}

#[tokio::test]
async fn unknown_members_bad_roles_and_stale_versions() {
    let test = TestApp::spawn().await;
    let (admin, employee) = (user("admin"), user("emp"));
    fixtures::customer(&test, "checked", "acme", CustomerStatus::Active, &[(&admin, ADMIN), (&employee, EMPLOYEE)])
        .await;
    for unknown in ["nobody", "a#b"] {
        test.call(change_role, set_role("checked", unknown, "CUSTOMER_ADMIN").by(&admin))
            .await
            .assert_problem(404, "not-found");
        test.call(remove, removal("checked", unknown).by(&admin)).await.assert_problem(404, "not-found");
    }
    let request = |body: Value| {
        api("PUT /customers/{id}/users/{userId}/role").param("id", "checked").param("userId", "emp").json(body)
    };
    for body in [json!({"role": "OWNER"}), json!({}), json!({"role": null}), json!({"role": "CUSTOMER_ADMIN", "x": 1})]
    {
        let response = test.call(change_role, request(body.clone()).by(&admin)).await;
        response.assert_problem(400, "validation-failed");
        assert!(response.body["errors"].as_object().is_some_and(|e| !e.is_empty()), "{body}");
    }

    let stale = test
        .call(change_role, set_role("checked", "emp", "CUSTOMER_ADMIN").header("if-match", "\"7\"").by(&admin))
        .await;
    stale.assert_problem(412, "precondition-failed");
    assert_eq!(stale.header("etag"), Some("\"1\""));
    let current = test
        .call(change_role, set_role("checked", "emp", "CUSTOMER_ADMIN").header("if-match", "\"1\"").by(&admin))
        .await;
    assert_eq!((current.status, current.header("etag")), (200, Some("\"2\"")));
    test.call(remove, removal("checked", "emp").header("if-match", "\"1\"").by(&admin))
        .await
        .assert_problem(412, "precondition-failed");
    assert_eq!(test.call(remove, removal("checked", "emp").header("if-match", "\"2\"").by(&admin)).await.status, 204);
    assert_eq!(assert_admin_count_exact(&test, "checked").await, 1);
}

#[tokio::test]
async fn members_of_a_customer_not_yet_active_stay_as_they_are() {
    let test = TestApp::spawn().await;
    let (admin, employee) = (user("admin"), user("emp"));
    fixtures::customer(
        &test,
        "waiting",
        "acme",
        CustomerStatus::PendingApproval,
        &[(&admin, ADMIN), (&employee, EMPLOYEE)],
    )
    .await;
    test.call(change_role, set_role("waiting", "emp", "CUSTOMER_ADMIN").by(&admin))
        .await
        .assert_problem(409, "customer-not-active");
    test.call(remove, removal("waiting", "emp").by(&admin)).await.assert_problem(409, "customer-not-active");
    test.call(remove, removal("waiting", "emp").by(&employee)).await.assert_problem(409, "customer-not-active");
}

// ------------------------------------------------------------------------------- removal

#[tokio::test]
async fn an_admin_removes_members_and_any_member_may_leave() {
    let test = TestApp::spawn().await;
    let (admin, second, employee, leaver) = (user("admin"), user("second"), user("emp"), user("leaver"));
    let members = [(&admin, ADMIN), (&second, ADMIN), (&employee, EMPLOYEE), (&leaver, EMPLOYEE)];
    fixtures::customer(&test, "team", "acme", CustomerStatus::Disabled, &members).await;

    test.call(remove, removal("team", "emp").by(&leaver)).await.assert_problem(403, "forbidden");
    test.call(remove, removal("team", "emp").by(&Caller::partner_admin("acme"))).await.assert_problem(403, "forbidden");
    test.call(remove, removal("team", "emp").by(&user("stranger"))).await.assert_problem(404, "not-found");

    let removed = test.call(remove, removal("team", "emp").by(&admin)).await;
    assert_eq!((removed.status, &removed.body), (204, &Value::Null), "a disabled customer's members still change");
    let left = test.call(remove, removal("team", "leaver").by(&leaver)).await;
    assert_eq!(left.status, 204, "{}", left.body);
    let removed_admin = test.call(remove, removal("team", "second").by(&admin)).await;
    assert_eq!(removed_admin.status, 204);
    test.call(remove, removal("team", "admin").by(&admin)).await.assert_problem(409, "last-admin");

    assert_eq!(stored_members(&test, "team").await, [("admin".to_owned(), "CUSTOMER_ADMIN".to_owned())]);
    assert_eq!(assert_admin_count_exact(&test, "team").await, 1);
    let events = test.events_of("USER_REMOVED").await;
    let removals: Vec<(&Value, &Value, &Value)> =
        events.iter().map(|e| (&e["data"]["userId"], &e["data"]["role"], &e["actor"]["role"])).collect();
    assert_eq!(
        removals,
        [
            (&json!("emp"), &json!("CUSTOMER_EMPLOYEE"), &json!("CUSTOMER_ADMIN")),
            (&json!("leaver"), &json!("CUSTOMER_EMPLOYEE"), &json!("CUSTOMER_EMPLOYEE")),
            (&json!("second"), &json!("CUSTOMER_ADMIN"), &json!("CUSTOMER_ADMIN")),
        ]
    );
    assert_eq!(events[0]["data"]["email"], "emp@members.example");
    test.call(remove, removal("team", "emp").by(&admin)).await.assert_problem(404, "not-found");
}

// ------------------------------------------------------------------------------- races

/// Two admins demote (or remove) each other at the same moment, many times over: each time
/// exactly one succeeds. Alone, they leave one admin (the counter); beside a third admin, the
/// loser is stopped by having lost its own role (the caller's role is a condition of the write),
/// so the two of them still leave one admin between them.
#[tokio::test]
async fn two_admins_acting_on_each_other_at_once_leave_one_admin() {
    let test = TestApp::spawn().await;
    for round in 0..8 {
        let customer = format!("duel-{round}");
        let (a, b, bystander) = (user(&format!("a{round}")), user(&format!("b{round}")), user(&format!("c{round}")));
        let mut members = vec![(&a, ADMIN), (&b, ADMIN)];
        if round >= 4 {
            members.push((&bystander, ADMIN));
        }
        fixtures::customer(&test, &customer, "acme", CustomerStatus::Active, &members).await;
        let (first, second) = if round % 2 == 0 {
            futures::join!(
                test.call(change_role, set_role(&customer, b.user_id(), "CUSTOMER_EMPLOYEE").by(&a)),
                test.call(change_role, set_role(&customer, a.user_id(), "CUSTOMER_EMPLOYEE").by(&b)),
            )
        } else {
            futures::join!(
                test.call(remove, removal(&customer, b.user_id()).by(&a)),
                test.call(remove, removal(&customer, a.user_id()).by(&b)),
            )
        };
        let outcomes = [first.status, second.status];
        assert_eq!(outcomes.iter().filter(|s| **s < 300).count(), 1, "round {round}: {outcomes:?}");
        let loser = if first.status < 300 { &second } else { &first };
        // Demoted meanwhile, the loser may not change roles (403); removed meanwhile, it no
        // longer sees the customer (404); or it met the last admin (409).
        assert!([403, 404, 409].contains(&loser.status), "round {round}: {}", loser.body);
        let expected = if round >= 4 { 2 } else { 1 };
        assert_eq!(assert_admin_count_exact(&test, &customer).await, expected, "round {round}");
    }
}

/// 20 admins: 10 step down and 10 leave, all at once. Exactly one admin remains, and the counter
/// says so.
#[tokio::test]
async fn twenty_concurrent_demotions_and_departures_leave_exactly_one_admin() {
    let test = TestApp::spawn().await;
    let admins: Vec<Caller> = (0..20).map(|n| user(&format!("admin-{n:02}"))).collect();
    let members: Vec<(&Caller, CustomerRole)> = admins.iter().map(|a| (a, ADMIN)).collect();
    fixtures::customer(&test, "exodus", "acme", CustomerStatus::Active, &members).await;
    let requests = admins.iter().enumerate().map(|(n, admin)| {
        let test = &test;
        async move {
            if n % 2 == 0 {
                test.call(change_role, set_role("exodus", admin.user_id(), "CUSTOMER_EMPLOYEE").by(admin)).await
            } else {
                test.call(remove, removal("exodus", admin.user_id()).by(admin)).await
            }
        }
    });
    let responses = join_all(requests).await;
    assert_eq!(responses.iter().filter(|r| r.status < 300).count(), 19, "{:?}", statuses(&responses));
    let refused: Vec<&TestResponse> = responses.iter().filter(|r| r.status >= 300).collect();
    refused[0].assert_problem(409, "last-admin");
    assert_eq!(assert_admin_count_exact(&test, "exodus").await, 1);
    let events = test.events_of("USER_ROLE_CHANGED").await.len() + test.events_of("USER_REMOVED").await.len();
    assert_eq!(events, 19, "one event per change that happened");
}

/// Concurrent role changes of one member (10, alternating the role) and of others: every event
/// is a real change from the role it replaced, and the counter matches the roles stored.
#[tokio::test]
async fn parallel_role_changes_keep_the_counter_exact() {
    let test = TestApp::spawn().await;
    let admin = user("admin");
    let employees: Vec<Caller> = (0..4).map(|n| user(&format!("emp{n}"))).collect();
    let mut members = vec![(&admin, ADMIN)];
    members.extend(employees.iter().map(|e| (e, EMPLOYEE)));
    fixtures::customer(&test, "flux", "acme", CustomerStatus::Active, &members).await;
    let roles = ["CUSTOMER_ADMIN", "CUSTOMER_EMPLOYEE"];
    let flips = (0..10).map(|n| test.call(change_role, set_role("flux", "emp0", roles[n % 2]).by(&admin)));
    let others =
        employees[1..].iter().map(|e| test.call(change_role, set_role("flux", e.user_id(), roles[0]).by(&admin)));
    let (flipped, promoted) = futures::join!(join_all(flips), join_all(others));
    assert!(flipped.iter().chain(&promoted).all(|r| r.status == 200), "{:?}", statuses(&flipped));
    let events = test.events_of("USER_ROLE_CHANGED").await;
    assert!(events.iter().all(|e| e["data"]["from"] != e["data"]["to"]));
    let emp0: Vec<&Value> = events.iter().filter(|e| e["data"]["userId"] == "emp0").map(|e| &e["data"]).collect();
    for pair in emp0.windows(2) {
        assert_eq!(pair[0]["to"], pair[1]["from"], "each change starts from the role the previous one left: {emp0:?}");
    }
    assert_eq!(assert_admin_count_exact(&test, "flux").await, if emp0.len() % 2 == 1 { 5 } else { 4 });
}

// ------------------------------------------------------------------------------- my customers

#[tokio::test]
async fn a_user_sees_their_customers_with_role_and_current_status() {
    let test = TestApp::spawn().await;
    let me = user("me");
    let states = [
        ("c-active", CustomerStatus::Active, ADMIN),
        ("a-pending", CustomerStatus::PendingApproval, ADMIN),
        ("b-disabled", CustomerStatus::Disabled, EMPLOYEE),
    ];
    for (customer, status, role) in states {
        fixtures::customer(&test, customer, "acme", status, &[(&me, role)]).await;
    }
    fixtures::customer(&test, "not-mine", "acme", CustomerStatus::Active, &[(&user("other"), ADMIN)]).await;

    test.operations.take_calls();
    let mine = test.call(my_customers, api("GET /me/customers").by(&me)).await;
    let calls: Vec<String> = test.operations.take_calls().into_iter().map(|c| c.operation).collect();
    assert_eq!(calls, ["dynamodb:Query", "dynamodb:BatchGetItem"]);
    assert_eq!(mine.status, 200, "{}", mine.body);
    let items = mine.body["items"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|c| (c["customerId"].as_str().unwrap(), c["status"].as_str().unwrap(), c["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        summary,
        [
            ("a-pending", "PENDING_APPROVAL", "CUSTOMER_ADMIN"),
            ("b-disabled", "DISABLED", "CUSTOMER_EMPLOYEE"),
            ("c-active", "ACTIVE", "CUSTOMER_ADMIN"),
        ]
    );
    assert_eq!(items[0]["displayName"], "Seeded a-pending");
    assert_eq!(items[0]["joinedVia"], "INVITATION");

    // The status is read from the customer: a change (written as the status route writes it)
    // shows at once, with nothing written to the memberships.
    disable(&test, "c-active").await;
    let page = test.call(my_customers, api("GET /me/customers").query("limit", "2").by(&me)).await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 2);
    let cursor = page.body["nextCursor"].as_str().expect("a second page").to_owned();
    let rest = test.call(my_customers, api("GET /me/customers").query("cursor", &cursor).by(&me)).await;
    assert_eq!(
        (&rest.body["items"][0]["customerId"], &rest.body["items"][0]["status"]),
        (&json!("c-active"), &json!("DISABLED"))
    );
    assert_eq!(rest.body["nextCursor"], Value::Null);
    // Another user's cursor is not theirs to use.
    test.call(my_customers, api("GET /me/customers").query("cursor", &cursor).by(&user("other")))
        .await
        .assert_problem(400, "invalid-cursor");

    // Nobody's member: an empty page, one Query.
    test.operations.take_calls();
    let none = test.call(my_customers, api("GET /me/customers").by(&user("loner"))).await;
    assert_eq!(none.body, json!({"items": [], "nextCursor": null}));
    assert_eq!(test.operations.take_calls().len(), 1);
    // Admin-area roles see only what they joined.
    let partner = Caller::partner_admin("acme");
    assert_eq!(test.call(my_customers, api("GET /me/customers").by(&partner)).await.body["items"], json!([]));
    test.call(add_myself, add_me("c-active").by(&partner)).await;
    let joined = test.call(my_customers, api("GET /me/customers").by(&partner)).await;
    assert_eq!(joined.body["items"][0]["joinedVia"], "SELF_ASSIGNMENT");
}

/// Disables an ACTIVE customer through the store's one customer update.
async fn disable(test: &TestApp, customer: &str) {
    let identifier = CustomerIdentifier::parse(customer).unwrap();
    let before = test.store.customers(std::slice::from_ref(&identifier)).await.unwrap().remove(0);
    let mut after = before.clone();
    after.status = CustomerStatus::Disabled;
    after.version += 1;
    let change = CustomerStatusChanged { from: before.status, to: after.status, reason: None };
    let actor = Actor { user_id: UserId::parse("ops").unwrap(), email: None, role: Role::PlatformAdmin, api_key: None };
    let event = DomainEvent::new(&identifier, actor, chrono::Utc::now(), EventPayload::CustomerStatusChanged(change));
    let mut changes = test.store.changes();
    changes.update_customer(&before, &after).unwrap();
    changes.record(event);
    test.store.commit(changes).await.unwrap();
}
