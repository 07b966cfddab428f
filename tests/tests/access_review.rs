//! Access reviews (SPEC §6.3): the export of who has access (JSON or CSV by content negotiation,
//! formula injection neutralized, bounded), a review that decides on every member and removes the
//! REMOVE ones in one transaction (the last admin that stays kept, also under 20 racing reviews;
//! nothing stale committed when a review races a change of a member it decides on), and the list
//! of reviews. After each scenario `adminCount` is held against the stored admins without an end.

use chrono::{DateTime, Duration, Utc};
use futures::future::join_all;
use lambda_http::{Body, Request, Response};
use meshcustomers::domain::{
    AccessReview, ApiKey, ApiKeyRole, CustomerIdentifier, CustomerRole, CustomerStatus, DisplayName, EmailAddress,
    GeneratedId, JoinedVia, KeptMembership, KeyOwner, LinkToken, MAX_EXPORT_SERVICE_USERS, MAX_REVIEW_MEMBERS,
    Membership, ServiceUser, UserId,
};
use meshcustomers::store::{Conflict, StoreError};
use meshcustomers_tests::members::{assert_admins_that_stay_counted, stored_members};
use meshcustomers_tests::requests::RequestBuilder;
use meshcustomers_tests::{Caller, TestApp, TestResponse, api, fixtures};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

use authorizer::authorizer::KeyLookup;
use change_member_expiry::handle as change_expiry;
use change_member_role::handle as change_role;
use export_access_review::Export;
use export_access_review::handle as export;
use list_access_reviews::handle as list_reviews;
use remove_member::handle as remove;
use review_access::handle as review;

use CustomerRole::{CustomerAdmin as ADMIN, CustomerEmployee as EMPLOYEE};

fn user(name: &str) -> Caller {
    Caller::user(name, &format!("{name}@review.example"))
}

fn reviewing(customer: &str, decisions: &[(&str, &str)], note: Option<&str>) -> RequestBuilder {
    let decisions: Vec<Value> =
        decisions.iter().map(|(user, decision)| json!({"userId": user, "decision": decision})).collect();
    api("POST /customers/{id}/access-reviews").param("id", customer).json(json!({"decisions": decisions, "note": note}))
}

fn exporting(customer: &str) -> RequestBuilder {
    api("GET /customers/{id}/access-review").param("id", customer)
}

fn reviews(customer: &str) -> RequestBuilder {
    api("GET /customers/{id}/access-reviews").param("id", customer)
}

fn set_role(customer: &str, member: &str, role: &str) -> RequestBuilder {
    api("PUT /customers/{id}/users/{userId}/role")
        .param("id", customer)
        .param("userId", member)
        .json(json!({"role": role}))
}

/// The export's raw answer: status, headers and the body as text (CSV is no JSON).
async fn raw_export(test: &TestApp, request: Request) -> Response<Body> {
    export(&test.app::<()>(), request).await.expect("HTTP handlers answer every request")
}

fn text(response: &Response<Body>) -> String {
    String::from_utf8(response.body().as_ref().to_vec()).expect("UTF-8")
}

fn header<'a>(response: &'a Response<Body>, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|value| value.to_str().ok())
}

async fn member_ids(test: &TestApp, customer: &str) -> BTreeSet<String> {
    stored_members(test, customer).await.iter().map(|item| item["userId"].as_s().unwrap().clone()).collect()
}

// ------------------------------------------------------------------------------- the review

