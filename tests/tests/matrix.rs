//! The authorization matrix, checked against the functions themselves: every route of the
//! template × every kind of caller. The expected outcome is written out by hand below
//! ([`EXPECTED`], from SPEC.md's roles), independently of the authorization table in `shared`
//! (`ROUTES` and `Action::rule`); both the functions and that table must agree with it. A route
//! without a row in either, without a handler here or without a valid request here fails the test. Each allowed call also counts its DynamoDB round trips, which must
//! match the README's round-trip table and stay at 2 or fewer unless the table says why.

use meshcustomers::authorization::{CustomerRelation, Denial, authorize, route_action};
use meshcustomers::domain::{
    ApiKeyRole, CustomerIdentifier, CustomerRole, CustomerStatus, GeneratedId, KeyOwner, LinkToken, MessageMode,
    PartnerId,
};
use meshcustomers::http::respond;
use meshcustomers::principal::Principal;
use meshcustomers_tests::bench::round_trips::{Documented, documented_round_trips};
use meshcustomers_tests::fixtures;
use meshcustomers_tests::requests::RequestBuilder;
use meshcustomers_tests::template::{functions, routes};
use meshcustomers_tests::{Caller, TestApp, TestResponse, api};
use serde_json::json;
use std::collections::BTreeMap;
use std::fmt;

const CUSTOMER: &str = "matrix-co";
/// "Add Myself" makes its callers members: it runs on a twin of the customer (same partner,
/// same members), so that every other route meets the memberships the matrix expects.
const SELF_ASSIGNED: &str = "matrix-self";
/// Members of the customer that role changes and removals may act on.
const PROMOTED: &str = "matrix-promoted";
const REMOVED: &str = "matrix-removed";
/// A member whose end each allowed caller sets.
const ENDING: &str = "matrix-ending";
/// Reviewed by its customer admin (a review covers every member: this twin of the customer keeps
/// the two members of [`SELF_ASSIGNED`] as they were seeded).
const REVIEWED: &str = "matrix-reviewed";
const MANAGING_PARTNER: &str = "acme";
/// A free-text tag the customer's tag edits set and the definition replacements replace.
const MATRIX_TAG: &str = "matrixTag";
/// The customer's project (tenants are made on it), its tenant on `azure` (whose console is
/// opened) and a service user (which its admin deletes).
const MATRIX_PROJECT: &str = "matrix-project";
const MATRIX_TENANT: &str = "019bc190-05c0-7d44-8e5f-60718293a4b0";
const MATRIX_SERVICE_USER: &str = "019bc194-99a0-7e55-8f60-718293a4b5c0";

/// Caller `n`'s own key to revoke: the partner's (its partner's, for a partner admin; the managing
/// partner's for everyone else) and the customer's.
fn matrix_key(n: usize, of_customer: bool) -> String {
    format!("019bc1a5-0000-7000-8000-{:012}", usize::from(of_customer) * 100 + n)
}

/// The partner-key routes' `partnerId`: a platform admin (caller 0) names it; partner admins
/// manage their own partner's keys without naming it.
fn key_partner_query(route: RequestBuilder, n: usize) -> RequestBuilder {
    if n == 0 { route.query("partnerId", MANAGING_PARTNER) } else { route }
}

/// Bodies no route takes: an unknown member (with every required one missing), JSON that does
/// not parse, and JSON that is no object.
const INVALID_BODIES: [&str; 3] = [r#"{"unexpectedMember": ["\u0007"]}"#, "{", "[]"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    Unauthenticated,
    Forbidden,
    NotFound,
    Unexpected(u16),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Allowed => f.write_str("allowed"),
            Outcome::Unauthenticated => f.write_str("401"),
            Outcome::Forbidden => f.write_str("403"),
            Outcome::NotFound => f.write_str("404"),
            Outcome::Unexpected(status) => write!(f, "{status}?"),
        }
    }
}

