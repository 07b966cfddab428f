//! Tag definitions (`GET`/`POST /tag-definitions`, `PUT`/`DELETE /tag-definitions/{key}`) and
//! customers' tag values (`PATCH /customers/{id}/tags`): every rule, the rights on restricted
//! tags, what a deletion does to stored values, races, and the events with their schemas.

use meshcustomers::domain::tags::limits::{
    MAX_DEFINITIONS, MAX_EDITED_KEYS, MAX_TAGS, MAX_VALUE_CHARS, MAX_VALUES_PER_TAG,
};
use meshcustomers::domain::{CustomerRole, CustomerStatus};
use meshcustomers::events::MAX_ENTRY_BYTES;
use meshcustomers_tests::pipeline::{RecordingBus, delivered, stream_batch, stream_records};
use meshcustomers_tests::requests::RequestBuilder;
use meshcustomers_tests::schemas::schema_validator;
use meshcustomers_tests::{Caller, TestApp, TestResponse, api, fixtures, repo_root};
use serde_json::{Value, json};

use create_tag_definition::handle as define;
use delete_tag_definition::handle as delete;
use edit_customer_tags::handle as edit_tags;
use list_tag_definitions::handle as list;
use update_tag_definition::handle as replace;

fn definition(body: Value) -> RequestBuilder {
    api("POST /tag-definitions").json(body)
}

fn replacement(key: &str, body: Value) -> RequestBuilder {
    api("PUT /tag-definitions/{key}").param("key", key).json(body)
}

fn deletion(key: &str) -> RequestBuilder {
    api("DELETE /tag-definitions/{key}").param("key", key)
}

fn tag_edit(customer: &str, body: Value) -> RequestBuilder {
    api("PATCH /customers/{id}/tags").param("id", customer).json(body)
}

async fn listed(test: &TestApp) -> Vec<Value> {
    let response = test.call(list, api("GET /tag-definitions").by(&Caller::user("any", "any@example.com"))).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.body["items"].as_array().unwrap().clone()
}

async fn customer(test: &TestApp, identifier: &str) -> Value {
    let read = api("GET /customers/{id}").param("id", identifier).by(&Caller::platform_admin());
    let response = test.call(get_customer::handle, read).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.body
}

fn customer_admin() -> Caller {
    Caller::user("ca", "ca@tagged.example")
}

/// The definitions most tests use, and customer `tagged` of partner acme with an admin and an employee.
async fn tagged_customer(test: &TestApp) {
    fixtures::tag_definitions(
        test,
        json!([
            {"key": "costCenter", "displayName": "Cost center", "valueType": "STRING", "pattern": "[0-9]{4}", "mandatory": true},
            {"key": "billing", "displayName": "Billing", "valueType": "SINGLE_SELECT", "options": ["invoice", "card"], "mandatory": true, "restricted": true},
            {"key": "regions", "displayName": "Regions", "valueType": "MULTI_SELECT", "options": ["eu", "us"]},
            {"key": "seats", "displayName": "Seats", "valueType": "INTEGER"},
            {"key": "owner", "displayName": "Owner", "valueType": "EMAIL"},
            {"key": "vip", "displayName": "VIP", "valueType": "BOOLEAN", "restricted": true}
        ]),
    )
    .await;
    let employee = Caller::user("ce", "ce@tagged.example");
    fixtures::customer(
        test,
        "tagged",
        "acme",
        CustomerStatus::Active,
        &[(&customer_admin(), CustomerRole::CustomerAdmin), (&employee, CustomerRole::CustomerEmployee)],
    )
    .await;
}

/// Sets tags as the platform admin and expects 200.
async fn set_tags(test: &TestApp, customer: &str, body: Value) -> TestResponse {
    let response = test.call(edit_tags, tag_edit(customer, body).by(&Caller::platform_admin())).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response
}

// ------------------------------------------------------------------------------ definitions

#[tokio::test]
async fn a_definition_is_created_and_listed_to_every_signed_in_user() {
    let test = TestApp::spawn().await;
    let body = json!({
        "key": "billing", "displayName": " Billing ", "description": "How the customer pays.\nAsk finance.",
        "valueType": "SINGLE_SELECT", "options": ["invoice", "card"], "mandatory": true, "restricted": true
    });
    let created = test.call(define, definition(body).by(&Caller::partner_admin("acme"))).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("location"), Some("/tag-definitions/billing"));
    assert_eq!(created.header("etag"), Some("\"1\""));
    let expected = json!({
        "key": "billing", "displayName": "Billing", "description": "How the customer pays.\nAsk finance.",
        "valueType": "SINGLE_SELECT", "options": ["invoice", "card"], "mandatory": true, "restricted": true, "version": 1
    });
    assert_eq!(created.body, expected);

    let minimal = json!({"key": "note", "displayName": "Note", "valueType": "STRING"});
    let created = test.call(define, definition(minimal).by(&Caller::platform_admin())).await;
    assert_eq!(
        created.body,
        json!({"key": "note", "displayName": "Note", "description": "", "valueType": "STRING", "mandatory": false, "restricted": false, "version": 1}),
        "defaults: no description, no pattern, neither mandatory nor restricted"
    );
    assert_eq!(listed(&test).await, vec![expected.clone(), created.body.clone()], "by key");

    let events = test.events_of("TAG_DEFINITION_CREATED").await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["customerId"], Value::Null, "installation-wide");
    assert_eq!(events[0]["data"], expected);
    assert_eq!(events[0]["actor"]["role"], "PARTNER_ADMIN");
}