#[tokio::test]
async fn a_review_keeps_and_removes_in_one_transaction_and_is_listed() {
    let test = TestApp::spawn().await;
    let (ada, bob, eve) = (user("ada"), user("bob"), user("eve"));
    // Two members with one address: their address item is left by one update.
    let (twin, twin_too) =
        (Caller::user("twin", "twins@review.example"), Caller::user("twin2", "twins@review.example"));
    let members = [(&ada, ADMIN), (&bob, ADMIN), (&eve, EMPLOYEE), (&twin, EMPLOYEE), (&twin_too, EMPLOYEE)];
    fixtures::customer(&test, "reviewed", "acme", CustomerStatus::Active, &members).await;
    let decisions = [("ada", "KEEP"), ("bob", "REMOVE"), ("eve", "KEEP"), ("twin", "REMOVE"), ("twin2", "REMOVE")];
    let made = test.call(review, reviewing("reviewed", &decisions, Some("  Quarterly review  ")).by(&ada)).await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.body["kept"], json!(["ada", "eve"]));
    assert_eq!(made.body["removed"], json!(["bob", "twin", "twin2"]));
    assert_eq!(made.body["note"], "Quarterly review");
    assert_eq!(made.body["reviewedBy"], "ada");
    assert_eq!(member_ids(&test, "reviewed").await, BTreeSet::from(["ada".to_owned(), "eve".to_owned()]));
    assert_eq!(assert_admins_that_stay_counted(&test, "reviewed").await, 1);
    let addresses = test.items_of("MEMBER_EMAIL").await;
    let twins = addresses.iter().find(|item| item["sk"].as_s().unwrap() == "MEMBER_EMAIL#twins@review.example");
    assert!(twins.is_some_and(|item| !item.contains_key("userIds")), "{twins:?}");

    let reviewed = test.events_of("ACCESS_REVIEWED").await;
    assert_eq!(reviewed.len(), 1);
    assert_eq!(
        reviewed[0]["data"],
        json!({"reviewId": made.body["reviewId"], "kept": ["ada", "eve"], "removed": ["bob", "twin", "twin2"],
               "note": "Quarterly review"})
    );
    assert_eq!(reviewed[0]["actor"]["role"], "CUSTOMER_ADMIN");
    let removed = test.events_of("USER_REMOVED").await;
    let mut removed: Vec<(String, String, String)> = removed
        .iter()
        .map(|event| {
            assert_eq!(event["data"]["reason"], "ACCESS_REVIEW", "{event}");
            let data = &event["data"];
            (
                data["userId"].as_str().unwrap().to_owned(),
                data["role"].as_str().unwrap().to_owned(),
                data["email"].to_string(),
            )
        })
        .collect();
    removed.sort();
    assert_eq!(
        removed,
        [
            ("bob".to_owned(), "CUSTOMER_ADMIN".to_owned(), "\"bob@review.example\"".to_owned()),
            ("twin".to_owned(), "CUSTOMER_EMPLOYEE".to_owned(), "\"twins@review.example\"".to_owned()),
            ("twin2".to_owned(), "CUSTOMER_EMPLOYEE".to_owned(), "\"twins@review.example\"".to_owned()),
        ]
    );

    // A second review, without a note and without removals; the list is newest first, paged.
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let second = test.call(review, reviewing("reviewed", &[("ada", "KEEP"), ("eve", "KEEP")], None).by(&ada)).await;
    assert_eq!(second.status, 201, "{}", second.body);
    assert_eq!((second.body["removed"].clone(), second.body["note"].clone()), (json!([]), Value::Null));
    let listed = test.call(list_reviews, reviews("reviewed").by(&Caller::partner_admin("acme"))).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let ids: Vec<&Value> = listed.body["items"].as_array().unwrap().iter().map(|r| &r["reviewId"]).collect();
    assert_eq!(ids, [&second.body["reviewId"], &made.body["reviewId"]]);
    assert_eq!(listed.body["items"][1], made.body);
    let first_page = test.call(list_reviews, reviews("reviewed").query("limit", "1").by(&ada)).await;
    assert_eq!(first_page.body["items"][0]["reviewId"], second.body["reviewId"]);
    let cursor = first_page.body["nextCursor"].as_str().expect("more to read").to_owned();
    let next = test.call(list_reviews, reviews("reviewed").query("limit", "1").query("cursor", &cursor).by(&ada)).await;
    assert_eq!(next.body["items"][0]["reviewId"], made.body["reviewId"]);
    assert_eq!(next.body["nextCursor"], Value::Null);
}

#[tokio::test]
async fn bad_reviews_name_what_is_wrong_and_write_nothing() {
    let test = TestApp::spawn().await;
    let (ada, bob, eve) = (user("ada"), user("bob"), user("eve"));
    fixtures::customer(
        &test,
        "strict",
        "acme",
        CustomerStatus::Active,
        &[(&ada, ADMIN), (&bob, ADMIN), (&eve, EMPLOYEE)],
    )
    .await;
    // Missing members: named in `decisions`.
    let missing = test.call(review, reviewing("strict", &[("ada", "KEEP")], None).by(&ada)).await;
    missing.assert_problem(400, "validation-failed");
    let said = missing.body["errors"]["decisions"].as_str().unwrap();
    assert!(said.contains("\"bob\"") && said.contains("\"eve\"") && !said.contains("ada"), "{said}");
    // Unknown and repeated user ids: named by their entry.
    let decisions = [("ada", "KEEP"), ("bob", "KEEP"), ("eve", "KEEP"), ("mallory", "REMOVE"), ("bob", "REMOVE")];
    let wrong = test.call(review, reviewing("strict", &decisions, None).by(&ada)).await;
    wrong.assert_problem(400, "validation-failed");
    assert!(wrong.body["errors"]["decisions[4].userId"].as_str().unwrap().contains("decisions[1]"), "{}", wrong.body);
    let wrong = test.call(review, reviewing("strict", &decisions[..4], None).by(&ada)).await;
    wrong.assert_problem(400, "validation-failed");
    assert!(wrong.body["errors"]["decisions[3].userId"].as_str().unwrap().contains("mallory"), "{}", wrong.body);
    let all = [("ada", "KEEP"), ("bob", "KEEP"), ("eve", "KEEP")];
    for body in [
        json!({}),
        json!({"decisions": "all"}),
        json!({"decisions": [{"userId": "ada"}]}),
        json!({"decisions": [{"userId": "ada", "decision": "MAYBE"}, {"userId": "bob", "decision": "KEEP"}, {"userId": "eve", "decision": "KEEP"}]}),
        json!({"decisions": [1, 2]}),
        json!({"decisions": [{"userId": "ada", "decision": "KEEP", "role": "x"}]}),
        json!({"decisions": [{"userId": "a#b", "decision": "KEEP"}]}),
        json!({"decisions": all.map(|(u, d)| json!({"userId": u, "decision": d})), "note": "x".repeat(1001)}),
        json!({"decisions": all.map(|(u, d)| json!({"userId": u, "decision": d})), "note": "two\nlines"}),
        json!({"decisions": all.map(|(u, d)| json!({"userId": u, "decision": d})), "note": " "}),
        json!({"decisions": all.map(|(u, d)| json!({"userId": u, "decision": d})), "reviewer": "ada"}),
        json!([]),
    ] {
        let request = api("POST /customers/{id}/access-reviews").param("id", "strict").json(body.clone());
        let response = test.call(review, request.by(&ada)).await;
        response.assert_problem(400, "validation-failed");
        assert!(response.body["errors"].as_object().is_some_and(|e| !e.is_empty()), "{body}: {}", response.body);
    }
    let longest = "é".repeat(1000);
    let note_ok = test.call(review, reviewing("strict", &all, Some(&longest)).by(&ada)).await;
    assert_eq!(note_ok.status, 201, "a note of 1000 characters is taken: {}", note_ok.body);
    let items = test.all_items().await;

    // Who may: the customer's admins, as people. Everyone else as for any admin-only change,
    // whatever the body.
    let partner = Caller::partner_admin("acme");
    for (caller, status, problem) in [
        (&eve, 403, "forbidden"),
        (&partner, 403, "forbidden"),
        (&Caller::partner_admin("globex"), 404, "not-found"),
        (&user("stranger"), 404, "not-found"),
    ] {
        test.call(review, reviewing("strict", &all, None).by(caller)).await.assert_problem(status, problem);
        let invalid = api("POST /customers/{id}/access-reviews").param("id", "strict").raw_body("{");
        test.call(review, invalid.by(caller)).await.assert_problem(status, problem);
    }
    test.call(review, reviewing("nowhere", &all, None).by(&ada)).await.assert_problem(404, "not-found");
    assert_eq!(test.all_items().await, items, "no refused review writes anything");
}

