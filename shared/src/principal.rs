//! The caller, as the JWT authorizer's verified claims describe it.

use std::collections::HashMap;

use crate::authorization::AdminRole;
use crate::domain::{EmailAddress, PartnerId, UserId};

/// An authenticated user and the admin-area role its groups give it.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub user_id: UserId,
    pub email: Option<EmailAddress>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub admin_role: Option<AdminRole>,
    /// The partner a partner user belongs to; required for the partner roles.
    pub partner_id: Option<PartnerId>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimsError {
    #[error("the token carries no usable `sub` claim")]
    MissingSubject,
    #[error("the token's groups grant a partner role but it carries no valid `custom:partner_id` claim")]
    PartnerRoleWithoutPartner,
}

impl Principal {
    /// Reads the claims as API Gateway's HTTP API JWT authorizer passes them: every value a string,
    /// array claims flattened to `"[a b]"` (a JSON array is accepted as well).
    pub fn from_claims(claims: &HashMap<String, String>) -> Result<Self, ClaimsError> {
        let claim = |name: &str| claims.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let user_id = claim("sub").and_then(|sub| UserId::parse(sub).ok()).ok_or(ClaimsError::MissingSubject)?;
        let groups = claim("cognito:groups").map(parse_groups).unwrap_or_default();
        let admin_role = AdminRole::from_groups(&groups);
        let partner_id = claim("custom:partner_id").and_then(|id| PartnerId::parse(id).ok());
        if admin_role.is_some_and(AdminRole::is_partner_role) && partner_id.is_none() {
            return Err(ClaimsError::PartnerRoleWithoutPartner);
        }
        Ok(Self {
            user_id,
            // An unparseable address is treated as absent: it can match no invitation and receive no mail.
            email: claim("email").and_then(|email| EmailAddress::parse(email).ok()),
            email_verified: claim("email_verified") == Some("true"),
            name: claim("name").map(str::to_owned),
            admin_role,
            partner_id,
        })
    }
}

/// `"[a b]"` (HTTP API flattening), `["a","b"]` (JSON) or a bare `a` / `a,b`.
fn parse_groups(raw: &str) -> Vec<String> {
    if let Ok(list) = serde_json::from_str::<Vec<String>>(raw) {
        return list;
    }
    raw.trim_start_matches('[')
        .trim_end_matches(']')
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|group| !group.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
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
        assert_eq!(principal.admin_role, Some(AdminRole::PartnerAdmin));
        assert_eq!(principal.partner_id.unwrap().as_str(), "acme");
        assert_eq!(principal.email.unwrap().as_str(), "pat@acme.example");
        assert!(principal.email_verified);
    }

    #[test]
    fn reads_json_array_groups_and_picks_the_strongest_role() {
        let principal = Principal::from_claims(&claims(&[
            ("sub", "u1"),
            ("cognito:groups", r#"["partner-employees","platform-admins"]"#),
        ]))
        .unwrap();
        assert_eq!(principal.admin_role, Some(AdminRole::PlatformAdmin));
    }

    #[test]
    fn plain_users_have_no_admin_role() {
        let principal = Principal::from_claims(&claims(&[("sub", "u1"), ("email_verified", "false")])).unwrap();
        assert_eq!(principal.admin_role, None);
        assert!(!principal.email_verified);
    }

    #[test]
    fn refuses_missing_subject_and_partner_roles_without_partner() {
        assert_eq!(Principal::from_claims(&claims(&[("email", "a@b.de")])), Err(ClaimsError::MissingSubject));
        assert_eq!(
            Principal::from_claims(&claims(&[("sub", "u1"), ("cognito:groups", "[partner-employees]")])),
            Err(ClaimsError::PartnerRoleWithoutPartner)
        );
    }

    #[test]
    fn parses_group_forms() {
        assert_eq!(parse_groups("[a b]"), ["a", "b"]);
        assert_eq!(parse_groups("a"), ["a"]);
        assert_eq!(parse_groups("[]"), Vec::<String>::new());
        assert_eq!(parse_groups(r#"["a"]"#), ["a"]);
    }
}
