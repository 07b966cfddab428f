//! Creating, registering, reading and listing customers, against DynamoDB Local.

use chrono::{Duration, SecondsFormat, SubsecRound, Utc};
use meshcustomers_tests::{Caller, TestApp, api, fixtures};
use serde_json::json;

use create_customer::handle as create;
use get_customer::handle as get;
use list_customers::handle as list;
use register_customer::handle as register;

fn new_customer(identifier: &str) -> serde_json::Value {
    json!({"identifier": identifier, "displayName": format!("{identifier} Inc.")})
}

#[tokio::test]
async fn partner_admin_creates_an_active_customer_of_their_partner() {
    let test = TestApp::spawn().await;
    let response = test
        .call(
            create,
            api("POST /customers")
                .json(json!({"identifier": "globex-labs", "displayName": "  Globex Labs ", "projectQuota": 10}))
                .by(&Caller::partner_admin("acme")),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
    assert_eq!(response.header("location"), Some("/customers/globex-labs"));
    let customer = &response.body;
    assert_eq!(customer["identifier"], "globex-labs");
    assert_eq!(customer["displayName"], "Globex Labs");
    assert_eq!(customer["status"], "ACTIVE");
    assert_eq!(customer["managingPartnerId"], "acme");
    assert_eq!(customer["projectQuota"], 10);
    assert_eq!(customer["projectCount"], 0);
    assert_eq!(customer["version"], 1);
    assert_eq!(customer["createdBy"], Caller::partner_admin("acme").user_id());

    let read = test
        .call(get, api("GET /customers/{id}").param("id", "globex-labs").by(&Caller::partner_employee("acme")))
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header("etag"), Some("\"1\""));
    assert_eq!(&read.body, customer);
}

