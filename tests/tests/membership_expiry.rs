//! Memberships that end (SPEC §6.3): the end set, moved and cleared by a customer admin; "Add
//! Myself" with an end and `SELF_ASSIGN_MAX_HOURS`; a membership absent for every read and right
//! from its end on, before any sweep; and the rule that a customer keeps a CUSTOMER_ADMIN whose
//! membership does not end, under 20 racing requests too. After each scenario `adminCount` is
//! held against the stored admins without an end.

use chrono::{DateTime, Duration, Utc};
use futures::future::join_all;
use meshcustomers::domain::{CustomerIdentifier, CustomerRole, CustomerStatus, UserId};
use meshcustomers::events::{Actor, DomainEvent, EventPayload, MembershipExpiryChanged};
use meshcustomers::store::{Conflict, StoreError};
use meshcustomers_tests::members::{assert_admins_that_stay_counted, stored_members};
use meshcustomers_tests::requests::RequestBuilder;
use meshcustomers_tests::{Caller, TestApp, api, fixtures};
use serde_json::{Value, json};

use add_myself::handle as add_myself;
use change_member_expiry::handle as change_expiry;
use change_member_role::handle as change_role;
use get_customer::handle as get_customer;
use list_customer_users::handle as list_users;
use list_my_customers::handle as my_customers;
use remove_member::handle as remove;

use CustomerRole::{CustomerAdmin as ADMIN, CustomerEmployee as EMPLOYEE};

fn user(name: &str) -> Caller {
    Caller::user(name, &format!("{name}@ending.example"))
}

fn expiry(customer: &str, member: &str, body: Value) -> RequestBuilder {
    api("PUT /customers/{id}/users/{userId}/expiry").param("id", customer).param("userId", member).json(body)
}

fn ending(customer: &str, member: &str, at: DateTime<Utc>) -> RequestBuilder {
    expiry(customer, member, json!({"expiresAt": at.to_rfc3339()}))
}

fn set_role(customer: &str, member: &str, role: &str) -> RequestBuilder {
    api("PUT /customers/{id}/users/{userId}/role")
        .param("id", customer)
        .param("userId", member)
        .json(json!({"role": role}))
}

fn millis(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

// ------------------------------------------------------------------------------- the route

#[tokio::test]
async fn an_admin_sets_moves_and_clears_a_members_end() {
    let test = TestApp::spawn().await;
    let (admin, employee) = (user("admin"), user("emp"));
    fixtures::customer(&test, "ends", "acme", CustomerStatus::Active, &[(&admin, ADMIN), (&employee, EMPLOYEE)]).await;
    let at = Utc::now() + Duration::days(10);
    // An offset other than Z is taken, and stored in UTC to the millisecond.
    let with_offset = at.with_timezone(&chrono::FixedOffset::east_opt(2 * 3600).unwrap()).to_rfc3339();
    let set = test.call(change_expiry, expiry("ends", "emp", json!({"expiresAt": with_offset})).by(&admin)).await;
    assert_eq!((set.status, set.header("etag")), (200, Some("\"2\"")), "{}", set.body);
    assert_eq!(set.body["expiresAt"], millis(at));
    let stored = stored_members(&test, "ends").await;
    let item = stored.iter().find(|item| item["userId"].as_s().unwrap() == "emp").unwrap();
    assert_eq!(item["expiresAt"].as_s().unwrap(), &millis(at), "stored as RFC 3339 with milliseconds and Z");
    let events = test.events_of("MEMBERSHIP_EXPIRY_CHANGED").await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["data"], json!({"userId": "emp", "from": null, "to": millis(at)}));
    assert_eq!(events[0]["actor"]["role"], "CUSTOMER_ADMIN");

    // The end it has: 200, unchanged, no event.
    let again = test.call(change_expiry, ending("ends", "emp", at).by(&admin)).await;
    assert_eq!((again.status, again.header("etag")), (200, Some("\"2\"")));
    assert_eq!(test.events_of("MEMBERSHIP_EXPIRY_CHANGED").await.len(), 1);

    // The list shows the end.
    let listed = test.call(list_users, api("GET /customers/{id}/users").param("id", "ends").by(&admin)).await;
    let member = listed.body["items"].as_array().unwrap().iter().find(|m| m["userId"] == "emp").unwrap().clone();
    assert_eq!(member["expiresAt"], millis(at));

    let cleared = test.call(change_expiry, expiry("ends", "emp", json!({"expiresAt": null})).by(&admin)).await;
    assert_eq!((cleared.status, cleared.header("etag")), (200, Some("\"3\"")), "{}", cleared.body);
    assert!(cleared.body.get("expiresAt").is_none(), "{}", cleared.body);
    let events = test.events_of("MEMBERSHIP_EXPIRY_CHANGED").await;
    assert_eq!(events[1]["data"], json!({"userId": "emp", "from": millis(at), "to": null}));
    assert_eq!(assert_admins_that_stay_counted(&test, "ends").await, 1);
}

