//! The event pipeline on real stream records: a handler writes, DynamoDB Local's stream is read,
//! the publisher puts the outbox events on the (recorded) bus, the audit writer records them and
//! the history route shows them.

use aws_lambda_events::dynamodb::EventRecord;
use chrono::Utc;
use meshcustomers::authorization::Role;
use meshcustomers::domain::{
    ApiKeyRole, CustomerIdentifier, CustomerRole, CustomerStatus, DisplayName, EmailAddress, GeneratedId, KeyOwner,
    MessageMode, MessageText, PartnerId, ProjectIdentifier, Reason, ReviewNote, TagDefinition, TagKey, TagValueType,
    UserId,
};
use meshcustomers::events::*;
use meshcustomers_tests::pipeline::{RecordingBus, delivered, stream_batch, stream_records};
use meshcustomers_tests::schemas::{assert_matches_schema, schema_validator};
use meshcustomers_tests::{Caller, TestApp, api, repo_root};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use strum::IntoEnumIterator;

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
        audit_writer::handle(&test.store, delivered(&entry)).await.expect("the audit writer records");
    }
}

#[tokio::test]
async fn the_history_shows_what_happened_with_its_actor() {
    let test = TestApp::spawn().await;
    create_with_users(&test, "pipeline-co", 1).await;
    let bus = RecordingBus::default();
    assert_eq!(publish(&test, &bus).await, Vec::<String>::new());
    // Items of one transaction reach the stream in no promised order: compare as a set.
    let types: BTreeSet<String> = bus.entries().iter().map(|e| e.detail_type.clone()).collect();
    assert_eq!(types, BTreeSet::from(["CUSTOMER_CREATED".into(), "USER_INVITED".into()]), "only outbox inserts");
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

/// An event of the customer at a time of its own, as the audit writer receives it.
fn event_at(customer: &str, minutes_ago: i64) -> stream_publisher::BusEntry {
    let event = DomainEvent::new(
        &CustomerIdentifier::parse(customer).unwrap(),
        Actor { user_id: UserId::parse("u1").unwrap(), email: None, role: Role::PartnerAdmin, api_key: None },
        Utc::now() - chrono::Duration::minutes(minutes_ago),
        EventPayload::CustomerQuotaEdited(Change { from: 5, to: u32::try_from(minutes_ago).unwrap() }),
    );
    stream_publisher::BusEntry {
        detail_type: event.event_type().to_string(),
        detail: serde_json::to_string(&event).unwrap(),
    }
}

#[tokio::test]
async fn history_pages_newest_first() {
    let test = TestApp::spawn().await;
    create_with_users(&test, "paged", 0).await;
    // Delivered out of order, as EventBridge may; each at a distinct time.
    for minutes_ago in [30, 10, 50, 20, 40] {
        audit_writer::handle(&test.store, delivered(&event_at("paged", minutes_ago))).await.unwrap();
    }
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
            seen.push(item["data"]["to"].as_u64().unwrap());
        }
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, [10, 20, 30, 40, 50], "newest first, across pages");
}

/// The entries' `to` values (their minutes ago) in a window, by type too; one Query each.
async fn window(test: &TestApp, query: &[(&str, String)]) -> Vec<u64> {
    let mut request = api("GET /customers/{id}/events").param("id", "windowed");
    for (name, value) in query {
        request = request.query(name, value);
    }
    test.operations.take_calls();
    let page = test.call(history, request.by(&Caller::platform_admin())).await;
    assert_eq!(page.status, 200, "{}", page.body);
    let calls: Vec<String> = test.operations.take_calls().into_iter().map(|call| call.operation).collect();
    assert_eq!(calls, ["dynamodb:BatchGetItem", "dynamodb:Query"], "the window is a key condition");
    page.body["items"].as_array().unwrap().iter().filter_map(|item| item["data"]["to"].as_u64()).collect()
}