/// The callers of the matrix, with the membership each has in the customer.
fn callers() -> Vec<(&'static str, Option<Caller>, Option<CustomerRole>)> {
    vec![
        ("platform admin", Some(Caller::platform_admin()), None),
        ("partner admin", Some(Caller::partner_admin(MANAGING_PARTNER)), None),
        ("partner employee", Some(Caller::partner_employee(MANAGING_PARTNER)), None),
        ("other partner's admin", Some(Caller::partner_admin("globex")), None),
        (
            "customer admin",
            Some(Caller::user("customer-admin", "admin@matrix.example")),
            Some(CustomerRole::CustomerAdmin),
        ),
        (
            "customer employee",
            Some(Caller::user("customer-employee", "employee@matrix.example")),
            Some(CustomerRole::CustomerEmployee),
        ),
        ("signed-in non-member", Some(Caller::user("outsider", "outsider@example.com")), None),
        ("no token", None, None),
    ]
}

/// What each caller of [`callers`] gets on each route, in their order: platform admin, partner
/// admin, partner employee, other partner's admin, customer admin, customer employee, signed-in
/// non-member, no token. `A` allowed, `F` 403, `N` 404 (a customer the caller may not know of),
/// `U` 401. Written by hand from SPEC.md: never computed from the table it checks.
const EXPECTED: &[(&str, &str)] = &[
    ("POST /customers", "AAAAFFFU"),
    ("GET /customers", "AAAAFFFU"),
    ("GET /customers/{id}", "AAANAANU"),
    ("POST /registrations", "AAAAAAAU"),
    ("GET /customers/{id}/events", "AAANFFNU"),
    ("PUT /customers/{id}/quota", "AAANFFNU"),
    ("PATCH /customers/{id}", "AAANAFNU"),
    ("PUT /customers/{id}/status", "AAANFFNU"),
    ("POST /customers/{id}/approval", "AAANFFNU"),
    ("POST /customers/{id}/rejection", "AAANFFNU"),
    ("POST /email-confirmations", "AAAAAAAA"),
    ("PATCH /customers/{id}/tags", "AAANAFNU"),
    ("GET /tag-definitions", "AAAAAAAU"),
    ("POST /tag-definitions", "AAFAFFFU"),
    ("PUT /tag-definitions/{key}", "AAFAFFFU"),
    ("DELETE /tag-definitions/{key}", "AAFAFFFU"),
    ("GET /platforms", "AAAAAAAU"),
    ("GET /customers/{id}/users", "AAANAANU"),
    ("POST /customers/{id}/users/me", "AAANFFNU"),
    ("PUT /customers/{id}/users/{userId}/role", "FFFNAFNU"),
    ("PUT /customers/{id}/users/{userId}/expiry", "FFFNAFNU"),
    ("DELETE /customers/{id}/users/{userId}", "FFFNAFNU"),
    ("GET /me/customers", "AAAAAAAU"),
    ("POST /customers/{id}/projects", "FFFNAFNU"),
    ("GET /customers/{id}/projects", "AAANAANU"),
    ("GET /customers/{id}/projects/{projectId}", "AAANAANU"),
    ("POST /customers/{id}/projects/{projectId}/tenants", "FFFNAFNU"),
    ("POST /customers/{id}/projects/{projectId}/tenants/{tenantId}/access", "FFFNAANU"),
    ("POST /customers/{id}/service-users", "FFFNAFNU"),
    ("GET /customers/{id}/service-users", "AAANAFNU"),
    ("DELETE /customers/{id}/service-users/{serviceUserId}", "FFFNAFNU"),
    ("POST /customers/{id}/invitations", "FFFNAFNU"),
    ("GET /customers/{id}/invitations", "AAANAFNU"),
    ("DELETE /customers/{id}/invitations/{invitationId}", "FFFNAFNU"),
    ("POST /customers/{id}/invitations/{invitationId}/resend", "FFFNAFNU"),
    ("POST /invitations/accept", "AAAAAAAU"),
    ("POST /customers/{id}/messages", "AAANFFNU"),
    ("GET /customers/{id}/messages", "AAANFFNU"),
    ("GET /me/messages", "AAAAAAAU"),
    ("POST /me/messages/{messageId}/acknowledgement", "AAAAAAAU"),
    ("POST /api-keys", "AAFAFFFU"),
    ("GET /api-keys", "AAFAFFFU"),
    ("DELETE /api-keys/{keyId}", "AAFAFFFU"),
    ("POST /customers/{id}/api-keys", "FFFNAFNU"),
    ("GET /customers/{id}/api-keys", "FFFNAFNU"),
    ("DELETE /customers/{id}/api-keys/{keyId}", "FFFNAFNU"),
    ("GET /customers/{id}/access-review", "AAANAFNU"),
    ("POST /customers/{id}/access-reviews", "FFFNAFNU"),
    ("GET /customers/{id}/access-reviews", "AAANAFNU"),
];

