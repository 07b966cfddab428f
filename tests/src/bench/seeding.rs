//! Large data sets, written fast: the items come from the store itself (its writes captured and
//! withheld, see [`super::replay`]), so their shape cannot drift from what the functions write,
//! and go to DynamoDB Local in parallel `BatchWriteItem` calls of 25 items. Outbox items are left
//! out: nothing reads them back here, and the data is a state, not a history of changes.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use chrono::{DateTime, Utc};
use futures::StreamExt;
use meshcustomers::authorization::Role;
use meshcustomers::domain::{
    Customer, CustomerIdentifier, CustomerRole, CustomerStatus, DisplayName, JoinedVia, Membership, PartnerId,
    ProjectQuota, TagValues, UserId,
};
use meshcustomers::events::{Actor, DomainEvent, EventEnvelope, EventPayload, MembershipExpiryChanged};
use meshcustomers::secrets::Secret;
use meshcustomers::store::{CursorKey, MembershipChange, MembershipChangeItem, NewCustomer, Store};

use super::replay::{Capture, Request};
use crate::TestApp;
use crate::test_app::TEST_CURSOR_KEY;

type Item = HashMap<String, AttributeValue>;

/// DynamoDB's limit of items per `BatchWriteItem`.
const BATCH: usize = 25;
/// Batches in flight at once; DynamoDB Local is the bottleneck well before this.
const PARALLEL_BATCHES: usize = 8;

pub struct Seeder {
    capture: Capture,
    /// A store whose writes are captured and never sent.
    capturing: Store,
    client: Client,
    table: String,
}

impl Seeder {
    pub fn new(test: &TestApp) -> Self {
        let capture = Capture::withholding_writes();
        let capturing =
            Store::new(capture.client(&test.sdk), &test.table, CursorKey::Fixed(Secret::new(TEST_CURSOR_KEY)));
        Self { capture, capturing, client: Client::new(&test.sdk), table: test.table.clone() }
    }

    /// The items of a new customer of `partner` with `members`, as creating it writes them.
    pub async fn customer_items(&self, identifier: &str, partner: &str, members: &[UserId]) -> Vec<Item> {
        let customer = customer(identifier, partner);
        let members = members
            .iter()
            .map(|user| {
                let role = CustomerRole::CustomerEmployee;
                Membership::new(
                    customer.identifier.clone(),
                    user.clone(),
                    None,
                    None,
                    role,
                    JoinedVia::Invitation,
                    now(),
                )
            })
            .collect();
        // A change records its event; the outbox item it makes is left out below.
        let created = EventPayload::CustomerCreated((&customer).into());
        let events = vec![DomainEvent::new(&customer.identifier, actor(), now(), created)];
        let new = NewCustomer { customer, members, invitations: Vec::new(), events };
        let _ = self.capturing.create_customer(new).await;
        self.captured_items()
    }

    /// The history item of one event of `customer` at `occurred_at`, as the audit writer writes it.
    pub async fn history_items(&self, customer: &str, occurred_at: DateTime<Utc>) -> Vec<Item> {
        let payload = EventPayload::CustomerCreated((&self::customer(customer, "history")).into());
        let event = DomainEvent::new(&identifier(customer), actor(), occurred_at, payload);
        let detail = serde_json::to_value(&event).expect("events serialize");
        let envelope: EventEnvelope = serde_json::from_value(detail.clone()).expect("an event's detail is an envelope");
        let _ = self.capturing.record_history(&envelope, &detail).await;
        self.captured_items()
    }

    /// The items of one employee `user` of `customer` whose membership ends at `ends`, as a join
    /// writes them (the member item and its log entry; the updates of counters are left out).
    pub async fn member_items(&self, customer: &str, user: &str, ends: Option<DateTime<Utc>>) -> Vec<Item> {
        let user = UserId::parse(user).expect("a user id");
        let role = CustomerRole::CustomerEmployee;
        let membership =
            Membership::new(identifier(customer), user.clone(), None, None, role, JoinedVia::Invitation, now())
                .ending(ends);
        let mut changes = self.capturing.changes();
        changes.add_member(&membership).expect("a member is added");
        let ended = MembershipExpiryChanged { user_id: user, from: None, to: ends };
        let event = EventPayload::MembershipExpiryChanged(ended);
        changes.record(DomainEvent::new(&membership.customer_id, actor(), now(), event));
        let _ = self.capturing.commit(changes).await;
        self.captured_items()
    }

