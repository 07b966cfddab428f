//! `PUT /customers/{id}/users/{userId}/expiry`: a customer admin sets, moves or clears
//! (`{"expiresAt": null}`) the end of a member's membership. A customer always keeps a
//! CUSTOMER_ADMIN whose membership does not end: ending the last one is 409 `last-admin`, however
//! many changes race. A new end clears the mark of the warning mail, so the member is warned
//! again before it.

use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use meshcustomers::App;
use meshcustomers::access::body_after_access;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, Subject, change_customer};
use meshcustomers::domain::{Membership, parse_membership_expiry};
use meshcustomers::events::{EventPayload, MembershipExpiryChanged};
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, json_with_etag};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ExpiryChange {
    /// `None`: not sent; `Some(Null)`: sent as `null`, which clears the end.
    #[serde(deserialize_with = "sent")]
    expires_at: Option<Value>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

/// A member that was sent, `null` included (a [`Field`] reads `null` as absent).
fn sent<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

#[tracing::instrument(name = "change_member_expiry", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    let target = request.user_id_parameter()?;
    let now = chrono::Utc::now();
    // Authorization before validation: the body's errors only to a caller who may act.
    let parsed = (|| -> Result<_, ApiError> {
        let body: ExpiryChange = request.json_body()?;
        let mut errors = FieldErrors::new();
        // Required, and `null` clears the end.
        let expires_at = match body.expires_at {
            Some(Value::Null) => Some(None),
            None => {
                errors.add("expiresAt", "is required (null: the membership does not end)");
                None
            }
            Some(Value::String(raw)) => errors
                .optional("expiresAt", Field::Present(raw), |raw: String| parse_membership_expiry(&raw, now))
                .map(Some),
            Some(_) => {
                errors.add("expiresAt", "must be a string or null");
                None
            }
        };
        errors.unknown("", body.unknown);
        let Some(expires_at) = expires_at else { return Err(errors.into_error()) };
        errors.finish()?;
        Ok(expires_at)
    })();
    let expires_at = body_after_access(&app.store, &principal, &identifier, Action::ChangeMemberExpiry, parsed).await?;

    let change = CustomerChange::new(&principal, &identifier, Action::ChangeMemberExpiry)
        .of(Subject::Member(target))
        .if_match(request.if_match());
    let member = change_customer(&app.store, change, |loaded, changes| {
        let member = loaded.member();
        if member.expires_at == expires_at {
            return Ok(Outcome::Unchanged(member.clone()));
        }
        let after =
            Membership { version: member.version + 1, expiry_warned_at: None, ..member.clone() }.ending(expires_at);
        // Ending the last admin that stays: 409 `last-admin`, decided by the counter's condition.
        changes.change_member(member, &after)?;
        let event =
            MembershipExpiryChanged { user_id: member.user_id.clone(), from: member.expires_at, to: expires_at };
        changes.record(loaded.event(EventPayload::MembershipExpiryChanged(event)));
        Ok(Outcome::Write(after))
    })
    .await?;
    json_with_etag(&member, member.version)
}
