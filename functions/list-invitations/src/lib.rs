//! `GET /customers/{id}/invitations`: a customer's invitations, newest first, each with its status
//! as of now (a pending one past its expiry reads EXPIRED).

use chrono::Utc;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::access::customer_access;
use meshcustomers::authorization::Action;
use meshcustomers::config::PagesLists;
use meshcustomers::http::{ApiError, RequestExtensions, json};

#[tracing::instrument(name = "list_invitations", skip_all, fields(user))]
pub async fn handle(app: &App<PagesLists>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    customer_access(&app.store, &principal, &identifier, Action::ListInvitations).await?;
    let page = app.store.list_invitations(&identifier, &request.page_query()?).await?;
    let now = Utc::now();
    json(StatusCode::OK, &page.try_map(|invitation| Ok::<_, ApiError>(invitation.seen_at(now)))?)
}
