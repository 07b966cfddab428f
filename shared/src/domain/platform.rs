//! The platforms tenants are made on (`PLATFORMS`), each with the link to its console and the
//! name people see.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

use super::{FieldError, PlatformName, Tenant};

/// The most platforms an installation configures (a project has at most one tenant on each).
pub const MAX_PLATFORMS: usize = 20;
const MAX_URL_CHARS: usize = 2048;
const MAX_DISPLAY_NAME_CHARS: usize = 64;
/// What a console link may name of its tenant; `{tenantId}` it must.
const PLACEHOLDERS: [&str; 3] = ["{customerId}", "{projectId}", "{tenantId}"];

/// A console link with placeholders: an https URL naming `{tenantId}` (and, if it likes,
/// `{customerId}` and `{projectId}`), e.g. `https://console.example.com/tenants/{tenantId}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleUrl(String);

impl ConsoleUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let host = raw.strip_prefix("https://").unwrap_or_default();
        if host.is_empty() || host.starts_with(['/', '{']) {
            return Err("must be an https URL with a host".to_owned());
        }
        if raw.chars().count() > MAX_URL_CHARS || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("must be at most {MAX_URL_CHARS} characters without white space"));
        }
        let mut rest = raw;
        loop {
            let start = rest.find('{').unwrap_or(rest.len());
            if rest[..start].contains('}') {
                return Err("has a `}` without its `{`".to_owned());
            }
            if start == rest.len() {
                break;
            }
            let end = rest[start..].find('}').map(|end| start + end + 1).ok_or("has a `{` without its `}`")?;
            let placeholder = &rest[start..end];
            if !PLACEHOLDERS.contains(&placeholder) {
                return Err(format!("names {placeholder}; the placeholders are {}", PLACEHOLDERS.join(", ")));
            }
            rest = &rest[end..];
        }
        if !raw.contains("{tenantId}") {
            return Err("must name {tenantId}".to_owned());
        }
        Ok(Self(raw.to_owned()))
    }

    /// The link to the tenant's console. Every value put in is made of letters, digits and
    /// hyphens (identifiers, a UUID), so it needs no escaping.
    pub fn link(&self, tenant: &Tenant) -> String {
        self.0
            .replace("{customerId}", tenant.customer_id.as_str())
            .replace("{projectId}", tenant.project_id.as_str())
            .replace("{tenantId}", &tenant.tenant_id.to_string())
    }
}

/// What people see of a platform (the portal's choice of platforms): 1 to 64 characters after
/// trimming, at least one visible, no control or bidirectional control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlatformDisplayName(String);