#[tokio::test]
async fn at_most_20_removals_and_only_people_review() {
    let test = TestApp::spawn().await;
    let ada = user("ada");
    let staff: Vec<Caller> = (0..21).map(|n| user(&format!("staff{n:02}"))).collect();
    let mut members = vec![(&ada, ADMIN)];
    members.extend(staff.iter().map(|member| (member, EMPLOYEE)));
    fixtures::customer(&test, "crowded", "acme", CustomerStatus::Active, &members).await;
    let mut decisions: Vec<(&str, &str)> = vec![("ada", "KEEP")];
    decisions.extend(staff.iter().map(|member| (member.user_id(), "REMOVE")));
    let items = test.all_items().await;
    let refused = test.call(review, reviewing("crowded", &decisions, None).by(&ada)).await;
    refused.assert_problem(400, "validation-failed");
    assert!(refused.body["errors"]["decisions"].as_str().unwrap().contains("20"), "{}", refused.body);
    assert_eq!(test.all_items().await, items);
    // 20 go in one transaction (84 of its 100 actions at most, with their log entries).
    decisions[1].1 = "KEEP";
    let made = test.call(review, reviewing("crowded", &decisions, None).by(&ada)).await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.body["removed"].as_array().unwrap().len(), 20);
    assert_eq!(member_ids(&test, "crowded").await.len(), 2);
    assert_eq!(test.events_of("USER_REMOVED").await.len(), 20);

    // A customer admin's key: 403, as for every people-only action.
    let key = fixtures::api_key(
        &test,
        KeyOwner::Customer { customer_id: CustomerIdentifier::parse("crowded").unwrap() },
        ApiKeyRole::CustomerAdmin,
        "019bc1a5-0000-7000-8000-000000000001",
    )
    .await;
    let context = key_context(&test, key.expose()).await;
    let kept = [("ada", "KEEP"), ("staff00", "KEEP")];
    test.call(review, reviewing("crowded", &kept, None).by_key(&context)).await.assert_problem(403, "forbidden");
    // It may read the export and the list (reads, as GET /customers/{id}/users).
    assert_eq!(test.call(export, exporting("crowded").by_key(&context)).await.status, 200);
    assert_eq!(test.call(list_reviews, reviews("crowded").by_key(&context)).await.status, 200);
}

/// The caller a request with `key` reaches the functions as, built by the authorizer's own code.
async fn key_context(test: &TestApp, key: &str) -> BTreeMap<String, String> {
    let item_key = authorizer::api_key::item_key(key).expect("a key");
    let table = authorizer::table::KeyTable { client: test.dynamodb.clone(), table_name: test.table.clone() };
    let stored = table.find(&item_key).await.expect("the lookup answers").expect("the key exists");
    authorizer::context::api_key(&stored)
}

// ------------------------------------------------------------------------------- the last admin

#[tokio::test]
async fn a_review_keeps_the_last_admin_that_stays() {
    let test = TestApp::spawn().await;
    let (ada, bob, cid, eve) = (user("ada"), user("bob"), user("cid"), user("eve"));
    let members = [(&ada, ADMIN), (&bob, ADMIN), (&cid, ADMIN), (&eve, EMPLOYEE)];
    fixtures::customer(&test, "last", "acme", CustomerStatus::Active, &members).await;
    // cid's membership ends: not an admin that stays.
    let later = (Utc::now() + Duration::days(30)).to_rfc3339();
    let ending = api("PUT /customers/{id}/users/{userId}/expiry").param("id", "last").param("userId", "cid");
    assert_eq!(test.call(change_expiry, ending.json(json!({"expiresAt": later})).by(&ada)).await.status, 200);
    assert_eq!(assert_admins_that_stay_counted(&test, "last").await, 2);
    let items = test.all_items().await;
    // Both admins that stay at once (the reviewer among them): 409, nothing written.
    let both = [("ada", "REMOVE"), ("bob", "REMOVE"), ("cid", "KEEP"), ("eve", "KEEP")];
    test.call(review, reviewing("last", &both, None).by(&ada)).await.assert_problem(409, "last-admin");
    // The ending admin does not count as one that stays.
    let keep_only_cid = [("ada", "KEEP"), ("bob", "REMOVE"), ("cid", "KEEP"), ("eve", "KEEP")];
    let bob_goes = test.call(review, reviewing("last", &keep_only_cid, None).by(&ada)).await;
    assert_eq!(bob_goes.status, 201, "{}", bob_goes.body);
    assert_eq!(assert_admins_that_stay_counted(&test, "last").await, 1);
    let ada_goes = [("ada", "REMOVE"), ("cid", "KEEP"), ("eve", "KEEP")];
    test.call(review, reviewing("last", &ada_goes, None).by(&cid)).await.assert_problem(409, "last-admin");
    // The ending admin may go: it is not counted.
    let cid_goes = [("ada", "KEEP"), ("cid", "REMOVE"), ("eve", "KEEP")];
    let made = test.call(review, reviewing("last", &cid_goes, None).by(&ada)).await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(assert_admins_that_stay_counted(&test, "last").await, 1);
    assert_ne!(test.all_items().await, items);
}

