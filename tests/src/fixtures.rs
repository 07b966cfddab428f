//! Customers and members written through the store as a creation or an accepted invitation
//! writes them, for tests that need a state no route makes yet (another status, members of a
//! partner's customer).

use chrono::{DateTime, Utc};
use meshcustomers::authorization::Role;
use meshcustomers::domain::{
    ApiKey, ApiKeyRole, ApiKeySecret, Customer, CustomerIdentifier, CustomerRole, CustomerStatus, DisplayName,
    EmailAddress, EmailConfirmation, GeneratedId, Invitation, InvitationLink, JoinedVia, KeyOwner, LinkToken,
    Membership, Message, MessageMode, MessageText, PartnerId, PlatformName, ProjectIdentifier, ProjectQuota, Sender,
    ServiceUser, TagValues, Tenant, UserId,
};
use meshcustomers::events::{Actor, DomainEvent, EventPayload, MessageSent, UserAcceptedInvitation, UserInvited};
use meshcustomers::store::{LinkStart, NewCustomer};
use serde_json::json;

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
    // A pending customer is someone's registration, and a user has one at a time: each its own.
    let seeder = match status {
        CustomerStatus::PendingApproval => UserId::parse(&format!("registrant-of-{identifier}")).unwrap(),
        _ => UserId::parse("seeder").unwrap(),
    };
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
    let actor = Actor { user_id: seeder, email: None, role: Role::PlatformAdmin, api_key: None };
    let event = DomainEvent::new(&customer.identifier, actor, now, EventPayload::CustomerCreated((&customer).into()));
    test.store
        .create_customer(NewCustomer { customer, members, invitations: Vec::new(), events: vec![event] })
        .await
        .expect("the fixture customer is written");
}

/// A confirmation link with `token` for `registrant` of a customer AWAITING_EMAIL_CONFIRMATION,
/// stored as the email sender stores it (only the hash), valid until `expires_at` (a past
/// instant makes an expired link).
pub async fn confirmation_link(
    test: &TestApp,
    customer: &str,
    partner: &str,
    registrant: &Caller,
    token: &LinkToken,
    expires_at: DateTime<Utc>,
) -> EmailConfirmation {
    let link = EmailConfirmation {
        token_hash: token.hash(),
        customer_id: CustomerIdentifier::parse(customer).unwrap(),
        managing_partner_id: PartnerId::parse(partner).unwrap(),
        user_id: UserId::parse(registrant.user_id()).unwrap(),
        email: EmailAddress::parse(&registrant.claims["email"]).unwrap(),
        approval_event_id: GeneratedId::new(),
        created_at: Utc::now(),
        expires_at,
        used_at: None,
    };
    let started = test.store.start_email_confirmation(&link).await.expect("the link is stored");
    assert_eq!(started, LinkStart::Started, "{customer} awaits e-mail confirmation");
    link
}

/// Tag definitions, each created through `POST /tag-definitions` by a platform admin.
pub async fn tag_definitions(test: &TestApp, definitions: serde_json::Value) {
    for definition in definitions.as_array().expect("a list of definitions") {
        let request = crate::api("POST /tag-definitions").json(definition.clone()).by(&Caller::platform_admin());
        let response = test.call(create_tag_definition::handle, request).await;
        assert_eq!(response.status, 201, "the fixture definition {definition} is created: {}", response.body);
    }
}

/// `caller` joins an existing customer with `role`, as accepting an invitation makes them join
/// (with its USER_ACCEPTED_INVITATION event; `adminCount` follows).
pub async fn member(test: &TestApp, customer: &str, caller: &Caller, role: CustomerRole) {
    let now = Utc::now();
    let customer = CustomerIdentifier::parse(customer).unwrap();
    let email = EmailAddress::parse(&caller.claims["email"]).expect("the fixture member has an address");
    let membership = Membership::new(
        customer.clone(),
        UserId::parse(caller.user_id()).unwrap(),
        Some(email.clone()),
        caller.claims.get("name").cloned(),
        role,
        JoinedVia::Invitation,
        now,
    );
    let accepted =
        UserAcceptedInvitation { invitation_id: GeneratedId::new(), user_id: membership.user_id.clone(), email, role };
    let actor =
        Actor { user_id: membership.user_id.clone(), email: membership.email.clone(), role: Role::User, api_key: None };
    let mut changes = test.store.changes();
    changes.add_member(&membership).unwrap();
    changes.record(DomainEvent::new(&customer, actor, now, EventPayload::UserAcceptedInvitation(accepted)));
    test.store.commit(changes).await.expect("the fixture member is written");
}

