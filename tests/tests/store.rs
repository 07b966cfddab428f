//! The store's transaction builder on DynamoDB Local (updates, deletes, condition checks, custom
//! conditions, each naming the conflict it stands for), and how the store and the HTTP boundary
//! answer DynamoDB's throttling and failures injected at the SDK boundary.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::Utc;
use meshcustomers::authorization::Role;
use meshcustomers::domain::{CustomerIdentifier, EmailAddress, UserId};
use meshcustomers::events::{Actor, Change, CustomerUpdated, DomainEvent, EventPayload};
use meshcustomers::http::ApiError;
use meshcustomers::store::{Conflict, Expression, Key, StoreError};
use meshcustomers_tests::faults::{Fault, Faults};
use meshcustomers_tests::{Caller, TestApp, TestResponse, api};
use serde_json::json;

use create_customer::handle as create;
use get_customer::handle as get;

fn acme() -> CustomerIdentifier {
    CustomerIdentifier::parse("acme").unwrap()
}

fn renamed(to: &str) -> DomainEvent {
    let actor = Actor { user_id: UserId::parse("u1").unwrap(), email: None, role: Role::PartnerAdmin, api_key: None };
    let change = CustomerUpdated { display_name: Change { from: "Acme".into(), to: to.into() } };
    DomainEvent::new(&acme(), actor, Utc::now(), EventPayload::CustomerUpdated(change))
}

async fn with_customer() -> TestApp {
    let test = TestApp::spawn().await;
    let body = json!({"identifier": "acme", "displayName": "Acme", "users": [{"email": "jo@acme.example", "role": "CUSTOMER_ADMIN"}]});
    let response = test.call(create, api("POST /customers").json(body).by(&Caller::partner_admin("acme"))).await;
    assert_eq!(response.status, 201, "{}", response.body);
    test
}

/// Renames the customer if its version is still `expected`.
async fn rename(test: &TestApp, expected: u64, to: &str) -> Result<(), StoreError> {
    let mut changes = test.store.changes();
    let update = Expression::new("SET displayName = :name, #version = #version + :one")
        .name("#version", "version")
        .value(":name", AttributeValue::S(to.into()))
        .value(":one", AttributeValue::N("1".into()));
    changes.update(
        Key::customer(&acme()),
        update,
        Expression::version_is(expected),
        Conflict::VersionMismatch { current_version: None },
    )?;
    changes.record(renamed(to));
    test.store.commit(changes).await
}

#[tokio::test]
async fn an_update_on_a_stale_version_reports_the_current_one() {
    let test = with_customer().await;
    rename(&test, 1, "Acme One").await.unwrap();
    let stale = rename(&test, 1, "Acme Again").await.unwrap_err();
    assert!(matches!(stale, StoreError::Conflict(Conflict::VersionMismatch { current_version: Some(2) })), "{stale:?}");
    let answer = ApiError::from(stale).into_response();
    assert_eq!(answer.status(), 412);
    assert_eq!(answer.headers()["etag"], "\"2\"");
    let read = test.call(get, api("GET /customers/{id}").param("id", "acme").by(&Caller::partner_admin("acme"))).await;
    assert_eq!(read.body["displayName"], "Acme One");
    assert_eq!(read.header("etag"), Some("\"2\""));
    assert_eq!(test.items_of("OUTBOX").await.len(), 3, "creation (2 events) and the one rename that landed");
}

