//! Messages: sending, the fan-out to the members' inboxes (idempotent, 2,000 members), reading
//! pending messages across customers in two round trips, and acknowledgements of both modes,
//! including the SINGLE_READ race of 10 recipients.

use std::time::Instant;

use meshcustomers::authorization::Role;
use meshcustomers::domain::{
    CustomerIdentifier, CustomerRole, CustomerStatus, GeneratedId, JoinedVia, Membership, UserId,
};
use meshcustomers::events::{Actor, DomainEvent, EventPayload, UserAcceptedInvitation};
use meshcustomers_tests::pipeline::delivered;
use meshcustomers_tests::{Caller, TestApp, TestResponse, api, fixtures};
use serde_json::{Value, json};
use stream_publisher::BusEntry;

use acknowledge_message::handle as acknowledge;
use list_customer_messages::handle as sent_messages;
use list_my_messages::handle as my_messages;
use send_message::handle as send;

const PARTNER: &str = "acme";

async fn send_to(test: &TestApp, customer: &str, mode: &str) -> TestResponse {
    let request = api("POST /customers/{id}/messages").param("id", customer);
    let body = json!({"text": format!("{mode} to {customer}"), "mode": mode});
    test.call(send, request.json(body).by(&Caller::partner_admin(PARTNER))).await
}

/// Runs the fan-out on every MESSAGE_SENT recorded so far, as the bus delivers them.
async fn fan_out(test: &TestApp) {
    for detail in test.events_of("MESSAGE_SENT").await {
        let entry = BusEntry { detail_type: "MESSAGE_SENT".to_owned(), detail: detail.to_string() };
        message_fanout::handle(&test.store, delivered(&entry)).await.expect("the fan-out delivers");
    }
}

async fn pending(test: &TestApp, caller: &Caller) -> Vec<Value> {
    let response = test.call(my_messages, api("GET /me/messages").by(caller)).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.body["items"].as_array().unwrap().clone()
}

async fn ack(test: &TestApp, caller: &Caller, message: &str) -> u16 {
    let request = api("POST /me/messages/{messageId}/acknowledgement").param("messageId", message).content_type(None);
    test.call(acknowledge, request.by(caller)).await.status
}

fn users(prefix: &str, n: usize) -> Vec<Caller> {
    (0..n).map(|i| Caller::user(&format!("{prefix}{i}"), &format!("{prefix}{i}@members.example"))).collect()
}

async fn customer_with(test: &TestApp, customer: &str, members: &[Caller]) {
    let mut roles: Vec<(&Caller, CustomerRole)> = members.iter().map(|m| (m, CustomerRole::CustomerEmployee)).collect();
    if let Some(first) = roles.first_mut() {
        first.1 = CustomerRole::CustomerAdmin;
    }
    fixtures::customer(test, customer, PARTNER, CustomerStatus::Active, &roles).await;
}

#[tokio::test]
async fn all_must_read_stays_with_each_recipient_until_they_acknowledge() {
    let test = TestApp::spawn().await;
    let members = users("m", 3);
    customer_with(&test, "notice-co", &members).await;
    let sent = send_to(&test, "notice-co", "ALL_MUST_READ").await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let id = sent.body["messageId"].as_str().unwrap().to_owned();
    assert_eq!(sent.header("location"), Some(format!("/customers/notice-co/messages/{id}").as_str()));
    assert!(pending(&test, &members[0]).await.is_empty(), "delivered by the fan-out, not at once");
    fan_out(&test).await;
    for member in &members {
        let inbox = pending(&test, member).await;
        assert_eq!(inbox.len(), 1);
        assert_eq!(inbox[0]["text"], "ALL_MUST_READ to notice-co");
        assert_eq!(inbox[0]["customerId"], "notice-co");
        assert_eq!(inbox[0]["sender"]["userId"], Caller::partner_admin(PARTNER).user_id());
    }
    assert_eq!(ack(&test, &members[1], &id).await, 204);
    assert_eq!(ack(&test, &members[1], &id).await, 204, "a repeated acknowledgement is the same answer");
    assert!(pending(&test, &members[1]).await.is_empty());
    assert_eq!(pending(&test, &members[0]).await.len(), 1, "the others still have it");
    assert_eq!(pending(&test, &members[2]).await.len(), 1);
    let events = test.events_of("MESSAGE_ACKNOWLEDGED").await;
    assert_eq!(events.len(), 1, "the repetition wrote nothing");
    assert_eq!(events[0]["data"], json!({"messageId": id, "userId": "m1", "resolved": false}));

    let list = api("GET /customers/{id}/messages").param("id", "notice-co");
    let report = test.call(sent_messages, list.by(&Caller::partner_employee(PARTNER))).await;
    assert_eq!(report.status, 200, "{}", report.body);
    let message = &report.body["items"][0];
    assert_eq!((message["recipientCount"].clone(), message["acknowledgedCount"].clone()), (json!(3), json!(1)));
    assert_eq!(message["resolvedBy"], Value::Null);
}

