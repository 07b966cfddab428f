//! Invitations: invite, list, cancel, resend and accept; the one-pending-invitation lock (free
//! again once an invitation expires, is cancelled or is accepted), members' addresses refused,
//! the invitation mail through the email sender and the SES emulator with its one-time link, the
//! link's token stored only as its hash (never in an item, event, history entry or log line), and
//! the races: concurrent acceptances of one link, concurrent invitations of one address, a
//! resend racing an acceptance, and a resend racing the mail of the version before it.

#![recursion_limit = "256"]

use chrono::{DateTime, Duration, Utc};
use email_sender::EmailSender;
use futures::future::join_all;
use meshcustomers::domain::{CustomerRole, CustomerStatus, GeneratedId, Invitation, LinkToken};
use meshcustomers_tests::local_services::ses_endpoint;
use meshcustomers_tests::logs::{capture_this_threads_log, captured_log};
use meshcustomers_tests::pipeline::{RecordingBus, delivered, stream_batch, stream_records};
use meshcustomers_tests::requests::RequestBuilder;
use meshcustomers_tests::test_app::local_sdk_config;
use meshcustomers_tests::{Caller, TestApp, TestResponse, api, fixtures};
use serde_json::{Value, json};
use stream_publisher::BusEntry;

use CustomerRole::{CustomerAdmin as ADMIN, CustomerEmployee as EMPLOYEE};

// ------------------------------------------------------------------------------------ helpers

fn invitations(customer: &str) -> RequestBuilder {
    api("POST /customers/{id}/invitations").param("id", customer)
}

async fn invite(test: &TestApp, customer: &str, by: &Caller, email: &str, role: &str) -> TestResponse {
    let request = invitations(customer).json(json!({"email": email, "role": role}));
    test.call(invite_user::handle, request.by(by)).await
}

async fn list(test: &TestApp, customer: &str, by: &Caller) -> TestResponse {
    let request = api("GET /customers/{id}/invitations").param("id", customer);
    test.call(list_invitations::handle, request.by(by)).await
}

fn cancellation(customer: &str, invitation: &str) -> RequestBuilder {
    api("DELETE /customers/{id}/invitations/{invitationId}").param("id", customer).param("invitationId", invitation)
}

async fn cancel(test: &TestApp, customer: &str, invitation: &str, by: &Caller) -> TestResponse {
    test.call(cancel_invitation::handle, cancellation(customer, invitation).by(by)).await
}

fn resending(customer: &str, invitation: &str) -> RequestBuilder {
    api("POST /customers/{id}/invitations/{invitationId}/resend")
        .param("id", customer)
        .param("invitationId", invitation)
}

async fn resend(test: &TestApp, customer: &str, invitation: &str, by: &Caller) -> TestResponse {
    test.call(resend_invitation::handle, resending(customer, invitation).by(by)).await
}

async fn accept(test: &TestApp, token: &str, by: &Caller) -> TestResponse {
    test.call(accept_invitation::handle, api("POST /invitations/accept").json(json!({"token": token})).by(by)).await
}

/// An ACTIVE customer of partner `acme` with one CUSTOMER_ADMIN, who is returned.
async fn customer_with_admin(test: &TestApp, identifier: &str) -> Caller {
    let admin = Caller::user(&format!("{identifier}-admin"), &format!("admin@{identifier}.example"));
    fixtures::customer(test, identifier, "acme", CustomerStatus::Active, &[(&admin, ADMIN)]).await;
    admin
}

/// A pending invitation of `email` into `customer`, made by `admin` over the route.
async fn invited(test: &TestApp, customer: &str, admin: &Caller, email: &str, role: &str) -> Value {
    let response = invite(test, customer, admin, email, role).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.body
}

fn id_of(invitation: &Value) -> String {
    invitation["id"].as_str().expect("an invitation id").to_owned()
}

async fn sender_via(test: &TestApp, ses_url: &str) -> EmailSender {
    EmailSender::new(test.app(), aws_sdk_sesv2::Client::new(&local_sdk_config(ses_url).await))
}

/// The USER_INVITED events recorded so far, oldest first, as the bus delivers them.
async fn invited_events(test: &TestApp) -> Vec<BusEntry> {
    let details = test.events_of("USER_INVITED").await;
    details.iter().map(|detail| BusEntry { detail_type: "USER_INVITED".into(), detail: detail.to_string() }).collect()
}

/// Every USER_INVITED event recorded so far, delivered to the email sender (redeliveries of
/// earlier ones send nothing).
async fn deliver_invitation_mails(test: &TestApp) {
    let sender = sender_via(test, ses_endpoint()).await;
    for entry in invited_events(test).await {
        email_sender::handle(&sender, delivered(&entry)).await.unwrap();
    }
}

async fn mails_to(recipient: &str) -> Vec<Value> {
    let store: Value = reqwest::get(format!("{}/store", ses_endpoint())).await.unwrap().json().await.unwrap();
    let mails = store["emails"].as_array().cloned().unwrap_or_default();
    mails
        .into_iter()
        .filter(|mail| mail["destination"]["to"].as_array().unwrap().iter().any(|to| to == recipient))
        .collect()
}

const LINK: &str = "https://portal.meshcustomers.test/accept-invitation?token=";

/// The token of the accept link in a mail's text.
fn link_token(mail: &Value) -> String {
    let text = mail["body"]["text"].as_str().unwrap();
    let start = text.find(LINK).expect("the mail carries the accept link") + LINK.len();
    text[start..start + 43].to_owned()
}

/// The token of the latest invitation mail to `recipient`.
async fn mailed_token(recipient: &str) -> String {
    let mails = mails_to(recipient).await;
    link_token(mails.last().unwrap_or_else(|| panic!("no mail to {recipient}")))
}

/// A fixture invitation of `email` into `customer` with a link whose token is returned.
async fn invitation_with_link(
    test: &TestApp,
    customer: &str,
    email: &str,
    role: CustomerRole,
    expires_at: DateTime<Utc>,
) -> (Invitation, LinkToken) {
    let invitation = fixtures::invitation(test, customer, GeneratedId::new(), email, role, expires_at).await;
    let token = LinkToken::generate().unwrap();
    fixtures::invitation_link(test, &invitation, &token).await;
    (invitation, token)
}

fn in_an_hour() -> DateTime<Utc> {
    Utc::now() + Duration::hours(1)
}

/// The customer's `adminCount`, from its item.
async fn admin_count(test: &TestApp, customer: &str) -> u64 {
    let pk = format!("CUSTOMER#{customer}");
    let item = test.items_of("CUSTOMER").await.into_iter().find(|item| item["pk"].as_s().unwrap() == &pk).unwrap();
    item["adminCount"].as_n().unwrap().parse().unwrap()
}

