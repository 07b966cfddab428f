//! `PUT /customers/{id}/users/{userId}/role`: a customer admin gives a member another role. The
//! last CUSTOMER_ADMIN cannot be demoted (409 `last-admin`), however many demotions race.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::access::{MemberDecision, body_after_access, change_membership};
use meshcustomers::authorization::Action;
use meshcustomers::domain::{CustomerRole, Membership};
use meshcustomers::events::{EventPayload, UserRoleChanged};
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, json_with_etag, respond};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RoleChange {
    role: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(change_role(app, &request).await)
}

#[tracing::instrument(name = "change_member_role", skip_all, fields(user))]
async fn change_role(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
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

    let action = Action::ChangeMemberRole;
    let member =
        change_membership(&app.store, &principal, &identifier, &target, action, &request.if_match(), |member| {
            if member.role == role {
                return Ok(MemberDecision::Unchanged);
            }
            let event = UserRoleChanged { user_id: member.user_id.clone(), from: member.role, to: role };
            Ok(MemberDecision::Change {
                member: Membership { role, ..member.clone() },
                event: EventPayload::UserRoleChanged(event),
            })
        })
        .await?;
    json_with_etag(&member, member.version)
}
