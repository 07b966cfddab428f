//! Projects, tenants, tenant access and service users: where the quota and disabling take effect.
//! The quota under 50 parallel creations (within and over it, and against racing quota edits),
//! with `projectCount` read from the customer item and held against the projects stored after
//! every scenario; duplicate identifiers; one tenant per project and platform; the console link
//! and what DISABLED does to it; service users' secrets (in the creation's answer only: never in
//! an item, an event or a log line); and who may do what.

use aws_sdk_dynamodb::types::AttributeValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures::future::join_all;
use meshcustomers::domain::{CustomerIdentifier, CustomerRole, CustomerStatus, LinkToken};
use meshcustomers::store::Key;
use meshcustomers_tests::faults::{Fault, Faults, Interleaved};
use meshcustomers_tests::logs::{capture_this_threads_log, captured_log};
use meshcustomers_tests::pipeline::stream_writes;
use meshcustomers_tests::requests::RequestBuilder;
use meshcustomers_tests::{Caller, TestApp, TestResponse, api, fixtures};
use serde_json::{Value, json};
use std::sync::Arc;

use create_project::handle as create_project;
use create_service_user::handle as create_service_user;
use create_tenant::handle as create_tenant;
use delete_service_user::handle as delete_service_user;
use get_project::handle as get_project;
use list_projects::handle as list_projects;
use list_service_users::handle as list_service_users;
use open_tenant_access::handle as open_access;

const ACME: &str = "acme";

fn admin() -> Caller {
    Caller::user("ada", "ada@projects.example")
}

fn second_admin() -> Caller {
    Caller::user("bob", "bob@projects.example")
}

fn employee() -> Caller {
    Caller::user("eve", "eve@projects.example")
}

/// A customer of partner acme in `status` with two admins and an employee, and this quota.
async fn customer(test: &TestApp, identifier: &str, status: CustomerStatus, quota: u32) {
    let (ada, bob, eve) = (admin(), second_admin(), employee());
    let members = [
        (&ada, CustomerRole::CustomerAdmin),
        (&bob, CustomerRole::CustomerAdmin),
        (&eve, CustomerRole::CustomerEmployee),
    ];
    fixtures::customer(test, identifier, ACME, status, &members).await;
    if quota != 5 {
        set_quota(test, identifier, quota).await;
    }
}

async fn set_quota(test: &TestApp, customer: &str, quota: u32) -> TestResponse {
    let edit = api("PUT /customers/{id}/quota").param("id", customer).json(json!({"projectQuota": quota}));
    let response = test.call(edit_customer_quota::handle, edit.by(&Caller::platform_admin())).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response
}

async fn set_status(test: &TestApp, customer: &str, status: &str) {
    let change = api("PUT /customers/{id}/status").param("id", customer).json(json!({"status": status}));
    let response = test.call(change_customer_status::handle, change.by(&Caller::platform_admin())).await;
    assert_eq!(response.status, 200, "{}", response.body);
}

fn new_project(customer: &str, identifier: &str) -> RequestBuilder {
    api("POST /customers/{id}/projects")
        .param("id", customer)
        .json(json!({"identifier": identifier, "displayName": format!("Project {identifier}")}))
}

fn new_tenant(customer: &str, project: &str, platform: &str) -> RequestBuilder {
    api("POST /customers/{id}/projects/{projectId}/tenants")
        .param("id", customer)
        .param("projectId", project)
        .json(json!({"platform": platform}))
}

fn access(customer: &str, project: &str, tenant: &str) -> RequestBuilder {
    api("POST /customers/{id}/projects/{projectId}/tenants/{tenantId}/access")
        .param("id", customer)
        .param("projectId", project)
        .param("tenantId", tenant)
}

fn read_project(customer: &str, project: &str) -> RequestBuilder {
    api("GET /customers/{id}/projects/{projectId}").param("id", customer).param("projectId", project)
}

fn new_service_user(customer: &str, name: &str) -> RequestBuilder {
    api("POST /customers/{id}/service-users").param("id", customer).json(json!({"name": name}))
}

fn service_users(customer: &str) -> RequestBuilder {
    api("GET /customers/{id}/service-users").param("id", customer)
}

fn removal(customer: &str, service_user: &str) -> RequestBuilder {
    api("DELETE /customers/{id}/service-users/{serviceUserId}")
        .param("id", customer)
        .param("serviceUserId", service_user)
}

fn statuses(responses: &[TestResponse]) -> Vec<u16> {
    responses.iter().map(|response| response.status).collect()
}

/// The customer item as stored.
async fn customer_item(
    test: &TestApp,
    customer: &str,
) -> std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> {
    let items = test.items_of("CUSTOMER").await;
    items.into_iter().find(|item| item["identifier"].as_s().unwrap() == customer).expect("the customer")
}

/// The identifiers of the customer's projects as stored.
async fn stored_projects(test: &TestApp, customer: &str) -> Vec<String> {
    let mut projects: Vec<String> = test
        .items_of("PROJECT")
        .await
        .iter()
        .filter(|item| item["customerId"].as_s().unwrap() == customer)
        .map(|item| item["identifier"].as_s().unwrap().clone())
        .collect();
    projects.sort();
    projects
}

/// `projectCount` is exact: it equals the projects stored. Returns it.
async fn assert_project_count_exact(test: &TestApp, customer: &str) -> usize {
    let count: usize = customer_item(test, customer).await["projectCount"].as_n().unwrap().parse().unwrap();
    assert_eq!(
        count,
        stored_projects(test, customer).await.len(),
        "projectCount of {customer} differs from its projects"
    );
    count
}

