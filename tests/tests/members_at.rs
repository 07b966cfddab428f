//! Members at a moment (SPEC §6.3, `GET /customers/{id}/users?at=`): answered from the membership
//! log that every membership change writes in its own transaction, people removed since
//! included, ended memberships left out; who may ask; and the snapshots that keep a read bounded
//! however long the log grows (the audit writer makes them), which answer exactly as the log does.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Duration, Utc};
use futures::future::join_all;
use lambda_runtime::{Context, LambdaEvent};
use meshcustomers::domain::{CustomerIdentifier, CustomerRole, CustomerStatus};
use meshcustomers::store::{MEMBERSHIP_LOG_SETTLING, MEMBERSHIP_SNAPSHOT_EVERY};
use meshcustomers_tests::requests::RequestBuilder;
use meshcustomers_tests::{Caller, TestApp, api, fixtures};
use serde_json::{Value, json};
use std::collections::BTreeMap;

use add_myself::handle as add_myself;
use change_member_expiry::handle as change_expiry;
use change_member_role::handle as change_role;
use edit_customer_quota::handle as edit_quota;
use list_customer_users::handle as list_users;
use remove_member::handle as remove;

use CustomerRole::{CustomerAdmin as ADMIN, CustomerEmployee as EMPLOYEE};

const ACME: &str = "acme";

fn user(name: &str) -> Caller {
    Caller::user(name, &format!("{name}@moments.example"))
}

fn at(customer: &str, moment: DateTime<Utc>) -> RequestBuilder {
    api("GET /customers/{id}/users").param("id", customer).query("at", &moment.to_rfc3339())
}

fn set_role(customer: &str, member: &str, role: &str) -> RequestBuilder {
    api("PUT /customers/{id}/users/{userId}/role")
        .param("id", customer)
        .param("userId", member)
        .json(json!({"role": role}))
}

fn removal(customer: &str, member: &str) -> RequestBuilder {
    api("DELETE /customers/{id}/users/{userId}").param("id", customer).param("userId", member)
}

/// A moment between two changes: the log keeps milliseconds.
async fn moment() -> DateTime<Utc> {
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    let now = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    now
}

/// The members at `moment` as the route answers them: user id → role.
async fn members_at(
    test: &TestApp,
    customer: &str,
    moment: DateTime<Utc>,
    caller: &Caller,
) -> BTreeMap<String, String> {
    let response = test.call(list_users, at(customer, moment).by(caller)).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert!(response.body["nextCursor"].is_null(), "one answer: {}", response.body);
    response.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|member| (member["userId"].as_str().unwrap().to_owned(), member["role"].as_str().unwrap().to_owned()))
        .collect()
}

fn roles(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(user, role)| ((*user).to_owned(), (*role).to_owned())).collect()
}