/// What [`EXPECTED`] says caller `n` gets on `route`.
fn expected(route: &str, n: usize) -> Outcome {
    let (_, row) =
        EXPECTED.iter().find(|(key, _)| *key == route).unwrap_or_else(|| panic!("{route} has no row in EXPECTED"));
    match row.as_bytes().get(n) {
        Some(b'A') => Outcome::Allowed,
        Some(b'F') => Outcome::Forbidden,
        Some(b'N') => Outcome::NotFound,
        Some(b'U') => Outcome::Unauthenticated,
        other => panic!("{route}: EXPECTED has no outcome for caller {n} ({other:?})"),
    }
}

/// What the authorization table in `shared` says.
fn table_says(route: &str, caller: Option<&Caller>, membership: Option<CustomerRole>) -> Outcome {
    let action = route_action(route).unwrap_or_else(|| panic!("{route} has no row in authorization::ROUTES"));
    if action.rule().needs_no_token() {
        return Outcome::Allowed;
    }
    let Some(caller) = caller else { return Outcome::Unauthenticated };
    let principal = Principal::from_claims(&caller.claims).expect("the matrix's callers have valid claims");
    let managing = PartnerId::parse(MANAGING_PARTNER).unwrap();
    match authorize(&principal, action, Some(&CustomerRelation { managing_partner_id: &managing, membership })) {
        Ok(_) => Outcome::Allowed,
        Err(Denial::Forbidden) => Outcome::Forbidden,
        Err(Denial::NotFound) => Outcome::NotFound,
    }
}

/// The authorization table agrees with the hand-written expectations, route by route and caller by
/// caller (no functions called: a wrong row of either fails here first).
#[test]
fn the_authorization_table_says_what_the_expectations_say() {
    let members = callers();
    let mut disagreements = Vec::new();
    for (route, _) in EXPECTED {
        for (n, (name, caller, membership)) in members.iter().enumerate() {
            let (want, table) = (expected(route, n), table_says(route, caller.as_ref(), *membership));
            if want != table {
                disagreements.push(format!("{route} by {name}: expected {want}, the table says {table}"));
            }
        }
    }
    assert!(disagreements.is_empty(), "the authorization table disagrees:\n{}", disagreements.join("\n"));
    let mut routes: Vec<&str> = meshcustomers::authorization::ROUTES.iter().map(|(route, _)| *route).collect();
    let mut rows: Vec<&str> = EXPECTED.iter().map(|(route, _)| *route).collect();
    routes.sort_unstable();
    rows.sort_unstable();
    assert_eq!(rows, routes, "EXPECTED and authorization::ROUTES name other routes");
}

/// Caller `n`'s own PENDING_APPROVAL customer (an approval is made once), with the same members
/// and managing partner as [`CUSTOMER`].
fn pending(n: usize) -> String {
    format!("{CUSTOMER}-pending-{n}")
}

/// Caller `n`'s own PENDING_APPROVAL customer to decline (a rejection removes it), like [`pending`].
fn to_decline(n: usize) -> String {
    format!("{CUSTOMER}-decline-{n}")
}

/// Caller `n`'s own customer AWAITING_EMAIL_CONFIRMATION, whose link has [`link_token`]`(n)`.
fn awaiting(n: usize) -> String {
    format!("{CUSTOMER}-awaiting-{n}")
}

/// The message in caller `n`'s inbox, sent to a customer of its own where it is a member.
fn inbox_message(n: usize) -> GeneratedId {
    GeneratedId::parse(&format!("01900000-0000-7000-8000-{n:012}")).unwrap()
}

fn link_token(n: usize) -> LinkToken {
    LinkToken::parse(&format!("matrix-link-{n:0>31}")).expect("a well-formed token")
}

/// Invitations accepted through the matrix are into this customer, which has no members.
const INVITING: &str = "matrix-inviting";

/// Caller `n`'s own pending invitation of [`CUSTOMER`] to cancel, and one to resend.
fn invitation_id(n: usize, purpose: usize) -> GeneratedId {
    GeneratedId::parse(&format!("019bc165-0000-7000-8000-{:012}", purpose * 100 + n)).unwrap()
}

