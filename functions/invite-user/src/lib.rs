//! `POST /customers/{id}/invitations` `{email, role}`: a customer admin invites a person by
//! address and role. One invitation per address may be pending (409 `invitation-pending`), and
//! a member's address cannot be invited (409 `already-member`), and a customer has at most
//! `MAX_PENDING_INVITATIONS` pending (409 `too-many-invitations`, exact under races). The email
//! sender mails the accept link on USER_INVITED.

use chrono::Utc;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::access::body_after_access;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, change_customer};
use meshcustomers::config;
use meshcustomers::domain::{CustomerRole, EmailAddress, Invitation, parse_membership_expiry};
use meshcustomers::events::{EventPayload, UserInvited};
use meshcustomers::http::{ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, created};

pub type Settings = config::InvitationSettings;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct InviteUser {
    email: Field<String>,
    role: Field<String>,
    membership_expires_at: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

#[tracing::instrument(name = "invite_user", skip_all, fields(user))]
pub async fn handle(app: &App<Settings>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    // Authorization before validation: the body's errors only to a caller who may act.
    let parsed = (|| -> Result<_, ApiError> {
        let body: InviteUser = request.json_body()?;
        let mut errors = FieldErrors::new();
        let email = errors.required("email", body.email, |raw| EmailAddress::parse(&raw));
        let role = errors.required("role", body.role, |raw| CustomerRole::parse(&raw));
        let membership_end = match body.membership_expires_at {
            Field::Absent => Some(None),
            raw => {
                errors.optional("membershipExpiresAt", raw, |raw| parse_membership_expiry(&raw, Utc::now())).map(Some)
            }
        };
        errors.unknown("", body.unknown);
        let (Some(email), Some(role), Some(membership_end)) = (email, role, membership_end) else {
            return Err(errors.into_error());
        };
        errors.finish()?;
        Ok((email, role, membership_end))
    })();
    let (email, role, membership_end) =
        body_after_access(&app.store, &principal, &identifier, Action::InviteUser, parsed).await?;

    // Refused for the cap, the expired invitations' locks are freed and the invitation tried once
    // more (with a new time and id): the only path with more than two round trips.
    let (ttl, max_pending) = (app.settings.invitation_ttl, app.settings.max_pending_invitations);
    let change = CustomerChange::new(&principal, &identifier, Action::InviteUser);
    let invitation = change_customer(&app.store, change, |loaded, changes| {
        let inviter = principal.user_id.clone();
        let invitation = Invitation::new(identifier.clone(), email.clone(), role, inviter, loaded.now, ttl)
            .with_membership_end(membership_end);
        changes.invite(&invitation, loaded.now, max_pending)?;
        let invited = UserInvited::new(&invitation, loaded.customer.display_name.as_str());
        changes.record(loaded.event(EventPayload::UserInvited(invited)));
        Ok(Outcome::Write(invitation))
    })
    .await?;
    let location = format!("/customers/{identifier}/invitations/{}", invitation.id);
    created(&location, &invitation, invitation.version)
}
