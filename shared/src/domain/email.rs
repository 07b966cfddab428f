//! E-mail addresses we can deliver to, normalised so that comparisons are case-insensitive.

use serde::{Deserialize, Serialize};

use super::FieldError;

/// A deliverable address: a dot-atom local part (no quoted strings, no comments, no display
/// name), `@`, and a domain name of at least two labels of letters, digits and hyphens (no IP
/// literals); ASCII only, at most 254 characters. Stored in lowercase: invitations match the
/// caller's address case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EmailAddress(String);

const MAX_LEN: usize = 254;

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        // The crate checks the RFC 5321/5322 grammar; the rest narrows it to what mail servers
        // and SES deliver: no quoted local parts, no internationalised addresses, hostnames only.
        let strict =
            email_address::Options { minimum_sub_domains: 2, allow_domain_literal: false, allow_display_text: false };
        let deliverable = raw.len() <= MAX_LEN
            && raw.is_ascii()
            && email_address::EmailAddress::parse_with_options(raw, strict).is_ok()
            && raw.rsplit_once('@').is_some_and(|(local, domain)| !local.starts_with('"') && is_host_name(domain));
        if deliverable {
            Ok(Self(raw.to_ascii_lowercase()))
        } else {
            Err(FieldError::new("must be an e-mail address such as jane@example.com"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Letters, digits and inner hyphens per label (RFC 1123); the crate admits any atom character.
fn is_host_name(domain: &str) -> bool {
    domain.split('.').all(|label| {
        label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    })
}

super::string_conversions!(EmailAddress);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case() {
        assert_eq!(EmailAddress::parse("Jane.Doe@Example.COM").unwrap().as_str(), "jane.doe@example.com");
    }

    #[test]
    fn accepts_deliverable_addresses() {
        for good in ["jane@example.com", "j.o-e+tag@mail.example-corp.co.uk", "o'neil@example.org", "x@a.io"] {
            assert!(EmailAddress::parse(good).is_ok(), "{good:?} should parse");
        }
    }

    #[test]
    fn rejects_undeliverable_addresses() {
        let too_long = format!("{}@example.com", "a".repeat(250));
        for bad in [
            "",
            "jane",
            "jane@",
            "@example.com",
            "jane@example",
            "ja ne@example.com",
            " jane@example.com",
            "jane@example.com ",
            "a@b@c.de",
            "jane@example..com",
            ".jane@example.com",
            "jane.@example.com",
            "<b>x</b>@example.com",
            "\"john doe\"@example.com",
            "Jane <jane@example.com>",
            "jane@[127.0.0.1]",
            "jane@exa_mple.com",
            "jane@ex!ample.com",
            "jane@-example.com",
            "jöhn@example.com",
            "jane@exämple.com",
            "jane@example.com\n",
            too_long.as_str(),
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
