//! Every input limit at its maximum: the request is accepted, the items fit DynamoDB, and the
//! largest event each can produce stays under EventBridge's 256 KB entry limit. One step beyond
//! any limit is refused.

use chrono::Utc;
use meshcustomers::authorization::Role;
use meshcustomers::domain::tags::limits::{MAX_TAGS, MAX_VALUE_CHARS, MAX_VALUES_PER_TAG};
use meshcustomers::domain::{CustomerIdentifier, EmailAddress, TagKey, UserId};
use meshcustomers::events::{
    Actor, Change, CustomerTagsEdited, DomainEvent, EventPayload, MAX_ENTRY_BYTES, entry_size,
};
use meshcustomers_tests::pipeline::{RecordingBus, stream_batch, stream_records};
use meshcustomers_tests::{Caller, TestApp, api, fixtures};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// A character of 4 bytes in UTF-8 (and visible): the worst case for every character limit.
const WIDE: char = '😀';

fn wide(chars: usize) -> String {
    WIDE.to_string().repeat(chars)
}

/// The longest key a tag may have, distinct per index.
fn tag_key(index: usize) -> String {
    format!("k{index:02}{}", "x".repeat(61))
}

async fn define_free_text_tags(test: &TestApp) {
    let definitions: Vec<Value> = (0..MAX_TAGS)
        .map(|index| json!({"key": tag_key(index), "displayName": "Free text", "valueType": "STRING"}))
        .collect();
    fixtures::tag_definitions(test, json!(definitions)).await;
}

/// What the bus got besides the definitions' own events.
fn customer_entries(bus: &RecordingBus) -> Vec<stream_publisher::BusEntry> {
    bus.entries().into_iter().filter(|entry| !entry.detail_type.starts_with("TAG_DEFINITION_")).collect()
}

fn largest_tags() -> Value {
    let values = vec![wide(MAX_VALUE_CHARS); MAX_VALUES_PER_TAG];
    (0..MAX_TAGS).map(|index| (tag_key(index), json!(values))).collect::<serde_json::Map<_, _>>().into()
}

/// A partner admin whose identity claims are as long as they may be.
fn longest_partner_admin() -> Caller {
    let email = format!("{}@{}.example", "a".repeat(64), "b".repeat(63));
    Caller::partner_admin(&"p".repeat(64)).with("sub", &"u".repeat(256)).with("email", &email)
}

#[tokio::test]
async fn the_largest_possible_creation_is_stored_and_its_event_fits_eventbridge() {
    let test = TestApp::spawn().await;
    define_free_text_tags(&test).await;
    let caller = longest_partner_admin();
    let body = json!({
        "identifier": "x".repeat(32),
        "displayName": wide(128),
        "projectQuota": 10000,
        "tags": largest_tags(),
        "users": (0..create_customer::MAX_INVITED_USERS)
            .map(|n| json!({"email": format!("{n:02}{}@{}.example", "a".repeat(62), "b".repeat(63)), "role": "CUSTOMER_EMPLOYEE"}))
            .collect::<Vec<_>>(),
    });
    assert!(
        body.to_string().len() <= meshcustomers::http::MAX_BODY_BYTES,
        "the largest valid body fits the body limit"
    );
    let response = test.call(create_customer::handle, api("POST /customers").json(body).by(&caller)).await;
    assert_eq!(response.status, 201, "{}", response.body);

    let bus = RecordingBus::default();
    let published = stream_publisher::handle(&bus, stream_batch(stream_records(&test.table).await)).await.unwrap();
    assert!(published.batch_item_failures.is_empty());
    let entries = customer_entries(&bus);
    let largest = entries.iter().map(|entry| entry.size()).max().unwrap();
    assert_eq!(entries.len(), 1 + create_customer::MAX_INVITED_USERS);
    println!("largest CUSTOMER_CREATED: {largest} bytes of {MAX_ENTRY_BYTES}");
    assert!(largest < MAX_ENTRY_BYTES, "{largest} bytes");
}

