//! `GET /customers/{id}/events`: the account history, newest first, optionally of one `type` and
//! within a time window (`since` inclusive, `until` exclusive, RFC 3339). Still one Query.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::access::customer_access;
use meshcustomers::authorization::Action;
use meshcustomers::config::PagesLists;
use meshcustomers::domain::parse_moment;
use meshcustomers::events::EventType;
use meshcustomers::http::{ApiError, FieldErrors, RequestExtensions, json};
use meshcustomers::store::HistoryFilter;

#[tracing::instrument(name = "list_customer_events", skip_all, fields(user))]
pub async fn handle(app: &App<PagesLists>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    customer_access(&app.store, &principal, &identifier, Action::ReadHistory).await?;
    let mut errors = FieldErrors::new();
    let event_type = request.query_parameter("type").and_then(|raw| errors.check("type", EventType::parse(&raw)));
    let since = request.query_parameter("since").and_then(|raw| errors.check("since", parse_moment(&raw)));
    let until = request.query_parameter("until").and_then(|raw| errors.check("until", parse_moment(&raw)));
    if let (Some(since), Some(until)) = (since, until)
        && until <= since
    {
        errors.add("until", "must be later than since");
    }
    errors.finish()?;
    let filter = HistoryFilter { event_type, since, until };
    let page = app.store.list_history(&identifier, &filter, &request.page_query()?).await?;
    json(StatusCode::OK, &page)
}