const TO_CANCEL: usize = 1;
const TO_RESEND: usize = 2;

/// The token of the link of caller `n`'s invitation (to its own address) into [`INVITING`].
fn invitation_token(n: usize) -> LinkToken {
    LinkToken::parse(&format!("matrix-invite-{n:0>29}")).expect("a well-formed token")
}

/// A valid request for the route; `n` keeps what callers create apart.
fn request_for(route: &str, n: usize) -> RequestBuilder {
    match route {
        "POST /customers" => api(route).json(json!({"identifier": format!("made-{n}"), "displayName": "Made"})),
        "POST /registrations" => {
            api(route).json(json!({"identifier": format!("registered-{n}"), "displayName": "Registered"}))
        }
        "GET /customers" | "GET /customers/{id}" | "GET /customers/{id}/events" => api(route).param("id", CUSTOMER),
        "PUT /customers/{id}/quota" => api(route).param("id", CUSTOMER).json(json!({"projectQuota": 5 + n})),
        "PATCH /customers/{id}" => api(route).param("id", CUSTOMER).json(json!({"displayName": format!("Matrix {n}")})),
        // The partner admin (n = 1) disables, the partner employee (n = 2) enables: the later
        // routes find the customer ACTIVE again.
        "PUT /customers/{id}/status" => {
            let status = if n % 2 == 1 { "DISABLED" } else { "ACTIVE" };
            api(route).param("id", CUSTOMER).json(json!({"status": status, "reason": "matrix"}))
        }
        "POST /customers/{id}/approval" => api(route).param("id", &pending(n)),
        "POST /customers/{id}/rejection" => api(route).param("id", &to_decline(n)).json(json!({"reason": "matrix"})),
        "POST /email-confirmations" => api(route).json(json!({"token": link_token(n).expose()})),
        "PATCH /customers/{id}/tags" => api(route).param("id", CUSTOMER).json(json!({MATRIX_TAG: [format!("v{n}")]})),
        "GET /tag-definitions" | "GET /platforms" => api(route),
        "POST /tag-definitions" => {
            api(route).json(json!({"key": format!("made{n}"), "displayName": "Made", "valueType": "BOOLEAN"}))
        }
        "PUT /tag-definitions/{key}" => api(route)
            .param("key", MATRIX_TAG)
            .json(json!({"displayName": format!("Replaced {n}"), "valueType": "STRING"})),
        // Each caller deletes a definition of its own, so that every allowed one finds one to delete.
        "DELETE /tag-definitions/{key}" => api(route).param("key", &format!("doomed{n}")),
        "GET /customers/{id}/users" => api(route).param("id", CUSTOMER),
        "POST /customers/{id}/users/me" => api(route).param("id", SELF_ASSIGNED).json(json!({"reason": "matrix"})),
        "PUT /customers/{id}/users/{userId}/role" => {
            api(route).param("id", CUSTOMER).param("userId", PROMOTED).json(json!({"role": "CUSTOMER_ADMIN"}))
        }
        "PUT /customers/{id}/users/{userId}/expiry" => {
            let expires_at = chrono::Utc::now() + chrono::Duration::days(i64::try_from(n).unwrap() + 1);
            api(route).param("id", CUSTOMER).param("userId", ENDING).json(json!({"expiresAt": expires_at.to_rfc3339()}))
        }
        "DELETE /customers/{id}/users/{userId}" => api(route).param("id", CUSTOMER).param("userId", REMOVED),
        "GET /me/customers" => api(route),
        "POST /customers/{id}/invitations" => api(route)
            .param("id", CUSTOMER)
            .json(json!({"email": format!("invitee-{n}@matrix.example"), "role": "CUSTOMER_EMPLOYEE"})),
        "GET /customers/{id}/invitations" => api(route).param("id", CUSTOMER),
        "DELETE /customers/{id}/invitations/{invitationId}" => {
            api(route).param("id", CUSTOMER).param("invitationId", &invitation_id(n, TO_CANCEL).to_string())
        }
        "POST /customers/{id}/invitations/{invitationId}/resend" => {
            api(route).param("id", CUSTOMER).param("invitationId", &invitation_id(n, TO_RESEND).to_string())
        }
        "POST /invitations/accept" => api(route).json(json!({"token": invitation_token(n).expose()})),
        "POST /customers/{id}/messages" => {
            api(route).param("id", CUSTOMER).json(json!({"text": format!("Matrix {n}"), "mode": "ALL_MUST_READ"}))
        }
        "GET /customers/{id}/messages" => api(route).param("id", CUSTOMER),
        "GET /me/messages" => api(route),
        "POST /me/messages/{messageId}/acknowledgement" => {
            api(route).param("messageId", &inbox_message(n).to_string()).content_type(None)
        }
        "POST /customers/{id}/projects" => api(route)
            .param("id", CUSTOMER)
            .json(json!({"identifier": format!("project-{n}"), "displayName": format!("Project {n}")})),
        "GET /customers/{id}/projects" => api(route).param("id", CUSTOMER),
        "GET /customers/{id}/projects/{projectId}" => {
            api(route).param("id", CUSTOMER).param("projectId", MATRIX_PROJECT)
        }
        "POST /customers/{id}/projects/{projectId}/tenants" => {
            api(route).param("id", CUSTOMER).param("projectId", MATRIX_PROJECT).json(json!({"platform": "aws"}))
        }
        "POST /customers/{id}/projects/{projectId}/tenants/{tenantId}/access" => {
            api(route).param("id", CUSTOMER).param("projectId", MATRIX_PROJECT).param("tenantId", MATRIX_TENANT)
        }
        "POST /customers/{id}/service-users" => {
            api(route).param("id", CUSTOMER).json(json!({"name": format!("service user {n}")}))
        }
        "GET /customers/{id}/service-users" => api(route).param("id", CUSTOMER),
        "DELETE /customers/{id}/service-users/{serviceUserId}" => {
            api(route).param("id", CUSTOMER).param("serviceUserId", MATRIX_SERVICE_USER)
        }
        "POST /api-keys" => {
            let mut body = json!({"name": format!("key {n}"), "role": "PARTNER_EMPLOYEE"});
            if n == 0 {
                body["partnerId"] = json!(MANAGING_PARTNER);
            }
            api(route).json(body)
        }
        "GET /api-keys" => key_partner_query(api(route), n),
        "DELETE /api-keys/{keyId}" => key_partner_query(api(route).param("keyId", &matrix_key(n, false)), n),
        "POST /customers/{id}/api-keys" => {
            api(route).param("id", CUSTOMER).json(json!({"name": format!("key {n}"), "role": "CUSTOMER_EMPLOYEE"}))
        }
        "GET /customers/{id}/api-keys" => api(route).param("id", CUSTOMER),
        "DELETE /customers/{id}/api-keys/{keyId}" => {
            api(route).param("id", CUSTOMER).param("keyId", &matrix_key(n, true))
        }
        "GET /customers/{id}/access-review" | "GET /customers/{id}/access-reviews" => api(route).param("id", CUSTOMER),
        "POST /customers/{id}/access-reviews" => api(route).param("id", REVIEWED).json(json!({
            "decisions": [
                {"userId": "customer-admin", "decision": "KEEP"},
                {"userId": "customer-employee", "decision": "KEEP"},
            ],
            "note": format!("matrix {n}"),
        })),
        other => panic!("no valid request for {other} in the matrix: add one"),
    }
}

