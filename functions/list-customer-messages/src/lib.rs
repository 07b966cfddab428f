//! `GET /customers/{id}/messages`: the messages sent to a customer, newest first, each with how
//! many recipients it reached and acknowledged, and (SINGLE_READ) who resolved it and when.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::access::customer_access;
use meshcustomers::authorization::Action;
use meshcustomers::config::PagesLists;
use meshcustomers::http::{ApiError, RequestExtensions, json};

#[tracing::instrument(name = "list_customer_messages", skip_all, fields(user))]
pub async fn handle(app: &App<PagesLists>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    customer_access(&app.store, &principal, &identifier, Action::ListMessages).await?;
    json(StatusCode::OK, &app.store.list_messages(&identifier, &request.page_query()?).await?)
}
