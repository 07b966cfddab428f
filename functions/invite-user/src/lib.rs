//! `POST /customers/{id}/invitations` `{email, role}`: a customer admin invites a person by
//! address and role. One invitation per address may be pending (409 `invitation-pending`), and
//! a member's address cannot be invited (409 `already-member`), and a customer has at most
//! `MAX_PENDING_INVITATIONS` pending (409 `too-many-invitations`, exact under races). The email
//! sender mails the accept link on USER_INVITED.

use chrono::{Duration, Utc};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::access::customer_access;
use meshcustomers::authorization::Action;
use meshcustomers::config::{self, ConfigError, Environment};
use meshcustomers::domain::{CustomerRole, EmailAddress, Invitation};
use meshcustomers::events::{Actor, DomainEvent, EventPayload, UserInvited};
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, created, respond};
use meshcustomers::store::{Conflict, StoreError};

pub struct Settings {
    /// How long an invitation stays valid.
    pub invitation_ttl: Duration,
    pub max_pending_invitations: u32,
}

impl config::Settings for Settings {
    fn read(environment: &Environment) -> Result<Self, ConfigError> {
        Ok(Self {
            invitation_ttl: config::invitation_ttl(environment)?,
            max_pending_invitations: config::max_pending_invitations(environment)?,
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct InviteUser {
    email: Field<String>,
    role: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

pub async fn handle(app: &App<Settings>, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(invite_user(app, &request).await)
}

#[tracing::instrument(name = "invite_user", skip_all, fields(user))]
async fn invite_user(app: &App<Settings>, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    let body: InviteUser = request.json_body()?;
    let mut errors = FieldErrors::new();
    let email = errors.required("email", body.email, |raw| EmailAddress::parse(&raw));
    let role = errors.required("role", body.role, |raw| CustomerRole::parse(&raw));
    errors.unknown("", body.unknown);
    let (Some(email), Some(role)) = (email, role) else { return Err(errors.into_error()) };
    errors.finish()?;

    let (customer, acting) = customer_access(&app.store, &principal, &identifier, Action::InviteUser).await?;
    if !customer.status.accepts_writes() {
        return Err(ApiError::customer_not_active(identifier.as_str(), customer.status.as_str()));
    }
    let max_pending = app.settings.max_pending_invitations;
    // Refused for the cap, the expired invitations' locks are freed and the invitation tried once
    // more (with a new time and id): the only path with more than two round trips.
    let mut freed_expired = false;
    loop {
        let now = Utc::now();
        let inviter = principal.user_id.clone();
        let invitation =
            Invitation::new(identifier.clone(), email.clone(), role, inviter, now, app.settings.invitation_ttl);
        let invited = UserInvited::new(&invitation, customer.display_name.as_str());
        let mut changes = app.store.changes();
        // Allowed through the caller's CUSTOMER_ADMIN membership: it must still hold when this
        // lands (else 409 `concurrent-modification`, and a retry is told 403).
        changes.require_role(&identifier, &principal.user_id, CustomerRole::CustomerAdmin)?;
        changes.invite(&invitation, now, max_pending)?;
        changes.record(DomainEvent::new(
            &identifier,
            Actor::new(&principal, acting),
            now,
            EventPayload::UserInvited(invited),
        ));
        match app.store.commit(changes).await {
            Ok(()) => {
                let location = format!("/customers/{identifier}/invitations/{}", invitation.id);
                return created(&location, &invitation, invitation.version);
            }
            Err(StoreError::Conflict(Conflict::TooManyInvitations(_))) if !freed_expired => {
                freed_expired = true;
                if app.store.free_expired_invitation_locks(&identifier, now).await? == 0 {
                    return Err(Conflict::TooManyInvitations(max_pending).into());
                }
            }
            Err(error) => return Err(error.into()),
        }
    }
}