#[tokio::test]
async fn bad_ends_who_may_and_stale_versions() {
    let test = TestApp::spawn().await;
    let (admin, employee) = (user("admin"), user("emp"));
    fixtures::customer(&test, "guard", "acme", CustomerStatus::Active, &[(&admin, ADMIN), (&employee, EMPLOYEE)]).await;
    let items = test.all_items().await;
    let now = Utc::now();
    for body in [
        json!({}),
        json!({"expiresAt": "tomorrow"}),
        json!({"expiresAt": 1_700_000_000}),
        json!({"expiresAt": millis(now - Duration::minutes(1))}),
        json!({"expiresAt": millis(now + Duration::days(367))}),
        json!({"expiresAt": format!("2027-01-01T00:00:00.{}Z", "0".repeat(80))}),
        json!({"expiresAt": millis(now + Duration::days(1)), "role": "CUSTOMER_ADMIN"}),
    ] {
        let response = test.call(change_expiry, expiry("guard", "emp", body.clone()).by(&admin)).await;
        response.assert_problem(400, "validation-failed");
        assert!(response.body["errors"].as_object().is_some_and(|e| !e.is_empty()), "{body}: {}", response.body);
    }
    let soon = now + Duration::days(1);
    test.call(change_expiry, ending("guard", "emp", soon).by(&employee)).await.assert_problem(403, "forbidden");
    let partner = Caller::partner_admin("acme");
    test.call(change_expiry, ending("guard", "emp", soon).by(&partner)).await.assert_problem(403, "forbidden");
    for outsider in [&Caller::partner_admin("globex"), &user("stranger")] {
        test.call(change_expiry, ending("guard", "emp", soon).by(outsider)).await.assert_problem(404, "not-found");
    }
    test.call(change_expiry, ending("guard", "nobody", soon).by(&admin)).await.assert_problem(404, "not-found");
    assert_eq!(test.all_items().await, items, "no refused request writes anything");

    let stale = test.call(change_expiry, ending("guard", "emp", soon).header("if-match", "\"5\"").by(&admin)).await;
    stale.assert_problem(412, "precondition-failed");
    assert_eq!(stale.header("etag"), Some("\"1\""));
    let current = test.call(change_expiry, ending("guard", "emp", soon).header("if-match", "\"1\"").by(&admin)).await;
    assert_eq!(current.status, 200, "{}", current.body);
}

// ------------------------------------------------------------------------------- the last admin

#[tokio::test]
async fn the_last_admin_that_stays_cannot_be_ended_demoted_or_removed() {
    let test = TestApp::spawn().await;
    let (first, second, employee) = (user("first"), user("second"), user("emp"));
    let members = [(&first, ADMIN), (&second, ADMIN), (&employee, EMPLOYEE)];
    fixtures::customer(&test, "kept", "acme", CustomerStatus::Active, &members).await;
    let later = Utc::now() + Duration::days(30);
    assert_eq!(test.call(change_expiry, ending("kept", "second", later).by(&first)).await.status, 200);
    assert_eq!(assert_admins_that_stay_counted(&test, "kept").await, 1);

    // `first` is the last admin that stays: no end, no demotion, no removal, by anyone.
    let items = test.all_items().await;
    test.call(change_expiry, ending("kept", "first", later).by(&first)).await.assert_problem(409, "last-admin");
    test.call(change_expiry, ending("kept", "first", later).by(&second)).await.assert_problem(409, "last-admin");
    test.call(change_role, set_role("kept", "first", "CUSTOMER_EMPLOYEE").by(&second))
        .await
        .assert_problem(409, "last-admin");
    let removal = api("DELETE /customers/{id}/users/{userId}").param("id", "kept").param("userId", "first");
    test.call(remove, removal.by(&second)).await.assert_problem(409, "last-admin");
    assert_eq!(test.all_items().await, items, "nothing of the refused changes is written");

    // An admin with an end goes without touching the count: demoted, or removed.
    let demoted = test.call(change_role, set_role("kept", "second", "CUSTOMER_EMPLOYEE").by(&first)).await;
    assert_eq!(demoted.status, 200, "{}", demoted.body);
    assert_eq!(assert_admins_that_stay_counted(&test, "kept").await, 1);
    // Promoting a member with an end counts nothing either; clearing the end does.
    let promoted = test.call(change_role, set_role("kept", "second", "CUSTOMER_ADMIN").by(&first)).await;
    assert_eq!(promoted.status, 200, "{}", promoted.body);
    assert_eq!(assert_admins_that_stay_counted(&test, "kept").await, 1);
    let cleared = test.call(change_expiry, expiry("kept", "second", json!({"expiresAt": null})).by(&first)).await;
    assert_eq!(cleared.status, 200, "{}", cleared.body);
    assert_eq!(assert_admins_that_stay_counted(&test, "kept").await, 2);
    // Now `first` may be given an end.
    assert_eq!(test.call(change_expiry, ending("kept", "first", later).by(&first)).await.status, 200);
    assert_eq!(assert_admins_that_stay_counted(&test, "kept").await, 1);
}

