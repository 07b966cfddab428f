//! `GET /customers/{id}/users`: a customer's members, with how and since when each joined; with
//! `at`, the members and their roles as they were at that moment (the membership log, README
//! "Members at a moment"), people removed since included, all in one answer.

use chrono::Utc;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::access::customer_access;
use meshcustomers::authorization::Action;
use meshcustomers::config::PagesLists;
use meshcustomers::domain::parse_moment;
use meshcustomers::http::{ApiError, FieldErrors, RequestExtensions, json};
use meshcustomers::store::Page;

#[tracing::instrument(name = "list_customer_users", skip_all, fields(user))]
pub async fn handle(app: &App<PagesLists>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    let Some(raw_at) = request.query_parameter("at") else {
        customer_access(&app.store, &principal, &identifier, Action::ListMembers).await?;
        return json(StatusCode::OK, &app.store.list_members(&identifier, &request.page_query()?).await?);
    };
    customer_access(&app.store, &principal, &identifier, Action::ListMembersAtMoment).await?;
    let mut errors = FieldErrors::new();
    let at = errors.check("at", parse_moment(&raw_at));
    if at.is_some_and(|at| at > Utc::now()) {
        errors.add("at", "must not be in the future");
    }
    for paging in ["limit", "cursor"] {
        if request.query_parameter(paging).is_some() {
            errors.add(paging, "is not taken with at: the members at a moment come in one answer");
        }
    }
    let Some(at) = at else { return Err(errors.into_error()) };
    errors.finish()?;
    let members = app.store.members_at(&identifier, at).await?;
    json(StatusCode::OK, &Page { items: members, next_cursor: None })
}
