//! The caller, as the authorizer's context describes it (`requestContext.authorizer.lambda`,
//! see functions/authorizer): for a person, the ID token's claims in the form the HTTP API's JWT
//! authorizer passed them; for a program, its API key's id, name, role and scope. Claims are
//! taken exactly as the token carries them: nothing is trimmed, unquoted or guessed.

use std::collections::HashMap;

use serde_json::Value;

use crate::domain::text::check_display_text;
use crate::domain::{CustomerIdentifier, CustomerRole, EmailAddress, GeneratedId, PartnerId, PartnerScope, UserId};

/// The longest `name` claim kept (it is stored with memberships).
const MAX_NAME_CHARS: usize = 256;

/// Whether a `name` claim is kept: not overlong, and shown as it is stored.
fn is_displayable_name(name: &str) -> bool {
    name.chars().count() <= MAX_NAME_CHARS && check_display_text(name).is_ok()
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

    /// The strongest role whose group name is among `groups`, compared exactly.
    fn from_groups(groups: &[&str]) -> Option<Self> {
        Self::BY_GROUP.iter().find(|(group, _)| groups.contains(group)).map(|(_, role)| *role)
    }
}

/// An admin-area role and the customers it reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminArea {
    pub role: AdminRole,
    pub scope: PartnerScope,
}

/// The prefix of the user id a program's key acts under (`apikey:<keyId>`); no person's `sub`
/// may start with it.
pub const API_KEY_USER_PREFIX: &str = "apikey:";

/// Who is calling: a person signed in, or a program with an API key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Caller {
    #[default]
    Person,
    ApiKey(KeyCaller),
}

/// A program's API key, as the authorizer found it in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyCaller {
    pub key_id: GeneratedId,
    pub name: String,
    /// Where the key acts; a partner key's role is the principal's admin-area role.
    pub scope: KeyScope,
}

/// What a key reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyScope {
    /// The partner's customers, in the admin-area role the key was made with.
    Partner(PartnerId),
    /// One customer, as a member in this role (no membership item stands behind it).
    Customer { customer: CustomerIdentifier, role: CustomerRole },
}

/// An authenticated caller: a person, or a program acting with a key.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    /// A person's `sub`; `apikey:<keyId>` for a key.
    pub user_id: UserId,
    pub email: Option<EmailAddress>,
    pub email_verified: bool,
    pub name: Option<String>,
    /// `None` for a user without an admin-area group.
    pub admin: Option<AdminArea>,
    /// `custom:partner_id`: the scope of a partner user; a platform admin's default partner.
    pub partner_id: Option<PartnerId>,
    pub caller: Caller,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimsError {
    #[error("the token carries no usable `sub` claim")]
    MissingSubject,
    #[error("the token's groups grant a partner role but it carries no valid `custom:partner_id` claim")]
    PartnerRoleWithoutPartner,
    #[error("the token's `sub` claim has the form reserved for programs' keys")]
    ReservedSubject,
    #[error("the caller's key is not described completely")]
    IncompleteKey,
}

/// The person's claims in an authorizer context: every string value of a context whose `kind` is
/// `person`; `None` for any other caller (a program's key, or no kind at all). A value that is not
/// a string is no claim (the authorizer passes strings only).
pub fn person_claims(context: &HashMap<String, Value>) -> Option<HashMap<String, String>> {
    if context.get("kind").and_then(Value::as_str) != Some("person") {
        return None;
    }
    let claims = context
        .iter()
        .filter(|(name, _)| name.as_str() != "kind")
        .filter_map(|(name, value)| Some((name.clone(), value.as_str()?.to_owned())))
        .collect();
    Some(claims)
}

impl Principal {
    /// Reads the claims as the authorizer passes them (as the HTTP API JWT authorizer did): every value a
    /// string, array claims flattened to `[a b c]`.
    pub fn from_claims(claims: &HashMap<String, String>) -> Result<Self, ClaimsError> {
        let claim = |name: &str| claims.get(name).map(String::as_str).filter(|value| !value.is_empty());
        let user_id = claim("sub").and_then(|sub| UserId::parse(sub).ok()).ok_or(ClaimsError::MissingSubject)?;
        if user_id.as_str().starts_with(API_KEY_USER_PREFIX) {
            // History names a key's actor `apikey:<keyId>`: no person may pass for one.
            return Err(ClaimsError::ReservedSubject);
        }
        let partner_id = claim("custom:partner_id").and_then(|id| PartnerId::parse(id).ok());
        let groups = claim("cognito:groups").map(flattened_groups).unwrap_or_default();
        let admin = match AdminRole::from_groups(&groups) {
            None => None,
            Some(role @ AdminRole::PlatformAdmin) => Some(AdminArea { role, scope: PartnerScope::EveryPartner }),
            Some(role) => {
                let partner = partner_id.clone().ok_or(ClaimsError::PartnerRoleWithoutPartner)?;
                Some(AdminArea { role, scope: PartnerScope::Partner(partner) })
            }
        };
        Ok(Self {
            user_id,
            // An unparseable address is treated as absent: it can match no invitation and receive no mail.
            email: claim("email").and_then(|email| EmailAddress::parse(email).ok()),
            email_verified: claim("email_verified") == Some("true"),
            // A display name, never an identity, that other members see: one longer than any
            // person's, or one that could hide or reorder what is shown (control characters, line
            // breaks, bidirectional controls; the rules of every displayed text), is left out.
            name: claim("name").filter(|name| is_displayable_name(name)).map(str::to_owned),
            admin,
            partner_id,
            caller: Caller::Person,
        })
    }

