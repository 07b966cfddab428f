//! What the cold-answer and arm64-run sections hand each function for its invocations: the state
//! seeded so that every one succeeds (a mutating route gets a target of its own for each attempt),
//! the API Gateway request of every route, and for the consumers a real event: the bus's delivery
//! of an event from the table's outbox, or a batch of the table's stream.

use chrono::{Duration, Utc};
use local_cloud::template::Function;
use meshcustomers::domain::{
    ApiKeyRole, CustomerIdentifier, CustomerRole, CustomerStatus, GeneratedId, KeyOwner, LinkToken, MessageMode,
    PartnerId,
};
use serde_json::{Value, json};

use super::event::ApiRequest;
use crate::pipeline::stream_records;
use crate::{Caller, TestApp, fixtures, repo_root};

pub const CUSTOMER: &str = "bench-co";
const PARTNER: &str = "acme";
const PROJECT: &str = "bench-project";
/// The customer whose status is disabled by the first invocation and enabled by the warm one.
const STATUS_CUSTOMER: &str = "bench-status";
/// Invitations accepted by the bench are into this customer.
const INVITING: &str = "bench-inviting";
/// Its two messages are what the bus delivers to the audit writer and the fan-out.
const FANOUT_CUSTOMER: &str = "bench-fanout";
/// Its two invitations are what the bus delivers to the email sender.
const MAIL_CUSTOMER: &str = "bench-mail";
/// A STRING tag the customer's tag edits set.
const LABEL_TAG: &str = "benchLabel";
/// A tag definition the replacements replace.
const REPLACED_TAG: &str = "benchReplaced";
/// The tenant on `azure` whose console is opened; create-tenant makes one on each of these.
const TENANT: &str = "019bc1a0-0000-7000-8000-000000000001";
/// The platform create-tenant makes a tenant on, in a project of its own for each attempt.
const NEW_TENANT_PLATFORM: &str = "aws";

/// What one invocation hands the function, and so how its success shows.
pub enum BenchEvent {
    /// An API Gateway (2.0) request: the answer is a 2xx response.
    Api(ApiRequest),
    /// An event as the bus delivers it to a rule's target: success is no error posted.
    Bus(Value),
    /// A batch of stream records: no error posted, and no record in `batchItemFailures`.
    StreamBatch(Value),
}

impl BenchEvent {
    pub fn payload(&self) -> Value {
        match self {
            BenchEvent::Api(request) => request.event(),
            BenchEvent::Bus(event) | BenchEvent::StreamBatch(event) => event.clone(),
        }
    }

    /// Why `answer` (the function's output; an error posted never gets here) is not a success.
    pub fn failure(&self, answer: &Value) -> Option<String> {
        match self {
            BenchEvent::Api(_) => {
                let status = answer["statusCode"].as_u64().unwrap_or_default();
                (!(200..300).contains(&status)).then(|| format!("answered {status}: {}", answer["body"]))
            }
            BenchEvent::Bus(_) => None,
            BenchEvent::StreamBatch(_) => {
                let failures = answer["batchItemFailures"].as_array().map_or(0, Vec::len);
                (failures > 0).then(|| format!("reported batch item failures: {answer}"))
            }
        }
    }
}

fn customer_admin() -> Caller {
    Caller::user("bench-admin", "admin@bench-co.example").with("name", "Bench Admin")
}

/// An id of the bench's own for `purpose`'s `attempt` (fewer than 1,000), so that requests can
/// name what was seeded.
fn seeded_id(purpose: usize, attempt: usize) -> GeneratedId {
    GeneratedId::parse(&format!("019bc1a0-0000-7000-8000-{:012}", 1000 + purpose * 1000 + attempt)).unwrap()
}

const TO_CANCEL: usize = 1;
const TO_RESEND: usize = 2;
const TO_ACKNOWLEDGE: usize = 3;
const TO_DELETE: usize = 4;
/// A partner's and a customer's key of the same id, one revoked per attempt of each route.
const TO_REVOKE: usize = 5;

