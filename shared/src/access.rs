//! A caller's access to one customer: load it with the caller's membership, decide the action.

use crate::authorization::{Action, CustomerRelation, Denial, Role, authorize};
use crate::domain::{Customer, CustomerIdentifier};
use crate::http::ApiError;
use crate::principal::Principal;
use crate::store::Store;

/// The customer and the role the caller acts in. A customer the caller may not know of is
/// reported exactly like one that does not exist.
pub async fn customer_access(
    store: &Store,
    principal: &Principal,
    identifier: &CustomerIdentifier,
    action: Action,
) -> Result<(Customer, Role), ApiError> {
    let not_found = || ApiError::not_found_customer(identifier.as_str());
    let (customer, membership) =
        store.customer_and_membership(identifier, &principal.user_id).await?.ok_or_else(not_found)?;
    let relation = CustomerRelation { managing_partner_id: &customer.managing_partner_id, membership };
    match authorize(principal, action, Some(&relation)) {
        Ok(role) => Ok((customer, role)),
        Err(Denial::NotFound) => Err(not_found()),
        Err(denial) => Err(denial.into()),
    }
}