#[tokio::test]
async fn defaults_apply_and_users_are_invited() {
    let test = TestApp::spawn().await;
    let response = test
        .call(
            create,
            api("POST /customers")
                .json(json!({
                    "identifier": "initech",
                    "displayName": "Initech",
                    "users": [{"email": "Peter@Initech.example", "role": "CUSTOMER_ADMIN"}, {"email": "milton@initech.example", "role": "CUSTOMER_EMPLOYEE"}]
                }))
                .by(&Caller::platform_admin()),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
    assert_eq!(response.body["projectQuota"], 5);
    assert_eq!(response.body["managingPartnerId"], "default");
    assert_eq!(test.items_of("CUSTOMER").await.len(), 1);
    assert_eq!(test.items_of("INVITATION").await.len(), 2);
    let locks = test.items_of("INVITATION_EMAIL").await;
    assert_eq!(locks.len(), 2);
    assert!(locks.iter().any(|item| item["sk"].as_s().unwrap() == "INVITATION_EMAIL#peter@initech.example"));
    assert_eq!(test.items_of("OUTBOX").await.len(), 3, "CUSTOMER_CREATED and one USER_INVITED per user");
}

#[tokio::test]
async fn users_invited_at_creation_may_get_memberships_that_end() {
    let test = TestApp::spawn().await;
    let end = (Utc::now() + Duration::days(30)).trunc_subsecs(3);
    let response = test
        .call(
            create,
            api("POST /customers")
                .json(json!({
                    "identifier": "initrode",
                    "displayName": "Initrode",
                    "users": [
                        {"email": "joanna@initrode.example", "role": "CUSTOMER_EMPLOYEE", "membershipExpiresAt": end.to_rfc3339()},
                        {"email": "bob@initrode.example", "role": "CUSTOMER_ADMIN", "membershipExpiresAt": null}
                    ]
                }))
                .by(&Caller::partner_admin("acme")),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
    let invitations = test.items_of("INVITATION").await;
    let end_of = |email: &str| {
        let invitation = invitations.iter().find(|item| item["email"].as_s().unwrap() == email).unwrap();
        invitation.get("membershipExpiresAt").map(|at| at.as_s().unwrap().clone())
    };
    assert_eq!(end_of("joanna@initrode.example"), Some(end.to_rfc3339_opts(SecondsFormat::Millis, true)));
    assert_eq!(end_of("bob@initrode.example"), None, "null: the membership does not end");
    let invited = test.events_of("USER_INVITED").await;
    let joanna = invited.iter().find(|event| event["data"]["email"] == "joanna@initrode.example").unwrap();
    assert_eq!(joanna["data"]["membershipExpiresAt"], end.to_rfc3339_opts(SecondsFormat::Millis, true));
}

#[tokio::test]
async fn platform_admin_may_name_the_partner_and_partner_users_may_not() {
    let test = TestApp::spawn().await;
    let mut body = new_customer("hooli");
    body["partnerId"] = json!("globex");
    let by_platform = test.call(create, api("POST /customers").json(body.clone()).by(&Caller::platform_admin())).await;
    assert_eq!(by_platform.status, 201);
    assert_eq!(by_platform.body["managingPartnerId"], "globex");

    body["identifier"] = json!("hooli-2");
    let by_partner = test.call(create, api("POST /customers").json(body).by(&Caller::partner_admin("acme"))).await;
    by_partner.assert_problem(403, "forbidden");
}

#[tokio::test]
async fn invalid_input_names_every_field_and_writes_nothing() {
    let test = TestApp::spawn().await;
    let response = test
        .call(
            create,
            api("POST /customers")
                .json(json!({
                    "identifier": "Not Valid",
                    "displayName": "",
                    "projectQuota": 10001,
                    "users": [
                        {"email": "nobody", "role": "OWNER"},
                        {"email": "a@b.example", "role": "CUSTOMER_ADMIN"},
                        {"email": "A@b.example", "role": "CUSTOMER_ADMIN"},
                        {"email": "c@b.example", "role": "CUSTOMER_ADMIN", "membershipExpiresAt": "2000-01-01T00:00:00Z"},
                        {"email": "d@b.example", "role": "CUSTOMER_ADMIN", "membershipExpiresAt": "tomorrow"}
                    ]
                }))
                .by(&Caller::partner_admin("acme")),
        )
        .await;
    response.assert_problem(400, "validation-failed");
    let errors = response.body["errors"].as_object().unwrap();
    for field in [
        "identifier",
        "displayName",
        "projectQuota",
        "users[0].email",
        "users[0].role",
        "users[2].email",
        "users[3].membershipExpiresAt",
        "users[4].membershipExpiresAt",
    ] {
        assert!(errors.contains_key(field), "no error for {field}: {errors:?}");
    }
    assert!(test.all_items().await.is_empty(), "a refused request changed nothing");

    let unknown_field = test
        .call(
            create,
            api("POST /customers")
                .json(json!({"identifier": "a", "displayName": "A", "owner": "x"}))
                .by(&Caller::partner_admin("acme")),
        )
        .await;
    unknown_field.assert_problem(400, "validation-failed");
    assert_eq!(unknown_field.body["errors"]["owner"], "is not a field of this request");
    let not_json = test.call(create, api("POST /customers").raw_body("{").by(&Caller::partner_admin("acme"))).await;
    not_json.assert_problem(400, "malformed-request");
    assert!(test.all_items().await.is_empty());
}

#[tokio::test]
async fn only_admin_area_users_create_customers() {
    let test = TestApp::spawn().await;
    let response = test
        .call(create, api("POST /customers").json(new_customer("acme")).by(&Caller::user("u1", "u1@example.com")))
        .await;
    response.assert_problem(403, "forbidden");
    let partner_without_partner_id = Caller::partner_admin("acme").without("custom:partner_id");
    let response =
        test.call(create, api("POST /customers").json(new_customer("acme")).by(&partner_without_partner_id)).await;
    response.assert_problem(403, "forbidden");
    let no_token = api("POST /customers").json(new_customer("acme")).anonymous();
    test.call(create, no_token).await.assert_problem(401, "unauthenticated");
}

#[tokio::test]
async fn a_duplicate_identifier_is_a_conflict() {
    let test = TestApp::spawn().await;
    let first =
        test.call(create, api("POST /customers").json(new_customer("acme")).by(&Caller::partner_admin("acme"))).await;
    assert_eq!(first.status, 201);
    let items_before = test.all_items().await.len();
    let second =
        test.call(create, api("POST /customers").json(new_customer("acme")).by(&Caller::partner_admin("globex"))).await;
    second.assert_problem(409, "identifier-taken");
    assert_eq!(test.all_items().await.len(), items_before, "the refused create wrote nothing, no outbox event either");
}

#[tokio::test]
async fn ten_parallel_creates_of_one_identifier_make_one_customer() {
    let test = TestApp::spawn().await;
    let caller = Caller::partner_admin("acme");
    let attempts = (0..10).map(|n| {
        let body = json!({"identifier": "contested", "displayName": format!("Attempt {n}")});
        test.call(create, api("POST /customers").json(body).by(&caller))
    });
    let responses = futures::future::join_all(attempts).await;
    let created = responses.iter().filter(|r| r.status == 201).count();
    let conflicts = responses.iter().filter(|r| r.status == 409).count();
    assert_eq!((created, conflicts), (1, 9), "statuses: {:?}", responses.iter().map(|r| r.status).collect::<Vec<_>>());
    let outbox = test.items_of("OUTBOX").await.len();
    assert_eq!(outbox, 1, "exactly one CUSTOMER_CREATED");
}

#[tokio::test]
async fn another_partners_customer_reads_as_nonexistent() {
    let test = TestApp::spawn().await;
    test.call(create, api("POST /customers").json(new_customer("acme-corp")).by(&Caller::partner_admin("acme"))).await;
    let globex = Caller::partner_admin("globex");

    let hidden = test.call(get, api("GET /customers/{id}").param("id", "acme-corp").by(&globex)).await;
    let missing = test.call(get, api("GET /customers/{id}").param("id", "no-such-customer").by(&globex)).await;
    hidden.assert_problem(404, "not-found");
    missing.assert_problem(404, "not-found");
    let detail = |r: &meshcustomers_tests::TestResponse| {
        r.body["detail"].as_str().unwrap().replace("acme-corp", "X").replace("no-such-customer", "X")
    };
    assert_eq!(detail(&hidden), detail(&missing), "a hidden customer is indistinguishable from a missing one");

    let listed = test.call(list, api("GET /customers").by(&globex)).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body, json!({"items": [], "nextCursor": null}));
    let plain_user = test
        .call(get, api("GET /customers/{id}").param("id", "acme-corp").by(&Caller::user("u9", "u9@example.com")))
        .await;
    plain_user.assert_problem(404, "not-found");
}

#[tokio::test]
async fn lists_are_scoped_filtered_and_paged() {
    let test = TestApp::spawn().await;
    for (identifier, name, partner) in [
        ("alpha", "Zeta Holdings", "acme"),
        ("beta", "Alpine Tours", "acme"),
        ("gamma", "Gamma Rays", "acme"),
        ("delta", "Delta Force", "globex"),
    ] {
        let body = json!({"identifier": identifier, "displayName": name});
        let response = test.call(create, api("POST /customers").json(body).by(&Caller::partner_admin(partner))).await;
        assert_eq!(response.status, 201);
    }
    let identifiers = |body: &serde_json::Value| -> Vec<String> {
        body["items"].as_array().unwrap().iter().map(|c| c["identifier"].as_str().unwrap().to_owned()).collect()
    };
    let acme = Caller::partner_employee("acme");

    let all = test.call(list, api("GET /customers").by(&Caller::platform_admin())).await;
    assert_eq!(identifiers(&all.body), ["alpha", "beta", "delta", "gamma"]);
    let scoped = test.call(list, api("GET /customers").by(&acme)).await;
    assert_eq!(identifiers(&scoped.body), ["alpha", "beta", "gamma"]);

    let by_prefix = test.call(list, api("GET /customers").query("q", "AL").by(&acme)).await;
    assert_eq!(identifiers(&by_prefix.body), ["alpha", "beta"], "identifier prefix or display-name prefix, any case");
    let by_status = test.call(list, api("GET /customers").query("status", "DISABLED").by(&acme)).await;
    assert_eq!(identifiers(&by_status.body), Vec::<String>::new());
    // Statuses that customers have: a registration waits for approval beside active ones.
    let registrant = Caller::user("reg", "reg@example.com");
    let registered = json!({"identifier": "applicant", "displayName": "Applicant"});
    assert_eq!(test.call(register, api("POST /registrations").json(registered).by(&registrant)).await.status, 201);
    let body = json!({"identifier": "epsilon", "displayName": "Epsilon", "partnerId": "default"});
    assert_eq!(test.call(create, api("POST /customers").json(body).by(&Caller::platform_admin())).await.status, 201);
    let default_partner = Caller::partner_employee("default");
    let pending = test.call(list, api("GET /customers").query("status", "PENDING_APPROVAL").by(&default_partner)).await;
    assert_eq!(identifiers(&pending.body), ["applicant"]);
    let active = test.call(list, api("GET /customers").query("status", "ACTIVE").by(&default_partner)).await;
    assert_eq!(identifiers(&active.body), ["epsilon"]);
    let all_pending =
        test.call(list, api("GET /customers").query("status", "PENDING_APPROVAL").by(&Caller::platform_admin())).await;
    assert_eq!(identifiers(&all_pending.body), ["applicant"]);
    let all_active =
        test.call(list, api("GET /customers").query("status", "ACTIVE").by(&Caller::platform_admin())).await;
    assert_eq!(identifiers(&all_active.body), ["alpha", "beta", "delta", "epsilon", "gamma"]);
    test.call(list, api("GET /customers").query("status", "GONE").by(&acme))
        .await
        .assert_problem(400, "validation-failed");
    test.call(list, api("GET /customers").query("limit", "0").by(&acme)).await.assert_problem(400, "validation-failed");

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut request = api("GET /customers").query("limit", "2");
        if let Some(cursor) = &cursor {
            request = request.query("cursor", cursor);
        }
        let page = test.call(list, request.by(&acme)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body["items"].as_array().unwrap().len() <= 2);
        seen.extend(identifiers(&page.body));
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ["alpha", "beta", "gamma"]);
    let exact = test.call(list, api("GET /customers").query("limit", "3").by(&acme)).await;
    assert_eq!(identifiers(&exact.body).len(), 3);
    assert_eq!(exact.body["nextCursor"], serde_json::Value::Null, "a page that holds the rest has no next page");

    let first_page = test.call(list, api("GET /customers").query("limit", "1").by(&acme)).await;
    let cursor = first_page.body["nextCursor"].as_str().unwrap();
    let tampered = format!("x{cursor}");
    test.call(list, api("GET /customers").query("cursor", &tampered).by(&acme))
        .await
        .assert_problem(400, "invalid-cursor");
    let globex_with_acme_cursor =
        test.call(list, api("GET /customers").query("cursor", cursor).by(&Caller::partner_admin("globex"))).await;
    globex_with_acme_cursor.assert_problem(400, "invalid-cursor");
}