async fn member_ids(test: &TestApp, customer: &str) -> Vec<String> {
    let request = api("GET /customers/{id}/users").param("id", customer).by(&Caller::platform_admin());
    let response = test.call(list_customer_users::handle, request).await;
    response.body["items"].as_array().unwrap().iter().map(|m| m["userId"].as_str().unwrap().to_owned()).collect()
}

/// Every string in the table, wherever it sits in an item.
async fn table_text(test: &TestApp) -> String {
    format!("{:?}", test.all_items().await)
}

fn statuses(responses: &[TestResponse]) -> Vec<u16> {
    responses.iter().map(|response| response.status).collect()
}

// ------------------------------------------------------------------------------------ the whole flow

#[tokio::test]
async fn an_admin_invites_the_invitee_gets_the_mail_and_accepts_with_its_link() {
    let test = TestApp::spawn().await;
    let admin = customer_with_admin(&test, "flow").await;

    let response = invite(&test, "flow", &admin, "Jane.Doe@Flow.example", "CUSTOMER_ADMIN").await;
    assert_eq!(response.status, 201, "{}", response.body);
    let invitation = response.body.clone();
    let id = id_of(&invitation);
    assert_eq!(response.header("location"), Some(format!("/customers/flow/invitations/{id}").as_str()));
    assert_eq!(response.header("etag"), Some("\"1\""));
    assert_eq!(invitation["email"], "jane.doe@flow.example");
    assert_eq!((invitation["status"].clone(), invitation["version"].clone()), (json!("PENDING"), json!(1)));
    assert_eq!(invitation["invitedBy"], "flow-admin");
    let expires = DateTime::parse_from_rfc3339(invitation["expiresAt"].as_str().unwrap()).unwrap();
    let lifetime = expires.with_timezone(&Utc) - Utc::now();
    assert!(lifetime > Duration::hours(167) && lifetime <= Duration::hours(168), "{lifetime}");
    let events = test.events_of("USER_INVITED").await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["data"],
        json!({
            "invitationId": id, "email": "jane.doe@flow.example", "role": "CUSTOMER_ADMIN",
            "expiresAt": invitation["expiresAt"], "version": 1, "customerDisplayName": "Seeded flow",
            "invitedBy": "flow-admin"
        })
    );
    assert_eq!(events[0]["actor"]["role"], "CUSTOMER_ADMIN");

    // The mail, sent once however often the event comes.
    deliver_invitation_mails(&test).await;
    deliver_invitation_mails(&test).await;
    let mails = mails_to("jane.doe@flow.example").await;
    assert_eq!(mails.len(), 1, "a redelivery sends no second mail: {mails:?}");
    let mail = &mails[0];
    assert_eq!(mail["subject"], "You are invited to join Seeded flow");
    let text = mail["body"]["text"].as_str().unwrap();
    assert!(text.contains("admin@flow.example invites you to join the customer account Seeded flow (flow)"), "{text}");
    assert!(
        text.contains("as customer admin") && text.contains(&format!("until {}", expires.format("%Y-%m-%d %H:%M UTC")))
    );
    let token = link_token(mail);
    assert!(mail["body"]["html"].as_str().unwrap().contains(&format!("href=\"{LINK}{token}\"")));
    let parsed = LinkToken::parse(&token).expect("a well-formed token");
    let invitation_item = test.items_of("INVITATION").await.remove(0);
    assert_eq!(invitation_item["linkHash"].as_s().unwrap(), &parsed.hash().to_string(), "the mailed link is current");

    // Accepted by the invitee, whose token spells the address in other letter case.
    let jane = Caller::user("jane", "JANE.DOE@flow.example").with("name", "Jane");
    let accepted = accept(&test, &token, &jane).await;
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    assert_eq!(accepted.header("location"), Some("/customers/flow/users/jane"));
    assert_eq!(accepted.header("etag"), Some("\"1\""));
    assert_eq!(
        (accepted.body["role"].clone(), accepted.body["joinedVia"].clone(), accepted.body["email"].clone()),
        (json!("CUSTOMER_ADMIN"), json!("INVITATION"), json!("jane.doe@flow.example"))
    );
    assert_eq!(accepted.body["name"], "Jane");
    // Added by the inviter, as USER_INVITED named them and the mailed link carried them.
    assert_eq!(accepted.body["addedBy"], "flow-admin");
    let events = test.events_of("USER_ACCEPTED_INVITATION").await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["data"],
        json!({"invitationId": id, "userId": "jane", "email": "jane.doe@flow.example", "role": "CUSTOMER_ADMIN"})
    );
    assert_eq!(events[0]["actor"], json!({"userId": "jane", "email": "jane.doe@flow.example", "role": "USER"}));
    assert_eq!(member_ids(&test, "flow").await, ["flow-admin", "jane"]);
    assert_eq!(admin_count(&test, "flow").await, 2, "the accepted admin is counted");
    let listed = list(&test, "flow", &admin).await;
    let shown = &listed.body["items"][0];
    assert_eq!((shown["status"].clone(), shown["version"].clone()), (json!("ACCEPTED"), json!(2)));
    assert_eq!(shown["acceptedBy"], "jane");
    assert!(test.items_of("INVITATION_EMAIL").await.is_empty(), "the address's lock is released");
    assert!(!test.items_of("INVITATION").await[0].contains_key("linkHash"), "no link is current any more");

    // The link works once; the address is a member's now.
    let items = test.all_items().await;
    accept(&test, &token, &jane).await.assert_problem(410, "invitation-used");
    assert_eq!(test.all_items().await, items, "a refused acceptance writes nothing");
    invite(&test, "flow", &admin, "jane.doe@flow.example", "CUSTOMER_EMPLOYEE")
        .await
        .assert_problem(409, "already-member");
}

#[tokio::test]
async fn a_removed_member_invited_again_accepts_again() {
    let test = TestApp::spawn().await;
    let admin = customer_with_admin(&test, "again").await;
    let ivy = Caller::user("ivy", "ivy@again.example").with("name", "Ivy");
    invited(&test, "again", &admin, "ivy@again.example", "CUSTOMER_EMPLOYEE").await;
    deliver_invitation_mails(&test).await;
    let first = mailed_token("ivy@again.example").await;
    let accepted = accept(&test, &first, &ivy).await;
    assert_eq!(accepted.status, 201, "{}", accepted.body);

    let removal = api("DELETE /customers/{id}/users/{userId}").param("id", "again").param("userId", "ivy");
    assert_eq!(test.call(remove_member::handle, removal.by(&admin)).await.status, 204);
    invited(&test, "again", &admin, "ivy@again.example", "CUSTOMER_EMPLOYEE").await;
    deliver_invitation_mails(&test).await;
    let second = mailed_token("ivy@again.example").await;
    assert_ne!(second, first, "a new invitation has its own link");

    let again = accept(&test, &second, &ivy).await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(again.body["version"], 1, "a new membership: {}", again.body);
    assert_eq!(member_ids(&test, "again").await, ["again-admin", "ivy"]);
    assert_eq!(test.events_of("USER_ACCEPTED_INVITATION").await.len(), 2);
}

