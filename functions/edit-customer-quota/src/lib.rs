//! `PUT /customers/{id}/quota`: an admin-area user sets how many projects a customer may own.
//! Lowering it below the current count is allowed: it only blocks new projects.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::access::body_after_access;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, change_customer};
use meshcustomers::domain::{Customer, ProjectQuota};
use meshcustomers::events::{Change, EventPayload};
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, json_with_etag};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct QuotaEdit {
    project_quota: Field<i64>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

#[tracing::instrument(name = "edit_customer_quota", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    // Authorization before validation: the body's errors only to a caller who may act.
    let parsed = (|| -> Result<_, ApiError> {
        let body: QuotaEdit = request.json_body()?;
        let mut errors = FieldErrors::new();
        let quota = errors.required("projectQuota", body.project_quota, ProjectQuota::parse);
        errors.unknown("", body.unknown);
        let Some(quota) = quota else { return Err(errors.into_error()) };
        errors.finish()?;
        Ok(quota)
    })();
    let quota = body_after_access(&app.store, &principal, &identifier, Action::EditQuota, parsed).await?;

    let change = CustomerChange::new(&principal, &identifier, Action::EditQuota).if_match(request.if_match());
    let customer = change_customer(&app.store, change, |loaded, changes| {
        let customer = &loaded.customer;
        if customer.project_quota == quota {
            return Ok(Outcome::Unchanged(customer.clone()));
        }
        let change = Change { from: customer.project_quota.get(), to: quota.get() };
        let after = Customer { project_quota: quota, ..customer.clone() };
        loaded.replace_customer(changes, after, [EventPayload::CustomerQuotaEdited(change)])
    })
    .await?;
    json_with_etag(&customer, customer.version)
}