/// 20 admins that stay; `changes` makes request `n` by admin `n` about themselves. Exactly one
/// is refused `last-admin` and exactly one admin without an end remains.
async fn race(test: &TestApp, customer: &str, change: impl Fn(&str) -> RequestBuilder, demote_every_other: bool) {
    let admins: Vec<Caller> = (0..20).map(|n| user(&format!("{customer}{n}"))).collect();
    let members: Vec<(&Caller, CustomerRole)> = admins.iter().map(|admin| (admin, ADMIN)).collect();
    fixtures::customer(test, customer, "acme", CustomerStatus::Active, &members).await;
    let requests = admins.iter().enumerate().map(|(n, admin)| {
        let demote = demote_every_other && n % 2 == 1;
        let change = &change;
        async move {
            if demote {
                test.call(change_role, set_role(customer, admin.user_id(), "CUSTOMER_EMPLOYEE").by(admin)).await
            } else {
                test.call(change_expiry, change(admin.user_id()).by(admin)).await
            }
        }
    });
    let responses = join_all(requests).await;
    let statuses: Vec<u16> = responses.iter().map(|r| r.status).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 19, "{statuses:?}");
    let refused: Vec<_> = responses.iter().filter(|r| r.status != 200).collect();
    assert_eq!(refused.len(), 1, "{statuses:?}");
    refused[0].assert_problem(409, "last-admin");
    assert_eq!(assert_admins_that_stay_counted(test, customer).await, 1);
}

#[tokio::test]
async fn twenty_admins_ending_themselves_at_once_leave_exactly_one_that_stays() {
    let test = TestApp::spawn().await;
    let later = Utc::now() + Duration::days(2);
    race(&test, "race-ends", |member| ending("race-ends", member, later), false).await;
    assert_eq!(test.events_of("MEMBERSHIP_EXPIRY_CHANGED").await.len(), 19);
}

#[tokio::test]
async fn ends_and_demotions_racing_leave_exactly_one_admin_that_stays() {
    let test = TestApp::spawn().await;
    let later = Utc::now() + Duration::days(2);
    race(&test, "race-mixed", |member| ending("race-mixed", member, later), true).await;
    let changed =
        test.events_of("MEMBERSHIP_EXPIRY_CHANGED").await.len() + test.events_of("USER_ROLE_CHANGED").await.len();
    assert_eq!(changed, 19);
}

// ------------------------------------------------------------------------------- ended = absent