#[tokio::test]
async fn invitations_made_at_creation_are_mailed_and_accepted_too() {
    let test = TestApp::spawn().await;
    let body = json!({
        "identifier": "made-with-users", "displayName": "Made <With> Users",
        "users": [{"email": "ann@made.example", "role": "CUSTOMER_ADMIN"}, {"email": "ben@made.example", "role": "CUSTOMER_EMPLOYEE"}]
    });
    let created =
        test.call(create_customer::handle, api("POST /customers").json(body).by(&Caller::partner_admin("acme"))).await;
    assert_eq!(created.status, 201, "{}", created.body);
    deliver_invitation_mails(&test).await;
    for (who, role) in [("ann", "CUSTOMER_ADMIN"), ("ben", "CUSTOMER_EMPLOYEE")] {
        let address = format!("{who}@made.example");
        let mails = mails_to(&address).await;
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert!(mails[0]["body"]["text"].as_str().unwrap().contains("partner-admins@acme.example invites you"));
        assert!(mails[0]["body"]["html"].as_str().unwrap().contains("Made &lt;With&gt; Users"), "escaped");
        let accepted = accept(&test, &link_token(&mails[0]), &Caller::user(who, &address)).await;
        assert_eq!((accepted.status, accepted.body["role"].as_str()), (201, Some(role)), "{}", accepted.body);
    }
    assert_eq!(admin_count(&test, "made-with-users").await, 1, "a creation's admin counts once accepted");
}

// ------------------------------------------------------------------------------------ inviting

#[tokio::test]
async fn an_invitation_is_checked_field_by_field_and_a_refusal_writes_nothing() {
    let test = TestApp::spawn().await;
    let admin = customer_with_admin(&test, "strict").await;
    let items = test.all_items().await;
    for (body, fields) in [
        (json!({}), vec!["email", "role"]),
        (json!({"email": "x@strict.example"}), vec!["role"]),
        (json!({"email": "nobody", "role": "CUSTOMER_ADMIN"}), vec!["email"]),
        (json!({"email": "x@strict.example", "role": "OWNER"}), vec!["role"]),
        (json!({"email": 7, "role": null}), vec!["email", "role"]),
        (
            json!({"email": "x@strict.example", "role": "CUSTOMER_ADMIN", "expiresAt": "2030-01-01T00:00:00Z"}),
            vec!["expiresAt"],
        ),
        (json!(["x@strict.example"]), vec!["body"]),
    ] {
        let response = test.call(invite_user::handle, invitations("strict").json(body.clone()).by(&admin)).await;
        response.assert_problem(400, "validation-failed");
        let named: Vec<&String> = response.body["errors"].as_object().unwrap().keys().collect();
        assert_eq!(named, fields, "{body}: {}", response.body);
    }
    let as_text = invitations("strict").raw_body("x").content_type(Some("text/plain"));
    test.call(invite_user::handle, as_text.by(&admin)).await.assert_problem(415, "unsupported-media-type");
    assert_eq!(test.all_items().await, items);
}

#[tokio::test]
async fn who_may_invite_list_cancel_and_resend() {
    let test = TestApp::spawn().await;
    let admin = Caller::user("boss", "boss@who.example");
    let employee = Caller::user("staff", "staff@who.example");
    fixtures::customer(&test, "who", "acme", CustomerStatus::Active, &[(&admin, ADMIN), (&employee, EMPLOYEE)]).await;
    let id = id_of(&invited(&test, "who", &admin, "guest@who.example", "CUSTOMER_EMPLOYEE").await);

    let partner_admin = Caller::partner_admin("acme");
    for (caller, status) in [
        (&employee, 403),
        (&partner_admin, 403),
        (&Caller::platform_admin(), 403),
        (&Caller::partner_admin("globex"), 404),
        (&Caller::user("stranger", "stranger@who.example"), 404),
    ] {
        let problem = if status == 403 { "forbidden" } else { "not-found" };
        invite(&test, "who", caller, "other@who.example", "CUSTOMER_EMPLOYEE").await.assert_problem(status, problem);
        cancel(&test, "who", &id, caller).await.assert_problem(status, problem);
        resend(&test, "who", &id, caller).await.assert_problem(status, problem);
    }
    for caller in [&admin, &partner_admin, &Caller::partner_employee("acme"), &Caller::platform_admin()] {
        let listed = list(&test, "who", caller).await;
        assert_eq!(listed.status, 200, "{}", listed.body);
        assert_eq!(listed.body["items"][0]["id"], id.as_str());
    }
    list(&test, "who", &employee).await.assert_problem(403, "forbidden");
    list(&test, "who", &Caller::partner_admin("globex")).await.assert_problem(404, "not-found");
    test.call(invite_user::handle, invitations("who").json(json!({})).anonymous())
        .await
        .assert_problem(401, "unauthenticated");
    assert_eq!(test.events_of("USER_INVITED").await.len(), 1);
    assert!(test.events_of("USER_INVITATION_CANCELLED").await.is_empty());
}

#[tokio::test]
async fn one_invitation_per_address_may_be_pending_in_a_customer() {
    let test = TestApp::spawn().await;
    let admin = customer_with_admin(&test, "once").await;
    let other_admin = customer_with_admin(&test, "elsewhere").await;
    invited(&test, "once", &admin, "dup@once.example", "CUSTOMER_EMPLOYEE").await;
    let items = test.all_items().await;
    let again = invite(&test, "once", &admin, "DUP@once.example", "CUSTOMER_ADMIN").await;
    again.assert_problem(409, "invitation-pending");
    assert!(again.body["detail"].as_str().unwrap().contains("dup@once.example"));
    assert_eq!(test.all_items().await, items);
    invited(&test, "elsewhere", &other_admin, "dup@once.example", "CUSTOMER_EMPLOYEE").await;
}

