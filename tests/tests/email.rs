//! The e-mail sender against the SES v2 emulator (`aws-ses-v2-local`): what is sent, to whom,
//! and that a redelivered event sends nothing more.

use aws_sdk_dynamodb::types::AttributeValue;
use email_sender::EmailSender;
use meshcustomers::domain::{CustomerRole, CustomerStatus, GeneratedId};
use meshcustomers::store::{Completion, DeliveryClaim};
use meshcustomers_tests::local_services::ses_endpoint;
use meshcustomers_tests::pipeline::{RecordingBus, delivered, stream_batch, stream_records};
use meshcustomers_tests::test_app::local_sdk_config;
use meshcustomers_tests::{Caller, TestApp, api, fixtures};
use serde_json::{Value, json};
use stream_publisher::BusEntry;

use create_customer::handle as create;
use register_customer::handle as register;

async fn sender_via(test: &TestApp, ses_url: &str) -> EmailSender {
    let ses = aws_sdk_sesv2::Client::new(&local_sdk_config(ses_url).await);
    EmailSender::new(test.app(), ses)
}

/// Every mail the emulator holds.
async fn mails() -> Vec<Value> {
    let store: Value = reqwest::get(format!("{}/store", ses_endpoint())).await.unwrap().json().await.unwrap();
    store["emails"].as_array().cloned().unwrap_or_default()
}

/// The mails the emulator holds for one recipient.
async fn mails_to(recipient: &str) -> Vec<Value> {
    let sent_to = |mail: &Value| mail["destination"]["to"].as_array().unwrap().iter().any(|to| to == recipient);
    mails().await.into_iter().filter(sent_to).collect()
}

/// The mails whose subject or text contains `text`.
async fn mails_mentioning(text: &str) -> Vec<Value> {
    let mentions = |mail: &Value| {
        [&mail["subject"], &mail["body"]["text"]].iter().any(|part| part.as_str().unwrap_or_default().contains(text))
    };
    mails().await.into_iter().filter(mentions).collect()
}

/// What the stream publisher puts on the bus for the table's stream so far.
async fn published(test: &TestApp) -> Vec<BusEntry> {
    let bus = RecordingBus::default();
    stream_publisher::handle(&bus, stream_batch(stream_records(&test.table).await)).await.unwrap();
    bus.entries()
}