    /// The membership log entry of the `n`-th change in `customer` (a role change of one of 20
    /// people, each in turn) committed at `at`, as the commit writes it.
    pub fn membership_change_items(&self, customer: &str, n: usize, at: DateTime<Utc>) -> Vec<Item> {
        let user = UserId::parse(&format!("member-{:02}", n % 20)).expect("a user id");
        let round = n / 20;
        let role = if round.is_multiple_of(2) { CustomerRole::CustomerEmployee } else { CustomerRole::CustomerAdmin };
        let mut membership = Membership::new(identifier(customer), user, None, None, role, JoinedVia::Invitation, at);
        membership.version = round as u64 + 1;
        let entry = MembershipChangeItem::new(&MembershipChange::joined_or_changed(&membership), at)
            .expect("a log entry is made");
        vec![serde_dynamo::to_item(entry).expect("a log entry is an item")]
    }

    fn captured_items(&self) -> Vec<Item> {
        self.capture
            .take()
            .into_iter()
            .flat_map(|request| match request {
                Request::TransactWriteItems(input) => input
                    .transact_items
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|write| write.put.map(|put| put.item))
                    .collect(),
                Request::PutItem(input) => input.item.into_iter().collect(),
                _ => Vec::new(),
            })
            .filter(|item| item.get("entity").and_then(|entity| entity.as_s().ok()).is_none_or(|e| e != "OUTBOX"))
            .collect()
    }

    /// Writes the items `make(n)` gives for `n` in `range`, generating and writing in parallel;
    /// returns how many were written and how long it took.
    pub async fn seed<F, Fut>(&self, range: std::ops::Range<usize>, make: F) -> (usize, Duration)
    where
        F: Fn(usize) -> Fut,
        Fut: Future<Output = Vec<Item>>,
    {
        let started = Instant::now();
        let written: Vec<usize> = futures::stream::iter(range)
            .map(make)
            .buffered(PARALLEL_BATCHES)
            .flat_map(futures::stream::iter)
            .chunks(BATCH)
            .map(|items| write_batch(&self.client, &self.table, items))
            .buffer_unordered(PARALLEL_BATCHES)
            .collect()
            .await;
        (written.iter().sum(), started.elapsed())
    }
}

/// One `BatchWriteItem`, and again with what DynamoDB left unprocessed.
async fn write_batch(client: &Client, table: &str, items: Vec<Item>) -> usize {
    let count = items.len();
    let mut requests: Vec<WriteRequest> = items
        .into_iter()
        .map(|item| {
            let put = PutRequest::builder().set_item(Some(item)).build().expect("an item");
            WriteRequest::builder().put_request(put).build()
        })
        .collect();
    while !requests.is_empty() {
        let output = client
            .batch_write_item()
            .request_items(table, requests)
            .send()
            .await
            .unwrap_or_else(|e| panic!("seeding: BatchWriteItem failed: {e:?}"));
        requests = output.unprocessed_items.and_then(|mut tables| tables.remove(table)).unwrap_or_default();
    }
    count
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn identifier(identifier: &str) -> CustomerIdentifier {
    CustomerIdentifier::parse(identifier).unwrap_or_else(|_| panic!("{identifier} is a valid customer identifier"))
}

fn customer(identifier: &str, partner: &str) -> Customer {
    Customer::new(
        self::identifier(identifier),
        DisplayName::parse(&format!("Seeded {identifier}")).expect("a display name"),
        CustomerStatus::Active,
        PartnerId::parse(partner).expect("a partner id"),
        ProjectQuota::parse(5).expect("a quota"),
        TagValues::new(),
        UserId::parse("seeder").expect("a user id"),
        now(),
    )
}

fn actor() -> Actor {
    Actor {
        user_id: UserId::parse("seeder").expect("a user id"),
        email: None,
        role: Role::PlatformAdmin,
        api_key: None,
    }
}
