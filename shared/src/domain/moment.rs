//! A moment a request names (`since`, `until`, `at`): RFC 3339 with an offset.

use chrono::{DateTime, Datelike, Utc};

use super::FieldError;

/// An RFC 3339 date-time with an offset, in the years the store's time keys can hold (they sort
/// as text: four-digit years).
pub fn parse_moment(raw: &str) -> Result<DateTime<Utc>, FieldError> {
    let invalid = || FieldError::new("must be an RFC 3339 date-time such as 2026-01-15T11:30:00Z");
    if raw.len() > 64 {
        return Err(invalid());
    }
    let time = DateTime::parse_from_rfc3339(raw).map_err(|_| invalid())?.with_timezone(&Utc);
    if (1..=9999).contains(&time.year()) { Ok(time) } else { Err(invalid()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_with_an_offset_in_four_digit_years() {
        assert_eq!(parse_moment("2026-01-15T12:30:00+01:00").unwrap().to_rfc3339(), "2026-01-15T11:30:00+00:00");
        for bad in ["2026-01-15", "2026-01-15T11:30:00", "yesterday", "0000-01-01T00:00:00Z", &"9".repeat(65)] {
            assert!(parse_moment(bad).is_err(), "{bad}");
        }
    }
}