fn new_projects(attempt: usize) -> String {
    format!("bench-projects-{attempt}")
}

fn new_tenants(attempt: usize) -> String {
    format!("bench-tenants-{attempt}")
}

fn pending(attempt: usize) -> String {
    format!("bench-pending-{attempt}")
}

fn to_decline(attempt: usize) -> String {
    format!("bench-decline-{attempt}")
}

fn awaiting(attempt: usize) -> String {
    format!("bench-awaiting-{attempt}")
}

fn self_assigned(attempt: usize) -> String {
    format!("bench-self-{attempt}")
}

fn promoted(attempt: usize) -> Caller {
    Caller::user(&format!("bench-promoted-{attempt}"), &format!("promoted-{attempt}@bench-co.example"))
}

fn removed(attempt: usize) -> Caller {
    Caller::user(&format!("bench-removed-{attempt}"), &format!("removed-{attempt}@bench-co.example"))
}

fn invitee(attempt: usize) -> Caller {
    Caller::user(&format!("bench-invitee-{attempt}"), &format!("invitee-{attempt}@shop.example"))
}

fn confirmation_token(attempt: usize) -> LinkToken {
    LinkToken::parse(&format!("bench-link-{attempt:0>32}")).expect("a well-formed token")
}

fn invitation_token(attempt: usize) -> LinkToken {
    LinkToken::parse(&format!("bench-invite-{attempt:0>30}")).expect("a well-formed token")
}