#[tokio::test]
async fn a_members_address_cannot_be_invited_until_the_member_is_gone() {
    let test = TestApp::spawn().await;
    let admin = Caller::user("boss", "boss@members.example");
    let worker = Caller::user("worker", "worker@members.example");
    fixtures::customer(&test, "members", "acme", CustomerStatus::Active, &[(&admin, ADMIN), (&worker, EMPLOYEE)]).await;
    for address in ["worker@members.example", "Boss@Members.example"] {
        let response = invite(&test, "members", &admin, address, "CUSTOMER_EMPLOYEE").await;
        response.assert_problem(409, "already-member");
        assert!(response.body["detail"].as_str().unwrap().contains(&address.to_lowercase()), "{}", response.body);
    }
    // A member who joined through "Add Myself" or a registration counts as well.
    let partner = Caller::partner_admin("acme");
    let joined =
        test.call(add_myself::handle, api("POST /customers/{id}/users/me").param("id", "members").by(&partner)).await;
    assert_eq!(joined.status, 201, "{}", joined.body);
    invite(&test, "members", &admin, "partner-admins@acme.example", "CUSTOMER_EMPLOYEE")
        .await
        .assert_problem(409, "already-member");
    let registrant = Caller::user("reg", "reg@registered.example");
    let registration =
        api("POST /registrations").json(json!({"identifier": "registered", "displayName": "Registered"}));
    assert_eq!(test.call(register_customer::handle, registration.by(&registrant)).await.status, 201);
    let approval = api("POST /customers/{id}/approval").param("id", "registered").by(&Caller::platform_admin());
    assert_eq!(test.call(approve_customer::handle, approval).await.status, 200);
    invite(&test, "registered", &registrant, "reg@registered.example", "CUSTOMER_EMPLOYEE")
        .await
        .assert_problem(409, "already-member");

    // Once the member has left, the address can be invited.
    let leave = api("DELETE /customers/{id}/users/{userId}").param("id", "members").param("userId", "worker");
    assert_eq!(test.call(remove_member::handle, leave.by(&worker)).await.status, 204);
    invited(&test, "members", &admin, "worker@members.example", "CUSTOMER_EMPLOYEE").await;
}

#[tokio::test]
async fn a_customer_that_is_not_active_takes_no_invitations() {
    let test = TestApp::spawn().await;
    let admin = Caller::user("early", "early@pending.example");
    fixtures::customer(&test, "pending", "acme", CustomerStatus::PendingApproval, &[(&admin, ADMIN)]).await;
    invite(&test, "pending", &admin, "x@pending.example", "CUSTOMER_EMPLOYEE")
        .await
        .assert_problem(409, "customer-not-active");
    let disabled_admin = Caller::user("late", "late@disabled.example");
    fixtures::customer(&test, "disabled", "acme", CustomerStatus::Disabled, &[(&disabled_admin, ADMIN)]).await;
    invited(&test, "disabled", &disabled_admin, "x@disabled.example", "CUSTOMER_EMPLOYEE").await;
}

// ------------------------------------------------------------------------------------ expiry

#[tokio::test]
async fn an_expired_invitation_reads_expired_and_its_address_can_be_invited_again() {
    let test = TestApp::spawn().await;
    let admin = customer_with_admin(&test, "expiry").await;
    let past = Utc::now() - Duration::seconds(1);
    let expired =
        fixtures::invitation(&test, "expiry", GeneratedId::new(), "late@expiry.example", EMPLOYEE, past).await;
    let listed = list(&test, "expiry", &admin).await;
    assert_eq!(listed.body["items"][0]["status"], "EXPIRED", "expiry is read, not swept");
    assert_eq!(test.items_of("INVITATION").await[0]["status"].as_s().unwrap(), "PENDING");

    let fresh = invited(&test, "expiry", &admin, "late@expiry.example", "CUSTOMER_ADMIN").await;
    let listed = list(&test, "expiry", &admin).await;
    let shown: Vec<(&str, &str)> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| (item["id"].as_str().unwrap(), item["status"].as_str().unwrap()))
        .collect();
    let expired_id = expired.id.to_string();
    assert_eq!(shown, [(id_of(&fresh).as_str(), "PENDING"), (expired_id.as_str(), "EXPIRED")], "newest first");
    cancel(&test, "expiry", &expired_id, &admin).await.assert_problem(409, "invitation-not-pending");
    let renewed = resend(&test, "expiry", &expired_id, &admin).await;
    renewed.assert_problem(409, "invitation-pending");
    assert!(renewed.body["detail"].as_str().unwrap().contains("late@expiry.example"));
}

#[tokio::test]
async fn the_configured_lifetime_applies_and_a_link_past_it_is_gone() {
    let test = TestApp::spawn_with(&[("INVITATION_TTL_HOURS", "2")]).await;
    let admin = customer_with_admin(&test, "short").await;
    let invitation = invited(&test, "short", &admin, "quick@short.example", "CUSTOMER_EMPLOYEE").await;
    let expires = DateTime::parse_from_rfc3339(invitation["expiresAt"].as_str().unwrap()).unwrap();
    let lifetime = expires.with_timezone(&Utc) - Utc::now();
    assert!(lifetime > Duration::minutes(119) && lifetime <= Duration::hours(2), "{lifetime}");

    // A link that runs out while it is held.
    let expires_at = Utc::now() + Duration::milliseconds(1500);
    let (_, token) = invitation_with_link(&test, "short", "brief@short.example", EMPLOYEE, expires_at).await;
    tokio::time::sleep((expires_at - Utc::now()).to_std().unwrap_or_default() + std::time::Duration::from_millis(50))
        .await;
    let items = test.all_items().await;
    accept(&test, token.expose(), &Caller::user("brief", "brief@short.example"))
        .await
        .assert_problem(410, "invitation-expired");
    assert_eq!(test.all_items().await, items);
    let listed = list(&test, "short", &admin).await;
    assert_eq!(listed.body["items"][0]["status"], "EXPIRED");
    // Resending renews it: a new lifetime from now, and a new link.
    let id = listed.body["items"][0]["id"].as_str().unwrap().to_owned();
    let renewed = resend(&test, "short", &id, &admin).await;
    assert_eq!((renewed.status, renewed.body["status"].as_str()), (200, Some("PENDING")), "{}", renewed.body);
    let expires = DateTime::parse_from_rfc3339(renewed.body["expiresAt"].as_str().unwrap()).unwrap();
    assert!(expires.with_timezone(&Utc) - Utc::now() > Duration::minutes(119));
    deliver_invitation_mails(&test).await;
    let fresh = mailed_token("brief@short.example").await;
    assert_eq!(accept(&test, &fresh, &Caller::user("brief", "brief@short.example")).await.status, 201);
}

// ------------------------------------------------------------------------------------ cancel