/// 20 admins; review `n` by admin `n` decides on everyone and removes `target(n)`. No review
/// answers 5xx, at least one admin that stays remains, and the counter is exact.
async fn racing_reviews(test: &TestApp, customer: &str, target: impl Fn(usize) -> usize) -> Vec<TestResponse> {
    let admins: Vec<Caller> = (0..20).map(|n| user(&format!("{customer}{n}"))).collect();
    let members: Vec<(&Caller, CustomerRole)> = admins.iter().map(|admin| (admin, ADMIN)).collect();
    fixtures::customer(test, customer, "acme", CustomerStatus::Active, &members).await;
    let requests = admins.iter().enumerate().map(|(n, admin)| {
        let removed = target(n);
        let decisions: Vec<(&str, &str)> = admins
            .iter()
            .enumerate()
            .map(|(m, member)| (member.user_id(), if m == removed { "REMOVE" } else { "KEEP" }))
            .collect();
        let request = reviewing(customer, &decisions, Some("racing")).by(admin);
        async move { test.call(review, request).await }
    });
    let responses = join_all(requests).await;
    for response in &responses {
        assert!(
            [201, 400, 404, 409].contains(&response.status),
            "a racing review answers what a review answers: {} {}",
            response.status,
            response.body
        );
    }
    assert!(assert_admins_that_stay_counted(test, customer).await >= 1);
    let removals = test.events_of("USER_REMOVED").await.iter().filter(|e| e["customerId"] == customer).count();
    assert_eq!(removals, 20 - stored_members(test, customer).await.len(), "one USER_REMOVED per member gone");
    responses
}

#[tokio::test]
async fn twenty_reviews_at_once_each_removing_another_admin_leave_an_admin_that_stays() {
    let test = TestApp::spawn().await;
    let responses = racing_reviews(&test, "ring", |n| (n + 1) % 20).await;
    let made = responses.iter().filter(|r| r.status == 201).count();
    assert!(made >= 1, "{:?}", responses.iter().map(|r| r.status).collect::<Vec<_>>());
    for refused in responses.iter().filter(|r| r.status == 409) {
        assert!(["last-admin", "concurrent-modification"].contains(&refused.body["type"].as_str().unwrap()));
    }
}

/// Each review removes its own reviewer. A review whose load saw all 20 lands unless it would take
/// the last admin that stays (409); one that loads after another landed names a member gone
/// since and is refused (400) — which of the two each meets depends on the interleaving, so the
/// test holds what every interleaving must: no 5xx, never no admin, and exactly the reviewers
/// of the landed reviews gone.
#[tokio::test]
async fn twenty_admins_reviewing_themselves_out_at_once_never_leave_none() {
    let test = TestApp::spawn().await;
    let responses = racing_reviews(&test, "selves", |n| n).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    let landed = statuses.iter().filter(|s| **s == 201).count();
    assert!((1..=19).contains(&landed), "{statuses:?}");
    for refused in responses.iter().filter(|r| r.status != 201) {
        match refused.status {
            409 => refused.assert_problem(409, "last-admin"),
            _ => {
                refused.assert_problem(400, "validation-failed");
                assert!(
                    refused.body["errors"].to_string().contains("selves"),
                    "names the member gone: {}",
                    refused.body
                );
            }
        }
    }
    assert_eq!(assert_admins_that_stay_counted(&test, "selves").await, 20 - landed as i64);
    if landed == 19 {
        assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 1, "the last one is refused as the last admin");
    }
}

// ------------------------------------------------------------------------------- nothing stale

/// The write's own condition: a removal rests on the member's version as read. A removal of a
/// member whose role changed after the read is refused by the store, and nothing lands.
#[tokio::test]
async fn a_removal_read_before_a_role_change_is_refused_by_its_version() {
    let test = TestApp::spawn().await;
    let (ada, eve) = (user("ada"), user("eve"));
    fixtures::customer(&test, "stale", "acme", CustomerStatus::Active, &[(&ada, ADMIN), (&eve, EMPLOYEE)]).await;
    let customer = CustomerIdentifier::parse("stale").unwrap();
    let read = test.store.current_members(&customer, MAX_REVIEW_MEMBERS).await.unwrap().unwrap();
    let eve_read = read.iter().find(|m| m.user_id.as_str() == "eve").unwrap().clone();
    // eve becomes an admin after the read: her removal as an employee would leave adminCount wrong.
    assert_eq!(test.call(change_role, set_role("stale", "eve", "CUSTOMER_ADMIN").by(&ada)).await.status, 200);
    let items = test.all_items().await;
    let mut changes = test.store.changes();
    changes.remove_members(&[eve_read]).unwrap();
    let payload =
        meshcustomers::events::EventPayload::MembershipExpiryChanged(meshcustomers::events::MembershipExpiryChanged {
            user_id: UserId::parse("eve").unwrap(),
            from: None,
            to: None,
        });
    changes.record(meshcustomers::events::DomainEvent::new(
        &customer,
        meshcustomers::events::Actor::system(),
        Utc::now(),
        payload,
    ));
    let refused = test.store.commit(changes).await;
    assert!(matches!(refused, Err(StoreError::Conflict(Conflict::VersionMismatch { .. }))), "{refused:?}");
    assert_eq!(test.all_items().await, items);
    assert_eq!(assert_admins_that_stay_counted(&test, "stale").await, 2);
}

