//! The HTTP boundary: API Gateway requests in, JSON or problem+json responses out.

mod problem;
mod request;
mod response;
mod validation;

pub use problem::{ApiError, BoxError};
pub use request::RequestExtensions;
pub use response::{created, json, json_with_etag, respond};
pub use validation::FieldErrors;