#[tokio::test]
async fn the_failed_condition_is_the_one_reported_and_nothing_of_the_change_lands() {
    let test = with_customer().await;
    let email = EmailAddress::parse("jo@acme.example").unwrap();
    let before = test.all_items().await.len();

    // A delete that holds, then a check that does not: the check's conflict is reported.
    let mut changes = test.store.changes();
    changes.delete(Key::invitation_email(&acme(), &email), Expression::present(), Conflict::AlreadyMember).unwrap();
    let status_is_pending = Expression::new("#status = :pending")
        .name("#status", "status")
        .value(":pending", AttributeValue::S("PENDING_APPROVAL".into()));
    changes.check(Key::customer(&acme()), status_is_pending, Conflict::IdentifierTaken(acme())).unwrap();
    changes.record(renamed("x"));
    let error = test.store.commit(changes).await.unwrap_err();
    assert!(matches!(error, StoreError::Conflict(Conflict::IdentifierTaken(_))), "{error:?}");
    assert_eq!(test.all_items().await.len(), before, "the delete did not happen, no event was written");

    // The same delete alone lands; a second time its own condition fails with its own conflict.
    let delete = |test: &TestApp| {
        let mut changes = test.store.changes();
        changes
            .delete(
                Key::invitation_email(&acme(), &email),
                Expression::present(),
                Conflict::InvitationPending(email.clone()),
            )
            .unwrap();
        changes.record(renamed("y"));
        changes
    };
    test.store.commit(delete(&test)).await.unwrap();
    assert!(test.items_of("INVITATION_EMAIL").await.is_empty());
    let again = test.store.commit(delete(&test)).await.unwrap_err();
    assert!(matches!(again, StoreError::Conflict(Conflict::InvitationPending(_))), "{again:?}");
}

#[tokio::test]
async fn a_change_without_an_event_is_refused() {
    let test = with_customer().await;
    let mut changes = test.store.changes();
    changes.check(Key::customer(&acme()), Expression::present(), Conflict::AlreadyMember).unwrap();
    assert!(matches!(test.store.commit(changes).await, Err(StoreError::Invariant(_))));
}

async fn create_under(faults: &Faults) -> (TestApp, TestResponse) {
    let test = TestApp::spawn_with_faults(faults).await;
    let body = json!({"identifier": "faulty", "displayName": "Faulty"});
    let response = test.call(create, api("POST /customers").json(body).by(&Caller::partner_admin("acme"))).await;
    (test, response)
}

fn assert_unavailable(response: &TestResponse) {
    response.assert_problem(503, "service-unavailable");
    assert_eq!(response.header("retry-after"), Some("1"));
}

#[tokio::test]
async fn throttled_transaction_items_answer_503_and_write_nothing() {
    let faults = Faults::default();
    let reasons = r#","CancellationReasons":[{"Code":"ThrottlingError","Message":"Throughput exceeds the current capacity"},{"Code":"None"}]"#;
    faults.inject("TransactWriteItems", Fault::status(400, "TransactionCanceledException", reasons));
    let (test, response) = create_under(&faults).await;
    assert_unavailable(&response);
    assert!(test.all_items().await.is_empty());
}

#[tokio::test]
async fn throttling_unreachability_and_server_errors_answer_503() {
    for (operation, fault) in [
        ("TransactWriteItems", Fault::error("ThrottlingException")),
        ("TransactWriteItems", Fault::error("ProvisionedThroughputExceededException")),
        ("TransactWriteItems", Fault::Unreachable),
        ("Query", Fault::error("RequestLimitExceeded")),
        ("Query", Fault::status(500, "InternalServerError", "")),
    ] {
        let faults = Faults::default();
        faults.inject(operation, fault.clone());
        let (test, response) = create_under(&faults).await;
        assert_unavailable(&response);
        assert!(test.all_items().await.is_empty(), "{operation} {fault:?} wrote something");
    }
    let faults = Faults::default();
    faults.inject("BatchGetItem", Fault::Unreachable);
    let test = TestApp::spawn_with_faults(&faults).await;
    let read = test.call(get, api("GET /customers/{id}").param("id", "acme").by(&Caller::partner_admin("acme"))).await;
    assert_unavailable(&read);
}

#[tokio::test]
async fn a_request_dynamodb_refuses_is_our_fault_and_500() {
    let faults = Faults::default();
    faults.inject("TransactWriteItems", Fault::error("ValidationException"));
    let (test, response) = create_under(&faults).await;
    response.assert_problem(500, "internal-error");
    assert!(!response.body.to_string().contains("ValidationException"), "no cause shown");
    assert!(test.all_items().await.is_empty());
}