/// Reviews racing role changes and removals of the members they remove, 10 customers at once:
/// whichever lands first, the other decides on what it left. A member removed as an employee
/// after becoming an admin would leave `adminCount` wrong; a member removed twice would have two
/// USER_REMOVED.
#[tokio::test]
async fn reviews_racing_changes_of_the_members_they_decide_on_commit_nothing_stale() {
    let test = TestApp::spawn().await;
    let (ada, eve) = (user("ada"), user("eve"));
    let customers: Vec<String> = (0..10).map(|n| format!("racy-{n}")).collect();
    for customer in &customers {
        fixtures::customer(&test, customer, "acme", CustomerStatus::Active, &[(&ada, ADMIN), (&eve, EMPLOYEE)]).await;
    }
    let decisions = [("ada", "KEEP"), ("eve", "REMOVE")];
    let races = customers.iter().enumerate().map(|(n, customer)| {
        let (ada, decisions) = (&ada, &decisions);
        let test = &test;
        async move {
            let reviewed = test.call(review, reviewing(customer, decisions, None).by(ada));
            let other = async {
                if n % 2 == 0 {
                    test.call(change_role, set_role(customer, "eve", "CUSTOMER_ADMIN").by(ada)).await
                } else {
                    let removal =
                        api("DELETE /customers/{id}/users/{userId}").param("id", customer).param("userId", "eve");
                    test.call(remove, removal.by(ada)).await
                }
            };
            let (reviewed, other) = futures::join!(reviewed, other);
            (n, reviewed, other)
        }
    });
    for (n, reviewed, other) in join_all(races).await {
        let customer = &customers[n];
        assert!([201, 400].contains(&reviewed.status), "{customer}: {} {}", reviewed.status, reviewed.body);
        assert!([200, 204, 404].contains(&other.status), "{customer}: {} {}", other.status, other.body);
        assert_eq!(
            assert_admins_that_stay_counted(&test, customer).await,
            1 + i64::from(other.status == 200 && reviewed.status != 201)
        );
        let removed: Vec<Value> =
            test.events_of("USER_REMOVED").await.into_iter().filter(|e| e["customerId"] == customer.as_str()).collect();
        assert_eq!(removed.len(), 1, "{customer}: eve leaves once: {removed:?}");
        assert!(!member_ids(&test, customer).await.contains("eve"));
        if reviewed.status == 201 && other.status == 200 {
            // Promoted first, then removed by the review as the admin she was by then.
            assert_eq!(removed[0]["data"]["role"], "CUSTOMER_ADMIN", "{customer}");
        }
        if reviewed.status == 400 {
            // Removed first: the review, reading again, found her no member.
            assert!(reviewed.body["errors"]["decisions[1].userId"].as_str().is_some(), "{}", reviewed.body);
        }
    }
}

// ------------------------------------------------------------------------------- the export

