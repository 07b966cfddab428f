//! Section: what it costs. A monthly bill for a stated installation and request mix, computed from
//! the durations the cold-answer section measured in the same run (each function's warm answer,
//! and its cold answer for the share of invocations that start an instance), the template's
//! memory sizes, and list prices of eu-central-1 ([`PRICES`], dated [`PRICE_DATE`]).
//!
//! What is assumed rather than measured is named in the constants below and in README
//! "Performance" (What it costs): the mix, the request units per request class, the log volume.

use std::collections::BTreeMap;

use local_cloud::template::{Function, Template};

use super::{Row, Sizes};

const SECTION: &str = "cost";

/// When the prices were taken, and where from.
pub const PRICE_DATE: &str = "2026-12-07";
pub const PRICE_SOURCE: &str = "AWS public list prices, eu-central-1 (Frankfurt), USD, on-demand, no free tier: \
    aws.amazon.com/{lambda,dynamodb,api-gateway,eventbridge,ses,cognito,cloudwatch,xray,secrets-manager}/pricing";

/// One list price: what is counted, and its price per unit.
pub struct Price {
    pub item: &'static str,
    pub unit: &'static str,
    pub usd: f64,
}

pub const LAMBDA_REQUEST: Price = Price { item: "Lambda requests", unit: "request", usd: 0.20 / 1e6 };
pub const LAMBDA_ARM_GB_SECOND: Price = Price { item: "Lambda duration (arm64)", unit: "GB-s", usd: 0.000_013_333_4 };
pub const HTTP_API_REQUEST: Price = Price { item: "API Gateway HTTP API", unit: "request", usd: 1.20 / 1e6 };
pub const DYNAMODB_WRITE_UNIT: Price = Price { item: "DynamoDB writes", unit: "WRU", usd: 0.7625 / 1e6 };
pub const DYNAMODB_READ_UNIT: Price = Price { item: "DynamoDB reads", unit: "RRU", usd: 0.1525 / 1e6 };
pub const DYNAMODB_STORAGE: Price = Price { item: "DynamoDB storage", unit: "GB-month", usd: 0.306 };
pub const DYNAMODB_BACKUP: Price = Price { item: "DynamoDB point-in-time recovery", unit: "GB-month", usd: 0.2448 };
pub const EVENTBRIDGE_EVENT: Price = Price { item: "EventBridge custom events", unit: "event", usd: 1.00 / 1e6 };
pub const SES_MAIL: Price = Price { item: "SES outbound mail", unit: "mail", usd: 0.10 / 1000.0 };
/// Cognito Essentials (the tier of a new user pool), after its 10,000 free monthly active users.
pub const COGNITO_MAU: Price = Price { item: "Cognito Essentials (over 10,000 MAU)", unit: "MAU", usd: 0.015 };
pub const COGNITO_FREE_MAU: f64 = 10_000.0;
pub const LOG_INGESTION: Price = Price { item: "CloudWatch Logs ingestion", unit: "GB", usd: 0.63 };
/// `Tracing: Active` on every function: X-Ray records a trace per sampled request (its default
/// rule samples the first request each second and 5 % of the rest: nearly all at these rates).
pub const XRAY_TRACE: Price = Price { item: "X-Ray traces recorded (over 100,000)", unit: "trace", usd: 5.00 / 1e6 };
pub const XRAY_FREE_TRACES: f64 = 100_000.0;
pub const SECRET_MONTH: Price = Price { item: "Secrets Manager (cursor key)", unit: "secret-month", usd: 0.40 };
pub const ALARM_MONTH: Price = Price { item: "CloudWatch alarms", unit: "alarm-month", usd: 0.10 };

/// The installation the bill is for.
pub struct Installation {
    pub customers: f64,
    pub users: f64,
    /// Users who sign in at least once in a month (Cognito bills these).
    pub monthly_active_users: f64,
    /// Sessions per active user and month; each makes [`SESSION`]'s requests.
    pub sessions_per_active_user: f64,
    /// Partner staff sessions a month; each makes [`PARTNER_SESSION`]'s requests.
    pub partner_sessions: f64,
    /// Working days a month and hours a day over which the traffic spreads (for the cold starts).
    pub working_days: f64,
    pub working_hours: f64,
}