#[tokio::test]
async fn the_members_as_they_were_follow_joins_role_changes_ends_and_removals() {
    let test = TestApp::spawn().await;
    let before_anything = moment().await;
    let (ada, bob) = (user("ada"), user("bob"));
    fixtures::customer(&test, "timeline", ACME, CustomerStatus::Active, &[(&ada, ADMIN)]).await;
    let created = moment().await;
    fixtures::member(&test, "timeline", &bob, EMPLOYEE).await;
    let bob_joined = moment().await;
    let partner = Caller::partner_admin(ACME);
    let me = api("POST /customers/{id}/users/me").param("id", "timeline");
    assert_eq!(test.call(add_myself, me.json(json!({})).by(&partner)).await.status, 201);
    let partner_joined = moment().await;
    assert_eq!(test.call(change_role, set_role("timeline", "bob", "CUSTOMER_ADMIN").by(&ada)).await.status, 200);
    let bob_promoted = moment().await;
    let partner_id = partner.user_id().to_owned();
    let end = Utc::now() + Duration::milliseconds(400);
    let ending = api("PUT /customers/{id}/users/{userId}/expiry")
        .param("id", "timeline")
        .param("userId", &partner_id)
        .json(json!({"expiresAt": end.to_rfc3339()}));
    let ended = test.call(change_expiry, ending.by(&ada)).await;
    assert_eq!(ended.status, 200, "{}", ended.body);
    tokio::time::sleep(std::time::Duration::from_millis(450)).await;
    let partner_ended = moment().await;
    assert_eq!(test.call(remove, removal("timeline", "bob").by(&ada)).await.status, 204);
    let bob_removed = moment().await;

    let asked = |moment| members_at(&test, "timeline", moment, &ada);
    assert_eq!(asked(before_anything).await, roles(&[]), "an empty list before the first member");
    assert_eq!(asked(created).await, roles(&[("ada", "CUSTOMER_ADMIN")]));
    assert_eq!(asked(bob_joined).await, roles(&[("ada", "CUSTOMER_ADMIN"), ("bob", "CUSTOMER_EMPLOYEE")]));
    let with_partner = asked(partner_joined).await;
    assert_eq!(with_partner.get(&partner_id).map(String::as_str), Some("CUSTOMER_ADMIN"), "{with_partner:?}");
    assert_eq!(asked(bob_promoted).await.get("bob").map(String::as_str), Some("CUSTOMER_ADMIN"));
    let after_end = asked(partner_ended).await;
    assert!(!after_end.contains_key(&partner_id), "a membership that had ended is not one: {after_end:?}");
    assert!(asked(end - Duration::milliseconds(50)).await.contains_key(&partner_id), "it was one before its end");
    assert_eq!(asked(partner_ended).await, roles(&[("ada", "CUSTOMER_ADMIN"), ("bob", "CUSTOMER_ADMIN")]));
    assert_eq!(
        asked(bob_removed).await,
        roles(&[("ada", "CUSTOMER_ADMIN")]),
        "bob, removed since, was a member before"
    );

    // The answer carries each membership as it was then, with how and when it began.
    let response = test.call(list_users, at("timeline", bob_joined).by(&ada)).await;
    let bob_then = response.body["items"].as_array().unwrap().iter().find(|m| m["userId"] == "bob").unwrap().clone();
    assert_eq!(bob_then["role"], "CUSTOMER_EMPLOYEE");
    assert_eq!(bob_then["email"], "bob@moments.example");
    assert_eq!(bob_then["joinedVia"], "INVITATION");
}

#[tokio::test]
async fn admin_area_in_scope_and_customer_admins_may_ask_and_bad_moments_are_refused() {
    let test = TestApp::spawn().await;
    let (ada, eve) = (user("ada"), user("eve"));
    fixtures::customer(&test, "asked", ACME, CustomerStatus::Active, &[(&ada, ADMIN), (&eve, EMPLOYEE)]).await;
    let now = Utc::now();
    for caller in [&ada, &Caller::partner_admin(ACME), &Caller::partner_employee(ACME), &Caller::platform_admin()] {
        assert_eq!(members_at(&test, "asked", now, caller).await.len(), 2);
    }
    test.call(list_users, at("asked", now).by(&eve)).await.assert_problem(403, "forbidden");
    for outsider in [&Caller::partner_admin("globex"), &user("stranger")] {
        test.call(list_users, at("asked", now).by(outsider)).await.assert_problem(404, "not-found");
        // The moment's errors only to a caller who may ask.
        let bad = api("GET /customers/{id}/users").param("id", "asked").query("at", "yesterday");
        test.call(list_users, bad.by(outsider)).await.assert_problem(404, "not-found");
    }
    let refused = |request: RequestBuilder, field: &'static str| {
        let test = &test;
        let ada = &ada;
        async move {
            let response = test.call(list_users, request.by(ada)).await;
            response.assert_problem(400, "validation-failed");
            assert!(response.body["errors"].get(field).is_some(), "{field}: {}", response.body);
        }
    };
    let list = || api("GET /customers/{id}/users").param("id", "asked");
    refused(list().query("at", "yesterday"), "at").await;
    refused(list().query("at", "2026-01-15T11:30:00"), "at").await;
    refused(list().query("at", &"9".repeat(65)), "at").await;
    refused(at("asked", Utc::now() + Duration::hours(1)), "at").await;
    refused(at("asked", now).query("limit", "10"), "limit").await;
    refused(at("asked", now).query("cursor", "abc"), "cursor").await;
    // Without `at`, the list is every member's, as before.
    let plain = test.call(list_users, list().by(&eve)).await;
    assert_eq!(plain.status, 200, "{}", plain.body);
}

