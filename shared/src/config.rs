//! Configuration, read once from the environment at start. A missing or invalid value stops the
//! function with a message that names the variable.

use chrono::Duration;
use std::collections::BTreeMap;

use crate::domain::{CustomerRole, EmailAddress, PartnerId, ProjectQuota};

#[derive(Debug, Clone)]
pub struct Config {
    pub table_name: String,
    pub event_bus_name: String,
    pub require_customer_approval: bool,
    pub require_email_confirmation: bool,
    /// The role "Add Myself" gives an admin-area user.
    pub self_assign_role: CustomerRole,
    pub default_project_quota: ProjectQuota,
    /// The managing partner of self-registered customers.
    pub default_partner_id: PartnerId,
    pub invitation_ttl: Duration,
    /// Without a trailing slash; links in e-mails are built from it.
    pub portal_base_url: String,
    pub email_from: EmailAddress,
    /// Platform name → console URL.
    pub platforms: BTreeMap<String, String>,
    /// Signs pagination cursors so that a tampered one is detected.
    pub cursor_signing_key: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration variable {variable} {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads every variable through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars(&lookup);
        Ok(Self {
            table_name: vars.required("TABLE_NAME")?,
            event_bus_name: vars.required("EVENT_BUS_NAME")?,
            require_customer_approval: vars.parse("REQUIRE_CUSTOMER_APPROVAL", Some("true"), parse_bool)?,
            require_email_confirmation: vars.parse("REQUIRE_EMAIL_CONFIRMATION", Some("false"), parse_bool)?,
            self_assign_role: vars.parse("SELF_ASSIGN_ROLE", Some("CUSTOMER_ADMIN"), |raw| {
                CustomerRole::parse(raw).map_err(|e| e.to_string())
            })?,
            default_project_quota: vars.parse("DEFAULT_PROJECT_QUOTA", Some("5"), |raw| {
                let number = raw.parse::<i64>().map_err(|_| "must be a whole number".to_owned())?;
                ProjectQuota::parse(number).map_err(|e| e.to_string())
            })?,
            default_partner_id: vars
                .parse("DEFAULT_PARTNER_ID", None, |raw| PartnerId::parse(raw).map_err(|e| e.to_string()))?,
            invitation_ttl: vars.parse("INVITATION_TTL_HOURS", Some("168"), |raw| match raw.parse::<i64>() {
                Ok(hours @ 1..=8760) => Ok(Duration::hours(hours)),
                _ => Err("must be a whole number of hours from 1 to 8760".to_owned()),
            })?,
            portal_base_url: vars.parse("PORTAL_BASE_URL", None, parse_base_url)?,
            email_from: vars.parse("EMAIL_FROM", None, |raw| EmailAddress::parse(raw).map_err(|e| e.to_string()))?,
            platforms: vars.parse("PLATFORMS", None, parse_platforms)?,
            cursor_signing_key: vars.parse("CURSOR_SIGNING_KEY", None, |raw| {
                if raw.len() >= 32 {
                    Ok(raw.as_bytes().to_vec())
                } else {
                    Err("must be at least 32 characters".to_owned())
                }
            })?,
        })
    }
}

struct Vars<'a, F: Fn(&str) -> Option<String>>(&'a F);

impl<F: Fn(&str) -> Option<String>> Vars<'_, F> {
    fn required(&self, variable: &'static str) -> Result<String, ConfigError> {
        self.parse(variable, None, |raw| Ok(raw.to_owned()))
    }

    fn parse<T>(
        &self,
        variable: &'static str,
        default: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, ConfigError> {
        let value = (self.0)(variable).filter(|v| !v.trim().is_empty());
        let raw = match (&value, default) {
            (Some(value), _) => value.trim(),
            (None, Some(default)) => default,
            (None, None) => {
                return Err(ConfigError { variable, problem: "must be set".to_owned() });
            }
        };
        parse(raw).map_err(|problem| ConfigError { variable, problem })
    }
}

fn parse_bool(raw: &str) -> Result<bool, String> {
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("must be true or false".to_owned()),
    }
}

fn parse_base_url(raw: &str) -> Result<String, String> {
    let url = raw.trim_end_matches('/');
    let host = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match host {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(url.to_owned()),
        _ => Err("must be an http(s) URL such as https://portal.example.com".to_owned()),
    }
}

fn parse_platforms(raw: &str) -> Result<BTreeMap<String, String>, String> {
    let platforms: BTreeMap<String, String> = serde_json::from_str(raw)
        .map_err(|_| r#"must be a JSON object of platform name to console URL, such as {"aws":"https://console.aws.amazon.com/"}"#.to_owned())?;
    for (name, url) in &platforms {
        parse_base_url(url).map_err(|problem| format!("has platform {name:?} whose URL {problem}"))?;
    }
    Ok(platforms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn complete() -> HashMap<&'static str, &'static str> {
        HashMap::from([
            ("TABLE_NAME", "meshcustomers"),
            ("EVENT_BUS_NAME", "meshcustomers-bus"),
            ("DEFAULT_PARTNER_ID", "default"),
            ("PORTAL_BASE_URL", "https://portal.example.com/"),
            ("EMAIL_FROM", "noreply@example.com"),
            ("PLATFORMS", r#"{"aws":"https://console.aws.amazon.com/"}"#),
            ("CURSOR_SIGNING_KEY", "0123456789abcdef0123456789abcdef"),
        ])
    }

    fn read(vars: &HashMap<&'static str, &'static str>) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| vars.get(name).map(|v| v.to_string()))
    }

    #[test]
    fn applies_documented_defaults() {
        let config = read(&complete()).unwrap();
        assert!(config.require_customer_approval);
        assert!(!config.require_email_confirmation);
        assert_eq!(config.self_assign_role, CustomerRole::CustomerAdmin);
        assert_eq!(config.default_project_quota.get(), 5);
        assert_eq!(config.invitation_ttl, Duration::hours(168));
        assert_eq!(config.portal_base_url, "https://portal.example.com");
    }

    #[test]
    fn names_the_missing_variable() {
        let mut vars = complete();
        vars.remove("TABLE_NAME");
        assert_eq!(read(&vars).unwrap_err().variable, "TABLE_NAME");
    }

    #[test]
    fn names_the_invalid_variable() {
        for (variable, value) in [
            ("REQUIRE_CUSTOMER_APPROVAL", "yes"),
            ("SELF_ASSIGN_ROLE", "PARTNER_ADMIN"),
            ("DEFAULT_PROJECT_QUOTA", "10001"),
            ("INVITATION_TTL_HOURS", "0"),
            ("PORTAL_BASE_URL", "portal.example.com"),
            ("EMAIL_FROM", "nobody"),
            ("PLATFORMS", r#"{"aws":"console"}"#),
            ("CURSOR_SIGNING_KEY", "short"),
            ("DEFAULT_PARTNER_ID", "a b"),
        ] {
            let mut vars = complete();
            vars.insert(variable, value);
            let error = read(&vars).unwrap_err();
            assert_eq!(error.variable, variable);
            assert!(error.to_string().contains(variable), "{error}");
        }
    }
}
