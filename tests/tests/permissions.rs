//! Least privilege, checked: each function's scenarios record the DynamoDB and SES operations it
//! makes (as IAM actions), and the template must grant exactly those, nothing missing, nothing
//! more: a missing grant fails in production, an unused one is a privilege nobody needs.
//! (Stream reading and the bus are granted by SAM and by the publisher's own statement.)

use email_sender::EmailSender;
use meshcustomers::domain::{CustomerRole, CustomerStatus};
use meshcustomers_tests::local_services::ses_endpoint;
use meshcustomers_tests::pipeline::{RecordingBus, delivered, stream_batch, stream_records};
use meshcustomers_tests::template::{functions, granted_actions};
use meshcustomers_tests::test_app::local_sdk_config;
use meshcustomers_tests::{Caller, TestApp, api, fixtures};
use serde_json::json;
use std::collections::BTreeSet;
use stream_publisher::BusEntry;

async fn create_customer(test: &TestApp, identifier: &str) {
    let body = json!({"identifier": identifier, "displayName": "Least", "users": [{"email": "u@least.example", "role": "CUSTOMER_ADMIN"}]});
    let response =
        test.call(create_customer::handle, api("POST /customers").json(body).by(&Caller::partner_admin("acme"))).await;
    assert!(response.status == 201 || response.status == 409, "{}", response.body);
}

async fn published(test: &TestApp) -> Vec<BusEntry> {
    let bus = RecordingBus::default();
    stream_publisher::handle(&bus, stream_batch(stream_records(&test.table).await)).await.unwrap();
    bus.entries()
}