#[tokio::test]
async fn an_ended_membership_is_absent_at_once_without_the_sweep() {
    let test = TestApp::spawn().await;
    let (admin, employee, leaving_admin) = (user("admin"), user("emp"), user("boss"));
    let members = [(&admin, ADMIN), (&employee, EMPLOYEE), (&leaving_admin, ADMIN)];
    fixtures::customer(&test, "gone", "acme", CustomerStatus::Active, &members).await;
    // Both end in a moment; the sweep never runs in this test.
    let soon = Utc::now() + Duration::milliseconds(1500);
    for member in ["emp", "boss"] {
        let set = test.call(change_expiry, ending("gone", member, soon).by(&admin)).await;
        assert_eq!(set.status, 200, "{}", set.body);
    }
    // Before the end: a member like any other.
    let customer = || api("GET /customers/{id}").param("id", "gone");
    assert_eq!(test.call(get_customer, customer().by(&employee)).await.status, 200);
    // The member sees their own end among their customers.
    let mine = test.call(my_customers, api("GET /me/customers").by(&employee)).await;
    assert_eq!(mine.body["items"][0]["expiresAt"], millis(soon), "{}", mine.body);
    let admins_own = test.call(my_customers, api("GET /me/customers").by(&admin)).await;
    assert!(admins_own.body["items"][0].get("expiresAt").is_none(), "no end, no field: {}", admins_own.body);
    tokio::time::sleep((soon - Utc::now()).to_std().unwrap_or_default() + std::time::Duration::from_millis(100)).await;

    // One moment after the end: no reads, no rights, as a non-member.
    test.call(get_customer, customer().by(&employee)).await.assert_problem(404, "not-found");
    let users = || api("GET /customers/{id}/users").param("id", "gone");
    test.call(list_users, users().by(&employee)).await.assert_problem(404, "not-found");
    let mine = test.call(my_customers, api("GET /me/customers").by(&employee)).await;
    assert_eq!(mine.body["items"], json!([]), "{}", mine.body);
    test.call(change_role, set_role("gone", "emp", "CUSTOMER_ADMIN").by(&leaving_admin))
        .await
        .assert_problem(404, "not-found");
    // The others no longer see them, nor act on them.
    let listed = test.call(list_users, users().by(&admin)).await;
    let ids: Vec<&str> =
        listed.body["items"].as_array().unwrap().iter().map(|m| m["userId"].as_str().unwrap()).collect();
    assert_eq!(ids, ["admin"], "{}", listed.body);
    test.call(change_role, set_role("gone", "emp", "CUSTOMER_ADMIN").by(&admin)).await.assert_problem(404, "not-found");
    // Still stored until the sweep removes it.
    assert_eq!(stored_members(&test, "gone").await.len(), 3);
}

/// The write's own condition: a change authorized by a membership lands only while it has not
/// ended, however close the end was to the read.
#[tokio::test]
async fn a_change_authorized_by_a_membership_that_ended_before_the_write_is_refused() {
    let test = TestApp::spawn().await;
    let (admin, other) = (user("admin"), user("other"));
    fixtures::customer(&test, "racing", "acme", CustomerStatus::Active, &[(&admin, ADMIN), (&other, ADMIN)]).await;
    let soon = Utc::now() + Duration::milliseconds(800);
    assert_eq!(test.call(change_expiry, ending("racing", "admin", soon).by(&other)).await.status, 200);
    let customer = CustomerIdentifier::parse("racing").unwrap();
    let caller = UserId::parse("admin").unwrap();
    let write = |now: DateTime<Utc>| {
        let mut changes = test.store.changes();
        changes.require_role_first(&customer, &caller, ADMIN, now).unwrap();
        let payload = EventPayload::MembershipExpiryChanged(MembershipExpiryChanged {
            user_id: UserId::parse("other").unwrap(),
            from: None,
            to: None,
        });
        changes.record(DomainEvent::new(&customer, Actor::system(), now, payload));
        changes
    };
    // Before the end the condition holds (and only an event is written).
    test.store.commit(write(Utc::now())).await.expect("the membership has not ended");
    let refused = test.store.commit(write(soon + Duration::milliseconds(1))).await;
    assert!(matches!(refused, Err(StoreError::Conflict(Conflict::AccessChanged))), "{refused:?}");
}

// ------------------------------------------------------------------------------- Add Myself

#[tokio::test]
async fn add_myself_takes_an_end() {
    let test = TestApp::spawn().await;
    fixtures::customer(&test, "visited", "acme", CustomerStatus::Active, &[(&user("admin"), ADMIN)]).await;
    let partner = Caller::partner_admin("acme");
    let me = || api("POST /customers/{id}/users/me").param("id", "visited");
    let at = Utc::now() + Duration::hours(30);
    for body in [json!({"expiresAt": "soon"}), json!({"expiresAt": millis(Utc::now() - Duration::hours(1))})] {
        test.call(add_myself, me().json(body).by(&partner)).await.assert_problem(400, "validation-failed");
    }
    let joined = test.call(add_myself, me().json(json!({"expiresAt": at.to_rfc3339()})).by(&partner)).await;
    assert_eq!(joined.status, 201, "{}", joined.body);
    assert_eq!(joined.body["expiresAt"], millis(at));
    // A self-assigned admin with an end is not one that stays.
    assert_eq!(assert_admins_that_stay_counted(&test, "visited").await, 1);
    // Without an end and without a limit, none.
    let platform = test.call(add_myself, me().by(&Caller::platform_admin())).await;
    assert_eq!(platform.status, 201, "{}", platform.body);
    assert!(platform.body.get("expiresAt").is_none(), "{}", platform.body);
    assert_eq!(assert_admins_that_stay_counted(&test, "visited").await, 2);
}

