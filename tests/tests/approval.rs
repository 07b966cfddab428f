//! `POST /customers/{id}/approval`, the "approved" mail with its confirmation link, and
//! `POST /email-confirmations`: the rules, the link's token (only its hash stored, single use,
//! expiring, superseded by a newer link), and the races (10 approvals, 10 confirmations).

#![recursion_limit = "256"]

use chrono::{Duration, Utc};
use email_sender::EmailSender;
use meshcustomers::domain::{
    CustomerIdentifier, CustomerRole, CustomerStatus, EmailAddress, EmailConfirmation, GeneratedId, LinkToken,
    PartnerId, UserId,
};
use meshcustomers::store::LinkStart;
use meshcustomers_tests::local_services::ses_endpoint;
use meshcustomers_tests::logs::{capture_this_threads_log, captured_log};
use meshcustomers_tests::pipeline::{RecordingBus, delivered, stream_batch, stream_records};
use meshcustomers_tests::requests::RequestBuilder;
use meshcustomers_tests::test_app::local_sdk_config;
use meshcustomers_tests::{Caller, TestApp, TestResponse, api, fixtures};
use serde_json::{Value, json};
use stream_publisher::BusEntry;

use approve_customer::handle as approve_handler;
use confirm_email::handle as confirm_handler;

const CONFIRMATION_ON: &[(&str, &str)] = &[("REQUIRE_EMAIL_CONFIRMATION", "true")];

fn approval(customer: &str) -> RequestBuilder {
    api("POST /customers/{id}/approval").param("id", customer)
}

async fn approve(test: &TestApp, customer: &str, caller: &Caller) -> TestResponse {
    test.call(approve_handler, approval(customer).by(caller)).await
}

/// `POST /email-confirmations` without a bearer token, as the portal's page sends it.
async fn confirm(test: &TestApp, token: &str) -> TestResponse {
    test.call(confirm_handler, api("POST /email-confirmations").json(json!({"token": token})).anonymous()).await
}

async fn register(test: &TestApp, registrant: &Caller, identifier: &str, display_name: &str) {
    let body = json!({"identifier": identifier, "displayName": display_name});
    let response = test.call(register_customer::handle, api("POST /registrations").json(body).by(registrant)).await;
    assert_eq!(response.status, 201, "{}", response.body);
}

async fn customer(test: &TestApp, identifier: &str) -> Value {
    let read = api("GET /customers/{id}").param("id", identifier).by(&Caller::platform_admin());
    test.call(get_customer::handle, read).await.body
}

async fn sender_via(test: &TestApp, ses_url: &str) -> EmailSender {
    EmailSender::new(test.app(), aws_sdk_sesv2::Client::new(&local_sdk_config(ses_url).await))
}

/// The CUSTOMER_APPROVED events recorded so far, as the bus delivers them.
async fn approvals(test: &TestApp) -> Vec<BusEntry> {
    let details = test.events_of("CUSTOMER_APPROVED").await;
    details
        .iter()
        .map(|detail| BusEntry { detail_type: "CUSTOMER_APPROVED".into(), detail: detail.to_string() })
        .collect()
}

async fn mails_to(recipient: &str) -> Vec<Value> {
    let store: Value = reqwest::get(format!("{}/store", ses_endpoint())).await.unwrap().json().await.unwrap();
    let mails = store["emails"].as_array().cloned().unwrap_or_default();
    mails
        .into_iter()
        .filter(|mail| mail["destination"]["to"].as_array().unwrap().iter().any(|to| to == recipient))
        .collect()
}

/// The token of the confirmation link in a mail's text.
fn link_token(mail: &Value) -> String {
    let text = mail["body"]["text"].as_str().unwrap();
    let start = text.find("/confirm-email?token=").expect("the mail carries the link") + "/confirm-email?token=".len();
    text[start..start + 43].to_owned()
}

/// Every string in the table, wherever it sits in an item.
async fn table_text(test: &TestApp) -> String {
    format!("{:?}", test.all_items().await)
}

// ------------------------------------------------------------------------------------ approval

#[tokio::test]
async fn an_admin_approves_a_pending_registration_and_it_is_active() {
    let test = TestApp::spawn().await;
    register(&test, &Caller::user("ann", "ann@approve.example"), "approve-me", "Approve Me").await;
    let response = approve(&test, "approve-me", &Caller::platform_admin()).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.body["status"], "ACTIVE");
    assert_eq!((response.body["version"].clone(), response.header("etag")), (json!(2), Some("\"2\"")));
    let events = test.events_of("CUSTOMER_APPROVED").await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["data"],
        json!({
            "status": "ACTIVE", "emailConfirmationRequired": false, "displayName": "Approve Me",
            "managingPartnerId": "default", "registrantUserId": "ann"
        })
    );
    assert_eq!(events[0]["actor"]["role"], "PLATFORM_ADMIN");
    assert_eq!(customer(&test, "approve-me").await["status"], "ACTIVE");
}