#[tokio::test]
async fn the_largest_registration_fits_eventbridge() {
    let test = TestApp::spawn().await;
    define_free_text_tags(&test).await;
    let registrant = longest_partner_admin().without("cognito:groups");
    let body = json!({"identifier": "y".repeat(32), "displayName": wide(128), "tags": largest_tags()});
    let response = test.call(register_customer::handle, api("POST /registrations").json(body).by(&registrant)).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let bus = RecordingBus::default();
    stream_publisher::handle(&bus, stream_batch(stream_records(&test.table).await)).await.unwrap();
    let entries = customer_entries(&bus);
    assert_eq!(entries[0].detail_type, "CUSTOMER_REGISTERED");
    let size = entries[0].size();
    println!("largest CUSTOMER_REGISTERED: {size} bytes of {MAX_ENTRY_BYTES}");
    assert!(size < MAX_ENTRY_BYTES, "{size} bytes");
}

/// CUSTOMER_TAGS_EDITED carries every key's values before and after: the largest event the
/// tag limits allow. (`tests/tests/tags.rs` also measures the largest one its route makes.)
#[test]
fn the_largest_tag_edit_fits_eventbridge() {
    let values = Some(vec![wide(MAX_VALUE_CHARS); MAX_VALUES_PER_TAG]);
    let changes: BTreeMap<TagKey, Change<Option<Vec<String>>>> = (0..MAX_TAGS)
        .map(|index| (TagKey::parse(&tag_key(index)).unwrap(), Change { from: values.clone(), to: values.clone() }))
        .collect();
    let actor = Actor {
        user_id: UserId::parse(&"u".repeat(256)).unwrap(),
        email: Some(EmailAddress::parse(&format!("{}@{}.example", "a".repeat(64), "b".repeat(63))).unwrap()),
        role: Role::PartnerAdmin,
        // More than any one actor carries (a key's actor has no address and a short id): a bound.
        api_key: Some(meshcustomers::events::ActorKey {
            api_key_id: meshcustomers::domain::GeneratedId::new(),
            api_key_name: "k".repeat(128),
        }),
    };
    let event = DomainEvent::new(
        &CustomerIdentifier::parse(&"x".repeat(32)).unwrap(),
        actor,
        Utc::now(),
        EventPayload::CustomerTagsEdited(CustomerTagsEdited { changes }),
    );
    let detail = serde_json::to_string(&event).unwrap();
    let size = entry_size(event.event_type().as_str(), &detail);
    println!("largest CUSTOMER_TAGS_EDITED: {size} bytes of {MAX_ENTRY_BYTES}");
    assert!(size < MAX_ENTRY_BYTES, "{size} bytes");
}

#[tokio::test]
async fn one_step_beyond_each_tag_limit_is_refused() {
    let test = TestApp::spawn().await;
    define_free_text_tags(&test).await;
    let key = tag_key(0);
    for (tags, field) in [
        (json!({&key: vec![wide(1); MAX_VALUES_PER_TAG + 1]}), format!("tags.{key}")),
        (json!({&key: [wide(MAX_VALUE_CHARS + 1)]}), format!("tags.{key}")),
        (
            (0..=MAX_TAGS).map(|n| (format!("extra{n}"), json!(["v"]))).collect::<serde_json::Map<_, _>>().into(),
            "tags".to_owned(),
        ),
    ] {
        let body = json!({"identifier": "beyond", "displayName": "Beyond", "tags": tags});
        let response = test
            .call(create_customer::handle, api("POST /customers").json(body).by(&Caller::partner_admin("acme")))
            .await;
        response.assert_problem(400, "validation-failed");
        assert!(response.body["errors"][&field].is_string(), "{field}: {}", response.body);
    }
    let too_many_users: Vec<Value> = (0..=create_customer::MAX_INVITED_USERS)
        .map(|n| json!({"email": format!("u{n}@example.com"), "role": "CUSTOMER_EMPLOYEE"}))
        .collect();
    let body = json!({"identifier": "beyond", "displayName": "Beyond", "users": too_many_users});
    let response =
        test.call(create_customer::handle, api("POST /customers").json(body).by(&Caller::partner_admin("acme"))).await;
    response.assert_problem(400, "validation-failed");
    assert!(response.body["errors"]["users"].is_string());
    let long_name = json!({"identifier": "beyond", "displayName": wide(129)});
    let response = test
        .call(create_customer::handle, api("POST /customers").json(long_name).by(&Caller::partner_admin("acme")))
        .await;
    response.assert_problem(400, "validation-failed");
    assert_eq!(test.items_of("CUSTOMER").await.len(), 0);
}