/// The customer with its admin, members to promote and remove, a message in the admin's inbox,
/// a project with a tenant; and for each of `attempts` invocations what a mutating route uses up.
pub async fn seed(test: &TestApp, attempts: usize) {
    let admin = customer_admin();
    let owned_by_admin = [(&admin, CustomerRole::CustomerAdmin)];
    fixtures::customer(test, CUSTOMER, PARTNER, CustomerStatus::Active, &owned_by_admin).await;
    // Joined one by one: with each member's log and address items, the full bench's 45 members
    // would exceed one transaction's 100 items.
    for attempt in 0..attempts {
        for member in [promoted(attempt), removed(attempt)] {
            fixtures::member(test, CUSTOMER, &member, CustomerRole::CustomerEmployee).await;
        }
    }
    fixtures::customer(test, STATUS_CUSTOMER, PARTNER, CustomerStatus::Active, &owned_by_admin).await;
    fixtures::customer(test, INVITING, PARTNER, CustomerStatus::Active, &[]).await;
    fixtures::customer(test, FANOUT_CUSTOMER, PARTNER, CustomerStatus::Active, &owned_by_admin).await;
    fixtures::customer(test, MAIL_CUSTOMER, PARTNER, CustomerStatus::Active, &owned_by_admin).await;
    fixtures::message_in_inbox(test, CUSTOMER, GeneratedId::new(), MessageMode::SingleRead, &[&admin]).await;
    fixtures::project(test, CUSTOMER, &admin, PROJECT).await;
    fixtures::tenant(test, CUSTOMER, &admin, PROJECT, "azure", TENANT).await;
    let definitions = json!([
        {"key": LABEL_TAG, "displayName": "Label", "valueType": "STRING"},
        {"key": REPLACED_TAG, "displayName": "Replaced", "valueType": "STRING"},
    ]);
    fixtures::tag_definitions(test, definitions).await;

    let expires_at = Utc::now() + Duration::hours(1);
    let employee = CustomerRole::CustomerEmployee;
    for attempt in 0..attempts {
        // The project quota is per customer: each attempt's new project and tenant in one of its own.
        let (projects, tenants) = (new_projects(attempt), new_tenants(attempt));
        fixtures::customer(test, &projects, PARTNER, CustomerStatus::Active, &owned_by_admin).await;
        fixtures::customer(test, &tenants, PARTNER, CustomerStatus::Active, &owned_by_admin).await;
        fixtures::project(test, &tenants, &admin, PROJECT).await;
        fixtures::customer(test, &pending(attempt), PARTNER, CustomerStatus::PendingApproval, &owned_by_admin).await;
        fixtures::customer(test, &to_decline(attempt), PARTNER, CustomerStatus::PendingApproval, &[]).await;
        let awaiting_status = CustomerStatus::AwaitingEmailConfirmation;
        fixtures::customer(test, &awaiting(attempt), PARTNER, awaiting_status, &owned_by_admin).await;
        let token = confirmation_token(attempt);
        fixtures::confirmation_link(test, &awaiting(attempt), PARTNER, &admin, &token, expires_at).await;
        fixtures::customer(test, &self_assigned(attempt), PARTNER, CustomerStatus::Active, &[]).await;
        for (purpose, address) in [(TO_CANCEL, "cancel"), (TO_RESEND, "resend")] {
            let email = format!("{address}-{attempt}@bench-co.example");
            fixtures::invitation(test, CUSTOMER, seeded_id(purpose, attempt), &email, employee, expires_at).await;
        }
        let email = &invitee(attempt).claims["email"];
        let invitation = fixtures::invitation(test, INVITING, GeneratedId::new(), email, employee, expires_at).await;
        fixtures::invitation_link(test, &invitation, &invitation_token(attempt)).await;
        let to_acknowledge = seeded_id(TO_ACKNOWLEDGE, attempt);
        fixtures::message_in_inbox(test, CUSTOMER, to_acknowledge, MessageMode::AllMustRead, &[&admin]).await;
        let service_user = seeded_id(TO_DELETE, attempt).to_string();
        fixtures::service_user(test, CUSTOMER, &admin, &service_user, &LinkToken::generate().unwrap()).await;
        // Each owner holds at most 50 keys: these and the attempts' new ones stay below.
        let key = seeded_id(TO_REVOKE, attempt).to_string();
        let partner = KeyOwner::Partner { partner_id: PartnerId::parse(PARTNER).unwrap() };
        fixtures::api_key(test, partner, ApiKeyRole::PartnerEmployee, &key).await;
        let customer = KeyOwner::Customer { customer_id: CustomerIdentifier::parse(CUSTOMER).unwrap() };
        fixtures::api_key(test, customer, ApiKeyRole::CustomerEmployee, &key).await;
        let doomed = json!([{"key": format!("benchDoomed{attempt}"), "displayName": "Doomed", "valueType": "BOOLEAN"}]);
        fixtures::tag_definitions(test, doomed).await;
        // Written, not yet delivered: the fan-out delivers them, the email sender mails them.
        fixtures::message_in_inbox(test, FANOUT_CUSTOMER, GeneratedId::new(), MessageMode::AllMustRead, &[]).await;
        let email = format!("mailed-{attempt}@shop.example");
        fixtures::invitation(test, MAIL_CUSTOMER, GeneratedId::new(), &email, employee, expires_at).await;
    }
}