#[tokio::test]
async fn a_cancelled_invitation_kills_its_link_at_once_and_frees_its_address() {
    let test = TestApp::spawn().await;
    let admin = customer_with_admin(&test, "cancel").await;
    let id = id_of(&invited(&test, "cancel", &admin, "gone@cancel.example", "CUSTOMER_EMPLOYEE").await);
    deliver_invitation_mails(&test).await;
    let token = mailed_token("gone@cancel.example").await;

    let response = cancel(&test, "cancel", &id, &admin).await;
    assert_eq!((response.status, response.body.clone()), (204, Value::Null));
    let events = test.events_of("USER_INVITATION_CANCELLED").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["data"], json!({"invitationId": id, "email": "gone@cancel.example"}));
    assert_eq!(events[0]["actor"]["userId"], "cancel-admin");
    let shown = list(&test, "cancel", &admin).await.body["items"][0].clone();
    assert_eq!((shown["status"].clone(), shown["version"].clone()), (json!("CANCELLED"), json!(2)));
    assert_eq!(shown["cancelledBy"], "cancel-admin");
    assert!(test.items_of("INVITATION_EMAIL").await.is_empty());

    let invitee = Caller::user("gone", "gone@cancel.example");
    accept(&test, &token, &invitee).await.assert_problem(410, "invitation-cancelled");
    cancel(&test, "cancel", &id, &admin).await.assert_problem(409, "invitation-not-pending");
    resend(&test, "cancel", &id, &admin).await.assert_problem(409, "invitation-not-pending");
    assert_eq!(test.events_of("USER_INVITATION_CANCELLED").await.len(), 1);
    invited(&test, "cancel", &admin, "gone@cancel.example", "CUSTOMER_EMPLOYEE").await;
    accept(&test, &token, &invitee).await.assert_problem(410, "invitation-cancelled");
}

#[tokio::test]
async fn cancel_and_resend_take_no_body_know_their_invitation_and_honour_if_match() {
    let test = TestApp::spawn().await;
    let admin = customer_with_admin(&test, "precise").await;
    let id = id_of(&invited(&test, "precise", &admin, "p@precise.example", "CUSTOMER_EMPLOYEE").await);
    let unknown = GeneratedId::new().to_string();
    for missing in [unknown.as_str(), "not-an-id"] {
        cancel(&test, "precise", missing, &admin).await.assert_problem(404, "not-found");
        resend(&test, "precise", missing, &admin).await.assert_problem(404, "not-found");
    }
    cancel(&test, "nowhere", &id, &admin).await.assert_problem(404, "not-found");
    let with_body = test.call(cancel_invitation::handle, cancellation("precise", &id).json(json!({})).by(&admin)).await;
    with_body.assert_problem(400, "validation-failed");
    let with_body = test.call(resend_invitation::handle, resending("precise", &id).json(json!({})).by(&admin)).await;
    with_body.assert_problem(400, "validation-failed");

    let stale =
        test.call(resend_invitation::handle, resending("precise", &id).header("if-match", "\"7\"").by(&admin)).await;
    stale.assert_problem(412, "precondition-failed");
    assert_eq!(stale.header("etag"), Some("\"1\""));
    let current =
        test.call(resend_invitation::handle, resending("precise", &id).header("if-match", "\"1\"").by(&admin)).await;
    assert_eq!((current.status, current.header("etag")), (200, Some("\"2\"")), "{}", current.body);
    let stale =
        test.call(cancel_invitation::handle, cancellation("precise", &id).header("if-match", "\"1\"").by(&admin)).await;
    stale.assert_problem(412, "precondition-failed");
    assert_eq!(stale.header("etag"), Some("\"2\""));
    let current =
        test.call(cancel_invitation::handle, cancellation("precise", &id).header("if-match", "\"2\"").by(&admin)).await;
    assert_eq!(current.status, 204);
}

// ------------------------------------------------------------------------------------ resend

#[tokio::test]
async fn a_resend_kills_the_old_link_at_once_and_mails_a_new_one() {
    let test = TestApp::spawn().await;
    let admin = customer_with_admin(&test, "again").await;
    let first = invited(&test, "again", &admin, "twice@again.example", "CUSTOMER_EMPLOYEE").await;
    let id = id_of(&first);
    deliver_invitation_mails(&test).await;
    let old = mailed_token("twice@again.example").await;

    let resent = resend(&test, "again", &id, &admin).await;
    assert_eq!((resent.status, resent.header("etag")), (200, Some("\"2\"")), "{}", resent.body);
    assert_eq!((resent.body["status"].clone(), resent.body["version"].clone()), (json!("PENDING"), json!(2)));
    assert!(resent.body["expiresAt"].as_str() >= first["expiresAt"].as_str(), "renewed from now");
    let events = test.events_of("USER_INVITED").await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["data"]["version"], 2);
    assert_eq!(events[1]["data"]["invitationId"], id.as_str());

    // Dead before the new mail is even sent.
    let invitee = Caller::user("twice", "twice@again.example");
    accept(&test, &old, &invitee).await.assert_problem(410, "invitation-superseded");
    deliver_invitation_mails(&test).await;
    let mails = mails_to("twice@again.example").await;
    assert_eq!(mails.len(), 2, "one mail per version: {mails:?}");
    let new = link_token(&mails[1]);
    assert_ne!(new, old);
    accept(&test, &old, &invitee).await.assert_problem(410, "invitation-superseded");
    assert_eq!(accept(&test, &new, &invitee).await.status, 201);
    accept(&test, &old, &invitee).await.assert_problem(410, "invitation-used");
    resend(&test, "again", &id, &admin).await.assert_problem(409, "invitation-not-pending");
}

#[tokio::test]
async fn a_late_mail_of_an_earlier_version_sends_nothing() {
    let test = TestApp::spawn().await;
    let admin = customer_with_admin(&test, "late").await;
    let id = id_of(&invited(&test, "late", &admin, "slow@late.example", "CUSTOMER_EMPLOYEE").await);
    assert_eq!(resend(&test, "late", &id, &admin).await.status, 200);
    let sender = sender_via(&test, ses_endpoint()).await;
    let events = invited_events(&test).await;
    // The first version's event arrives after the resend: no mail, and no link becomes current.
    email_sender::handle(&sender, delivered(&events[0])).await.unwrap();
    assert!(mails_to("slow@late.example").await.is_empty());
    assert!(!test.items_of("INVITATION").await[0].contains_key("linkHash"));
    email_sender::handle(&sender, delivered(&events[1])).await.unwrap();
    let token = mailed_token("slow@late.example").await;
    assert_eq!(accept(&test, &token, &Caller::user("slow", "slow@late.example")).await.status, 201);
    // After the acceptance, no mail is sent for any version.
    let sent = mails_to("slow@late.example").await.len();
    let redelivery = sender_via(&test, ses_endpoint()).await;
    for entry in &events {
        let mut detail: Value = serde_json::from_str(&entry.detail).unwrap();
        detail["eventId"] = json!(GeneratedId::new().to_string());
        let fresh = BusEntry { detail_type: entry.detail_type.clone(), detail: detail.to_string() };
        email_sender::handle(&redelivery, delivered(&fresh)).await.unwrap();
    }
    assert_eq!(mails_to("slow@late.example").await.len(), sent);
}

// ------------------------------------------------------------------------------------ accepting