#[tokio::test]
async fn with_email_confirmation_required_the_approved_customer_awaits_it() {
    let test = TestApp::spawn_with(CONFIRMATION_ON).await;
    register(&test, &Caller::user("bo", "bo@approve.example"), "confirm-me", "Confirm Me").await;
    let response = approve(&test, "confirm-me", &Caller::partner_employee("default")).await;
    assert_eq!(response.status, 200, "{}", response.body);
    assert_eq!(response.body["status"], "AWAITING_EMAIL_CONFIRMATION");
    let events = test.events_of("CUSTOMER_APPROVED").await;
    assert_eq!(events[0]["data"]["status"], "AWAITING_EMAIL_CONFIRMATION");
    assert_eq!(events[0]["data"]["emailConfirmationRequired"], true);
    assert_eq!(events[0]["actor"]["role"], "PARTNER_EMPLOYEE");
    // Still reads only: other writes wait for the confirmation.
    let quota = api("PUT /customers/{id}/quota").param("id", "confirm-me").json(json!({"projectQuota": 1}));
    test.call(edit_customer_quota::handle, quota.by(&Caller::platform_admin()))
        .await
        .assert_problem(409, "customer-not-active");
}

#[tokio::test]
async fn only_a_pending_customer_can_be_approved() {
    let test = TestApp::spawn().await;
    for (identifier, status) in [
        ("active", CustomerStatus::Active),
        ("awaiting", CustomerStatus::AwaitingEmailConfirmation),
        ("disabled", CustomerStatus::Disabled),
    ] {
        fixtures::customer(&test, identifier, "acme", status, &[]).await;
    }
    let items = test.all_items().await;
    for identifier in ["active", "awaiting", "disabled"] {
        let response = approve(&test, identifier, &Caller::partner_admin("acme")).await;
        response.assert_problem(409, "customer-not-pending");
        assert!(response.body["detail"].as_str().unwrap().contains("PENDING_APPROVAL"), "{}", response.body);
    }
    assert_eq!(test.all_items().await, items, "a refused approval writes nothing");
}

#[tokio::test]
async fn who_may_approve() {
    let test = TestApp::spawn().await;
    let registrant = Caller::user("cy", "cy@approve.example");
    fixtures::customer(
        &test,
        "scoped",
        "acme",
        CustomerStatus::PendingApproval,
        &[(&registrant, CustomerRole::CustomerAdmin)],
    )
    .await;
    approve(&test, "scoped", &registrant).await.assert_problem(403, "forbidden");
    approve(&test, "scoped", &Caller::user("nobody", "nobody@example.com")).await.assert_problem(404, "not-found");
    let other_partner = approve(&test, "scoped", &Caller::partner_admin("globex")).await;
    other_partner.assert_problem(404, "not-found");
    let missing = approve(&test, "no-such-customer", &Caller::partner_admin("globex")).await;
    let hidden = other_partner.body.to_string().replace("scoped", "no-such-customer");
    assert_eq!(hidden, missing.body.to_string(), "another partner's customer looks missing");
    let anonymous = test.call(approve_handler, approval("scoped").anonymous()).await;
    anonymous.assert_problem(401, "unauthenticated");
    assert!(test.events_of("CUSTOMER_APPROVED").await.is_empty());
    assert_eq!(approve(&test, "scoped", &Caller::partner_employee("acme")).await.status, 200);
}

#[tokio::test]
async fn the_approval_takes_no_body_and_honours_if_match() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "strict", "acme", CustomerStatus::PendingApproval, &[]).await;
    let admin = Caller::platform_admin();
    for body in [json!({}), json!({"status": "ACTIVE"})] {
        let response = test.call(approve_handler, approval("strict").json(body).by(&admin)).await;
        response.assert_problem(400, "validation-failed");
        assert_eq!(response.body["errors"]["body"], "must be empty: this request takes no body");
    }
    let stale = test.call(approve_handler, approval("strict").header("if-match", "\"9\"").by(&admin)).await;
    stale.assert_problem(412, "precondition-failed");
    assert_eq!(stale.header("etag"), Some("\"1\""));
    assert!(test.events_of("CUSTOMER_APPROVED").await.is_empty());
    let current = test.call(approve_handler, approval("strict").header("if-match", "\"1\"").by(&admin)).await;
    assert_eq!((current.status, current.header("etag")), (200, Some("\"2\"")));
}

#[tokio::test]
async fn of_ten_concurrent_approvals_exactly_one_succeeds() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "race", "acme", CustomerStatus::PendingApproval, &[]).await;
    let approvals = (0..10).map(|n| {
        let test = &test;
        let caller = if n % 2 == 0 { Caller::platform_admin() } else { Caller::partner_admin("acme") };
        async move { approve(test, "race", &caller).await }
    });
    let responses = futures::future::join_all(approvals).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    for refused in responses.iter().filter(|r| r.status != 200) {
        refused.assert_problem(409, "customer-not-pending");
    }
    assert_eq!(test.events_of("CUSTOMER_APPROVED").await.len(), 1);
    assert_eq!(customer(&test, "race").await["version"], 2);
}

