//! Who may do what, decided in one place ([`authorize`]) from a table written as data
//! ([`Action::rule`]).

use serde::{Deserialize, Serialize};

use crate::domain::{CustomerRole, PartnerId};
use crate::principal::{AdminRole, Principal};

/// Every role an actor can act in; recorded as `actor.role` on events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    PlatformAdmin,
    PartnerAdmin,
    PartnerEmployee,
    CustomerAdmin,
    CustomerEmployee,
    /// Any authenticated user, acting for themselves (registering, reading their own messages).
    User,
    /// The product itself, on its schedule (a registration expired): no person acted.
    System,
}

impl From<AdminRole> for Role {
    fn from(role: AdminRole) -> Self {
        match role {
            AdminRole::PlatformAdmin => Role::PlatformAdmin,
            AdminRole::PartnerAdmin => Role::PartnerAdmin,
            AdminRole::PartnerEmployee => Role::PartnerEmployee,
        }
    }
}

impl From<CustomerRole> for Role {
    fn from(role: CustomerRole) -> Self {
        match role {
            CustomerRole::CustomerAdmin => Role::CustomerAdmin,
            CustomerRole::CustomerEmployee => Role::CustomerEmployee,
        }
    }
}

/// Everything a caller can ask to do; each has exactly one [`Rule`] (an exhaustive match).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter)]
pub enum Action {
    ListCustomers,
    CreateCustomer,
    RegisterCustomer,
    ReadCustomer,
    UpdateCustomer,
    ApproveCustomer,
    /// Declining a pending self-registration (`POST /customers/{id}/rejection`).
    RejectCustomer,
    ConfirmEmail,
    ChangeCustomerStatus,
    EditQuota,
    EditTags,
    ReadHistory,
    ListMembers,
    /// The members as they were at a moment (`GET /customers/{id}/users?at=`): an auditor's
    /// question, so not every member's.
    ListMembersAtMoment,
    AddMyself,
    ChangeMemberRole,
    /// Setting, moving or clearing the end of a member's membership (SPEC §6.3).
    ChangeMemberExpiry,
    RemoveMember,
    /// A member removing themselves (`DELETE /customers/{id}/users/{userId}` on their own id).
    LeaveCustomer,
    InviteUser,
    ListInvitations,
    CancelInvitation,
    ResendInvitation,
    AcceptInvitation,
    SendMessage,
    ListMessages,
    ReadOwnMessages,
    AcknowledgeMessage,
    ListOwnCustomers,
    CreateProject,
    ListProjects,
    ReadProject,
    CreateTenant,
    OpenTenantAccess,
    CreateServiceUser,
    ListServiceUsers,
    DeleteServiceUser,
    ReadTagDefinitions,
    ManageTagDefinitions,
    /// The configured platforms and their display names.
    ListPlatforms,
    /// Making, listing and revoking a partner's API keys (`/api-keys`).
    ManagePartnerKeys,
    /// Making, listing and revoking a customer's API keys (`/customers/{id}/api-keys`).
    ManageCustomerKeys,
    /// Reading who has access, for a review (`GET /customers/{id}/access-review`, SPEC §6.3).
    ExportAccessReview,
    /// Reviewing who keeps access: a person's attestation (`POST /customers/{id}/access-reviews`).
    ReviewAccess,
    /// The reviews made (`GET /customers/{id}/access-reviews`).
    ListAccessReviews,
}

/// What an action is done on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Installation-wide: no particular customer.
    Installation,
    /// One customer: admin-area roles reach it only within their partner's scope.
    Customer,
}

/// One way to be allowed an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// Anyone, with or without a token: the request carries its own proof (a one-time link
    /// token). Only such actions' routes are `Auth: NONE` in the template.
    Anyone,
    AnyUser,
    /// An admin-area role; on a customer, only a platform admin or a user of the managing partner.
    Admin(AdminRole),
    /// A stored membership of the customer with this role.
    Member(CustomerRole),
}

/// Who may do an action, and on what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub target: Target,
    pub grants: &'static [Grant],
}

use AdminRole::{PartnerAdmin, PartnerEmployee, PlatformAdmin};
use CustomerRole::{CustomerAdmin, CustomerEmployee};
use Grant::{Admin, AnyUser, Anyone, Member};

