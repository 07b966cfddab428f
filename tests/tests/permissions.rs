//! Least privilege, checked: each function's scenarios record the DynamoDB and SES operations it
//! makes (as IAM actions), and the template must grant exactly those, nothing missing, nothing
//! more: a missing grant fails in production, an unused one is a privilege nobody needs.
//! (Stream reading and the bus are granted by SAM and by the publisher's own statement.)

use aws_sdk_dynamodb::types::AttributeValue;
use email_sender::EmailSender;
use meshcustomers::domain::{
    ApiKeyRole, CustomerIdentifier, CustomerRole, CustomerStatus, GeneratedId, KeyOwner, LinkToken, MessageMode,
    PartnerId,
};
use meshcustomers::http::respond;
use meshcustomers_tests::local_services::ses_endpoint;
use meshcustomers_tests::pipeline::{RecordingBus, delivered, stream_batch, stream_records};
use meshcustomers_tests::template::{functions, granted_actions};
use meshcustomers_tests::test_app::{local_sdk_config, test_environment, test_variables};
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

/// A self-registration of customer `least`, PENDING_APPROVAL.
async fn register(test: &TestApp) {
    let body = json!({"identifier": "least", "displayName": "Least"});
    let registration = api("POST /registrations").json(body).by(&Caller::user("r", "r@least.example"));
    let response = test.call(register_customer::handle, registration).await;
    assert_eq!(response.status, 201, "{}", response.body);
}

async fn define_tag(test: &TestApp, key: &str) {
    let body = json!({"key": key, "displayName": "Least", "valueType": "STRING"});
    let response = test
        .call(create_tag_definition::handle, api("POST /tag-definitions").json(body).by(&Caller::platform_admin()))
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
}

async fn published(test: &TestApp) -> Vec<BusEntry> {
    let bus = RecordingBus::default();
    stream_publisher::handle(&bus, stream_batch(stream_records(&test.table).await)).await.unwrap();
    bus.entries()
}