pub const INSTALLATION: Installation = Installation {
    customers: 1_000.0,
    users: 20_000.0,
    monthly_active_users: 12_000.0,
    sessions_per_active_user: 8.0,
    partner_sessions: 2_000.0,
    working_days: 21.0,
    working_hours: 10.0,
};

/// A customer user's session: the portal's first screens, and opening a tenant's console.
pub const SESSION: &[(&str, f64)] = &[
    ("list-my-messages", 1.0),
    ("list-my-customers", 1.0),
    ("get-customer", 1.0),
    ("list-projects", 1.0),
    ("get-project", 0.5),
    ("open-tenant-access", 0.5),
    ("list-customer-users", 0.2),
    ("list-invitations", 0.1),
    ("list-customer-messages", 0.1),
    ("list-service-users", 0.05),
    ("list-customer-api-keys", 0.02),
    ("list-platforms", 0.1),
    ("export-access-review", 0.005),
    ("list-access-reviews", 0.005),
];

/// A partner's staff session: their customers, one customer in detail.
pub const PARTNER_SESSION: &[(&str, f64)] = &[
    ("list-customers", 3.0),
    ("get-customer", 3.0),
    ("list-customer-events", 1.0),
    ("list-customer-users", 1.0),
    ("list-tag-definitions", 1.0),
    ("list-my-messages", 1.0),
];

/// Changes per customer and month (a customer of ~20 users with ~3 projects, 3 % of users
/// turning over a month).
pub const WRITES_PER_CUSTOMER: &[(&str, f64)] = &[
    ("invite-user", 0.6),
    ("accept-invitation", 0.55),
    ("resend-invitation", 0.06),
    ("cancel-invitation", 0.03),
    ("change-member-role", 0.1),
    ("change-member-expiry", 0.05),
    // A quarterly access review per customer.
    ("review-access", 0.33),
    ("remove-member", 0.5),
    ("add-myself", 0.02),
    ("create-project", 0.2),
    ("create-tenant", 0.4),
    ("update-customer", 0.05),
    ("edit-customer-tags", 0.1),
    ("edit-customer-quota", 0.02),
    ("change-customer-status", 0.005),
    ("create-service-user", 0.05),
    ("delete-service-user", 0.02),
    ("create-customer-api-key", 0.01),
    ("revoke-customer-api-key", 0.005),
    ("acknowledge-message", 0.4),
    // New customers: 3 % a month, half self-registered.
    ("register-customer", 0.015),
    ("approve-customer", 0.0125),
    ("reject-customer", 0.0025),
    ("confirm-email", 0.0125),
    ("create-customer", 0.015),
];

/// Installation-wide changes a month.
pub const WRITES_PER_MONTH: &[(&str, f64)] = &[
    ("send-message", 20.0),
    ("create-tag-definition", 2.0),
    ("create-partner-api-key", 5.0),
    ("list-partner-api-keys", 10.0),
    ("revoke-partner-api-key", 2.0),
    ("update-tag-definition", 2.0),
    ("delete-tag-definition", 1.0),
];

/// Of the writes, those whose event the email sender mails (its rule's detail-types).
const MAILED_WRITES: &[&str] =
    &["register-customer", "approve-customer", "reject-customer", "add-myself", "invite-user", "resend-invitation"];
/// Members a message reaches: the fan-out writes one inbox entry each (none is mailed).
const MEMBERS_PER_MESSAGE: f64 = 20.0;
/// An inbox entry with its index entry.
const WRITE_UNITS_PER_DELIVERY: f64 = 2.0;