/// The project's tenant on `platform`, created by the admin: its id.
async fn tenant(test: &TestApp, customer: &str, project: &str, platform: &str) -> String {
    let response = test.call(create_tenant, new_tenant(customer, project, platform).by(&admin())).await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.body["tenantId"].as_str().unwrap().to_owned()
}

// ------------------------------------------------------------------------------- the quota

#[tokio::test]
async fn a_customer_admin_creates_a_project_and_it_is_counted() {
    let test = TestApp::spawn().await;
    customer(&test, "shop", CustomerStatus::Active, 5).await;
    let response = test.call(create_project, new_project("shop", "web-shop").by(&admin())).await;
    assert_eq!(response.status, 201, "{}", response.body);
    assert_eq!(response.header("location"), Some("/customers/shop/projects/web-shop"));
    assert_eq!(response.header("etag"), Some("\"1\""));
    assert_eq!(response.body["identifier"], "web-shop");
    assert_eq!(response.body["displayName"], "Project web-shop");
    assert_eq!(response.body["customerId"], "shop");
    assert_eq!(response.body["createdBy"], "ada");
    assert_eq!(assert_project_count_exact(&test, "shop").await, 1);
    let events = test.events_of("PROJECT_CREATED").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["data"], json!({"projectId": "web-shop", "displayName": "Project web-shop"}));
    assert_eq!(events[0]["actor"], json!({"userId": "ada", "email": "ada@projects.example", "role": "CUSTOMER_ADMIN"}));
    // The counter is no part of the customer's version: its ETag still holds.
    let read = api("GET /customers/{id}").param("id", "shop").by(&admin());
    let customer = test.call(get_customer::handle, read).await;
    assert_eq!((customer.body["projectCount"].clone(), customer.header("etag")), (json!(1), Some("\"1\"")));
}

/// 50 parallel creations by two admins with quota 100: every one succeeds (none is lost to
/// conflicting transactions), and the count is exactly 50.
#[tokio::test]
async fn fifty_parallel_creations_within_the_quota_all_succeed() {
    let test = TestApp::spawn().await;
    customer(&test, "busy", CustomerStatus::Active, 100).await;
    let (ada, bob) = (admin(), second_admin());
    let creations = (0..50).map(|n| {
        let caller = if n % 2 == 0 { &ada } else { &bob };
        test.call(create_project, new_project("busy", &format!("p{n}")).by(caller))
    });
    let responses = join_all(creations).await;
    assert_eq!(statuses(&responses), vec![201; 50]);
    assert_eq!(assert_project_count_exact(&test, "busy").await, 50);
    assert_eq!(test.events_of("PROJECT_CREATED").await.len(), 50);
    let item = customer_item(&test, "busy").await;
    assert_eq!(item["version"].as_n().unwrap(), "2", "creations do not change the customer's version");
}

/// 50 parallel creations with quota 10: exactly ten 201 and forty 409 `quota-exceeded`, never a
/// 5xx; the count is exactly 10.
#[tokio::test]
async fn fifty_parallel_creations_over_a_quota_of_ten_make_ten_projects() {
    let test = TestApp::spawn().await;
    customer(&test, "small", CustomerStatus::Active, 10).await;
    let (ada, bob) = (admin(), second_admin());
    let creations = (0..50).map(|n| {
        let caller = if n % 2 == 0 { &ada } else { &bob };
        test.call(create_project, new_project("small", &format!("p{n}")).by(caller))
    });
    let responses = join_all(creations).await;
    let created = responses.iter().filter(|response| response.status == 201).count();
    assert_eq!(created, 10, "{:?}", statuses(&responses));
    for refused in responses.iter().filter(|response| response.status != 201) {
        refused.assert_problem(409, "quota-exceeded");
    }
    assert_eq!(assert_project_count_exact(&test, "small").await, 10);
    assert_eq!(test.events_of("PROJECT_CREATED").await.len(), 10);
    // One more is refused, and says the quota.
    let more = test.call(create_project, new_project("small", "more").by(&ada)).await;
    more.assert_problem(409, "quota-exceeded");
    assert!(more.body["detail"].as_str().unwrap().contains("10"), "{}", more.body);
}

/// Quota edits (each a transaction on the customer item) race 30 creations: no edit writes back a
/// count it read, so the count stays the projects stored, and every edit is recorded.
#[tokio::test]
async fn quota_edits_racing_creations_never_overwrite_the_count() {
    let test = TestApp::spawn().await;
    customer(&test, "racy", CustomerStatus::Active, 20).await;
    let ada = admin();
    let creations = (0..30).map(|n| test.call(create_project, new_project("racy", &format!("p{n}")).by(&ada)));
    let edits = (0..10).map(|n| {
        let edit = api("PUT /customers/{id}/quota").param("id", "racy").json(json!({"projectQuota": 15 + n}));
        test.call(edit_customer_quota::handle, edit.by(&Caller::platform_admin()))
    });
    let (created, edited) = futures::join!(join_all(creations), join_all(edits));
    assert!(edited.iter().all(|response| response.status == 200), "{:?}", statuses(&edited));
    for refused in created.iter().filter(|response| response.status != 201) {
        refused.assert_problem(409, "quota-exceeded");
    }
    let made = created.iter().filter(|response| response.status == 201).count();
    assert!(made >= 15, "the quota never fell below 15: {:?}", statuses(&created));
    assert_eq!(assert_project_count_exact(&test, "racy").await, made);
    let quota_events = test.events_of("CUSTOMER_QUOTA_EDITED").await;
    let item = customer_item(&test, "racy").await;
    let version: usize = item["version"].as_n().unwrap().parse().unwrap();
    assert_eq!(version, 1 + quota_events.len(), "each edit, and only edits, changed the version");
}

