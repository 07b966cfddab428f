//! `GET /customers/{id}/access-reviews`: the customer's access reviews, newest first, paged like
//! every list (`limit`, `cursor`). Two round trips: the customer with the caller's membership,
//! then one Query.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::access::customer_access;
use meshcustomers::authorization::Action;
use meshcustomers::config::PagesLists;
use meshcustomers::http::{ApiError, RequestExtensions, json};

#[tracing::instrument(name = "list_access_reviews", skip_all, fields(user))]
pub async fn handle(app: &App<PagesLists>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    customer_access(&app.store, &principal, &identifier, Action::ListAccessReviews).await?;
    json(StatusCode::OK, &app.store.list_access_reviews(&identifier, &request.page_query()?).await?)
}