#[tokio::test]
async fn with_a_self_assign_limit_every_self_assignment_ends_within_it() {
    let test = TestApp::spawn_with(&[("SELF_ASSIGN_MAX_HOURS", "8")]).await;
    for customer in ["limited", "limited-two"] {
        fixtures::customer(&test, customer, "acme", CustomerStatus::Active, &[(&user("admin"), ADMIN)]).await;
    }
    let me = |customer: &str| api("POST /customers/{id}/users/me").param("id", customer);
    let partner = Caller::partner_admin("acme");
    let later = Utc::now() + Duration::hours(9);
    let refused =
        test.call(add_myself, me("limited").json(json!({"expiresAt": later.to_rfc3339()})).by(&partner)).await;
    refused.assert_problem(400, "validation-failed");
    assert!(refused.body["errors"]["expiresAt"].as_str().is_some_and(|e| e.contains("8 hours")), "{}", refused.body);

    let before = Utc::now();
    let joined = test.call(add_myself, me("limited").by(&partner)).await;
    assert_eq!(joined.status, 201, "{}", joined.body);
    let end: DateTime<Utc> = joined.body["expiresAt"].as_str().unwrap().parse().unwrap();
    assert!(
        end >= before + Duration::hours(8) - Duration::seconds(1) && end <= Utc::now() + Duration::hours(8),
        "{end}"
    );

    let within = Utc::now() + Duration::hours(2);
    let body = json!({"expiresAt": within.to_rfc3339()});
    let joined = test.call(add_myself, me("limited-two").json(body).by(&Caller::platform_admin())).await;
    assert_eq!((joined.status, joined.body["expiresAt"].clone()), (201, json!(millis(within))), "{}", joined.body);
}

// ------------------------------------------------------------------------------- invitations

fn invite(customer: &str, email: &str, membership_end: Option<DateTime<Utc>>) -> RequestBuilder {
    let mut body = json!({"email": email, "role": "CUSTOMER_ADMIN"});
    if let Some(at) = membership_end {
        body["membershipExpiresAt"] = json!(at.to_rfc3339());
    }
    api("POST /customers/{id}/invitations").param("id", customer).json(body)
}

/// Invites `invitee` with `membership_end`, mints its link as the email sender does, and accepts
/// it as `invitee`.
async fn invited_and_accepted(
    test: &TestApp,
    admin: &Caller,
    invitee: &Caller,
    membership_end: Option<DateTime<Utc>>,
    wait: std::time::Duration,
) -> meshcustomers_tests::TestResponse {
    let email = invitee.claims["email"].clone();
    let invited = test.call(invite_user::handle, invite("invites", &email, membership_end).by(admin)).await;
    assert_eq!(invited.status, 201, "{}", invited.body);
    let expected = membership_end.map(millis);
    assert_eq!(invited.body.get("membershipExpiresAt").and_then(Value::as_str), expected.as_deref());
    let id = meshcustomers::domain::GeneratedId::parse(invited.body["id"].as_str().unwrap()).unwrap();
    let customer = CustomerIdentifier::parse("invites").unwrap();
    let (invitation, _) = test.store.invitation(&customer, id).await.unwrap().expect("the invitation");
    let token = meshcustomers::domain::LinkToken::generate().unwrap();
    fixtures::invitation_link(test, &invitation, &token).await;
    tokio::time::sleep(wait).await;
    let accept = api("POST /invitations/accept").json(json!({"token": token.expose()}));
    test.call(accept_invitation::handle, accept.by(invitee)).await
}

