//! `POST /api-keys`: a partner admin (for their own partner) or a platform admin (naming
//! `partnerId`) makes a key that acts within one partner in an admin-area role. The key is in this
//! answer and nowhere else: the table keeps its SHA-256, and no event or log line holds it.

use chrono::Utc;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::change::{IfMatch, Loaded, Outcome, change};
use meshcustomers::domain::{ApiKey, ApiKeySecret, KeyOwner};
use meshcustomers::events::{Actor, DomainEvent, EventPayload};
use meshcustomers::http::{
    ApiError, InternalError, RequestExtensions, WithKey, created_unversioned, key_partner, partner_key_request,
};

/// One round trip: the transaction's counter condition refuses a key beyond the partner's bound
/// (409 `too-many-api-keys`), also under concurrent creations.
#[tracing::instrument(name = "create_partner_api_key", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let role = authorize(&principal, Action::ManagePartnerKeys, None)?;
    let now = Utc::now();
    let (asked, named) = partner_key_request(&request, now)?;
    let partner_id = key_partner(&principal, named)?;
    let secret = ApiKeySecret::generate().map_err(InternalError::from)?;
    let owner = KeyOwner::Partner { partner_id };
    let api_key = ApiKey::new(owner, asked.name, asked.role, asked.expires_at, principal.user_id.clone(), now);
    let actor = Actor::new(&principal, role);
    // Nothing to read: the transaction's conditions decide.
    let load = || async { Ok(Loaded::new(&app.store, ())) };
    change(&app.store, &IfMatch::Any, None, load, |(), changes| {
        changes.add_api_key(&api_key, &secret.hash())?;
        let payload = EventPayload::ApiKeyCreated((&api_key).into());
        changes.record(DomainEvent::installation(actor.clone(), now, payload));
        Ok(Outcome::Write(()))
    })
    .await?;
    let location = format!("/api-keys/{}", api_key.key_id);
    created_unversioned(&location, &WithKey { api_key: &api_key, key: secret.expose() })
}
