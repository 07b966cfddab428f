//! Configuration, read once from the environment at start. Each function reads only the
//! variables it uses (its own [`Settings`]); a missing or invalid value stops the function with a
//! message that names the variable.

use chrono::Duration;

use crate::domain::{CustomerRole, EmailAddress, PartnerId, Platforms, ProjectQuota};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration variable {variable} {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// Where variables come from: the process environment, or a lookup in tests.
pub struct Environment<'a> {
    lookup: Lookup<'a>,
}

impl<'a> Environment<'a> {
    pub fn process() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String> + 'a) -> Self {
        Self { lookup: Box::new(lookup) }
    }

    pub fn required(&self, variable: &'static str) -> Result<String, ConfigError> {
        self.parse(variable, None, |raw| Ok(raw.to_owned()))
    }

    /// The variable's value (or `default` when unset or blank), parsed.
    pub fn parse<T>(
        &self,
        variable: &'static str,
        default: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, ConfigError> {
        let value = (self.lookup)(variable).filter(|v| !v.trim().is_empty());
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

/// What a function reads beyond the table: one struct per function, made of the readers below.
pub trait Settings: Sized {
    /// Whether the function pages lists, and so needs the secret that signs cursors.
    const PAGES_LISTS: bool = false;

    fn read(environment: &Environment) -> Result<Self, ConfigError>;
}

/// For functions that need nothing beyond the table.
impl Settings for () {
    fn read(_: &Environment) -> Result<Self, ConfigError> {
        Ok(())
    }
}

/// For functions that page lists and read nothing else beyond the table.
#[derive(Debug)]
pub struct PagesLists;

impl Settings for PagesLists {
    const PAGES_LISTS: bool = true;

    fn read(_: &Environment) -> Result<Self, ConfigError> {
        Ok(Self)
    }
}

/// For functions that read the configured platforms (`PLATFORMS`) and nothing else beyond the table.
#[derive(Debug)]
pub struct PlatformSettings {
    pub platforms: Platforms,
}

impl Settings for PlatformSettings {
    fn read(environment: &Environment) -> Result<Self, ConfigError> {
        Ok(Self { platforms: platforms(environment)? })
    }
}

/// For functions that make or renew invitations: how long one stays valid, and how many a
/// customer may have pending.
#[derive(Debug)]
pub struct InvitationSettings {
    pub invitation_ttl: Duration,
    pub max_pending_invitations: u32,
}

impl Settings for InvitationSettings {
    fn read(environment: &Environment) -> Result<Self, ConfigError> {
        Ok(Self {
            invitation_ttl: invitation_ttl(environment)?,
            max_pending_invitations: max_pending_invitations(environment)?,
        })
    }
}

// The variables of SPEC §5, one reader each, with their defaults.

pub fn table_name(environment: &Environment) -> Result<String, ConfigError> {
    environment.required("TABLE_NAME")
}

pub fn event_bus_name(environment: &Environment) -> Result<String, ConfigError> {
    environment.required("EVENT_BUS_NAME")
}

/// The Secrets Manager secret (ARN or name) whose value signs pagination cursors.
pub fn cursor_signing_key_secret(environment: &Environment) -> Result<String, ConfigError> {
    environment.required("CURSOR_SIGNING_KEY_SECRET_ARN")
}

pub fn require_customer_approval(environment: &Environment) -> Result<bool, ConfigError> {
    environment.parse("REQUIRE_CUSTOMER_APPROVAL", Some("true"), parse_bool)
}

/// Approved customers confirm the registrant's e-mail address (a link in the approval mail)
/// before they become ACTIVE.
pub fn require_email_confirmation(environment: &Environment) -> Result<bool, ConfigError> {
    environment.parse("REQUIRE_EMAIL_CONFIRMATION", Some("false"), parse_bool)
}

/// How long an e-mail confirmation link stays valid.
pub fn email_confirmation_ttl(environment: &Environment) -> Result<Duration, ConfigError> {
    environment.parse("EMAIL_CONFIRMATION_TTL_HOURS", Some("72"), parse_hours)
}

pub fn default_project_quota(environment: &Environment) -> Result<ProjectQuota, ConfigError> {
    environment.parse("DEFAULT_PROJECT_QUOTA", Some("5"), |raw| {
        let number = raw.parse::<i64>().map_err(|_| "must be a whole number".to_owned())?;
        ProjectQuota::parse(number).map_err(|e| e.to_string())
    })
}

/// The managing partner of self-registered customers.
pub fn default_partner_id(environment: &Environment) -> Result<PartnerId, ConfigError> {
    environment.parse("DEFAULT_PARTNER_ID", None, |raw| PartnerId::parse(raw).map_err(|e| e.to_string()))
}

/// The role "Add Myself" gives a partner or platform user.
pub fn self_assign_role(environment: &Environment) -> Result<CustomerRole, ConfigError> {
    environment
        .parse("SELF_ASSIGN_ROLE", Some("CUSTOMER_ADMIN"), |raw| CustomerRole::parse(raw).map_err(|e| e.to_string()))
}

/// The longest a partner or platform user's "Add Myself" membership lasts, when set (default
/// unset: it may not end at all): 1 hour to a year.
pub fn self_assign_max_hours(environment: &Environment) -> Result<Option<Duration>, ConfigError> {
    environment.parse("SELF_ASSIGN_MAX_HOURS", Some(""), |raw| {
        if raw.is_empty() {
            return Ok(None);
        }
        let hours = raw.parse::<i64>().map_err(|_| "must be a whole number of hours".to_owned())?;
        if !(1..=MAX_SELF_ASSIGN_HOURS).contains(&hours) {
            return Err(format!("must be 1 to {MAX_SELF_ASSIGN_HOURS} hours"));
        }
        Ok(Some(Duration::hours(hours)))
    })
}

/// A year of hours, leap years included: a membership's end is at most that far ahead.
const MAX_SELF_ASSIGN_HOURS: i64 = 366 * 24;

/// How long before a membership's end its member is mailed a warning (1 to 60 days).
pub fn membership_expiry_warning(environment: &Environment) -> Result<Duration, ConfigError> {
    environment.parse("MEMBERSHIP_EXPIRY_WARNING_DAYS", Some("3"), |raw| {
        let days = raw.parse::<i64>().map_err(|_| "must be a whole number of days".to_owned())?;
        if !(1..=60).contains(&days) {
            return Err("must be 1 to 60 days".to_owned());
        }
        Ok(Duration::days(days))
    })
}

/// How long a self-registration may wait for approval before the system declines it.
pub fn registration_ttl(environment: &Environment) -> Result<Duration, ConfigError> {
    environment.parse("REGISTRATION_TTL_DAYS", Some("30"), |raw| {
        let days = raw.parse::<i64>().map_err(|_| "must be a whole number of days".to_owned())?;
        if !(1..=3650).contains(&days) {
            return Err("must be 1 to 3650 days".to_owned());
        }
        Ok(Duration::days(days))
    })
}

pub fn invitation_ttl(environment: &Environment) -> Result<Duration, ConfigError> {
    environment.parse("INVITATION_TTL_HOURS", Some("168"), parse_hours)
}

/// The most pending invitations a customer may have, 1 to 1000 (the addresses' set they are
/// counted in stays well within DynamoDB's 400 KB item at 1000 addresses of 254 characters).
pub fn max_pending_invitations(environment: &Environment) -> Result<u32, ConfigError> {
    environment.parse("MAX_PENDING_INVITATIONS", Some("200"), |raw| match raw.parse::<u32>() {
        Ok(max @ 1..=1000) => Ok(max),
        _ => Err("must be a whole number from 1 to 1000".to_owned()),
    })
}

/// Without a trailing slash; links in e-mails are built from it.
pub fn portal_base_url(environment: &Environment) -> Result<String, ConfigError> {
    environment.parse("PORTAL_BASE_URL", None, parse_base_url)
}

pub fn email_from(environment: &Environment) -> Result<EmailAddress, ConfigError> {
    environment.parse("EMAIL_FROM", None, |raw| EmailAddress::parse(raw).map_err(|e| e.to_string()))
}

/// The platforms tenants are made on, each with its console link and the name people see: a JSON
/// object such as `{"aws": {"consoleUrl": "https://console.example.com/aws/{tenantId}",
/// "displayName": "AWS"}}` or `{"aws": "https://console.example.com/aws/{tenantId}"}` (see
/// [`Platforms::parse`]).
pub fn platforms(environment: &Environment) -> Result<Platforms, ConfigError> {
    environment.parse("PLATFORMS", None, Platforms::parse)
}

fn parse_bool(raw: &str) -> Result<bool, String> {
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err("must be true or false".to_owned()),
    }
}

fn parse_hours(raw: &str) -> Result<Duration, String> {
    match raw.parse::<i64>() {
        Ok(hours @ 1..=8760) => Ok(Duration::hours(hours)),
        _ => Err("must be a whole number of hours from 1 to 8760".to_owned()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn environment(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn read<T>(
        pairs: &[(&str, &str)],
        reader: impl Fn(&Environment) -> Result<T, ConfigError>,
    ) -> Result<T, ConfigError> {
        let variables = environment(pairs);
        reader(&Environment::from_lookup(|name| variables.get(name).cloned()))
    }

    #[test]
    fn applies_documented_defaults() {
        assert!(read(&[], require_customer_approval).unwrap());
        assert_eq!(read(&[], default_project_quota).unwrap().get(), 5);
        assert_eq!(read(&[], invitation_ttl).unwrap(), Duration::hours(168));
        assert_eq!(read(&[], max_pending_invitations).unwrap(), 200);
        assert_eq!(read(&[("MAX_PENDING_INVITATIONS", "5")], max_pending_invitations).unwrap(), 5);
        assert!(!read(&[], require_email_confirmation).unwrap());
        assert_eq!(read(&[], email_confirmation_ttl).unwrap(), Duration::hours(72));
        assert_eq!(
            read(&[("EMAIL_CONFIRMATION_TTL_HOURS", "8760")], email_confirmation_ttl).unwrap().num_hours(),
            8760
        );
        assert_eq!(read(&[], self_assign_role).unwrap(), CustomerRole::CustomerAdmin);
        assert_eq!(read(&[], self_assign_max_hours).unwrap(), None);
        assert_eq!(read(&[], membership_expiry_warning).unwrap(), Duration::days(3));
        assert_eq!(read(&[("SELF_ASSIGN_MAX_HOURS", "8")], self_assign_max_hours).unwrap(), Some(Duration::hours(8)));
        assert_eq!(
            read(&[("SELF_ASSIGN_ROLE", "CUSTOMER_EMPLOYEE")], self_assign_role).unwrap(),
            CustomerRole::CustomerEmployee
        );
        assert_eq!(
            read(&[("PORTAL_BASE_URL", "https://portal.example.com/")], portal_base_url).unwrap(),
            "https://portal.example.com"
        );
    }

    #[test]
    fn names_the_missing_variable() {
        assert_eq!(read(&[], table_name).unwrap_err().variable, "TABLE_NAME");
        assert_eq!(read(&[], platforms).unwrap_err().variable, "PLATFORMS");
        assert_eq!(
            read(&[("TABLE_NAME", "  ")], table_name).unwrap_err().to_string(),
            "configuration variable TABLE_NAME must be set"
        );
    }

    #[test]
    fn names_the_invalid_variable() {
        type Reader = fn(&Environment) -> Result<(), ConfigError>;
        let cases: [(&str, &str, Reader); 19] = [
            ("REQUIRE_CUSTOMER_APPROVAL", "yes", |e| require_customer_approval(e).map(drop)),
            ("REQUIRE_EMAIL_CONFIRMATION", "TRUE", |e| require_email_confirmation(e).map(drop)),
            ("EMAIL_CONFIRMATION_TTL_HOURS", "0", |e| email_confirmation_ttl(e).map(drop)),
            ("EMAIL_CONFIRMATION_TTL_HOURS", "8761", |e| email_confirmation_ttl(e).map(drop)),
            ("DEFAULT_PROJECT_QUOTA", "10001", |e| default_project_quota(e).map(drop)),
            ("INVITATION_TTL_HOURS", "0", |e| invitation_ttl(e).map(drop)),
            ("MAX_PENDING_INVITATIONS", "0", |e| max_pending_invitations(e).map(drop)),
            ("MAX_PENDING_INVITATIONS", "1001", |e| max_pending_invitations(e).map(drop)),
            ("PORTAL_BASE_URL", "portal.example.com", |e| portal_base_url(e).map(drop)),
            ("EMAIL_FROM", "nobody", |e| email_from(e).map(drop)),
            ("DEFAULT_PARTNER_ID", "a b", |e| default_partner_id(e).map(drop)),
            ("SELF_ASSIGN_ROLE", "PARTNER_ADMIN", |e| self_assign_role(e).map(drop)),
            ("SELF_ASSIGN_MAX_HOURS", "0", |e| self_assign_max_hours(e).map(drop)),
            ("MEMBERSHIP_EXPIRY_WARNING_DAYS", "61", |e| membership_expiry_warning(e).map(drop)),
            ("SELF_ASSIGN_MAX_HOURS", "8785", |e| self_assign_max_hours(e).map(drop)),
            ("SELF_ASSIGN_MAX_HOURS", "eight", |e| self_assign_max_hours(e).map(drop)),
            ("PLATFORMS", "aws=https://console.example.com/{tenantId}", |e| platforms(e).map(drop)),
            ("PLATFORMS", r#"{"aws": "https://console.example.com/"}"#, |e| platforms(e).map(drop)),
            (
                "PLATFORMS",
                r#"{"aws": {"consoleUrl": "https://c.example.com/{tenantId}", "displayName": "\u0007"}}"#,
                |e| platforms(e).map(drop),
            ),
        ];
        for (variable, value, reader) in cases {
            let error = read(&[(variable, value)], reader).unwrap_err();
            assert_eq!(error.variable, variable);
            assert!(error.to_string().contains(variable), "{error}");
        }
    }
}