/// The log's entries of `customer` made within the settling time, moved back by `by` (the test
/// cannot wait it out): rewritten as the same entries, older.
async fn age_log(test: &TestApp, customer: &str, by: Duration) {
    let settled = Utc::now() - MEMBERSHIP_LOG_SETTLING;
    for item in test.items_of("MEMBERSHIP_CHANGE").await {
        let logged = DateTime::parse_from_rfc3339(item["at"].as_s().unwrap()).unwrap().with_timezone(&Utc);
        if item["pk"].as_s().unwrap() != &format!("CUSTOMER#{customer}") || logged <= settled {
            continue;
        }
        let at = (logged - by).to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        let old_sk = item["sk"].as_s().unwrap().clone();
        let rest = old_sk.splitn(3, '#').nth(2).unwrap().to_owned();
        let mut aged = item.clone();
        aged.insert("sk".to_owned(), AttributeValue::S(format!("MEMBERSHIP_LOG#{at}#{rest}")));
        aged.insert("at".to_owned(), AttributeValue::S(at));
        test.dynamodb.put_item().table_name(&test.table).set_item(Some(aged)).send().await.unwrap();
        delete(test, &item["pk"], &old_sk).await;
    }
}

async fn delete(test: &TestApp, pk: &AttributeValue, sk: &str) {
    let key = [("pk", pk.clone()), ("sk", AttributeValue::S(sk.to_owned()))]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
    test.dynamodb.delete_item().table_name(&test.table).set_key(Some(key)).send().await.unwrap();
}

/// `steps` changes over six people (joins, role changes, removals), with a moment after every
/// seventh and one at the end.
async fn churn(test: &TestApp, customer: &str, admin: &Caller, steps: usize) -> Vec<DateTime<Utc>> {
    let people: Vec<Caller> = (0..6).map(|n| user(&format!("p{n}"))).collect();
    let mut moments = Vec::new();
    for step in 0..steps {
        let person = &people[step % people.len()];
        let now = members_at(test, customer, Utc::now(), admin).await;
        if !now.contains_key(person.user_id()) {
            fixtures::member(test, customer, person, EMPLOYEE).await;
        } else if step % 3 == 0 {
            assert_eq!(test.call(remove, removal(customer, person.user_id()).by(admin)).await.status, 204);
        } else {
            let role = if now[person.user_id()] == "CUSTOMER_ADMIN" { "CUSTOMER_EMPLOYEE" } else { "CUSTOMER_ADMIN" };
            let changed = test.call(change_role, set_role(customer, person.user_id(), role).by(admin)).await;
            assert_eq!(changed.status, 200, "{}", changed.body);
        }
        if step % 7 == 0 {
            moments.push(moment().await);
        }
    }
    moments.push(moment().await);
    moments
}