#[tokio::test]
async fn lowering_the_quota_below_the_count_only_blocks_new_projects() {
    let test = TestApp::spawn().await;
    customer(&test, "lower", CustomerStatus::Active, 5).await;
    for project in ["a", "b", "c"] {
        assert_eq!(test.call(create_project, new_project("lower", project).by(&admin())).await.status, 201);
    }
    let lowered = set_quota(&test, "lower", 1).await;
    assert_eq!((lowered.body["projectQuota"].clone(), lowered.body["projectCount"].clone()), (json!(1), json!(3)));
    test.call(create_project, new_project("lower", "d").by(&admin())).await.assert_problem(409, "quota-exceeded");
    assert_eq!(stored_projects(&test, "lower").await, ["a", "b", "c"], "what exists stays");
    set_quota(&test, "lower", 0).await;
    test.call(create_project, new_project("lower", "d").by(&admin())).await.assert_problem(409, "quota-exceeded");
    set_quota(&test, "lower", 4).await;
    assert_eq!(test.call(create_project, new_project("lower", "d").by(&admin())).await.status, 201);
    assert_eq!(assert_project_count_exact(&test, "lower").await, 4);
}

#[tokio::test]
async fn a_taken_identifier_is_409_and_gives_its_slot_back() {
    let test = TestApp::spawn().await;
    customer(&test, "dupes", CustomerStatus::Active, 12).await;
    assert_eq!(test.call(create_project, new_project("dupes", "web").by(&admin())).await.status, 201);
    let again = test.call(create_project, new_project("dupes", "web").by(&second_admin())).await;
    again.assert_problem(409, "project-identifier-taken");
    assert_eq!(assert_project_count_exact(&test, "dupes").await, 1);
    // `web` and `web-shop` are different projects.
    assert_eq!(test.call(create_project, new_project("dupes", "web-shop").by(&admin())).await.status, 201);

    // Ten at once with one identifier: one project, nine 409, the count one more.
    let racing = (0..10).map(|_| test.call(create_project, new_project("dupes", "api").by(&admin())));
    let responses = join_all(racing).await;
    assert_eq!(responses.iter().filter(|response| response.status == 201).count(), 1, "{:?}", statuses(&responses));
    for refused in responses.iter().filter(|response| response.status != 201) {
        refused.assert_problem(409, "project-identifier-taken");
    }
    assert_eq!(assert_project_count_exact(&test, "dupes").await, 3);
    assert_eq!(test.events_of("PROJECT_CREATED").await.len(), 3);
}

