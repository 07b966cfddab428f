//! `POST /customers/{id}/invitations/{invitationId}/resend`: a customer admin sends a pending
//! (or expired) invitation again: a new version valid for `INVITATION_TTL_HOURS` from now, whose
//! mail carries a new link; the previous link stops working at once.

use chrono::Duration;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::access::{InvitationChange, change_invitation};
use meshcustomers::config::{self, ConfigError, Environment};
use meshcustomers::http::{ApiError, RequestExtensions, json_with_etag, respond};

pub struct Settings {
    /// How long the invitation stays valid from the resend on.
    pub invitation_ttl: Duration,
    /// An expired invitation's lock may have been freed: resending it counts it again.
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

pub async fn handle(app: &App<Settings>, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(resend_invitation(app, &request).await)
}

#[tracing::instrument(name = "resend_invitation", skip_all, fields(user))]
async fn resend_invitation(app: &App<Settings>, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    let invitation = request.invitation_id(&identifier)?;
    request.empty_body()?;
    let change = InvitationChange::Resend {
        ttl: app.settings.invitation_ttl,
        max_pending: app.settings.max_pending_invitations,
    };
    let resent =
        change_invitation(&app.store, &principal, &identifier, invitation, change, &request.if_match()).await?;
    json_with_etag(&resent, resent.version)
}
