//! `DELETE /customers/{id}/service-users/{serviceUserId}`: a customer admin removes a service
//! user, and its secret with it. Allowed while the customer is DISABLED: taking access away is
//! always possible.

use chrono::Utc;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::access::{WRITABLE, access_refusal, customer_access_with};
use meshcustomers::authorization::Action;
use meshcustomers::domain::CustomerRole;
use meshcustomers::events::{Actor, DomainEvent, EventPayload};
use meshcustomers::http::{ApiError, RequestExtensions, no_content, respond};
use meshcustomers::store::{Conflict, Related, StoreError};

pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    respond(delete_service_user(app, &request).await)
}

#[tracing::instrument(name = "delete_service_user", skip_all, fields(user))]
async fn delete_service_user(app: &App, request: &Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let customer_id = request.customer_id()?;
    let service_user_id = request.service_user_id()?;
    let action = Action::DeleteServiceUser;
    let related = Related { service_user: Some(service_user_id), ..Related::default() };
    let (customer, role, found) = customer_access_with(&app.store, &principal, &customer_id, action, &related).await?;
    if !customer.status.accepts_writes() {
        return Err(ApiError::customer_not_active(customer_id.as_str(), customer.status.as_str()));
    }
    let service_user = found
        .service_user
        .ok_or_else(|| ApiError::not_found_service_user(customer_id.as_str(), &service_user_id.to_string()))?;
    let mut changes = app.store.changes();
    changes.require_role(&customer_id, &principal.user_id, CustomerRole::CustomerAdmin)?;
    changes.require_status(&customer_id, &WRITABLE)?;
    changes.remove_service_user(&service_user)?;
    let event = EventPayload::ServiceUserDeleted((&service_user).into());
    changes.record(DomainEvent::new(&customer_id, Actor::new(&principal, role), Utc::now(), event));
    match app.store.commit(changes).await {
        Ok(()) => no_content(),
        // The caller lost the admin role since it was read: answer as the customer is now.
        Err(StoreError::Conflict(Conflict::AccessChanged)) => {
            Err(access_refusal(&app.store, &principal, &customer_id, action).await)
        }
        Err(error) => Err(error.into()),
    }
}
