//! `GET /platforms`: the configured platforms with the names people see, for any signed-in user.

use meshcustomers::http::respond;
use meshcustomers_tests::{Caller, TestApp, TestResponse, api};
use serde_json::json;

async fn platforms(test: &TestApp, caller: Option<&Caller>) -> TestResponse {
    let request = api("GET /platforms");
    let request = match caller {
        Some(caller) => request.by(caller),
        None => request.anonymous(),
    };
    let settings = test.app::<list_platforms::Settings>().settings;
    TestResponse::from_response(respond(list_platforms::handle(&settings, request).await))
}

#[tokio::test]
async fn any_signed_in_user_gets_the_configured_platforms_with_their_display_names() {
    let configured = r#"{"gcp": {"consoleUrl": "https://console.gcp.test/{tenantId}", "displayName": "Google Cloud"},
        "aws": {"consoleUrl": "https://console.aws.test/{tenantId}", "displayName": "AWS"},
        "onprem": "https://onprem.test/{customerId}/{tenantId}"}"#;
    let test = TestApp::spawn_with(&[("PLATFORMS", configured)]).await;
    let expected = json!({"items": [
        {"id": "aws", "displayName": "AWS"},
        {"id": "gcp", "displayName": "Google Cloud"},
        {"id": "onprem", "displayName": "onprem"}
    ]});
    for caller in
        [Caller::user("someone", "someone@example.com"), Caller::platform_admin(), Caller::partner_admin("acme")]
    {
        let response = platforms(&test, Some(&caller)).await;
        assert_eq!(response.status, 200, "{}", response.body);
        assert_eq!(response.body, expected);
    }
    let anonymous = platforms(&test, None).await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.body);
    assert!(test.all_items().await.is_empty(), "a read of the configuration writes nothing");
}
