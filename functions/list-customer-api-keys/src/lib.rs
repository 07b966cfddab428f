//! `GET /customers/{id}/api-keys`: a customer's keys, oldest first, for its customer admins;
//! never a key itself (nor its hash). Two round trips: the customer with the caller's
//! membership, then one Query.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::access::customer_access;
use meshcustomers::authorization::Action;
use meshcustomers::domain::KeyOwner;
use meshcustomers::http::{ApiError, KeyList, RequestExtensions, json};

#[tracing::instrument(name = "list_customer_api_keys", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let customer_id = request.customer_id()?;
    customer_access(&app.store, &principal, &customer_id, Action::ManageCustomerKeys).await?;
    let items = app.store.api_keys_of(&KeyOwner::Customer { customer_id }).await?;
    json(StatusCode::OK, &KeyList { items })
}
