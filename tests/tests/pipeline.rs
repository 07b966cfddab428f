//! The event pipeline on real stream records: a handler writes, DynamoDB Local's stream is read,
//! the publisher puts the outbox events on the (recorded) bus, the audit writer records them and
//! the history route shows them.

use chrono::Utc;
use meshcustomers::authorization::Role;
use meshcustomers::domain::{
    CustomerIdentifier, CustomerRole, CustomerStatus, EmailAddress, GeneratedId, Identifier, PartnerId, TagKey, UserId,
};
use meshcustomers::events::*;
use meshcustomers_tests::pipeline::{RecordingBus, delivered, stream_batch, stream_records};
use meshcustomers_tests::{Caller, TestApp, api, repo_root};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

use create_customer::handle as create;
use list_customer_events::handle as history;
use register_customer::handle as register;

async fn create_with_users(test: &TestApp, identifier: &str, users: usize) {
    let users: Vec<Value> = (0..users)
        .map(|n| json!({"email": format!("user{n}@{identifier}.example"), "role": "CUSTOMER_EMPLOYEE"}))
        .collect();
    let body = json!({"identifier": identifier, "displayName": "Pipeline Co", "users": users});
    let response = test.call(create, api("POST /customers").json(body).by(&Caller::partner_admin("acme"))).await;
    assert_eq!(response.status, 201, "{}", response.body);
}

/// Stream → publisher → bus; returns the bus and the publisher's reported failures.
async fn publish(test: &TestApp, bus: &RecordingBus) -> Vec<String> {
    let records = stream_records(&test.table).await;
    let response = stream_publisher::handle(bus, stream_batch(records)).await.expect("the publisher answers");
    response.batch_item_failures.into_iter().map(|failure| failure.item_identifier.unwrap()).collect()
}

async fn audit_everything(test: &TestApp, bus: &RecordingBus) {
    for entry in bus.entries() {
        audit_writer::handle(&test.app.store, delivered(&entry)).await.expect("the audit writer records");
    }
}

#[tokio::test]
async fn the_history_shows_what_happened_with_its_actor() {
    let test = TestApp::spawn().await;
    create_with_users(&test, "pipeline-co", 1).await;
    let bus = RecordingBus::default();
    assert_eq!(publish(&test, &bus).await, Vec::<String>::new());
    let types: Vec<String> = bus.entries().iter().map(|e| e.detail_type.clone()).collect();
    assert_eq!(types, ["CUSTOMER_CREATED", "USER_INVITED"], "only outbox inserts are published, in order");
    audit_everything(&test, &bus).await;

    let read =
        |caller: Caller| test.call(history, api("GET /customers/{id}/events").param("id", "pipeline-co").by(&caller));
    let response = read(Caller::partner_employee("acme")).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let items = response.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let created =
        items.iter().find(|item| item["type"] == "CUSTOMER_CREATED").expect("CUSTOMER_CREATED in the history");
    let partner_admin = Caller::partner_admin("acme");
    assert_eq!(created["actor"]["userId"], partner_admin.user_id());
    assert_eq!(created["actor"]["email"], partner_admin.claims["email"].as_str());
    assert_eq!(created["actor"]["role"], "PARTNER_ADMIN");
    assert_eq!(created["customerId"], "pipeline-co");
    assert_eq!(created["data"]["displayName"], "Pipeline Co");
    let invited = items.iter().find(|item| item["type"] == "USER_INVITED").unwrap();
    assert_eq!(invited["data"]["email"], "user0@pipeline-co.example");
    assert!(items[0]["occurredAt"].as_str() >= items[1]["occurredAt"].as_str(), "newest first");

    let only_invitations = test
        .call(
            history,
            api("GET /customers/{id}/events")
                .param("id", "pipeline-co")
                .query("type", "USER_INVITED")
                .by(&Caller::platform_admin()),
        )
        .await;
    assert_eq!(only_invitations.body["items"].as_array().unwrap().len(), 1);
    test.call(
        history,
        api("GET /customers/{id}/events")
            .param("id", "pipeline-co")
            .query("type", "NOPE")
            .by(&Caller::platform_admin()),
    )
    .await
    .assert_problem(400, "validation-failed");
    read(Caller::partner_admin("globex")).await.assert_problem(404, "not-found");
}