#[tokio::test]
async fn the_history_reads_a_time_window_of_one_type_in_one_query() {
    let test = TestApp::spawn().await;
    create_with_users(&test, "windowed", 0).await;
    let entries: Vec<_> = [10, 20, 30, 40, 50].into_iter().map(|minutes| event_at("windowed", minutes)).collect();
    for entry in &entries {
        audit_writer::handle(&test.store, delivered(entry)).await.unwrap();
    }
    let at = |minutes: usize| {
        let detail: Value = serde_json::from_str(&entries[minutes / 10 - 1].detail).unwrap();
        detail["occurredAt"].as_str().unwrap().to_owned()
    };
    // `since` includes an entry at that very time, `until` excludes one.
    assert_eq!(window(&test, &[("since", at(40)), ("until", at(20))]).await, [30, 40]);
    assert_eq!(window(&test, &[("since", at(30))]).await, [10, 20, 30]);
    let quota_edits = [("type", "CUSTOMER_QUOTA_EDITED".to_owned()), ("until", at(30))];
    assert_eq!(window(&test, &quota_edits).await, [40, 50]);
    let offset = chrono::DateTime::parse_from_rfc3339(&at(20))
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(3600).unwrap());
    assert_eq!(window(&test, &[("since", offset.to_rfc3339())]).await.last(), Some(&20), "any offset");

    for (query, field) in [
        (vec![("since", "yesterday".to_owned())], "since"),
        (vec![("until", "2026-13-01T00:00:00Z".to_owned())], "until"),
        (vec![("since", at(20)), ("until", at(40))], "until"),
        (vec![("since", at(20)), ("until", at(20))], "until"),
    ] {
        let mut request = api("GET /customers/{id}/events").param("id", "windowed");
        for (name, value) in &query {
            request = request.query(name, value);
        }
        let response = test.call(history, request.by(&Caller::platform_admin())).await;
        response.assert_problem(400, "validation-failed");
        assert!(response.body["errors"][field].is_string(), "{query:?}: {}", response.body);
    }
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
        audit_writer::handle(&test.store, delivered(&entry)).await.unwrap();
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
        audit_writer::handle(&test.store, delivered(&entry)).await.is_err(),
        "fails, so EventBridge retries and dead-letters it"
    );
    assert!(test.all_items().await.is_empty());
}

/// Outbox records of three customers in the order they were written: "first" created, "second"
/// registered, "third" created with `invited` users (one event each).
async fn three_customers(test: &TestApp, invited: usize) -> Vec<EventRecord> {
    create_with_users(test, "first", 0).await;
    let registrant = Caller::user("reg", "reg@example.com");
    let body = json!({"identifier": "second", "displayName": "Second"});
    assert_eq!(test.call(register, api("POST /registrations").json(body).by(&registrant)).await.status, 201);
    create_with_users(test, "third", invited).await;
    let records: Vec<EventRecord> = stream_records(&test.table)
        .await
        .into_iter()
        .filter(|record| {
            record.change.new_image.get("entity") == Some(&serde_dynamo::AttributeValue::S("OUTBOX".into()))
        })
        .collect();
    assert_eq!(records.len(), 3 + invited);
    records
}

fn event_type_of(record: &EventRecord) -> String {
    match record.change.new_image.get("eventType") {
        Some(serde_dynamo::AttributeValue::S(event_type)) => event_type.clone(),
        other => panic!("no event type: {other:?}"),
    }
}

fn sequences(records: &[EventRecord]) -> Vec<String> {
    records.iter().map(|record| record.change.sequence_number.clone().unwrap()).collect()
}

#[tokio::test]
async fn publishing_stops_at_the_first_refused_record_and_reports_it_and_all_after() {
    let test = TestApp::spawn().await;
    let records = three_customers(&test, 10).await;
    assert_eq!(event_type_of(&records[1]), "CUSTOMER_REGISTERED");

    let bus = RecordingBus::default();
    bus.reject("CUSTOMER_REGISTERED");
    let response = stream_publisher::handle(&bus, stream_batch(records.clone())).await.unwrap();
    let failed: Vec<String> = response.batch_item_failures.into_iter().map(|f| f.item_identifier.unwrap()).collect();
    assert_eq!(failed, sequences(&records[1..]), "the refused record and every later one");
    // The bus takes the other entries of the refused one's call (as EventBridge does); no
    // later call is made, so nothing beyond that call reaches the bus before the refused one.
    assert_eq!(*bus.calls.lock().unwrap(), [10], "13 records, 10 per call: the second call never happens");
    assert_eq!(bus.entries().len(), 9);
}