/// The IAM actions one function's scenarios use.
async fn actions_used_by(binary: &str) -> BTreeSet<String> {
    // Approvals leave the customer awaiting confirmation, so the email sender mints a link.
    let test = TestApp::spawn_with(&[("REQUIRE_EMAIL_CONFIRMATION", "true")]).await;
    let customer = api("GET /customers/{id}").param("id", "least");
    match binary {
        "create-customer" => {
            create_customer(&test, "least").await;
            create_customer(&test, "least").await;
        }
        "register-customer" => register(&test).await,
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
        "update-customer" => {
            create_customer(&test, "least").await;
            test.operations.take();
            let update = api("PATCH /customers/{id}").param("id", "least");
            test.call(
                update_customer::handle,
                update.json(json!({"displayName": "Renamed"})).by(&Caller::platform_admin()),
            )
            .await;
        }
        "change-customer-status" => {
            create_customer(&test, "least").await;
            test.operations.take();
            let status = api("PUT /customers/{id}/status").param("id", "least");
            test.call(
                change_customer_status::handle,
                status.json(json!({"status": "DISABLED"})).by(&Caller::platform_admin()),
            )
            .await;
        }
        "approve-customer" => {
            register(&test).await;
            test.operations.take();
            let approval = api("POST /customers/{id}/approval").param("id", "least");
            test.call(approve_customer::handle, approval.by(&Caller::platform_admin())).await;
        }
        "confirm-email" => {
            let registrant = Caller::user("r", "r@least.example");
            let awaiting = CustomerStatus::AwaitingEmailConfirmation;
            fixtures::customer(&test, "least", "acme", awaiting, &[(&registrant, CustomerRole::CustomerAdmin)]).await;
            let token = LinkToken::generate().unwrap();
            let expires_at = chrono::Utc::now() + chrono::Duration::hours(1);
            fixtures::confirmation_link(&test, "least", "acme", &registrant, &token, expires_at).await;
            test.operations.take();
            let confirmation = api("POST /email-confirmations").json(json!({"token": token.expose()}));
            let response = test.call(confirm_email::handle, confirmation.anonymous()).await;
            assert_eq!(response.status, 200, "{}", response.body);
        }
        "edit-customer-tags" => {
            create_customer(&test, "least").await;
            define_tag(&test, "least").await;
            test.operations.take();
            let tags = api("PATCH /customers/{id}/tags").param("id", "least");
            test.call(edit_customer_tags::handle, tags.json(json!({"least": ["x"]})).by(&Caller::platform_admin()))
                .await;
        }
        "list-tag-definitions" => {
            define_tag(&test, "least").await;
            test.operations.take();
            test.call(
                list_tag_definitions::handle,
                api("GET /tag-definitions").by(&Caller::user("u", "u@least.example")),
            )
            .await;
        }
        "list-platforms" => {
            let settings = test.app::<list_platforms::Settings>().settings;
            let request = api("GET /platforms").by(&Caller::user("u", "u@least.example"));
            let response = respond(list_platforms::handle(&settings, request).await);
            assert_eq!(response.status(), 200);
        }
        "create-tag-definition" => define_tag(&test, "least").await,
        "update-tag-definition" => {
            define_tag(&test, "least").await;
            test.operations.take();
            let replacement = json!({"displayName": "Most", "valueType": "STRING"});
            let update = api("PUT /tag-definitions/{key}").param("key", "least").json(replacement);
            test.call(update_tag_definition::handle, update.by(&Caller::partner_admin("acme"))).await;
        }
        "delete-tag-definition" => {
            define_tag(&test, "least").await;
            test.operations.take();
            let delete = api("DELETE /tag-definitions/{key}").param("key", "least");
            test.call(delete_tag_definition::handle, delete.by(&Caller::partner_admin("acme"))).await;
        }
        "send-message" => {
            create_customer(&test, "least").await;
            test.operations.take();
            let send = api("POST /customers/{id}/messages").param("id", "least");
            let body = json!({"text": "Least", "mode": "SINGLE_READ"});
            test.call(send_message::handle, send.json(body).by(&Caller::platform_admin())).await;
        }
        "list-customer-messages" => {
            create_customer(&test, "least").await;
            test.operations.take();
            let list = api("GET /customers/{id}/messages").param("id", "least");
            test.call(list_customer_messages::handle, list.by(&Caller::platform_admin())).await;
        }
        "list-my-messages" | "acknowledge-message" => {
            let member = Caller::user("m", "m@least.example");
            let members = [(&member, CustomerRole::CustomerEmployee)];
            fixtures::customer(&test, "least", "acme", CustomerStatus::Active, &members).await;
            let id = GeneratedId::new();
            fixtures::message_in_inbox(&test, "least", id, MessageMode::SingleRead, &[&member]).await;
            test.operations.take();
            if binary == "list-my-messages" {
                test.call(list_my_messages::handle, api("GET /me/messages").by(&member)).await;
            } else {
                let ack = api("POST /me/messages/{messageId}/acknowledgement").param("messageId", &id.to_string());
                let response = test.call(acknowledge_message::handle, ack.content_type(None).by(&member)).await;
                assert_eq!(response.status, 204, "{}", response.body);
            }
        }
        "message-fanout" => {
            let member = Caller::user("m", "m@least.example");
            let members = [(&member, CustomerRole::CustomerEmployee)];
            fixtures::customer(&test, "least", "acme", CustomerStatus::Active, &members).await;
            let send = api("POST /customers/{id}/messages").param("id", "least");
            let body = json!({"text": "Least", "mode": "ALL_MUST_READ"});
            test.call(send_message::handle, send.json(body).by(&Caller::platform_admin())).await;
            let entries = published(&test).await;
            let sent = entries.iter().find(|entry| entry.detail_type == "MESSAGE_SENT").expect("MESSAGE_SENT").clone();
            test.operations.take();
            // A delivery and a redelivery (its puts find the entries there).
            message_fanout::handle(&test.store, delivered(&sent)).await.unwrap();
            message_fanout::handle(&test.store, delivered(&sent)).await.unwrap();
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
        "change-member-expiry" => {
            // Ending one of two admins: the counter of admins that stay goes down.
            let (admin, other) = (Caller::user("a", "a@least.example"), Caller::user("b", "b@least.example"));
            let members = [(&admin, CustomerRole::CustomerAdmin), (&other, CustomerRole::CustomerAdmin)];
            fixtures::customer(&test, "least", "acme", CustomerStatus::Active, &members).await;
            test.operations.take();
            let expiry = api("PUT /customers/{id}/users/{userId}/expiry").param("id", "least").param("userId", "b");
            let expires_at = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
            test.call(change_member_expiry::handle, expiry.json(json!({"expiresAt": expires_at})).by(&admin)).await;
        }
        "remove-member" => {
            let (first, second) = (Caller::user("a", "a@least.example"), Caller::user("b", "b@least.example"));
            let members = [(&first, CustomerRole::CustomerAdmin), (&second, CustomerRole::CustomerAdmin)];
            fixtures::customer(&test, "least", "acme", CustomerStatus::Active, &members).await;
            test.operations.take();
            let remove = api("DELETE /customers/{id}/users/{userId}").param("id", "least").param("userId", "b");
            test.call(remove_member::handle, remove.by(&first)).await;
        }
        "export-access-review" | "review-access" | "list-access-reviews" => {
            // Two admins and an employee; a review removes one admin with an address (its address
            // item and the admin counter), then the export and the list read it all.
            let (first, second) = (Caller::user("a", "a@least.example"), Caller::user("b", "b@least.example"));
            let employee = Caller::user("e", "e@least.example");
            let members = [
                (&first, CustomerRole::CustomerAdmin),
                (&second, CustomerRole::CustomerAdmin),
                (&employee, CustomerRole::CustomerEmployee),
            ];
            fixtures::customer(&test, "least", "acme", CustomerStatus::Active, &members).await;
            let decisions = json!({"decisions": [
                {"userId": "a", "decision": "KEEP"},
                {"userId": "b", "decision": "REMOVE"},
                {"userId": "e", "decision": "KEEP"},
            ]});
            let review = api("POST /customers/{id}/access-reviews").param("id", "least").json(decisions);
            test.operations.take();
            let reviewed = test.call(review_access::handle, review.by(&first)).await;
            assert_eq!(reviewed.status, 201, "{}", reviewed.body);
            if binary != "review-access" {
                test.operations.take();
            }
            match binary {
                "export-access-review" => {
                    let export = api("GET /customers/{id}/access-review").param("id", "least");
                    test.call(export_access_review::handle, export.by(&first)).await;
                }
                "list-access-reviews" => {
                    let list = api("GET /customers/{id}/access-reviews").param("id", "least");
                    test.call(list_access_reviews::handle, list.by(&first)).await;
                }
                _ => {}
            }
        }
        "list-my-customers" => {
            let body = json!({"identifier": "least", "displayName": "Least"});
            let registrant = Caller::user("r", "r@least.example");
            test.call(register_customer::handle, api("POST /registrations").json(body).by(&registrant)).await;
            test.operations.take();
            test.call(list_my_customers::handle, api("GET /me/customers").by(&registrant)).await;
        }
        "create-project"
        | "list-projects"
        | "get-project"
        | "create-tenant"
        | "open-tenant-access"
        | "create-service-user"
        | "list-service-users"
        | "delete-service-user" => {
            Box::pin(project_scenario(&test, binary)).await;
        }
        "invite-user" | "list-invitations" | "cancel-invitation" | "resend-invitation" | "accept-invitation" => {
            Box::pin(invitation_scenario(&test, binary)).await
        }
        "create-partner-api-key"
        | "list-partner-api-keys"
        | "revoke-partner-api-key"
        | "create-customer-api-key"
        | "list-customer-api-keys"
        | "revoke-customer-api-key" => Box::pin(key_scenario(&test, binary)).await,
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
            // A declined registration whose event arrives after its removal: the rejection marks are read.
            let body = json!({"identifier": "least-registered", "displayName": "Least"});
            let registration = api("POST /registrations").json(body).by(&Caller::user("r", "r@least.example"));
            test.call(register_customer::handle, registration).await;
            let late = published(&test).await.into_iter().find(|e| e.detail_type == "CUSTOMER_REGISTERED").unwrap();
            let rejection = api("POST /customers/{id}/rejection").param("id", "least-registered");
            test.call(reject_customer::handle, rejection.json(json!({"reason": "no"})).by(&Caller::platform_admin()))
                .await;
            test.operations.take();
            for entry in entries.iter().chain(&entries).chain([&late]) {
                audit_writer::handle(&test.store, delivered(entry)).await.unwrap();
            }
        }
        "reject-customer" => {
            register(&test).await;
            test.operations.take();
            let rejection = api("POST /customers/{id}/rejection").param("id", "least");
            let response = test
                .call(reject_customer::handle, rejection.json(json!({"reason": "no"})).by(&Caller::platform_admin()))
                .await;
            assert_eq!(response.status, 204, "{}", response.body);
        }
        "expire-registrations" => {
            register(&test).await;
            test.operations.take();
            let app = test.app::<expire_registrations::Settings>();
            let swept = expire_registrations::sweep(&app, chrono::Utc::now() + chrono::Duration::days(365)).await;
            assert_eq!(swept.unwrap().expired.len(), 1);
        }
        "expire-memberships" => {
            // An employee whose membership ends: found through gsi5, removed with its event.
            let (admin, employee) = (Caller::user("a", "a@least.example"), Caller::user("e", "e@least.example"));
            let members = [(&admin, CustomerRole::CustomerAdmin), (&employee, CustomerRole::CustomerEmployee)];
            fixtures::customer(&test, "least", "acme", CustomerStatus::Active, &members).await;
            // And one whose membership ends a day later: warned of it in the same run.
            let soon = Caller::user("s", "s@least.example");
            fixtures::member(&test, "least", &soon, CustomerRole::CustomerEmployee).await;
            for (member, hours) in [("e", 1), ("s", 25)] {
                let expiry =
                    api("PUT /customers/{id}/users/{userId}/expiry").param("id", "least").param("userId", member);
                let expires_at = (chrono::Utc::now() + chrono::Duration::hours(hours)).to_rfc3339();
                test.call(change_member_expiry::handle, expiry.json(json!({"expiresAt": expires_at})).by(&admin)).await;
            }
            test.operations.take();
            let app = test.app::<expire_memberships::Settings>();
            let swept = expire_memberships::sweep(&app, chrono::Utc::now() + chrono::Duration::days(1)).await.unwrap();
            assert_eq!((swept.expired.len(), swept.warned.len()), (1, 1), "{swept:?}");
        }
        "email-sender" => {
            register(&test).await;
            let approval = api("POST /customers/{id}/approval").param("id", "least");
            test.call(approve_customer::handle, approval.by(&Caller::platform_admin())).await;
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
            // An invitation: its link stored and made current, the mail sent.
            let invite = api("POST /customers/{id}/invitations").param("id", "joined");
            let body = json!({"email": "i@joined.example", "role": "CUSTOMER_EMPLOYEE"});
            test.call(invite_user::handle, invite.json(body).by(&admin)).await;
            let entries = published(&test).await;
            let of_type = |detail_type: &str| entries.iter().find(|e| e.detail_type == detail_type).unwrap().clone();
            let (registered, approved, joined) =
                (of_type("CUSTOMER_REGISTERED"), of_type("CUSTOMER_APPROVED"), of_type("USER_ASSIGNED_HIMSELF"));
            let invited = of_type("USER_INVITED");
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
            // The approval: the registrant's membership read, the confirmation link stored.
            email_sender::handle(&working, delivered(&approved)).await.unwrap();
            email_sender::handle(&working, delivered(&joined)).await.unwrap();
            email_sender::handle(&working, delivered(&invited)).await.unwrap();
        }
        "authorizer" => {
            // A key's items written as the key routes write them; then a known and an unknown key.
            let acme = KeyOwner::Partner { partner_id: PartnerId::parse("acme").unwrap() };
            let key =
                fixtures::api_key(&test, acme, ApiKeyRole::PartnerAdmin, "019bc1a5-0000-7000-8000-000000000001").await;
            let key = key.expose();
            test.operations.take();
            let recorded = aws_sdk_dynamodb::config::Builder::from(&test.sdk).interceptor(test.operations.clone());
            let settings =
                authorizer::settings::Settings::read(&test_environment(&test_variables(&test.table))).unwrap();
            let authorizer = authorizer::authorizer::Authorizer {
                issuer_keys: authorizer::jwks::IssuerKeys::new(authorizer::jwks::HttpJwks::new(
                    &settings.expected.issuer,
                )),
                expected: settings.expected,
                key_lookup: authorizer::table::KeyTable {
                    client: aws_sdk_dynamodb::Client::from_conf(recorded.build()),
                    table_name: settings.table_name,
                },
            };
            let now = (std::time::SystemTime::now(), std::time::Instant::now());
            let known = authorizer.decide(&format!("Bearer {key}"), now.0, now.1).await.unwrap();
            assert!(known.is_authorized);
            let unknown = format!("mck_{}", "B".repeat(43));
            assert!(!authorizer.decide(&unknown, now.0, now.1).await.unwrap().is_authorized);
        }
        other => panic!("no permission scenario for function {other}: add one"),
    }
    test.operations.take()
}

