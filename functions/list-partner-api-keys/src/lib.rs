//! `GET /api-keys`: a partner's keys, oldest first, for its partner admins (or a platform admin
//! naming `partnerId`); never a key itself (nor its hash). One Query.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::domain::KeyOwner;
use meshcustomers::http::{ApiError, KeyList, RequestExtensions, json, key_partner, partner_query};

#[tracing::instrument(name = "list_partner_api_keys", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    authorize(&principal, Action::ManagePartnerKeys, None)?;
    let partner_id = key_partner(&principal, partner_query(&request)?)?;
    let items = app.store.api_keys_of(&KeyOwner::Partner { partner_id }).await?;
    json(StatusCode::OK, &KeyList { items })
}
