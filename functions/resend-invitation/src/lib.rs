//! `POST /customers/{id}/invitations/{invitationId}/resend`: a customer admin sends a pending
//! (or expired) invitation again: a new version valid for `INVITATION_TTL_HOURS` from now, whose
//! mail carries a new link; the previous link stops working at once.

use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, Refusal, Subject, change_customer};
use meshcustomers::config;
use meshcustomers::domain::InvitationStatus;
use meshcustomers::events::{EventPayload, UserInvited};
use meshcustomers::http::{ApiError, RequestExtensions, json_with_etag};
use meshcustomers::store::Related;

/// The invitation is valid for `invitation_ttl` from the resend on; an expired invitation's lock
/// may have been freed, so resending it counts it again (`max_pending_invitations`).
pub type Settings = config::InvitationSettings;

#[tracing::instrument(name = "resend_invitation", skip_all, fields(user))]
pub async fn handle(app: &App<Settings>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    let invitation = request.invitation_id(&identifier)?;
    request.empty_body()?;
    let (ttl, max_pending) = (app.settings.invitation_ttl, app.settings.max_pending_invitations);
    let change = CustomerChange::new(&principal, &identifier, Action::ResendInvitation)
        .of(Subject::Related)
        .reading(Related { invitation: Some(invitation), ..Related::default() })
        .if_match(request.if_match());
    let resent = change_customer(&app.store, change, |loaded, changes| {
        let before = loaded.invitation();
        match before.status_at(loaded.now) {
            InvitationStatus::Pending | InvitationStatus::Expired => {}
            status => return Err(Refusal::InvitationNotResendable(status).into()),
        }
        let after = before.resent(loaded.now, ttl);
        changes.resend_invitation(before, &after, loaded.now, max_pending)?;
        let invited = UserInvited::new(&after, loaded.customer.display_name.as_str());
        changes.record(loaded.event(EventPayload::UserInvited(invited)));
        Ok(Outcome::Write(after))
    })
    .await?;
    json_with_etag(&resent, resent.version)
}