#[tokio::test]
async fn of_ten_concurrent_single_read_acknowledgements_exactly_one_resolves_it() {
    let test = TestApp::spawn().await;
    let members = users("r", 10);
    customer_with(&test, "task-co", &members).await;
    let sent = send_to(&test, "task-co", "SINGLE_READ").await;
    let id = sent.body["messageId"].as_str().unwrap().to_owned();
    fan_out(&test).await;
    let statuses = futures::future::join_all(members.iter().map(|member| ack(&test, member, &id))).await;
    assert!(statuses.iter().all(|status| *status == 204), "{statuses:?}");
    let events = test.events_of("MESSAGE_ACKNOWLEDGED").await;
    assert_eq!(events.len(), 1, "one resolver, one event: {events:?}");
    assert_eq!(events[0]["data"]["resolved"], true);
    for member in &members {
        assert!(pending(&test, member).await.is_empty(), "resolved for everyone");
    }
    let list = api("GET /customers/{id}/messages").param("id", "task-co");
    let report = test.call(sent_messages, list.by(&Caller::platform_admin())).await;
    let message = &report.body["items"][0];
    assert_eq!(message["resolvedBy"], events[0]["data"]["userId"]);
    assert!(message["resolvedAt"].is_string());
    assert_eq!(message["acknowledgedCount"], 1);
}

#[tokio::test]
async fn only_members_who_had_joined_and_still_belong_see_a_message() {
    let test = TestApp::spawn().await;
    let members = users("s", 3);
    customer_with(&test, "scope-co", &members[..2]).await;
    let id = send_to(&test, "scope-co", "ALL_MUST_READ").await.body["messageId"].as_str().unwrap().to_owned();
    // Joins after the message was sent, before the fan-out ran: not a recipient.
    fixtures::member(&test, "scope-co", &members[2], CustomerRole::CustomerEmployee).await;
    fan_out(&test).await;
    assert!(pending(&test, &members[2]).await.is_empty(), "a late joiner does not get it");
    assert_eq!(ack(&test, &members[2], &id).await, 404);
    let outsider = Caller::user("outsider", "o@else.example");
    assert_eq!(ack(&test, &outsider, &id).await, 404);
    assert_eq!(ack(&test, &outsider, "not-an-id").await, 404);

    // A removed member no longer sees the customer's messages, nor can acknowledge them.
    let remove = api("DELETE /customers/{id}/users/{userId}").param("id", "scope-co").param("userId", "s1");
    assert_eq!(test.call(remove_member::handle, remove.by(&members[0])).await.status, 204);
    assert!(pending(&test, &members[1]).await.is_empty());
    assert_eq!(ack(&test, &members[1], &id).await, 404);
    assert_eq!(pending(&test, &members[0]).await.len(), 1);
}

#[tokio::test]
async fn a_redelivered_fan_out_writes_no_duplicate_and_revives_nothing() {
    let test = TestApp::spawn().await;
    let members = users("d", 4);
    customer_with(&test, "again-co", &members).await;
    let id = send_to(&test, "again-co", "ALL_MUST_READ").await.body["messageId"].as_str().unwrap().to_owned();
    fan_out(&test).await;
    assert_eq!(ack(&test, &members[0], &id).await, 204);
    fan_out(&test).await;
    fan_out(&test).await;
    assert_eq!(test.items_of("INBOX").await.len(), 4, "one entry per recipient");
    assert!(pending(&test, &members[0]).await.is_empty(), "the acknowledged entry stays acknowledged");
    assert_eq!(pending(&test, &members[3]).await.len(), 1);
}

#[tokio::test]
async fn pending_messages_across_customers_take_two_round_trips() {
    let test = TestApp::spawn().await;
    let user = Caller::user("busy", "busy@members.example");
    for n in 0..12 {
        let customer = format!("busy-{n}");
        customer_with(&test, &customer, std::slice::from_ref(&user)).await;
        send_to(&test, &customer, if n % 2 == 0 { "ALL_MUST_READ" } else { "SINGLE_READ" }).await;
    }
    fan_out(&test).await;
    test.operations.take_calls();
    let inbox = pending(&test, &user).await;
    let calls: Vec<String> = test.operations.take_calls().into_iter().map(|call| call.operation).collect();
    assert_eq!(calls, ["dynamodb:Query", "dynamodb:BatchGetItem"]);
    let customers: Vec<&str> = inbox.iter().map(|entry| entry["customerId"].as_str().unwrap()).collect();
    let newest_first: Vec<String> = (0..12).rev().map(|n| format!("busy-{n}")).collect();
    assert_eq!(customers, newest_first);

    let page = test.call(my_messages, api("GET /me/messages").query("limit", "5").by(&user)).await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 5);
    let next = page.body["nextCursor"].as_str().expect("more");
    let rest = test.call(my_messages, api("GET /me/messages").query("cursor", next).by(&user)).await;
    assert_eq!(rest.body["items"].as_array().unwrap().len(), 7);
}

