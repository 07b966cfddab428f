//! `DELETE /customers/{id}/invitations/{invitationId}`: a customer admin cancels a pending
//! invitation. Its link stops working at once and its address can be invited again.

use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::access::{InvitationChange, change_invitation};
use meshcustomers::http::{ApiError, RequestExtensions, no_content, respond};

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(cancel_invitation(app, &request).await)
}

#[tracing::instrument(name = "cancel_invitation", skip_all, fields(user))]
async fn cancel_invitation(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    let invitation = request.invitation_id(&identifier)?;
    request.empty_body()?;
    let change = InvitationChange::Cancel;
    change_invitation(&app.store, &principal, &identifier, invitation, change, &request.if_match()).await?;
    no_content()
}