#[tokio::test]
async fn only_platform_and_partner_admins_manage_definitions() {
    let test = TestApp::spawn().await;
    let admin = customer_admin();
    fixtures::customer(&test, "tagged", "acme", CustomerStatus::Active, &[(&admin, CustomerRole::CustomerAdmin)]).await;
    let body = json!({"key": "note", "displayName": "Note", "valueType": "STRING"});
    for caller in [Caller::partner_employee("acme"), admin, Caller::user("u", "u@example.com")] {
        test.call(define, definition(body.clone()).by(&caller)).await.assert_problem(403, "forbidden");
        test.call(replace, replacement("note", body.clone()).by(&caller)).await.assert_problem(403, "forbidden");
        test.call(delete, deletion("note").by(&caller)).await.assert_problem(403, "forbidden");
        assert!(listed(&test).await.is_empty());
    }
    for caller in [Caller::platform_admin(), Caller::partner_admin("globex")] {
        let key = format!("note{}", caller.user_id().len());
        let body = json!({"key": key, "displayName": "Note", "valueType": "STRING"});
        assert_eq!(test.call(define, definition(body).by(&caller)).await.status, 201);
    }
    assert_eq!(listed(&test).await.len(), 2);
}

#[tokio::test]
async fn every_field_of_a_definition_is_checked_and_named() {
    let test = TestApp::spawn().await;
    let base = json!({"key": "note", "displayName": "Note", "valueType": "STRING"});
    let with = |field: &str, value: Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    let long_options: Vec<String> = (0..8).map(|n| format!("{n}{}", "x".repeat(127))).collect();
    let cases = [
        (json!({}), vec!["displayName", "key", "valueType"]),
        (with("key", json!("9lives")), vec!["key"]),
        (with("key", json!("a".repeat(65))), vec!["key"]),
        (with("key", json!(7)), vec!["key"]),
        (with("displayName", json!("  ")), vec!["displayName"]),
        (with("displayName", json!("é".repeat(129))), vec!["displayName"]),
        (with("displayName", json!("a\u{202E}b")), vec!["displayName"]),
        (with("description", json!("é".repeat(1001))), vec!["description"]),
        (with("description", json!("a\u{7}b")), vec!["description"]),
        (with("valueType", json!("COLOUR")), vec!["valueType"]),
        (with("valueType", json!("string")), vec!["valueType"]),
        (with("pattern", json!("(")), vec!["pattern"]),
        (with("pattern", json!("(?<=a)b")), vec!["pattern"]),
        (with("pattern", json!("")), vec!["pattern"]),
        (with("pattern", json!("a".repeat(257))), vec!["pattern"]),
        (with("pattern", json!("\\w{100}\\w{100}\\w{100}")), vec!["pattern"]),
        (with("options", json!(["a"])), vec!["options"]),
        (json!({"key": "n", "displayName": "N", "valueType": "INTEGER", "pattern": "[0-9]+"}), vec!["pattern"]),
        (json!({"key": "n", "displayName": "N", "valueType": "SINGLE_SELECT"}), vec!["options"]),
        (json!({"key": "n", "displayName": "N", "valueType": "SINGLE_SELECT", "options": []}), vec!["options"]),
        (json!({"key": "n", "displayName": "N", "valueType": "MULTI_SELECT", "options": ["a", "a"]}), vec!["options"]),
        (json!({"key": "n", "displayName": "N", "valueType": "MULTI_SELECT", "options": ["a", ""]}), vec!["options"]),
        (json!({"key": "n", "displayName": "N", "valueType": "MULTI_SELECT", "options": ["a", 1]}), vec!["options[1]"]),
        (json!({"key": "n", "displayName": "N", "valueType": "MULTI_SELECT", "options": "a"}), vec!["options"]),
        (
            json!({"key": "n", "displayName": "N", "valueType": "MULTI_SELECT", "options": long_options}),
            vec!["options"],
        ),
        (
            json!({"key": "n", "displayName": "N", "valueType": "MULTI_SELECT", "options": (0..51).map(|n| n.to_string()).collect::<Vec<_>>()}),
            vec!["options"],
        ),
        (with("mandatory", json!("yes")), vec!["mandatory"]),
        (with("restricted", json!(1)), vec!["restricted"]),
        (with("version", json!(3)), vec!["version"]),
    ];
    for (body, fields) in cases {
        let response = test.call(define, definition(body.clone()).by(&Caller::platform_admin())).await;
        response.assert_problem(400, "validation-failed");
        let named: Vec<&str> = response.body["errors"].as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(named, fields, "{body}: {}", response.body);
    }
    assert!(listed(&test).await.is_empty());
    assert!(test.events_of("TAG_DEFINITION_CREATED").await.is_empty());
}