const ADMIN_AREA: &[Grant] = &[Admin(PlatformAdmin), Admin(PartnerAdmin), Admin(PartnerEmployee)];
const ADMIN_AREA_AND_MEMBERS: &[Grant] = &[
    Admin(PlatformAdmin),
    Admin(PartnerAdmin),
    Admin(PartnerEmployee),
    Member(CustomerAdmin),
    Member(CustomerEmployee),
];
const ADMIN_AREA_AND_CUSTOMER_ADMIN: &[Grant] =
    &[Admin(PlatformAdmin), Admin(PartnerAdmin), Admin(PartnerEmployee), Member(CustomerAdmin)];
const CUSTOMER_ADMIN: &[Grant] = &[Member(CustomerAdmin)];
const MEMBERS: &[Grant] = &[Member(CustomerAdmin), Member(CustomerEmployee)];
const ANY_USER: &[Grant] = &[AnyUser];
const ANYONE: &[Grant] = &[Anyone];
const TAG_ADMINS: &[Grant] = &[Admin(PlatformAdmin), Admin(PartnerAdmin)];
const KEY_ADMINS: &[Grant] = &[Admin(PlatformAdmin), Admin(PartnerAdmin)];

impl Action {
    /// The whole authorization matrix, one arm per action: a new action does not compile without
    /// its rule. Admin-area roles give no customer-internal rights; a partner user gets those by
    /// "Add Myself".
    pub const fn rule(self) -> Rule {
        use Target::{Customer, Installation};
        let (target, grants) = match self {
            Action::ListCustomers => (Installation, ADMIN_AREA),
            Action::CreateCustomer => (Installation, ADMIN_AREA),
            Action::RegisterCustomer => (Installation, ANY_USER),
            Action::ReadCustomer => (Customer, ADMIN_AREA_AND_MEMBERS),
            Action::UpdateCustomer => (Customer, ADMIN_AREA_AND_CUSTOMER_ADMIN),
            Action::ApproveCustomer => (Customer, ADMIN_AREA),
            Action::RejectCustomer => (Customer, ADMIN_AREA),
            Action::ConfirmEmail => (Installation, ANYONE),
            Action::ChangeCustomerStatus => (Customer, ADMIN_AREA),
            Action::EditQuota => (Customer, ADMIN_AREA),
            Action::EditTags => (Customer, ADMIN_AREA_AND_CUSTOMER_ADMIN),
            Action::ReadHistory => (Customer, ADMIN_AREA),
            Action::ListMembers => (Customer, ADMIN_AREA_AND_MEMBERS),
            Action::ListMembersAtMoment => (Customer, ADMIN_AREA_AND_CUSTOMER_ADMIN),
            Action::AddMyself => (Customer, ADMIN_AREA),
            Action::ChangeMemberRole => (Customer, CUSTOMER_ADMIN),
            Action::ChangeMemberExpiry => (Customer, CUSTOMER_ADMIN),
            Action::RemoveMember => (Customer, CUSTOMER_ADMIN),
            Action::LeaveCustomer => (Customer, MEMBERS),
            Action::InviteUser => (Customer, CUSTOMER_ADMIN),
            Action::ListInvitations => (Customer, ADMIN_AREA_AND_CUSTOMER_ADMIN),
            Action::CancelInvitation => (Customer, CUSTOMER_ADMIN),
            Action::ResendInvitation => (Customer, CUSTOMER_ADMIN),
            Action::AcceptInvitation => (Installation, ANY_USER),
            Action::SendMessage => (Customer, ADMIN_AREA),
            Action::ListMessages => (Customer, ADMIN_AREA),
            Action::ReadOwnMessages => (Installation, ANY_USER),
            Action::AcknowledgeMessage => (Installation, ANY_USER),
            Action::ListOwnCustomers => (Installation, ANY_USER),
            Action::CreateProject => (Customer, CUSTOMER_ADMIN),
            Action::ListProjects => (Customer, ADMIN_AREA_AND_MEMBERS),
            Action::ReadProject => (Customer, ADMIN_AREA_AND_MEMBERS),
            Action::CreateTenant => (Customer, CUSTOMER_ADMIN),
            Action::OpenTenantAccess => (Customer, MEMBERS),
            Action::CreateServiceUser => (Customer, CUSTOMER_ADMIN),
            Action::ListServiceUsers => (Customer, ADMIN_AREA_AND_CUSTOMER_ADMIN),
            Action::DeleteServiceUser => (Customer, CUSTOMER_ADMIN),
            Action::ReadTagDefinitions => (Installation, ANY_USER),
            Action::ManageTagDefinitions => (Installation, TAG_ADMINS),
            Action::ListPlatforms => (Installation, ANY_USER),
            Action::ManagePartnerKeys => (Installation, KEY_ADMINS),
            Action::ManageCustomerKeys => (Customer, CUSTOMER_ADMIN),
            Action::ExportAccessReview => (Customer, ADMIN_AREA_AND_CUSTOMER_ADMIN),
            Action::ReviewAccess => (Customer, CUSTOMER_ADMIN),
            Action::ListAccessReviews => (Customer, ADMIN_AREA_AND_CUSTOMER_ADMIN),
        };
        Rule { target, grants }
    }
}

