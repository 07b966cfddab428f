//! The HTTP boundary against bad input: every refusal is problem+json naming the field in the
//! API's words (never a Rust type), and a refused request writes nothing.

use meshcustomers_tests::{Caller, TestApp, TestResponse, api};
use serde_json::{Value, json};

use create_customer::handle as create;
use register_customer::handle as register;

/// Words that would betray the implementation in an answer.
const RUST_WORDS: [&str; 10] =
    ["i64", "u32", "struct", "String", "Vec", "Option", "CreateCustomer", "Registration", "serde", "expected"];

fn assert_no_rust_words(response: &TestResponse) {
    let text = response.body.to_string();
    for word in RUST_WORDS {
        assert!(!text.contains(word), "the answer shows {word:?}: {text}");
    }
}

async fn refused_create(test: &TestApp, body: Value) -> TestResponse {
    let response = test.call(create, api("POST /customers").json(body).by(&Caller::partner_admin("acme"))).await;
    response.assert_problem(400, "validation-failed");
    assert_no_rust_words(&response);
    response
}

#[tokio::test]
async fn shape_and_type_errors_name_the_field_in_the_apis_words() {
    let test = TestApp::spawn().await;
    for body in ["null", "[]", "\"customer\"", "42"] {
        let response =
            test.call(create, api("POST /customers").raw_body(body).by(&Caller::partner_admin("acme"))).await;
        response.assert_problem(400, "validation-failed");
        assert_eq!(response.body["errors"]["body"], "must be a JSON object", "{body}");
        assert_no_rust_words(&response);
    }
    let response = refused_create(
        &test,
        json!({"identifier": 7, "displayName": ["x"], "projectQuota": "5", "tags": {"a": "b"}, "partnerId": false, "users": "all"}),
    )
    .await;
    let errors = &response.body["errors"];
    assert_eq!(errors["identifier"], "must be a string");
    assert_eq!(errors["displayName"], "must be a string");
    assert_eq!(errors["projectQuota"], "must be a whole number");
    assert_eq!(errors["tags"], "must be an object mapping each tag key to a list of strings");
    assert_eq!(errors["partnerId"], "must be a string");
    assert_eq!(errors["users"], "must be a list");

    let response = refused_create(
        &test,
        json!({"identifier": "typed", "displayName": "Typed", "projectQuota": 2.5, "users": [5, {"email": 1, "role": "CUSTOMER_ADMIN", "x": 1}]}),
    )
    .await;
    let errors = &response.body["errors"];
    assert_eq!(errors["projectQuota"], "must be a whole number");
    assert_eq!(errors["users[0]"], "must be an object with email and role");
    assert_eq!(errors["users[1].email"], "must be a string");
    assert_eq!(errors["users[1].x"], "is not a field of this request");

    let missing = refused_create(&test, json!({})).await;
    assert_eq!(missing.body["errors"], json!({"identifier": "is required", "displayName": "is required"}));
    assert!(test.all_items().await.is_empty(), "no refused request wrote anything");
}

#[tokio::test]
async fn null_means_absent_for_every_optional_field() {
    let test = TestApp::spawn().await;
    let body = json!({"identifier": "nulls", "displayName": "Nulls", "projectQuota": null, "tags": null, "users": null, "partnerId": null});
    let response = test.call(create, api("POST /customers").json(body).by(&Caller::partner_admin("acme"))).await;
    assert_eq!(response.status, 201, "{}", response.body);
    assert_eq!(response.body["projectQuota"], 5);
    assert_eq!(response.body["managingPartnerId"], "acme");
    let registrant = Caller::user("nully", "nully@example.com");
    let body = json!({"identifier": "nully", "displayName": "Nully", "tags": null});
    assert_eq!(test.call(register, api("POST /registrations").json(body).by(&registrant)).await.status, 201);
    let required_null = refused_create(&test, json!({"identifier": null, "displayName": "X"})).await;
    assert_eq!(required_null.body["errors"]["identifier"], "is required");
}

#[tokio::test]
async fn only_json_bodies_are_accepted() {
    let test = TestApp::spawn().await;
    let body = json!({"identifier": "media", "displayName": "Media"}).to_string();
    for content_type in
        [Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("multipart/form-data; boundary=x"), None]
    {
        let request = api("POST /customers").raw_body(&body).content_type(content_type);
        let response = test.call(create, request.by(&Caller::partner_admin("acme"))).await;
        response.assert_problem(415, "unsupported-media-type");
        let request = api("POST /registrations").raw_body(&body).content_type(content_type);
        test.call(register, request.by(&Caller::user("r", "r@example.com")))
            .await
            .assert_problem(415, "unsupported-media-type");
    }
    let with_charset = api("POST /customers").raw_body(&body).content_type(Some("Application/JSON; charset=utf-8"));
    assert_eq!(test.call(create, with_charset.by(&Caller::partner_admin("acme"))).await.status, 201);
    assert_eq!(test.items_of("CUSTOMER").await.len(), 1);
}

#[tokio::test]
async fn an_oversized_body_is_refused_before_it_is_read() {
    let test = TestApp::spawn().await;
    let huge = json!({"identifier": "huge", "displayName": "x".repeat(meshcustomers::http::MAX_BODY_BYTES)});
    let response = test.call(create, api("POST /customers").json(huge).by(&Caller::partner_admin("acme"))).await;
    response.assert_problem(413, "payload-too-large");
    let not_json = test.call(create, api("POST /customers").raw_body("{").by(&Caller::partner_admin("acme"))).await;
    not_json.assert_problem(400, "malformed-request");
    assert_no_rust_words(&not_json);
    assert!(test.all_items().await.is_empty());
}

#[tokio::test]
async fn display_names_must_show_something_and_hide_nothing() {
    let test = TestApp::spawn().await;
    for name in ["\u{200B}", "\u{200B}\u{200D}", "Acme\u{202E}gnp.exe", "a\u{2066}b\u{2069}"] {
        let response = refused_create(&test, json!({"identifier": "hidden", "displayName": name})).await;
        assert!(response.body["errors"]["displayName"].is_string(), "{name:?}: {}", response.body);
    }
    assert!(test.all_items().await.is_empty());
}

#[tokio::test]
async fn invitees_need_deliverable_addresses() {
    let test = TestApp::spawn().await;
    for email in ["<b>x</b>@example.com", "\"x y\"@example.com", "x@localhost", "x@[10.0.0.1]", " x@example.com"] {
        let body = json!({"identifier": "invites", "displayName": "Invites", "users": [{"email": email, "role": "CUSTOMER_ADMIN"}]});
        let response = refused_create(&test, body).await;
        assert_eq!(response.body["errors"]["users[0].email"], "must be an e-mail address such as jane@example.com");
    }
    assert!(test.all_items().await.is_empty());
}

#[tokio::test]
async fn registration_needs_a_verified_address() {
    let test = TestApp::spawn().await;
    let body = json!({"identifier": "unverified", "displayName": "Unverified"});
    for verified in [Some("false"), Some("True"), Some(""), None] {
        let registrant = match verified {
            Some(value) => Caller::user("u", "u@example.com").with("email_verified", value),
            None => Caller::user("u", "u@example.com").without("email_verified"),
        };
        let response = test.call(register, api("POST /registrations").json(body.clone()).by(&registrant)).await;
        response.assert_problem(403, "email-not-verified");
    }
    assert!(test.all_items().await.is_empty());
}