#[tokio::test]
async fn a_key_is_defined_once_even_under_concurrent_creations() {
    let test = TestApp::spawn().await;
    let attempts = (0..10).map(|n| {
        let test = &test;
        async move {
            let body = json!({"key": "contested", "displayName": format!("Attempt {n}"), "valueType": "STRING"});
            test.call(define, definition(body).by(&Caller::platform_admin())).await
        }
    });
    let responses = futures::future::join_all(attempts).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    for response in responses.iter().filter(|r| r.status != 201) {
        response.assert_problem(409, "tag-key-taken");
    }
    assert_eq!(test.events_of("TAG_DEFINITION_CREATED").await.len(), 1);
    let again = json!({"key": "contested", "displayName": "Again", "valueType": "BOOLEAN"});
    test.call(define, definition(again).by(&Caller::partner_admin("acme"))).await.assert_problem(409, "tag-key-taken");
}

#[tokio::test]
async fn a_replacement_keeps_key_and_value_type_and_honours_if_match() {
    let test = TestApp::spawn().await;
    fixtures::tag_definitions(
        &test,
        json!([{"key": "tier", "displayName": "Tier", "valueType": "SINGLE_SELECT", "options": ["gold", "silver"]}]),
    )
    .await;
    let admin = Caller::partner_admin("acme");
    let body = json!({"displayName": "Service tier", "description": "Support level.", "options": ["gold", "silver", "bronze"], "mandatory": true, "restricted": true});
    let replaced = test.call(replace, replacement("tier", body.clone()).by(&admin)).await;
    assert_eq!(replaced.status, 200, "{}", replaced.body);
    assert_eq!(replaced.header("etag"), Some("\"2\""));
    let expected = json!({
        "key": "tier", "displayName": "Service tier", "description": "Support level.", "valueType": "SINGLE_SELECT",
        "options": ["gold", "silver", "bronze"], "mandatory": true, "restricted": true, "version": 2
    });
    assert_eq!(replaced.body, expected);
    assert_eq!(listed(&test).await, vec![expected.clone()]);
    let events = test.events_of("TAG_DEFINITION_UPDATED").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["customerId"], Value::Null);
    assert_eq!(events[0]["data"]["key"], "tier");
    assert_eq!(events[0]["data"]["from"]["options"], json!(["gold", "silver"]));
    assert_eq!(events[0]["data"]["to"], expected);

    // The same again, repeating the immutable fields as they are: 200, unchanged, no event.
    let mut same = body.clone();
    same["key"] = json!("tier");
    same["valueType"] = json!("SINGLE_SELECT");
    let unchanged = test.call(replace, replacement("tier", same).by(&admin)).await;
    assert_eq!((unchanged.status, unchanged.header("etag")), (200, Some("\"2\"")));
    assert_eq!(test.events_of("TAG_DEFINITION_UPDATED").await.len(), 1);

    for (field, value) in [("key", json!("level")), ("valueType", json!("MULTI_SELECT")), ("valueType", json!("X"))] {
        let mut changed = body.clone();
        changed[field] = value;
        let refused = test.call(replace, replacement("tier", changed).by(&admin)).await;
        refused.assert_problem(400, "validation-failed");
        assert!(refused.body["errors"][field].as_str().unwrap().contains("cannot change"), "{}", refused.body);
    }
    let refused =
        test.call(replace, replacement("tier", json!({"displayName": "Tier", "pattern": "[a-z]+"})).by(&admin)).await;
    refused.assert_problem(400, "validation-failed");
    assert!(refused.body["errors"]["pattern"].is_string() && refused.body["errors"]["options"].is_string());

    let stale = test
        .call(replace, replacement("tier", json!({"displayName": "Old"})).header("if-match", "\"1\"").by(&admin))
        .await;
    stale.assert_problem(412, "precondition-failed");
    assert_eq!(stale.header("etag"), Some("\"2\""));
    let current = test
        .call(
            replace,
            replacement("tier", json!({"displayName": "Tier", "options": ["gold"]}))
                .header("if-match", "\"2\"")
                .by(&admin),
        )
        .await;
    assert_eq!((current.status, current.header("etag")), (200, Some("\"3\"")));
    assert_eq!(current.body["mandatory"], false, "left out: the default, as in a creation");

    for key in ["unknown", "9lives"] {
        test.call(replace, replacement(key, json!({"displayName": "X"})).by(&admin))
            .await
            .assert_problem(404, "not-found");
    }
    assert_eq!(test.events_of("TAG_DEFINITION_UPDATED").await.len(), 2);
}

#[tokio::test]
async fn concurrent_replacements_each_record_what_they_replaced() {
    let test = TestApp::spawn().await;
    fixtures::tag_definitions(&test, json!([{"key": "note", "displayName": "Note 0", "valueType": "STRING"}])).await;
    let edits = (1..=10).map(|n| {
        let test = &test;
        async move {
            let body = json!({"displayName": format!("Note {n}")});
            test.call(replace, replacement("note", body).by(&Caller::platform_admin())).await
        }
    });
    let responses = futures::future::join_all(edits).await;
    assert!(responses.iter().all(|r| r.status == 200), "{:?}", responses.iter().map(|r| &r.body).collect::<Vec<_>>());
    let events = test.events_of("TAG_DEFINITION_UPDATED").await;
    assert_eq!(events.len(), 10);
    let mut versions: Vec<u64> = events.iter().map(|e| e["data"]["to"]["version"].as_u64().unwrap()).collect();
    versions.sort();
    assert_eq!(versions, (2..=11).collect::<Vec<_>>(), "each replaced the version before it");
    for event in &events {
        assert_eq!(
            event["data"]["from"]["version"].as_u64().unwrap() + 1,
            event["data"]["to"]["version"].as_u64().unwrap()
        );
    }
}

