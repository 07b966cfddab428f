//! What can be changed about a local cloud run, from `LOCAL_*` variables: its ports, its data
//! folder, whether DynamoDB Local keeps data at all, and template parameter values.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::template::repo_root;

#[derive(Debug, Clone)]
pub struct Settings {
    pub gateway_port: u16,
    pub dynamodb_port: u16,
    pub admin_port: u16,
    pub ses_port: u16,
    pub bus_port: u16,
    pub secrets_port: u16,
    pub lambda_port: u16,
    /// The web page (`web/dist`) and its `/config.json`.
    pub portal_port: u16,
    /// DynamoDB data, the issuer's key, secrets, the stream position and dead letters.
    pub data_dir: PathBuf,
    pub in_memory: bool,
    /// Whether the local cloud builds the web page at start and on change (`LOCAL_BUILD_PAGE=0`
    /// serves `web/dist` as it is: for tests that do not open the page).
    pub build_page: bool,
    /// Template parameter values from `LOCAL_PARAMETER_<Name>` variables; they win over
    /// `infra/local/parameters.json` and the template's `Default`.
    pub parameters: BTreeMap<String, String>,
    /// The integrator's own rules (`LOCAL_INTEGRATIONS_FILE`, default `infra/local/integrations.yaml`).
    pub integrations_file: PathBuf,
}

/// The prefix of variables that set a template parameter for one run.
const PARAMETER_PREFIX: &str = "LOCAL_PARAMETER_";

/// `LOCAL_PARAMETER_RequireEmailConfirmation=true` → `RequireEmailConfirmation` = `true`.
pub fn parameter_overrides(variables: impl IntoIterator<Item = (String, String)>) -> BTreeMap<String, String> {
    variables
        .into_iter()
        .filter_map(|(name, value)| Some((name.strip_prefix(PARAMETER_PREFIX)?.to_owned(), value)))
        .filter(|(name, _)| !name.is_empty())
        .collect()
}

impl Settings {
    pub fn from_env() -> Result<Self, String> {
        let settings = Self::from_lookup(|name| std::env::var(name).ok())?;
        Ok(Self { parameters: parameter_overrides(std::env::vars()), ..settings })
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let port = |name: &str, default: u16| -> Result<u16, String> {
            lookup(name)
                .map_or(Ok(default), |raw| raw.parse().map_err(|_| format!("{name}={raw} is not a port number")))
        };
        let in_memory = match lookup("LOCAL_IN_MEMORY").as_deref() {
            None | Some("" | "0" | "false") => false,
            Some("1" | "true") => true,
            Some(other) => return Err(format!("LOCAL_IN_MEMORY={other}: use 1 or 0")),
        };
        let build_page = match lookup("LOCAL_BUILD_PAGE").as_deref() {
            None | Some("" | "1" | "true") => true,
            Some("0" | "false") => false,
            Some(other) => return Err(format!("LOCAL_BUILD_PAGE={other}: use 1 or 0")),
        };
        Ok(Self {
            gateway_port: port("LOCAL_GATEWAY_PORT", 3000)?,
            dynamodb_port: port("LOCAL_DYNAMODB_PORT", 8000)?,
            admin_port: port("LOCAL_ADMIN_PORT", 8001)?,
            ses_port: port("LOCAL_SES_PORT", 8005)?,
            bus_port: port("LOCAL_BUS_PORT", 8010)?,
            secrets_port: port("LOCAL_SECRETS_PORT", 8011)?,
            lambda_port: port("LOCAL_LAMBDA_PORT", 9000)?,
            // Vite's own default port, which web developers expect the page on.
            portal_port: port("LOCAL_PORTAL_PORT", 5173)?,
            data_dir: lookup("LOCAL_DATA_DIR").map_or_else(|| repo_root().join("infra/local/.data"), PathBuf::from),
            in_memory,
            build_page,
            parameters: BTreeMap::new(),
            integrations_file: lookup("LOCAL_INTEGRATIONS_FILE")
                .map_or_else(|| repo_root().join("infra/local/integrations.yaml"), PathBuf::from),
        })
    }

    pub fn url(port: u16) -> String {
        format!("http://127.0.0.1:{port}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ports_and_variables_override_them() {
        let defaults = Settings::from_lookup(|_| None).unwrap();
        assert_eq!(
            (defaults.gateway_port, defaults.dynamodb_port, defaults.admin_port, defaults.ses_port),
            (3000, 8000, 8001, 8005)
        );
        assert_eq!((defaults.bus_port, defaults.secrets_port, defaults.lambda_port), (8010, 8011, 9000));
        assert_eq!(defaults.portal_port, 5173);
        assert!(defaults.data_dir.ends_with("infra/local/.data") && !defaults.in_memory);
        let changed = Settings::from_lookup(|name| match name {
            "LOCAL_GATEWAY_PORT" => Some("3100".into()),
            "LOCAL_IN_MEMORY" => Some("1".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!((changed.gateway_port, changed.in_memory), (3100, true));
        let error = Settings::from_lookup(|name| (name == "LOCAL_SES_PORT").then(|| "mail".into())).unwrap_err();
        assert_eq!(error, "LOCAL_SES_PORT=mail is not a port number");
    }

    #[test]
    fn local_parameter_variables_name_template_parameters() {
        let variables = [
            ("LOCAL_PARAMETER_RequireEmailConfirmation", "true"),
            ("LOCAL_PARAMETER_", "nameless"),
            ("LOCAL_GATEWAY_PORT", "3100"),
            ("REQUIRE_EMAIL_CONFIRMATION", "true"),
        ];
        let overrides = parameter_overrides(variables.map(|(name, value)| (name.to_owned(), value.to_owned())));
        assert_eq!(overrides, BTreeMap::from([("RequireEmailConfirmation".to_owned(), "true".to_owned())]));
    }
}