#[tokio::test]
async fn only_the_invited_verified_address_may_accept() {
    let test = TestApp::spawn().await;
    customer_with_admin(&test, "guarded").await;
    let (_, token) = invitation_with_link(&test, "guarded", "right@guarded.example", EMPLOYEE, in_an_hour()).await;
    let items = test.all_items().await;
    let token = token.expose();
    accept(&test, token, &Caller::user("wrong", "wrong@guarded.example"))
        .await
        .assert_problem(403, "invitation-email-mismatch");
    accept(&test, token, &Caller::user("none", "x@y.example").without("email"))
        .await
        .assert_problem(403, "invitation-email-mismatch");
    let unverified = Caller::user("right", "right@guarded.example").with("email_verified", "false");
    accept(&test, token, &unverified).await.assert_problem(403, "email-not-verified");
    let unverified = Caller::user("right", "right@guarded.example").without("email_verified");
    accept(&test, token, &unverified).await.assert_problem(403, "email-not-verified");
    accept(&test, LinkToken::generate().unwrap().expose(), &Caller::user("right", "right@guarded.example"))
        .await
        .assert_problem(404, "invitation-not-found");
    let anonymous = test
        .call(accept_invitation::handle, api("POST /invitations/accept").json(json!({"token": token})).anonymous())
        .await;
    anonymous.assert_problem(401, "unauthenticated");
    let caller = Caller::user("right", "right@guarded.example");
    for body in [
        json!({}),
        json!({"token": null}),
        json!({"token": 5}),
        json!({"token": "short"}),
        json!({"token": format!("{}=", "A".repeat(42))}),
        json!({"token": "A".repeat(10_000)}),
        json!({"token": token, "invitationId": "x"}),
    ] {
        let response =
            test.call(accept_invitation::handle, api("POST /invitations/accept").json(body.clone()).by(&caller)).await;
        response.assert_problem(400, "validation-failed");
    }
    assert_eq!(test.all_items().await, items, "no refusal writes anything");
    assert_eq!(accept(&test, token, &caller).await.status, 201);
}

#[tokio::test]
async fn a_member_already_cannot_accept_and_the_invitation_stays_pending() {
    let test = TestApp::spawn().await;
    // Jo joined with another address, and later signs in with the invited one.
    let jo = Caller::user("jo", "jo.old@known.example");
    fixtures::customer(&test, "known", "acme", CustomerStatus::Active, &[(&jo, ADMIN)]).await;
    let (_, token) = invitation_with_link(&test, "known", "jo.new@known.example", EMPLOYEE, in_an_hour()).await;
    let items = test.all_items().await;
    accept(&test, token.expose(), &Caller::user("jo", "jo.new@known.example"))
        .await
        .assert_problem(409, "already-member");
    assert_eq!(test.all_items().await, items);
    assert_eq!(accept(&test, token.expose(), &Caller::user("jo2", "jo.new@known.example")).await.status, 201);
}

#[tokio::test]
async fn the_token_is_stored_only_as_its_hash_and_in_no_event_history_or_log_line() {
    capture_this_threads_log();
    let test = TestApp::spawn().await;
    let admin = customer_with_admin(&test, "secret").await;
    let id = id_of(&invited(&test, "secret", &admin, "hush@secret.example", "CUSTOMER_EMPLOYEE").await);
    deliver_invitation_mails(&test).await;
    let first = mailed_token("hush@secret.example").await;
    assert_eq!(resend(&test, "secret", &id, &admin).await.status, 200);
    deliver_invitation_mails(&test).await;
    let second = mailed_token("hush@secret.example").await;
    let invitee = Caller::user("hush", "hush@secret.example");
    accept(&test, &first, &invitee).await.assert_problem(410, "invitation-superseded");
    assert_eq!(accept(&test, &second, &invitee).await.status, 201);

    // Two links stored, by their hashes; the invitation named the current one.
    let links = test.items_of("INVITATION_LINK").await;
    let mut stored: Vec<&str> = links.iter().map(|link| link["pk"].as_s().unwrap().as_str()).collect();
    stored.sort();
    let mut hashes: Vec<String> = [&first, &second]
        .iter()
        .map(|token| format!("INVITATION_LINK#{}", LinkToken::parse(token).unwrap().hash()))
        .collect();
    hashes.sort();
    assert_eq!(stored, hashes);

    // The whole pipeline has run (outbox → bus → history): no token in any item, event or log line.
    let bus = RecordingBus::default();
    stream_publisher::handle(&bus, stream_batch(stream_records(&test.table).await)).await.unwrap();
    for entry in bus.entries() {
        for token in [&first, &second] {
            assert!(!entry.detail.contains(token.as_str()), "an event carries the token: {}", entry.detail);
        }
        audit_writer::handle(&test.store, delivered(&entry)).await.unwrap();
    }
    assert!(test.items_of("HISTORY").await.len() >= 4, "the history is written");
    let everything = table_text(&test).await;
    for token in [&first, &second] {
        assert!(everything.contains(&LinkToken::parse(token).unwrap().hash().to_string()), "the hash is stored");
        assert!(!everything.contains(token.as_str()), "a token is stored somewhere");
    }
    let logged = captured_log();
    assert!(logged.contains("mail sent") && logged.contains("accept_invitation"), "the log was captured");
    for token in [&first, &second] {
        assert!(!logged.contains(token.as_str()), "a token is in the log");
    }
}

// ------------------------------------------------------------------------------------ races

#[tokio::test]
async fn of_fifteen_concurrent_acceptances_of_one_link_exactly_one_joins() {
    let test = TestApp::spawn().await;
    customer_with_admin(&test, "rush").await;
    let (_, token) = invitation_with_link(&test, "rush", "many@rush.example", ADMIN, in_an_hour()).await;
    let invitee = Caller::user("many", "many@rush.example");
    let responses = join_all((0..15).map(|_| accept(&test, token.expose(), &invitee))).await;
    let statuses = statuses(&responses);
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    for refused in responses.iter().filter(|r| r.status != 201) {
        refused.assert_problem(410, "invitation-used");
    }
    assert_eq!(test.events_of("USER_ACCEPTED_INVITATION").await.len(), 1);
    assert_eq!(member_ids(&test, "rush").await, ["many", "rush-admin"]);
    assert_eq!(admin_count(&test, "rush").await, 2);
}

#[tokio::test]
async fn of_fifteen_concurrent_invitations_of_one_address_exactly_one_is_made() {
    let test = TestApp::spawn().await;
    let first = Caller::user("first", "first@crowd.example");
    let second = Caller::user("second", "second@crowd.example");
    fixtures::customer(&test, "crowd", "acme", CustomerStatus::Active, &[(&first, ADMIN), (&second, ADMIN)]).await;
    let requests = (0..15).map(|n| {
        let (test, by) = (&test, if n % 2 == 0 { &first } else { &second });
        async move { invite(test, "crowd", by, "popular@crowd.example", "CUSTOMER_EMPLOYEE").await }
    });
    let responses = join_all(requests).await;
    let statuses = statuses(&responses);
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    for refused in responses.iter().filter(|r| r.status != 201) {
        refused.assert_problem(409, "invitation-pending");
    }
    assert_eq!(test.events_of("USER_INVITED").await.len(), 1);
    assert_eq!(test.items_of("INVITATION").await.len(), 1);
    assert_eq!(test.items_of("INVITATION_EMAIL").await.len(), 1);
}

