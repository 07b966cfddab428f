//! The hosted sign-in's twin: an OAuth 2.0 authorization server ([`oauth`]) issuing the
//! tokens Cognito would ([`tokens`]), verified by the gateway as its JWT authorizer does.

pub mod oauth;
pub mod tokens;
