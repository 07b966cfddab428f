//! `POST /customers/{id}/approval`: an admin-area user approves a pending self-registration.
//! The customer becomes ACTIVE, or AWAITING_EMAIL_CONFIRMATION when e-mail confirmation is
//! required; the email sender then mails the registrant (with the confirmation link, if any).

use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Refusal, change_customer};
use meshcustomers::config::{self, ConfigError, Environment};
use meshcustomers::domain::{Customer, CustomerStatus};
use meshcustomers::events::{CustomerApproved, EventPayload};
use meshcustomers::http::{ApiError, RequestExtensions, json_with_etag};

pub struct Settings {
    pub require_email_confirmation: bool,
}

impl config::Settings for Settings {
    fn read(environment: &Environment) -> Result<Self, ConfigError> {
        Ok(Self { require_email_confirmation: config::require_email_confirmation(environment)? })
    }
}

#[tracing::instrument(name = "approve_customer", skip_all, fields(user))]
pub async fn handle(app: &App<Settings>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    request.empty_body()?;
    let confirmation_required = app.settings.require_email_confirmation;
    let status = if confirmation_required { CustomerStatus::AwaitingEmailConfirmation } else { CustomerStatus::Active };

    let change = CustomerChange::new(&principal, &identifier, Action::ApproveCustomer).if_match(request.if_match());
    let customer = change_customer(&app.store, change, |loaded, changes| {
        let customer = &loaded.customer;
        if customer.status != CustomerStatus::PendingApproval {
            let refusal = Refusal::CustomerNotPending { customer: identifier.clone(), status: customer.status };
            return Err(refusal.into());
        }
        let approved = CustomerApproved {
            status,
            email_confirmation_required: confirmation_required,
            display_name: customer.display_name.to_string(),
            managing_partner_id: customer.managing_partner_id.clone(),
            registrant_user_id: customer.created_by.clone(),
        };
        let after = Customer { status, ..customer.clone() };
        loaded.replace_customer(changes, after, [EventPayload::CustomerApproved(approved)])
    })
    .await?;
    json_with_etag(&customer, customer.version)
}
