//! `POST /customers/{id}/rejection`: an admin-area user declines a pending self-registration,
//! with a reason. The customer is removed with everything it had (its identifier is free again,
//! and a later customer with it finds nothing of this one); CUSTOMER_REJECTED is kept in the
//! identifier's rejections partition, and the email sender mails the registrant the reason.

use chrono::Utc;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::access::{authorize_on, remove_registration};
use meshcustomers::authorization::Action;
use meshcustomers::domain::Reason;
use meshcustomers::events::{Actor, CustomerRejected, DomainEvent, EventPayload};
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, no_content, respond};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Rejection {
    reason: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(reject(app, &request).await)
}

#[tracing::instrument(name = "reject_customer", skip_all, fields(user))]
async fn reject(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    // Read once the caller is known to be allowed: an outsider learns nothing from the body's errors.
    let mut reason = None;
    remove_registration(&app.store, &identifier, &request.if_match(), |pending| {
        let membership = pending.membership(&principal.user_id).map(|member| member.role);
        let role = authorize_on(&principal, Action::RejectCustomer, &pending.customer, membership)?;
        let reason = match &reason {
            Some(reason) => Reason::clone(reason),
            None => reason.insert(rejection_reason(request)?).clone(),
        };
        let registrant_email = pending.registrant().and_then(|member| member.email.clone());
        let rejected = CustomerRejected::new(&pending.customer, registrant_email, reason);
        let actor = Actor::new(&principal, role);
        Ok(DomainEvent::new(&identifier, actor, Utc::now(), EventPayload::CustomerRejected(rejected)))
    })
    .await?;
    no_content()
}

/// The body: `{reason}`, required (1 to 500 characters on one line).
fn rejection_reason(request: &Request) -> Result<Reason, ApiError> {
    let body: Rejection = request.json_body()?;
    let mut errors = FieldErrors::new();
    let reason = errors.required("reason", body.reason, |raw| Reason::parse(&raw));
    errors.unknown("", body.unknown);
    let Some(reason) = reason else { return Err(errors.into_error()) };
    errors.finish()?;
    Ok(reason)
}