async fn call(test: &TestApp, route: &str, request: RequestBuilder, caller: Option<&Caller>) -> TestResponse {
    let request = match caller {
        Some(caller) => request.by(caller),
        None => request.anonymous(),
    };
    match route {
        "POST /customers" => test.call(create_customer::handle, request).await,
        "GET /customers" => test.call(list_customers::handle, request).await,
        "GET /customers/{id}" => test.call(get_customer::handle, request).await,
        "POST /registrations" => test.call(register_customer::handle, request).await,
        "GET /customers/{id}/events" => test.call(list_customer_events::handle, request).await,
        "PUT /customers/{id}/quota" => test.call(edit_customer_quota::handle, request).await,
        "PATCH /customers/{id}" => test.call(update_customer::handle, request).await,
        "PUT /customers/{id}/status" => test.call(change_customer_status::handle, request).await,
        "POST /customers/{id}/approval" => test.call(approve_customer::handle, request).await,
        "POST /customers/{id}/rejection" => test.call(reject_customer::handle, request).await,
        "POST /email-confirmations" => test.call(confirm_email::handle, request).await,
        "PATCH /customers/{id}/tags" => test.call(edit_customer_tags::handle, request).await,
        "GET /tag-definitions" => test.call(list_tag_definitions::handle, request).await,
        "GET /platforms" => {
            let settings = test.app::<list_platforms::Settings>().settings;
            TestResponse::from_response(respond(list_platforms::handle(&settings, request).await))
        }
        "POST /tag-definitions" => test.call(create_tag_definition::handle, request).await,
        "PUT /tag-definitions/{key}" => test.call(update_tag_definition::handle, request).await,
        "DELETE /tag-definitions/{key}" => test.call(delete_tag_definition::handle, request).await,
        "GET /customers/{id}/users" => test.call(list_customer_users::handle, request).await,
        "POST /customers/{id}/users/me" => test.call(add_myself::handle, request).await,
        "PUT /customers/{id}/users/{userId}/role" => test.call(change_member_role::handle, request).await,
        "PUT /customers/{id}/users/{userId}/expiry" => test.call(change_member_expiry::handle, request).await,
        "DELETE /customers/{id}/users/{userId}" => test.call(remove_member::handle, request).await,
        "GET /me/customers" => test.call(list_my_customers::handle, request).await,
        "POST /customers/{id}/invitations" => test.call(invite_user::handle, request).await,
        "GET /customers/{id}/invitations" => test.call(list_invitations::handle, request).await,
        "DELETE /customers/{id}/invitations/{invitationId}" => test.call(cancel_invitation::handle, request).await,
        "POST /customers/{id}/invitations/{invitationId}/resend" => test.call(resend_invitation::handle, request).await,
        "POST /invitations/accept" => test.call(accept_invitation::handle, request).await,
        "POST /customers/{id}/messages" => test.call(send_message::handle, request).await,
        "GET /customers/{id}/messages" => test.call(list_customer_messages::handle, request).await,
        "GET /me/messages" => test.call(list_my_messages::handle, request).await,
        "POST /me/messages/{messageId}/acknowledgement" => test.call(acknowledge_message::handle, request).await,
        "POST /customers/{id}/projects" => test.call(create_project::handle, request).await,
        "GET /customers/{id}/projects" => test.call(list_projects::handle, request).await,
        "GET /customers/{id}/projects/{projectId}" => test.call(get_project::handle, request).await,
        "POST /customers/{id}/projects/{projectId}/tenants" => test.call(create_tenant::handle, request).await,
        "POST /customers/{id}/projects/{projectId}/tenants/{tenantId}/access" => {
            test.call(open_tenant_access::handle, request).await
        }
        "POST /customers/{id}/service-users" => test.call(create_service_user::handle, request).await,
        "GET /customers/{id}/service-users" => test.call(list_service_users::handle, request).await,
        "DELETE /customers/{id}/service-users/{serviceUserId}" => test.call(delete_service_user::handle, request).await,
        "POST /api-keys" => test.call(create_partner_api_key::handle, request).await,
        "GET /api-keys" => test.call(list_partner_api_keys::handle, request).await,
        "DELETE /api-keys/{keyId}" => test.call(revoke_partner_api_key::handle, request).await,
        "POST /customers/{id}/api-keys" => test.call(create_customer_api_key::handle, request).await,
        "GET /customers/{id}/api-keys" => test.call(list_customer_api_keys::handle, request).await,
        "DELETE /customers/{id}/api-keys/{keyId}" => test.call(revoke_customer_api_key::handle, request).await,
        "GET /customers/{id}/access-review" => test.call(export_access_review::handle, request).await,
        "POST /customers/{id}/access-reviews" => test.call(review_access::handle, request).await,
        "GET /customers/{id}/access-reviews" => test.call(list_access_reviews::handle, request).await,
        other => panic!("no handler for {other} in the matrix: add one"),
    }
}