// ------------------------------------------------------------------------------ deletion

/// Deletion retires the key: the definition disappears from the list and can never come back
/// under that key; values customers carry stay stored and readable, unchecked and no longer
/// mandatory; an edit may remove them but not set them. Nothing is scanned.
#[tokio::test]
async fn a_deleted_definition_retires_its_key_and_leaves_stored_values_alone() {
    let test = TestApp::spawn().await;
    tagged_customer(&test).await;
    fixtures::customer(&test, "other", "acme", CustomerStatus::Active, &[]).await;
    set_tags(&test, "tagged", json!({"costCenter": ["1234"], "billing": ["card"], "vip": ["true"]})).await;
    set_tags(&test, "other", json!({"costCenter": ["5678"]})).await;

    test.operations.take_calls();
    let deleted = test.call(delete, deletion("costCenter").by(&Caller::partner_admin("acme"))).await;
    assert_eq!((deleted.status, &deleted.body), (204, &Value::Null));
    let calls: Vec<String> = test.operations.take_calls().into_iter().map(|call| call.operation).collect();
    assert_eq!(calls, ["dynamodb:BatchGetItem", "dynamodb:TransactWriteItems"], "no Scan, no rewrite of customers");
    let deleted_events = test.events_of("TAG_DEFINITION_DELETED").await;
    assert_eq!(deleted_events.len(), 1);
    assert_eq!(deleted_events[0]["customerId"], Value::Null);
    assert_eq!(deleted_events[0]["data"]["key"], "costCenter");
    assert_eq!(deleted_events[0]["data"]["pattern"], "[0-9]{4}");

    let keys: Vec<Value> = listed(&test).await.iter().map(|d| d["key"].clone()).collect();
    assert!(!keys.contains(&json!("costCenter")), "{keys:?}");
    for caller in [Caller::platform_admin(), Caller::partner_admin("globex")] {
        test.call(delete, deletion("costCenter").by(&caller)).await.assert_problem(404, "not-found");
        test.call(replace, replacement("costCenter", json!({"displayName": "Back"})).by(&caller))
            .await
            .assert_problem(404, "not-found");
        for value_type in ["STRING", "BOOLEAN"] {
            let again = json!({"key": "costCenter", "displayName": "Back", "valueType": value_type});
            test.call(define, definition(again).by(&caller)).await.assert_problem(409, "tag-key-retired");
        }
    }

    // Stored values stay, readable.
    assert_eq!(customer(&test, "tagged").await["tags"]["costCenter"], json!(["1234"]));
    assert_eq!(customer(&test, "other").await["tags"]["costCenter"], json!(["5678"]));
    // A retired key can be removed, not set; it is no longer mandatory.
    let set =
        test.call(edit_tags, tag_edit("tagged", json!({"costCenter": ["4321"]})).by(&Caller::platform_admin())).await;
    set.assert_problem(400, "validation-failed");
    assert_eq!(set.body["errors"]["tags.costCenter"], "is no longer defined: its values can only be removed");
    let removed = test.call(edit_tags, tag_edit("tagged", json!({"costCenter": null})).by(&customer_admin())).await;
    assert_eq!(removed.status, 200, "{}", removed.body);
    assert_eq!(removed.body["tags"], json!({"billing": ["card"], "vip": ["true"]}));
    let edited = test.events_of("CUSTOMER_TAGS_EDITED").await;
    assert_eq!(edited.last().unwrap()["data"]["changes"], json!({"costCenter": {"from": ["1234"], "to": null}}));
    // Another edit of that customer leaves the retired key's value alone.
    let untouched = set_tags(&test, "other", json!({"regions": ["eu"]})).await;
    assert_eq!(untouched.body["tags"], json!({"costCenter": ["5678"], "regions": ["eu"]}));

    // A retired restricted key stays the admin area's to remove.
    assert_eq!(test.call(delete, deletion("vip").by(&Caller::platform_admin())).await.status, 204);
    let refused = test.call(edit_tags, tag_edit("tagged", json!({"vip": null})).by(&customer_admin())).await;
    refused.assert_problem(403, "restricted-tag");
    let removed = set_tags(&test, "tagged", json!({"vip": null})).await;
    assert_eq!(removed.body["tags"], json!({"billing": ["card"]}));

    // New customers neither need nor take it.
    let registrant = Caller::user("reg", "reg@example.com");
    let registration = |tags: Value| {
        api("POST /registrations").json(json!({"identifier": "newcomer", "displayName": "Newcomer", "tags": tags}))
    };
    let refused =
        test.call(register_customer::handle, registration(json!({"costCenter": ["1"]})).by(&registrant)).await;
    refused.assert_problem(400, "validation-failed");
    assert_eq!(refused.body["errors"]["tags.costCenter"], "is not a defined tag");
    let registered = test.call(register_customer::handle, registration(json!({})).by(&registrant)).await;
    assert_eq!(registered.status, 201, "a deleted mandatory tag is no longer required: {}", registered.body);
}

// ------------------------------------------------------------------------------ the bound