/// What `function` is handed on `attempt` (of the `attempts` seeded).
pub async fn event_for(test: &TestApp, function: &Function, attempt: usize, attempts: usize) -> BenchEvent {
    if let Some(request) = request_for(&function.binary, attempt) {
        return BenchEvent::Api(request);
    }
    match function.binary.as_str() {
        "audit-writer" | "message-fanout" => {
            BenchEvent::Bus(delivered_event(test, function, FANOUT_CUSTOMER, "MESSAGE_SENT", attempt).await)
        }
        "email-sender" => {
            BenchEvent::Bus(delivered_event(test, function, MAIL_CUSTOMER, "USER_INVITED", attempt).await)
        }
        "stream-publisher" => BenchEvent::StreamBatch(stream_batch(test, function, attempt, attempts).await),
        // EventBridge Scheduler's event: the sweep reads none of it (nothing has expired here).
        "expire-registrations" | "expire-memberships" => BenchEvent::Bus(json!({
            "version": "0", "id": format!("bench-{attempt}"), "detail-type": "Scheduled Event",
            "source": "aws.scheduler", "account": "000000000000", "time": Utc::now().to_rfc3339(),
            "region": "eu-central-1", "resources": [], "detail": "{}"
        })),
        // API Gateway's authorizer event (payload 2.0) with a well-formed key no item holds: one
        // GetItem and a refusal. (The figures for an ID token and a known key come with issue 23's bench.)
        "authorizer" => BenchEvent::Bus(json!({
            "version": "2.0", "type": "REQUEST", "routeKey": "GET /customers",
            "identitySource": [format!("Bearer mck_{:0>43}", attempt)],
        })),
        other => panic!("the bench has no event for {other}: add one to bench/invocations.rs"),
    }
}