#[tokio::test]
async fn who_may_create_projects() {
    let test = TestApp::spawn().await;
    customer(&test, "guarded", CustomerStatus::Active, 5).await;
    let refusals = [
        (employee(), 403, "forbidden"),
        (Caller::partner_admin(ACME), 403, "forbidden"),
        (Caller::partner_employee(ACME), 403, "forbidden"),
        (Caller::platform_admin(), 403, "forbidden"),
        (Caller::partner_admin("globex"), 404, "not-found"),
        (Caller::user("outsider", "out@example.com"), 404, "not-found"),
    ];
    for (caller, status, problem_type) in &refusals {
        let response = test.call(create_project, new_project("guarded", "nope").by(caller)).await;
        response.assert_problem(*status, problem_type);
        // Not even at the quota does an outsider learn more than that.
        assert_eq!(assert_project_count_exact(&test, "guarded").await, 0, "{caller:?} left its slot taken");
    }
    set_quota(&test, "guarded", 0).await;
    for (caller, status, problem_type) in &refusals {
        test.call(create_project, new_project("guarded", "nope").by(caller))
            .await
            .assert_problem(*status, problem_type);
    }
    test.call(create_project, new_project("missing", "nope").by(&admin())).await.assert_problem(404, "not-found");
    assert!(test.events_of("PROJECT_CREATED").await.is_empty());

    // A partner admin who adds himself (CUSTOMER_ADMIN by default) creates as a member.
    set_quota(&test, "guarded", 5).await;
    let partner = Caller::partner_admin(ACME);
    let me = api("POST /customers/{id}/users/me").param("id", "guarded");
    assert_eq!(test.call(add_myself::handle, me.by(&partner)).await.status, 201);
    let created = test.call(create_project, new_project("guarded", "mine").by(&partner)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(test.events_of("PROJECT_CREATED").await[0]["actor"]["role"], "CUSTOMER_ADMIN");
    assert_eq!(assert_project_count_exact(&test, "guarded").await, 1);
}

#[tokio::test]
async fn only_an_active_customer_takes_projects() {
    let test = TestApp::spawn().await;
    customer(&test, "off", CustomerStatus::Disabled, 5).await;
    test.call(create_project, new_project("off", "web").by(&admin())).await.assert_problem(403, "customer-disabled");
    // Who may not know the customer is told nothing more.
    let globex = Caller::partner_admin("globex");
    test.call(create_project, new_project("off", "web").by(&globex)).await.assert_problem(404, "not-found");
    test.call(create_project, new_project("off", "web").by(&employee())).await.assert_problem(403, "forbidden");
    for (identifier, status) in
        [("pending", CustomerStatus::PendingApproval), ("awaiting", CustomerStatus::AwaitingEmailConfirmation)]
    {
        customer(&test, identifier, status, 5).await;
        let response = test.call(create_project, new_project(identifier, "web").by(&admin())).await;
        response.assert_problem(409, "customer-not-active");
        assert_eq!(assert_project_count_exact(&test, identifier).await, 0);
    }
    assert_eq!(assert_project_count_exact(&test, "off").await, 0);
    set_status(&test, "off", "ACTIVE").await;
    assert_eq!(test.call(create_project, new_project("off", "web").by(&admin())).await.status, 201);
    assert_eq!(assert_project_count_exact(&test, "off").await, 1);
}

#[tokio::test]
async fn bad_project_bodies_are_400_and_write_nothing() {
    let test = TestApp::spawn().await;
    customer(&test, "strict", CustomerStatus::Active, 5).await;
    let items = test.all_items().await;
    for (body, field) in [
        (json!({"identifier": "Web", "displayName": "Web"}), "identifier"),
        (json!({"identifier": "-web", "displayName": "Web"}), "identifier"),
        (json!({"identifier": "x".repeat(33), "displayName": "Web"}), "identifier"),
        (json!({"identifier": 7, "displayName": "Web"}), "identifier"),
        (json!({"displayName": "Web"}), "identifier"),
        (json!({"identifier": "web"}), "displayName"),
        (json!({"identifier": "web", "displayName": "   "}), "displayName"),
        (json!({"identifier": "web", "displayName": "é".repeat(129)}), "displayName"),
        (json!({"identifier": "web", "displayName": "Web", "quota": 1}), "quota"),
    ] {
        let request = api("POST /customers/{id}/projects").param("id", "strict").json(body.clone());
        let response = test.call(create_project, request.by(&admin())).await;
        response.assert_problem(400, "validation-failed");
        assert!(response.body["errors"].get(field).is_some(), "{body}: {}", response.body);
    }
    let not_json = api("POST /customers/{id}/projects").param("id", "strict").raw_body("{");
    test.call(create_project, not_json.by(&admin())).await.assert_problem(400, "malformed-request");
    let text = new_project("strict", "web").content_type(Some("text/plain"));
    test.call(create_project, text.by(&admin())).await.assert_problem(415, "unsupported-media-type");
    assert_eq!(test.all_items().await, items);
}

// ------------------------------------------------------------------------------- reading

#[tokio::test]
async fn projects_are_listed_and_read_with_their_tenants() {
    let test = TestApp::spawn().await;
    customer(&test, "reads", CustomerStatus::Active, 10).await;
    for project in ["web", "web-shop", "api"] {
        fixtures::project(&test, "reads", &admin(), project).await;
    }
    let aws = tenant(&test, "reads", "web", "aws").await;
    let gcp = tenant(&test, "reads", "web", "gcp").await;
    tenant(&test, "reads", "web-shop", "azure").await;

    for reader in [admin(), employee(), Caller::partner_employee(ACME), Caller::platform_admin()] {
        let listed =
            test.call(list_projects, api("GET /customers/{id}/projects").param("id", "reads").by(&reader)).await;
        assert_eq!(listed.status, 200, "{}", listed.body);
        let identifiers: Vec<&str> =
            listed.body["items"].as_array().unwrap().iter().map(|p| p["identifier"].as_str().unwrap()).collect();
        assert_eq!(identifiers, ["api", "web", "web-shop"], "projects only, by identifier");
        assert!(listed.body["items"][0].get("tenants").is_none());

        let read = test.call(get_project, read_project("reads", "web").by(&reader)).await;
        assert_eq!((read.status, read.header("etag")), (200, Some("\"1\"")), "{}", read.body);
        let tenants: Vec<(&str, &str)> = read.body["tenants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["platform"].as_str().unwrap(), t["tenantId"].as_str().unwrap()))
            .collect();
        assert_eq!(tenants, [("aws", aws.as_str()), ("gcp", gcp.as_str())], "its own tenants, not web-shop's");
        let none = test.call(get_project, read_project("reads", "api").by(&reader)).await;
        assert_eq!(none.body["tenants"], json!([]));
    }
    let page = api("GET /customers/{id}/projects").param("id", "reads").query("limit", "2");
    let first = test.call(list_projects, page.by(&admin())).await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
    let cursor = first.body["nextCursor"].as_str().unwrap();
    let rest = api("GET /customers/{id}/projects").param("id", "reads").query("cursor", cursor);
    let second = test.call(list_projects, rest.by(&admin())).await;
    assert_eq!(second.body["items"][0]["identifier"], "web-shop");
    assert_eq!(second.body["nextCursor"], Value::Null);

    test.call(get_project, read_project("reads", "nope").by(&admin())).await.assert_problem(404, "not-found");
    test.call(get_project, read_project("reads", "No_Such").by(&admin())).await.assert_problem(404, "not-found");
    for outsider in [Caller::partner_admin("globex"), Caller::user("outsider", "out@example.com")] {
        test.call(get_project, read_project("reads", "web").by(&outsider)).await.assert_problem(404, "not-found");
        let list = api("GET /customers/{id}/projects").param("id", "reads").by(&outsider);
        test.call(list_projects, list).await.assert_problem(404, "not-found");
    }
}

// ------------------------------------------------------------------------------- tenants

#[tokio::test]
async fn one_tenant_per_project_and_platform() {
    let test = TestApp::spawn().await;
    customer(&test, "tenants", CustomerStatus::Active, 5).await;
    fixtures::project(&test, "tenants", &admin(), "web").await;
    let created = test.call(create_tenant, new_tenant("tenants", "web", "aws").by(&admin())).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let tenant_id = created.body["tenantId"].as_str().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/customers/tenants/projects/web/tenants/{tenant_id}").as_str())
    );
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!((created.body["platform"].clone(), created.body["projectId"].clone()), (json!("aws"), json!("web")));
    let events = test.events_of("TENANT_CREATED").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["data"], json!({"projectId": "web", "tenantId": tenant_id, "platform": "aws"}));

    test.call(create_tenant, new_tenant("tenants", "web", "aws").by(&second_admin()))
        .await
        .assert_problem(409, "tenant-exists");
    assert_eq!(test.call(create_tenant, new_tenant("tenants", "web", "azure").by(&admin())).await.status, 201);

    // Ten at once on one platform: one tenant.
    let racing = (0..10).map(|_| test.call(create_tenant, new_tenant("tenants", "web", "gcp").by(&admin())));
    let responses = join_all(racing).await;
    assert_eq!(responses.iter().filter(|response| response.status == 201).count(), 1, "{:?}", statuses(&responses));
    for refused in responses.iter().filter(|response| response.status != 201) {
        refused.assert_problem(409, "tenant-exists");
    }
    assert_eq!(test.items_of("TENANT").await.len(), 3);
    assert_eq!(test.events_of("TENANT_CREATED").await.len(), 3);

    // Unknown platforms are named with the configured ones.
    for platform in [json!("openstack"), json!("AWS"), json!(""), json!(1), Value::Null] {
        let request = api("POST /customers/{id}/projects/{projectId}/tenants")
            .param("id", "tenants")
            .param("projectId", "web")
            .json(json!({"platform": platform}));
        let response = test.call(create_tenant, request.by(&admin())).await;
        response.assert_problem(400, "validation-failed");
        assert!(response.body["errors"]["platform"].is_string(), "{platform}: {}", response.body);
    }
    let unknown = test.call(create_tenant, new_tenant("tenants", "web", "openstack").by(&admin())).await;
    assert_eq!(unknown.body["errors"]["platform"], "must be one of the configured platforms: aws, azure, gcp");

    test.call(create_tenant, new_tenant("tenants", "nope", "aws").by(&admin())).await.assert_problem(404, "not-found");
    for (caller, status) in
        [(employee(), 403), (Caller::partner_admin(ACME), 403), (Caller::partner_admin("globex"), 404)]
    {
        let response = test.call(create_tenant, new_tenant("tenants", "web", "aws").by(&caller)).await;
        assert_eq!(response.status, status, "{caller:?}: {}", response.body);
    }
    assert_eq!(test.items_of("TENANT").await.len(), 3);
}