// ------------------------------------------------------------------------------------ mails

#[tokio::test]
async fn the_registrant_is_mailed_the_approval_without_a_link_when_none_is_required() {
    let test = TestApp::spawn().await;
    register(&test, &Caller::user("di", "Di@Plain.example"), "plain-approval", "Plain <Approval>").await;
    approve(&test, "plain-approval", &Caller::partner_admin("default")).await;
    let sender = sender_via(&test, ses_endpoint()).await;
    let approval = &approvals(&test).await[0];
    for _ in 0..2 {
        email_sender::handle(&sender, delivered(approval)).await.unwrap();
    }
    let mails = mails_to("di@plain.example").await;
    assert_eq!(mails.len(), 1, "a redelivery sends no second mail: {mails:?}");
    assert_eq!(mails[0]["subject"], "Your registration of Plain <Approval> is approved");
    let text = mails[0]["body"]["text"].as_str().unwrap();
    assert!(text.contains("Plain <Approval> (plain-approval)") && text.contains("Your account is active"), "{text}");
    assert!(!text.contains("confirm-email"), "no link without confirmation: {text}");
    assert!(mails[0]["body"]["html"].as_str().unwrap().contains("Plain &lt;Approval&gt;"));
    assert!(mails_to("partner-admins@default.example").await.is_empty(), "the approver gets nothing");
    assert!(test.items_of("EMAIL_CONFIRMATION").await.is_empty());
}

#[tokio::test]
async fn the_link_confirms_once_and_its_token_is_only_in_the_mail() {
    capture_this_threads_log();

    let test = TestApp::spawn_with(CONFIRMATION_ON).await;
    register(&test, &Caller::user("eve", "eve@confirm.example"), "link-co", "Link Co").await;
    approve(&test, "link-co", &Caller::platform_admin()).await;
    let sender = sender_via(&test, ses_endpoint()).await;
    let approval = &approvals(&test).await[0];
    email_sender::handle(&sender, delivered(approval)).await.unwrap();
    email_sender::handle(&sender, delivered(approval)).await.unwrap();

    let mails = mails_to("eve@confirm.example").await;
    assert_eq!(mails.len(), 1, "one mail, one link: {mails:?}");
    let mail = &mails[0];
    assert!(mail["subject"].as_str().unwrap().contains("confirm your e-mail address"), "{mail}");
    let token = link_token(mail);
    let link = format!("https://portal.meshcustomers.test/confirm-email?token={token}");
    assert!(mail["body"]["text"].as_str().unwrap().contains(&link));
    assert!(mail["body"]["html"].as_str().unwrap().contains(&format!("href=\"{link}\"")));
    assert!(mail["body"]["text"].as_str().unwrap().contains("within 72 hours"));
    let parsed = LinkToken::parse(&token).expect("a well-formed token");

    // Stored as its hash only, the customer naming it as its current link.
    let links = test.items_of("EMAIL_CONFIRMATION").await;
    assert_eq!(links.len(), 1);
    let hash = parsed.hash().to_string();
    assert_eq!(links[0]["pk"].as_s().unwrap(), &format!("EMAIL_CONFIRMATION#{hash}"));
    assert_eq!(links[0]["email"].as_s().unwrap(), "eve@confirm.example");
    let expires = chrono::DateTime::parse_from_rfc3339(links[0]["expiresAt"].as_s().unwrap()).unwrap();
    let lifetime = expires.with_timezone(&Utc) - Utc::now();
    assert!(lifetime > Duration::hours(71) && lifetime <= Duration::hours(72), "{lifetime}");
    let customer_item = test.items_of("CUSTOMER").await.remove(0);
    assert_eq!(customer_item["emailConfirmationHash"].as_s().unwrap(), &hash);

    let confirmed = confirm(&test, &token).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(confirmed.body, json!({"customerId": "link-co", "email": "eve@confirm.example", "status": "ACTIVE"}));
    let stored = customer(&test, "link-co").await;
    assert_eq!((stored["status"].clone(), stored["version"].clone()), (json!("ACTIVE"), json!(3)));
    let listed = test
        .call(list_customers::handle, api("GET /customers").query("status", "ACTIVE").by(&Caller::platform_admin()))
        .await;
    assert_eq!(listed.body["items"][0]["identifier"], "link-co", "the status index follows");
    let events = test.events_of("EMAIL_CONFIRMED").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["data"], json!({"email": "eve@confirm.example"}));
    assert_eq!(events[0]["actor"], json!({"userId": "eve", "email": "eve@confirm.example", "role": "CUSTOMER_ADMIN"}));
    assert!(!test.items_of("CUSTOMER").await[0].contains_key("emailConfirmationHash"), "no current link any more");

    // Used once: again is 410, and changes nothing.
    let items = test.all_items().await;
    confirm(&test, &token).await.assert_problem(410, "confirmation-used");
    assert_eq!(test.all_items().await, items);

    // The whole pipeline has run (outbox → bus → history): the token is in no item and no log line.
    let bus = RecordingBus::default();
    stream_publisher::handle(&bus, stream_batch(stream_records(&test.table).await)).await.unwrap();
    for entry in bus.entries() {
        assert!(!entry.detail.contains(&token), "an event carries the token: {}", entry.detail);
        audit_writer::handle(&test.store, delivered(&entry)).await.unwrap();
    }
    assert!(!test.items_of("HISTORY").await.is_empty());
    let everything = table_text(&test).await;
    assert!(everything.contains(&hash), "the hash is stored");
    assert!(!everything.contains(&token), "the token is stored somewhere");
    let logged = captured_log();
    assert!(logged.contains("mail sent") && logged.contains("confirm_email"), "the log was captured");
    assert!(!logged.contains(&token), "the token is in the log");
}

