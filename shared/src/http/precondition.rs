//! `If-Match` (RFC 9110 §13.1.1): a write goes ahead only on the version the client last saw.

use lambda_http::http::HeaderMap;
use lambda_http::http::header::IF_MATCH;

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
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let values: Vec<&str> = headers
            .get_all(IF_MATCH)
            .iter()
            .map(|value| value.to_str().unwrap_or("\"\u{0}\""))
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        if values.is_empty() || values.contains(&"*") {
            return Self::Any;
        }
        Self::Versions(values.into_iter().filter_map(strong_version).collect())
    }

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

/// `"7"` → 7, as the `ETag`s this API sends; anything else (weak `W/"7"`, unquoted) → none.
fn strong_version(tag: &str) -> Option<u64> {
    let digits = tag.strip_prefix('"')?.strip_suffix('"')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_http::http::HeaderValue;

    fn parse(values: &[&str]) -> IfMatch {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(IF_MATCH, HeaderValue::from_str(value).unwrap());
        }
        IfMatch::from_headers(&headers)
    }

    #[test]
    fn reads_strong_tags_only() {
        assert_eq!(parse(&[]), IfMatch::Any);
        assert_eq!(parse(&["*"]), IfMatch::Any);
        assert_eq!(parse(&["\"3\""]), IfMatch::Versions(vec![3]));
        assert_eq!(parse(&["\"3\", \"4\"", "\"5\""]), IfMatch::Versions(vec![3, 4, 5]));
        for never in ["W/\"3\"", "3", "\"\"", "\"-3\"", "\"+3\"", "\"99999999999999999999999\""] {
            let parsed = parse(&[never]);
            assert!(parsed.is_conditional() && !parsed.matches(3), "{never}");
        }
    }
}
