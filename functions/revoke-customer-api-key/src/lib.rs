//! `DELETE /customers/{id}/api-keys/{keyId}`: a customer admin revokes one of the customer's
//! keys: both its items go, and the authorizer refuses it within its cache's 60 seconds. Allowed
//! while the customer is DISABLED: taking access away is always possible. Of concurrent
//! revocations exactly one lands; the others find it gone (404).

use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, Refusal, change_customer};
use meshcustomers::events::EventPayload;
use meshcustomers::http::{ApiError, RequestExtensions, no_content};
use meshcustomers::store::Related;

/// Two round trips: the customer, the caller's membership and the key's owner item together,
/// then the transaction.
#[tracing::instrument(name = "revoke_customer_api_key", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let customer_id = request.customer_id()?;
    let key_id = request.api_key_id()?;
    let change = CustomerChange::new(&principal, &customer_id, Action::ManageCustomerKeys)
        .reading(Related { api_key: Some(key_id), ..Related::default() });
    change_customer(&app.store, change, |loaded, changes| {
        let owned = loaded.related.api_key.as_ref().ok_or(Refusal::ApiKeyNotFound(key_id))?;
        changes.revoke_api_key(owned)?;
        changes.record(loaded.event(EventPayload::ApiKeyRevoked((&owned.key).into())));
        Ok(Outcome::Write(()))
    })
    .await?;
    no_content()
}