impl Action {
    /// The writes a customer takes before it is ACTIVE (PENDING_APPROVAL or
    /// AWAITING_EMAIL_CONFIRMATION): every other write is refused until then.
    pub const fn allowed_before_activation(self) -> bool {
        matches!(self, Action::ApproveCustomer | Action::RejectCustomer | Action::ConfirmEmail)
    }
}

impl Action {
    /// What only a person does, never a program with a key: what acts on a person's own account
    /// (registering, joining, leaving, their inbox and customers), managing keys, so that a
    /// leaked key cannot make keys that outlive its revocation, and an access review, which is a
    /// person's attestation of who keeps access.
    pub const fn people_only(self) -> bool {
        matches!(
            self,
            Action::RegisterCustomer
                | Action::AddMyself
                | Action::LeaveCustomer
                | Action::AcceptInvitation
                | Action::ReadOwnMessages
                | Action::AcknowledgeMessage
                | Action::ListOwnCustomers
                | Action::ManagePartnerKeys
                | Action::ManageCustomerKeys
                | Action::ReviewAccess
        )
    }
}

impl Rule {
    /// Whether the action is open to callers without a token (its route is `Auth: NONE`).
    pub fn needs_no_token(&self) -> bool {
        self.grants.contains(&Anyone)
    }
}

/// The action each route of the HTTP API asks for: the authorization table's rows by route
/// (`METHOD /path` as in the template). A route without a row fails the authorization matrix test.
pub const ROUTES: &[(&str, Action)] = &[
    ("POST /customers", Action::CreateCustomer),
    ("GET /customers", Action::ListCustomers),
    ("GET /customers/{id}", Action::ReadCustomer),
    ("POST /registrations", Action::RegisterCustomer),
    ("GET /customers/{id}/events", Action::ReadHistory),
    ("PUT /customers/{id}/quota", Action::EditQuota),
    ("PATCH /customers/{id}", Action::UpdateCustomer),
    ("PUT /customers/{id}/status", Action::ChangeCustomerStatus),
    ("POST /customers/{id}/approval", Action::ApproveCustomer),
    ("POST /customers/{id}/rejection", Action::RejectCustomer),
    ("POST /email-confirmations", Action::ConfirmEmail),
    ("PATCH /customers/{id}/tags", Action::EditTags),
    ("GET /tag-definitions", Action::ReadTagDefinitions),
    ("POST /tag-definitions", Action::ManageTagDefinitions),
    ("PUT /tag-definitions/{key}", Action::ManageTagDefinitions),
    ("DELETE /tag-definitions/{key}", Action::ManageTagDefinitions),
    ("GET /platforms", Action::ListPlatforms),
    // With `at`, the route asks for Action::ListMembersAtMoment instead (see list-customer-users).
    ("GET /customers/{id}/users", Action::ListMembers),
    ("POST /customers/{id}/users/me", Action::AddMyself),
    ("PUT /customers/{id}/users/{userId}/role", Action::ChangeMemberRole),
    ("PUT /customers/{id}/users/{userId}/expiry", Action::ChangeMemberExpiry),
    // A member removing themselves asks for Action::LeaveCustomer instead (see remove-member).
    ("DELETE /customers/{id}/users/{userId}", Action::RemoveMember),
    ("GET /me/customers", Action::ListOwnCustomers),
    ("POST /customers/{id}/projects", Action::CreateProject),
    ("GET /customers/{id}/projects", Action::ListProjects),
    ("GET /customers/{id}/projects/{projectId}", Action::ReadProject),
    ("POST /customers/{id}/projects/{projectId}/tenants", Action::CreateTenant),
    ("POST /customers/{id}/projects/{projectId}/tenants/{tenantId}/access", Action::OpenTenantAccess),
    ("POST /customers/{id}/service-users", Action::CreateServiceUser),
    ("GET /customers/{id}/service-users", Action::ListServiceUsers),
    ("DELETE /customers/{id}/service-users/{serviceUserId}", Action::DeleteServiceUser),
    ("POST /customers/{id}/invitations", Action::InviteUser),
    ("GET /customers/{id}/invitations", Action::ListInvitations),
    ("DELETE /customers/{id}/invitations/{invitationId}", Action::CancelInvitation),
    ("POST /customers/{id}/invitations/{invitationId}/resend", Action::ResendInvitation),
    ("POST /invitations/accept", Action::AcceptInvitation),
    ("POST /customers/{id}/messages", Action::SendMessage),
    ("GET /customers/{id}/messages", Action::ListMessages),
    ("GET /me/messages", Action::ReadOwnMessages),
    ("POST /api-keys", Action::ManagePartnerKeys),
    ("GET /api-keys", Action::ManagePartnerKeys),
    ("DELETE /api-keys/{keyId}", Action::ManagePartnerKeys),
    ("POST /customers/{id}/api-keys", Action::ManageCustomerKeys),
    ("GET /customers/{id}/api-keys", Action::ManageCustomerKeys),
    ("DELETE /customers/{id}/api-keys/{keyId}", Action::ManageCustomerKeys),
    ("POST /me/messages/{messageId}/acknowledgement", Action::AcknowledgeMessage),
    ("GET /customers/{id}/access-review", Action::ExportAccessReview),
    ("POST /customers/{id}/access-reviews", Action::ReviewAccess),
    ("GET /customers/{id}/access-reviews", Action::ListAccessReviews),
];