#[tokio::test]
async fn members_open_a_tenant_s_console_unless_the_customer_is_disabled() {
    let test = TestApp::spawn().await;
    customer(&test, "consoles", CustomerStatus::Active, 5).await;
    fixtures::project(&test, "consoles", &admin(), "web").await;
    fixtures::project(&test, "consoles", &admin(), "api").await;
    let aws = tenant(&test, "consoles", "web", "aws").await;
    let azure = tenant(&test, "consoles", "web", "azure").await;
    let open = |caller: Caller, project: &str, tenant: &str| {
        test.call(open_access, access("consoles", project, tenant).by(&caller))
    };

    for member in [admin(), employee()] {
        let response = open(member, "web", &aws).await;
        assert_eq!(response.status, 200, "{}", response.body);
        assert_eq!(response.body, json!({"url": format!("https://console.aws.test/tenants/{aws}")}));
    }
    let linked = open(employee(), "web", &azure).await;
    assert_eq!(linked.body["url"], format!("https://portal.azure.test/consoles/web/{azure}"));
    assert!(test.events_of("TENANT_CREATED").await.len() == 2, "opening writes no event");

    for (caller, status) in [
        (Caller::partner_admin(ACME), 403),
        (Caller::platform_admin(), 403),
        (Caller::partner_admin("globex"), 404),
        (Caller::user("outsider", "out@example.com"), 404),
    ] {
        assert_eq!(open(caller.clone(), "web", &aws).await.status, status, "{caller:?}");
    }
    open(admin(), "api", &aws).await.assert_problem(404, "not-found");
    open(admin(), "web", &uuid::Uuid::now_v7().to_string()).await.assert_problem(404, "not-found");
    open(admin(), "web", "not-a-uuid").await.assert_problem(404, "not-found");
    let with_body = access("consoles", "web", &aws).json(json!({}));
    test.call(open_access, with_body.by(&admin())).await.assert_problem(400, "validation-failed");

    // Disabled: no console, no new project, tenant or service user; everything stays readable.
    set_status(&test, "consoles", "DISABLED").await;
    for member in [admin(), employee()] {
        open(member, "web", &aws).await.assert_problem(403, "customer-disabled");
    }
    open(Caller::partner_admin("globex"), "web", &aws).await.assert_problem(404, "not-found");
    test.call(create_project, new_project("consoles", "new").by(&admin()))
        .await
        .assert_problem(403, "customer-disabled");
    test.call(create_tenant, new_tenant("consoles", "web", "gcp").by(&admin()))
        .await
        .assert_problem(403, "customer-disabled");
    let read = test.call(get_project, read_project("consoles", "web").by(&employee())).await;
    assert_eq!((read.status, read.body["tenants"].as_array().unwrap().len()), (200, 2));
    let listed =
        test.call(list_projects, api("GET /customers/{id}/projects").param("id", "consoles").by(&admin())).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(assert_project_count_exact(&test, "consoles").await, 2);

    // Enabled again: at once.
    set_status(&test, "consoles", "ACTIVE").await;
    assert_eq!(open(employee(), "web", &aws).await.status, 200);
    assert_eq!(test.call(create_tenant, new_tenant("consoles", "web", "gcp").by(&admin())).await.status, 201);
}