#[tokio::test]
async fn registration_waits_for_approval_and_makes_the_registrant_admin() {
    let test = TestApp::spawn().await;
    let registrant = Caller::user("jane", "Jane@Initrode.example").with("name", "Jane Doe");
    let response = test
        .call(
            register,
            api("POST /registrations")
                .json(json!({"identifier": "initrode", "displayName": "Initrode"}))
                .by(&registrant),
        )
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
    assert_eq!(response.header("location"), Some("/customers/initrode"));
    assert_eq!(response.body["status"], "PENDING_APPROVAL");
    assert_eq!(response.body["managingPartnerId"], "default");
    assert_eq!(response.body["projectQuota"], 5);

    let own = test.call(get, api("GET /customers/{id}").param("id", "initrode").by(&registrant)).await;
    assert_eq!(own.status, 200, "the registrant is a member");
    let members = test.items_of("MEMBER").await;
    let member = members.first().expect("a membership");
    assert_eq!(member["role"].as_s().unwrap(), "CUSTOMER_ADMIN");
    assert_eq!(member["email"].as_s().unwrap(), "jane@initrode.example");
    assert_eq!(member["gsi1pk"].as_s().unwrap(), "USER#jane");
    assert_eq!(member["addedBy"].as_s().unwrap(), "jane", "the registrant added themself");

    let default_partner =
        test.call(get, api("GET /customers/{id}").param("id", "initrode").by(&Caller::partner_admin("default"))).await;
    assert_eq!(default_partner.status, 200, "the default partner manages self-registered customers");
}