#[tokio::test]
async fn an_unreadable_outbox_record_stops_publishing_there() {
    let test = TestApp::spawn().await;
    let mut records = three_customers(&test, 0).await;
    records[1].change.new_image = serde_dynamo::Item::from(std::collections::HashMap::from([
        ("entity".to_owned(), serde_dynamo::AttributeValue::S("OUTBOX".into())),
        ("eventType".to_owned(), serde_dynamo::AttributeValue::S("CUSTOMER_REGISTERED".into())),
    ]));
    let bus = RecordingBus::default();
    let response = stream_publisher::handle(&bus, stream_batch(records.clone())).await.unwrap();
    let failed: Vec<String> = response.batch_item_failures.into_iter().map(|f| f.item_identifier.unwrap()).collect();
    assert_eq!(failed, sequences(&records[1..]));
    assert_eq!(bus.entries().len(), 1, "the record before the poison is still published");
}

#[tokio::test]
async fn calls_stay_under_eventbridges_request_size() {
    // Three events of about 100 KB: two fit in one PutEvents request, the third needs another.
    let records: Vec<EventRecord> = (0..3)
        .map(|n| {
            let mut record = EventRecord::default();
            record.event_name = "INSERT".to_owned();
            record.change.sequence_number = Some(n.to_string());
            record.change.new_image = serde_dynamo::Item::from(std::collections::HashMap::from([
                ("entity".to_owned(), serde_dynamo::AttributeValue::S("OUTBOX".into())),
                ("eventType".to_owned(), serde_dynamo::AttributeValue::S("CUSTOMER_UPDATED".into())),
                (
                    "detail".to_owned(),
                    serde_dynamo::AttributeValue::S(format!("{{\"pad\":\"{}\"}}", "x".repeat(100_000))),
                ),
            ]));
            record
        })
        .collect();
    let bus = RecordingBus::default();
    let response = stream_publisher::handle(&bus, stream_batch(records)).await.unwrap();
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(*bus.calls.lock().unwrap(), [2, 1]);
}

