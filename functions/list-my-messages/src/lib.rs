//! `GET /me/messages`: the caller's pending messages across all their customers, newest first,
//! as shown at login: one Query of the caller's inbox and one BatchGetItem of those messages and
//! the caller's memberships, however many customers, messages or members there are.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::config::PagesLists;
use meshcustomers::http::{ApiError, RequestExtensions, json};

#[tracing::instrument(name = "list_my_messages", skip_all, fields(user))]
pub async fn handle(app: &App<PagesLists>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    authorize(&principal, Action::ReadOwnMessages, None)?;
    json(StatusCode::OK, &app.store.pending_messages(&principal.user_id, &request.page_query()?).await?)
}
