//! Who may do what, decided in one place and written down as data ([`POLICY`]).

use serde::{Deserialize, Serialize};

use crate::domain::{CustomerRole, PartnerId};
use crate::principal::Principal;

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
}

/// The admin-area roles, granted by identity-provider groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdminRole {
    PlatformAdmin,
    PartnerAdmin,
    PartnerEmployee,
}

impl AdminRole {
    /// Strongest first, so a user in several groups acts in the strongest role.
    const BY_GROUP: [(&'static str, AdminRole); 3] = [
        ("platform-admins", AdminRole::PlatformAdmin),
        ("partner-admins", AdminRole::PartnerAdmin),
        ("partner-employees", AdminRole::PartnerEmployee),
    ];

    pub fn from_groups(groups: &[String]) -> Option<Self> {
        Self::BY_GROUP.iter().find(|(group, _)| groups.iter().any(|g| g == group)).map(|(_, role)| *role)
    }

    pub fn is_partner_role(self) -> bool {
        self != AdminRole::PlatformAdmin
    }

    pub fn role(self) -> Role {
        match self {
            AdminRole::PlatformAdmin => Role::PlatformAdmin,
            AdminRole::PartnerAdmin => Role::PartnerAdmin,
            AdminRole::PartnerEmployee => Role::PartnerEmployee,
        }
    }
}

impl CustomerRole {
    pub fn role(self) -> Role {
        match self {
            CustomerRole::CustomerAdmin => Role::CustomerAdmin,
            CustomerRole::CustomerEmployee => Role::CustomerEmployee,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ListCustomers,
    CreateCustomer,
    RegisterCustomer,
    ReadCustomer,
    UpdateCustomer,
    ApproveCustomer,
    ChangeCustomerStatus,
    EditQuota,
    EditTags,
    ReadHistory,
    ListMembers,
    AddMyself,
    ChangeMemberRole,
    RemoveMember,
    InviteUser,
    ListInvitations,
    CancelInvitation,
    ResendInvitation,
    AcceptInvitation,
    SendMessage,
    ReadOwnMessages,
    AcknowledgeMessage,
    ListOwnCustomers,
    CreateProject,
    ListProjects,
    CreateTenant,
    OpenTenantAccess,
    CreateServiceUser,
    ReadTagDefinitions,
    ManageTagDefinitions,
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
    AnyUser,
    /// An admin-area role; on a customer, only a platform admin or a user of the managing partner.
    Admin(AdminRole),
    /// A stored membership of the customer with this role.
    Member(CustomerRole),
}

use AdminRole::{PartnerAdmin, PartnerEmployee, PlatformAdmin};
use CustomerRole::{CustomerAdmin, CustomerEmployee};
use Grant::{Admin, AnyUser, Member};

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
const TAG_ADMINS: &[Grant] = &[Admin(PlatformAdmin), Admin(PartnerAdmin)];

/// The whole authorization matrix: each action, what it targets, and the grants that allow it.
/// Admin-area roles give no customer-internal rights; a partner user gets those by "Add Myself".
pub const POLICY: &[(Action, Target, &[Grant])] = &[
    (Action::ListCustomers, Target::Installation, ADMIN_AREA),
    (Action::CreateCustomer, Target::Installation, ADMIN_AREA),
    (Action::RegisterCustomer, Target::Installation, ANY_USER),
    (Action::ReadCustomer, Target::Customer, ADMIN_AREA_AND_MEMBERS),
    (Action::UpdateCustomer, Target::Customer, ADMIN_AREA_AND_CUSTOMER_ADMIN),
    (Action::ApproveCustomer, Target::Customer, ADMIN_AREA),
    (Action::ChangeCustomerStatus, Target::Customer, ADMIN_AREA),
    (Action::EditQuota, Target::Customer, ADMIN_AREA),
    (Action::EditTags, Target::Customer, ADMIN_AREA_AND_CUSTOMER_ADMIN),
    (Action::ReadHistory, Target::Customer, ADMIN_AREA),
    (Action::ListMembers, Target::Customer, ADMIN_AREA_AND_MEMBERS),
    (Action::AddMyself, Target::Customer, ADMIN_AREA),
    (Action::ChangeMemberRole, Target::Customer, CUSTOMER_ADMIN),
    (Action::RemoveMember, Target::Customer, CUSTOMER_ADMIN),
    (Action::InviteUser, Target::Customer, CUSTOMER_ADMIN),
    (Action::ListInvitations, Target::Customer, ADMIN_AREA_AND_CUSTOMER_ADMIN),
    (Action::CancelInvitation, Target::Customer, CUSTOMER_ADMIN),
    (Action::ResendInvitation, Target::Customer, CUSTOMER_ADMIN),
    (Action::AcceptInvitation, Target::Installation, ANY_USER),
    (Action::SendMessage, Target::Customer, ADMIN_AREA),
    (Action::ReadOwnMessages, Target::Installation, ANY_USER),
    (Action::AcknowledgeMessage, Target::Installation, ANY_USER),
    (Action::ListOwnCustomers, Target::Installation, ANY_USER),
    (Action::CreateProject, Target::Customer, CUSTOMER_ADMIN),
    (Action::ListProjects, Target::Customer, ADMIN_AREA_AND_MEMBERS),
    (Action::CreateTenant, Target::Customer, CUSTOMER_ADMIN),
    (Action::OpenTenantAccess, Target::Customer, MEMBERS),
    (Action::CreateServiceUser, Target::Customer, CUSTOMER_ADMIN),
    (Action::ReadTagDefinitions, Target::Installation, ANY_USER),
    (Action::ManageTagDefinitions, Target::Installation, TAG_ADMINS),
];

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
    let (_, target, grants) = POLICY.iter().find(|(a, _, _)| *a == action).expect("every action has a rule in POLICY");
    let relation = match target {
        Target::Installation => None,
        Target::Customer => Some(relation.ok_or(Denial::NotFound)?),
    };
    let in_scope = |role: AdminRole| match relation {
        None => true,
        Some(relation) => {
            role == AdminRole::PlatformAdmin || principal.partner_id.as_ref() == Some(relation.managing_partner_id)
        }
    };
    let granted = grants.iter().find_map(|grant| match *grant {
        AnyUser => Some(Role::User),
        Admin(role) => (principal.admin_role == Some(role) && in_scope(role)).then(|| role.role()),
        Member(role) => (relation.and_then(|r| r.membership) == Some(role)).then(|| role.role()),
    });
    match (granted, relation) {
        (Some(role), _) => Ok(role),
        (None, Some(relation)) if !can_see(principal, relation) => Err(Denial::NotFound),
        (None, _) => Err(Denial::Forbidden),
    }
}

/// Whether the caller may learn that the customer exists: admin-area in scope, or a member.
fn can_see(principal: &Principal, relation: &CustomerRelation) -> bool {
    relation.membership.is_some()
        || match principal.admin_role {
            Some(AdminRole::PlatformAdmin) => true,
            Some(_) => principal.partner_id.as_ref() == Some(relation.managing_partner_id),
            None => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::UserId;

    fn principal(admin_role: Option<AdminRole>, partner: Option<&str>) -> Principal {
        Principal {
            user_id: UserId::parse("u1").unwrap(),
            email: None,
            email_verified: false,
            name: None,
            admin_role,
            partner_id: partner.map(|p| PartnerId::parse(p).unwrap()),
        }
    }

    fn on<'a>(partner: &'a PartnerId, membership: Option<CustomerRole>) -> CustomerRelation<'a> {
        CustomerRelation { managing_partner_id: partner, membership }
    }

