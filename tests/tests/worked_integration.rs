//! The worked integration (`examples/integration`, README "A worked integration") against the
//! local cloud, as an integrator tries it before deploying: the committed example's rule in an
//! integrations file, its SQS target read by the integrator's consumer from its built binary (the
//! local cloud following `examples/integration/template.yaml`), a customer disabled through the
//! API. The consumer records the change exactly once, and a redelivery of the same event (SQS and
//! EventBridge deliver at least once) changes nothing.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;
use local_cloud::environment::STACK_NAME;
use meshcustomers_tests::poll::within;
use meshcustomers_tests::repo_root;
use meshcustomers_tests::running_cloud::{RunningCloud, built_binaries, claims};
use meshcustomers_tests::test_app::local_sdk_config;
use serde_json::{Value, json};

const CONSUMER: &str = "customer-status-consumer";

/// The committed example's `customer-status-to-billing` rule, uncommented, its template named
/// from the repository; and a rule with the same pattern to a file, which keeps the events the
/// consumer was sent (to send one again).
fn integrations_file(folder: &Path) -> std::path::PathBuf {
    let example = std::fs::read_to_string(repo_root().join("infra/local/integrations.yaml")).unwrap();
    let rule: String = example
        .lines()
        .skip_while(|line| !line.contains("- Name: customer-status-to-billing"))
        .map(|line| format!("{}\n", line.strip_prefix("# ").unwrap_or(line.trim_start_matches('#'))))
        .collect();
    assert!(rule.contains("Queue: StatusChangesQueue"), "the example has the worked integration's rule:\n{rule}");
    let examples = repo_root().join("examples");
    let rule = rule.replace("../../examples", &examples.display().to_string());
    let capture = "  - Name: captured-status-changes\n    EventPattern:\n      source: [meshcustomers]\n      \
                   detail-type: [CUSTOMER_STATUS_CHANGED]\n    Target:\n      File: captured.jsonl\n";
    let file = folder.join("integrations.yaml");
    std::fs::write(&file, format!("Rules:\n{rule}{capture}")).unwrap();
    file
}

struct BillingTable {
    client: aws_sdk_dynamodb::Client,
    name: String,
}