/// A valid request (2xx) of every route's function.
fn request_for(function: &str, attempt: usize) -> Option<ApiRequest> {
    let partner_admin = Caller::partner_admin(PARTNER);
    let admin = customer_admin();
    let of_customer = |route: &str, caller: &Caller| ApiRequest::new(route, caller).param("id", CUSTOMER);
    let request = match function {
        "get-customer" => of_customer("GET /customers/{id}", &partner_admin),
        "list-customers" => ApiRequest::new("GET /customers", &partner_admin),
        "create-customer" => ApiRequest::new("POST /customers", &partner_admin)
            .json(json!({"identifier": format!("cold-{attempt}"), "displayName": format!("Cold {attempt}")})),
        "register-customer" => ApiRequest::new(
            "POST /registrations",
            &Caller::user(&format!("registrant-{attempt}"), &format!("registrant-{attempt}@shop.example")),
        )
        .json(json!({"identifier": format!("registered-{attempt}"), "displayName": format!("Registered {attempt}")})),
        "update-customer" => of_customer("PATCH /customers/{id}", &partner_admin)
            .json(json!({"displayName": format!("Bench {attempt}")})),
        "edit-customer-quota" => {
            of_customer("PUT /customers/{id}/quota", &partner_admin).json(json!({"projectQuota": 10 + attempt}))
        }
        "change-customer-status" => {
            // Disabled on even attempts, enabled again on odd ones.
            let status = ["DISABLED", "ACTIVE"][attempt % 2];
            ApiRequest::new("PUT /customers/{id}/status", &partner_admin)
                .param("id", STATUS_CUSTOMER)
                .json(json!({"status": status, "reason": "bench"}))
        }
        "approve-customer" => {
            ApiRequest::new("POST /customers/{id}/approval", &partner_admin).param("id", &pending(attempt))
        }
        "reject-customer" => ApiRequest::new("POST /customers/{id}/rejection", &partner_admin)
            .param("id", &to_decline(attempt))
            .json(json!({"reason": "bench"})),
        "confirm-email" => ApiRequest::anonymous("POST /email-confirmations")
            .json(json!({"token": confirmation_token(attempt).expose()})),
        "edit-customer-tags" => {
            of_customer("PATCH /customers/{id}/tags", &admin).json(json!({LABEL_TAG: [format!("v{attempt}")]}))
        }
        "list-customer-events" => of_customer("GET /customers/{id}/events", &partner_admin),
        "list-customer-users" => of_customer("GET /customers/{id}/users", &partner_admin),
        "add-myself" => ApiRequest::new("POST /customers/{id}/users/me", &partner_admin)
            .param("id", &self_assigned(attempt))
            .json(json!({"reason": "bench"})),
        "change-member-expiry" => of_customer("PUT /customers/{id}/users/{userId}/expiry", &admin)
            .param("userId", promoted(attempt).user_id())
            .json(json!({"expiresAt": (Utc::now() + Duration::days(1 + i64::try_from(attempt).unwrap_or(0))).to_rfc3339()})),
        "change-member-role" => of_customer("PUT /customers/{id}/users/{userId}/role", &admin)
            .param("userId", promoted(attempt).user_id())
            .json(json!({"role": "CUSTOMER_ADMIN"})),
        "remove-member" => {
            of_customer("DELETE /customers/{id}/users/{userId}", &admin).param("userId", removed(attempt).user_id())
        }
        "list-tag-definitions" => ApiRequest::new("GET /tag-definitions", &partner_admin),
        "list-platforms" => ApiRequest::new("GET /platforms", &partner_admin),
        "create-tag-definition" => ApiRequest::new("POST /tag-definitions", &partner_admin)
            .json(json!({"key": format!("benchMade{attempt}"), "displayName": "Made", "valueType": "BOOLEAN"})),
        "update-tag-definition" => ApiRequest::new("PUT /tag-definitions/{key}", &partner_admin)
            .param("key", REPLACED_TAG)
            .json(json!({"displayName": format!("Replaced {attempt}"), "valueType": "STRING"})),
        "delete-tag-definition" => ApiRequest::new("DELETE /tag-definitions/{key}", &partner_admin)
            .param("key", &format!("benchDoomed{attempt}")),
        "list-my-customers" => ApiRequest::new("GET /me/customers", &admin),
        "invite-user" => of_customer("POST /customers/{id}/invitations", &admin)
            .json(json!({"email": format!("invited-{attempt}@bench-co.example"), "role": "CUSTOMER_EMPLOYEE"})),
        "list-invitations" => of_customer("GET /customers/{id}/invitations", &admin),
        "cancel-invitation" => of_customer("DELETE /customers/{id}/invitations/{invitationId}", &admin)
            .param("invitationId", &seeded_id(TO_CANCEL, attempt).to_string()),
        "resend-invitation" => of_customer("POST /customers/{id}/invitations/{invitationId}/resend", &admin)
            .param("invitationId", &seeded_id(TO_RESEND, attempt).to_string()),
        "accept-invitation" => ApiRequest::new("POST /invitations/accept", &invitee(attempt))
            .json(json!({"token": invitation_token(attempt).expose()})),
        "send-message" => of_customer("POST /customers/{id}/messages", &partner_admin)
            .json(json!({"text": format!("Bench {attempt}"), "mode": "ALL_MUST_READ"})),
        "list-customer-messages" => of_customer("GET /customers/{id}/messages", &partner_admin),
        "list-my-messages" => ApiRequest::new("GET /me/messages", &admin),
        "acknowledge-message" => ApiRequest::new("POST /me/messages/{messageId}/acknowledgement", &admin)
            .param("messageId", &seeded_id(TO_ACKNOWLEDGE, attempt).to_string()),
        "create-project" => ApiRequest::new("POST /customers/{id}/projects", &admin)
            .param("id", &new_projects(attempt))
            .json(json!({"identifier": format!("cold-project-{attempt}"), "displayName": format!("Cold {attempt}")})),
        "list-projects" => of_customer("GET /customers/{id}/projects", &admin),
        "get-project" => of_customer("GET /customers/{id}/projects/{projectId}", &admin).param("projectId", PROJECT),
        "create-tenant" => ApiRequest::new("POST /customers/{id}/projects/{projectId}/tenants", &admin)
            .param("id", &new_tenants(attempt))
            .param("projectId", PROJECT)
            .json(json!({"platform": NEW_TENANT_PLATFORM})),
        "open-tenant-access" => {
            of_customer("POST /customers/{id}/projects/{projectId}/tenants/{tenantId}/access", &admin)
                .param("projectId", PROJECT)
                .param("tenantId", TENANT)
        }
        "create-service-user" => of_customer("POST /customers/{id}/service-users", &admin)
            .json(json!({"name": format!("bench service user {attempt}")})),
        "list-service-users" => of_customer("GET /customers/{id}/service-users", &admin),
        "delete-service-user" => of_customer("DELETE /customers/{id}/service-users/{serviceUserId}", &admin)
            .param("serviceUserId", &seeded_id(TO_DELETE, attempt).to_string()),
        "create-partner-api-key" => ApiRequest::new("POST /api-keys", &partner_admin)
            .json(json!({"name": format!("bench key {attempt}"), "role": "PARTNER_EMPLOYEE"})),
        "list-partner-api-keys" => ApiRequest::new("GET /api-keys", &partner_admin),
        "revoke-partner-api-key" => ApiRequest::new("DELETE /api-keys/{keyId}", &partner_admin)
            .param("keyId", &seeded_id(TO_REVOKE, attempt).to_string()),
        "create-customer-api-key" => of_customer("POST /customers/{id}/api-keys", &admin)
            .json(json!({"name": format!("bench key {attempt}"), "role": "CUSTOMER_EMPLOYEE"})),
        "list-customer-api-keys" => of_customer("GET /customers/{id}/api-keys", &admin),
        "revoke-customer-api-key" => of_customer("DELETE /customers/{id}/api-keys/{keyId}", &admin)
            .param("keyId", &seeded_id(TO_REVOKE, attempt).to_string()),
        "export-access-review" => of_customer("GET /customers/{id}/access-review", &partner_admin),
        "list-access-reviews" => of_customer("GET /customers/{id}/access-reviews", &partner_admin),
        // The attempt's own customer, whose one member is the admin: the review keeps them.
        "review-access" => ApiRequest::new("POST /customers/{id}/access-reviews", &admin)
            .param("id", &new_projects(attempt))
            .json(json!({"decisions": [{"userId": admin.user_id(), "decision": "KEEP"}], "note": "bench"})),
        _ => return None,
    };
    Some(request)
}

