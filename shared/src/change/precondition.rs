//! `If-Match` (RFC 9110 §13.1.1) as the protocol of changes takes it: a write goes ahead only on
//! the version the client last saw. The header is read at the HTTP boundary (`http::request`).

/// The versions a request's `If-Match` accepts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum IfMatch {
    /// No `If-Match`, or `*`: any stored version (the write still conditions on the one it read).
    #[default]
    Any,
    /// Only these versions. Weak or malformed tags are kept out: `If-Match` compares strongly, so
    /// they never match, and a header made only of them matches nothing (412).
    Versions(Vec<u64>),
}

impl IfMatch {
    pub fn matches(&self, version: u64) -> bool {
        match self {
            Self::Any => true,
            Self::Versions(versions) => versions.contains(&version),
        }
    }

    /// Whether the client named versions (a mismatch is then 412, never a silent retry).
    pub fn is_conditional(&self) -> bool {
        matches!(self, Self::Versions(_))
    }
}