/// The IAM actions one function's scenarios use.
async fn actions_used_by(binary: &str) -> BTreeSet<String> {
    let test = TestApp::spawn().await;
    let customer = api("GET /customers/{id}").param("id", "least");
    match binary {
        "create-customer" => {
            create_customer(&test, "least").await;
            create_customer(&test, "least").await;
        }
        "register-customer" => {
            let body = json!({"identifier": "least", "displayName": "Least"});
            test.call(
                register_customer::handle,
                api("POST /registrations").json(body).by(&Caller::user("r", "r@least.example")),
            )
            .await;
        }
        "get-customer" => {
            create_customer(&test, "least").await;
            test.operations.take();
            test.call(get_customer::handle, customer.by(&Caller::partner_admin("acme"))).await;
        }
        "edit-customer-quota" => {
            create_customer(&test, "least").await;
            test.operations.take();
            let quota = api("PUT /customers/{id}/quota").param("id", "least");
            test.call(
                edit_customer_quota::handle,
                quota.json(json!({"projectQuota": 9})).by(&Caller::platform_admin()),
            )
            .await;
        }
        "list-customer-users" => {
            create_customer(&test, "least").await;
            test.operations.take();
            let users = api("GET /customers/{id}/users").param("id", "least");
            test.call(list_customer_users::handle, users.by(&Caller::platform_admin())).await;
        }
        "add-myself" => {
            create_customer(&test, "least").await;
            test.operations.take();
            // The default SELF_ASSIGN_ROLE, CUSTOMER_ADMIN, also counts an admin on the customer.
            let me = api("POST /customers/{id}/users/me").param("id", "least");
            test.call(add_myself::handle, me.json(json!({"reason": "least"})).by(&Caller::platform_admin())).await;
        }
        "change-member-role" => {
            let (admin, employee) = (Caller::user("a", "a@least.example"), Caller::user("e", "e@least.example"));
            let members = [(&admin, CustomerRole::CustomerAdmin), (&employee, CustomerRole::CustomerEmployee)];
            fixtures::customer(&test, "least", "acme", CustomerStatus::Active, &members).await;
            test.operations.take();
            let role = api("PUT /customers/{id}/users/{userId}/role").param("id", "least").param("userId", "e");
            test.call(change_member_role::handle, role.json(json!({"role": "CUSTOMER_ADMIN"})).by(&admin)).await;
        }
        "remove-member" => {
            let (first, second) = (Caller::user("a", "a@least.example"), Caller::user("b", "b@least.example"));
            let members = [(&first, CustomerRole::CustomerAdmin), (&second, CustomerRole::CustomerAdmin)];
            fixtures::customer(&test, "least", "acme", CustomerStatus::Active, &members).await;
            test.operations.take();
            let remove = api("DELETE /customers/{id}/users/{userId}").param("id", "least").param("userId", "b");
            test.call(remove_member::handle, remove.by(&first)).await;
        }
        "list-my-customers" => {
            let body = json!({"identifier": "least", "displayName": "Least"});
            let registrant = Caller::user("r", "r@least.example");
            test.call(register_customer::handle, api("POST /registrations").json(body).by(&registrant)).await;
            test.operations.take();
            test.call(list_my_customers::handle, api("GET /me/customers").by(&registrant)).await;
        }
        "list-customers" => {
            test.call(list_customers::handle, api("GET /customers").query("q", "l").by(&Caller::platform_admin()))
                .await;
        }
        "list-customer-events" => {
            create_customer(&test, "least").await;
            test.operations.take();
            let history = api("GET /customers/{id}/events").param("id", "least");
            test.call(list_customer_events::handle, history.by(&Caller::platform_admin())).await;
        }
        "stream-publisher" => {
            create_customer(&test, "least").await;
            test.operations.take();
            published(&test).await;
        }
        "audit-writer" => {
            create_customer(&test, "least").await;
            let entries = published(&test).await;
            test.operations.take();
            for entry in entries.iter().chain(&entries) {
                audit_writer::handle(&test.store, delivered(entry)).await.unwrap();
            }
        }
        "email-sender" => {
            let body = json!({"identifier": "least", "displayName": "Least"});
            test.call(
                register_customer::handle,
                api("POST /registrations").json(body).by(&Caller::user("r", "r@least.example")),
            )
            .await;
            // A partner user joining an active customer: its admins are read and mailed.
            let admin = Caller::user("a", "a@joined.example");
            fixtures::customer(
                &test,
                "joined",
                "acme",
                CustomerStatus::Active,
                &[(&admin, CustomerRole::CustomerAdmin)],
            )
            .await;
            let me = api("POST /customers/{id}/users/me").param("id", "joined");
            test.call(add_myself::handle, me.by(&Caller::partner_admin("acme"))).await;
            let entries = published(&test).await;
            let of_type = |detail_type: &str| entries.iter().find(|e| e.detail_type == detail_type).unwrap().clone();
            let (registered, joined) = (of_type("CUSTOMER_REGISTERED"), of_type("USER_ASSIGNED_HIMSELF"));
            test.operations.take();
            let sender = |endpoint: &'static str| {
                let test = &test;
                async move {
                    let ses = aws_sdk_sesv2::config::Builder::from(&local_sdk_config(endpoint).await)
                        .interceptor(test.operations.clone())
                        .build();
                    EmailSender::new(test.app(), aws_sdk_sesv2::Client::from_conf(ses))
                }
            };
            // A failed send (released claim), a successful one (completed), a redelivery (looked up).
            let _ = email_sender::handle(&sender("http://127.0.0.1:9").await, delivered(&registered)).await;
            let working = sender(ses_endpoint()).await;
            email_sender::handle(&working, delivered(&registered)).await.unwrap();
            email_sender::handle(&working, delivered(&registered)).await.unwrap();
            email_sender::handle(&working, delivered(&joined)).await.unwrap();
        }
        other => panic!("no permission scenario for function {other}: add one"),
    }
    test.operations.take()
}

#[tokio::test]
async fn every_function_is_granted_exactly_the_data_and_mail_actions_it_uses() {
    let mut mismatches = Vec::new();
    for function in functions() {
        let used = actions_used_by(&function.binary).await;
        let granted: BTreeSet<String> = granted_actions(&function.binary)
            .into_iter()
            .filter(|action| action.starts_with("dynamodb:") || action.starts_with("ses:"))
            .collect();
        if used != granted {
            mismatches.push(format!("{}: uses {used:?}, granted {granted:?}", function.binary));
        }
    }
    assert!(mismatches.is_empty(), "template policies differ from what the functions do:\n{}", mismatches.join("\n"));
}
