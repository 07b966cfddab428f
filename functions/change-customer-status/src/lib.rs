//! `PUT /customers/{id}/status`: an admin-area user disables a customer or enables it again.
//! Approval and e-mail confirmation are the only ways out of PENDING_APPROVAL and
//! AWAITING_EMAIL_CONFIRMATION, so only ACTIVE and DISABLED can be set here.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::access::body_after_access;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, change_customer};
use meshcustomers::domain::{Customer, CustomerStatus, FieldError, Reason};
use meshcustomers::events::{CustomerStatusChanged, EventPayload};
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, json_with_etag};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct StatusChange {
    status: Field<String>,
    reason: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

/// The statuses this route sets.
fn settable_status(raw: &str) -> Result<CustomerStatus, FieldError> {
    match CustomerStatus::parse(raw) {
        Ok(status @ (CustomerStatus::Active | CustomerStatus::Disabled)) => Ok(status),
        _ => Err(FieldError::new("must be ACTIVE or DISABLED (approval and e-mail confirmation set the others)")),
    }
}

#[tracing::instrument(name = "change_customer_status", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    // Authorization before validation: the body's errors only to a caller who may act.
    let parsed = (|| -> Result<_, ApiError> {
        let body: StatusChange = request.json_body()?;
        let mut errors = FieldErrors::new();
        let status = errors.required("status", body.status, |raw| settable_status(&raw));
        let reason = errors.optional("reason", body.reason, |raw| Reason::parse(&raw));
        errors.unknown("", body.unknown);
        let Some(status) = status else { return Err(errors.into_error()) };
        errors.finish()?;
        Ok((status, reason))
    })();
    let (status, reason) =
        body_after_access(&app.store, &principal, &identifier, Action::ChangeCustomerStatus, parsed).await?;

    let change =
        CustomerChange::new(&principal, &identifier, Action::ChangeCustomerStatus).if_match(request.if_match());
    let customer = change_customer(&app.store, change, |loaded, changes| {
        let customer = &loaded.customer;
        if customer.status == status {
            return Ok(Outcome::Unchanged(customer.clone()));
        }
        let change =
            CustomerStatusChanged { from: customer.status, to: status, reason: reason.as_ref().map(Reason::to_string) };
        let after = Customer { status, ..customer.clone() };
        loaded.replace_customer(changes, after, [EventPayload::CustomerStatusChanged(change)])
    })
    .await?;
    json_with_etag(&customer, customer.version)
}
