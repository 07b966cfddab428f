//! `GET /customers/{id}/service-users`: a customer's service users, oldest first; never a secret
//! (nor its hash).

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::access::customer_access;
use meshcustomers::authorization::Action;
use meshcustomers::config::PagesLists;
use meshcustomers::http::{ApiError, RequestExtensions, json};

#[tracing::instrument(name = "list_service_users", skip_all, fields(user))]
pub async fn handle(app: &App<PagesLists>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    customer_access(&app.store, &principal, &identifier, Action::ListServiceUsers).await?;
    json(StatusCode::OK, &app.store.list_service_users(&identifier, &request.page_query()?).await?)
}