/// Registers a customer and returns the events its request put on the bus.
async fn registered(test: &TestApp, caller: &Caller, identifier: &str, display_name: &str) -> Vec<BusEntry> {
    let response = test
        .call(
            register,
            api("POST /registrations").json(json!({"identifier": identifier, "displayName": display_name})).by(caller),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
    published(test).await
}

#[tokio::test]
async fn a_registrant_is_told_the_account_is_being_verified_once() {
    let test = TestApp::spawn().await;
    let registrant = Caller::user("ann", "Ann@Verify.example");
    let entries = registered(&test, &registrant, "verify-me", "Verify <Me> & Co").await;
    assert_eq!(entries.len(), 1);
    let sender = sender_via(&test, ses_endpoint()).await;
    for _ in 0..2 {
        email_sender::handle(&sender, delivered(&entries[0])).await.expect("the sender succeeds");
    }

    let mails = mails_to("ann@verify.example").await;
    assert_eq!(mails.len(), 1, "a redelivered event sends no second mail: {mails:?}");
    let mail = &mails[0];
    assert_eq!(mail["from"], "no-reply@meshcustomers.test");
    assert_eq!(mail["subject"], "Your registration of Verify <Me> & Co is being verified");
    let text = mail["body"]["text"].as_str().unwrap();
    let html = mail["body"]["html"].as_str().unwrap();
    assert!(text.contains("currently being verified") && text.contains("Verify <Me> & Co (verify-me)"), "{text}");
    assert!(html.contains("Verify &lt;Me&gt; &amp; Co"), "values are escaped in HTML: {html}");
    assert!(text.contains("https://portal.meshcustomers.test"));
}

#[tokio::test]
async fn events_without_a_mail_send_nothing() {
    let test = TestApp::spawn_with(&[("REQUIRE_CUSTOMER_APPROVAL", "false")]).await;
    let registrant = Caller::user("bob", "bob@active.example");
    let entries = registered(&test, &registrant, "active-at-once", "Active").await;
    let sender = sender_via(&test, ses_endpoint()).await;
    email_sender::handle(&sender, delivered(&entries[0])).await.unwrap();
    assert!(mails_to("bob@active.example").await.is_empty(), "an ACTIVE registration needs no verification mail");

    let created = test
        .call(
            create,
            api("POST /customers")
                .json(json!({"identifier": "created-no-mail", "displayName": "Created"}))
                .by(&Caller::partner_admin("acme")),
        )
        .await;
    assert_eq!(created.status, 201);
    let customer_created = published(&test).await.into_iter().find(|e| e.detail_type == "CUSTOMER_CREATED").unwrap();
    email_sender::handle(&sender, delivered(&customer_created)).await.unwrap();
    // Whoever it would have gone to, every mail names its customer: none names this one.
    assert!(mails_mentioning("created-no-mail").await.is_empty());
    let deliveries = test.items_of("DELIVERY").await.len();
    assert_eq!(deliveries, 0, "no delivery record for events without mail");
}

/// "Add Myself": the customer's other admins are told in one message who joined and why; not
/// its employees, not the one who joined; a redelivery sends nothing more.
#[tokio::test]
async fn a_partner_user_joining_is_told_to_the_other_admins_once() {
    let test = TestApp::spawn().await;
    let admins = [Caller::user("ad1", "Ad1@Joined.example"), Caller::user("ad2", "ad2@joined.example")];
    let employee = Caller::user("em", "em@joined.example");
    let members = [
        (&admins[0], CustomerRole::CustomerAdmin),
        (&admins[1], CustomerRole::CustomerAdmin),
        (&employee, CustomerRole::CustomerEmployee),
    ];
    fixtures::customer(&test, "joined-co", "acme", CustomerStatus::Active, &members).await;
    let partner = Caller::partner_admin("acme");
    let me = api("POST /customers/{id}/users/me").param("id", "joined-co");
    let reason = "Ticket 4711 <migrate> & set up";
    let response = test.call(add_myself::handle, me.json(json!({"reason": reason})).by(&partner)).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let joined = published(&test).await.into_iter().find(|e| e.detail_type == "USER_ASSIGNED_HIMSELF").unwrap();
    let sender = sender_via(&test, ses_endpoint()).await;
    for _ in 0..2 {
        email_sender::handle(&sender, delivered(&joined)).await.unwrap();
    }

    let mails = mails_mentioning("joined-co").await;
    assert_eq!(mails.len(), 1, "one message, once: {mails:?}");
    let mail = &mails[0];
    let mut to: Vec<&str> =
        mail["destination"]["to"].as_array().unwrap().iter().map(|to| to.as_str().unwrap()).collect();
    to.sort();
    assert_eq!(to, ["ad1@joined.example", "ad2@joined.example"], "admins only, not who joined");
    assert_eq!(mail["subject"], "partner-admins@acme.example joined your customer account joined-co");
    let text = mail["body"]["text"].as_str().unwrap();
    assert!(text.contains("partner administrator") && text.contains("as customer admin"), "{text}");
    assert!(text.contains(&format!("Reason given: {reason}")), "{text}");
    assert!(mail["body"]["html"].as_str().unwrap().contains("Ticket 4711 &lt;migrate&gt; &amp; set up"));
}

/// A sender whose SES client fails its `failing`-th call (1-based) to connect, once, as a network
/// failure half-way through a mail of several messages would.
async fn sender_failing_call(test: &TestApp, failing: usize) -> EmailSender {
    use aws_smithy_runtime_api::client::http::{HttpClient, HttpConnectorFuture, SharedHttpConnector, http_client_fn};
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug)]
    struct FailingCall {
        real: SharedHttpConnector,
        calls: Arc<AtomicUsize>,
        failing: usize,
    }
    impl aws_smithy_runtime_api::client::http::HttpConnector for FailingCall {
        fn call(&self, request: aws_smithy_runtime_api::client::orchestrator::HttpRequest) -> HttpConnectorFuture {
            if self.calls.fetch_add(1, Ordering::SeqCst) + 1 == self.failing {
                return HttpConnectorFuture::ready(Err(ConnectorError::io("connection reset (injected)".into())));
            }
            self.real.call(request)
        }
    }
    let real = aws_smithy_http_client::Builder::new().build_http();
    let calls = Arc::new(AtomicUsize::new(0));
    let client = http_client_fn(move |settings, components| {
        SharedHttpConnector::new(FailingCall {
            real: real.http_connector(settings, components),
            calls: calls.clone(),
            failing,
        })
    });
    let config = aws_sdk_sesv2::config::Builder::from(&local_sdk_config(ses_endpoint()).await)
        .http_client(client)
        .retry_config(aws_sdk_sesv2::config::retry::RetryConfig::disabled())
        .build();
    EmailSender::new(test.app(), aws_sdk_sesv2::Client::from_conf(config))
}