/// The action a route asks for.
pub fn route_action(route: &str) -> Option<Action> {
    ROUTES.iter().find(|(key, _)| *key == route).map(|(_, action)| *action)
}

/// What the store knows of the caller's relation to one customer.
#[derive(Debug, Clone, Copy)]
pub struct CustomerRelation<'a> {
    pub managing_partner_id: &'a PartnerId,
    pub membership: Option<CustomerRole>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denial {
    /// The caller may not even know the customer exists (other partner, not a member).
    NotFound,
    /// The caller sees the customer, or the action is installation-wide, but may not do this.
    Forbidden,
}

/// Decides an action; on success, the role the caller acts in (recorded on events).
///
/// `relation` is the caller's relation to the target customer; it is required for
/// customer actions and ignored for installation-wide ones.
pub fn authorize(principal: &Principal, action: Action, relation: Option<&CustomerRelation>) -> Result<Role, Denial> {
    let rule = action.rule();
    let relation = match rule.target {
        Target::Installation => None,
        Target::Customer => Some(relation.ok_or(Denial::NotFound)?),
    };
    // On a customer, an admin-area role counts only within its partner scope.
    let admin_reaches = relation.is_none_or(|relation| in_partner_scope(principal, relation));
    let may_act = principal.api_key().is_none() || !action.people_only();
    let granted = rule.grants.iter().filter(|_| may_act).find_map(|grant| match *grant {
        Anyone | AnyUser => Some(Role::User),
        Admin(role) => (principal.admin_role() == Some(role) && admin_reaches).then_some(role.into()),
        Member(role) => (relation.and_then(|r| r.membership) == Some(role)).then_some(role.into()),
    });
    match (granted, relation) {
        (Some(role), _) => Ok(role),
        (None, Some(relation)) if !can_see(principal, relation) => Err(Denial::NotFound),
        (None, _) => Err(Denial::Forbidden),
    }
}

fn in_partner_scope(principal: &Principal, relation: &CustomerRelation) -> bool {
    principal.admin.as_ref().is_some_and(|admin| admin.scope.includes(relation.managing_partner_id))
}

