//! `DELETE /customers/{id}/service-users/{serviceUserId}`: a customer admin removes a service
//! user, and its secret with it. Allowed while the customer is DISABLED: taking access away is
//! always possible.

use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, Refusal, change_customer};
use meshcustomers::events::EventPayload;
use meshcustomers::http::{ApiError, RequestExtensions, no_content};
use meshcustomers::store::Related;

#[tracing::instrument(name = "delete_service_user", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let customer_id = request.customer_id()?;
    let service_user_id = request.service_user_id()?;
    let change = CustomerChange::new(&principal, &customer_id, Action::DeleteServiceUser)
        .reading(Related { service_user: Some(service_user_id), ..Related::default() });
    change_customer(&app.store, change, |loaded, changes| {
        let service_user = loaded.related.service_user.as_ref().ok_or_else(|| Refusal::ServiceUserNotFound {
            customer: customer_id.clone(),
            service_user: service_user_id,
        })?;
        changes.remove_service_user(service_user)?;
        changes.record(loaded.event(EventPayload::ServiceUserDeleted(service_user.into())));
        Ok(Outcome::Write(()))
    })
    .await?;
    no_content()
}