    #[test]
    fn every_action_has_exactly_one_rule() {
        for (action, _, _) in POLICY {
            assert_eq!(POLICY.iter().filter(|(a, _, _)| a == action).count(), 1, "{action:?}");
        }
    }

    #[test]
    fn partner_scope_hides_other_partners_customers() {
        let acme = PartnerId::parse("acme").unwrap();
        let globex_admin = principal(Some(AdminRole::PartnerAdmin), Some("globex"));
        let acme_employee = principal(Some(AdminRole::PartnerEmployee), Some("acme"));
        let platform = principal(Some(AdminRole::PlatformAdmin), None);
        assert_eq!(authorize(&globex_admin, Action::ReadCustomer, Some(&on(&acme, None))), Err(Denial::NotFound));
        assert_eq!(authorize(&acme_employee, Action::ReadCustomer, Some(&on(&acme, None))), Ok(Role::PartnerEmployee));
        assert_eq!(authorize(&platform, Action::ReadHistory, Some(&on(&acme, None))), Ok(Role::PlatformAdmin));
    }

    #[test]
    fn admin_area_roles_get_no_customer_internal_rights() {
        let acme = PartnerId::parse("acme").unwrap();
        let acme_admin = principal(Some(AdminRole::PartnerAdmin), Some("acme"));
        assert_eq!(authorize(&acme_admin, Action::InviteUser, Some(&on(&acme, None))), Err(Denial::Forbidden));
        assert_eq!(
            authorize(&acme_admin, Action::InviteUser, Some(&on(&acme, Some(CustomerRole::CustomerAdmin)))),
            Ok(Role::CustomerAdmin)
        );
    }

    #[test]
    fn members_see_their_customer_but_employees_cannot_administer_it() {
        let acme = PartnerId::parse("acme").unwrap();
        let user = principal(None, None);
        let employee = on(&acme, Some(CustomerRole::CustomerEmployee));
        assert_eq!(authorize(&user, Action::ReadCustomer, Some(&employee)), Ok(Role::CustomerEmployee));
        assert_eq!(authorize(&user, Action::CreateProject, Some(&employee)), Err(Denial::Forbidden));
        assert_eq!(authorize(&user, Action::ReadHistory, Some(&on(&acme, None))), Err(Denial::NotFound));
    }

    #[test]
    fn installation_actions_need_no_customer() {
        let user = principal(None, None);
        let employee = principal(Some(AdminRole::PartnerEmployee), Some("acme"));
        assert_eq!(authorize(&user, Action::RegisterCustomer, None), Ok(Role::User));
        assert_eq!(authorize(&user, Action::ListCustomers, None), Err(Denial::Forbidden));
        assert_eq!(authorize(&employee, Action::CreateCustomer, None), Ok(Role::PartnerEmployee));
        assert_eq!(authorize(&employee, Action::ManageTagDefinitions, None), Err(Denial::Forbidden));
    }
}
