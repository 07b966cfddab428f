//! `GET /me/customers`: the customers the caller is a member of, each with the caller's role and
//! the customer's current status. One Query of the caller's memberships (a page), then one
//! BatchGetItem of those customers: status lives on the customer item only, so it is always
//! current and no status change has to be copied onto every membership.

use chrono::{DateTime, Utc};
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use std::collections::HashMap;

use meshcustomers::App;
use meshcustomers::authorization::{Action, authorize};
use meshcustomers::config::PagesLists;
use meshcustomers::domain::{CustomerIdentifier, CustomerRole, CustomerStatus, DisplayName, JoinedVia};
use meshcustomers::events::rfc3339_millis;
use meshcustomers::http::{ApiError, RequestExtensions, json};
use meshcustomers::store::Page;

/// One of the caller's customers, as the caller sees it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MyCustomer {
    pub customer_id: CustomerIdentifier,
    pub display_name: DisplayName,
    pub status: CustomerStatus,
    pub role: CustomerRole,
    pub joined_at: DateTime<Utc>,
    pub joined_via: JoinedVia,
    /// When the caller's membership ends (absent: it does not), so a person sees their own end.
    #[serde(skip_serializing_if = "Option::is_none", with = "rfc3339_millis::optional")]
    pub expires_at: Option<DateTime<Utc>>,
}

#[tracing::instrument(name = "list_my_customers", skip_all, fields(user))]
pub async fn handle(app: &App<PagesLists>, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    authorize(&principal, Action::ListOwnCustomers, None)?;
    let memberships = app.store.user_memberships(&principal.user_id, &request.page_query()?).await?;
    let identifiers: Vec<CustomerIdentifier> = memberships.items.iter().map(|m| m.customer_id.clone()).collect();
    let mut customers: HashMap<CustomerIdentifier, _> =
        app.store.customers(&identifiers).await?.into_iter().map(|c| (c.identifier.clone(), c)).collect();
    let items = memberships
        .items
        .into_iter()
        .filter_map(|membership| {
            // Customers are never deleted: a membership without its customer is not shown.
            let customer = customers.remove(&membership.customer_id)?;
            Some(MyCustomer {
                customer_id: membership.customer_id,
                display_name: customer.display_name,
                status: customer.status,
                role: membership.role,
                joined_at: membership.joined_at,
                joined_via: membership.joined_via,
                expires_at: membership.expires_at,
            })
        })
        .collect();
    json(StatusCode::OK, &Page { items, next_cursor: memberships.next_cursor })
}
