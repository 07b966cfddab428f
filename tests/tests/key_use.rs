//! The authorizer's record of a key's use, against DynamoDB Local: `lastUsedAt` is written on the
//! key's item and on its owner's listing item at the first use, then not again within the hour,
//! however many requests (also 20 first uses at once); a key whose listing item is gone (revoked)
//! is not brought back by a late mark.

use std::collections::HashMap;
use std::time::{Instant, SystemTime};

use authorizer::api_key::{ITEM_SORT_KEY, item_key};
use authorizer::authorizer::Authorizer;
use authorizer::jwks::{HttpJwks, IssuerKeys};
use authorizer::settings::Settings;
use authorizer::table::KeyTable;
use aws_sdk_dynamodb::types::AttributeValue;
use meshcustomers_tests::TestApp;
use meshcustomers_tests::test_app::{test_environment, test_variables};

const KEY: &str = "mck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA0";
const OWNER: (&str, &str) = ("CUSTOMER#c1", "APIKEY#k1");

fn authorizer(test: &TestApp) -> Authorizer<HttpJwks, KeyTable> {
    let settings = Settings::read(&test_environment(&test_variables(&test.table))).unwrap();
    Authorizer {
        issuer_keys: IssuerKeys::new(HttpJwks::new(&settings.expected.issuer)),
        expected: settings.expected,
        key_lookup: KeyTable { client: test.dynamodb.clone(), table_name: settings.table_name },
    }
}

async fn put(test: &TestApp, item: HashMap<String, AttributeValue>) {
    test.dynamodb.put_item().table_name(&test.table).set_item(Some(item)).send().await.unwrap();
}

/// The key's item (a customer key of `c1`) and, unless `listed` is false, its owner's item.
async fn store_key(test: &TestApp, listed: bool) {
    let s = |value: &str| AttributeValue::S(value.to_owned());
    put(
        test,
        HashMap::from([
            ("pk".into(), s(&item_key(KEY).unwrap())),
            ("sk".into(), s(ITEM_SORT_KEY)),
            ("keyId".into(), s("k1")),
            ("name".into(), s("ci")),
            ("role".into(), s("CUSTOMER_EMPLOYEE")),
            ("customerId".into(), s("c1")),
        ]),
    )
    .await;
    if listed {
        put(test, HashMap::from([("pk".into(), s(OWNER.0)), ("sk".into(), s(OWNER.1)), ("keyId".into(), s("k1"))]))
            .await;
    }
}

async fn last_used(test: &TestApp, pk: &str, sk: &str) -> Option<String> {
    let item = test
        .dynamodb
        .get_item()
        .table_name(&test.table)
        .key("pk", AttributeValue::S(pk.into()))
        .key("sk", AttributeValue::S(sk.into()))
        .consistent_read(true)
        .send()
        .await
        .unwrap()
        .item?;
    item.get("lastUsedAt").map(|value| value.as_s().unwrap().clone())
}

async fn use_key(authorizer: &Authorizer<HttpJwks, KeyTable>, at: SystemTime) -> bool {
    authorizer.decide(&format!("Bearer {KEY}"), at, Instant::now()).await.unwrap().is_authorized
}

#[tokio::test]
async fn a_key_is_marked_used_once_an_hour_on_both_its_items() {
    let test = TestApp::spawn().await;
    store_key(&test, true).await;
    let authorizer = authorizer(&test);
    let key_pk = item_key(KEY).unwrap();
    let start = SystemTime::now();
    assert!(use_key(&authorizer, start).await);
    let first = last_used(&test, &key_pk, ITEM_SORT_KEY).await.expect("marked at the first use");
    assert_eq!(last_used(&test, OWNER.0, OWNER.1).await.as_ref(), Some(&first), "listed with the same time");
    for minutes in [1, 30, 59] {
        assert!(use_key(&authorizer, start + std::time::Duration::from_secs(minutes * 60)).await);
        assert_eq!(last_used(&test, &key_pk, ITEM_SORT_KEY).await.as_ref(), Some(&first), "{minutes} min later");
    }
    assert!(use_key(&authorizer, start + std::time::Duration::from_secs(3600)).await);
    let later = last_used(&test, &key_pk, ITEM_SORT_KEY).await.unwrap();
    assert!(later > first, "an hour later it is marked again: {first} → {later}");
    assert_eq!(last_used(&test, OWNER.0, OWNER.1).await, Some(later));
}

#[tokio::test]
async fn twenty_first_uses_at_once_are_all_allowed_and_marked_once() {
    let test = TestApp::spawn().await;
    store_key(&test, true).await;
    let authorizer = authorizer(&test);
    let now = SystemTime::now();
    let allowed = futures::future::join_all((0..20).map(|_| use_key(&authorizer, now))).await;
    assert!(allowed.iter().all(|allowed| *allowed), "{allowed:?}");
    let key_pk = item_key(KEY).unwrap();
    let marked = last_used(&test, &key_pk, ITEM_SORT_KEY).await.expect("marked");
    assert_eq!(last_used(&test, OWNER.0, OWNER.1).await, Some(marked));
}

#[tokio::test]
async fn a_mark_does_not_bring_back_a_revoked_keys_listing() {
    let test = TestApp::spawn().await;
    store_key(&test, false).await;
    let authorizer = authorizer(&test);
    assert!(use_key(&authorizer, SystemTime::now()).await, "the key item still there answers (cache window)");
    assert_eq!(last_used(&test, OWNER.0, OWNER.1).await, None);
    let items = test.all_items().await;
    assert!(!items.iter().any(|item| item.get("pk") == Some(&AttributeValue::S(OWNER.0.into()))), "{items:?}");
}