/// At most 100 definitions are in use, also when each is as large as the limits allow; then the
/// whole catalog is still one Query. A deletion makes room again.
#[tokio::test]
async fn the_largest_catalog_is_one_query_and_the_next_definition_is_refused() {
    let test = TestApp::spawn().await;
    let wide = |seed: u32, chars: usize| char::from_u32(0x1F600 + seed).unwrap().to_string().repeat(chars);
    for index in 0..MAX_DEFINITIONS {
        let options: Vec<String> = (0..50).map(|n| wide(n, 20)).collect();
        let body = json!({
            "key": format!("k{index:03}{}", "x".repeat(60)), "displayName": wide(0, 128), "description": wide(1, 1000),
            "valueType": "MULTI_SELECT", "options": options, "mandatory": false, "restricted": true
        });
        let response = test.call(define, definition(body).by(&Caller::platform_admin())).await;
        assert_eq!(response.status, 201, "{}", response.body);
    }
    test.operations.take_calls();
    assert_eq!(listed(&test).await.len(), MAX_DEFINITIONS);
    let calls = test.operations.take_calls();
    assert_eq!(calls.len(), 1, "one Query for the largest catalog: {calls:?}");
    assert_eq!(calls[0].scanned, Some(MAX_DEFINITIONS as i32), "and it reads no retired key or counter");

    let one_more = json!({"key": "oneMore", "displayName": "One more", "valueType": "BOOLEAN"});
    let full = test.call(define, definition(one_more.clone()).by(&Caller::partner_admin("acme"))).await;
    full.assert_problem(409, "tag-definitions-full");
    let doomed = format!("k000{}", "x".repeat(60));
    assert_eq!(test.call(delete, deletion(&doomed).by(&Caller::platform_admin())).await.status, 204);
    assert_eq!(test.call(define, definition(one_more).by(&Caller::partner_admin("acme"))).await.status, 201);
    assert_eq!(listed(&test).await.len(), MAX_DEFINITIONS);
}

// ------------------------------------------------------------------------------ tag values

#[tokio::test]
async fn an_edit_merges_canonical_values_and_records_only_what_changed() {
    let test = TestApp::spawn().await;
    tagged_customer(&test).await;
    let first =
        set_tags(&test, "tagged", json!({"costCenter": ["1234"], "billing": ["card"], "seats": [" 007"]})).await;
    assert_eq!(first.body["tags"], json!({"billing": ["card"], "costCenter": ["1234"], "seats": ["7"]}));
    assert_eq!((first.body["version"].clone(), first.header("etag")), (json!(2), Some("\"2\"")));

    let second = set_tags(
        &test,
        "tagged",
        json!({"seats": ["7"], "regions": ["us", "eu", "us"], "owner": ["Jo@Tagged.Example"], "billing": ["invoice"]}),
    )
    .await;
    assert_eq!(
        second.body["tags"],
        json!({"billing": ["invoice"], "costCenter": ["1234"], "owner": ["jo@tagged.example"], "regions": ["eu", "us"], "seats": ["7"]})
    );
    let events = test.events_of("CUSTOMER_TAGS_EDITED").await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["customerId"], "tagged");
    assert_eq!(
        events[0]["data"]["changes"],
        json!({"billing": {"from": null, "to": ["card"]}, "costCenter": {"from": null, "to": ["1234"]}, "seats": {"from": null, "to": ["7"]}})
    );
    assert_eq!(
        events[1]["data"]["changes"],
        json!({
            "billing": {"from": ["card"], "to": ["invoice"]},
            "owner": {"from": null, "to": ["jo@tagged.example"]},
            "regions": {"from": null, "to": ["eu", "us"]}
        }),
        "seats was sent as it is stored: not a change"
    );

    // Removing, and removing what is not there.
    let third = set_tags(&test, "tagged", json!({"regions": null, "owner": null, "seats": null})).await;
    assert_eq!(third.body["tags"], json!({"billing": ["invoice"], "costCenter": ["1234"]}));
    assert_eq!(events_changes(&test).await.last().unwrap().as_object().unwrap().len(), 3);
    // Nothing changes: 200, the same version, no event.
    for unchanged in [json!({}), json!({"regions": null}), json!({"costCenter": ["1234"], "billing": ["invoice"]})] {
        let response = set_tags(&test, "tagged", unchanged).await;
        assert_eq!((response.body["version"].clone(), response.header("etag")), (json!(4), Some("\"4\"")));
    }
    assert_eq!(test.events_of("CUSTOMER_TAGS_EDITED").await.len(), 3);
}

async fn events_changes(test: &TestApp) -> Vec<Value> {
    test.events_of("CUSTOMER_TAGS_EDITED").await.into_iter().map(|e| e["data"]["changes"].clone()).collect()
}

