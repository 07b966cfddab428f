//! `POST /customers/{id}/api-keys`: a customer admin makes a key that acts as a member of this
//! customer only. The key is in this answer and nowhere else: the table keeps its SHA-256, and no
//! event or log line holds it. Only an ACTIVE customer makes keys (DISABLED: 403
//! `customer-disabled`), decided at the write.

use chrono::Utc;
use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::access::body_after_access;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, Requires, change_customer};
use meshcustomers::domain::{ApiKey, ApiKeySecret, KeyOwner};
use meshcustomers::events::EventPayload;
use meshcustomers::http::{
    ApiError, InternalError, RequestExtensions, WithKey, created_unversioned, customer_key_request,
};

/// Two round trips: the customer with the caller's membership, then the transaction (the
/// caller's role, the customer's status, the counter's bound, both items and the event).
#[tracing::instrument(name = "create_customer_api_key", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let customer_id = request.customer_id()?;
    let action = Action::ManageCustomerKeys;
    let asked = customer_key_request(&request, Utc::now());
    let asked = body_after_access(&app.store, &principal, &customer_id, action, asked).await?;
    let secret = ApiKeySecret::generate().map_err(InternalError::from)?;
    let change = CustomerChange::new(&principal, &customer_id, action).requires(Requires::Active);
    let api_key = change_customer(&app.store, change, |loaded, changes| {
        let owner = KeyOwner::Customer { customer_id: customer_id.clone() };
        let api_key =
            ApiKey::new(owner, asked.name.clone(), asked.role, asked.expires_at, principal.user_id.clone(), loaded.now);
        changes.add_api_key(&api_key, &secret.hash())?;
        changes.record(loaded.event(EventPayload::ApiKeyCreated((&api_key).into())));
        Ok(Outcome::Write(api_key))
    })
    .await?;
    let location = format!("/customers/{customer_id}/api-keys/{}", api_key.key_id);
    created_unversioned(&location, &WithKey { api_key: &api_key, key: secret.expose() })
}