#[tokio::test]
async fn a_tenant_whose_platform_is_no_longer_configured_has_no_console() {
    let test = TestApp::spawn_with(&[("PLATFORMS", r#"{"aws": "https://console.aws.test/{tenantId}"}"#)]).await;
    customer(&test, "legacy", CustomerStatus::Active, 5).await;
    fixtures::project(&test, "legacy", &admin(), "web").await;
    let retired = "019bc190-05c0-7d44-8e5f-60718293a4b0";
    fixtures::tenant(&test, "legacy", &admin(), "web", "azure", retired).await;
    let response = test.call(open_access, access("legacy", "web", retired).by(&employee())).await;
    response.assert_problem(409, "platform-not-configured");
    let unknown = test.call(create_tenant, new_tenant("legacy", "web", "azure").by(&admin())).await;
    assert_eq!(unknown.body["errors"]["platform"], "must be one of the configured platforms: aws");
}

#[tokio::test]
async fn a_customer_not_yet_active_opens_no_tenant() {
    let test = TestApp::spawn().await;
    customer(&test, "pending", CustomerStatus::PendingApproval, 5).await;
    let tenant = uuid::Uuid::now_v7().to_string();
    let response = test.call(open_access, access("pending", "web", &tenant).by(&employee())).await;
    response.assert_problem(409, "customer-not-active");
    let created = test.call(create_tenant, new_tenant("pending", "web", "aws").by(&admin())).await;
    created.assert_problem(409, "customer-not-active");
}

// ------------------------------------------------------------------------------- service users

/// The secret is in the creation's answer and nowhere else: not in the list, not in any item
/// (outbox and history included, after the whole pipeline ran), not in an event, not in the log.
#[tokio::test]
async fn a_service_user_s_secret_is_shown_once_and_stored_only_as_its_hash() {
    capture_this_threads_log();
    let test = TestApp::spawn().await;
    customer(&test, "robots", CustomerStatus::Active, 5).await;
    let created = test.call(create_service_user, new_service_user("robots", "ci-pipeline").by(&admin())).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["serviceUserId"].as_str().unwrap().to_owned();
    assert_eq!(created.header("location"), Some(format!("/customers/robots/service-users/{id}").as_str()));
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(created.body["name"], "ci-pipeline");
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert_eq!(URL_SAFE_NO_PAD.decode(&secret).unwrap().len(), 32, "256 random bits");
    let other = test.call(create_service_user, new_service_user("robots", "ci-pipeline").by(&admin())).await;
    assert_ne!(other.body["secret"], created.body["secret"]);

    let listed = test.call(list_service_users, service_users("robots").by(&admin())).await;
    assert_eq!(listed.status, 200);
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["serviceUserId"], id.as_str(), "oldest first");
    assert!(items.iter().all(|item| item.get("secret").is_none() && item.get("secretHash").is_none()), "{items:?}");

    // The table keeps the SHA-256 only.
    let stored = test.items_of("SERVICE_USER").await;
    let item = stored.iter().find(|item| item["serviceUserId"].as_s().unwrap() == &id).unwrap();
    let hash = LinkToken::parse(&secret).unwrap().hash().to_string();
    assert_eq!(item["secretHash"].as_s().unwrap(), &hash);
    let events = test.events_of("SERVICE_USER_CREATED").await;
    assert_eq!(events[0]["data"], json!({"serviceUserId": id, "name": "ci-pipeline"}));

    let bus = meshcustomers_tests::pipeline::RecordingBus::default();
    let batch =
        meshcustomers_tests::pipeline::stream_batch(meshcustomers_tests::pipeline::stream_records(&test.table).await);
    stream_publisher::handle(&bus, batch).await.unwrap();
    for entry in bus.entries() {
        assert!(!entry.detail.contains(&secret), "an event carries the secret: {}", entry.detail);
        audit_writer::handle(&test.store, meshcustomers_tests::pipeline::delivered(&entry)).await.unwrap();
    }
    assert!(!test.items_of("HISTORY").await.is_empty());
    let everything = format!("{:?}", test.all_items().await);
    assert!(everything.contains(&hash), "the hash is stored");
    assert!(!everything.contains(&secret), "the secret is stored somewhere");
    let logged = captured_log();
    assert!(logged.contains("create_service_user"), "the log was captured");
    assert!(!logged.contains(&secret), "the secret is in the log");
}

#[tokio::test]
async fn service_users_are_made_by_admins_of_an_active_customer_and_deleted_even_when_disabled() {
    let test = TestApp::spawn().await;
    customer(&test, "bots", CustomerStatus::Active, 5).await;
    let created = test.call(create_service_user, new_service_user("bots", "deployer").by(&admin())).await;
    let id = created.body["serviceUserId"].as_str().unwrap().to_owned();

    // Who may create, list and delete.
    for (caller, create, list, delete) in [
        (employee(), 403, 403, 403),
        (Caller::partner_admin(ACME), 403, 200, 403),
        (Caller::partner_employee(ACME), 403, 200, 403),
        (Caller::platform_admin(), 403, 200, 403),
        (Caller::partner_admin("globex"), 404, 404, 404),
        (Caller::user("outsider", "out@example.com"), 404, 404, 404),
    ] {
        let made = test.call(create_service_user, new_service_user("bots", "x").by(&caller)).await;
        let listed = test.call(list_service_users, service_users("bots").by(&caller)).await;
        let deleted = test.call(delete_service_user, removal("bots", &id).by(&caller)).await;
        assert_eq!((made.status, listed.status, deleted.status), (create, list, delete), "{caller:?}");
    }
    assert_eq!(test.items_of("SERVICE_USER").await.len(), 1);

    // Disabled: none made, the list still read, deleting allowed.
    set_status(&test, "bots", "DISABLED").await;
    let refused = test.call(create_service_user, new_service_user("bots", "more").by(&admin())).await;
    refused.assert_problem(403, "customer-disabled");
    let listed = test.call(list_service_users, service_users("bots").by(&Caller::partner_admin(ACME))).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let deleted = test.call(delete_service_user, removal("bots", &id).by(&second_admin())).await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    let events = test.events_of("SERVICE_USER_DELETED").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["data"], json!({"serviceUserId": id, "name": "deployer"}));
    assert_eq!(events[0]["actor"]["userId"], "bob");
    test.call(delete_service_user, removal("bots", &id).by(&admin())).await.assert_problem(404, "not-found");
    test.call(delete_service_user, removal("bots", "nope").by(&admin())).await.assert_problem(404, "not-found");
    assert!(test.items_of("SERVICE_USER").await.is_empty());

    // Enabled again: at once.
    set_status(&test, "bots", "ACTIVE").await;
    assert_eq!(test.call(create_service_user, new_service_user("bots", "more").by(&admin())).await.status, 201);

    // Not yet active: no service users.
    customer(&test, "pending-bots", CustomerStatus::PendingApproval, 5).await;
    let pending = test.call(create_service_user, new_service_user("pending-bots", "x").by(&admin())).await;
    pending.assert_problem(409, "customer-not-active");

    // Names are display names.
    for name in [json!(""), json!("  "), json!("é".repeat(129)), json!(5), json!("a\u{202E}b")] {
        let request = api("POST /customers/{id}/service-users").param("id", "bots").json(json!({"name": name}));
        let response = test.call(create_service_user, request.by(&admin())).await;
        response.assert_problem(400, "validation-failed");
        assert!(response.body["errors"]["name"].is_string(), "{name}: {}", response.body);
    }
}

/// Ten deletions of one service user at once: one 204 and one event, nine 404.
#[tokio::test]
async fn concurrent_deletions_of_a_service_user_delete_it_once() {
    let test = TestApp::spawn().await;
    customer(&test, "once", CustomerStatus::Active, 5).await;
    let id = "019bc194-99a0-7e55-8f60-718293a4b5c0";
    fixtures::service_user(&test, "once", &admin(), id, &LinkToken::generate().unwrap()).await;
    let deletions = (0..10).map(|_| test.call(delete_service_user, removal("once", id).by(&admin())));
    let responses = join_all(deletions).await;
    assert_eq!(responses.iter().filter(|response| response.status == 204).count(), 1, "{:?}", statuses(&responses));
    for refused in responses.iter().filter(|response| response.status != 204) {
        refused.assert_problem(404, "not-found");
    }
    assert_eq!(test.events_of("SERVICE_USER_DELETED").await.len(), 1);
}

// ------------------------------------------------------------------------------- failures

/// A creation whose transaction keeps meeting others on the customer item is sent again with
/// backoff, then answered 503 (not 500); one whose connection breaks is 503 too. Either way the
/// count is the projects stored: nothing is counted outside the project's own transaction.
#[tokio::test]
async fn a_creation_that_keeps_conflicting_is_503_and_counts_nothing() {
    let faults = Faults::default();
    let test = TestApp::spawn_with_faults(&faults).await;
    customer(&test, "faulty", CustomerStatus::Active, 5).await;

    let conflicted = r#","CancellationReasons":[{"Code":"None"},{"Code":"TransactionConflict"},{"Code":"None"}]"#;
    faults.inject("TransactWriteItems", Fault::status(400, "TransactionCanceledException", conflicted));
    test.operations.take_calls();
    let response = test.call(create_project, new_project("faulty", "web").by(&admin())).await;
    response.assert_problem(503, "service-unavailable");
    let attempts =
        test.operations.take_calls().iter().filter(|call| call.operation == "dynamodb:TransactWriteItems").count();
    assert_eq!(attempts, 9, "the first attempt and 8 retries");
    faults.clear();
    assert_eq!(assert_project_count_exact(&test, "faulty").await, 0);

    faults.inject("TransactWriteItems", Fault::Unreachable);
    let response = test.call(create_project, new_project("faulty", "web").by(&admin())).await;
    response.assert_problem(503, "service-unavailable");
    faults.clear();
    assert_eq!(assert_project_count_exact(&test, "faulty").await, 0);
    assert_eq!(test.call(create_project, new_project("faulty", "web").by(&admin())).await.status, 201);
    assert_eq!(assert_project_count_exact(&test, "faulty").await, 1);
}

// ----------------------------------------------------------- outsiders and status at the write

/// SPEC §6.1: an outsider's request changes no stored item, not even for a moment. Twenty
/// refused creations (outsiders, another partner, an employee, the partner's admins) flood a
/// customer with one free slot while its admin takes it: the admin gets it, and the table's
/// stream shows no write but the admin's (the project, its event and the count).
#[tokio::test]
async fn refused_callers_write_nothing_not_even_for_a_moment() {
    let test = TestApp::spawn().await;
    customer(&test, "owned", CustomerStatus::Active, 1).await;
    let before = stream_writes(&test.table).await.len();
    let refused = [
        Caller::user("outsider", "out@example.com"),
        Caller::partner_admin("globex"),
        employee(),
        Caller::partner_admin(ACME),
        Caller::platform_admin(),
    ];
    let flood = (0..20).map(|n| test.call(create_project, new_project("owned", &format!("x{n}")).by(&refused[n % 5])));
    let owner = test.call(create_project, new_project("owned", "mine").by(&admin()));
    let (flooded, owned) = futures::join!(join_all(flood), owner);
    assert_eq!(owned.status, 201, "the last free slot is the admin's: {}", owned.body);
    for response in &flooded {
        assert!(matches!(response.status, 403 | 404), "{} {}", response.status, response.body);
    }
    let writes: Vec<_> = stream_writes(&test.table).await.split_off(before);
    let customer_writes = writes.iter().filter(|write| write.sk == "CUSTOMER").count();
    assert_eq!(customer_writes, 1, "only the admin's creation touched the customer item: {writes:#?}");
    assert_eq!(writes.len(), 3, "the count, the project and its event: {writes:#?}");
    assert_eq!(assert_project_count_exact(&test, "owned").await, 1);
}

/// DISABLED lands between a creation's read (ACTIVE) and its write: the write is refused (403
/// `customer-disabled`), because the status is a condition of the creation's own transaction.
#[tokio::test]
async fn a_disable_between_the_read_and_the_write_refuses_service_users_and_tenants() {
    let test = TestApp::spawn().await;
    customer(&test, "flip", CustomerStatus::Active, 5).await;
    fixtures::project(&test, "flip", &admin(), "web").await;
    let disable = || disable_directly(&test, "flip");

    let app = test.app_interleaved::<()>("TransactWriteItems", disable());
    let response = TestApp::call_with(&app, create_service_user, new_service_user("flip", "bot").by(&admin())).await;
    response.assert_problem(403, "customer-disabled");
    assert!(test.items_of("SERVICE_USER").await.is_empty());

    set_status(&test, "flip", "ACTIVE").await;
    let app = test.app_interleaved::<create_tenant::Settings>("TransactWriteItems", disable());
    let response = TestApp::call_with(&app, create_tenant, new_tenant("flip", "web", "aws").by(&admin())).await;
    response.assert_problem(403, "customer-disabled");
    assert!(test.items_of("TENANT").await.is_empty());

    set_status(&test, "flip", "ACTIVE").await;
    let app = test.app_interleaved::<()>("TransactWriteItems", disable());
    let response = TestApp::call_with(&app, create_project, new_project("flip", "api").by(&admin())).await;
    response.assert_problem(403, "customer-disabled");
    assert_eq!(assert_project_count_exact(&test, "flip").await, 1);
}

/// Sets the customer DISABLED with a plain write, as a concurrent status change would leave it.
fn disable_directly(test: &TestApp, customer: &str) -> Interleaved {
    let (dynamodb, table) = (test.dynamodb.clone(), test.table.clone());
    let key = Key::customer(&CustomerIdentifier::parse(customer).unwrap()).into_attributes();
    Arc::new(move || {
        let (dynamodb, table, key) = (dynamodb.clone(), table.clone(), key.clone());
        Box::pin(async move {
            dynamodb
                .update_item()
                .table_name(table)
                .set_key(Some(key))
                .update_expression("SET #status = :disabled ADD version :one")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":disabled", AttributeValue::S("DISABLED".into()))
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
                .send()
                .await
                .expect("the customer is disabled");
        })
    })
}