#[tokio::test]
async fn invalid_values_are_400_naming_each_key_and_change_nothing() {
    let test = TestApp::spawn().await;
    tagged_customer(&test).await;
    set_tags(&test, "tagged", json!({"costCenter": ["1234"]})).await;
    let items = test.all_items().await;
    let cases = [
        (json!({"colour": ["red"]}), "tags.colour", "is not a defined tag"),
        (json!({"not a key": ["x"]}), "tags.not a key", "is not a defined tag"),
        (json!({"colour": null}), "tags.colour", "is not a defined tag"),
        (json!({"seats": ["many"]}), "tags.seats", "must be a whole number"),
        (json!({"seats": ["1", "2"]}), "tags.seats", "takes exactly one integer"),
        (json!({"regions": ["mars"]}), "tags.regions", "option \"mars\" is not allowed"),
        (json!({"billing": ["cash"]}), "tags.billing", "option \"cash\" is not allowed"),
        (json!({"costCenter": ["12"]}), "tags.costCenter", "value \"12\" does not match the tag's pattern"),
        (json!({"owner": ["nobody"]}), "tags.owner", ""),
        (json!({"regions": []}), "tags.regions", "must have at least one value"),
        (json!({"regions": "eu"}), "tags.regions", "must be a list of strings, or null to remove the tag"),
        (json!({"regions": [1]}), "tags.regions", "must be a list of strings, or null to remove the tag"),
        (json!({"regions": vec!["eu"; MAX_VALUES_PER_TAG + 1]}), "tags.regions", ""),
        (json!({"owner": ["x".repeat(MAX_VALUE_CHARS + 1)]}), "tags.owner", ""),
        (json!({"costCenter": null}), "tags.costCenter", "is mandatory"),
        (
            (0..=MAX_EDITED_KEYS).map(|n| (format!("k{n}"), json!(null))).collect::<serde_json::Map<_, _>>().into(),
            "tags",
            "an edit names at most 40 tags",
        ),
    ];
    for (body, field, message) in cases {
        let response = test.call(edit_tags, tag_edit("tagged", body.clone()).by(&Caller::platform_admin())).await;
        response.assert_problem(400, "validation-failed");
        let error = response.body["errors"][field].as_str().unwrap_or_else(|| panic!("{body}: {}", response.body));
        assert!(error.starts_with(message), "{body}: {error}");
    }
    let body_not_object =
        test.call(edit_tags, tag_edit("tagged", json!([["costCenter", "1234"]])).by(&Caller::platform_admin())).await;
    body_not_object.assert_problem(400, "validation-failed");
    assert_eq!(test.all_items().await, items, "nothing changed");
}

#[tokio::test]
async fn a_customer_carries_at_most_twenty_tags_after_the_merge() {
    let test = TestApp::spawn().await;
    let definitions: Vec<Value> = (0..=MAX_TAGS)
        .map(|n| json!({"key": format!("k{n:02}"), "displayName": "Free", "valueType": "STRING"}))
        .collect();
    fixtures::tag_definitions(&test, json!(definitions)).await;
    fixtures::customer(&test, "full", "acme", CustomerStatus::Active, &[]).await;
    let twenty: serde_json::Map<String, Value> = (0..MAX_TAGS).map(|n| (format!("k{n:02}"), json!(["v"]))).collect();
    set_tags(&test, "full", twenty.into()).await;
    let one_more = json!({format!("k{MAX_TAGS:02}"): ["v"]});
    let refused = test.call(edit_tags, tag_edit("full", one_more.clone()).by(&Caller::platform_admin())).await;
    refused.assert_problem(400, "validation-failed");
    assert_eq!(refused.body["errors"]["tags"], "must have at most 20 tags");
    let mut swap = one_more;
    swap["k00"] = Value::Null;
    let swapped = set_tags(&test, "full", swap).await;
    assert_eq!(swapped.body["tags"].as_object().unwrap().len(), MAX_TAGS);
}

#[tokio::test]
async fn restricted_tags_are_the_admin_areas() {
    let test = TestApp::spawn().await;
    tagged_customer(&test).await;
    set_tags(&test, "tagged", json!({"costCenter": ["1234"], "billing": ["card"], "vip": ["true"]})).await;
    let stored = customer(&test, "tagged").await;

    // A customer admin naming a restricted key, set or removed: 403, and nothing changes.
    for body in [
        json!({"billing": ["invoice"]}),
        json!({"vip": null}),
        json!({"regions": ["eu"], "vip": ["false"]}),
        json!({"vip": ["true"]}),
    ] {
        let response = test.call(edit_tags, tag_edit("tagged", body.clone()).by(&customer_admin())).await;
        response.assert_problem(403, "restricted-tag");
        assert!(response.body["detail"].as_str().unwrap().contains("vip") || body.get("billing").is_some());
    }
    assert_eq!(customer(&test, "tagged").await, stored);

    // Its edits of unrestricted keys keep the restricted values it did not name.
    let edited = test
        .call(edit_tags, tag_edit("tagged", json!({"costCenter": ["4321"], "regions": ["eu"]})).by(&customer_admin()))
        .await;
    assert_eq!(edited.status, 200, "{}", edited.body);
    assert_eq!(
        edited.body["tags"],
        json!({"billing": ["card"], "costCenter": ["4321"], "regions": ["eu"], "vip": ["true"]})
    );
    assert_eq!(test.events_of("CUSTOMER_TAGS_EDITED").await.last().unwrap()["actor"]["role"], "CUSTOMER_ADMIN");
    // A mandatory unrestricted tag stays mandatory for it.
    let removed = test.call(edit_tags, tag_edit("tagged", json!({"costCenter": null})).by(&customer_admin())).await;
    removed.assert_problem(400, "validation-failed");
    assert_eq!(removed.body["errors"]["tags.costCenter"], "is mandatory");

    // Every admin-area role in scope writes restricted tags; nobody else writes tags at all.
    let employee = test
        .call(
            edit_tags,
            tag_edit("tagged", json!({"vip": ["false"], "billing": ["invoice"]})).by(&Caller::partner_employee("acme")),
        )
        .await;
    assert_eq!(employee.status, 200, "{}", employee.body);
    let removed =
        test.call(edit_tags, tag_edit("tagged", json!({"vip": null})).by(&Caller::partner_admin("acme"))).await;
    assert_eq!((removed.status, removed.body["tags"].get("vip")), (200, None), "{}", removed.body);
    let refused =
        test.call(edit_tags, tag_edit("tagged", json!({"billing": null})).by(&Caller::platform_admin())).await;
    assert_eq!(refused.body["errors"]["tags.billing"], "is mandatory");
    test.call(edit_tags, tag_edit("tagged", json!({"regions": ["us"]})).by(&Caller::user("ce", "ce@tagged.example")))
        .await
        .assert_problem(403, "forbidden");
    for outsider in [Caller::partner_admin("globex"), Caller::user("nobody", "nobody@example.com")] {
        test.call(edit_tags, tag_edit("tagged", json!({"regions": ["us"]})).by(&outsider))
            .await
            .assert_problem(404, "not-found");
    }
}