#[tokio::test]
async fn a_retried_mail_carries_a_new_link_that_supersedes_the_first() {
    let test = TestApp::spawn_with(CONFIRMATION_ON).await;
    register(&test, &Caller::user("fay", "fay@retry.example"), "retry-link", "Retry Link").await;
    approve(&test, "retry-link", &Caller::platform_admin()).await;
    let approval = &approvals(&test).await[0];
    let unreachable = sender_via(&test, "http://127.0.0.1:9").await;
    assert!(email_sender::handle(&unreachable, delivered(approval)).await.is_err(), "SES did not take it");
    email_sender::handle(&sender_via(&test, ses_endpoint()).await, delivered(approval)).await.unwrap();

    let mails = mails_to("fay@retry.example").await;
    assert_eq!(mails.len(), 1);
    let token = link_token(&mails[0]);
    let links = test.items_of("EMAIL_CONFIRMATION").await;
    assert_eq!(links.len(), 2, "the failed attempt's link is stored too");
    let current = test.items_of("CUSTOMER").await.remove(0)["emailConfirmationHash"].as_s().unwrap().clone();
    assert_eq!(current, LinkToken::parse(&token).unwrap().hash().to_string(), "the mailed link is the current one");
    assert_eq!(confirm(&test, &token).await.status, 200);
}

// ------------------------------------------------------------------------------------ confirmation

/// A customer AWAITING_EMAIL_CONFIRMATION whose registrant holds a link with a fresh token.
async fn awaiting(test: &TestApp, identifier: &str, expires_in: Duration) -> (Caller, LinkToken) {
    let registrant = Caller::user(&format!("{identifier}-admin"), &format!("admin@{identifier}.example"));
    let status = CustomerStatus::AwaitingEmailConfirmation;
    fixtures::customer(test, identifier, "acme", status, &[(&registrant, CustomerRole::CustomerAdmin)]).await;
    let token = LinkToken::generate().unwrap();
    fixtures::confirmation_link(test, identifier, "acme", &registrant, &token, Utc::now() + expires_in).await;
    (registrant, token)
}

#[tokio::test]
async fn an_expired_link_is_gone() {
    let test = TestApp::spawn().await;
    let (_, token) = awaiting(&test, "late", Duration::seconds(-1)).await;
    let items = test.all_items().await;
    confirm(&test, token.expose()).await.assert_problem(410, "confirmation-expired");
    assert_eq!(test.all_items().await, items);
    assert_eq!(customer(&test, "late").await["status"], "AWAITING_EMAIL_CONFIRMATION");
}

#[tokio::test]
async fn a_superseded_link_is_gone_and_the_newer_one_confirms() {
    let test = TestApp::spawn().await;
    let (registrant, older) = awaiting(&test, "twice", Duration::hours(1)).await;
    let newer = LinkToken::generate().unwrap();
    fixtures::confirmation_link(&test, "twice", "acme", &registrant, &newer, Utc::now() + Duration::hours(1)).await;
    let items = test.all_items().await;
    confirm(&test, older.expose()).await.assert_problem(410, "confirmation-superseded");
    assert_eq!(test.all_items().await, items, "the refused confirmation wrote nothing");
    assert_eq!(confirm(&test, newer.expose()).await.status, 200);
    confirm(&test, newer.expose()).await.assert_problem(410, "confirmation-used");
    confirm(&test, older.expose()).await.assert_problem(410, "confirmation-superseded");
}

#[tokio::test]
async fn a_link_of_a_customer_that_no_longer_awaits_confirmation_cannot_be_made_current_or_used() {
    let test = TestApp::spawn().await;
    let registrant = Caller::user("gil", "gil@active.example");
    fixtures::customer(&test, "already", "acme", CustomerStatus::Active, &[(&registrant, CustomerRole::CustomerAdmin)])
        .await;
    let token = LinkToken::generate().unwrap();
    let link = EmailConfirmation {
        token_hash: token.hash(),
        customer_id: CustomerIdentifier::parse("already").unwrap(),
        managing_partner_id: PartnerId::parse("acme").unwrap(),
        user_id: UserId::parse("gil").unwrap(),
        email: EmailAddress::parse("gil@active.example").unwrap(),
        approval_event_id: GeneratedId::new(),
        created_at: Utc::now(),
        expires_at: Utc::now() + Duration::hours(1),
        used_at: None,
    };
    assert_eq!(test.store.start_email_confirmation(&link).await.unwrap(), LinkStart::NotAwaiting);
    confirm(&test, token.expose()).await.assert_problem(410, "confirmation-superseded");
    assert_eq!(customer(&test, "already").await["version"], 1);
}