/// Whether the caller may learn that the customer exists: admin-area in scope, or a member.
fn can_see(principal: &Principal, relation: &CustomerRelation) -> bool {
    relation.membership.is_some() || in_partner_scope(principal, relation)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{PartnerScope, UserId};
    use crate::principal::AdminArea;
    use strum::IntoEnumIterator;

    fn principal(admin: Option<(AdminRole, Option<&str>)>) -> Principal {
        let partner = |p: Option<&str>| p.map(|p| PartnerId::parse(p).unwrap());
        Principal {
            user_id: UserId::parse("u1").unwrap(),
            email: None,
            email_verified: false,
            name: None,
            admin: admin.map(|(role, scope)| AdminArea {
                role,
                scope: partner(scope).map_or(PartnerScope::EveryPartner, PartnerScope::Partner),
            }),
            partner_id: admin.and_then(|(_, scope)| partner(scope)),
            caller: crate::principal::Caller::Person,
        }
    }

    fn on<'a>(partner: &'a PartnerId, membership: Option<CustomerRole>) -> CustomerRelation<'a> {
        CustomerRelation { managing_partner_id: partner, membership }
    }

    #[test]
    fn every_action_has_a_rule_that_grants_someone_and_never_panics() {
        let platform = principal(Some((PlatformAdmin, None)));
        for action in Action::iter() {
            let rule = action.rule();
            assert!(!rule.grants.is_empty(), "{action:?} grants nobody");
            let without_customer = authorize(&platform, action, None);
            match rule.target {
                Target::Customer => assert_eq!(without_customer, Err(Denial::NotFound), "{action:?}"),
                Target::Installation => assert_ne!(without_customer, Err(Denial::NotFound), "{action:?}"),
            }
        }
    }

    #[test]
    fn partner_scope_hides_other_partners_customers() {
        let acme = PartnerId::parse("acme").unwrap();
        let globex_admin = principal(Some((PartnerAdmin, Some("globex"))));
        let acme_employee = principal(Some((PartnerEmployee, Some("acme"))));
        let platform = principal(Some((PlatformAdmin, None)));
        assert_eq!(authorize(&globex_admin, Action::ReadCustomer, Some(&on(&acme, None))), Err(Denial::NotFound));
        assert_eq!(authorize(&acme_employee, Action::ReadCustomer, Some(&on(&acme, None))), Ok(Role::PartnerEmployee));
        assert_eq!(authorize(&platform, Action::ReadHistory, Some(&on(&acme, None))), Ok(Role::PlatformAdmin));
    }

    #[test]
    fn admin_area_roles_get_no_customer_internal_rights() {
        let acme = PartnerId::parse("acme").unwrap();
        let acme_admin = principal(Some((PartnerAdmin, Some("acme"))));
        assert_eq!(authorize(&acme_admin, Action::InviteUser, Some(&on(&acme, None))), Err(Denial::Forbidden));
        assert_eq!(
            authorize(&acme_admin, Action::InviteUser, Some(&on(&acme, Some(CustomerAdmin)))),
            Ok(Role::CustomerAdmin)
        );
    }

    #[test]
    fn members_see_their_customer_but_employees_cannot_administer_it() {
        let acme = PartnerId::parse("acme").unwrap();
        let user = principal(None);
        let employee = on(&acme, Some(CustomerEmployee));
        assert_eq!(authorize(&user, Action::ReadCustomer, Some(&employee)), Ok(Role::CustomerEmployee));
        assert_eq!(authorize(&user, Action::CreateProject, Some(&employee)), Err(Denial::Forbidden));
        assert_eq!(authorize(&user, Action::ReadHistory, Some(&on(&acme, None))), Err(Denial::NotFound));
    }

    #[test]
    fn only_the_email_confirmation_is_open_without_a_token() {
        let open: Vec<Action> = Action::iter().filter(|action| action.rule().needs_no_token()).collect();
        assert_eq!(open, [Action::ConfirmEmail]);
    }

    #[test]
    fn any_member_may_leave_but_only_admins_remove_others() {
        let acme = PartnerId::parse("acme").unwrap();
        let user = principal(None);
        let employee = on(&acme, Some(CustomerEmployee));
        assert_eq!(authorize(&user, Action::LeaveCustomer, Some(&employee)), Ok(Role::CustomerEmployee));
        assert_eq!(authorize(&user, Action::RemoveMember, Some(&employee)), Err(Denial::Forbidden));
        assert_eq!(authorize(&user, Action::LeaveCustomer, Some(&on(&acme, None))), Err(Denial::NotFound));
        let acme_admin = principal(Some((PartnerAdmin, Some("acme"))));
        assert_eq!(authorize(&acme_admin, Action::RemoveMember, Some(&on(&acme, None))), Err(Denial::Forbidden));
    }

    #[test]
    fn admin_area_roles_read_service_users_but_only_members_act_on_projects_and_tenants() {
        let acme = PartnerId::parse("acme").unwrap();
        let acme_admin = principal(Some((PartnerAdmin, Some("acme"))));
        let outside = on(&acme, None);
        assert_eq!(authorize(&acme_admin, Action::ListServiceUsers, Some(&outside)), Ok(Role::PartnerAdmin));
        assert_eq!(authorize(&acme_admin, Action::ReadProject, Some(&outside)), Ok(Role::PartnerAdmin));
        for action in [Action::DeleteServiceUser, Action::CreateProject, Action::OpenTenantAccess] {
            assert_eq!(authorize(&acme_admin, action, Some(&outside)), Err(Denial::Forbidden), "{action:?}");
        }
        let user = principal(None);
        let employee = on(&acme, Some(CustomerEmployee));
        assert_eq!(authorize(&user, Action::OpenTenantAccess, Some(&employee)), Ok(Role::CustomerEmployee));
        for action in [Action::CreateTenant, Action::ListServiceUsers, Action::DeleteServiceUser] {
            assert_eq!(authorize(&user, action, Some(&employee)), Err(Denial::Forbidden), "{action:?}");
        }
    }

    #[test]
    fn installation_actions_need_no_customer() {
        let user = principal(None);
        let employee = principal(Some((PartnerEmployee, Some("acme"))));
        assert_eq!(authorize(&user, Action::RegisterCustomer, None), Ok(Role::User));
        assert_eq!(authorize(&user, Action::ListCustomers, None), Err(Denial::Forbidden));
        assert_eq!(authorize(&employee, Action::CreateCustomer, None), Ok(Role::PartnerEmployee));
        assert_eq!(authorize(&employee, Action::ManageTagDefinitions, None), Err(Denial::Forbidden));
    }

    fn key(scope: crate::principal::KeyScope, admin: Option<AdminArea>) -> Principal {
        use crate::domain::GeneratedId;
        use crate::principal::{Caller, KeyCaller};
        Principal {
            user_id: UserId::parse("apikey:k").unwrap(),
            email: None,
            email_verified: false,
            name: None,
            partner_id: admin.as_ref().and_then(|admin| match &admin.scope {
                PartnerScope::Partner(partner) => Some(partner.clone()),
                PartnerScope::EveryPartner => None,
            }),
            admin,
            caller: Caller::ApiKey(KeyCaller { key_id: GeneratedId::new(), name: "k".into(), scope }),
        }
    }

    #[test]
    fn a_key_never_does_what_only_people_do() {
        use crate::principal::KeyScope;
        let acme = PartnerId::parse("acme").unwrap();
        let admin_key = key(
            KeyScope::Partner(acme.clone()),
            Some(AdminArea { role: PartnerAdmin, scope: PartnerScope::Partner(acme.clone()) }),
        );
        let admin_person = principal(Some((PartnerAdmin, Some("acme"))));
        for action in Action::iter().filter(|action| action.people_only()) {
            let relation = on(&acme, None);
            let relation = (action.rule().target == Target::Customer).then_some(&relation);
            assert!(authorize(&admin_key, action, relation).is_err(), "{action:?}");
        }
        assert_eq!(authorize(&admin_person, Action::ManagePartnerKeys, None), Ok(Role::PartnerAdmin));
        assert_eq!(authorize(&admin_key, Action::ManagePartnerKeys, None), Err(Denial::Forbidden));
        assert_eq!(authorize(&admin_key, Action::CreateCustomer, None), Ok(Role::PartnerAdmin));
        assert_eq!(authorize(&admin_key, Action::ChangeCustomerStatus, Some(&on(&acme, None))), Ok(Role::PartnerAdmin));
        let globex = PartnerId::parse("globex").unwrap();
        assert_eq!(authorize(&admin_key, Action::ReadCustomer, Some(&on(&globex, None))), Err(Denial::NotFound));
    }
}