    /// Reads a program's key as the authorizer passes it (`kind: apiKey`, `apiKeyId`,
    /// `apiKeyName`, `role`, and `partnerId` or `customerId`). A partner key acts in its
    /// admin-area role within its partner; a customer key as a member of its customer only.
    pub fn from_key_context(context: &HashMap<String, Value>) -> Result<Self, ClaimsError> {
        let field = |name: &str| context.get(name).and_then(Value::as_str).ok_or(ClaimsError::IncompleteKey);
        if field("kind")? != "apiKey" {
            return Err(ClaimsError::IncompleteKey);
        }
        let key_id = GeneratedId::parse(field("apiKeyId")?).map_err(|_| ClaimsError::IncompleteKey)?;
        let name = field("apiKeyName")?.to_owned();
        let role = field("role")?;
        let (admin, scope) = match (role, field("partnerId"), field("customerId")) {
            ("PARTNER_ADMIN" | "PARTNER_EMPLOYEE", Ok(partner), Err(_)) => {
                let partner = PartnerId::parse(partner).map_err(|_| ClaimsError::IncompleteKey)?;
                let role = if role == "PARTNER_ADMIN" { AdminRole::PartnerAdmin } else { AdminRole::PartnerEmployee };
                (Some(AdminArea { role, scope: PartnerScope::Partner(partner.clone()) }), KeyScope::Partner(partner))
            }
            (_, Err(_), Ok(customer)) => {
                let role = CustomerRole::parse(role).map_err(|_| ClaimsError::IncompleteKey)?;
                let customer = CustomerIdentifier::parse(customer).map_err(|_| ClaimsError::IncompleteKey)?;
                (None, KeyScope::Customer { customer, role })
            }
            _ => return Err(ClaimsError::IncompleteKey),
        };
        let user_id = UserId::parse(&format!("{API_KEY_USER_PREFIX}{key_id}")).expect("a key's user id is valid");
        let partner_id = match &scope {
            KeyScope::Partner(partner) => Some(partner.clone()),
            KeyScope::Customer { .. } => None,
        };
        Ok(Self {
            user_id,
            email: None,
            email_verified: false,
            name: None,
            admin,
            partner_id,
            caller: Caller::ApiKey(KeyCaller { key_id, name, scope }),
        })
    }

    /// The key the caller acts with, if a program calls.
    pub fn api_key(&self) -> Option<&KeyCaller> {
        match &self.caller {
            Caller::ApiKey(key) => Some(key),
            Caller::Person => None,
        }
    }

    /// The caller's membership role on `customer`: a person's is the stored one (`stored`); a
    /// customer key's is its own role on its customer and none elsewhere; a partner key has none.
    pub fn membership_in(&self, customer: &CustomerIdentifier, stored: Option<CustomerRole>) -> Option<CustomerRole> {
        match &self.caller {
            Caller::Person => stored,
            Caller::ApiKey(KeyCaller { scope: KeyScope::Customer { customer: own, role }, .. }) => {
                (own == customer).then_some(*role)
            }
            Caller::ApiKey(_) => None,
        }
    }

    pub fn admin_role(&self) -> Option<AdminRole> {
        self.admin.as_ref().map(|admin| admin.role)
    }

    /// The customers an admin-area user reaches; `None` for users without an admin-area role.
    pub fn partner_scope(&self) -> Option<&PartnerScope> {
        self.admin.as_ref().map(|admin| &admin.scope)
    }
}