#[tokio::test]
async fn registration_without_approval_is_active() {
    let test = TestApp::spawn_with(&[("REQUIRE_CUSTOMER_APPROVAL", "false")]).await;
    let response = test
        .call(
            register,
            api("POST /registrations").json(new_customer("umbrella")).by(&Caller::user("al", "al@umbrella.example")),
        )
        .await;
    assert_eq!(response.status, 201);
    assert_eq!(response.body["status"], "ACTIVE");
}

#[tokio::test]
async fn registration_needs_an_email_and_a_free_identifier() {
    let test = TestApp::spawn().await;
    let no_email = Caller::user("anon", "x@example.com").without("email");
    test.call(register, api("POST /registrations").json(new_customer("vandelay")).by(&no_email))
        .await
        .assert_problem(403, "email-required");
    test.call(create, api("POST /customers").json(new_customer("vandelay")).by(&Caller::partner_admin("acme"))).await;
    test.call(
        register,
        api("POST /registrations").json(new_customer("vandelay")).by(&Caller::user("art", "art@vandelay.example")),
    )
    .await
    .assert_problem(409, "identifier-taken");
}

async fn define_tags(test: &TestApp) {
    fixtures::tag_definitions(
        test,
        json!([
            {"key": "costCenter", "displayName": "Cost center", "valueType": "STRING", "pattern": "[0-9]{4}", "mandatory": true, "restricted": false},
            {"key": "billing", "displayName": "Billing", "valueType": "SINGLE_SELECT", "options": ["invoice", "card"], "mandatory": true, "restricted": true},
            {"key": "regions", "displayName": "Regions", "valueType": "MULTI_SELECT", "options": ["eu", "us"], "mandatory": false, "restricted": false}
        ]),
    )
    .await;
}