#[tokio::test]
async fn the_publisher_puts_at_most_ten_entries_per_call() {
    let test = TestApp::spawn().await;
    create_with_users(&test, "crowd", 20).await;
    let bus = RecordingBus::default();
    assert!(publish(&test, &bus).await.is_empty());
    assert_eq!(*bus.calls.lock().unwrap(), [10, 10, 1]);
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
    let project = ProjectIdentifier::parse("web-shop").unwrap();
    let billing = TagDefinition {
        key: TagKey::parse("billing").unwrap(),
        display_name: DisplayName::parse("Billing").unwrap(),
        description: String::new(),
        value_type: TagValueType::SingleSelect { options: vec!["invoice".into(), "card".into()] },
        mandatory: true,
        restricted: true,
        version: 1,
    };
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
            version: 2,
            customer_display_name: "Acme <Labs>".into(),
            membership_expires_at: Some(Utc::now() + chrono::Duration::days(30)),
            invited_by: Some(user.clone()),
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
            reason: Some(RemovalReason::Expired),
        }),
        EventPayload::MembershipExpiring(MembershipExpiring {
            user_id: user.clone(),
            email: Some(email.clone()),
            role: CustomerRole::CustomerEmployee,
            expires_at: Utc::now() + chrono::Duration::days(2),
        }),
        EventPayload::MembershipExpiryChanged(MembershipExpiryChanged {
            user_id: user.clone(),
            from: None,
            to: Some(Utc::now() + chrono::Duration::days(7)),
        }),
        EventPayload::UserRemoved(UserRemoved {
            user_id: user.clone(),
            email: Some(email.clone()),
            role: CustomerRole::CustomerAdmin,
            reason: Some(RemovalReason::AccessReview),
        }),
        EventPayload::AccessReviewed(AccessReviewed {
            review_id: GeneratedId::new(),
            kept: vec![user.clone()],
            removed: vec![UserId::parse("removed-user").unwrap()],
            note: Some(ReviewNote::parse("quarterly access review").unwrap()),
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
            reason: Some(Reason::parse("support ticket 4711").unwrap()),
        }),
        EventPayload::CustomerStatusChanged(CustomerStatusChanged {
            from: CustomerStatus::Active,
            to: CustomerStatus::Disabled,
            reason: None,
        }),
        EventPayload::CustomerApproved(CustomerApproved {
            status: CustomerStatus::AwaitingEmailConfirmation,
            email_confirmation_required: true,
            display_name: "Acme".into(),
            managing_partner_id: PartnerId::parse("default").unwrap(),
            registrant_user_id: user.clone(),
        }),
        EventPayload::CustomerRejected(CustomerRejected {
            reason: Reason::parse("no contract on file").unwrap(),
            display_name: "Acme".into(),
            managing_partner_id: PartnerId::parse("default").unwrap(),
            registrant_user_id: user.clone(),
            registrant_email: None,
            registered_at: Utc::now(),
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
            text: MessageText::parse("Maintenance tonight").unwrap(),
            sent_at: Utc::now(),
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
        EventPayload::ServiceUserDeleted(ServiceUserDeleted { service_user_id: GeneratedId::new(), name: "ci".into() }),
        EventPayload::TagDefinitionCreated(billing.clone()),
        EventPayload::TagDefinitionUpdated(TagDefinitionUpdated {
            key: billing.key.clone(),
            from: billing.clone(),
            to: TagDefinition { mandatory: false, version: 2, ..billing.clone() },
        }),
        EventPayload::TagDefinitionDeleted(TagDefinition {
            key: TagKey::parse("costCenter").unwrap(),
            display_name: DisplayName::parse("Cost center").unwrap(),
            description: "Where the invoice is booked.\nAsk finance.".into(),
            value_type: TagValueType::String { pattern: Some("[0-9]{4}".into()) },
            mandatory: false,
            restricted: false,
            version: 3,
        }),
        EventPayload::ApiKeyCreated(ApiKeyCreated {
            key_id: GeneratedId::new(),
            name: "billing-sync".into(),
            role: ApiKeyRole::PartnerEmployee,
            owner: KeyOwner::Partner { partner_id: PartnerId::parse("acme").unwrap() },
            expires_at: Some(Utc::now()),
        }),
        EventPayload::ApiKeyCreated(ApiKeyCreated {
            key_id: GeneratedId::new(),
            name: "deploy-bot".into(),
            role: ApiKeyRole::CustomerAdmin,
            owner: KeyOwner::Customer { customer_id: CustomerIdentifier::parse("acme").unwrap() },
            expires_at: None,
        }),
        EventPayload::ApiKeyRevoked(ApiKeyRevoked { key_id: GeneratedId::new(), name: "deploy-bot".into() }),
    ];
    let customer = CustomerIdentifier::parse("acme").unwrap();
    payloads
        .into_iter()
        .map(|payload| {
            let actor =
                Actor { user_id: user.clone(), email: Some(email.clone()), role: Role::CustomerAdmin, api_key: None };
            let installation_wide = matches!(
                payload,
                EventPayload::TagDefinitionCreated(_)
                    | EventPayload::TagDefinitionUpdated(_)
                    | EventPayload::TagDefinitionDeleted(_)
                    | EventPayload::ApiKeyCreated(ApiKeyCreated { owner: KeyOwner::Partner { .. }, .. })
            );
            if installation_wide {
                DomainEvent::installation(actor, Utc::now(), payload)
            } else {
                DomainEvent::new(&customer, actor, Utc::now(), payload)
            }
        })
        .collect()
}

#[test]
fn every_event_type_has_a_schema_that_accepts_what_the_code_serializes() {
    let events = one_of_every_type();
    let emitted: BTreeSet<EventType> = events.iter().map(DomainEvent::event_type).collect();
    assert_eq!(emitted, EventType::iter().collect(), "the sample covers every type");
    for event in &events {
        assert_matches_schema(&serde_json::to_value(event).unwrap());
    }
    let mut installation_wide = events[0].clone();
    installation_wide.customer_id = None;
    installation_wide.actor.email = None;
    assert_matches_schema(&serde_json::to_value(&installation_wide).unwrap());

    let schema_files: BTreeSet<String> = std::fs::read_dir(repo_root().join("events/schemas"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| path.file_name().unwrap().to_string_lossy().trim_end_matches(".json").to_owned())
        .collect();
    assert_eq!(schema_files, EventType::iter().map(|t| t.to_string()).collect(), "one schema per type, no other");
}

#[test]
fn schemas_refuse_what_breaks_the_contract() {
    let quota_edited = one_of_every_type().into_iter().find(|e| e.event_type() == EventType::CustomerQuotaEdited);
    let event = serde_json::to_value(quota_edited.expect("a CUSTOMER_QUOTA_EDITED sample")).unwrap();
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
