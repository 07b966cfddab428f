//! `GET /customers/{id}`: the customer, for admin-area users in scope and for its members.

use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::access::customer_access;
use meshcustomers::authorization::Action;
use meshcustomers::http::{ApiError, RequestExtensions, json_with_etag};

#[tracing::instrument(name = "get_customer", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let (customer, _) = customer_access(&app.store, &principal, &request.customer_id()?, Action::ReadCustomer).await?;
    json_with_etag(&customer, customer.version)
}