#[tokio::test]
async fn the_export_lists_members_service_users_and_keys_with_who_added_them_and_when_reviewed() {
    let test = TestApp::spawn().await;
    let (ada, eve, sam) = (user("ada"), user("eve"), user("sam"));
    fixtures::customer(
        &test,
        "audited",
        "acme",
        CustomerStatus::Active,
        &[(&ada, ADMIN), (&eve, EMPLOYEE), (&sam, EMPLOYEE)],
    )
    .await;
    // Joined by "Add Myself": added by themself.
    let partner = Caller::partner_admin("acme");
    let me = api("POST /customers/{id}/users/me").param("id", "audited");
    assert_eq!(test.call(add_myself::handle, me.by(&partner)).await.status, 201);
    // Joined by an invitation of ada's: added by ada.
    let invite = api("POST /customers/{id}/invitations")
        .param("id", "audited")
        .json(json!({"email": "ivy@review.example", "role": "CUSTOMER_EMPLOYEE"}));
    let invited = test.call(invite_user::handle, invite.by(&ada)).await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let id = GeneratedId::parse(invited.body["id"].as_str().unwrap()).unwrap();
    let customer = CustomerIdentifier::parse("audited").unwrap();
    let (invitation, _) = test.store.invitation(&customer, id).await.unwrap().expect("the invitation");
    let token = LinkToken::generate().unwrap();
    fixtures::invitation_link(&test, &invitation, &token).await;
    let accept = api("POST /invitations/accept").json(json!({"token": token.expose()}));
    let ivy = user("ivy");
    assert_eq!(test.call(accept_invitation::handle, accept.by(&ivy)).await.status, 201);
    // eve's role changes: lastRoleChangeAt.
    let before_change = Utc::now();
    assert_eq!(test.call(change_role, set_role("audited", "eve", "CUSTOMER_ADMIN").by(&ada)).await.status, 200);
    let service_user = "019bc194-99a0-7e55-8f60-718293a4b5c0";
    fixtures::service_user(&test, "audited", &ada, service_user, &LinkToken::generate().unwrap()).await;
    let key_id = "019bc1a5-0000-7000-8000-000000000002";
    fixtures::api_key(
        &test,
        KeyOwner::Customer { customer_id: customer.clone() },
        ApiKeyRole::CustomerEmployee,
        key_id,
    )
    .await;

    let exported = test.call(export, exporting("audited").by(&ada)).await;
    assert_eq!(exported.status, 200, "{}", exported.body);
    assert_eq!(exported.header("content-type"), Some("application/json"));
    assert_eq!(exported.header("vary"), Some("Accept"));
    assert_eq!(exported.header("cache-control"), Some("no-store"));
    let text = exported.body.to_string();
    assert!(!text.to_lowercase().contains("hash") && !text.contains("mck_"), "no hash, no key: {text}");
    let members: BTreeMap<&str, &Value> =
        exported.body["members"].as_array().unwrap().iter().map(|m| (m["userId"].as_str().unwrap(), m)).collect();
    assert_eq!(members.len(), 5);
    let fields: BTreeSet<&str> = members["ada"].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        fields,
        BTreeSet::from([
            "userId",
            "email",
            "name",
            "role",
            "joinedAt",
            "joinedVia",
            "addedBy",
            "lastRoleChangeAt",
            "expiresAt",
            "lastReviewedAt"
        ])
    );
    // Seeded before addedBy was recorded: null, as for items written before.
    assert_eq!(
        (members["ada"]["addedBy"].clone(), members["ada"]["lastReviewedAt"].clone()),
        (Value::Null, Value::Null)
    );
    let partner_id = partner.user_id();
    assert_eq!(members[partner_id]["addedBy"], partner_id);
    assert_eq!(members[partner_id]["joinedVia"], "SELF_ASSIGNMENT");
    assert_eq!(members["ivy"]["addedBy"], "ada");
    assert_eq!(members["ivy"]["joinedVia"], "INVITATION");
    let changed: DateTime<Utc> = members["eve"]["lastRoleChangeAt"].as_str().unwrap().parse().unwrap();
    assert!(changed >= before_change - Duration::milliseconds(1) && changed <= Utc::now(), "{changed}");
    assert_eq!(members["eve"]["role"], "CUSTOMER_ADMIN");
    assert_eq!(members["sam"]["lastRoleChangeAt"], Value::Null);
    assert_eq!(exported.body["serviceUsers"][0]["serviceUserId"], service_user);
    assert_eq!(exported.body["apiKeys"][0]["keyId"], key_id);
    assert_eq!(exported.body["apiKeys"][0]["lastUsedAt"], Value::Null);
    assert_eq!(exported.body["lastReview"], Value::Null);

    // A review keeps everyone; then sam's role changes: sam's review no longer stands.
    let everyone: Vec<(&str, &str)> = members.keys().map(|user| (*user, "KEEP")).collect();
    let made = test.call(review, reviewing("audited", &everyone, None).by(&ada)).await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(test.call(change_role, set_role("audited", "sam", "CUSTOMER_ADMIN").by(&ada)).await.status, 200);
    let exported = test.call(export, exporting("audited").by(&partner)).await;
    assert_eq!(exported.status, 200, "{}", exported.body);
    assert_eq!(exported.body["lastReview"]["reviewId"], made.body["reviewId"]);
    for member in exported.body["members"].as_array().unwrap() {
        let expected = if member["userId"] == "sam" { Value::Null } else { made.body["reviewedAt"].clone() };
        assert_eq!(member["lastReviewedAt"], expected, "{member}");
    }

    // Who may read it: admin-area in scope and the customer's admins.
    test.call(export, exporting("audited").by(&user("stranger"))).await.assert_problem(404, "not-found");
    test.call(export, exporting("audited").by(&Caller::partner_admin("globex"))).await.assert_problem(404, "not-found");
    let ivy_reads = test.call(export, exporting("audited").by(&ivy)).await;
    ivy_reads.assert_problem(403, "forbidden");
    test.call(list_reviews, reviews("audited").by(&ivy)).await.assert_problem(403, "forbidden");
}

#[tokio::test]
async fn the_csv_is_rfc_4180_with_formulas_neutralized() {
    let test = TestApp::spawn().await;
    let ada = user("ada");
    // A name from the token's claims and an address that a spreadsheet would run as formulas.
    let evil = Caller::user("-evil", "=1+2@review.example").with("name", "=HYPERLINK(\"http://evil\",\"x\")");
    let plus = Caller::user("@plus", "plus@review.example").with("name", "+SUM(1,2), \"quoted\"");
    let members = [(&ada, ADMIN), (&evil, EMPLOYEE), (&plus, EMPLOYEE)];
    fixtures::customer(&test, "sheets", "acme", CustomerStatus::Active, &members).await;
    fixtures::service_user(
        &test,
        "sheets",
        &ada,
        "019bc194-99a0-7e55-8f60-718293a4b5c1",
        &LinkToken::generate().unwrap(),
    )
    .await;
    let customer = CustomerIdentifier::parse("sheets").unwrap();
    fixtures::api_key(
        &test,
        KeyOwner::Customer { customer_id: customer },
        ApiKeyRole::CustomerAdmin,
        "019bc1a5-0000-7000-8000-000000000003",
    )
    .await;

    let response = raw_export(&test, exporting("sheets").header("accept", "text/csv").by(&ada)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), Some("text/csv; charset=utf-8; header=present"));
    let today = Utc::now().format("%Y-%m-%d");
    assert_eq!(
        header(&response, "content-disposition").map(str::to_owned),
        Some(format!("attachment; filename=\"access-review-sheets-{today}.csv\""))
    );
    assert_eq!(header(&response, "vary"), Some("Accept"));
    let csv_text = text(&response);
    assert!(csv_text.ends_with("\r\n") && !csv_text.replace("\r\n", "").contains('\n'), "CRLF line ends: {csv_text:?}");
    let first_line = csv_text.split("\r\n").next().unwrap();
    assert_eq!(first_line, export_access_review::CSV_HEADER.join(","));
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3 + 1 + 1, "one row per member, service user and key");
    let kinds: Vec<&str> = rows.iter().map(|row| &row[0]).collect();
    assert_eq!(kinds, ["MEMBER", "MEMBER", "MEMBER", "SERVICE_USER", "API_KEY"]);
    let by_id: BTreeMap<&str, &csv::StringRecord> = rows.iter().map(|row| (&row[1], row)).collect();
    // Every cell that would start a formula starts with a quote instead, and is otherwise whole.
    let evil_row = by_id["'-evil"];
    assert_eq!(&evil_row[2], "'=HYPERLINK(\"http://evil\",\"x\")");
    assert_eq!(&evil_row[3], "'=1+2@review.example");
    let plus_row = by_id["'@plus"];
    assert_eq!(&plus_row[2], "'+SUM(1,2), \"quoted\"", "commas and quotes survive RFC 4180 quoting");
    assert!(csv_text.contains("\"'+SUM(1,2), \"\"quoted\"\"\""), "quotes doubled inside a quoted field: {csv_text}");
    for row in &rows {
        for cell in row {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "a formula left in {row:?}");
        }
    }
    assert_eq!(&by_id["ada"][4], "CUSTOMER_ADMIN");
    assert_eq!(&by_id["019bc1a5-0000-7000-8000-000000000003"][4], "CUSTOMER_ADMIN");
    // The JSON keeps the values as they are.
    let json = test.call(export, exporting("sheets").by(&ada)).await;
    let names: BTreeSet<&str> =
        json.body["members"].as_array().unwrap().iter().filter_map(|m| m["name"].as_str()).collect();
    assert!(names.contains("=HYPERLINK(\"http://evil\",\"x\")"), "{names:?}");
}

