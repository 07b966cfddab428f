//! `POST /invitations/accept` `{token}`: a signed-in user accepts an invitation with the token of
//! its mail's link, and becomes a member with the invited role. The caller's verified address
//! must be the invited one. Of concurrent acceptances of one link exactly one joins.

use chrono::{DateTime, Utc};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use meshcustomers::App;
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::domain::{InvitationLink, JoinedVia, LinkToken, Membership};
use meshcustomers::events::{Actor, DomainEvent, EventPayload, UserAcceptedInvitation};
use meshcustomers::http::{
    ApiError, Field, FieldErrors, RequestExtensions, UnknownFields, created, path_segment, respond,
};
use meshcustomers::store::{Conflict, Store, StoreError};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct AcceptRequest {
    token: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(accept(app, &request).await)
}

#[tracing::instrument(name = "accept_invitation", skip_all, fields(user))]
async fn accept(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let role = authorize(&principal, Action::AcceptInvitation, None)?;
    let body: AcceptRequest = request.json_body()?;
    let mut errors = FieldErrors::new();
    let token = errors.required("token", body.token, |raw| LinkToken::parse(&raw));
    errors.unknown("", body.unknown);
    let Some(token) = token else { return Err(errors.into_error()) };
    errors.finish()?;

    // Found by its hash alone (a key item, read consistently): the token itself is compared
    // with nothing and stored nowhere.
    let link = app.store.invitation_link(&token.hash()).await?.ok_or_else(ApiError::invitation_link_not_found)?;
    if principal.email.as_ref() != Some(&link.email) {
        return Err(ApiError::Forbidden {
            problem_type: "invitation-email-mismatch",
            detail: "the invitation is for another e-mail address than the one you are signed in with".into(),
        });
    }
    if !principal.email_verified {
        return Err(ApiError::Forbidden {
            problem_type: "email-not-verified",
            detail: "accepting an invitation needs a verified e-mail address (email_verified)".into(),
        });
    }

    let now = Utc::now();
    let membership = Membership::new(
        link.customer_id.clone(),
        principal.user_id.clone(),
        principal.email.clone(),
        principal.name.clone(),
        link.role,
        JoinedVia::Invitation,
        now,
    );
    let accepted = UserAcceptedInvitation {
        invitation_id: link.invitation_id,
        user_id: membership.user_id.clone(),
        email: link.email.clone(),
        role: link.role,
    };
    let mut changes = app.store.changes();
    // The invitation's state is not read first: the transaction's conditions hold all the
    // acceptance relies on, and only a refusal reads the invitation to tell why.
    changes.accept_invitation(&link, &membership, now)?;
    changes.record(DomainEvent::new(
        &link.customer_id,
        Actor::new(&principal, role),
        now,
        EventPayload::UserAcceptedInvitation(accepted),
    ));
    match app.store.commit(changes).await {
        Ok(()) => {}
        Err(StoreError::Conflict(Conflict::InvitationLinkDead)) => return Err(why_dead(&app.store, &link, now).await),
        Err(error) => return Err(error.into()),
    }
    let location = format!("/customers/{}/users/{}", link.customer_id, path_segment(membership.user_id.as_str()));
    created(&location, &membership, membership.version)
}

/// Why the link did not accept its invitation at `now`: 410 with the reason's own type.
async fn why_dead(store: &Store, link: &InvitationLink, now: DateTime<Utc>) -> ApiError {
    match store.invitation(&link.customer_id, link.invitation_id).await {
        Ok(Some((invitation, current))) => match invitation.accepts(link, current.as_ref(), now) {
            Err(refusal) => refusal.into(),
            // Usable as read now: it changed and changed back between the write and this read.
            Ok(()) => ApiError::concurrent_modification(),
        },
        Ok(None) => Conflict::Inconsistent("an invitation link names no invitation").into(),
        Err(error) => error.into(),
    }
}
