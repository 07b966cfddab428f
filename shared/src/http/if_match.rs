//! The `If-Match` header read into the versions a change accepts ([`IfMatch`]).

use lambda_http::http::HeaderMap;
use lambda_http::http::header::IF_MATCH;

use crate::change::IfMatch;

/// The request's `If-Match`: none or `*` is any version; otherwise the strong tags it names.
pub fn if_match(headers: &HeaderMap) -> IfMatch {
    let values: Vec<&str> = headers
        .get_all(IF_MATCH)
        .iter()
        .map(|value| value.to_str().unwrap_or("\"\u{0}\""))
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    if values.is_empty() || values.contains(&"*") {
        return IfMatch::Any;
    }
    IfMatch::Versions(values.into_iter().filter_map(strong_version).collect())
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
        if_match(&headers)
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