#[tokio::test]
async fn history_pages_newest_first() {
    let test = TestApp::spawn().await;
    create_with_users(&test, "paged", 4).await;
    let bus = RecordingBus::default();
    publish(&test, &bus).await;
    audit_everything(&test, &bus).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut request = api("GET /customers/{id}/events").param("id", "paged").query("limit", "2");
        if let Some(cursor) = &cursor {
            request = request.query("cursor", cursor);
        }
        let page = test.call(history, request.by(&Caller::platform_admin())).await;
        assert_eq!(page.status, 200, "{}", page.body);
        for item in page.body["items"].as_array().unwrap() {
            seen.push((item["occurredAt"].as_str().unwrap().to_owned(), item["eventId"].as_str().unwrap().to_owned()));
        }
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    let mut newest_first = seen.clone();
    newest_first.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, newest_first);
}

#[tokio::test]
async fn members_cannot_read_the_history() {
    let test = TestApp::spawn().await;
    let registrant = Caller::user("reg", "reg@example.com");
    test.call(
        register,
        api("POST /registrations").json(json!({"identifier": "selfmade", "displayName": "Selfmade"})).by(&registrant),
    )
    .await;
    let response = test.call(history, api("GET /customers/{id}/events").param("id", "selfmade").by(&registrant)).await;
    response.assert_problem(403, "forbidden");
}

