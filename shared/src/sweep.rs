//! How a scheduled sweep's run fails (`expire-memberships`, `expire-registrations`): it could not
//! list what it works on, or some of it failed and the next run tries again.

use lambda_http::lambda_runtime::Diagnostic;

use crate::diagnostics::diagnostic;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Nothing was done: the run could not read what it works on.
    #[error("{what} could not be listed")]
    List {
        what: &'static str,
        #[source]
        source: StoreError,
    },
    /// The rest was done; these are left for the next run.
    #[error("{failed} {what} could not be {done}; the next run tries again")]
    Remove { failed: usize, what: &'static str, done: &'static str },
}

impl SweepError {
    /// For `map_err` on the run's listing: `what` is what it lists ("the ended memberships").
    pub fn listing(what: &'static str) -> impl FnOnce(StoreError) -> Self {
        move |source| Self::List { what, source }
    }
}

impl From<SweepError> for Diagnostic {
    fn from(error: SweepError) -> Self {
        let error_type = match &error {
            SweepError::List { .. } => "SweepError::List",
            SweepError::Remove { .. } => "SweepError::Remove",
        };
        diagnostic(error_type, &error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_run_says_what_and_how_many() {
        let error = SweepError::Remove { failed: 3, what: "expired registration(s)", done: "declined" };
        assert_eq!(error.to_string(), "3 expired registration(s) could not be declined; the next run tries again");
        assert_eq!(Diagnostic::from(error).error_type, "SweepError::Remove");
        let listing = SweepError::listing("the pending registrations")(StoreError::Invariant("x"));
        assert_eq!(listing.to_string(), "the pending registrations could not be listed");
    }
}