#[tokio::test]
async fn an_edit_honours_if_match_and_needs_an_active_customer() {
    let test = TestApp::spawn().await;
    tagged_customer(&test).await;
    let stale = test
        .call(edit_tags, tag_edit("tagged", json!({"seats": ["3"]})).header("if-match", "\"9\"").by(&customer_admin()))
        .await;
    stale.assert_problem(412, "precondition-failed");
    assert_eq!(stale.header("etag"), Some("\"1\""));
    let current = test
        .call(edit_tags, tag_edit("tagged", json!({"seats": ["3"]})).header("if-match", "\"1\"").by(&customer_admin()))
        .await;
    assert_eq!((current.status, current.header("etag")), (200, Some("\"2\"")));

    fixtures::customer(&test, "pending", "acme", CustomerStatus::PendingApproval, &[]).await;
    test.call(edit_tags, tag_edit("pending", json!({"seats": ["3"]})).by(&Caller::platform_admin()))
        .await
        .assert_problem(409, "customer-not-active");
    fixtures::customer(&test, "disabled", "acme", CustomerStatus::Disabled, &[]).await;
    assert_eq!(set_tags(&test, "disabled", json!({"seats": ["3"]})).await.body["tags"], json!({"seats": ["3"]}));
}

/// 20 callers edit 20 different keys at once: every edit survives, each event names only its
/// own key, and the versions count every write.
#[tokio::test]
async fn concurrent_edits_of_different_keys_all_survive() {
    let test = TestApp::spawn().await;
    let definitions: Vec<Value> =
        (0..20).map(|n| json!({"key": format!("k{n:02}"), "displayName": "Free", "valueType": "STRING"})).collect();
    fixtures::tag_definitions(&test, json!(definitions)).await;
    let admins: Vec<Caller> = (0..5).map(|n| Caller::user(&format!("ca{n}"), &format!("ca{n}@busy.example"))).collect();
    let members: Vec<(&Caller, CustomerRole)> =
        admins.iter().map(|admin| (admin, CustomerRole::CustomerAdmin)).collect();
    fixtures::customer(&test, "busy", "acme", CustomerStatus::Active, &members).await;
    let callers: Vec<Caller> = (0..20)
        .map(|n| match n % 4 {
            0 => Caller::platform_admin(),
            1 => Caller::partner_admin("acme"),
            2 => Caller::partner_employee("acme"),
            _ => admins[n / 4].clone(),
        })
        .collect();
    let edits = callers.iter().enumerate().map(|(n, caller)| {
        let test = &test;
        async move {
            test.call(edit_tags, tag_edit("busy", json!({format!("k{n:02}"): [format!("v{n}")]})).by(caller)).await
        }
    });
    let responses = futures::future::join_all(edits).await;
    let failed: Vec<&Value> = responses.iter().filter(|r| r.status != 200).map(|r| &r.body).collect();
    assert!(failed.is_empty(), "{failed:?}");
    let stored = customer(&test, "busy").await;
    let expected: serde_json::Map<String, Value> =
        (0..20).map(|n| (format!("k{n:02}"), json!([format!("v{n}")]))).collect();
    assert_eq!(stored["tags"], Value::Object(expected));
    assert_eq!(stored["version"], 21);
    let events = events_changes(&test).await;
    assert_eq!(events.len(), 20);
    assert!(
        events
            .iter()
            .all(|changes| changes.as_object().unwrap().len() == 1 && changes.to_string().contains("\"from\":null"))
    );
}

// ------------------------------------------------------------------------------ mandatory tags at creation