#[tokio::test]
async fn tags_are_validated_against_their_definitions() {
    let test = TestApp::spawn().await;
    define_tags(&test).await;
    let partner = Caller::partner_admin("acme");
    let with_tags = |identifier: &str, tags: serde_json::Value| {
        api("POST /customers").json(json!({"identifier": identifier, "displayName": "Tagged", "tags": tags}))
    };

    let created = test
        .call(
            create,
            with_tags("tagged", json!({"costCenter": ["1234"], "billing": ["card"], "regions": ["us", "eu"]}))
                .by(&partner),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let read = test.call(get, api("GET /customers/{id}").param("id", "tagged").by(&partner)).await;
    assert_eq!(read.body["tags"], json!({"billing": ["card"], "costCenter": ["1234"], "regions": ["eu", "us"]}));

    let invalid = test
        .call(
            create,
            with_tags("bad-tags", json!({"costCenter": ["12"], "colour": ["red"], "regions": ["mars"]})).by(&partner),
        )
        .await;
    invalid.assert_problem(400, "validation-failed");
    let errors = invalid.body["errors"].as_object().unwrap();
    let mut keys: Vec<&str> = errors.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["tags.billing", "tags.colour", "tags.costCenter", "tags.regions"]);

    let registrant = Caller::user("reg", "reg@example.com");
    let restricted = test
        .call(
            register,
            api("POST /registrations")
                .json(json!({"identifier": "sneaky", "displayName": "Sneaky", "tags": {"costCenter": ["1234"], "billing": ["invoice"]}}))
                .by(&registrant),
        )
        .await;
    restricted.assert_problem(403, "restricted-tag");
    let registered = test
        .call(
            register,
            api("POST /registrations")
                .json(json!({"identifier": "honest", "displayName": "Honest", "tags": {"costCenter": ["4321"]}}))
                .by(&registrant),
        )
        .await;
    assert_eq!(
        registered.status, 201,
        "mandatory restricted tags are not required at registration: {}",
        registered.body
    );
    let missing = test.call(register, api("POST /registrations").json(new_customer("untagged")).by(&registrant)).await;
    missing.assert_problem(400, "validation-failed");
    assert!(missing.body["errors"]["tags.costCenter"].is_string());
    let customers = test.items_of("CUSTOMER").await.len();
    assert_eq!(customers, 2, "only the valid requests created customers");
}

#[tokio::test]
async fn forged_group_names_grant_no_admin_role() {
    let test = TestApp::spawn().await;
    test.call(create, api("POST /customers").json(new_customer("globex-web")).by(&Caller::partner_admin("globex")))
        .await;
    for groups in
        [r#"["x,platform-admins"]"#, "[[platform-admins]]", r#"['"platform-admins"']"#, r#"["platform-admins"]"#]
    {
        let forger = Caller::user("mallory", "mallory@example.com").with("cognito:groups", groups);
        let listed = test.call(list, api("GET /customers").by(&forger)).await;
        listed.assert_problem(403, "forbidden");
        let read = test.call(get, api("GET /customers/{id}").param("id", "globex-web").by(&forger)).await;
        read.assert_problem(404, "not-found");
        let mut body = new_customer("forged");
        body["partnerId"] = json!("globex");
        test.call(create, api("POST /customers").json(body).by(&forger)).await.assert_problem(403, "forbidden");
    }
    assert_eq!(test.items_of("CUSTOMER").await.len(), 1, "no forger created a customer");
}

#[tokio::test]
async fn the_partner_claim_is_taken_exactly() {
    let test = TestApp::spawn().await;
    test.call(create, api("POST /customers").json(new_customer("acme-web")).by(&Caller::partner_admin("acme"))).await;
    let padded = Caller::partner_admin("acme").with("custom:partner_id", "acme ");
    test.call(list, api("GET /customers").by(&padded)).await.assert_problem(403, "forbidden");
    test.call(get, api("GET /customers/{id}").param("id", "acme-web").by(&padded))
        .await
        .assert_problem(403, "forbidden");
}