#[tokio::test]
async fn a_redelivered_event_is_recorded_once() {
    let test = TestApp::spawn().await;
    create_with_users(&test, "twice", 0).await;
    let bus = RecordingBus::default();
    publish(&test, &bus).await;
    let entry = bus.entries().remove(0);
    for _ in 0..2 {
        audit_writer::handle(&test.app.store, delivered(&entry)).await.unwrap();
    }
    let histories = test.items_of("HISTORY").await.len();
    assert_eq!(histories, 1);
    let response =
        test.call(history, api("GET /customers/{id}/events").param("id", "twice").by(&Caller::platform_admin())).await;
    assert_eq!(response.body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_audit_writer_refuses_an_event_without_an_envelope() {
    let test = TestApp::spawn().await;
    let entry = stream_publisher::BusEntry {
        detail_type: "CUSTOMER_CREATED".into(),
        detail: r#"{"type":"CUSTOMER_CREATED"}"#.into(),
    };
    assert!(
        audit_writer::handle(&test.app.store, delivered(&entry)).await.is_err(),
        "fails, so EventBridge retries and dead-letters it"
    );
    assert!(test.all_items().await.is_empty());
}

#[tokio::test]
async fn entries_the_bus_rejects_are_reported_and_the_rest_published() {
    let test = TestApp::spawn().await;
    create_with_users(&test, "partial", 2).await;
    let records = stream_records(&test.table).await;
    let invited_sequences: BTreeSet<String> = records
        .iter()
        .filter(|record| {
            matches!(record.change.new_image.get("eventType"), Some(serde_dynamo::AttributeValue::S(t)) if t == "USER_INVITED")
        })
        .map(|record| record.change.sequence_number.clone().unwrap())
        .collect();
    assert_eq!(invited_sequences.len(), 2);

    let bus = RecordingBus::default();
    bus.reject("USER_INVITED");
    let response = stream_publisher::handle(&bus, stream_batch(records)).await.unwrap();
    let failed: BTreeSet<String> =
        response.batch_item_failures.into_iter().map(|f| f.item_identifier.unwrap()).collect();
    assert_eq!(failed, invited_sequences, "exactly the rejected records are named");
    assert_eq!(bus.entries().iter().map(|e| e.detail_type.as_str()).collect::<Vec<_>>(), ["CUSTOMER_CREATED"]);
}

#[tokio::test]
async fn an_unreadable_outbox_record_fails_alone() {
    let test = TestApp::spawn().await;
    create_with_users(&test, "poison", 0).await;
    let mut records = stream_records(&test.table).await;
    let mut poisoned = records.iter().find(|r| r.change.new_image.get("entity").is_some()).unwrap().clone();
    poisoned.change.new_image = serde_dynamo::Item::from(std::collections::HashMap::from([
        ("entity".to_owned(), serde_dynamo::AttributeValue::S("OUTBOX".into())),
        ("eventType".to_owned(), serde_dynamo::AttributeValue::S("CUSTOMER_CREATED".into())),
    ]));
    poisoned.change.sequence_number = Some("999999999".into());
    records.push(poisoned);
    let bus = RecordingBus::default();
    let response = stream_publisher::handle(&bus, stream_batch(records)).await.unwrap();
    let failed: Vec<String> = response.batch_item_failures.into_iter().map(|f| f.item_identifier.unwrap()).collect();
    assert_eq!(failed, ["999999999"]);
    assert_eq!(bus.entries().len(), 1, "the good record is still published");
}

#[tokio::test]
async fn the_publisher_puts_at_most_ten_entries_per_call() {
    let test = TestApp::spawn().await;
    create_with_users(&test, "crowd", 20).await;
    let bus = RecordingBus::default();
    assert!(publish(&test, &bus).await.is_empty());
    assert_eq!(*bus.calls.lock().unwrap(), [10, 10, 1]);
}

fn schema_validator(event_type: &str) -> jsonschema::Validator {
    let path = repo_root().join(format!("events/schemas/{event_type}.json"));
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
            .expect("schemas are JSON");
    jsonschema::options().should_validate_formats(true).build(&schema).unwrap_or_else(|e| panic!("{event_type}: {e}"))
}

fn assert_matches_schema(detail: &Value) {
    let event_type = detail["type"].as_str().expect("a detail has a type");
    let validator = schema_validator(event_type);
    let errors: Vec<String> =
        validator.iter_errors(detail).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{event_type} detail breaks its schema: {errors:?}\n{detail}");
}

#[tokio::test]
async fn emitted_events_match_their_published_schemas() {
    let test = TestApp::spawn().await;
    create_with_users(&test, "schematic", 2).await;
    test.call(
        register,
        api("POST /registrations")
            .json(json!({"identifier": "self-reg", "displayName": "Self Reg"}))
            .by(&Caller::user("sr", "sr@example.com")),
    )
    .await;
    let bus = RecordingBus::default();
    publish(&test, &bus).await;
    let types: BTreeSet<String> = bus.entries().iter().map(|e| e.detail_type.clone()).collect();
    assert_eq!(types, BTreeSet::from(["CUSTOMER_CREATED".into(), "USER_INVITED".into(), "CUSTOMER_REGISTERED".into()]));
    for entry in bus.entries() {
        let detail: Value = serde_json::from_str(&entry.detail).unwrap();
        assert_eq!(detail["type"], entry.detail_type.as_str());
        assert_matches_schema(&detail);
    }
}

/// One event of every type, as the code serializes it: the schemas must accept each, so a
/// change to an event's Rust type that the schema does not follow fails here.
fn one_of_every_type() -> Vec<DomainEvent> {
    let user = UserId::parse("user-1").unwrap();
    let email = EmailAddress::parse("jane@example.com").unwrap();
    let project = Identifier::parse("web-shop").unwrap();
    let payloads = vec![
        EventPayload::CustomerRegistered(CustomerSnapshot {
            display_name: "Acme".into(),
            status: CustomerStatus::PendingApproval,
            managing_partner_id: PartnerId::parse("default").unwrap(),
            project_quota: 5,
            tags: BTreeMap::from([(TagKey::parse("costCenter").unwrap(), vec!["1234".into()])]),
        }),
        EventPayload::CustomerCreated(CustomerSnapshot {
            display_name: "Acme".into(),
            status: CustomerStatus::Active,
            managing_partner_id: PartnerId::parse("acme").unwrap(),
            project_quota: 0,
            tags: BTreeMap::new(),
        }),
        EventPayload::UserInvited(UserInvited {
            invitation_id: GeneratedId::new(),
            email: email.clone(),
            role: CustomerRole::CustomerAdmin,
            expires_at: Utc::now(),
        }),
        EventPayload::UserAcceptedInvitation(UserAcceptedInvitation {
            invitation_id: GeneratedId::new(),
            user_id: user.clone(),
            email: email.clone(),
            role: CustomerRole::CustomerEmployee,
        }),
        EventPayload::UserInvitationCancelled(UserInvitationCancelled {
            invitation_id: GeneratedId::new(),
            email: email.clone(),
        }),
        EventPayload::UserRemoved(UserRemoved {
            user_id: user.clone(),
            email: None,
            role: CustomerRole::CustomerEmployee,
        }),
        EventPayload::UserRoleChanged(UserRoleChanged {
            user_id: user.clone(),
            from: CustomerRole::CustomerEmployee,
            to: CustomerRole::CustomerAdmin,
        }),
        EventPayload::CustomerQuotaEdited(Change { from: 5, to: 0 }),
        EventPayload::UserAssignedHimself(UserAssignedHimself {
            user_id: user.clone(),
            role: CustomerRole::CustomerAdmin,
        }),
        EventPayload::CustomerStatusChanged(CustomerStatusChanged {
            from: CustomerStatus::Active,
            to: CustomerStatus::Disabled,
            reason: None,
        }),
        EventPayload::CustomerApproved(CustomerApproved {
            status: CustomerStatus::AwaitingEmailConfirmation,
            email_confirmation_required: true,
        }),
        EventPayload::CustomerUpdated(CustomerUpdated {
            display_name: Change { from: "Acme".into(), to: "Acme Corp".into() },
        }),
        EventPayload::CustomerTagsEdited(CustomerTagsEdited {
            changes: BTreeMap::from([(
                TagKey::parse("costCenter").unwrap(),
                Change { from: None, to: Some(vec!["1".into()]) },
            )]),
        }),
        EventPayload::EmailConfirmed(EmailConfirmed { email: email.clone() }),
        EventPayload::MessageSent(MessageSent {
            message_id: GeneratedId::new(),
            mode: MessageMode::SingleRead,
            text: "Maintenance tonight".into(),
            recipient_count: 3,
        }),
        EventPayload::MessageAcknowledged(MessageAcknowledged {
            message_id: GeneratedId::new(),
            user_id: user.clone(),
            resolved: true,
        }),
        EventPayload::ProjectCreated(ProjectCreated { project_id: project.clone(), display_name: "Web shop".into() }),
        EventPayload::TenantCreated(TenantCreated {
            project_id: project,
            tenant_id: GeneratedId::new(),
            platform: "aws".into(),
        }),
        EventPayload::ServiceUserCreated(ServiceUserCreated { service_user_id: GeneratedId::new(), name: "ci".into() }),
    ];
    let customer = CustomerIdentifier::parse("acme").unwrap();
    payloads
        .into_iter()
        .map(|payload| {
            DomainEvent::new(
                &customer,
                Actor { user_id: user.clone(), email: Some(email.clone()), role: Role::CustomerAdmin },
                Utc::now(),
                payload,
            )
        })
        .collect()
}

#[test]
fn every_event_type_has_a_schema_that_accepts_what_the_code_serializes() {
    let events = one_of_every_type();
    let emitted: BTreeSet<&str> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(emitted, EVENT_TYPES.into_iter().collect(), "the sample covers every type");
    for event in &events {
        assert_matches_schema(&serde_json::to_value(event).unwrap());
    }
    let mut installation_wide = events[0].clone();
    installation_wide.customer_id = None;
    installation_wide.actor.email = None;
    assert_matches_schema(&serde_json::to_value(&installation_wide).unwrap());

    let schema_files: BTreeSet<String> = std::fs::read_dir(repo_root().join("events/schemas"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().trim_end_matches(".json").to_owned())
        .collect();
    assert_eq!(schema_files, EVENT_TYPES.iter().map(|t| t.to_string()).collect(), "one schema per type, no other");
}

#[test]
fn schemas_refuse_what_breaks_the_contract() {
    let event = serde_json::to_value(&one_of_every_type()[7]).unwrap();
    let validator = schema_validator("CUSTOMER_QUOTA_EDITED");
    assert!(validator.is_valid(&event));
    for broken in [
        {
            let mut e = event.clone();
            e["data"]["to"] = json!(-1);
            e
        },
        {
            let mut e = event.clone();
            e["data"]["extra"] = json!(1);
            e
        },
        {
            let mut e = event.clone();
            e["actor"]["role"] = json!("ROOT");
            e
        },
        {
            let mut e = event.clone();
            e.as_object_mut().unwrap().remove("eventId");
            e
        },
    ] {
        assert!(!validator.is_valid(&broken), "accepted {broken}");
    }
}