impl BillingTable {
    async fn item(&self, key: &str) -> Option<Value> {
        let item = self
            .client
            .get_item()
            .table_name(&self.name)
            .key("pk", AttributeValue::S(key.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .expect("the integrator's table exists in DynamoDB Local")
            .item?;
        Some(serde_dynamo::from_item(item).expect("an item"))
    }
}

#[tokio::test]
async fn a_disabled_customer_reaches_the_integrators_consumer_exactly_once() {
    let folder = std::env::temp_dir().join(format!("worked-integration-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&folder).unwrap();
    let file = integrations_file(&folder);
    built_binaries(&[CONSUMER]);
    let cloud = RunningCloud::start_with(&[("LOCAL_INTEGRATIONS_FILE", file.to_str().unwrap())]).await;
    let http = reqwest::Client::new();
    let admin = cloud.token(claims("pat", "pat@acme.example", &["partner-admins"], Some("acme"))).await;
    let created = http
        .post(format!("{}/customers", cloud.api))
        .bearer_auth(&admin)
        .json(&json!({"identifier": "billed-co", "displayName": "Billed Co"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let disabled = http
        .put(format!("{}/customers/billed-co/status", cloud.api))
        .bearer_auth(&admin)
        .json(&json!({"status": "DISABLED", "reason": "Unpaid invoice"}))
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), 200, "{}", disabled.text().await.unwrap());

    let table = BillingTable {
        client: aws_sdk_dynamodb::Client::new(&local_sdk_config(&cloud.dynamodb).await),
        name: format!("{STACK_NAME}-BillingStatusTable"),
    };
    let recorded = within(Duration::from_secs(30), async || {
        table.item("CUSTOMER#billed-co").await.filter(|item| item["status"] == "DISABLED")
    })
    .await
    .unwrap_or_else(|| panic!("the consumer records the change within 30 s; the log:\n{}", cloud.log_tail()));
    let captured = within(Duration::from_secs(10), async || {
        std::fs::read_to_string(folder.join("captured.jsonl")).ok().filter(|text| text.ends_with('\n'))
    })
    .await
    .expect("the file rule got the event");
    let events: Vec<Value> = captured.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(events.len(), 1, "one CUSTOMER_STATUS_CHANGED: {events:#?}");
    let event_id = events[0]["detail"]["eventId"].as_str().unwrap();
    assert_eq!(recorded["lastEventId"], event_id);
    assert_eq!(
        (recorded["billable"].clone(), recorded["statusSince"].clone()),
        (json!(false), events[0]["detail"]["occurredAt"].clone())
    );
    let history = json!([{"eventId": event_id, "from": "ACTIVE", "to": "DISABLED", "at": events[0]["detail"]["occurredAt"], "reason": "Unpaid invoice"}]);
    assert_eq!(recorded["history"], history);
    let mark = table.item(&format!("EVENT#{event_id}")).await.expect("the event's mark");
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    let expires_at = mark["expiresAt"].as_f64().expect("a TTL in epoch seconds") as u64;
    assert!((now + 14 * 86_400..=now + 15 * 86_400).contains(&expires_at), "the mark outlives any redelivery: {mark}");

    // The same event delivered again, as SQS does when a batch's answer is lost: the consumer
    // acknowledges it and applies nothing.
    let redelivery = json!({"Records": [{
        "messageId": "redelivered-1", "receiptHandle": "redelivered-1#2", "body": events[0].to_string(),
        "attributes": {"ApproximateReceiveCount": "2"}, "messageAttributes": {},
        "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-central-1:000000000000:StatusChangesQueue",
        "awsRegion": "eu-central-1",
    }]});
    let answer: Value = http
        .post(format!("{}/2015-03-31/functions/{CONSUMER}/invocations", cloud.lambda))
        .json(&redelivery)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer, json!({"batchItemFailures": []}));
    // Time for the queue to hand over anything it still held, too.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(table.item("CUSTOMER#billed-co").await.unwrap(), recorded, "the redelivery changed nothing");
    let log = cloud.log();
    assert!(log.contains("Duplicate") && log.contains("redelivered-1"), "the consumer logged the duplicate");
    assert!(!log.contains("dead-lettered"), "nothing was dead-lettered");
    std::fs::remove_dir_all(&folder).unwrap();
}

/// The consumer's adapter on DynamoDB Local, in the template's table: a change is applied once,
/// a redelivery is a duplicate, an older change arriving late does not overwrite a newer one,
/// and of 20 concurrent deliveries of one event (SQS may hand copies to several instances)
/// exactly one applies it.
#[tokio::test]
async fn the_billing_adapter_applies_each_event_once_and_keeps_the_latest_status() {
    use customer_status_consumer::billing::{BillingStatuses, Recorded};
    use customer_status_consumer::dynamodb_billing::DynamoDbBilling;
    use customer_status_consumer::status_change::StatusChange;
    use local_cloud::template::Template;

    let endpoint = meshcustomers_tests::local_services::dynamodb_endpoint();
    let client = aws_sdk_dynamodb::Client::new(&local_sdk_config(endpoint).await);
    let template = Template::load(&repo_root().join("examples/integration/template.yaml")).unwrap();
    let name = format!("billing-{}", uuid::Uuid::now_v7());
    let properties = template.table_definition("BillingStatusTable").expect("the template's table");
    local_cloud::services::table::create_table_from(&client, properties, &name).await.unwrap();
    let table = BillingTable { client: client.clone(), name: name.clone() };
    let billing = DynamoDbBilling::new(client, &name);
    let change = |event: &str, at: &str, from: &str, to: &str| {
        let body = json!({"source": "meshcustomers", "detail-type": "CUSTOMER_STATUS_CHANGED", "detail": {
            "eventId": event, "customerId": "late-co", "occurredAt": at, "data": {"from": from, "to": to, "reason": null}}});
        StatusChange::from_message_body(&body.to_string()).unwrap()
    };
    let history = async || table.item("CUSTOMER#late-co").await.unwrap()["history"].as_array().unwrap().len();

    let disabled = change("e2", "2026-01-02T00:00:00.000Z", "ACTIVE", "DISABLED");
    assert_eq!(billing.record(&disabled).await.unwrap(), Recorded::Applied);
    assert_eq!(billing.record(&disabled).await.unwrap(), Recorded::Duplicate);
    let earlier = change("e1", "2026-01-01T00:00:00.000Z", "DISABLED", "ACTIVE");
    assert_eq!(billing.record(&earlier).await.unwrap(), Recorded::Superseded);
    let item = table.item("CUSTOMER#late-co").await.unwrap();
    assert_eq!(
        (item["status"].clone(), item["billable"].clone(), item["lastEventId"].clone()),
        (json!("DISABLED"), json!(false), json!("e2"))
    );
    assert_eq!(history().await, 1);

    let enabled = change("e3", "2026-01-03T00:00:00.000Z", "DISABLED", "ACTIVE");
    let outcomes = futures::future::join_all((0..20).map(|_| billing.record(&enabled))).await;
    let applied = outcomes.iter().filter(|outcome| matches!(outcome, Ok(Recorded::Applied))).count();
    // The others are duplicates, or failed on the transaction conflict (SQS delivers those again:
    // then they are duplicates).
    assert_eq!(applied, 1, "{outcomes:?}");
    assert!(outcomes.iter().all(|outcome| !matches!(outcome, Ok(Recorded::Superseded))), "{outcomes:?}");
    assert_eq!(billing.record(&enabled).await.unwrap(), Recorded::Duplicate);
    assert_eq!(history().await, 2);
    let item = table.item("CUSTOMER#late-co").await.unwrap();
    assert_eq!((item["status"].clone(), item["billable"].clone()), (json!("ACTIVE"), json!(true)));
}
