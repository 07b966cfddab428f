//! `POST /invitations/accept` `{token}`: a signed-in user accepts an invitation with the token of
//! its mail's link, and becomes a member with the invited role. The caller's verified address
//! must be the invited one. Of concurrent acceptances of one link exactly one joins.

use chrono::{DateTime, Utc};
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::change::{IfMatch, Loaded, NeedsVerifiedEmail, Outcome, Refusal, change};
use meshcustomers::domain::{InvitationLink, JoinedVia, LinkRefusal, Membership};
use meshcustomers::events::{Actor, DomainEvent, EventPayload, UserAcceptedInvitation};
use meshcustomers::http::{ApiError, LinkTokenBody, RequestExtensions, created, path_segment};
use meshcustomers::store::{Conflict, Store};

#[tracing::instrument(name = "accept_invitation", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let role = authorize(&principal, Action::AcceptInvitation, None)?;
    let token = request.json_body::<LinkTokenBody>()?.token()?;

    let load = || async {
        // Found by its hash alone (a key item, read consistently): the token itself is compared
        // with nothing and stored nowhere.
        let link = app.store.invitation_link(&token.hash()).await?.ok_or(Refusal::InvitationLinkUnknown)?;
        if principal.email.as_ref() != Some(&link.email) {
            return Err(Refusal::InvitationEmailMismatch.into());
        }
        if !principal.email_verified {
            return Err(Refusal::EmailNotVerified(NeedsVerifiedEmail::AcceptingInvitation).into());
        }
        Ok(Loaded::new(&app.store, link))
    };
    // What the last attempt tried, to tell why it was refused.
    let mut tried: Option<(InvitationLink, DateTime<Utc>)> = None;
    let accepted = change(&app.store, &IfMatch::Any, None, load, |link, changes| {
        let accepted_at = Utc::now();
        tried = Some((link.clone(), accepted_at));
        // The membership it would make has ended already: refused as an expired invitation.
        if link.membership_expires_at.is_some_and(|end| end <= accepted_at) {
            return Err(Refusal::from(LinkRefusal::Expired).into());
        }
        let membership = Membership::new(
            link.customer_id.clone(),
            principal.user_id.clone(),
            principal.email.clone(),
            principal.name.clone(),
            link.role,
            JoinedVia::Invitation,
            accepted_at,
        )
        // Added by the inviter, as the link names them (unknown for links made before).
        .with_added_by(link.invited_by.clone())
        .ending(link.membership_expires_at);
        // The invitation's state is not read first: the transaction's conditions hold all the
        // acceptance relies on, and only a refusal reads the invitation to tell why.
        changes.accept_invitation(link, &membership, accepted_at)?;
        let accepted = UserAcceptedInvitation {
            invitation_id: link.invitation_id,
            user_id: membership.user_id.clone(),
            email: link.email.clone(),
            role: link.role,
        };
        let payload = EventPayload::UserAcceptedInvitation(accepted);
        changes.record(DomainEvent::new(&link.customer_id, Actor::new(&principal, role), accepted_at, payload));
        Ok(Outcome::Write((link.clone(), membership)))
    })
    .await;
    let (link, membership) = match accepted {
        Ok(accepted) => accepted,
        Err(error) if error.conflict() == Some(&Conflict::InvitationLinkDead) => {
            let (link, at) = tried.expect("a write was tried");
            return Err(why_dead(&app.store, &link, at).await);
        }
        Err(error) => return Err(error.into()),
    };
    let location = format!("/customers/{}/users/{}", link.customer_id, path_segment(membership.user_id.as_str()));
    created(&location, &membership, membership.version)
}

/// Why the link did not accept its invitation at `now`: 410 with the reason's own type.
async fn why_dead(store: &Store, link: &InvitationLink, now: DateTime<Utc>) -> ApiError {
    match store.invitation(&link.customer_id, link.invitation_id).await {
        Ok(Some((invitation, current))) => match invitation.accepts(link, current.as_ref(), now) {
            Err(refusal) => Refusal::from(refusal).into(),
            // Usable as read now: it changed and changed back between the write and this read.
            Ok(()) => Refusal::Contended.into(),
        },
        Ok(None) => Conflict::Inconsistent("an invitation link names no invitation").into(),
        Err(error) => error.into(),
    }
}
