//! Customers written through the store as a creation writes them, for tests that need a state
//! no route makes yet (another status, members of a partner's customer).

use chrono::Utc;
use meshcustomers::authorization::Role;
use meshcustomers::domain::{
    Customer, CustomerIdentifier, CustomerRole, CustomerStatus, DisplayName, EmailAddress, JoinedVia, Membership,
    PartnerId, ProjectQuota, TagValues, UserId,
};
use meshcustomers::events::{Actor, DomainEvent, EventPayload};
use meshcustomers::store::NewCustomer;

use crate::{Caller, TestApp};

/// A customer of `partner` in `status`, with `members`, and its CUSTOMER_CREATED event.
pub async fn customer(
    test: &TestApp,
    identifier: &str,
    partner: &str,
    status: CustomerStatus,
    members: &[(&Caller, CustomerRole)],
) {
    let now = Utc::now();
    let seeder = UserId::parse("seeder").unwrap();
    let customer = Customer::new(
        CustomerIdentifier::parse(identifier).unwrap(),
        DisplayName::parse(&format!("Seeded {identifier}")).unwrap(),
        status,
        PartnerId::parse(partner).unwrap(),
        ProjectQuota::parse(5).unwrap(),
        TagValues::new(),
        seeder.clone(),
        now,
    );
    let members = members
        .iter()
        .map(|(caller, role)| {
            Membership::new(
                customer.identifier.clone(),
                UserId::parse(caller.user_id()).unwrap(),
                caller.claims.get("email").and_then(|email| EmailAddress::parse(email).ok()),
                caller.claims.get("name").cloned(),
                *role,
                JoinedVia::Invitation,
                now,
            )
        })
        .collect();
    let actor = Actor { user_id: seeder, email: None, role: Role::PlatformAdmin };
    let event = DomainEvent::new(&customer.identifier, actor, now, EventPayload::CustomerCreated((&customer).into()));
    test.store
        .create_customer(NewCustomer { customer, members, invitations: Vec::new(), events: vec![event] })
        .await
        .expect("the fixture customer is written");
}