/// Request units, estimated per request class (not measured: DynamoDB Local reports none that
/// the store asks for). A read: one or two eventually consistent reads of up to a 25-item page
/// (≤ 12 KB: 2 RRU) or one item. A write: a transaction (2 WRU per item-KB) of ~3 items of ≤ 1 KB,
/// each also written to ~2 of the 4 indexes (1 WRU each), plus its outbox item: ~14 WRU.
const READ_UNITS_PER_READ: f64 = 3.0;
const WRITE_UNITS_PER_WRITE: f64 = 14.0;
/// What the event consumers write per event: the audit writer's history entry (2 items with
/// their index entries, conditional) and the outbox item's removal.
const WRITE_UNITS_PER_EVENT: f64 = 6.0;
/// Stored per customer: the customer, ~20 memberships, ~3 projects and tenants, ~2 years of
/// history at the mix's rate (each item ~0.5 KB with its index copies ~1.5 KB).
const STORED_KB_PER_CUSTOMER: f64 = 200.0;
/// CloudWatch Logs per invocation: Lambda's START/END/REPORT lines and the function's JSON line.
const LOG_BYTES_PER_INVOCATION: f64 = 1_200.0;
/// How long Lambda keeps an idle instance (it does not say; minutes are observed): an invocation
/// with none in this long before it starts an instance.
const IDLE_INSTANCE_MINUTES: f64 = 10.0;
/// `rate(1 hour)` of expire-registrations.
const SCHEDULED_RUNS: f64 = 24.0 * 30.0;
/// `rate(5 minutes)` of expire-memberships.
const FIVE_MINUTE_RUNS: f64 = 12.0 * 24.0 * 30.0;

/// What one function is asked a month, and what that costs.
struct FunctionBill {
    invocations: f64,
    cold_share: f64,
    gb_seconds: f64,
}

/// One item of the bill.
pub struct Item {
    pub item: String,
    pub quantity: f64,
    pub unit: String,
    pub usd: f64,
}

pub async fn rows(sizes: &Sizes, measured: &[Row]) -> Vec<Row> {
    let measured = if measured.iter().any(|row| row.section == "cold-answer") {
        measured.to_vec()
    } else {
        super::cold_answer::rows(sizes).await
    };
    let durations = durations(&measured);
    let functions = Template::of_repo().expect("the template reads").functions().expect("the template's functions");
    let alarms = template_resources("AWS::CloudWatch::Alarm");
    let (items, cold_share) = bill(&functions, &durations, alarms);
    let total: f64 = items.iter().map(|item| item.usd).sum();
    let mut rows: Vec<Row> = items
        .iter()
        .map(|item| {
            Row::new(SECTION, item.item.clone()).figure("per month", item.usd, "USD").figure(
                "quantity",
                item.quantity,
                &item.unit,
            )
        })
        .collect();
    rows.push(
        Row::new(
            SECTION,
            format!(
                "total a month: {} customers, {} users ({} active), prices of {PRICE_DATE}",
                INSTALLATION.customers, INSTALLATION.users, INSTALLATION.monthly_active_users
            ),
        )
        .figure("total", total, "USD")
        .figure("per customer", total / INSTALLATION.customers, "USD")
        .figure("invocations that start an instance", 100.0 * cold_share, "%"),
    );
    rows
}

/// Per function, its median warm and cold answer (ms) from the cold-answer rows.
fn durations(rows: &[Row]) -> BTreeMap<String, (f64, f64)> {
    let figure = |row: &Row, name: &str| row.figures.iter().find(|f| f.name == name).map(|f| f.value);
    rows.iter()
        .filter(|row| row.section == "cold-answer")
        .filter_map(|row| Some((row.subject.clone(), (figure(row, "warm")?, figure(row, "cold answer")?))))
        .collect()
}

/// Requests a month per function binary: the sessions' reads, the writes, and what the events
/// of the writes invoke.
fn requests() -> (BTreeMap<&'static str, f64>, f64) {
    let mut requests: BTreeMap<&'static str, f64> = BTreeMap::new();
    let sessions = INSTALLATION.monthly_active_users * INSTALLATION.sessions_per_active_user;
    for (function, per_session) in SESSION {
        *requests.entry(function).or_default() += per_session * sessions;
    }
    for (function, per_session) in PARTNER_SESSION {
        *requests.entry(function).or_default() += per_session * INSTALLATION.partner_sessions;
    }
    let mut writes = 0.0;
    let per_customer = WRITES_PER_CUSTOMER.iter().map(|(f, n)| (*f, n * INSTALLATION.customers));
    for (function, count) in per_customer.chain(WRITES_PER_MONTH.iter().copied()) {
        *requests.entry(function).or_default() += count;
        writes += count;
    }
    (requests, writes)
}