/// The scenarios of the project, tenant and service-user functions.
async fn project_scenario(test: &TestApp, binary: &str) {
    match binary {
        "create-project" => {
            let (admin, employee) = (Caller::user("a", "a@least.example"), Caller::user("e", "e@least.example"));
            let members = [(&admin, CustomerRole::CustomerAdmin), (&employee, CustomerRole::CustomerEmployee)];
            fixtures::customer(test, "least", "acme", CustomerStatus::Active, &members).await;
            test.operations.take();
            let create = |caller: &Caller| {
                let body = json!({"identifier": "web", "displayName": "Web"});
                api("POST /customers/{id}/projects").param("id", "least").json(body).by(caller)
            };
            // Created; then taken (the slot given back); then refused to an employee (access read).
            assert_eq!(test.call(create_project::handle, create(&admin)).await.status, 201);
            assert_eq!(test.call(create_project::handle, create(&admin)).await.status, 409);
            assert_eq!(test.call(create_project::handle, create(&employee)).await.status, 403);
        }
        "list-projects" | "get-project" | "create-tenant" | "open-tenant-access" => {
            let admin = Caller::user("a", "a@least.example");
            fixtures::customer(test, "least", "acme", CustomerStatus::Active, &[(&admin, CustomerRole::CustomerAdmin)])
                .await;
            fixtures::project(test, "least", &admin, "web").await;
            let tenant = "019bc190-05c0-7d44-8e5f-60718293a4b0";
            fixtures::tenant(test, "least", &admin, "web", "aws", tenant).await;
            test.operations.take();
            let response = match binary {
                "list-projects" => {
                    test.call(
                        list_projects::handle,
                        api("GET /customers/{id}/projects").param("id", "least").by(&admin),
                    )
                    .await
                }
                "get-project" => {
                    let get =
                        api("GET /customers/{id}/projects/{projectId}").param("id", "least").param("projectId", "web");
                    test.call(get_project::handle, get.by(&admin)).await
                }
                "create-tenant" => {
                    let create = api("POST /customers/{id}/projects/{projectId}/tenants")
                        .param("id", "least")
                        .param("projectId", "web")
                        .json(json!({"platform": "azure"}));
                    test.call(create_tenant::handle, create.by(&admin)).await
                }
                _ => {
                    let access = api("POST /customers/{id}/projects/{projectId}/tenants/{tenantId}/access")
                        .param("id", "least")
                        .param("projectId", "web")
                        .param("tenantId", tenant);
                    test.call(open_tenant_access::handle, access.by(&admin)).await
                }
            };
            assert!(response.status < 300, "{binary}: {}", response.body);
        }
        "create-service-user" | "list-service-users" | "delete-service-user" => {
            let admin = Caller::user("a", "a@least.example");
            fixtures::customer(test, "least", "acme", CustomerStatus::Active, &[(&admin, CustomerRole::CustomerAdmin)])
                .await;
            let id = "019bc194-99a0-7e55-8f60-718293a4b5c0";
            fixtures::service_user(test, "least", &admin, id, &LinkToken::generate().unwrap()).await;
            test.operations.take();
            let response = match binary {
                "create-service-user" => {
                    let create = api("POST /customers/{id}/service-users").param("id", "least");
                    test.call(create_service_user::handle, create.json(json!({"name": "ci"})).by(&admin)).await
                }
                "list-service-users" => {
                    let list = api("GET /customers/{id}/service-users").param("id", "least");
                    test.call(list_service_users::handle, list.by(&admin)).await
                }
                _ => {
                    let delete = api("DELETE /customers/{id}/service-users/{serviceUserId}")
                        .param("id", "least")
                        .param("serviceUserId", id);
                    test.call(delete_service_user::handle, delete.by(&admin)).await
                }
            };
            assert!(response.status < 300, "{binary}: {}", response.body);
        }
        other => unreachable!("{other} is no project function"),
    }
}