/// In the stream's order: whether any item whose sort key begins with `prefix` was inserted
/// after the customer item was written DISABLED.
async fn inserted_after_the_disable(test: &TestApp, prefix: &str) -> Vec<String> {
    let writes = stream_writes(&test.table).await;
    let disabled = writes
        .iter()
        .position(|write| write.sk == "CUSTOMER" && write.status.as_deref() == Some("DISABLED"))
        .expect("the disable is in the stream");
    writes[disabled..]
        .iter()
        .filter(|write| write.event_name == "INSERT" && write.sk.starts_with(prefix))
        .map(|write| write.sk.clone())
        .collect()
}

/// Twenty service-user creations race a disable: each is 201 or 403 `customer-disabled`, and
/// none lands after the disable.
#[tokio::test]
async fn service_user_creations_racing_a_disable_land_none_after_it() {
    let test = TestApp::spawn().await;
    customer(&test, "race-bots", CustomerStatus::Active, 5).await;
    let (ada, bob) = (admin(), second_admin());
    let creations = (0..20).map(|n| {
        let caller = if n % 2 == 0 { &ada } else { &bob };
        test.call(create_service_user, new_service_user("race-bots", &format!("bot {n}")).by(caller))
    });
    let disable = async {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        set_status(&test, "race-bots", "DISABLED").await;
    };
    let (responses, ()) = futures::join!(join_all(creations), disable);
    for refused in responses.iter().filter(|response| response.status != 201) {
        refused.assert_problem(403, "customer-disabled");
    }
    let created = responses.iter().filter(|response| response.status == 201).count();
    assert_eq!(test.items_of("SERVICE_USER").await.len(), created);
    assert_eq!(test.events_of("SERVICE_USER_CREATED").await.len(), created);
    let late = inserted_after_the_disable(&test, "SERVICE_USER#").await;
    assert!(late.is_empty(), "service users landed after the disable: {late:?} ({:?})", statuses(&responses));
}