#[tokio::test]
async fn an_unknown_token_is_404_and_a_malformed_one_400() {
    let test = TestApp::spawn().await;
    awaiting(&test, "known", Duration::hours(1)).await;
    let items = test.all_items().await;
    confirm(&test, LinkToken::generate().unwrap().expose()).await.assert_problem(404, "confirmation-not-found");
    let send = |request: RequestBuilder| test.call(confirm_handler, request.anonymous());
    for body in [
        json!({}),
        json!({"token": null}),
        json!({"token": 5}),
        json!({"token": ""}),
        json!({"token": "short"}),
        json!({"token": "A".repeat(44)}),
        json!({"token": format!("{}=", "A".repeat(42))}),
        json!({"token": format!("{}/", "A".repeat(42))}),
        json!({"token": "A".repeat(10_000)}),
        json!({"token": "A".repeat(43), "customerId": "known"}),
    ] {
        let response = send(api("POST /email-confirmations").json(body.clone())).await;
        response.assert_problem(400, "validation-failed");
        assert!(response.body["errors"].as_object().is_some_and(|e| !e.is_empty()), "{body}: {}", response.body);
    }
    send(api("POST /email-confirmations").raw_body("{")).await.assert_problem(400, "malformed-request");
    let as_text = api("POST /email-confirmations").raw_body("token").content_type(Some("text/plain"));
    send(as_text).await.assert_problem(415, "unsupported-media-type");
    assert_eq!(test.all_items().await, items, "no refusal writes anything");
}

#[tokio::test]
async fn of_ten_concurrent_confirmations_exactly_one_succeeds() {
    let test = TestApp::spawn().await;
    let (_, token) = awaiting(&test, "rush", Duration::hours(1)).await;
    let confirmations = (0..10).map(|_| confirm(&test, token.expose()));
    let responses = futures::future::join_all(confirmations).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
    for refused in responses.iter().filter(|r| r.status != 200) {
        refused.assert_problem(410, "confirmation-used");
    }
    assert_eq!(test.events_of("EMAIL_CONFIRMED").await.len(), 1);
    let stored = customer(&test, "rush").await;
    assert_eq!((stored["status"].clone(), stored["version"].clone()), (json!("ACTIVE"), json!(2)));
}

// ------------------------------------------------------------------------------------ rejection

use reject_customer::handle as reject_handler;

fn rejection(customer: &str) -> RequestBuilder {
    api("POST /customers/{id}/rejection").param("id", customer)
}

async fn reject(test: &TestApp, customer: &str, caller: &Caller, reason: &str) -> TestResponse {
    test.call(reject_handler, rejection(customer).json(json!({"reason": reason})).by(caller)).await
}

/// The events recorded so far of `event_type`, as the bus delivers them.
async fn bus_entries(test: &TestApp, event_type: &str) -> Vec<BusEntry> {
    let details = test.events_of(event_type).await;
    details.iter().map(|detail| BusEntry { detail_type: event_type.into(), detail: detail.to_string() }).collect()
}

/// The items of the customer's partition: what a later customer with the identifier would own.
async fn partition_of(test: &TestApp, identifier: &str) -> Vec<String> {
    let pk = format!("CUSTOMER#{identifier}");
    let mut keys: Vec<String> = test
        .all_items()
        .await
        .into_iter()
        .filter(|item| item["pk"].as_s().unwrap() == &pk)
        .map(|item| item["sk"].as_s().unwrap().clone())
        .collect();
    keys.sort();
    keys
}

