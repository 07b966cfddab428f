//! What the `Authorization` header carries: a person's ID token or a program's key.

/// Every key starts with this; nothing else the API accepts does (a JWT starts with `eyJ`).
pub use meshcustomers::domain::API_KEY_PREFIX;

/// The credential in an `Authorization` header value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential<'a> {
    IdToken(&'a str),
    ApiKey(&'a str),
}

/// The header value holds the credential bare or after `Bearer ` (as API Gateway's JWT
/// authorizer took it); `None` when nothing is left.
pub fn credential(authorization: &str) -> Option<Credential<'_>> {
    let value = authorization.trim_start();
    let value = value.strip_prefix("Bearer ").unwrap_or(value).trim();
    match value {
        "" => None,
        key if key.starts_with(API_KEY_PREFIX) => Some(Credential::ApiKey(key)),
        token => Some(Credential::IdToken(token)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_or_bare_token_or_key() {
        assert_eq!(credential("Bearer eyJ.a.b"), Some(Credential::IdToken("eyJ.a.b")));
        assert_eq!(credential("eyJ.a.b"), Some(Credential::IdToken("eyJ.a.b")));
        assert_eq!(credential("Bearer mck_abc"), Some(Credential::ApiKey("mck_abc")));
        assert_eq!(credential("  Bearer  mck_abc "), Some(Credential::ApiKey("mck_abc")));
        assert_eq!(credential("Basic dXNlcjpwdw=="), Some(Credential::IdToken("Basic dXNlcjpwdw==")));
        for empty in ["", "   ", "Bearer ", "Bearer    "] {
            assert_eq!(credential(empty), None, "{empty:?}");
        }
    }
}
