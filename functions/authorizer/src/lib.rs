//! The HTTP API's one authorizer, for people (Cognito ID tokens) and programs (API keys): a
//! REQUEST Lambda authorizer, payload 2.0, simple responses with a context.

pub mod api_key;
pub mod authorizer;
pub mod context;
pub mod credential;
pub mod id_token;
pub mod jwks;
pub mod settings;
pub mod table;

#[cfg(test)]
mod test_support;
