//! How the store fails. Conflicts speak the domain; the HTTP boundary picks statuses.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

use super::Conflict;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A condition the change relied on did not hold; nothing was written.
    #[error("a condition of the change failed: {0:?}")]
    Conflict(Conflict),
    #[error("the pagination cursor is invalid or belongs to another list")]
    InvalidCursor,
    /// Throttled, unreachable or failing on its side, after the SDK's retries; nothing was
    /// written (a transaction is all or nothing).
    #[error("DynamoDB is throttling or unavailable")]
    Unavailable(#[source] Box<aws_sdk_dynamodb::Error>),
    /// Anything else DynamoDB refused: a request we built wrongly.
    #[error("DynamoDB refused the request")]
    Refused(#[source] Box<aws_sdk_dynamodb::Error>),
    /// An item read back does not have the shape its kind prescribes, or one could not be laid out.
    #[error("an item does not have the shape of its kind")]
    Corrupt(#[from] serde_dynamo::Error),
    /// A rule the code itself must keep was broken (a change without events, an event too large).
    #[error("store invariant broken: {0}")]
    Invariant(&'static str),
    /// The secret that signs pagination cursors could not be read.
    #[error("the cursor signing key is unavailable")]
    CursorKey(#[source] Box<crate::secrets::SecretError>),
}

impl StoreError {
    /// Temporary: the client may retry the same request later (503 with `Retry-After`).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }

    /// Whether the request certainly changed nothing: refused by a condition or by DynamoDB
    /// (cancelled, throttled, invalid), or never sent. A timeout, a broken connection or a
    /// server error leave it open whether a write landed.
    pub fn changed_nothing(&self) -> bool {
        use aws_sdk_dynamodb::Error;
        match self {
            Self::Unavailable(error) => matches!(
                **error,
                Error::TransactionCanceledException(_)
                    | Error::TransactionConflictException(_)
                    | Error::ThrottlingException(_)
                    | Error::ProvisionedThroughputExceededException(_)
                    | Error::RequestLimitExceeded(_)
            ),
            _ => true,
        }
    }
}

/// Error codes DynamoDB answers when the caller should slow down or the service is failing, and
/// when a single-item write met an ongoing transaction on its item (after our retries).
const TEMPORARY_CODES: [&str; 6] = [
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "InternalServerError",
    "ServiceUnavailable",
    "TransactionConflictException",
];

/// Sorts what remains of an SDK error after the SDK's own retries: unreachable, timed out,
/// throttled or a 5xx is temporary; the rest is a request we should not have sent.
impl<E> From<SdkError<E, HttpResponse>> for StoreError
where
    E: ProvideErrorMetadata,
    aws_sdk_dynamodb::Error: From<SdkError<E, HttpResponse>>,
{
    fn from(error: SdkError<E, HttpResponse>) -> Self {
        let temporary = match &error {
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => true,
            SdkError::ServiceError(service) => {
                service.raw().status().is_server_error()
                    || service.err().code().is_some_and(|code| TEMPORARY_CODES.contains(&code))
            }
            _ => false,
        };
        let error = Box::new(aws_sdk_dynamodb::Error::from(error));
        if temporary { Self::Unavailable(error) } else { Self::Refused(error) }
    }
}