#[tokio::test]
async fn snapshots_answer_exactly_as_the_whole_log_and_bound_the_read() {
    let test = TestApp::spawn().await;
    let ada = user("ada");
    fixtures::customer(&test, "busy", ACME, CustomerStatus::Active, &[(&ada, ADMIN)]).await;
    let customer = CustomerIdentifier::parse("busy").unwrap();
    let aged_by = MEMBERSHIP_LOG_SETTLING + Duration::seconds(5);
    let mut answered: Vec<(DateTime<Utc>, BTreeMap<String, String>)> = Vec::new();
    for phase in 1..=2 {
        let moments = churn(&test, "busy", &ada, MEMBERSHIP_SNAPSHOT_EVERY + 20).await;
        let mut fresh = Vec::new();
        for moment in moments {
            fresh.push((moment, members_at(&test, "busy", moment, &ada).await));
        }
        // Settled, the log gets its snapshot, as the audit writer makes it.
        age_log(&test, "busy", aged_by).await;
        answered.extend(fresh.into_iter().map(|(moment, members)| (moment - aged_by, members)));
        let entries = test.items_of("MEMBERSHIP_CHANGE").await.len();
        let taken_in = test.store.snapshot_memberships(&customer, Utc::now()).await.unwrap();
        let before = if phase == 1 { 0 } else { answered.len() };
        assert!(
            taken_in > MEMBERSHIP_SNAPSHOT_EVERY && taken_in <= entries,
            "phase {phase}: {taken_in} of {entries} ({before})"
        );
        assert_eq!(test.store.snapshot_memberships(&customer, Utc::now()).await.unwrap(), 0, "none due right after");
        assert_eq!(test.items_of("MEMBERSHIP_SNAPSHOT").await.len(), phase, "one part holds a handful of members");
        for (moment, expected) in &answered {
            assert_eq!(&members_at(&test, "busy", *moment, &ada).await, expected, "phase {phase}, at {moment}");
        }
    }

    let snapshots = test.items_of("MEMBERSHIP_SNAPSHOT").await;
    let latest = snapshots.iter().map(|item| item["at"].as_s().unwrap().clone()).max().unwrap();
    let (last, expected) = answered.last().unwrap();
    // A snapshot without its part 0 (its maker failed half way) counts for nothing.
    let after_latest = DateTime::parse_from_rfc3339(&latest).unwrap() + Duration::milliseconds(1);
    let after_latest = after_latest.to_utc().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let stranger = json!([{
        "customerId": "busy", "userId": "stranger", "role": "CUSTOMER_ADMIN", "joinedAt": after_latest,
        "joinedVia": "INVITATION", "version": 1
    }]);
    let half_written = [
        ("pk", AttributeValue::S("CUSTOMER#busy".to_owned())),
        ("sk", AttributeValue::S(format!("MEMBERSHIP_LOG#{after_latest}#SNAPSHOT#0001"))),
        ("entity", AttributeValue::S("MEMBERSHIP_SNAPSHOT".to_owned())),
        ("at", AttributeValue::S(after_latest.clone())),
        ("part", AttributeValue::N("1".to_owned())),
        ("parts", AttributeValue::N("2".to_owned())),
        ("members", AttributeValue::S(stranger.to_string())),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect();
    test.dynamodb.put_item().table_name(&test.table).set_item(Some(half_written)).send().await.unwrap();
    assert_eq!(&members_at(&test, "busy", *last, &ada).await, expected, "the half-written snapshot is passed over");

    // The latest snapshot is what answers: with every entry it holds deleted, the last moment
    // answers the same (with no snapshot read, it would answer only the entries after it: none).
    for entry in test.items_of("MEMBERSHIP_CHANGE").await {
        if entry["at"].as_s().unwrap() <= &latest {
            delete(&test, &entry["pk"], entry["sk"].as_s().unwrap()).await;
        }
    }
    assert_eq!(&members_at(&test, "busy", *last, &ada).await, expected);
}

#[tokio::test]
async fn twenty_joins_at_once_are_each_a_member_from_their_join_on() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "crowded", ACME, CustomerStatus::Active, &[(&user("ada"), ADMIN)]).await;
    let before = moment().await;
    let people: Vec<Caller> = (0..20).map(|n| user(&format!("c{n}"))).collect();
    join_all(people.iter().map(|person| fixtures::member(&test, "crowded", person, EMPLOYEE))).await;
    let after = moment().await;
    assert_eq!(members_at(&test, "crowded", before, &user("ada")).await.len(), 1);
    assert_eq!(members_at(&test, "crowded", after, &user("ada")).await.len(), 21);
    // Snapshot makers at once write one snapshot, and none fails.
    for n in 0..MEMBERSHIP_SNAPSHOT_EVERY {
        fixtures::member(&test, "crowded", &user(&format!("d{n}")), EMPLOYEE).await;
    }
    age_log(&test, "crowded", MEMBERSHIP_LOG_SETTLING + Duration::seconds(5)).await;
    let customer = CustomerIdentifier::parse("crowded").unwrap();
    let now = Utc::now();
    let makers = join_all((0..10).map(|_| test.store.snapshot_memberships(&customer, now))).await;
    for made in makers {
        assert!(made.unwrap() > MEMBERSHIP_SNAPSHOT_EVERY);
    }
    assert_eq!(test.items_of("MEMBERSHIP_SNAPSHOT").await.len(), 1);
}