/// An invitation `id` of `email` into `customer` with `role`, expiring at `expires_at` (a past
/// instant makes an expired one), written through the store as `POST …/invitations` writes it
/// (with USER_INVITED, by the seeder as CUSTOMER_ADMIN).
pub async fn invitation(
    test: &TestApp,
    customer: &str,
    id: GeneratedId,
    email: &str,
    role: CustomerRole,
    expires_at: DateTime<Utc>,
) -> Invitation {
    let now = Utc::now();
    let seeder = UserId::parse("seeder").unwrap();
    let customer = CustomerIdentifier::parse(customer).unwrap();
    let email = EmailAddress::parse(email).unwrap();
    let mut invitation =
        Invitation::new(customer.clone(), email, role, seeder.clone(), now, chrono::Duration::hours(1));
    invitation.id = id;
    invitation.expires_at = expires_at;
    let actor = Actor { user_id: seeder, email: None, role: Role::CustomerAdmin, api_key: None };
    let invited = UserInvited::new(&invitation, customer.as_str());
    let mut changes = test.store.changes();
    changes.invite(&invitation, now, u32::MAX).unwrap();
    changes.record(DomainEvent::new(&customer, actor, now, EventPayload::UserInvited(invited)));
    test.store.commit(changes).await.expect("the fixture invitation is written");
    invitation
}

/// The link with `token` for the invitation as it is now, stored as the email sender stores it
/// when it mails the invitation (only the hash) and made the invitation's current link.
pub async fn invitation_link(test: &TestApp, invitation: &Invitation, token: &LinkToken) -> InvitationLink {
    let link = InvitationLink {
        token_hash: token.hash(),
        customer_id: invitation.customer_id.clone(),
        invitation_id: invitation.id,
        email: invitation.email.clone(),
        role: invitation.role,
        version: invitation.version,
        created_at: Utc::now(),
        expires_at: invitation.expires_at,
        membership_expires_at: invitation.membership_expires_at,
        invited_by: Some(invitation.invited_by.clone()),
    };
    let started = test.store.start_invitation_link(&link).await.expect("the link is stored");
    assert_eq!(started, LinkStart::Started, "the invitation is pending at version {}", invitation.version);
    link
}

/// A message `message_id` of `mode` sent now to `customer` (with its MESSAGE_SENT), and
/// delivered to the inbox of each of `recipients` as the fan-out delivers it.
pub async fn message_in_inbox(
    test: &TestApp,
    customer: &str,
    message_id: GeneratedId,
    mode: MessageMode,
    recipients: &[&Caller],
) -> Message {
    let now = Utc::now();
    let customer = CustomerIdentifier::parse(customer).unwrap();
    let sender = UserId::parse("sender").unwrap();
    let message = Message {
        message_id,
        customer_id: customer.clone(),
        text: MessageText::parse("Seeded message").unwrap(),
        mode,
        sender: Sender { user_id: sender.clone(), email: None },
        sent_at: now,
        recipient_count: None,
        acknowledged_count: 0,
        resolved_by: None,
        resolved_at: None,
    };
    let sent = MessageSent { message_id, mode, text: message.text.clone(), sent_at: now };
    let actor = Actor { user_id: sender, email: None, role: Role::PlatformAdmin, api_key: None };
    let event = DomainEvent::new(&customer, actor, now, EventPayload::MessageSent(sent));
    let mut changes = test.store.changes();
    changes.send_message(&message).expect("the fixture message is a valid write");
    changes.record(event);
    test.store.commit(changes).await.expect("the fixture message is written");
    for recipient in recipients {
        let user = UserId::parse(recipient.user_id()).unwrap();
        test.store.deliver_to_inbox(&message, &user).await.expect("the fixture inbox entry is written");
    }
    message
}

