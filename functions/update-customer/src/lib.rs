//! `PATCH /customers/{id}`: an admin-area user or a customer admin renames a customer. The
//! identifier is permanent: a body that names it is refused.

use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde::de::IgnoredAny;

use meshcustomers::App;
use meshcustomers::access::body_after_access;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, change_customer};
use meshcustomers::domain::{Customer, DisplayName};
use meshcustomers::events::{Change, CustomerUpdated, EventPayload};
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, json_with_etag};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct CustomerUpdate {
    display_name: Field<String>,
    /// Never accepted; read only so that its refusal can say why (`null` reads as absent).
    identifier: Option<IgnoredAny>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

#[tracing::instrument(name = "update_customer", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    // Authorization before validation: the body's errors only to a caller who may act.
    let parsed = (|| -> Result<_, ApiError> {
        let body: CustomerUpdate = request.json_body()?;
        let mut errors = FieldErrors::new();
        let display_name = errors.required("displayName", body.display_name, |raw| DisplayName::parse(&raw));
        if body.identifier.is_some() {
            errors.add("identifier", "cannot be changed: a customer's identifier is permanent (leave it out)");
        }
        errors.unknown("", body.unknown);
        let Some(display_name) = display_name else { return Err(errors.into_error()) };
        errors.finish()?;
        Ok(display_name)
    })();
    let display_name = body_after_access(&app.store, &principal, &identifier, Action::UpdateCustomer, parsed).await?;

    let change = CustomerChange::new(&principal, &identifier, Action::UpdateCustomer).if_match(request.if_match());
    let customer = change_customer(&app.store, change, |loaded, changes| {
        let customer = &loaded.customer;
        if customer.display_name == display_name {
            return Ok(Outcome::Unchanged(customer.clone()));
        }
        let change = Change { from: customer.display_name.to_string(), to: display_name.to_string() };
        let after = Customer { display_name: display_name.clone(), ..customer.clone() };
        let updated = EventPayload::CustomerUpdated(CustomerUpdated { display_name: change });
        loaded.replace_customer(changes, after, [updated])
    })
    .await?;
    json_with_etag(&customer, customer.version)
}
