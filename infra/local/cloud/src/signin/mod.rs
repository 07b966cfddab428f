//! The hosted sign-in's twin: an OAuth 2.0 authorization server ([`oauth`]) issuing the
//! tokens Cognito would ([`tokens`]), verified by the API's authorizer as Cognito's are.

pub mod oauth;
pub mod tokens;
