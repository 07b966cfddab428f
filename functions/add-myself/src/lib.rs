//! `POST /customers/{id}/users/me` ("Add Myself"): a partner or platform user in scope becomes a
//! member of the customer with the configured role, saying why if they like. The customer's
//! admins are told by mail (email-sender, on USER_ASSIGNED_HIMSELF). The membership may end
//! (`expiresAt`); with `SELF_ASSIGN_MAX_HOURS` set it always ends within that many hours.

use chrono::{DateTime, Duration, Utc};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::access::body_after_access;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, change_customer};
use meshcustomers::config::{self, ConfigError, Environment};
use meshcustomers::domain::{CustomerRole, FieldError, JoinedVia, Membership, Reason, parse_membership_expiry};
use meshcustomers::events::{EventPayload, UserAssignedHimself};
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, created, path_segment};

pub struct Settings {
    /// The role a partner or platform user gets in the customer.
    pub self_assign_role: CustomerRole,
    /// The longest a self-assignment lasts, if limited.
    pub self_assign_max: Option<Duration>,
}

impl config::Settings for Settings {
    fn read(environment: &Environment) -> Result<Self, ConfigError> {
        Ok(Self {
            self_assign_role: config::self_assign_role(environment)?,
            self_assign_max: config::self_assign_max_hours(environment)?,
        })
    }
}

/// The membership's end: as asked, or with a limit configured, `now` + the limit when none is
/// asked for; an end beyond the limit is refused, naming it.
fn membership_end(
    asked: Option<DateTime<Utc>>,
    limit: Option<Duration>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, FieldError> {
    let Some(limit) = limit else { return Ok(asked) };
    let latest = now + limit;
    match asked {
        None => Ok(Some(latest)),
        Some(at) if at <= latest => Ok(Some(at)),
        Some(_) => {
            Err(FieldError::new(format!("must be at most {} hours ahead (SELF_ASSIGN_MAX_HOURS)", limit.num_hours())))
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct AddMyself {
    reason: Field<String>,
    expires_at: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

#[tracing::instrument(name = "add_myself", skip_all, fields(user))]
pub async fn handle(app: &App<Settings>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    let now = Utc::now();
    // Authorization before validation: the body's errors only to a caller who may act.
    let parsed = (|| -> Result<_, ApiError> {
        let body: AddMyself = request.optional_json_body()?;
        let mut errors = FieldErrors::new();
        let reason = errors.optional("reason", body.reason, |raw| Reason::parse(&raw));
        let asked = match body.expires_at {
            Field::Absent => Some(None),
            raw => errors.optional("expiresAt", raw, |raw| parse_membership_expiry(&raw, now)).map(Some),
        };
        let expires_at =
            asked.and_then(|asked| errors.check("expiresAt", membership_end(asked, app.settings.self_assign_max, now)));
        errors.unknown("", body.unknown);
        let Some(expires_at) = expires_at else { return Err(errors.into_error()) };
        errors.finish()?;
        Ok((reason, expires_at))
    })();
    let (reason, expires_at) =
        body_after_access(&app.store, &principal, &identifier, Action::AddMyself, parsed).await?;

    let change = CustomerChange::new(&principal, &identifier, Action::AddMyself);
    let membership = change_customer(&app.store, change, |loaded, changes| {
        let membership = Membership::new(
            identifier.clone(),
            principal.user_id.clone(),
            principal.email.clone(),
            principal.name.clone(),
            app.settings.self_assign_role,
            JoinedVia::SelfAssignment,
            loaded.now,
        )
        .with_added_by(Some(principal.user_id.clone()))
        .ending(expires_at);
        // Already a member: 409 `already-member`, decided by the member item's condition.
        changes.add_member(&membership)?;
        let joined =
            UserAssignedHimself { user_id: membership.user_id.clone(), role: membership.role, reason: reason.clone() };
        changes.record(loaded.event(EventPayload::UserAssignedHimself(joined)));
        Ok(Outcome::Write(membership))
    })
    .await?;
    let location = format!("/customers/{identifier}/users/{}", path_segment(membership.user_id.as_str()));
    created(&location, &membership, membership.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_gives_an_end_and_refuses_a_later_one() {
        let now = Utc::now();
        let eight = Some(Duration::hours(8));
        assert_eq!(membership_end(None, None, now), Ok(None));
        assert_eq!(membership_end(Some(now + Duration::days(30)), None, now), Ok(Some(now + Duration::days(30))));
        assert_eq!(membership_end(None, eight, now), Ok(Some(now + Duration::hours(8))));
        assert_eq!(membership_end(Some(now + Duration::hours(2)), eight, now), Ok(Some(now + Duration::hours(2))));
        let refused = membership_end(Some(now + Duration::hours(9)), eight, now).unwrap_err();
        assert!(refused.to_string().contains("8 hours"), "{refused}");
    }
}