#[tokio::test]
async fn accept_decides_json_or_csv_and_anything_else_is_406() {
    let test = TestApp::spawn().await;
    let ada = user("ada");
    fixtures::customer(&test, "negotiated", "acme", CustomerStatus::Active, &[(&ada, ADMIN)]).await;
    for (accept, media_type) in [
        (None, "application/json"),
        (Some("*/*"), "application/json"),
        (Some("application/json"), "application/json"),
        (Some("application/json, text/csv"), "application/json"),
        (Some("text/csv;q=0.4, application/json;q=0.5"), "application/json"),
        (Some("text/csv"), "text/csv"),
        (Some("text/csv, */*"), "text/csv"),
        (Some("text/*"), "text/csv"),
        (Some("text/csv;q=0.9, application/json;q=0.5"), "text/csv"),
        (Some("application/json;q=0, */*"), "text/csv"),
    ] {
        let mut request = exporting("negotiated");
        if let Some(accept) = accept {
            request = request.header("accept", accept);
        }
        let response = raw_export(&test, request.by(&ada)).await;
        assert_eq!(response.status(), 200, "{accept:?}");
        let content_type = header(&response, "content-type").unwrap();
        assert!(content_type.starts_with(media_type), "{accept:?}: {content_type}");
    }
    for accept in
        ["text/html", "application/xml, image/*", "application/json;q=0, text/csv;q=0", "*/*;q=0", "text/csv;q=5"]
    {
        let response = test.call(export, exporting("negotiated").header("accept", accept).by(&ada)).await;
        response.assert_problem(406, "not-acceptable");
        assert!(response.body["detail"].as_str().unwrap().contains("text/csv"), "{}", response.body);
    }
    // Authorization first: an outsider learns nothing from what it accepts.
    test.call(export, exporting("negotiated").header("accept", "text/html").by(&user("stranger")))
        .await
        .assert_problem(404, "not-found");
}

// ------------------------------------------------------------------------------- the bounds

/// `count` members of `customer` (employees without an address) and `service_users` service users,
/// written through the store as their routes write them: 45 members (each with its membership log
/// entry) or 90 service users to a transaction.
async fn crowd(test: &TestApp, customer: &str, count: usize, service_users: usize) {
    let customer_id = CustomerIdentifier::parse(customer).unwrap();
    let seeder = UserId::parse("ada").unwrap();
    let members: Vec<Membership> = (0..count)
        .map(|n| {
            let user = UserId::parse(&format!("crowd-{n:04}")).unwrap();
            Membership::new(customer_id.clone(), user, None, None, EMPLOYEE, JoinedVia::Invitation, Utc::now())
        })
        .collect();
    let bots: Vec<ServiceUser> = (0..service_users)
        .map(|_| ServiceUser::new(customer_id.clone(), DisplayName::parse("bot").unwrap(), seeder.clone(), Utc::now()))
        .collect();
    let chunks = members.chunks(45).map(|chunk| (chunk, &[][..])).chain(bots.chunks(90).map(|chunk| (&[][..], chunk)));
    for (members, bots) in chunks {
        let mut changes = test.store.changes();
        for member in members {
            changes.add_member(member).unwrap();
        }
        for bot in bots {
            changes.add_service_user(bot, LinkToken::generate().unwrap().hash()).unwrap();
        }
        let payload = meshcustomers::events::EventPayload::MembershipExpiryChanged(
            meshcustomers::events::MembershipExpiryChanged { user_id: seeder.clone(), from: None, to: None },
        );
        changes.record(meshcustomers::events::DomainEvent::new(
            &customer_id,
            meshcustomers::events::Actor::system(),
            Utc::now(),
            payload,
        ));
        test.store.commit(changes).await.expect("the crowd is written");
    }
}

