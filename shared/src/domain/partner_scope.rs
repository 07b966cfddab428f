//! Which customers an admin-area user reaches: those of every partner, or of one.

use super::PartnerId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartnerScope {
    /// The operator's view (platform admins).
    EveryPartner,
    /// The customers managed by this partner (partner admins and employees).
    Partner(PartnerId),
}

impl PartnerScope {
    /// Whether a customer managed by `managing_partner` lies within the scope.
    pub fn includes(&self, managing_partner: &PartnerId) -> bool {
        match self {
            Self::EveryPartner => true,
            Self::Partner(partner) => partner == managing_partner,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_partner_scope_includes_its_own_partner_only() {
        let acme = PartnerId::parse("acme").unwrap();
        let globex = PartnerId::parse("globex").unwrap();
        assert!(PartnerScope::Partner(acme.clone()).includes(&acme));
        assert!(!PartnerScope::Partner(acme).includes(&globex));
        assert!(PartnerScope::EveryPartner.includes(&globex));
    }
}