impl PlatformDisplayName {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.chars().count() > MAX_DISPLAY_NAME_CHARS {
            return Err(FieldError::new(format!("must be 1 to {MAX_DISPLAY_NAME_CHARS} characters")));
        }
        super::text::check_display_text(trimmed)?;
        Ok(Self(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One configured platform.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Platform {
    console: ConsoleUrl,
    display_name: PlatformDisplayName,
}

/// A platform as `GET /platforms` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformSummary {
    pub id: PlatformName,
    pub display_name: PlatformDisplayName,
}

/// The configured platforms: at least one, at most [`MAX_PLATFORMS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platforms(BTreeMap<PlatformName, Platform>);

impl Platforms {
    /// A JSON object of platform name → console URL, or → `{"consoleUrl", "displayName"}`, e.g.
    /// `{"aws": {"consoleUrl": "https://console.example.com/aws/{tenantId}", "displayName": "AWS"},
    /// "gcp": "https://console.example.com/gcp/{tenantId}"}` (a platform given by its URL alone is
    /// shown by its name); a name given twice is refused.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let pairs = serde_json::from_str::<Pairs>(raw)
            .map_err(|error| format!("must be a JSON object of platform name to console URL ({error})"))?
            .0;
        if pairs.is_empty() || pairs.len() > MAX_PLATFORMS {
            return Err(format!("must name 1 to {MAX_PLATFORMS} platforms"));
        }
        let mut platforms = BTreeMap::new();
        for (name, value) in pairs {
            let platform = PlatformName::parse(&name).map_err(|error| format!("platform {name:?}: {error}"))?;
            let (url, display_name) = match value {
                serde_json::Value::String(url) => (url, None),
                serde_json::Value::Object(mut fields) => {
                    let url = match fields.remove("consoleUrl") {
                        Some(serde_json::Value::String(url)) => url,
                        _ => return Err(format!("platform {name:?} must have a consoleUrl string")),
                    };
                    let display_name = match fields.remove("displayName") {
                        Some(serde_json::Value::String(display_name)) => Some(display_name),
                        None => None,
                        Some(_) => return Err(format!("displayName of {name:?} must be a string")),
                    };
                    if let Some(unknown) = fields.keys().next() {
                        return Err(format!(
                            "platform {name:?} names {unknown:?}; a platform has consoleUrl and displayName"
                        ));
                    }
                    (url, display_name)
                }
                _ => {
                    return Err(format!(
                        "platform {name:?} must be a console URL or an object with consoleUrl and displayName"
                    ));
                }
            };
            let console = ConsoleUrl::parse(&url).map_err(|problem| format!("console URL of {name:?} {problem}"))?;
            let display_name = PlatformDisplayName::parse(display_name.as_deref().unwrap_or(platform.as_str()))
                .map_err(|error| format!("displayName of {name:?} {}", error.message()))?;
            if platforms.insert(platform, Platform { console, display_name }).is_some() {
                return Err(format!("names platform {name:?} twice"));
            }
        }
        Ok(Self(platforms))
    }

    /// Every platform with the name people see, by platform name.
    pub fn summaries(&self) -> Vec<PlatformSummary> {
        self.0
            .iter()
            .map(|(id, platform)| PlatformSummary { id: id.clone(), display_name: platform.display_name.clone() })
            .collect()
    }

    /// A platform of the installation, or why not: the error names the known ones.
    pub fn known(&self, raw: &str) -> Result<PlatformName, FieldError> {
        PlatformName::parse(raw)
            .ok()
            .filter(|platform| self.0.contains_key(platform))
            .ok_or_else(|| FieldError::new(format!("must be one of the configured platforms: {}", self.names())))
    }

    pub fn console(&self, platform: &PlatformName) -> Option<&ConsoleUrl> {
        self.0.get(platform).map(|platform| &platform.console)
    }

    fn names(&self) -> String {
        self.0.keys().map(PlatformName::as_str).collect::<Vec<_>>().join(", ")
    }
}

/// A JSON object's members in the order given, duplicates kept (so that they can be refused).
struct Pairs(Vec<(String, serde_json::Value)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairsVisitor;
        impl<'de> Visitor<'de> for PairsVisitor {
            type Value = Pairs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some(pair) = map.next_entry::<String, serde_json::Value>()? {
                    pairs.push(pair);
                }
                Ok(Pairs(pairs))
            }
        }
        deserializer.deserialize_map(PairsVisitor).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CustomerIdentifier, ProjectIdentifier, UserId};

    const AWS: &str = "https://console.example.com/aws/{tenantId}";

    #[test]
    fn reads_platforms_and_links_each_tenant() {
        let platforms = Platforms::parse(&format!(
            r#"{{"aws": "{AWS}", "azure": "https://portal.example.com/#@{{customerId}}/{{projectId}}/{{tenantId}}"}}"#
        ))
        .unwrap();
        let azure = platforms.known("azure").unwrap();
        let tenant = Tenant::new(
            CustomerIdentifier::parse("acme").unwrap(),
            ProjectIdentifier::parse("web").unwrap(),
            azure.clone(),
            UserId::parse("u1").unwrap(),
            chrono::Utc::now(),
        );
        assert_eq!(
            platforms.console(&azure).unwrap().link(&tenant),
            format!("https://portal.example.com/#@acme/web/{}", tenant.tenant_id)
        );
        assert_eq!(
            platforms.known("gcp").unwrap_err().message(),
            "must be one of the configured platforms: aws, azure"
        );
        assert!(platforms.known("AWS").is_err());
    }

    #[test]
    fn a_platform_is_its_console_url_or_an_object_with_its_display_name() {
        let platforms = Platforms::parse(&format!(
            r#"{{"gcp": {{"consoleUrl": "{AWS}", "displayName": " Google Cloud "}}, "aws": "{AWS}",
                "azure": {{"consoleUrl": "{AWS}"}}}}"#
        ))
        .unwrap();
        assert_eq!(
            serde_json::to_value(platforms.summaries()).unwrap(),
            serde_json::json!([
                {"id": "aws", "displayName": "aws"},
                {"id": "azure", "displayName": "azure"},
                {"id": "gcp", "displayName": "Google Cloud"}
            ])
        );
        let gcp = platforms.known("gcp").unwrap();
        assert_eq!(platforms.console(&gcp).unwrap(), &ConsoleUrl::parse(AWS).unwrap());
        assert!(PlatformDisplayName::parse(&"é".repeat(64)).is_ok());
        assert!(PlatformDisplayName::parse(&"é".repeat(65)).is_err());
    }

    #[test]
    fn refuses_anything_but_a_strict_object_of_console_urls() {
        for (raw, problem) in [
            ("", "JSON object"),
            ("aws=https://x", "JSON object"),
            (r#"["aws"]"#, "JSON object"),
            (r#"{"aws": 1}"#, "console URL or an object"),
            (r#"{"aws": {"displayName": "AWS"}}"#, "consoleUrl"),
            (&format!(r#"{{"aws": {{"consoleUrl": "{AWS}", "name": "AWS"}}}}"#), "names \"name\""),
            (&format!(r#"{{"aws": {{"consoleUrl": "{AWS}", "displayName": 7}}}}"#), "must be a string"),
            (&format!(r#"{{"aws": {{"consoleUrl": "{AWS}", "displayName": "  "}}}}"#), "1 to 64"),
            (&format!(r#"{{"aws": {{"consoleUrl": "{AWS}", "displayName": "{}"}}}}"#, "A".repeat(65)), "1 to 64"),
            (&format!(r#"{{"aws": {{"consoleUrl": "{AWS}", "displayName": "AWS\u202e"}}}}"#), "bidirectional"),
            (&format!(r#"{{"aws": {{"consoleUrl": "{AWS}", "displayName": "A\nWS"}}}}"#), "control"),
            (&format!(r#"{{"aws": {{"consoleUrl": "{AWS}", "displayName": "\u200b"}}}}"#), "visible"),
            ("{}", "1 to 20 platforms"),
            (&format!(r#"{{"aws": "{AWS}", "aws": "{AWS}"}}"#), "twice"),
            (&format!(r#"{{"AWS": "{AWS}"}}"#), "platform \"AWS\""),
            (r#"{"aws": "http://console.example.com/{tenantId}"}"#, "https URL"),
            (r#"{"aws": "https://{tenantId}"}"#, "https URL"),
            (r#"{"aws": "https://console.example.com/"}"#, "must name {tenantId}"),
            (r#"{"aws": "https://console.example.com/{tenant}"}"#, "names {tenant}"),
            (r#"{"aws": "https://console.example.com/{tenantId"}"#, "without its `}`"),
            (r#"{"aws": "https://console.example.com/}{tenantId}"}"#, "without its `{`"),
            (r#"{"aws": "https://console.example.com/ {tenantId}"}"#, "white space"),
        ] {
            let error = Platforms::parse(raw).unwrap_err();
            assert!(error.contains(problem), "{raw:?}: {error}");
        }
        let many: Vec<String> = (0..=MAX_PLATFORMS).map(|n| format!(r#""p{n}": "{AWS}""#)).collect();
        assert!(Platforms::parse(&format!("{{{}}}", many.join(","))).is_err());
    }
}
