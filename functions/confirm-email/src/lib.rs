//! `POST /email-confirmations` `{token}`: the registrant confirms their e-mail address with the
//! link of the approval mail, and the customer becomes ACTIVE. The route takes no bearer token
//! (`Auth: NONE`): the link's one-time token is the proof.

use chrono::Utc;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;

use meshcustomers::App;
use meshcustomers::authorization::Role;
use meshcustomers::change::{IfMatch, Loaded, Outcome, Refusal, change};
use meshcustomers::domain::{ConfirmationState, CustomerIdentifier, CustomerStatus, EmailAddress};
use meshcustomers::events::{Actor, DomainEvent, EmailConfirmed, EventPayload};
use meshcustomers::http::{ApiError, LinkTokenBody, RequestExtensions, json};
use meshcustomers::store::Conflict;

/// What the confirmation did.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Confirmed {
    customer_id: CustomerIdentifier,
    email: EmailAddress,
    status: CustomerStatus,
}

#[tracing::instrument(name = "confirm_email", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let token = request.json_body::<LinkTokenBody>()?.token()?;

    let load = || async {
        // Found by its hash alone: the token itself is compared with nothing and stored nowhere.
        let confirmation = app.store.email_confirmation(&token.hash()).await?;
        Ok(Loaded::new(&app.store, confirmation.ok_or(Refusal::ConfirmationLinkUnknown)?))
    };
    let confirmation = change(&app.store, &IfMatch::Any, None, load, |confirmation, changes| {
        tracing::Span::current().record("user", confirmation.user_id.as_str());
        let now = Utc::now();
        match confirmation.state_at(now) {
            ConfirmationState::Usable => {}
            ConfirmationState::Used => return Err(Conflict::ConfirmationUsed.into()),
            ConfirmationState::Expired => return Err(Refusal::ConfirmationLinkExpired.into()),
        }
        changes.confirm_email(confirmation, now)?;
        // The registrant confirms, in the role registration gave them (nothing changes members
        // while a customer awaits confirmation).
        let actor = Actor {
            user_id: confirmation.user_id.clone(),
            email: Some(confirmation.email.clone()),
            role: Role::CustomerAdmin,
            api_key: None,
        };
        let confirmed = EventPayload::EmailConfirmed(EmailConfirmed { email: confirmation.email.clone() });
        changes.record(DomainEvent::new(&confirmation.customer_id, actor, now, confirmed));
        Ok(Outcome::Write(confirmation.clone()))
    })
    .await?;
    json(
        StatusCode::OK,
        &Confirmed { customer_id: confirmation.customer_id, email: confirmation.email, status: CustomerStatus::Active },
    )
}
