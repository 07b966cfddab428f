//! Errors as logs and Lambda see them: with their whole cause chain, so the log says why (the
//! SDK's error, its dispatch failure, the I/O error under it).

use lambda_http::lambda_runtime::Diagnostic;
use std::error::Error;

/// `error: cause: cause of the cause…`, each cause once (some errors repeat their cause's message
/// in their own).
pub fn error_chain(error: &dyn Error) -> String {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !chain.ends_with(&text) {
            chain.push_str(": ");
            chain.push_str(&text);
        }
        source = cause.source();
    }
    chain
}

/// A consumer's typed error as the failed invocation's diagnostic (and its log line).
pub fn diagnostic(error_type: &str, error: &dyn Error) -> Diagnostic {
    let error_message = error_chain(error);
    tracing::error!(error_type, error = %error_message, "invocation failed");
    Diagnostic { error_type: error_type.to_owned(), error_message }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("outer")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn the_chain_names_every_cause() {
        let error = Outer(std::io::Error::other("inner"));
        assert_eq!(error_chain(&error), "outer: inner");
        assert_eq!(diagnostic("Outer", &error).error_message, "outer: inner");
    }

    #[derive(Debug, thiserror::Error)]
    #[error("outer: inner")]
    struct Repeating(#[source] std::io::Error);

    #[test]
    fn a_cause_the_error_repeats_is_said_once() {
        assert_eq!(error_chain(&Repeating(std::io::Error::other("inner"))), "outer: inner");
    }
}