/// SPEC §6.1: mail about a customer's admins reaches all of them, however many. 120 admins are
/// told in messages of at most 50 (SES's limit); the second message fails to go out, and the
/// redeliveries send only what was not sent: every admin gets the mail exactly once.
#[tokio::test]
async fn every_admin_of_many_is_told_once_even_after_a_failure_half_way() {
    let test = TestApp::spawn().await;
    let admins: Vec<Caller> =
        (0..120).map(|n| Caller::user(&format!("many-{n}"), &format!("admin-{n:03}@many.example"))).collect();
    fixtures::customer(&test, "many-admins", "acme", CustomerStatus::Active, &[]).await;
    for admin in &admins {
        fixtures::member(&test, "many-admins", admin, CustomerRole::CustomerAdmin).await;
    }
    let me = api("POST /customers/{id}/users/me").param("id", "many-admins");
    assert_eq!(test.call(add_myself::handle, me.by(&Caller::partner_admin("acme"))).await.status, 201);
    let joined = published(&test).await.into_iter().find(|e| e.detail_type == "USER_ASSIGNED_HIMSELF").unwrap();

    let failing = sender_failing_call(&test, 2).await;
    assert!(email_sender::handle(&failing, delivered(&joined)).await.is_err(), "fails so that Lambda retries");
    assert_eq!(mails_mentioning("many-admins").await.len(), 1, "the first message went out, the second failed");

    let sender = sender_via(&test, ses_endpoint()).await;
    for _ in 0..2 {
        email_sender::handle(&sender, delivered(&joined)).await.unwrap();
    }
    let mails = mails_mentioning("many-admins").await;
    assert_eq!(mails.len(), 3, "50 + 50 + 20 recipients");
    let mut told: Vec<String> = Vec::new();
    for mail in &mails {
        let to = mail["destination"]["to"].as_array().unwrap();
        assert!(to.len() <= 50, "at most 50 recipients a message: {}", to.len());
        told.extend(to.iter().map(|to| to.as_str().unwrap().to_owned()));
    }
    told.sort();
    let expected: Vec<String> = (0..120).map(|n| format!("admin-{n:03}@many.example")).collect();
    assert_eq!(told, expected, "every admin once, the one who joined not");
}

/// A customer whose only admin is the one who joined: nobody to tell, no mail, no claim.
#[tokio::test]
async fn a_join_with_no_other_admin_mails_nobody() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "lone-co", "acme", CustomerStatus::Active, &[]).await;
    let me = api("POST /customers/{id}/users/me").param("id", "lone-co");
    assert_eq!(test.call(add_myself::handle, me.by(&Caller::partner_admin("acme"))).await.status, 201);
    let joined = published(&test).await.into_iter().find(|e| e.detail_type == "USER_ASSIGNED_HIMSELF").unwrap();
    email_sender::handle(&sender_via(&test, ses_endpoint()).await, delivered(&joined)).await.unwrap();
    assert!(mails_mentioning("lone-co").await.is_empty());
    assert!(test.items_of("DELIVERY").await.is_empty());
}

#[tokio::test]
async fn a_failed_send_is_retried_and_then_sent_once() {
    let test = TestApp::spawn().await;
    let registrant = Caller::user("cy", "cy@retry.example");
    let entries = registered(&test, &registrant, "retry-me", "Retry").await;

    let unreachable = sender_via(&test, "http://127.0.0.1:9").await;
    assert!(
        email_sender::handle(&unreachable, delivered(&entries[0])).await.is_err(),
        "a failed send fails the invocation"
    );
    let deliveries = test.items_of("DELIVERY").await.len();
    assert_eq!(deliveries, 0, "the claim is released so that the retry may send");

    let sender = sender_via(&test, ses_endpoint()).await;
    email_sender::handle(&sender, delivered(&entries[0])).await.unwrap();
    email_sender::handle(&sender, delivered(&entries[0])).await.unwrap();
    assert_eq!(mails_to("cy@retry.example").await.len(), 1);
}

#[tokio::test]
async fn a_delivery_in_progress_elsewhere_makes_the_sender_retry_later() {
    let test = TestApp::spawn().await;
    let registrant = Caller::user("di", "di@busy.example");
    let entries = registered(&test, &registrant, "busy", "Busy").await;
    let event: meshcustomers::events::DomainEvent = serde_json::from_str(&entries[0].detail).unwrap();
    let store = &test.store;
    let DeliveryClaim::Claimed(claim) = store.claim_delivery(event.event_id).await.unwrap() else {
        panic!("the first claim succeeds")
    };
    assert_eq!(store.claim_delivery(event.event_id).await.unwrap(), DeliveryClaim::InProgress);

    let sender = sender_via(&test, ses_endpoint()).await;
    assert!(email_sender::handle(&sender, delivered(&entries[0])).await.is_err(), "fails so that Lambda retries");
    assert!(mails_to("di@busy.example").await.is_empty());

    store.release_delivery(&claim).await.unwrap();
    email_sender::handle(&sender, delivered(&entries[0])).await.unwrap();
    assert_eq!(mails_to("di@busy.example").await.len(), 1);
    assert_eq!(store.claim_delivery(event.event_id).await.unwrap(), DeliveryClaim::AlreadySent);
}