#[tokio::test]
async fn who_may_send_and_to_which_customer() {
    let test = TestApp::spawn().await;
    let members = users("w", 2);
    customer_with(&test, "rules-co", &members).await;
    let body = json!({"text": "Hello", "mode": "SINGLE_READ"});
    let to = |customer: &str| api("POST /customers/{id}/messages").param("id", customer).json(body.clone());
    test.call(send, to("rules-co").by(&members[0])).await.assert_problem(403, "forbidden");
    test.call(send, to("rules-co").by(&Caller::partner_admin("globex"))).await.assert_problem(404, "not-found");
    assert_eq!(test.call(send, to("rules-co").by(&Caller::partner_employee(PARTNER))).await.status, 201);
    for (customer, status) in [
        ("pending-co", CustomerStatus::PendingApproval),
        ("awaiting-co", CustomerStatus::AwaitingEmailConfirmation),
        ("disabled-co", CustomerStatus::Disabled),
    ] {
        fixtures::customer(&test, customer, PARTNER, status, &[]).await;
        test.call(send, to(customer).by(&Caller::platform_admin())).await.assert_problem(409, "customer-not-active");
    }
    let list = api("GET /customers/{id}/messages").param("id", "rules-co");
    test.call(sent_messages, list.by(&members[0])).await.assert_problem(403, "forbidden");

    let items = test.all_items().await.len();
    for bad in [
        json!({"text": "", "mode": "SINGLE_READ"}),
        json!({"text": "x".repeat(2001), "mode": "SINGLE_READ"}),
        json!({"text": "a\u{202E}b", "mode": "SINGLE_READ"}),
        json!({"text": "Hi", "mode": "single_read"}),
        json!({"text": "Hi"}),
        json!({"text": 5, "mode": "SINGLE_READ"}),
        json!({"text": "Hi", "mode": "SINGLE_READ", "urgent": true}),
    ] {
        let request = api("POST /customers/{id}/messages").param("id", "rules-co").json(bad.clone());
        let response = test.call(send, request.by(&Caller::platform_admin())).await;
        response.assert_problem(400, "validation-failed");
    }
    assert_eq!(test.all_items().await.len(), items, "refused messages write nothing");
}

/// Members written in transactions of 49 (each with its membership log entry, and one event), as
/// quickly as the table takes them.
async fn seed_members(test: &TestApp, customer: &str, count: usize) -> Vec<UserId> {
    let customer = CustomerIdentifier::parse(customer).unwrap();
    let joined = chrono::Utc::now() - chrono::Duration::minutes(1);
    let users: Vec<UserId> = (0..count).map(|n| UserId::parse(&format!("crowd-{n:05}")).unwrap()).collect();
    let batches = users.chunks(49).map(|batch| {
        let customer = customer.clone();
        async move {
            let mut changes = test.store.changes();
            for user in batch {
                let membership = Membership::new(
                    customer.clone(),
                    user.clone(),
                    None,
                    None,
                    CustomerRole::CustomerEmployee,
                    JoinedVia::Invitation,
                    joined,
                );
                changes.add_member(&membership).unwrap();
            }
            let last = batch.last().unwrap();
            let accepted = UserAcceptedInvitation {
                invitation_id: GeneratedId::new(),
                user_id: last.clone(),
                email: meshcustomers::domain::EmailAddress::parse("crowd@members.example").unwrap(),
                role: CustomerRole::CustomerEmployee,
            };
            let actor = Actor { user_id: last.clone(), email: None, role: Role::User, api_key: None };
            changes.record(DomainEvent::new(&customer, actor, joined, EventPayload::UserAcceptedInvitation(accepted)));
            test.store.commit(changes).await.expect("a batch of members");
        }
    });
    futures::future::join_all(batches).await;
    users
}

#[tokio::test]
async fn a_message_reaches_two_thousand_members() {
    let test = TestApp::spawn().await;
    customer_with(&test, "crowd-co", &users("admin", 1)).await;
    let crowd = seed_members(&test, "crowd-co", 2000).await;
    let id = send_to(&test, "crowd-co", "SINGLE_READ").await.body["messageId"].as_str().unwrap().to_owned();
    let started = Instant::now();
    fan_out(&test).await;
    let elapsed = started.elapsed();
    println!("fan-out of one message to 2001 members: {elapsed:.2?} (DynamoDB Local, this machine)");
    assert_eq!(test.items_of("INBOX").await.len(), 2001);
    let list = api("GET /customers/{id}/messages").param("id", "crowd-co");
    let report = test.call(sent_messages, list.by(&Caller::platform_admin())).await;
    assert_eq!(report.body["items"][0]["recipientCount"], 2001);

    let someone = Caller::user(crowd[1234].as_str(), "someone@members.example");
    assert_eq!(pending(&test, &someone).await.len(), 1);
    assert_eq!(ack(&test, &someone, &id).await, 204);
    let other = Caller::user(crowd[7].as_str(), "other@members.example");
    assert!(pending(&test, &other).await.is_empty(), "resolved for all 2001 at once, by one write");
}