/// Twenty tenant creations (ten projects, two platforms) race a disable: none lands after it.
#[tokio::test]
async fn tenant_creations_racing_a_disable_land_none_after_it() {
    let test = TestApp::spawn().await;
    customer(&test, "race-tenants", CustomerStatus::Active, 10).await;
    for n in 0..10 {
        fixtures::project(&test, "race-tenants", &admin(), &format!("p{n}")).await;
    }
    let (ada, bob) = (admin(), second_admin());
    let creations = (0..20).map(|n| {
        let caller = if n % 2 == 0 { &ada } else { &bob };
        let platform = if n < 10 { "aws" } else { "gcp" };
        test.call(create_tenant, new_tenant("race-tenants", &format!("p{}", n % 10), platform).by(caller))
    });
    let disable = async {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        set_status(&test, "race-tenants", "DISABLED").await;
    };
    let (responses, ()) = futures::join!(join_all(creations), disable);
    for refused in responses.iter().filter(|response| response.status != 201) {
        refused.assert_problem(403, "customer-disabled");
    }
    let created = responses.iter().filter(|response| response.status == 201).count();
    assert_eq!(test.items_of("TENANT").await.len(), created);
    let late = inserted_after_the_disable(&test, "TENANT#").await;
    assert!(late.is_empty(), "tenants landed after the disable: {late:?} ({:?})", statuses(&responses));
}