fn outcome(response: &TestResponse) -> Outcome {
    match response.status {
        200..=299 => Outcome::Allowed,
        401 => Outcome::Unauthenticated,
        403 => Outcome::Forbidden,
        404 => Outcome::NotFound,
        status => Outcome::Unexpected(status),
    }
}

#[tokio::test]
async fn every_route_answers_every_caller_as_the_authorization_table_says() {
    let test = TestApp::spawn().await;
    let members = callers();
    // The customer: managed by acme, with a customer admin and a customer employee.
    let mut member_callers: Vec<(&Caller, CustomerRole)> =
        members.iter().filter_map(|(_, caller, role)| Some((caller.as_ref()?, (*role)?))).collect();
    fixtures::customer(&test, SELF_ASSIGNED, MANAGING_PARTNER, CustomerStatus::Active, &member_callers).await;
    fixtures::customer(&test, REVIEWED, MANAGING_PARTNER, CustomerStatus::Active, &member_callers).await;
    let (promoted, removed) = (Caller::user(PROMOTED, "p@matrix.example"), Caller::user(REMOVED, "r@matrix.example"));
    let ending = Caller::user(ENDING, "e@matrix.example");
    member_callers.extend([
        (&promoted, CustomerRole::CustomerEmployee),
        (&removed, CustomerRole::CustomerEmployee),
        (&ending, CustomerRole::CustomerEmployee),
    ]);
    fixtures::customer(&test, CUSTOMER, MANAGING_PARTNER, CustomerStatus::Active, &member_callers).await;
    let registrant = member_callers.iter().find(|(_, role)| *role == CustomerRole::CustomerAdmin).expect("an admin").0;
    for n in 0..members.len() {
        let pending_status = CustomerStatus::PendingApproval;
        fixtures::customer(&test, &pending(n), MANAGING_PARTNER, pending_status, &member_callers).await;
        fixtures::customer(&test, &to_decline(n), MANAGING_PARTNER, pending_status, &member_callers).await;
        let awaiting_status = CustomerStatus::AwaitingEmailConfirmation;
        fixtures::customer(&test, &awaiting(n), MANAGING_PARTNER, awaiting_status, &member_callers).await;
        let expires_at = chrono::Utc::now() + chrono::Duration::hours(1);
        fixtures::confirmation_link(&test, &awaiting(n), MANAGING_PARTNER, registrant, &link_token(n), expires_at)
            .await;
    }
    fixtures::customer(&test, INVITING, MANAGING_PARTNER, CustomerStatus::Active, &[]).await;
    let expires_at = chrono::Utc::now() + chrono::Duration::hours(1);
    for (n, (_, caller, _)) in members.iter().enumerate() {
        for (purpose, address) in [(TO_CANCEL, "cancel"), (TO_RESEND, "resend")] {
            let email = format!("{address}-{n}@matrix.example");
            let role = CustomerRole::CustomerEmployee;
            fixtures::invitation(&test, CUSTOMER, invitation_id(n, purpose), &email, role, expires_at).await;
        }
        if let Some(email) = caller.as_ref().map(|caller| caller.claims["email"].clone()) {
            let role = CustomerRole::CustomerEmployee;
            let invitation = fixtures::invitation(&test, INVITING, GeneratedId::new(), &email, role, expires_at).await;
            fixtures::invitation_link(&test, &invitation, &invitation_token(n)).await;
        }
    }
    // Each caller with a token is a recipient of a message of its own, to acknowledge.
    for (n, (_, caller, _)) in members.iter().enumerate() {
        let Some(caller) = caller else { continue };
        let customer = format!("matrix-inbox-{n}");
        let employee = [(caller, CustomerRole::CustomerEmployee)];
        fixtures::customer(&test, &customer, MANAGING_PARTNER, CustomerStatus::Active, &employee).await;
        fixtures::message_in_inbox(&test, &customer, inbox_message(n), MessageMode::AllMustRead, &[caller]).await;
    }
    let doomed: Vec<_> = (0..members.len())
        .map(|n| json!({"key": format!("doomed{n}"), "displayName": "Doomed", "valueType": "BOOLEAN"}))
        .collect();
    fixtures::tag_definitions(&test, json!(doomed)).await;
    fixtures::tag_definitions(&test, json!([{"key": MATRIX_TAG, "displayName": "Matrix", "valueType": "STRING"}]))
        .await;
    fixtures::project(&test, CUSTOMER, registrant, MATRIX_PROJECT).await;
    fixtures::tenant(&test, CUSTOMER, registrant, MATRIX_PROJECT, "azure", MATRIX_TENANT).await;
    fixtures::service_user(&test, CUSTOMER, registrant, MATRIX_SERVICE_USER, &LinkToken::generate().unwrap()).await;
    for (n, (_, caller, _)) in members.iter().enumerate() {
        // A partner admin's keys are its own partner's.
        let partner = caller.as_ref().and_then(|caller| caller.claims.get("custom:partner_id").cloned());
        let partner_id = PartnerId::parse(partner.as_deref().unwrap_or(MANAGING_PARTNER)).unwrap();
        let employee = ApiKeyRole::PartnerEmployee;
        fixtures::api_key(&test, KeyOwner::Partner { partner_id }, employee, &matrix_key(n, false)).await;
        let customer_id = CustomerIdentifier::parse(CUSTOMER).unwrap();
        let employee = ApiKeyRole::CustomerEmployee;
        fixtures::api_key(&test, KeyOwner::Customer { customer_id }, employee, &matrix_key(n, true)).await;
    }

    // A route is open without a token (`Auth: NONE`) exactly when its action is open to anyone.
    for function in functions() {
        for route in &function.routes {
            let key = format!("{} {}", route.method, route.path);
            let open = route_action(&key).map(|action| action.rule().needs_no_token());
            assert_eq!(open, Some(!route.authorized), "{key}: Auth: NONE in the template ⇔ a rule granting anyone");
        }
    }
    let routes: Vec<String> =
        functions().iter().flat_map(routes).map(|(method, path)| format!("{method} {path}")).collect();
    let mut table = format!("{:<32}", "route");
    for (name, _, _) in &members {
        table.push_str(&format!(" | {name:^21}"));
    }
    let mut mismatches = Vec::new();
    let mut round_trips: BTreeMap<String, usize> = BTreeMap::new();
    for route in &routes {
        table.push_str(&format!("\n{route:<32}"));
        for (n, (name, caller, _)) in members.iter().enumerate() {
            let want = expected(route, n);
            test.operations.take_calls();
            let response = call(&test, route, request_for(route, n), caller.as_ref()).await;
            let got = outcome(&response);
            let calls = test.operations.take_calls();
            table
                .push_str(&format!(" | {:^21}", if got == want { got.to_string() } else { format!("{got} ≠ {want}") }));
            if got != want {
                mismatches
                    .push(format!("{route} by {name}: expected {want}, got {} {}", response.status, response.body));
            }
            if got == Outcome::Allowed {
                assert!(calls.iter().all(|call| call.operation != "dynamodb:Scan"), "{route} scans: {calls:?}");
                let most = round_trips.entry(route.clone()).or_default();
                *most = (*most).max(calls.len());
            }
        }
    }
    println!("authorization matrix (allowed = the function answered 2xx):\n{table}\n");
    assert!(mismatches.is_empty(), "the functions disagree with the authorization table:\n{}", mismatches.join("\n"));

    // Authorization before validation (SPEC §6.1): a caller who may not act gets the same refusal
    // whatever the body, and learns nothing from its errors.
    let mut leaks = Vec::new();
    for route in &routes {
        for (n, (name, caller, _)) in members.iter().enumerate() {
            let want = expected(route, n);
            if want == Outcome::Allowed || !request_for(route, n).has_body() {
                continue;
            }
            for body in INVALID_BODIES {
                let response = call(&test, route, request_for(route, n).raw_body(body), caller.as_ref()).await;
                if outcome(&response) != want {
                    let got = format!("{} {}", response.status, response.body);
                    leaks.push(format!("{route} by {name} with body {body}: expected {want}, got {got}"));
                }
            }
        }
    }
    assert!(leaks.is_empty(), "a refused caller was answered from the body:\n{}", leaks.join("\n"));

    let documented = documented_round_trips();
    println!("DynamoDB round trips on success: {round_trips:?}");
    for route in &routes {
        let measured = *round_trips.get(route).unwrap_or_else(|| panic!("{route} allowed nobody in the matrix"));
        let Documented { calls, why } =
            documented.get(route).unwrap_or_else(|| panic!("{route} is missing from the README's round-trip table"));
        assert_eq!(measured, *calls, "{route}: the README says {calls} round trips, the function made {measured}");
        assert!(
            measured <= 2 || !why.is_empty(),
            "{route} needs {measured} round trips and the README does not say why"
        );
    }
    assert_eq!(documented.len(), routes.len(), "the README's round-trip table lists a route that does not exist");
}
