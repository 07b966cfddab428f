//! `POST /email-confirmations` `{token}`: the registrant confirms their e-mail address with the
//! link of the approval mail, and the customer becomes ACTIVE. The route takes no bearer token
//! (`Auth: NONE`): the link's one-time token is the proof.

use chrono::Utc;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::{Deserialize, Serialize};

use meshcustomers::App;
use meshcustomers::authorization::Role;
use meshcustomers::change::{IfMatch, Loaded, Outcome, Refusal, change};
use meshcustomers::domain::{ConfirmationState, CustomerIdentifier, CustomerStatus, EmailAddress, LinkToken};
use meshcustomers::events::{Actor, DomainEvent, EmailConfirmed, EventPayload};
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, json, respond};
use meshcustomers::store::Conflict;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ConfirmationRequest {
    token: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

/// What the confirmation did.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Confirmed {
    customer_id: CustomerIdentifier,
    email: EmailAddress,
    status: CustomerStatus,
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(confirm(app, &request).await)
}

#[tracing::instrument(name = "confirm_email", skip_all, fields(user))]
async fn confirm(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let body: ConfirmationRequest = request.json_body()?;
    let mut errors = FieldErrors::new();
    let token = errors.required("token", body.token, |raw| LinkToken::parse(&raw));
    errors.unknown("", body.unknown);
    let Some(token) = token else { return Err(errors.into_error()) };
    errors.finish()?;

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
