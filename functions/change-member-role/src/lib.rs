//! `PUT /customers/{id}/users/{userId}/role`: a customer admin gives a member another role. The
//! last CUSTOMER_ADMIN cannot be demoted (409 `last-admin`), however many demotions race.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::access::body_after_access;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, Subject, change_customer};
use meshcustomers::domain::{CustomerRole, Membership};
use meshcustomers::events::{EventPayload, UserRoleChanged};
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, json_with_etag};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RoleChange {
    role: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

#[tracing::instrument(name = "change_member_role", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    let target = request.user_id_parameter()?;
    // Authorization before validation: the body's errors only to a caller who may act.
    let parsed = (|| -> Result<_, ApiError> {
        let body: RoleChange = request.json_body()?;
        let mut errors = FieldErrors::new();
        let role = errors.required("role", body.role, |raw| CustomerRole::parse(&raw));
        errors.unknown("", body.unknown);
        let Some(role) = role else { return Err(errors.into_error()) };
        errors.finish()?;
        Ok(role)
    })();
    let role = body_after_access(&app.store, &principal, &identifier, Action::ChangeMemberRole, parsed).await?;

    let change = CustomerChange::new(&principal, &identifier, Action::ChangeMemberRole)
        .of(Subject::Member(target))
        .if_match(request.if_match());
    let member = change_customer(&app.store, change, |loaded, changes| {
        let member = loaded.member();
        if member.role == role {
            return Ok(Outcome::Unchanged(member.clone()));
        }
        let after =
            Membership { role, version: member.version + 1, last_role_change_at: Some(loaded.now), ..member.clone() };
        changes.change_member(member, &after)?;
        let event = UserRoleChanged { user_id: member.user_id.clone(), from: member.role, to: role };
        changes.record(loaded.event(EventPayload::UserRoleChanged(event)));
        Ok(Outcome::Write(after))
    })
    .await?;
    json_with_etag(&member, member.version)
}