/// The one form in which HTTP APIs hand array claims over: one leading `[`, one trailing `]`,
/// names separated by white space. Group names never hold white space, so the split is exact;
/// a value in any other form (a JSON array, a bare name) carries no groups.
fn flattened_groups(raw: &str) -> Vec<&str> {
    raw.strip_prefix('[')
        .and_then(|inner| inner.strip_suffix(']'))
        .map_or_else(Vec::new, |inner| inner.split_whitespace().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn role_of(groups: &str) -> Option<AdminRole> {
        let claims = claims(&[("sub", "u1"), ("cognito:groups", groups), ("custom:partner_id", "acme")]);
        Principal::from_claims(&claims).unwrap().admin_role()
    }

    #[test]
    fn reads_http_api_flattened_groups() {
        let principal = Principal::from_claims(&claims(&[
            ("sub", "u1"),
            ("cognito:groups", "[other partner-admins]"),
            ("custom:partner_id", "acme"),
            ("email", "Pat@Acme.example"),
            ("email_verified", "true"),
        ]))
        .unwrap();
        let acme = PartnerId::parse("acme").unwrap();
        assert_eq!(
            principal.admin,
            Some(AdminArea { role: AdminRole::PartnerAdmin, scope: PartnerScope::Partner(acme) })
        );
        assert_eq!(principal.email.unwrap().as_str(), "pat@acme.example");
        assert!(principal.email_verified);
    }

    #[test]
    fn only_a_persons_context_carries_claims() {
        let context = |pairs: serde_json::Value| -> HashMap<String, Value> { serde_json::from_value(pairs).unwrap() };
        let person = person_claims(&context(serde_json::json!({
            "kind": "person", "sub": "u1", "cognito:groups": "[partner-admins]", "email_verified": true,
        })))
        .unwrap();
        assert_eq!(person, claims(&[("sub", "u1"), ("cognito:groups", "[partner-admins]")]));
        for other in [
            serde_json::json!({"kind": "apiKey", "apiKeyId": "k1", "sub": "u1"}),
            serde_json::json!({"sub": "u1"}),
            serde_json::json!({"kind": ["person"], "sub": "u1"}),
        ] {
            assert_eq!(person_claims(&context(other.clone())), None, "{other}");
        }
    }

    #[test]
    fn a_user_in_several_groups_acts_in_the_strongest_role() {
        assert_eq!(role_of("[partner-employees platform-admins]"), Some(AdminRole::PlatformAdmin));
    }

    #[test]
    fn group_names_are_compared_exactly_in_the_flattened_form_only() {
        for forged in [
            r#"["x,platform-admins"]"#,
            "[x,platform-admins]",
            "[[platform-admins]]",
            r#"['"platform-admins"']"#,
            r#"["platform-admins"]"#,
            r#"["partner-employees","platform-admins"]"#,
            "platform-admins",
            "[Platform-Admins]",
            "[platform-admins ",
            "[]",
            "",
        ] {
            assert_eq!(role_of(forged), None, "{forged:?} must grant no role");
        }
        assert_eq!(role_of("[platform-admins]"), Some(AdminRole::PlatformAdmin));
        assert_eq!(role_of("[  partner-employees\tother ]"), Some(AdminRole::PartnerEmployee));
    }

    #[test]
    fn plain_users_have_no_admin_role() {
        let principal = Principal::from_claims(&claims(&[("sub", "u1"), ("email_verified", "false")])).unwrap();
        assert_eq!(principal.admin, None);
        assert!(!principal.email_verified);
    }

    #[test]
    fn refuses_missing_subject_and_partner_roles_without_partner() {
        assert_eq!(Principal::from_claims(&claims(&[("email", "a@b.de")])), Err(ClaimsError::MissingSubject));
        assert_eq!(Principal::from_claims(&claims(&[("sub", "")])), Err(ClaimsError::MissingSubject));
        assert_eq!(
            Principal::from_claims(&claims(&[("sub", "u1"), ("cognito:groups", "[partner-employees]")])),
            Err(ClaimsError::PartnerRoleWithoutPartner)
        );
    }

    #[test]
    fn claims_are_taken_exactly_as_the_token_carries_them() {
        let partner_with_space =
            claims(&[("sub", "u1"), ("cognito:groups", "[partner-admins]"), ("custom:partner_id", "acme ")]);
        assert_eq!(Principal::from_claims(&partner_with_space), Err(ClaimsError::PartnerRoleWithoutPartner));
        let padded = Principal::from_claims(&claims(&[
            ("sub", " u1"),
            ("email", " jane@example.com"),
            ("email_verified", "true "),
            ("name", " Jane "),
        ]))
        .unwrap();
        assert_eq!(padded.user_id.as_str(), " u1", "the subject is an opaque identifier, kept as it is");
        assert_eq!(padded.email, None, "an address with white space is no address");
        assert!(!padded.email_verified);
        assert_eq!(padded.name.as_deref(), Some(" Jane "));
        let long_name = "n".repeat(MAX_NAME_CHARS + 1);
        let named = Principal::from_claims(&claims(&[("sub", "u1"), ("name", &long_name)])).unwrap();
        assert_eq!(named.name, None, "an overlong name is left out, not cut");
    }

    #[test]
    fn a_name_that_would_hide_or_reorder_what_is_shown_is_left_out() {
        for name in ["Jane\u{202E}reversed", "Jane\u{7}", "Jane\nDoe", "Jane\r", "\u{2066}Jane\u{2069}", "   "] {
            let principal = Principal::from_claims(&claims(&[("sub", "u1"), ("name", name)])).unwrap();
            assert_eq!(principal.name, None, "{name:?} is not kept");
        }
        let kept = Principal::from_claims(&claims(&[("sub", "u1"), ("name", "Zoë O'Brien-Łukasz 山田")])).unwrap();
        assert_eq!(kept.name.as_deref(), Some("Zoë O'Brien-Łukasz 山田"));
    }

    fn key_context(pairs: serde_json::Value) -> HashMap<String, Value> {
        serde_json::from_value(pairs).unwrap()
    }

    const KEY_ID: &str = "0190a0c4-7d2e-7c3a-9b1e-2f3a4b5c6d7e";

    #[test]
    fn a_partner_key_acts_in_its_role_within_its_partner() {
        let principal = Principal::from_key_context(&key_context(serde_json::json!({
            "kind": "apiKey", "apiKeyId": KEY_ID, "apiKeyName": "billing", "role": "PARTNER_EMPLOYEE",
            "partnerId": "acme",
        })))
        .unwrap();
        let acme = PartnerId::parse("acme").unwrap();
        assert_eq!(principal.user_id.as_str(), format!("apikey:{KEY_ID}"));
        assert_eq!(
            principal.admin,
            Some(AdminArea { role: AdminRole::PartnerEmployee, scope: PartnerScope::Partner(acme) })
        );
        assert_eq!((&principal.email, &principal.name), (&None, &None));
        assert_eq!(principal.api_key().map(|key| key.name.as_str()), Some("billing"));
        let customer = CustomerIdentifier::parse("c1").unwrap();
        assert_eq!(
            principal.membership_in(&customer, Some(CustomerRole::CustomerAdmin)),
            None,
            "a partner key is no member"
        );
    }

    #[test]
    fn a_customer_key_is_a_member_of_its_customer_only() {
        let principal = Principal::from_key_context(&key_context(serde_json::json!({
            "kind": "apiKey", "apiKeyId": KEY_ID, "apiKeyName": "ci", "role": "CUSTOMER_EMPLOYEE", "customerId": "c1",
        })))
        .unwrap();
        assert_eq!(principal.admin, None);
        let own = CustomerIdentifier::parse("c1").unwrap();
        let other = CustomerIdentifier::parse("c2").unwrap();
        assert_eq!(principal.membership_in(&own, None), Some(CustomerRole::CustomerEmployee));
        assert_eq!(principal.membership_in(&other, Some(CustomerRole::CustomerAdmin)), None);
    }

    #[test]
    fn a_key_described_incompletely_or_beyond_its_kind_is_refused() {
        let base = serde_json::json!({"kind": "apiKey", "apiKeyId": KEY_ID, "apiKeyName": "k", "role": "PARTNER_ADMIN", "partnerId": "acme"});
        let with = |name: &str, value: serde_json::Value| {
            let mut context = base.clone();
            context[name] = value;
            key_context(context)
        };
        let without = |name: &str| {
            let mut context = base.clone();
            context.as_object_mut().unwrap().remove(name);
            key_context(context)
        };
        for context in [
            without("apiKeyId"),
            without("apiKeyName"),
            without("role"),
            without("partnerId"),
            with("apiKeyId", "k1".into()),
            with("role", "PLATFORM_ADMIN".into()),
            with("role", "CUSTOMER_ADMIN".into()),
            with("customerId", "c1".into()),
            with("partnerId", "acme ".into()),
            with("kind", "person".into()),
        ] {
            assert_eq!(Principal::from_key_context(&context), Err(ClaimsError::IncompleteKey), "{context:?}");
        }
    }

    #[test]
    fn no_person_passes_for_a_key() {
        let claims = claims(&[("sub", "apikey:0190a0c4-7d2e-7c3a-9b1e-2f3a4b5c6d7e")]);
        assert_eq!(Principal::from_claims(&claims), Err(ClaimsError::ReservedSubject));
    }
}
