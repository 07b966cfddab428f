//! The authorizer's warm answer (issue 23), in process: the decision for a person's ID token (its
//! issuer's keys already fetched, as after the first request of a warm instance) and for a key
//! (its hash, the check and the context; the item from memory), goal ≤ 2 ms each. Then the key's
//! whole answer with its one GetItem against DynamoDB Local, which a request pays on a cache miss
//! besides API Gateway's own step (informative: the network is DynamoDB Local's, not AWS's).

use std::time::{Duration, Instant, SystemTime};

use authorizer::api_key::{ITEM_SORT_KEY, StoredKey, item_key};
use authorizer::authorizer::{Authorizer, KeyLookup, LookupError};
use authorizer::id_token::Expected;
use authorizer::jwks::{FetchError, IssuerKeys, JwksSource};
use authorizer::table::KeyTable;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use jsonwebtoken::jwk::JwkSet;
use local_cloud::signin::tokens::{Issuer, TokenRequest};

use super::stats::summarize;
use super::{Row, Sizes};
use crate::TestApp;

const SECTION: &str = "authorizer";
const MAX_MILLIS: f64 = 2.0;
const ISSUER: &str = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_bench";
const AUDIENCE: &str = "bench-client";
const KEY: &str = "mck_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB0";

/// The pool's published keys, as fetched once by a warm instance.
struct Published(JwkSet);

impl JwksSource for Published {
    async fn fetch(&self) -> Result<JwkSet, FetchError> {
        Ok(self.0.clone())
    }
}

/// One key, in memory: the decision's own work, without the read.
struct InMemory(StoredKey);

impl KeyLookup for InMemory {
    async fn find(&self, _: &str) -> Result<Option<StoredKey>, LookupError> {
        Ok(Some(self.0.clone()))
    }

    async fn mark_used(&self, _: &str, _: &StoredKey, _: DateTime<Utc>) -> Result<(), LookupError> {
        Ok(())
    }
}

/// A key used a minute ago: a warm answer marks nothing (at most once an hour).
fn stored_key() -> StoredKey {
    serde_json::from_value(serde_json::json!({
        "keyId": "0190a0c4-7d2e-7c3a-9b1e-2f3a4b5c6d7e", "name": "bench", "role": "PARTNER_ADMIN",
        "partnerId": "acme", "lastUsedAt": (Utc::now() - chrono::TimeDelta::minutes(1)).to_rfc3339(),
    }))
    .expect("a stored key")
}

fn expected() -> Expected {
    Expected { issuer: ISSUER.into(), audience: AUDIENCE.into() }
}

/// `iterations` warm decisions of `header` (after as many untimed ones), each checked allowed.
async fn time<S: JwksSource, L: KeyLookup>(
    authorizer: &Authorizer<S, L>,
    header: &str,
    iterations: usize,
) -> Vec<Duration> {
    let mut times = Vec::with_capacity(iterations);
    for round in 0..iterations * 2 {
        let started = Instant::now();
        let response = authorizer.decide(header, SystemTime::now(), Instant::now()).await.expect("decides");
        let took = started.elapsed();
        assert!(response.is_authorized, "the bench's credential is refused");
        if round >= iterations {
            times.push(took);
        }
    }
    times
}

fn row(subject: &str, times: &[Duration], goal: Option<f64>) -> Row {
    let summary = summarize(times);
    let row = Row::new(SECTION, subject)
        .figure("median", summary.median, "ms")
        .figure("p95", summary.p95, "ms")
        .figure("max", summary.max, "ms");
    match goal {
        Some(limit) => row.at_most(format!("≤ {limit} ms in process"), summary.median, limit),
        None => row,
    }
}

pub async fn rows(sizes: &Sizes) -> Vec<Row> {
    let iterations = sizes.overhead_iterations.max(3);
    let issuer = Issuer::ephemeral(ISSUER, AUDIENCE).expect("an issuer");
    let person = TokenRequest {
        sub: "bench-person".into(),
        email: Some("pat@acme.example".into()),
        groups: vec!["partner-admins".into()],
        partner_id: Some("acme".into()),
        ..TokenRequest::default()
    };
    let token = format!("Bearer {}", issuer.mint(&person, SystemTime::now()));
    let for_tokens = Authorizer {
        expected: expected(),
        issuer_keys: IssuerKeys::new(Published(issuer.jwks())),
        key_lookup: InMemory(stored_key()),
    };
    let id_token = time(&for_tokens, &token, iterations).await;
    let key = format!("Bearer {KEY}");
    let in_process = time(&for_tokens, &key, iterations).await;

    let test = TestApp::spawn().await;
    let mut item: std::collections::HashMap<String, AttributeValue> = serde_dynamo::to_item(serde_json::json!({
        "pk": item_key(KEY).expect("a well-formed key"), "sk": ITEM_SORT_KEY,
        "keyId": "0190a0c4-7d2e-7c3a-9b1e-2f3a4b5c6d7e", "name": "bench", "role": "PARTNER_ADMIN", "partnerId": "acme",
    }))
    .expect("an item");
    item.insert("lastUsedAt".into(), AttributeValue::S(Utc::now().to_rfc3339()));
    test.dynamodb.put_item().table_name(&test.table).set_item(Some(item)).send().await.expect("the key is stored");
    let with_table = Authorizer {
        expected: expected(),
        issuer_keys: IssuerKeys::new(Published(issuer.jwks())),
        key_lookup: KeyTable { client: test.dynamodb.clone(), table_name: test.table.clone() },
    };
    let with_read = time(&with_table, &key, iterations).await;
    vec![
        row("warm answer, ID token (RS256 verified, keys cached)", &id_token, Some(MAX_MILLIS)),
        row("warm answer, API key (hash, check, context; item from memory)", &in_process, Some(MAX_MILLIS)),
        row("API key with its GetItem (DynamoDB Local): a cache miss's work", &with_read, None),
    ]
}
