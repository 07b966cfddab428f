//! Mail templates, kept as files beside the crate (subject, text and HTML per mail) and compiled
//! in. Placeholders are `{{name}}`; values are HTML-escaped in the HTML part.

/// One mail's three parts.
pub struct Template {
    pub name: &'static str,
    pub subject: &'static str,
    pub text: &'static str,
    pub html: &'static str,
}

macro_rules! template {
    ($name:literal) => {
        Template {
            name: $name,
            subject: include_str!(concat!("../templates/", $name, ".subject.txt")),
            text: include_str!(concat!("../templates/", $name, ".txt")),
            html: include_str!(concat!("../templates/", $name, ".html")),
        }
    };
}

pub const REGISTRATION_RECEIVED: Template = template!("registration-received");
/// A pending registration declined (by a partner, or expired): to the registrant, with the reason.
pub const REGISTRATION_DECLINED: Template = template!("registration-declined");
pub const CUSTOMER_APPROVED: Template = template!("customer-approved");
/// The approval when the registrant must still confirm their address: with the link.
pub const CUSTOMER_APPROVED_CONFIRM_EMAIL: Template = template!("customer-approved-confirm-email");

/// A partner user joined the customer ("Add Myself"): to its admins.
pub const MEMBER_JOINED: Template = template!("member-joined");

/// An invitation with its accept link: to the invited address.
pub const INVITATION: Template = template!("invitation");

/// A membership ends soon (MEMBERSHIP_EXPIRING): to the member.
pub const MEMBERSHIP_EXPIRING: Template = template!("membership-expiring");

/// Every template, for the check that each renders completely.
pub const ALL: &[Template] = &[
    REGISTRATION_RECEIVED,
    REGISTRATION_DECLINED,
    CUSTOMER_APPROVED,
    CUSTOMER_APPROVED_CONFIRM_EMAIL,
    MEMBER_JOINED,
    INVITATION,
    MEMBERSHIP_EXPIRING,
];

/// A template that cannot be filled: a bug in a template or in its caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("template {template}: no value for {{{{{placeholder}}}}}")]
    MissingValue { template: &'static str, placeholder: String },
    #[error("template {template}: a placeholder is not closed")]
    Unclosed { template: &'static str },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedMail {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl Template {
    /// Fails on a placeholder without a value, so a template change cannot ship a raw `{{…}}`.
    pub fn render(&self, values: &[(&str, &str)]) -> Result<RenderedMail, TemplateError> {
        Ok(RenderedMail {
            subject: self.fill(self.subject.trim(), values, |v| v.replace(['\r', '\n'], " "))?,
            text: self.fill(self.text, values, str::to_owned)?,
            html: self.fill(self.html, values, escape_html)?,
        })
    }

    fn fill(
        &self,
        part: &str,
        values: &[(&str, &str)],
        encode: impl Fn(&str) -> String,
    ) -> Result<String, TemplateError> {
        let mut out = String::with_capacity(part.len());
        let mut rest = part;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let end = after.find("}}").ok_or(TemplateError::Unclosed { template: self.name })?;
            let name = after[..end].trim();
            let value = values
                .iter()
                .find(|(key, _)| *key == name)
                .ok_or_else(|| TemplateError::MissingValue { template: self.name, placeholder: name.to_owned() })?;
            out.push_str(&encode(value.1));
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

fn escape_html(value: &str) -> String {
    value.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_html_but_not_text() {
        let mail = REGISTRATION_RECEIVED
            .render(&[("displayName", "<b>Tom & Jerry</b>"), ("identifier", "tj"), ("portalUrl", "https://p.example")])
            .unwrap();
        assert!(mail.html.contains("&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;"));
        assert!(mail.text.contains("<b>Tom & Jerry</b>"));
        assert!(!mail.subject.contains('\n'));
    }

    #[test]
    fn refuses_missing_values() {
        assert!(REGISTRATION_RECEIVED.render(&[("displayName", "x")]).is_err());
    }

    #[test]
    fn every_template_leaves_no_placeholder() {
        let values = [
            ("displayName", "D"),
            ("identifier", "i"),
            ("portalUrl", "https://p.example"),
            ("confirmationUrl", "https://p.example/confirm-email?token=t"),
            ("validHours", "72"),
            ("who", "w"),
            ("actorRole", "a"),
            ("role", "r"),
            ("reason", "why"),
            ("inviter", "pat@acme.example"),
            ("email", "jane@example.com"),
            ("acceptUrl", "https://p.example/accept-invitation?token=t"),
            ("expiresAt", "2026-01-22 10:30 UTC"),
        ];
        for template in ALL {
            let mail = template.render(&values).unwrap_or_else(|e| panic!("{}: {e}", template.name));
            for part in [&mail.subject, &mail.text, &mail.html] {
                assert!(!part.contains("{{"), "{} leaves a placeholder", template.name);
            }
        }
    }
}
