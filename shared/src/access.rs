//! A caller's access to one customer: load it with the caller's membership (and what the action
//! needs with it) and authorize the action through its rule. Reads use it as is; every change
//! goes through [`crate::change`], which builds on it.

use crate::authorization::{Action, CustomerRelation, Denial, Role, authorize};
use crate::domain::{Customer, CustomerIdentifier, CustomerRole, CustomerStatus};
use crate::principal::Principal;
use crate::refusal::{DomainError, Refusal};
use crate::store::{Related, RelatedItems, Store};

/// The customer and the role the caller acts in. A customer the caller may not know of is
/// reported exactly like one that does not exist.
pub async fn customer_access(
    store: &Store,
    principal: &Principal,
    identifier: &CustomerIdentifier,
    action: Action,
) -> Result<(Customer, Role), DomainError> {
    let (customer, role, _) = customer_access_with(store, principal, identifier, action, &Related::default()).await?;
    Ok((customer, role))
}

/// [`customer_access`], reading in the same round trip what `related` names (a project, a
/// service user, tag definitions).
pub async fn customer_access_with(
    store: &Store,
    principal: &Principal,
    identifier: &CustomerIdentifier,
    action: Action,
    related: &Related<'_>,
) -> Result<(Customer, Role, RelatedItems), DomainError> {
    let (customer, membership, items) = store
        .customer_membership_and(identifier, &principal.user_id, related)
        .await?
        .ok_or_else(|| Refusal::CustomerNotFound(identifier.clone()))?;
    let role = authorize_on(principal, action, &customer, membership)?;
    Ok((customer, role, items))
}

/// Authorization before validation: the request's body as parsed and validated, or, when it is
/// not valid, the refusal the caller gets for `action` on the customer (404 as for an unknown
/// customer, 403) and only to a caller who may act the body's errors. A caller who may not act
/// on the customer learns nothing from them; a valid body costs no read here.
pub async fn body_after_access<T, E: From<DomainError>>(
    store: &Store,
    principal: &Principal,
    identifier: &CustomerIdentifier,
    action: Action,
    body: Result<T, E>,
) -> Result<T, E> {
    match body {
        Ok(body) => Ok(body),
        Err(invalid) => {
            customer_access(store, principal, identifier, action).await?;
            Err(invalid)
        }
    }
}

/// Decides `action` on `customer` for a caller who holds `membership` there (the stored one; a
/// customer key's own role stands in for it, see [`Principal::membership_in`]): the role the caller
/// acts in, or the refusal (a customer the caller may not know of reads as one that does not
/// exist).
pub fn authorize_on(
    principal: &Principal,
    action: Action,
    customer: &Customer,
    membership: Option<CustomerRole>,
) -> Result<Role, Refusal> {
    let membership = principal.membership_in(&customer.identifier, membership);
    let relation = CustomerRelation { managing_partner_id: &customer.managing_partner_id, membership };
    match authorize(principal, action, Some(&relation)) {
        Ok(role) => Ok(role),
        Err(Denial::NotFound) => Err(Refusal::CustomerNotFound(customer.identifier.clone())),
        Err(denial) => Err(denial.into()),
    }
}

/// What only an ACTIVE customer does: make projects, tenants and service users, and open tenant
/// access. A DISABLED one is refused as such (what it has stays readable), one not yet ACTIVE as
/// not active.
pub fn require_active(customer: &Customer) -> Result<(), Refusal> {
    match customer.status {
        CustomerStatus::Active => Ok(()),
        CustomerStatus::Disabled => Err(Refusal::CustomerDisabled(customer.identifier.clone())),
        status => Err(Refusal::CustomerNotActive { customer: customer.identifier.clone(), status }),
    }
}
