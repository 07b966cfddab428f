//! `GET /customers/{id}/users`: a customer's members, with how and since when each joined.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::access::customer_access;
use meshcustomers::authorization::Action;
use meshcustomers::config::PagesLists;
use meshcustomers::http::{ApiError, RequestExtensions, json, respond};

pub async fn handle(app: &App<PagesLists>, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(list_users(app, &request).await)
}

#[tracing::instrument(name = "list_customer_users", skip_all, fields(user))]
async fn list_users(app: &App<PagesLists>, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    customer_access(&app.store, &principal, &identifier, Action::ListMembers).await?;
    json(StatusCode::OK, &app.store.list_members(&identifier, &request.page_query()?).await?)
}