/// The scenarios of the API key functions, each on a key made as its route makes one.
async fn key_scenario(test: &TestApp, binary: &str) {
    let admin = Caller::user("a", "a@least.example");
    fixtures::customer(test, "least", "acme", CustomerStatus::Active, &[(&admin, CustomerRole::CustomerAdmin)]).await;
    let id = "019bc1a5-0000-7000-8000-000000000001";
    let acme = KeyOwner::Partner { partner_id: PartnerId::parse("acme").unwrap() };
    fixtures::api_key(test, acme, ApiKeyRole::PartnerEmployee, id).await;
    let least = KeyOwner::Customer { customer_id: CustomerIdentifier::parse("least").unwrap() };
    fixtures::api_key(test, least, ApiKeyRole::CustomerEmployee, id).await;
    test.operations.take();
    let partner_admin = Caller::partner_admin("acme");
    let body = json!({"name": "least", "role": "CUSTOMER_EMPLOYEE"});
    let response = match binary {
        "create-partner-api-key" => {
            let create = api("POST /api-keys").json(json!({"name": "least", "role": "PARTNER_EMPLOYEE"}));
            test.call(create_partner_api_key::handle, create.by(&partner_admin)).await
        }
        "list-partner-api-keys" => {
            test.call(list_partner_api_keys::handle, api("GET /api-keys").by(&partner_admin)).await
        }
        "revoke-partner-api-key" => {
            let revoke = api("DELETE /api-keys/{keyId}").param("keyId", id);
            test.call(revoke_partner_api_key::handle, revoke.by(&partner_admin)).await
        }
        "create-customer-api-key" => {
            let create = api("POST /customers/{id}/api-keys").param("id", "least").json(body);
            test.call(create_customer_api_key::handle, create.by(&admin)).await
        }
        "list-customer-api-keys" => {
            let list = api("GET /customers/{id}/api-keys").param("id", "least");
            test.call(list_customer_api_keys::handle, list.by(&admin)).await
        }
        _ => {
            let revoke = api("DELETE /customers/{id}/api-keys/{keyId}").param("id", "least").param("keyId", id);
            test.call(revoke_customer_api_key::handle, revoke.by(&admin)).await
        }
    };
    assert!(response.status < 300, "{binary}: {}", response.body);
}