#[tokio::test]
async fn an_invitation_gives_its_membership_the_end_it_names() {
    let test = TestApp::spawn().await;
    let admin = user("admin");
    fixtures::customer(&test, "invites", "acme", CustomerStatus::Active, &[(&admin, ADMIN)]).await;
    for body in [
        json!({"email": "x@ending.example", "role": "CUSTOMER_EMPLOYEE", "membershipExpiresAt": "later"}),
        json!({"email": "x@ending.example", "role": "CUSTOMER_EMPLOYEE", "membershipExpiresAt": millis(Utc::now())}),
    ] {
        let request = api("POST /customers/{id}/invitations").param("id", "invites").json(body);
        test.call(invite_user::handle, request.by(&admin)).await.assert_problem(400, "validation-failed");
    }
    let at = Utc::now() + Duration::days(20);
    let invitee = user("invitee");
    let accepted = invited_and_accepted(&test, &admin, &invitee, Some(at), std::time::Duration::ZERO).await;
    assert_eq!(accepted.status, 201, "{}", accepted.body);
    assert_eq!(accepted.body["expiresAt"], millis(at));
    let invited = test.events_of("USER_INVITED").await;
    assert_eq!(invited[0]["data"]["membershipExpiresAt"], millis(at));
    // An invited admin with an end is not one that stays.
    assert_eq!(assert_admins_that_stay_counted(&test, "invites").await, 1);

    // Without an end, none.
    let forever = invited_and_accepted(&test, &admin, &user("forever"), None, std::time::Duration::ZERO).await;
    assert_eq!(forever.status, 201, "{}", forever.body);
    assert!(forever.body.get("expiresAt").is_none(), "{}", forever.body);
    assert_eq!(assert_admins_that_stay_counted(&test, "invites").await, 2);

    // Accepted after the membership's end: refused as expired, and nobody joins.
    let soon = Utc::now() + Duration::milliseconds(1500);
    let late =
        invited_and_accepted(&test, &admin, &user("late"), Some(soon), std::time::Duration::from_millis(1700)).await;
    late.assert_problem(410, "invitation-expired");
    assert_eq!(stored_members(&test, "invites").await.len(), 3);
}

// ------------------------------------------------------------------------------- the sweep

#[tokio::test]
async fn the_sweep_removes_exactly_the_ended_memberships_as_the_system() {
    let test = TestApp::spawn().await;
    let (admin, ended, later, staying) = (user("admin"), user("ended"), user("later"), user("staying"));
    let members = [(&admin, ADMIN), (&ended, ADMIN), (&later, EMPLOYEE), (&staying, EMPLOYEE)];
    fixtures::customer(&test, "swept", "acme", CustomerStatus::Active, &members).await;
    fixtures::customer(&test, "other", "acme", CustomerStatus::Disabled, &[(&admin, ADMIN), (&ended, EMPLOYEE)]).await;
    let now = Utc::now();
    for (customer, member, at) in [
        ("swept", "ended", now + Duration::hours(1)),
        ("swept", "later", now + Duration::hours(3)),
        ("other", "ended", now + Duration::minutes(30)),
    ] {
        let set = test.call(change_expiry, ending(customer, member, at).by(&admin)).await;
        assert_eq!(set.status, 200, "{}", set.body);
    }
    let app = test.app::<expire_memberships::Settings>();
    // Before any end: nothing.
    let early = expire_memberships::sweep(&app, now + Duration::minutes(10)).await.unwrap();
    assert_eq!((early.expired.len(), early.moved_on.len()), (0, 0), "{early:?}");

    let at_two_hours = now + Duration::hours(2);
    let swept = expire_memberships::sweep(&app, at_two_hours).await.unwrap();
    let mut removed: Vec<(String, String)> =
        swept.expired.iter().map(|m| (m.customer_id.to_string(), m.user_id.to_string())).collect();
    removed.sort();
    assert_eq!(removed, [("other".to_owned(), "ended".to_owned()), ("swept".to_owned(), "ended".to_owned())]);
    assert!(swept.moved_on.is_empty(), "{swept:?}");
    let mut left: Vec<String> =
        stored_members(&test, "swept").await.iter().map(|item| item["userId"].as_s().unwrap().clone()).collect();
    left.sort();
    assert_eq!(left, ["admin", "later", "staying"]);
    let removals = test.events_of("USER_REMOVED").await;
    assert_eq!(removals.len(), 2);
    for removal in &removals {
        assert_eq!(removal["data"]["reason"], "EXPIRED", "{removal}");
        assert_eq!(removal["data"]["userId"], "ended");
        assert_eq!(removal["actor"], json!({"userId": "system", "email": null, "role": "SYSTEM"}));
    }
    // The ended admin had an end, so it was never counted: the count stays exact.
    assert_eq!(assert_admins_that_stay_counted(&test, "swept").await, 1);
    // The member's address item no longer names them: they may be invited again.
    let addresses = test.items_of("MEMBER_EMAIL").await;
    let swept_address = addresses.iter().find(|item| {
        item["sk"].as_s().unwrap() == "MEMBER_EMAIL#ended@ending.example"
            && item["pk"].as_s().unwrap() == "CUSTOMER#swept"
    });
    assert!(swept_address.is_none_or(|item| !item.contains_key("userIds")), "{swept_address:?}");

    // A second run at the same moment finds nothing more to do.
    let again = expire_memberships::sweep(&app, at_two_hours).await.unwrap();
    assert_eq!((again.expired.len(), again.moved_on.len()), (0, 0), "{again:?}");
    assert_eq!(test.events_of("USER_REMOVED").await.len(), 2);
}