/// The `attempt`th event of `event_type` in `customer`'s outbox, as the bus delivers it to
/// `function`'s rule (the envelope of `events/samples/audit-writer.json`, the detail the stream
/// publisher puts).
async fn delivered_event(
    test: &TestApp,
    function: &Function,
    customer: &str,
    event_type: &str,
    attempt: usize,
) -> Value {
    let details: Vec<Value> =
        test.events_of(event_type).await.into_iter().filter(|detail| detail["customerId"] == customer).collect();
    let detail = details.get(attempt).unwrap_or_else(|| panic!("{customer} has no {event_type} #{attempt}")).clone();
    let mut event = bus_event_sample();
    event["id"] = json!(uuid::Uuid::new_v4().to_string());
    event["detail-type"] = json!(event_type);
    event["time"] = json!(Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string());
    event["detail"] = detail;
    let routed = function.rules.iter().any(|rule| rule.pattern.matches(&event));
    assert!(routed, "no rule of {} takes {event_type}: the bus would not deliver it", function.binary);
    event
}

fn bus_event_sample() -> Value {
    let path = repo_root().join("events/samples/audit-writer.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("the sample event is JSON")
}

/// The `attempt`th batch of the table's stream records that the function's event source
/// mapping passes (its filters): the records split in as many batches as attempts, each at
/// most the mapping's batch size.
async fn stream_batch(test: &TestApp, function: &Function, attempt: usize, attempts: usize) -> Value {
    let source = function.stream_sources.first().expect("the stream publisher reads a stream");
    let records: Vec<Value> = stream_records(&test.table)
        .await
        .iter()
        .map(|record| serde_json::to_value(record).expect("records serialize"))
        .filter(|record| source.filters.is_empty() || source.filters.iter().any(|filter| filter.matches(record)))
        .collect();
    let batch_size = (records.len() / attempts).min(source.batch_size);
    assert!(batch_size > 0, "the stream has fewer outbox records than invocations: {}", records.len());
    json!({"Records": records[attempt * batch_size..(attempt + 1) * batch_size]})
}
