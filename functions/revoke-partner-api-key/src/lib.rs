//! `DELETE /api-keys/{keyId}`: a partner admin (or a platform admin naming `partnerId`) revokes
//! one of the partner's keys: both its items go, and the authorizer refuses it within its cache's
//! 60 seconds. Of concurrent revocations exactly one lands; the others find it gone (404).

use chrono::Utc;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::change::{IfMatch, Loaded, Outcome, Refusal, change};
use meshcustomers::domain::KeyOwner;
use meshcustomers::events::{Actor, DomainEvent, EventPayload};
use meshcustomers::http::{ApiError, RequestExtensions, key_partner, no_content, partner_query};

/// Two round trips: the owner's item (GetItem), then the transaction.
#[tracing::instrument(name = "revoke_partner_api_key", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let role = authorize(&principal, Action::ManagePartnerKeys, None)?;
    let partner_id = key_partner(&principal, partner_query(&request)?)?;
    let key_id = request.api_key_id()?;
    let owner = KeyOwner::Partner { partner_id };
    let actor = Actor::new(&principal, role);
    let load = || async {
        let owned = app.store.owned_api_key(&owner, key_id).await?.ok_or(Refusal::ApiKeyNotFound(key_id))?;
        Ok(Loaded::new(&app.store, owned))
    };
    change(&app.store, &IfMatch::Any, None, load, |owned, changes| {
        changes.revoke_api_key(owned)?;
        let payload = EventPayload::ApiKeyRevoked((&owned.key).into());
        changes.record(DomainEvent::installation(actor.clone(), Utc::now(), payload));
        Ok(Outcome::Write(()))
    })
    .await?;
    no_content()
}
