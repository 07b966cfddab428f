//! `POST /customers/{id}/rejection`: an admin-area user declines a pending self-registration,
//! with a reason. The customer is removed with everything it had (its identifier is free again,
//! and a later customer with it finds nothing of this one); CUSTOMER_REJECTED is kept in the
//! identifier's rejections partition, and the email sender mails the registrant the reason.

use chrono::Utc;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::access::{authorize_on, body_after_access};
use meshcustomers::authorization::Action;
use meshcustomers::change::{Loaded, Outcome, Refusal, change};
use meshcustomers::domain::{CustomerStatus, Reason};
use meshcustomers::events::{Actor, CustomerRejected, DomainEvent, EventPayload};
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, no_content};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Rejection {
    reason: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

#[tracing::instrument(name = "reject_customer", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    // Authorization before validation: the body's errors only to a caller who may act.
    let action = Action::RejectCustomer;
    let reason = body_after_access(&app.store, &principal, &identifier, action, rejection_reason(&request)).await?;
    let load = || async {
        let pending = app.store.pending_customer(&identifier).await?;
        let pending = pending.ok_or_else(|| Refusal::CustomerNotFound(identifier.clone()))?;
        let membership = pending.membership(&principal.user_id).map(|member| member.role);
        let role = authorize_on(&principal, action, &pending.customer, membership)?;
        let version = pending.customer.version;
        Ok(Loaded::versioned(&app.store, (pending, role), version))
    };
    change(&app.store, &request.if_match(), None, load, |(pending, role), changes| {
        if pending.customer.status != CustomerStatus::PendingApproval {
            let refusal = Refusal::CustomerNotPending { customer: identifier.clone(), status: pending.customer.status };
            return Err(refusal.into());
        }
        let registrant_email = pending.registrant().and_then(|member| member.email.clone());
        let rejected = CustomerRejected::new(&pending.customer, registrant_email, reason.clone());
        let actor = Actor::new(&principal, *role);
        let event = DomainEvent::new(&identifier, actor, Utc::now(), EventPayload::CustomerRejected(rejected));
        changes.remove_pending_customer(pending, event)?;
        Ok(Outcome::Write(()))
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
