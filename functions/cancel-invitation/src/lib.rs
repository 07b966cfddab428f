//! `DELETE /customers/{id}/invitations/{invitationId}`: a customer admin cancels a pending
//! invitation. Its link stops working at once and its address can be invited again.

use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, Refusal, Subject, change_customer};
use meshcustomers::domain::InvitationStatus;
use meshcustomers::events::{EventPayload, UserInvitationCancelled};
use meshcustomers::http::{ApiError, RequestExtensions, no_content};
use meshcustomers::store::Related;

#[tracing::instrument(name = "cancel_invitation", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    let invitation = request.invitation_id(&identifier)?;
    request.empty_body()?;
    let change = CustomerChange::new(&principal, &identifier, Action::CancelInvitation)
        .of(Subject::Related)
        .reading(Related { invitation: Some(invitation), ..Related::default() })
        .if_match(request.if_match());
    change_customer(&app.store, change, |loaded, changes| {
        let before = loaded.invitation();
        match before.status_at(loaded.now) {
            InvitationStatus::Pending => {}
            status => return Err(Refusal::InvitationNotCancellable(status).into()),
        }
        changes.cancel_invitation(before, &before.cancelled(&principal.user_id, loaded.now))?;
        let cancelled = UserInvitationCancelled { invitation_id: before.id, email: before.email.clone() };
        changes.record(loaded.event(EventPayload::UserInvitationCancelled(cancelled)));
        Ok(Outcome::Write(()))
    })
    .await?;
    no_content()
}