/// The scenarios of the invitation functions (their own future: one match of every scenario is
/// too large for a test thread's stack).
async fn invitation_scenario(test: &TestApp, binary: &str) {
    match binary {
        "invite-user" => {
            let admin = Caller::user("a", "a@least.example");
            fixtures::customer(test, "least", "acme", CustomerStatus::Active, &[(&admin, CustomerRole::CustomerAdmin)])
                .await;
            // At the cap with an expired invitation: its lock is freed (Query, DeleteItem) first.
            let past = chrono::Utc::now() - chrono::Duration::hours(1);
            let role = CustomerRole::CustomerEmployee;
            fixtures::invitation(test, "least", GeneratedId::new(), "x@least.example", role, past).await;
            count_fillers(test, 199).await;
            test.operations.take();
            let invite = api("POST /customers/{id}/invitations").param("id", "least");
            let body = json!({"email": "i@least.example", "role": "CUSTOMER_EMPLOYEE"});
            let response = test.call(invite_user::handle, invite.json(body).by(&admin)).await;
            assert_eq!(response.status, 201, "{}", response.body);
        }
        "list-invitations" => {
            create_customer(test, "least").await;
            test.operations.take();
            let list = api("GET /customers/{id}/invitations").param("id", "least");
            let response = test.call(list_invitations::handle, list.by(&Caller::platform_admin())).await;
            assert_eq!(response.body["items"].as_array().map(Vec::len), Some(1), "{}", response.body);
        }
        "cancel-invitation" | "resend-invitation" => {
            let admin = Caller::user("a", "a@least.example");
            fixtures::customer(test, "least", "acme", CustomerStatus::Active, &[(&admin, CustomerRole::CustomerAdmin)])
                .await;
            let expires_at = chrono::Utc::now() + chrono::Duration::hours(1);
            let role = CustomerRole::CustomerEmployee;
            let id = GeneratedId::new();
            if binary == "cancel-invitation" {
                fixtures::invitation(test, "least", id, "i@least.example", role, expires_at).await;
            } else {
                // An expired invitation whose lock was freed, resent at the cap while another
                // expired one holds a lock: that lock is freed (Query, DeleteItem) first.
                let past = chrono::Utc::now() - chrono::Duration::hours(1);
                fixtures::invitation(test, "least", id, "i@least.example", role, past).await;
                let least = CustomerIdentifier::parse("least").unwrap();
                test.store.free_expired_invitation_locks(&least, chrono::Utc::now()).await.unwrap();
                fixtures::invitation(test, "least", GeneratedId::new(), "x@least.example", role, past).await;
                count_fillers(test, 199).await;
            }
            test.operations.take();
            let response = if binary == "cancel-invitation" {
                let cancel = api("DELETE /customers/{id}/invitations/{invitationId}").param("id", "least");
                test.call(cancel_invitation::handle, cancel.param("invitationId", &id.to_string()).by(&admin)).await
            } else {
                let resend = api("POST /customers/{id}/invitations/{invitationId}/resend").param("id", "least");
                test.call(resend_invitation::handle, resend.param("invitationId", &id.to_string()).by(&admin)).await
            };
            assert!(response.status < 300, "{}", response.body);
        }
        "accept-invitation" => {
            fixtures::customer(test, "least", "acme", CustomerStatus::Active, &[]).await;
            let expires_at = chrono::Utc::now() + chrono::Duration::hours(1);
            let role = CustomerRole::CustomerAdmin;
            let invitation =
                fixtures::invitation(test, "least", GeneratedId::new(), "i@least.example", role, expires_at).await;
            let token = LinkToken::generate().unwrap();
            fixtures::invitation_link(test, &invitation, &token).await;
            test.operations.take();
            // Accepted as an admin (the customer's adminCount counts it), then refused as used.
            let invitee = Caller::user("i", "i@least.example");
            for status in [201, 410] {
                let accept = api("POST /invitations/accept").json(json!({"token": token.expose()}));
                let response = test.call(accept_invitation::handle, accept.by(&invitee)).await;
                assert_eq!(response.status, status, "{}", response.body);
            }
        }
        other => panic!("{other} is no invitation function"),
    }
}