fn bus_event(detail: Value) -> LambdaEvent<EventBridgeEvent> {
    let event: EventBridgeEvent =
        serde_json::from_value(json!({"detail-type": detail["type"], "source": "meshcustomers", "detail": detail}))
            .unwrap();
    LambdaEvent::new(event, Context::default())
}

#[tokio::test]
async fn the_audit_writer_makes_a_due_snapshot_after_a_membership_event_only() {
    let test = TestApp::spawn().await;
    let ada = user("ada");
    fixtures::customer(&test, "audited", ACME, CustomerStatus::Active, &[(&ada, ADMIN)]).await;
    for n in 0..MEMBERSHIP_SNAPSHOT_EVERY {
        fixtures::member(&test, "audited", &user(&format!("m{n}")), EMPLOYEE).await;
    }
    age_log(&test, "audited", MEMBERSHIP_LOG_SETTLING + Duration::seconds(5)).await;
    let quota = json!({"projectQuota": 7});
    let edited = test
        .call(
            edit_quota,
            api("PUT /customers/{id}/quota").param("id", "audited").json(quota).by(&Caller::platform_admin()),
        )
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    let edited = test.events_of("CUSTOMER_QUOTA_EDITED").await.pop().unwrap();
    audit_writer::handle(&test.store, bus_event(edited)).await.unwrap();
    assert!(test.items_of("MEMBERSHIP_SNAPSHOT").await.is_empty(), "CUSTOMER_QUOTA_EDITED changes no membership");
    let joined = test.events_of("USER_ACCEPTED_INVITATION").await.pop().unwrap();
    audit_writer::handle(&test.store, bus_event(joined.clone())).await.unwrap();
    assert_eq!(test.items_of("MEMBERSHIP_SNAPSHOT").await.len(), 1, "a membership event with a due snapshot");
    // A redelivery finds nothing due.
    audit_writer::handle(&test.store, bus_event(joined)).await.unwrap();
    assert_eq!(test.items_of("MEMBERSHIP_SNAPSHOT").await.len(), 1);
}

#[tokio::test]
async fn an_access_reviews_removals_are_in_the_log() {
    let test = TestApp::spawn().await;
    let (ada, bob, eve) = (user("ada"), user("bob"), user("eve"));
    let members = [(&ada, ADMIN), (&bob, ADMIN), (&eve, EMPLOYEE)];
    fixtures::customer(&test, "reviewed", ACME, CustomerStatus::Active, &members).await;
    let before = moment().await;
    let decisions = json!({"decisions": [
        {"userId": "ada", "decision": "KEEP"}, {"userId": "bob", "decision": "REMOVE"}, {"userId": "eve", "decision": "REMOVE"}
    ]});
    let review = api("POST /customers/{id}/access-reviews").param("id", "reviewed").json(decisions);
    let made = test.call(review_access::handle, review.by(&ada)).await;
    assert_eq!(made.status, 201, "{}", made.body);
    let after = moment().await;
    assert_eq!(members_at(&test, "reviewed", before, &ada).await.len(), 3);
    assert_eq!(members_at(&test, "reviewed", after, &ada).await, roles(&[("ada", "CUSTOMER_ADMIN")]));
}
