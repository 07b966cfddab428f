//! `GET /customers`: the customers in the caller's scope, filtered by `status` and `q`.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::authorization::{Action, Denial, authorize};
use meshcustomers::config::PagesLists;
use meshcustomers::domain::CustomerStatus;
use meshcustomers::http::{ApiError, FieldErrors, RequestExtensions, json};
use meshcustomers::store::CustomerFilter;

pub const MAX_QUERY_CHARS: usize = 128;

#[tracing::instrument(name = "list_customers", skip_all, fields(user))]
pub async fn handle(app: &App<PagesLists>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    authorize(&principal, Action::ListCustomers, None)?;
    let scope = principal.partner_scope().ok_or(Denial::Forbidden)?;
    let mut errors = FieldErrors::new();
    let status = request.query_parameter("status").and_then(|raw| errors.check("status", CustomerStatus::parse(&raw)));
    let prefix = request.query_parameter("q").map(|raw| raw.trim().to_owned()).filter(|q| !q.is_empty());
    if prefix.as_ref().is_some_and(|q| q.chars().count() > MAX_QUERY_CHARS) {
        errors.add("q", format!("must be at most {MAX_QUERY_CHARS} characters"));
    }
    errors.finish()?;
    let page = app.store.list_customers(scope, &CustomerFilter { status, prefix }, &request.page_query()?).await?;
    json(StatusCode::OK, &page)
}