/// Puts `n` made-up addresses among customer `least`'s counted invitation locks (unrecorded).
async fn count_fillers(test: &TestApp, n: usize) {
    let addresses = (0..n).map(|i| format!("filler-{i}@least.example")).collect();
    test.dynamodb
        .update_item()
        .table_name(&test.table)
        .key("pk", AttributeValue::S("CUSTOMER#least".to_owned()))
        .key("sk", AttributeValue::S("INVITATION_ADDRESSES".to_owned()))
        .update_expression("ADD addresses :fillers")
        .expression_attribute_values(":fillers", AttributeValue::Ss(addresses))
        .send()
        .await
        .expect("the fillers are counted");
}

#[test]
fn every_function_is_granted_exactly_the_data_and_mail_actions_it_uses() {
    // Each scenario runs handlers' whole call chains, down to the SDK's, inside the scenarios' one
    // large match: in a debug build those poll frames outgrow a test thread's 2 MiB stack.
    let scenarios = std::thread::Builder::new()
        .stack_size(16 * 1024 * 1024)
        .spawn(|| {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
            runtime.block_on(every_function_is_granted_what_it_uses());
        })
        .expect("a thread for the scenarios");
    if let Err(panic) = scenarios.join() {
        std::panic::resume_unwind(panic);
    }
}

async fn every_function_is_granted_what_it_uses() {
    let mut mismatches = Vec::new();
    for function in functions() {
        // Boxed: the future of every scenario is too large for a test thread's stack.
        let used = Box::pin(actions_used_by(&function.binary)).await;
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
