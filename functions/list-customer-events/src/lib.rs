//! `GET /customers/{id}/events`: the account history, newest first, optionally of one `type`.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::access::customer_access;
use meshcustomers::authorization::Action;
use meshcustomers::events::EVENT_TYPES;
use meshcustomers::http::{ApiError, RequestExtensions, json, respond};

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(list_events(app, &request).await)
}

async fn list_events(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    customer_access(app, &principal, &identifier, Action::ReadHistory).await?;
    let event_type = request.query_parameter("type");
    if let Some(event_type) = event_type.as_deref().filter(|t| !EVENT_TYPES.contains(t)) {
        return Err(ApiError::Validation(
            [("type".to_owned(), format!("{event_type:?} is not one of {}", EVENT_TYPES.join(", ")))].into(),
        ));
    }
    let page = app.store.list_history(&identifier, event_type.as_deref(), &request.page_query()?).await?;
    json(StatusCode::OK, &page)
}