#[tokio::test]
async fn a_resend_racing_an_acceptance_lets_exactly_one_of_them_through() {
    let test = TestApp::spawn().await;
    let admin = customer_with_admin(&test, "duel").await;
    let mut pairs = Vec::new();
    for n in 0..10 {
        let email = format!("duel{n}@duel.example");
        let (invitation, token) = invitation_with_link(&test, "duel", &email, EMPLOYEE, in_an_hour()).await;
        pairs.push((invitation.id.to_string(), token, Caller::user(&format!("duel{n}"), &email)));
    }
    // Each side waits a different while first, so that either may come first.
    let after = |millis: usize| tokio::time::sleep(std::time::Duration::from_millis(millis as u64));
    let races = pairs.iter().enumerate().map(|(n, (id, token, invitee))| {
        let (test, admin) = (&test, &admin);
        async move {
            futures::join!(
                async move {
                    after(n % 2 * 4 * n).await;
                    accept(test, token.expose(), invitee).await
                },
                async move {
                    after((n + 1) % 2 * 4 * n).await;
                    resend(test, "duel", id, admin).await
                }
            )
        }
    });
    let outcomes = join_all(races).await;
    let mut accepted = 0;
    for (acceptance, resent) in &outcomes {
        match (acceptance.status, resent.status) {
            (201, _) => {
                resent.assert_problem(409, "invitation-not-pending");
                accepted += 1;
            }
            (_, 200) => acceptance.assert_problem(410, "invitation-superseded"),
            other => panic!("neither or both went through: {other:?} {} {}", acceptance.body, resent.body),
        }
    }
    println!("of 10 races, {accepted} acceptances won");
    assert_eq!(test.events_of("USER_ACCEPTED_INVITATION").await.len(), accepted);
    assert_eq!(test.events_of("USER_INVITED").await.len(), 10 + (10 - accepted));
    assert_eq!(member_ids(&test, "duel").await.len(), 1 + accepted);
}

#[tokio::test]
async fn a_resend_racing_the_mail_of_the_version_before_leaves_only_the_new_link_alive() {
    let test = TestApp::spawn().await;
    let admin = customer_with_admin(&test, "mailrace").await;
    let mut ids = Vec::new();
    for n in 0..10 {
        ids.push(id_of(
            &invited(&test, "mailrace", &admin, &format!("m{n}@mailrace.example"), "CUSTOMER_EMPLOYEE").await,
        ));
    }
    let first_version = invited_events(&test).await;
    let sender = sender_via(&test, ses_endpoint()).await;
    // The resends wait from 0 to 450 ms, so that some mails go out before their resend.
    let races = ids.iter().zip(&first_version).enumerate().map(|(n, (id, event))| {
        let (test, admin, sender) = (&test, &admin, &sender);
        async move {
            let resending = async move {
                tokio::time::sleep(std::time::Duration::from_millis(50 * n as u64)).await;
                resend(test, "mailrace", id, admin).await
            };
            let (mailed, resent) = futures::join!(email_sender::handle(sender, delivered(event)), resending);
            mailed.unwrap();
            assert_eq!(resent.status, 200, "{}", resent.body);
        }
    });
    join_all(races).await;
    // Whatever the first version's mail did, its link is dead now.
    let mut mailed_before = 0;
    for n in 0..10 {
        let address = format!("m{n}@mailrace.example");
        let invitee = Caller::user(&format!("m{n}"), &address);
        for mail in mails_to(&address).await {
            mailed_before += 1;
            accept(&test, &link_token(&mail), &invitee).await.assert_problem(410, "invitation-superseded");
        }
    }
    println!("of 10 first-version mails, {mailed_before} went out before their resend");
    deliver_invitation_mails(&test).await;
    for n in 0..10 {
        let address = format!("m{n}@mailrace.example");
        let token = mailed_token(&address).await;
        let accepted = accept(&test, &token, &Caller::user(&format!("m{n}"), &address)).await;
        assert_eq!(accepted.status, 201, "{}", accepted.body);
    }
}

// ------------------------------------------------------------------------------------ listing

#[tokio::test]
async fn the_list_pages_newest_first() {
    let test = TestApp::spawn().await;
    let admin = customer_with_admin(&test, "paged").await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(id_of(&invited(&test, "paged", &admin, &format!("p{n}@paged.example"), "CUSTOMER_EMPLOYEE").await));
    }
    ids.reverse();
    let request = api("GET /customers/{id}/invitations").param("id", "paged").query("limit", "2");
    let page = test.call(list_invitations::handle, request.by(&admin)).await;
    let cursor = page.body["nextCursor"].as_str().expect("a next page").to_owned();
    let request = api("GET /customers/{id}/invitations").param("id", "paged").query("cursor", &cursor);
    let next = test.call(list_invitations::handle, request.by(&admin)).await;
    let listed: Vec<String> = [&page, &next]
        .iter()
        .flat_map(|page| page.body["items"].as_array().unwrap().clone())
        .map(|item| id_of(&item))
        .collect();
    assert_eq!(listed, ids);
    assert_eq!(next.body["nextCursor"], Value::Null);
    let request = api("GET /customers/{id}/users").param("id", "paged").query("cursor", &cursor);
    test.call(list_customer_users::handle, request.by(&admin)).await.assert_problem(400, "invalid-cursor");
}

// ------------------------------------------------------------------------- the cap on pending ones

/// The addresses counted against `MAX_PENDING_INVITATIONS`: the customer's set, from its item.
async fn counted_addresses(test: &TestApp, customer: &str) -> Vec<String> {
    let pk = format!("CUSTOMER#{customer}");
    let items = test.items_of("INVITATION_ADDRESSES").await;
    let item = items.into_iter().find(|item| item["pk"].as_s().unwrap() == &pk);
    let mut addresses =
        item.and_then(|item| item.get("addresses").map(|set| set.as_ss().unwrap().clone())).unwrap_or_default();
    addresses.sort();
    addresses
}

/// The addresses whose lock the customer holds (pending and expired invitations).
async fn locked_addresses(test: &TestApp, customer: &str) -> Vec<String> {
    let pk = format!("CUSTOMER#{customer}");
    let mut addresses: Vec<String> = test
        .items_of("INVITATION_EMAIL")
        .await
        .into_iter()
        .filter(|item| item["pk"].as_s().unwrap() == &pk)
        .map(|item| item["sk"].as_s().unwrap().trim_start_matches("INVITATION_EMAIL#").to_owned())
        .collect();
    addresses.sort();
    addresses
}

