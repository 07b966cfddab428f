//! The HTTP boundary: API Gateway requests in, JSON or problem+json responses out.

mod api_key;
mod body;
mod if_match;
mod link_token;
mod negotiation;
mod problem;
mod request;
mod response;
mod tag_definition;
mod validation;

pub use crate::change::IfMatch;
pub use api_key::{
    KeyList, KeyRequest, WithKey, customer_key_request, key_partner, partner_key_request, partner_query,
};
pub use body::{BODY, Field, JsonType, MAX_BODY_BYTES, TagsInput, UnknownFields};
pub use link_token::LinkTokenBody;
pub use negotiation::negotiate;
pub use problem::{ApiError, InternalError};
pub use request::RequestExtensions;
pub use response::{created, created_unversioned, etag, json, json_with_etag, no_content, path_segment, respond};
pub use tag_definition::TagDefinitionBody;
pub use validation::FieldErrors;
