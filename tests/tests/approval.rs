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