async fn history_types(test: &TestApp, identifier: &str) -> Vec<String> {
    let read = api("GET /customers/{id}/events").param("id", identifier).by(&Caller::platform_admin());
    let page = test.call(list_customer_events::handle, read).await;
    assert_eq!(page.status, 200, "{}", page.body);
    page.body["items"].as_array().unwrap().iter().map(|entry| entry["type"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn a_declined_registration_is_removed_with_everything_and_its_identifier_is_free() {
    let test = TestApp::spawn().await;
    let sam = Caller::user("sam", "sam@decline.example");
    register(&test, &sam, "decline-me", "Decline Me").await;
    // Its history entry is written before the rejection.
    for entry in bus_entries(&test, "CUSTOMER_REGISTERED").await {
        audit_writer::handle(&test.store, delivered(&entry)).await.unwrap();
    }
    assert_eq!(history_types(&test, "decline-me").await, ["CUSTOMER_REGISTERED"]);

    let response = reject(&test, "decline-me", &Caller::partner_admin("default"), "  no contract on file ").await;
    assert_eq!(response.status, 204, "{}", response.body);
    assert_eq!(response.body, Value::Null, "no body");
    assert!(partition_of(&test, "decline-me").await.is_empty(), "{:?}", partition_of(&test, "decline-me").await);
    let read = api("GET /customers/{id}").param("id", "decline-me").by(&Caller::platform_admin());
    test.call(get_customer::handle, read).await.assert_problem(404, "not-found");
    let mine = test.call(list_my_customers::handle, api("GET /me/customers").by(&sam)).await;
    assert_eq!(mine.body["items"], json!([]), "the registrant is no member any more");

    let events = test.events_of("CUSTOMER_REJECTED").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["customerId"], "decline-me");
    assert_eq!(events[0]["actor"]["role"], "PARTNER_ADMIN");
    let data = &events[0]["data"];
    assert_eq!(
        (data["reason"].clone(), data["registrantUserId"].clone(), data["registrantEmail"].clone()),
        (json!("no contract on file"), json!("sam"), json!("sam@decline.example"))
    );
    // Its own history entry is kept in the identifier's rejections partition.
    for entry in bus_entries(&test, "CUSTOMER_REJECTED").await {
        audit_writer::handle(&test.store, delivered(&entry)).await.unwrap();
    }
    let kept: Vec<_> =
        test.items_of("HISTORY").await.into_iter().map(|item| item["pk"].as_s().unwrap().clone()).collect();
    assert_eq!(kept, ["REJECTED#decline-me"]);

    // The identifier is free again, and the later customer sees nothing of the declined one.
    let dana = Caller::user("dana", "dana@later.example");
    register(&test, &dana, "decline-me", "Later Customer").await;
    for entry in bus_entries(&test, "CUSTOMER_REGISTERED").await {
        audit_writer::handle(&test.store, delivered(&entry)).await.unwrap();
    }
    assert_eq!(history_types(&test, "decline-me").await, ["CUSTOMER_REGISTERED"]);
    let members = api("GET /customers/{id}/users").param("id", "decline-me").by(&Caller::platform_admin());
    let members = test.call(list_customer_users::handle, members).await;
    let ids: Vec<&str> =
        members.body["items"].as_array().unwrap().iter().map(|m| m["userId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["dana"]);
    assert_eq!(customer(&test, "decline-me").await["displayName"], "Later Customer");
}

#[tokio::test]
async fn history_of_a_declined_registration_arriving_late_goes_nowhere() {
    let test = TestApp::spawn().await;
    register(&test, &Caller::user("lee", "lee@late.example"), "late-entry", "Late Entry").await;
    let registered = bus_entries(&test, "CUSTOMER_REGISTERED").await;
    assert_eq!(reject(&test, "late-entry", &Caller::platform_admin(), "duplicate").await.status, 204);
    register(&test, &Caller::user("max", "max@late.example"), "late-entry", "Next Owner").await;
    // The declined registration's event reaches the audit writer only now (and again).
    for _ in 0..2 {
        audit_writer::handle(&test.store, delivered(&registered[0])).await.unwrap();
    }
    assert!(history_types(&test, "late-entry").await.is_empty(), "nothing of the declined one");
    for entry in bus_entries(&test, "CUSTOMER_REGISTERED").await {
        audit_writer::handle(&test.store, delivered(&entry)).await.unwrap();
    }
    let history = test.call(
        list_customer_events::handle,
        api("GET /customers/{id}/events").param("id", "late-entry").by(&Caller::platform_admin()),
    );
    let history = history.await;
    let items = history.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", history.body);
    assert_eq!(items[0]["actor"]["userId"], "max");
}

#[tokio::test]
async fn a_rejection_racing_the_audit_writer_leaves_nothing_behind() {
    for round in 0..5 {
        let test = TestApp::spawn().await;
        let identifier = format!("race-audit-{round}");
        register(&test, &Caller::user("ria", "ria@race.example"), &identifier, "Race Audit").await;
        let registered = bus_entries(&test, "CUSTOMER_REGISTERED").await;
        let admin = Caller::platform_admin();
        let (rejected, recorded) = tokio::join!(
            reject(&test, &identifier, &admin, "racing"),
            audit_writer::handle(&test.store, delivered(&registered[0])),
        );
        assert_eq!(rejected.status, 204, "{}", rejected.body);
        recorded.unwrap();
        assert!(
            partition_of(&test, &identifier).await.is_empty(),
            "round {round}: {:?}",
            partition_of(&test, &identifier).await
        );
    }
}

#[tokio::test]
async fn only_a_pending_customer_can_be_declined() {
    let test = TestApp::spawn().await;
    for (identifier, status) in [
        ("active", CustomerStatus::Active),
        ("awaiting", CustomerStatus::AwaitingEmailConfirmation),
        ("disabled", CustomerStatus::Disabled),
    ] {
        fixtures::customer(&test, identifier, "acme", status, &[]).await;
    }
    let items = test.all_items().await;
    for identifier in ["active", "awaiting", "disabled"] {
        let response = reject(&test, identifier, &Caller::partner_admin("acme"), "too late").await;
        response.assert_problem(409, "customer-not-pending");
    }
    assert_eq!(test.all_items().await, items, "a refused rejection writes nothing");
}

#[tokio::test]
async fn who_may_decline_is_decided_before_the_body_is_read() {
    let test = TestApp::spawn().await;
    let registrant = Caller::user("cyd", "cyd@decline.example");
    fixtures::customer(
        &test,
        "scoped-out",
        "acme",
        CustomerStatus::PendingApproval,
        &[(&registrant, CustomerRole::CustomerAdmin)],
    )
    .await;
    let items = test.all_items().await;
    for body in [json!({"reason": "fine"}), json!({}), json!({"reason": ""}), json!({"reason": "a\nb", "x": 1})] {
        let call = |caller: Caller| test.call(reject_handler, rejection("scoped-out").json(body.clone()).by(&caller));
        call(registrant.clone()).await.assert_problem(403, "forbidden");
        call(Caller::user("nobody", "nobody@example.com")).await.assert_problem(404, "not-found");
        call(Caller::partner_admin("globex")).await.assert_problem(404, "not-found");
    }
    let anonymous = test.call(reject_handler, rejection("scoped-out").json(json!({"reason": "x"})).anonymous()).await;
    anonymous.assert_problem(401, "unauthenticated");
    assert_eq!(test.all_items().await, items, "nothing written");
    assert_eq!(reject(&test, "scoped-out", &Caller::partner_employee("acme"), "ok").await.status, 204);
}

#[tokio::test]
async fn the_reason_is_required_and_checked() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "reasoned", "acme", CustomerStatus::PendingApproval, &[]).await;
    let items = test.all_items().await;
    let admin = Caller::partner_admin("acme");
    for (body, field) in [
        (json!({}), "reason"),
        (json!({"reason": null}), "reason"),
        (json!({"reason": "   "}), "reason"),
        (json!({"reason": "two\nlines"}), "reason"),
        (json!({"reason": "x".repeat(501)}), "reason"),
        (json!({"reason": "ok", "extra": true}), "extra"),
    ] {
        let response = test.call(reject_handler, rejection("reasoned").json(body.clone()).by(&admin)).await;
        response.assert_problem(400, "validation-failed");
        assert!(response.body["errors"][field].is_string(), "{body}: {}", response.body);
    }
    let stale = test
        .call(reject_handler, rejection("reasoned").header("if-match", "\"7\"").json(json!({"reason": "x"})).by(&admin))
        .await;
    stale.assert_problem(412, "precondition-failed");
    assert_eq!(test.all_items().await, items, "nothing written");
    let current = test
        .call(reject_handler, rejection("reasoned").header("if-match", "\"1\"").json(json!({"reason": "x"})).by(&admin))
        .await;
    assert_eq!(current.status, 204, "{}", current.body);
}

#[tokio::test]
async fn of_twenty_concurrent_approvals_and_rejections_exactly_one_wins() {
    let test = TestApp::spawn().await;
    register(&test, &Caller::user("rex", "rex@race.example"), "decide-race", "Decide Race").await;
    let decisions = (0..20).map(|n| {
        let test = &test;
        async move {
            if n % 2 == 0 {
                approve(test, "decide-race", &Caller::platform_admin()).await
            } else {
                reject(test, "decide-race", &Caller::partner_admin("default"), "racing").await
            }
        }
    });
    let responses = futures::future::join_all(decisions).await;
    let won: Vec<u16> = responses.iter().filter(|r| r.status < 300).map(|r| r.status).collect();
    assert_eq!(won.len(), 1, "{:?}", responses.iter().map(|r| r.status).collect::<Vec<_>>());
    for refused in responses.iter().filter(|r| r.status >= 300) {
        // A rejection after an approval finds it ACTIVE; an approval after a rejection, nothing.
        assert!(
            matches!(
                (refused.status, refused.body["type"].as_str()),
                (409, Some("customer-not-pending")) | (404, Some("not-found"))
            ),
            "{}",
            refused.body
        );
    }
    let decided = test.events_of("CUSTOMER_APPROVED").await.len() + test.events_of("CUSTOMER_REJECTED").await.len();
    assert_eq!(decided, 1);
}

#[tokio::test]
async fn the_registrant_is_mailed_the_reason_once() {
    let test = TestApp::spawn().await;
    register(&test, &Caller::user("rue", "Rue@Declined.example"), "mail-decline", "Mail <Decline>").await;
    assert_eq!(
        reject(&test, "mail-decline", &Caller::partner_admin("default"), "no <valid> contract").await.status,
        204
    );
    let sender = sender_via(&test, ses_endpoint()).await;
    let rejected = &bus_entries(&test, "CUSTOMER_REJECTED").await[0];
    for _ in 0..2 {
        email_sender::handle(&sender, delivered(rejected)).await.unwrap();
    }
    let mails = mails_to("rue@declined.example").await;
    assert_eq!(mails.len(), 1, "a redelivery sends no second mail: {mails:?}");
    assert_eq!(mails[0]["subject"], "Your registration of Mail <Decline> was declined");
    let text = mails[0]["body"]["text"].as_str().unwrap();
    assert!(text.contains("no <valid> contract") && text.contains("(mail-decline)"), "{text}");
    assert!(mails[0]["body"]["html"].as_str().unwrap().contains("no &lt;valid&gt; contract"));
}

// ------------------------------------------------------------------------------------ one pending registration

async fn try_register(test: &TestApp, registrant: &Caller, identifier: &str) -> TestResponse {
    let body = json!({"identifier": identifier, "displayName": identifier});
    test.call(register_customer::handle, api("POST /registrations").json(body).by(registrant)).await
}

#[tokio::test]
async fn a_user_has_one_pending_registration_at_a_time() {
    let test = TestApp::spawn().await;
    let ivy = Caller::user("ivy", "ivy@pending.example");
    assert_eq!(try_register(&test, &ivy, "first-one").await.status, 201);
    let items = test.all_items().await;
    try_register(&test, &ivy, "second-one").await.assert_problem(409, "registration-pending");
    assert_eq!(test.all_items().await, items, "nothing written");
    // Approved: free to register again; declined: too.
    assert_eq!(approve(&test, "first-one", &Caller::platform_admin()).await.status, 200);
    assert_eq!(try_register(&test, &ivy, "second-one").await.status, 201);
    try_register(&test, &ivy, "third-one").await.assert_problem(409, "registration-pending");
    assert_eq!(reject(&test, "second-one", &Caller::platform_admin(), "no").await.status, 204);
    assert_eq!(try_register(&test, &ivy, "third-one").await.status, 201);
    // Another user is not held back by ivy's.
    assert_eq!(try_register(&test, &Caller::user("jo", "jo@pending.example"), "fourth-one").await.status, 201);
}

#[tokio::test]
async fn of_twenty_concurrent_registrations_by_one_user_exactly_one_lands() {
    let test = TestApp::spawn().await;
    let kim = Caller::user("kim", "kim@pending.example");
    let registrations = (0..20).map(|n| {
        let (test, kim) = (&test, &kim);
        async move { try_register(test, kim, &format!("kims-{n}")).await }
    });
    let responses = futures::future::join_all(registrations).await;
    assert_eq!(responses.iter().filter(|r| r.status == 201).count(), 1);
    for refused in responses.iter().filter(|r| r.status != 201) {
        refused.assert_problem(409, "registration-pending");
    }
    assert_eq!(test.items_of("CUSTOMER").await.len(), 1);
}

#[tokio::test]
async fn without_approval_required_registrations_are_not_held() {
    let test = TestApp::spawn_with(&[("REQUIRE_CUSTOMER_APPROVAL", "false")]).await;
    let lou = Caller::user("lou", "lou@pending.example");
    assert_eq!(try_register(&test, &lou, "active-one").await.status, 201);
    assert_eq!(try_register(&test, &lou, "active-two").await.status, 201);
    assert!(test.items_of("PENDING_REGISTRATION").await.is_empty());
}

// ------------------------------------------------------------------------------------ expiry

#[tokio::test]
async fn registrations_waiting_longer_than_the_ttl_are_declined_by_the_system() {
    let test = TestApp::spawn_with(&[("REGISTRATION_TTL_DAYS", "30")]).await;
    register(&test, &Caller::user("old", "old@expire.example"), "waited-long", "Waited Long").await;
    fixtures::customer(&test, "still-active", "default", CustomerStatus::Active, &[]).await;
    let app = test.app::<expire_registrations::Settings>();

    let early = expire_registrations::sweep(&app, Utc::now() + Duration::days(29)).await.unwrap();
    assert!(early.expired.is_empty(), "{early:?}");
    let late = expire_registrations::sweep(&app, Utc::now() + Duration::days(31)).await.unwrap();
    assert_eq!(late.expired, [CustomerIdentifier::parse("waited-long").unwrap()]);
    assert!(partition_of(&test, "waited-long").await.is_empty());
    assert!(!partition_of(&test, "still-active").await.is_empty(), "only pending ones");
    let events = test.events_of("CUSTOMER_REJECTED").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["actor"], json!({"userId": "system", "email": null, "role": "SYSTEM"}));
    assert_eq!(events[0]["data"]["reason"], "The registration was not reviewed within 30 days.");
    assert_eq!(events[0]["data"]["registrantEmail"], "old@expire.example");
    // Nothing left to do: a second run declines nothing.
    let again = expire_registrations::sweep(&app, Utc::now() + Duration::days(31)).await.unwrap();
    assert!(again.expired.is_empty());
    // The registrant may register again.
    assert_eq!(try_register(&test, &Caller::user("old", "old@expire.example"), "waited-long").await.status, 201);
}