#[tokio::test]
async fn more_members_or_service_users_than_the_bounds_are_refused_clearly() {
    let test = TestApp::spawn().await;
    let ada = user("ada");
    fixtures::customer(&test, "huge", "acme", CustomerStatus::Active, &[(&ada, ADMIN)]).await;
    crowd(&test, "huge", MAX_REVIEW_MEMBERS, 0).await;
    let exported = test.call(export, exporting("huge").by(&ada)).await;
    exported.assert_problem(409, "access-review-too-large");
    assert!(exported.body["detail"].as_str().unwrap().contains("1000 members"), "{}", exported.body);
    let items = test.all_items().await;
    let refused = test.call(review, reviewing("huge", &[("ada", "KEEP")], None).by(&ada)).await;
    refused.assert_problem(409, "access-review-too-large");
    assert_eq!(test.all_items().await, items);

    fixtures::customer(&test, "servants", "acme", CustomerStatus::Active, &[(&ada, ADMIN)]).await;
    crowd(&test, "servants", 0, MAX_EXPORT_SERVICE_USERS + 1).await;
    let exported = test.call(export, exporting("servants").by(&ada)).await;
    exported.assert_problem(409, "access-review-too-large");
    assert!(exported.body["detail"].as_str().unwrap().contains("500 service users"), "{}", exported.body);
}

/// The export's answer at the bounds, measured: 1,000 members, 500 service users and 50 keys,
/// once with every value at its longest and costliest (user ids of 256 bytes, all quotes, which
/// JSON and CSV both double; names of 256 and 128 characters of 4 bytes; addresses of 254), once
/// with ordinary values. Both stay below Lambda's 6 MB; the review of 1,000 ordinary members stays far below
/// its 200 KB bound.
#[test]
fn the_export_and_the_review_stay_within_their_limits_at_the_bounds() {
    let customer = CustomerIdentifier::parse("bounded").unwrap();
    let at = Utc::now();
    let build = |long: bool| {
        let id = |n: usize| {
            if long { format!("{n:04}{}", "\"".repeat(252)) } else { format!("019bc165-0000-7000-8000-{n:012}") }
        };
        let email = |n: usize| {
            let local = if long { "x".repeat(60) } else { format!("user{n}") };
            let label = "h".repeat(58);
            let host = if long { format!("{label}.{label}.{label}.example") } else { "example.com".to_owned() };
            EmailAddress::parse(&format!("{local}{n:04}@{host}")).unwrap()
        };
        let name = |n: usize| if long { format!("{n:04}{}", "😀".repeat(252)) } else { format!("Member {n}") };
        let members: Vec<Membership> = (0..MAX_REVIEW_MEMBERS)
            .map(|n| {
                let mut member = Membership::new(
                    customer.clone(),
                    UserId::parse(&id(n)).unwrap(),
                    Some(email(n)),
                    Some(name(n)),
                    ADMIN,
                    JoinedVia::Invitation,
                    at,
                )
                .with_added_by(Some(UserId::parse(&id(n + 5000)).unwrap()))
                .ending(Some(at + Duration::days(30)));
                member.last_role_change_at = Some(at);
                member
            })
            .collect();
        let display = |n: usize| {
            DisplayName::parse(&if long { format!("{n:04}{}", "😀".repeat(124)) } else { format!("bot {n}") }).unwrap()
        };
        let service_users: Vec<ServiceUser> = (0..MAX_EXPORT_SERVICE_USERS)
            .map(|n| ServiceUser::new(customer.clone(), display(n), UserId::parse(&id(n)).unwrap(), at))
            .collect();
        let keys: Vec<ApiKey> = (0..50)
            .map(|n| {
                let owner = KeyOwner::Customer { customer_id: customer.clone() };
                let mut key = ApiKey::new(
                    owner,
                    display(n),
                    ApiKeyRole::CustomerAdmin,
                    Some(at),
                    UserId::parse(&id(n)).unwrap(),
                    at,
                );
                key.last_used_at = Some(at);
                key
            })
            .collect();
        let kept: Vec<KeptMembership> = members.iter().map(KeptMembership::from).collect();
        let review = AccessReview {
            review_id: GeneratedId::new(),
            customer_id: customer.clone(),
            reviewed_at: at,
            reviewed_by: members[0].user_id.clone(),
            kept: members.iter().map(|m| m.user_id.clone()).collect(),
            removed: Vec::new(),
            note: Some(meshcustomers::domain::ReviewNote::parse(&"n".repeat(1000)).unwrap()),
        };
        let review_bytes = review.bytes();
        let export = Export::new(customer.clone(), at, &members, &service_users, &keys, Some((review, kept)));
        (serde_json::to_vec(&export).unwrap().len(), export.csv().unwrap().len(), review_bytes)
    };
    let (json_longest, csv_longest, review_longest) = build(true);
    let (json_ordinary, csv_ordinary, review_ordinary) = build(false);
    println!(
        "export at the bounds: longest values JSON {json_longest} B, CSV {csv_longest} B; ordinary JSON {json_ordinary} B, \
         CSV {csv_ordinary} B; review of 1000 members: ordinary {review_ordinary} B, longest {review_longest} B"
    );
    let six_mb = 6 * 1024 * 1024;
    assert!(json_longest < six_mb * 3 / 4 && csv_longest < six_mb * 3 / 4, "{json_longest} {csv_longest}");
    assert!(json_ordinary < 1024 * 1024 && csv_ordinary < 1024 * 1024);
    assert!(review_ordinary < meshcustomers::domain::MAX_REVIEW_BYTES / 2, "{review_ordinary}");
    assert!(review_longest > meshcustomers::domain::MAX_REVIEW_BYTES, "the byte bound is what refuses such a review");
}

#[test]
fn formula_cells_get_a_leading_quote() {
    use export_access_review::cell;
    for (raw, shown) in [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("", ""),
        ("2026-01-15T11:30:00.000Z", "2026-01-15T11:30:00.000Z"),
    ] {
        assert_eq!(cell(raw), shown);
    }
}