#[tokio::test]
async fn a_membership_whose_end_changed_after_the_search_is_not_removed() {
    let test = TestApp::spawn().await;
    let (admin, member) = (user("admin"), user("member"));
    fixtures::customer(&test, "moved", "acme", CustomerStatus::Active, &[(&admin, ADMIN), (&member, EMPLOYEE)]).await;
    let now = Utc::now();
    let first = now + Duration::hours(1);
    assert_eq!(test.call(change_expiry, ending("moved", "member", first).by(&admin)).await.status, 200);
    // What the sweep's search read, before the admin moved the end.
    let found = test.store.memberships_ending(None, now + Duration::hours(2), 10).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(
        test.call(change_expiry, ending("moved", "member", now + Duration::days(5)).by(&admin)).await.status,
        200
    );
    let mut changes = test.store.changes();
    changes.remove_ended_member(&found[0], now + Duration::hours(2)).unwrap();
    let removed = UserRemovedBySystem::of(&found[0], now);
    changes.record(removed);
    let refused = test.store.commit(changes).await;
    assert!(matches!(refused, Err(StoreError::Conflict(Conflict::VersionMismatch { .. }))), "{refused:?}");
    // And the sweep at that moment leaves it: its end is later now.
    let swept =
        expire_memberships::sweep(&test.app::<expire_memberships::Settings>(), now + Duration::hours(2)).await.unwrap();
    assert!(swept.expired.is_empty(), "{swept:?}");
    assert_eq!(stored_members(&test, "moved").await.len(), 2);
}

/// USER_REMOVED as the sweep records it.
struct UserRemovedBySystem;

impl UserRemovedBySystem {
    fn of(member: &meshcustomers::domain::Membership, now: DateTime<Utc>) -> DomainEvent {
        let removed = meshcustomers::events::UserRemoved {
            user_id: member.user_id.clone(),
            email: member.email.clone(),
            role: member.role,
            reason: Some(meshcustomers::events::RemovalReason::Expired),
        };
        DomainEvent::new(&member.customer_id, Actor::system(), now, EventPayload::UserRemoved(removed))
    }
}