fn template_resources(kind: &str) -> usize {
    Template::of_repo().expect("the template reads").resources_of_type(kind).count()
}

/// The bill's items, the largest first, and the share of invocations that start an instance.
fn bill(functions: &[Function], durations: &BTreeMap<String, (f64, f64)>, alarms: usize) -> (Vec<Item>, f64) {
    let (api_requests, writes) = requests();
    let api_total: f64 = api_requests.values().sum();
    let mailed: f64 = MAILED_WRITES.iter().map(|f| api_requests.get(f).copied().unwrap_or_default()).sum();
    let messages = api_requests.get("send-message").copied().unwrap_or_default();
    // Every write puts one event; at this rate each reaches the publisher in a batch of its own.
    let mut invocations: BTreeMap<&str, f64> = api_requests.clone();
    invocations.insert("stream-publisher", writes);
    invocations.insert("audit-writer", writes);
    invocations.insert("email-sender", mailed);
    invocations.insert("message-fanout", messages);
    invocations.insert("expire-registrations", SCHEDULED_RUNS);
    invocations.insert("expire-memberships", FIVE_MINUTE_RUNS);

    let minutes = INSTALLATION.working_days * INSTALLATION.working_hours * 60.0;
    let mut lambda = Vec::new();
    for function in functions {
        let count = invocations.get(function.binary.as_str()).copied().unwrap_or_default();
        let (warm, cold) = durations.get(&function.binary).copied().unwrap_or((f64::NAN, f64::NAN));
        // Poisson arrivals over the working hours: cold when none came in the idle window before.
        let cold_share = (-(count / minutes) * IDLE_INSTANCE_MINUTES).exp();
        let billed_ms = (1.0 - cold_share) * warm.ceil() + cold_share * cold.ceil();
        let gb = f64::from(function.configuration.memory_size) / 1024.0;
        lambda.push(FunctionBill { invocations: count, cold_share, gb_seconds: count * billed_ms / 1000.0 * gb });
    }
    let lambda_invocations: f64 = lambda.iter().map(|f| f.invocations).sum();
    let gb_seconds: f64 = lambda.iter().map(|f| f.gb_seconds).sum();
    let cold_starts: f64 = lambda.iter().map(|f| f.invocations * f.cold_share).sum();
    let events = writes;
    let stored_gb = INSTALLATION.customers * STORED_KB_PER_CUSTOMER / 1e6;
    let deliveries = messages * MEMBERS_PER_MESSAGE;
    let write_units =
        writes * WRITE_UNITS_PER_WRITE + events * WRITE_UNITS_PER_EVENT + deliveries * WRITE_UNITS_PER_DELIVERY;

    let item = |price: &Price, quantity: f64| Item {
        item: price.item.to_owned(),
        quantity,
        unit: price.unit.to_owned(),
        usd: quantity * price.usd,
    };
    let mut items = vec![
        item(&HTTP_API_REQUEST, api_total),
        item(&LAMBDA_REQUEST, lambda_invocations),
        item(&LAMBDA_ARM_GB_SECOND, gb_seconds),
        item(&DYNAMODB_READ_UNIT, (api_total - writes) * READ_UNITS_PER_READ),
        item(&DYNAMODB_WRITE_UNIT, write_units),
        item(&DYNAMODB_STORAGE, stored_gb),
        item(&DYNAMODB_BACKUP, stored_gb),
        item(&EVENTBRIDGE_EVENT, events),
        item(&SES_MAIL, mailed),
        item(&COGNITO_MAU, (INSTALLATION.monthly_active_users - COGNITO_FREE_MAU).max(0.0)),
        item(&LOG_INGESTION, lambda_invocations * LOG_BYTES_PER_INVOCATION / 1e9),
        item(&XRAY_TRACE, (lambda_invocations - XRAY_FREE_TRACES).max(0.0)),
        item(&SECRET_MONTH, 1.0),
        item(&ALARM_MONTH, alarms as f64),
    ];
    items.sort_by(|a, b| b.usd.total_cmp(&a.usd));
    (items, cold_starts / lambda_invocations)
}