/// A project of `customer`, created through `POST /customers/{id}/projects` by `admin` (one of
/// its CUSTOMER_ADMINs), so that it counts against the quota as any other.
pub async fn project(test: &TestApp, customer: &str, admin: &Caller, project: &str) {
    let body = json!({"identifier": project, "displayName": format!("Project {project}")});
    let request = crate::api("POST /customers/{id}/projects").param("id", customer).json(body).by(admin);
    let response = test.call(create_project::handle, request).await;
    assert_eq!(response.status, 201, "the fixture project {project} is created: {}", response.body);
}

/// A tenant of an existing project with a known id, written as its creation writes it (with
/// TENANT_CREATED by `admin`).
pub async fn tenant(test: &TestApp, customer: &str, admin: &Caller, project: &str, platform: &str, tenant_id: &str) {
    let now = Utc::now();
    let customer = CustomerIdentifier::parse(customer).unwrap();
    let mut tenant = Tenant::new(
        customer.clone(),
        ProjectIdentifier::parse(project).unwrap(),
        PlatformName::parse(platform).unwrap(),
        UserId::parse(admin.user_id()).unwrap(),
        now,
    );
    tenant.tenant_id = GeneratedId::parse(tenant_id).unwrap();
    let actor = Actor { user_id: tenant.created_by.clone(), email: None, role: Role::CustomerAdmin, api_key: None };
    let mut changes = test.store.changes();
    changes.add_tenant(&tenant).unwrap();
    changes.record(DomainEvent::new(&customer, actor, now, EventPayload::TenantCreated((&tenant).into())));
    test.store.commit(changes).await.expect("the fixture tenant is written");
}

/// A service user with a known id and secret, written as its creation writes it (only the
/// secret's hash, and SERVICE_USER_CREATED by `admin`).
pub async fn service_user(test: &TestApp, customer: &str, admin: &Caller, id: &str, secret: &LinkToken) {
    let now = Utc::now();
    let customer = CustomerIdentifier::parse(customer).unwrap();
    let mut user = ServiceUser::new(
        customer.clone(),
        DisplayName::parse("fixture").unwrap(),
        UserId::parse(admin.user_id()).unwrap(),
        now,
    );
    user.service_user_id = GeneratedId::parse(id).unwrap();
    let actor = Actor { user_id: user.created_by.clone(), email: None, role: Role::CustomerAdmin, api_key: None };
    let mut changes = test.store.changes();
    changes.add_service_user(&user, secret.hash()).unwrap();
    changes.record(DomainEvent::new(&customer, actor, now, EventPayload::ServiceUserCreated((&user).into())));
    test.store.commit(changes).await.expect("the fixture service user is written");
}

/// A key of `owner` with id `id`, made as its route makes one (counted, both items, its event);
/// returns the key itself.
pub async fn api_key(test: &TestApp, owner: KeyOwner, role: ApiKeyRole, id: &str) -> ApiKeySecret {
    let now = Utc::now();
    let secret = ApiKeySecret::generate().unwrap();
    let created_by = UserId::parse("seeder").unwrap();
    let mut key = ApiKey::new(owner.clone(), DisplayName::parse("fixture").unwrap(), role, None, created_by, now);
    key.key_id = GeneratedId::parse(id).unwrap();
    let actor = Actor { user_id: key.created_by.clone(), email: None, role: Role::PlatformAdmin, api_key: None };
    let mut changes = test.store.changes();
    changes.add_api_key(&key, &secret.hash()).unwrap();
    let payload = EventPayload::ApiKeyCreated((&key).into());
    changes.record(match owner {
        KeyOwner::Partner { .. } => DomainEvent::installation(actor, now, payload),
        KeyOwner::Customer { customer_id } => DomainEvent::new(&customer_id, actor, now, payload),
    });
    test.store.commit(changes).await.expect("the fixture key is written");
    secret
}