/// Ends the lease of the event's delivery claim, as if its holder had died a minute ago.
async fn expire_lease(test: &TestApp, event_id: &str) {
    test.dynamodb
        .update_item()
        .table_name(&test.table)
        .key("pk", AttributeValue::S(format!("DELIVERY#{event_id}")))
        .key("sk", AttributeValue::S("EMAIL".into()))
        .update_expression("SET leaseUntil = :past")
        .expression_attribute_values(":past", AttributeValue::N((chrono::Utc::now().timestamp() - 61).to_string()))
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn only_the_claims_owner_completes_or_releases_it() {
    let test = TestApp::spawn().await;
    let store = &test.store;
    let event_id = GeneratedId::new();
    let DeliveryClaim::Claimed(abandoned) = store.claim_delivery(event_id).await.unwrap() else { panic!("claimed") };
    expire_lease(&test, &event_id.to_string()).await;
    let DeliveryClaim::Claimed(current) = store.claim_delivery(event_id).await.unwrap() else {
        panic!("an abandoned claim is taken over")
    };

    store.release_delivery(&abandoned).await.unwrap();
    assert_eq!(test.items_of("DELIVERY").await.len(), 1, "the old holder cannot release the new claim");
    assert_eq!(store.complete_delivery(&abandoned, "m-old").await.unwrap(), Completion::ClaimLost);
    assert_eq!(store.claim_delivery(event_id).await.unwrap(), DeliveryClaim::InProgress, "still the new holder's");

    assert_eq!(store.complete_delivery(&current, "m-new").await.unwrap(), Completion::Recorded);
    let record = test.items_of("DELIVERY").await.remove(0);
    assert_eq!(record["state"].as_s().unwrap(), "SENT");
    assert_eq!(record["messageId"].as_s().unwrap(), "m-new");
    assert!(record.contains_key("ttl"), "completing keeps the record's expiry");
    assert!(!record.contains_key("owner") && !record.contains_key("leaseUntil"));
}

#[tokio::test]
async fn completing_a_vanished_claim_does_not_recreate_it() {
    let test = TestApp::spawn().await;
    let store = &test.store;
    let event_id = GeneratedId::new();
    let DeliveryClaim::Claimed(claim) = store.claim_delivery(event_id).await.unwrap() else { panic!("claimed") };
    store.release_delivery(&claim).await.unwrap();
    assert_eq!(store.complete_delivery(&claim, "m").await.unwrap(), Completion::ClaimLost);
    assert!(test.items_of("DELIVERY").await.is_empty(), "no record without its expiry");
}

#[tokio::test]
async fn a_member_is_warned_of_the_end_once_through_the_emulator() {
    let test = TestApp::spawn().await;
    let (admin, leaving) = (Caller::user("wanda", "wanda@warned.example"), Caller::user("lou", "Lou@Warned.example"));
    let members = [(&admin, CustomerRole::CustomerAdmin), (&leaving, CustomerRole::CustomerEmployee)];
    fixtures::customer(&test, "warned-co", "acme", CustomerStatus::Active, &members).await;
    let end = chrono::Utc::now() + chrono::Duration::days(2);
    let ending = api("PUT /customers/{id}/users/{userId}/expiry")
        .param("id", "warned-co")
        .param("userId", "lou")
        .json(json!({"expiresAt": end.to_rfc3339()}));
    assert_eq!(test.call(change_member_expiry::handle, ending.by(&admin)).await.status, 200);
    let sweep = expire_memberships::sweep(&test.app(), chrono::Utc::now()).await.unwrap();
    assert_eq!(sweep.warned.len(), 1, "{sweep:?}");
    let warning: Vec<BusEntry> =
        published(&test).await.into_iter().filter(|entry| entry.detail_type == "MEMBERSHIP_EXPIRING").collect();
    assert_eq!(warning.len(), 1);
    let sender = sender_via(&test, ses_endpoint()).await;
    for _ in 0..2 {
        email_sender::handle(&sender, delivered(&warning[0])).await.expect("the sender succeeds");
    }

    let mails = mails_to("lou@warned.example").await;
    assert_eq!(mails.len(), 1, "a redelivered warning sends no second mail: {mails:?}");
    let text = mails[0]["body"]["text"].as_str().unwrap();
    assert!(mails[0]["subject"].as_str().unwrap().contains("warned-co"), "{}", mails[0]["subject"]);
    assert!(text.contains(&end.format("%Y-%m-%d %H:%M UTC").to_string()), "the end is named: {text}");
    assert!(mails_to("wanda@warned.example").await.is_empty(), "only the member is warned");
}