#[tokio::test]
async fn registration_needs_mandatory_unrestricted_tags_and_creation_mandatory_restricted_ones() {
    let test = TestApp::spawn().await;
    fixtures::tag_definitions(
        &test,
        json!([
            {"key": "costCenter", "displayName": "Cost center", "valueType": "INTEGER", "mandatory": true},
            {"key": "billing", "displayName": "Billing", "valueType": "BOOLEAN", "mandatory": true, "restricted": true}
        ]),
    )
    .await;
    let registrant = Caller::user("reg", "reg@example.com");
    let register = |identifier: &str, tags: Value| {
        api("POST /registrations").json(json!({"identifier": identifier, "displayName": "Registered", "tags": tags}))
    };
    let missing = test.call(register_customer::handle, register("reg-a", json!({})).by(&registrant)).await;
    missing.assert_problem(400, "validation-failed");
    assert_eq!(missing.body["errors"], json!({"tags.costCenter": "is mandatory"}), "restricted ones are not asked for");
    let registered =
        test.call(register_customer::handle, register("reg-a", json!({"costCenter": ["7"]})).by(&registrant)).await;
    assert_eq!(registered.status, 201, "{}", registered.body);

    let create = |identifier: &str, tags: Value| {
        api("POST /customers").json(json!({"identifier": identifier, "displayName": "Created", "tags": tags}))
    };
    let partner = Caller::partner_employee("acme");
    let missing = test.call(create_customer::handle, create("made-a", json!({"costCenter": ["7"]})).by(&partner)).await;
    missing.assert_problem(400, "validation-failed");
    assert_eq!(missing.body["errors"], json!({"tags.billing": "is mandatory"}));
    let created = test
        .call(
            create_customer::handle,
            create("made-a", json!({"costCenter": ["7"], "billing": ["false"]})).by(&partner),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
}

// ------------------------------------------------------------------------------ events

/// The installation-wide events go through the whole pipeline: published, and recorded by the
/// audit writer under the `INSTALLATION` partition (no customer's history shows them).
#[tokio::test]
async fn definition_events_are_published_and_recorded_under_the_installation() {
    let test = TestApp::spawn().await;
    let admin = Caller::platform_admin();
    let body = json!({"key": "note", "displayName": "Note", "valueType": "STRING", "pattern": "[a-z]+"});
    test.call(define, definition(body).by(&admin)).await;
    test.call(replace, replacement("note", json!({"displayName": "Notes"})).by(&admin)).await;
    test.call(delete, deletion("note").by(&admin)).await;
    let bus = RecordingBus::default();
    stream_publisher::handle(&bus, stream_batch(stream_records(&test.table).await)).await.unwrap();
    let entries = bus.entries();
    let types: Vec<&str> = entries.iter().map(|entry| entry.detail_type.as_str()).collect();
    assert_eq!(types, ["TAG_DEFINITION_CREATED", "TAG_DEFINITION_UPDATED", "TAG_DEFINITION_DELETED"]);
    for entry in entries.iter().chain(&entries) {
        audit_writer::handle(&test.store, delivered(entry)).await.unwrap();
    }
    let history = test.items_of("HISTORY").await;
    assert_eq!(history.len(), 3, "once each, redelivery or not");
    assert!(history.iter().all(|item| item["pk"].as_s().unwrap() == "INSTALLATION"));
    for event_type in ["TAG_DEFINITION_CREATED", "TAG_DEFINITION_UPDATED", "TAG_DEFINITION_DELETED"] {
        assert_eq!(test.events_of(event_type).await.len(), 1, "{event_type} is valid against its schema");
    }
}

#[test]
fn the_schema_examples_of_the_definition_events_are_valid() {
    for event_type in ["TAG_DEFINITION_CREATED", "TAG_DEFINITION_UPDATED", "TAG_DEFINITION_DELETED"] {
        let path = repo_root().join(format!("events/schemas/{event_type}.json"));
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let validator = schema_validator(event_type);
        for example in schema["examples"].as_array().unwrap() {
            let errors: Vec<String> = validator.iter_errors(example).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{event_type}: {errors:?}");
        }
        let mut broken = schema["examples"][0].clone();
        broken["customerId"] = json!("acme");
        assert!(!validator.is_valid(&broken), "{event_type}: a definition event belongs to no customer");
    }
}

/// The largest edit the limits allow (20 wide keys removed, 20 others set) stays under
/// EventBridge's entry limit.
#[tokio::test]
async fn the_largest_real_tag_edit_fits_eventbridge() {
    let test = TestApp::spawn().await;
    let key = |n: usize| format!("k{n:02}{}", "x".repeat(61));
    let definitions: Vec<Value> =
        (0..2 * MAX_TAGS).map(|n| json!({"key": key(n), "displayName": "Free", "valueType": "STRING"})).collect();
    fixtures::tag_definitions(&test, json!(definitions)).await;
    fixtures::customer(&test, "x".repeat(32).as_str(), "acme", CustomerStatus::Active, &[]).await;
    let values = json!(vec!["😀".repeat(MAX_VALUE_CHARS); MAX_VALUES_PER_TAG]);
    let first: serde_json::Map<String, Value> = (0..MAX_TAGS).map(|n| (key(n), values.clone())).collect();
    set_tags(&test, &"x".repeat(32), first.into()).await;
    let mut swap: serde_json::Map<String, Value> = (0..MAX_TAGS).map(|n| (key(n), Value::Null)).collect();
    swap.extend((MAX_TAGS..2 * MAX_TAGS).map(|n| (key(n), values.clone())));
    set_tags(&test, &"x".repeat(32), swap.into()).await;
    let bus = RecordingBus::default();
    stream_publisher::handle(&bus, stream_batch(stream_records(&test.table).await)).await.unwrap();
    let largest =
        bus.entries().iter().filter(|e| e.detail_type == "CUSTOMER_TAGS_EDITED").map(|e| e.size()).max().unwrap();
    println!("largest CUSTOMER_TAGS_EDITED through the route: {largest} bytes of {MAX_ENTRY_BYTES}");
    assert!(largest < MAX_ENTRY_BYTES, "{largest} bytes");
}