#[tokio::test]
async fn the_sweep_warns_each_ending_member_once_and_again_after_a_new_end() {
    let test = TestApp::spawn().await;
    let (admin, soon, far) = (user("admin"), user("soon"), user("far"));
    let members = [(&admin, ADMIN), (&soon, EMPLOYEE), (&far, EMPLOYEE)];
    fixtures::customer(&test, "warned", "acme", CustomerStatus::Active, &members).await;
    let now = Utc::now();
    let in_two_days = now + Duration::days(2);
    assert_eq!(test.call(change_expiry, ending("warned", "soon", in_two_days).by(&admin)).await.status, 200);
    assert_eq!(
        test.call(change_expiry, ending("warned", "far", now + Duration::days(10)).by(&admin)).await.status,
        200
    );
    let app = test.app::<expire_memberships::Settings>();
    let first = expire_memberships::sweep(&app, now).await.unwrap();
    let warned: Vec<String> = first.warned.iter().map(|m| m.user_id.to_string()).collect();
    assert_eq!(warned, ["soon"], "only within MEMBERSHIP_EXPIRY_WARNING_DAYS (3): {first:?}");
    let events = test.events_of("MEMBERSHIP_EXPIRING").await;
    assert_eq!(events.len(), 1);
    assert_eq!(
        events[0]["data"],
        json!({"userId": "soon", "email": "soon@ending.example", "role": "CUSTOMER_EMPLOYEE", "expiresAt": millis(in_two_days)})
    );
    assert_eq!(events[0]["actor"]["role"], "SYSTEM");
    let listed = test.call(list_users, api("GET /customers/{id}/users").param("id", "warned").by(&admin)).await;
    let member = listed.body["items"].as_array().unwrap().iter().find(|m| m["userId"] == "soon").unwrap().clone();
    assert!(member["expiryWarnedAt"].is_string(), "{member}");

    // Twice-run, and two runs at once: nothing twice.
    let (second, third) = futures::join!(
        expire_memberships::sweep(&app, now),
        expire_memberships::sweep(&app, now + Duration::minutes(5))
    );
    assert!(second.unwrap().warned.is_empty() && third.unwrap().warned.is_empty());
    assert_eq!(test.events_of("MEMBERSHIP_EXPIRING").await.len(), 1);

    // A new end clears the mark: warned again of it.
    let moved = now + Duration::days(1);
    assert_eq!(test.call(change_expiry, ending("warned", "soon", moved).by(&admin)).await.status, 200);
    let again = expire_memberships::sweep(&app, now).await.unwrap();
    assert_eq!(again.warned.len(), 1, "{again:?}");
    let events = test.events_of("MEMBERSHIP_EXPIRING").await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[1]["data"]["expiresAt"], millis(moved));
    // The email sender's mail of the warning.
    let event: DomainEvent = serde_json::from_value(events[1].clone()).unwrap();
    let request = email_sender::mail_request(&event).expect("a warning is mailed");
    let email_sender::MailRequest::MembershipExpiring { to, role, expires_at } = request else { panic!("{request:?}") };
    assert_eq!(to.as_str(), "soon@ending.example");
    let customer = CustomerIdentifier::parse("warned").unwrap();
    let mail = email_sender::membership_expiring(&customer, role, expires_at, "https://p.example").unwrap();
    assert!(
        mail.subject.contains("warned") && mail.text.contains(&moved.format("%Y-%m-%d %H:%M UTC").to_string()),
        "{}",
        mail.text
    );
}

// ------------------------------------------------------------------------------- the local cloud

/// A table kept from a run before gsi5 existed gets it when the local cloud starts again, so the
/// sweep's Query works on a developer's old data too.
#[tokio::test]
async fn the_local_cloud_adds_the_index_of_ends_to_a_table_kept_from_before() {
    use local_cloud::services::table::{create_table_from, ensure_table_from};
    let template = local_cloud::template::Template::of_repo().unwrap();
    let properties = template.table_definition("Table").unwrap().clone();
    let mut before = properties.clone();
    let indexes = before["GlobalSecondaryIndexes"].as_sequence_mut().unwrap();
    indexes.retain(|index| index["IndexName"].as_str() != Some("gsi5"));
    let attributes = before["AttributeDefinitions"].as_sequence_mut().unwrap();
    attributes.retain(|attribute| !attribute["AttributeName"].as_str().unwrap().starts_with("gsi5"));
    let sdk =
        meshcustomers_tests::test_app::local_sdk_config(meshcustomers_tests::local_services::dynamodb_endpoint()).await;
    let client = aws_sdk_dynamodb::Client::new(&sdk);
    let name = format!("meshcustomers-old-{}", uuid::Uuid::now_v7());
    create_table_from(&client, &before, &name).await.unwrap();
    let names = |client: aws_sdk_dynamodb::Client, name: String| async move {
        let described = client.describe_table().table_name(&name).send().await.unwrap();
        let mut names: Vec<String> = described
            .table()
            .unwrap()
            .global_secondary_indexes()
            .iter()
            .filter_map(|index| index.index_name().map(str::to_owned))
            .collect();
        names.sort();
        names
    };
    assert!(!names(client.clone(), name.clone()).await.contains(&"gsi5".to_owned()));
    assert!(!ensure_table_from(&client, &properties, &name).await.unwrap(), "the table existed");
    assert_eq!(names(client.clone(), name.clone()).await, ["gsi1", "gsi2", "gsi3", "gsi4", "gsi5"]);
    // Once there, nothing more to add.
    assert!(!ensure_table_from(&client, &properties, &name).await.unwrap());
}
