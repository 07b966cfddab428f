//! Content negotiation of a response's media type from `Accept` (RFC 9110 §12.5.1): media ranges
//! with quality values; the most specific range that matches an offered type gives its quality,
//! and `q=0` means "not acceptable".

use lambda_http::Request;
use lambda_http::http::header;

use super::ApiError;

/// The one of `offered` (media types `type/subtype`, in the server's order of preference) that
/// the request's `Accept` rates highest: on equal quality the one named more specifically wins
/// (`text/csv` over `*/*`), then the server's order. No `Accept` (or an empty one) accepts
/// anything: the first offered. None acceptable: 406 `not-acceptable`. Malformed ranges are
/// ignored, as if they were not sent.
pub fn negotiate<'a>(request: &Request, offered: &[&'a str]) -> Result<&'a str, ApiError> {
    let accept: Vec<&str> =
        request.headers().get_all(header::ACCEPT).iter().filter_map(|value| value.to_str().ok()).collect();
    choose(&accept.join(","), offered).ok_or_else(|| ApiError::not_acceptable(offered))
}

/// One media range of `Accept`: type, subtype (either may be `*`) and quality in thousandths.
#[derive(Debug, PartialEq)]
struct Range<'a> {
    kind: &'a str,
    subtype: &'a str,
    quality: u16,
}

impl<'a> Range<'a> {
    fn parse(raw: &'a str) -> Option<Self> {
        let mut parts = raw.split(';');
        let (kind, subtype) = parts.next()?.trim().split_once('/')?;
        let (kind, subtype) = (kind.trim(), subtype.trim());
        let token = |text: &str| {
            !text.is_empty() && text.bytes().all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
        };
        if !token(kind) || !token(subtype) || (kind == "*" && subtype != "*") {
            return None;
        }
        let mut quality = 1000;
        for parameter in parts {
            let (name, value) = parameter.trim().split_once('=')?;
            if name.trim().eq_ignore_ascii_case("q") {
                quality = parse_quality(value.trim())?;
            }
        }
        Some(Self { kind, subtype, quality })
    }

    /// How specifically the range names `media_type` (2 exactly, 1 its type, 0 anything), or
    /// `None` when it does not match it.
    fn specificity(&self, media_type: &str) -> Option<u8> {
        let (kind, subtype) = media_type.split_once('/')?;
        match (self.kind, self.subtype) {
            ("*", "*") => Some(0),
            (k, "*") if k.eq_ignore_ascii_case(kind) => Some(1),
            (k, s) if k.eq_ignore_ascii_case(kind) && s.eq_ignore_ascii_case(subtype) => Some(2),
            _ => None,
        }
    }
}

/// A quality value (`qvalue`): 0 to 1 with at most three decimals, in thousandths.
fn parse_quality(raw: &str) -> Option<u16> {
    let (whole, fraction) = raw.split_once('.').unwrap_or((raw, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = format!("{fraction:0<3}").parse::<u16>().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

fn choose<'a>(accept: &str, offered: &[&'a str]) -> Option<&'a str> {
    let ranges: Vec<Range> = accept.split(',').filter(|raw| !raw.trim().is_empty()).filter_map(Range::parse).collect();
    if ranges.is_empty() && accept.split(',').all(|raw| raw.trim().is_empty()) {
        return offered.first().copied();
    }
    offered
        .iter()
        .enumerate()
        .filter_map(|(order, media_type)| {
            // The most specific matching range decides the quality.
            let best = ranges
                .iter()
                .filter_map(|range| range.specificity(media_type).map(|specificity| (specificity, range.quality)))
                .max_by_key(|(specificity, _)| *specificity)?;
            let (specificity, quality) = best;
            (quality > 0).then_some((quality, specificity, std::cmp::Reverse(order), *media_type))
        })
        .max()
        .map(|(_, _, _, media_type)| media_type)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFERED: [&str; 2] = ["application/json", "text/csv"];

    fn chosen(accept: &str) -> Option<&'static str> {
        choose(accept, &OFFERED)
    }

    #[test]
    fn json_unless_csv_is_asked_for() {
        assert_eq!(chosen(""), Some("application/json"));
        assert_eq!(chosen("*/*"), Some("application/json"));
        assert_eq!(chosen("application/json"), Some("application/json"));
        assert_eq!(chosen("text/csv"), Some("text/csv"));
        assert_eq!(chosen("text/csv, */*;q=0.1"), Some("text/csv"));
        assert_eq!(chosen("text/*"), Some("text/csv"));
        assert_eq!(chosen("TEXT/CSV; charset=utf-8"), Some("text/csv"));
        // Equal quality: the one named exactly, then the server's order.
        assert_eq!(chosen("text/csv, */*"), Some("text/csv"));
        assert_eq!(chosen("application/json, text/csv"), Some("application/json"));
        assert_eq!(chosen("text/csv, application/json"), Some("application/json"));
    }

    #[test]
    fn quality_values_decide() {
        assert_eq!(chosen("text/csv;q=0.9, application/json;q=0.5"), Some("text/csv"));
        assert_eq!(chosen("text/csv;q=0.4, application/json;q=0.5"), Some("application/json"));
        assert_eq!(chosen("application/json;q=0, */*"), Some("text/csv"));
        assert_eq!(chosen("*/*;q=0.2, text/csv;q=0"), Some("application/json"));
        assert_eq!(chosen("text/csv; q=1.000"), Some("text/csv"));
    }

    #[test]
    fn nothing_acceptable() {
        assert_eq!(chosen("text/html"), None);
        assert_eq!(chosen("application/xml, image/*"), None);
        assert_eq!(chosen("application/json;q=0, text/csv;q=0"), None);
        assert_eq!(chosen("*/*;q=0"), None);
        // Malformed ranges are ignored: what remains decides.
        assert_eq!(chosen("text/csv;q=2"), None);
        assert_eq!(chosen("csv"), None);
        assert_eq!(chosen("text/csv;q=abc, application/json"), Some("application/json"));
        assert_eq!(chosen("*/csv"), None);
    }
}