#[tokio::test]
async fn a_customer_has_at_most_the_configured_pending_invitations_and_cancel_or_accept_free_a_place() {
    let test = TestApp::spawn_with(&[("MAX_PENDING_INVITATIONS", "3")]).await;
    let admin = customer_with_admin(&test, "capped").await;
    let mut made = Vec::new();
    for n in 0..3 {
        made.push(invited(&test, "capped", &admin, &format!("p{n}@capped.example"), "CUSTOMER_EMPLOYEE").await);
    }
    let refused = invite(&test, "capped", &admin, "p3@capped.example", "CUSTOMER_EMPLOYEE").await;
    refused.assert_problem(409, "too-many-invitations");
    assert!(refused.body["detail"].as_str().unwrap().contains('3'), "{}", refused.body);
    assert_eq!(list(&test, "capped", &admin).await.body["items"].as_array().unwrap().len(), 3, "nothing written");

    // A resend of a pending one is no new invitation.
    assert_eq!(resend(&test, "capped", &id_of(&made[0]), &admin).await.status, 200);
    // A cancellation frees a place.
    assert_eq!(cancel(&test, "capped", &id_of(&made[0]), &admin).await.status, 204);
    invited(&test, "capped", &admin, "p3@capped.example", "CUSTOMER_EMPLOYEE").await;
    invite(&test, "capped", &admin, "p4@capped.example", "CUSTOMER_EMPLOYEE")
        .await
        .assert_problem(409, "too-many-invitations");

    // An acceptance frees a place.
    let p1 = Caller::user("p1", "p1@capped.example");
    let p1_invitation = test
        .items_of("INVITATION")
        .await
        .into_iter()
        .find(|item| item["email"].as_s().unwrap() == "p1@capped.example")
        .unwrap();
    let (invitation, _) = test
        .store
        .invitation(
            &meshcustomers::domain::CustomerIdentifier::parse("capped").unwrap(),
            GeneratedId::parse(p1_invitation["id"].as_s().unwrap()).unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    let token = LinkToken::generate().unwrap();
    fixtures::invitation_link(&test, &invitation, &token).await;
    assert_eq!(accept(&test, token.expose(), &p1).await.status, 201);
    invited(&test, "capped", &admin, "p4@capped.example", "CUSTOMER_EMPLOYEE").await;
    assert_eq!(counted_addresses(&test, "capped").await, locked_addresses(&test, "capped").await);
    assert_eq!(counted_addresses(&test, "capped").await.len(), 3);
}

#[tokio::test]
async fn of_twenty_concurrent_invitations_of_distinct_addresses_exactly_the_allowed_five_are_made() {
    let test = TestApp::spawn_with(&[("MAX_PENDING_INVITATIONS", "5")]).await;
    let admin = customer_with_admin(&test, "rushed").await;
    let addresses: Vec<String> = (0..20).map(|n| format!("r{n}@rushed.example")).collect();
    let responses =
        join_all(addresses.iter().map(|email| invite(&test, "rushed", &admin, email, "CUSTOMER_EMPLOYEE"))).await;
    let made = responses.iter().filter(|response| response.status == 201).count();
    for response in responses.iter().filter(|response| response.status != 201) {
        response.assert_problem(409, "too-many-invitations");
    }
    assert_eq!(made, 5, "{:?}", statuses(&responses));
    assert_eq!(test.items_of("INVITATION").await.len(), 5);
    assert_eq!(test.events_of("USER_INVITED").await.len(), 5);
    assert_eq!(counted_addresses(&test, "rushed").await, locked_addresses(&test, "rushed").await);
}

#[tokio::test]
async fn at_the_cap_the_locks_of_expired_invitations_are_freed_and_the_invitation_made() {
    let test = TestApp::spawn_with(&[("MAX_PENDING_INVITATIONS", "3")]).await;
    let admin = customer_with_admin(&test, "stale").await;
    let past = Utc::now() - Duration::seconds(1);
    let old = fixtures::invitation(&test, "stale", GeneratedId::new(), "old@stale.example", EMPLOYEE, past).await;
    fixtures::invitation(&test, "stale", GeneratedId::new(), "older@stale.example", EMPLOYEE, past).await;
    invited(&test, "stale", &admin, "live@stale.example", "CUSTOMER_EMPLOYEE").await;
    assert_eq!(counted_addresses(&test, "stale").await.len(), 3, "expired ones keep their place until needed");

    invited(&test, "stale", &admin, "new@stale.example", "CUSTOMER_EMPLOYEE").await;
    assert_eq!(locked_addresses(&test, "stale").await, ["live@stale.example", "new@stale.example"]);
    assert_eq!(counted_addresses(&test, "stale").await, locked_addresses(&test, "stale").await);
    let listed = list(&test, "stale", &admin).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 4, "the expired invitations stay, EXPIRED");

    // The expired one can be resent while there is room, and counts again; then the cap holds.
    assert_eq!(resend(&test, "stale", &old.id.to_string(), &admin).await.status, 200);
    invite(&test, "stale", &admin, "more@stale.example", "CUSTOMER_EMPLOYEE")
        .await
        .assert_problem(409, "too-many-invitations");
    assert_eq!(counted_addresses(&test, "stale").await, locked_addresses(&test, "stale").await);
    assert_eq!(counted_addresses(&test, "stale").await.len(), 3);
}

#[tokio::test]
async fn a_creation_invites_no_more_than_the_cap_and_its_invitations_count() {
    let test = TestApp::spawn_with(&[("MAX_PENDING_INVITATIONS", "2")]).await;
    let users = |n: usize| -> Vec<Value> {
        (0..n).map(|i| json!({"email": format!("u{i}@made.example"), "role": "CUSTOMER_ADMIN"})).collect()
    };
    let create = |n: usize| {
        let body = json!({"identifier": "made", "displayName": "Made", "users": users(n)});
        api("POST /customers").json(body).by(&Caller::partner_admin("acme"))
    };
    let refused = test.call(create_customer::handle, create(3)).await;
    refused.assert_problem(400, "validation-failed");
    assert!(refused.body.to_string().contains("at most 2"), "{}", refused.body);
    assert_eq!(test.call(create_customer::handle, create(2)).await.status, 201);
    assert_eq!(counted_addresses(&test, "made").await, ["u0@made.example", "u1@made.example"]);
    let admin = Caller::user("made-admin", "admin@made.example");
    fixtures::member(&test, "made", &admin, ADMIN).await;
    invite(&test, "made", &admin, "u2@made.example", "CUSTOMER_EMPLOYEE")
        .await
        .assert_problem(409, "too-many-invitations");
}
