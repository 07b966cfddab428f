//! The environment the template gives a function, with CloudFormation's intrinsic functions
//! resolved to local values: parameters from `infra/local/parameters.json` (else their
//! `Default`), resources to local names, secrets from the local secret store.
//! The template's secrets, as the Secrets Manager twin serves them, are resolved here too.

use std::collections::BTreeMap;
use std::path::Path;

use serde_yaml::Value;

use crate::secrets::SecretStore;
use crate::secrets::manager::LocalSecret;
use crate::template::{Function, Template, TemplateError};

/// The pseudo parameters and parameter values of the local stack.
pub struct LocalStack<'a> {
    pub template: &'a Template,
    pub parameters: BTreeMap<String, String>,
    pub secrets: &'a SecretStore,
}

pub const STACK_NAME: &str = "meshcustomers-local";
pub const REGION: &str = "eu-central-1";
pub const ACCOUNT_ID: &str = "000000000000";

/// The template parameter that holds the portal's URL.
pub const PORTAL_PARAMETER: &str = "PortalBaseUrl";

/// The template parameters that name an external OIDC issuer and its app client.
pub const ISSUER_PARAMETER: &str = "JwtIssuer";
pub const AUDIENCE_PARAMETER: &str = "JwtAudience";

/// [`local_parameters`] of the repository's `infra/local/parameters.json` with `make dev`'s default
/// portal and issuer: how the tests and the bench resolve the template's functions as `make dev`
/// does.
pub fn default_local_parameters() -> Result<BTreeMap<String, String>, TemplateError> {
    local_parameters(
        &crate::template::repo_root().join("infra/local/parameters.json"),
        "http://127.0.0.1:5173",
        "http://127.0.0.1:3000/_local",
    )
}

/// Reads the local parameter values (`"//"` keys are comments). `PortalBaseUrl` is the local
/// portal's URL unless the file names one: the mails' links, the CORS origin and the sign-in's
/// callback are then the local page's. `JwtIssuer` and `JwtAudience` are the local issuer's
/// (`issuer_url`, [`crate::cloud::AUDIENCE`]): it stands in for the user pool as the template's
/// external issuer, so the authorizer verifies its tokens by the code that verifies Cognito's.
pub fn local_parameters(
    path: &Path,
    portal_url: &str,
    issuer_url: &str,
) -> Result<BTreeMap<String, String>, TemplateError> {
    let unreadable = |message: String| TemplateError::Unreadable { path: path.to_owned(), message };
    let text = std::fs::read_to_string(path).map_err(|e| unreadable(e.to_string()))?;
    let values: BTreeMap<String, String> = serde_json::from_str(&text).map_err(|e| unreadable(e.to_string()))?;
    let mut parameters: BTreeMap<String, String> =
        values.into_iter().filter(|(name, _)| !name.starts_with("//")).collect();
    parameters.entry(PORTAL_PARAMETER.to_owned()).or_insert_with(|| portal_url.to_owned());
    parameters.entry(ISSUER_PARAMETER.to_owned()).or_insert_with(|| issuer_url.to_owned());
    parameters.entry(AUDIENCE_PARAMETER.to_owned()).or_insert_with(|| crate::cloud::AUDIENCE.to_owned());
    Ok(parameters)
}

impl LocalStack<'_> {
    /// Globals' variables overlaid by the function's own, resolved.
    pub fn function_environment(&self, function: &str) -> Result<BTreeMap<String, String>, TemplateError> {
        let globals = &self.template.root()["Globals"]["Function"]["Environment"]["Variables"];
        let own = self
            .template
            .resource(function)
            .map(|resource| &resource["Properties"]["Environment"]["Variables"])
            .ok_or_else(|| TemplateError::Unsupported(format!("no resource {function}")))?;
        let mut variables = BTreeMap::new();
        for (name, value) in [globals, own].into_iter().filter_map(Value::as_mapping).flatten() {
            let name = name.as_str().unwrap_or_default().to_owned();
            let resolved = self
                .resolve(value)
                .map_err(|e| TemplateError::Unsupported(format!("{function}: variable {name}: {e}")))?;
            variables.insert(name, resolved);
        }
        Ok(variables)
    }

    /// The function's log group (`AWS_LAMBDA_LOG_GROUP_NAME`): its `LoggingConfig.LogGroup`
    /// (or Globals'), else Lambda's default `/aws/lambda/<function name>`.
    pub fn log_group_name(&self, function: &Function) -> Result<String, TemplateError> {
        let resource = self
            .template
            .resource(&function.logical_id)
            .ok_or_else(|| TemplateError::Unsupported(format!("no resource {}", function.logical_id)))?;
        match self.template.function_setting(resource, &["LoggingConfig", "LogGroup"]) {
            Value::Null => Ok(format!("/aws/lambda/{}", function.binary)),
            group => self.resolve(group).map_err(|e| {
                TemplateError::Unsupported(format!("{}: LoggingConfig.LogGroup: {e}", function.logical_id))
            }),
        }
    }

    /// Every `AWS::SecretsManager::Secret` of the template with its local value.
    pub fn secrets(&self) -> Result<Vec<LocalSecret>, TemplateError> {
        self.template
            .resources_of_type("AWS::SecretsManager::Secret")
            .map(|(logical_id, _)| self.secret(logical_id).map_err(TemplateError::Unsupported))
            .collect()
    }

    /// A secret of the template: its `SecretString`, or the value the local store generated
    /// for it (`GenerateSecretString`), named by its `Name` or else its logical id.
    pub fn secret(&self, logical_id: &str) -> Result<LocalSecret, String> {
        let resource = self.template.resource(logical_id).ok_or_else(|| format!("no secret {logical_id}"))?;
        let properties = &resource["Properties"];
        let generate = &properties["GenerateSecretString"];
        if !generate["SecretStringTemplate"].is_null() {
            return Err(format!("secret {logical_id}: SecretStringTemplate has no local twin"));
        }
        let name = match &properties["Name"] {
            Value::Null => logical_id.to_owned(),
            name => self.resolve(name)?,
        };
        let stored = self
            .secrets
            .get_or_generate(logical_id, generate["PasswordLength"].as_u64().unwrap_or(32) as usize)
            .map_err(|e| format!("secret {logical_id}: {e}"))?;
        let value = match &properties["SecretString"] {
            Value::Null => stored.value,
            literal => self.resolve(literal)?,
        };
        Ok(LocalSecret { arn: secret_arn(logical_id), name, value, created: stored.created })
    }

    /// The local physical name (`Ref`) of a resource: its name property, else `<stack>-<LogicalId>`.
    pub fn physical_name(&self, logical_id: &str) -> Result<String, String> {
        let resource = self.template.resource(logical_id).ok_or_else(|| format!("no resource {logical_id}"))?;
        let properties = &resource["Properties"];
        let names = ["Name", "TableName", "LogGroupName"];
        match names.iter().map(|key| &properties[*key]).find(|value| !value.is_null()) {
            Some(name) => self.resolve(name),
            None => Ok(format!("{STACK_NAME}-{logical_id}")),
        }
    }

    /// The local value of a scalar of the template: a literal, or `!Ref`, `!Sub`, `!Join` and
    /// `!Select` over what resolves.
    pub fn resolve(&self, value: &Value) -> Result<String, String> {
        let text = match value {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            Value::Bool(flag) => flag.to_string(),
            Value::Tagged(tagged) if tagged.tag == "Ref" => {
                self.reference(tagged.value.as_str().unwrap_or_default())?
            }
            Value::Tagged(tagged) if tagged.tag == "Sub" => {
                let template = tagged.value.as_str().ok_or("only the one-argument !Sub is supported")?;
                self.substitute(template)?
            }
            Value::Tagged(tagged) if tagged.tag == "Join" => {
                let (delimiter, list) = two_arguments(&tagged.value, "Join")?;
                let delimiter = delimiter.as_str().ok_or("!Join's delimiter must be a literal string")?;
                self.resolve_list(list)?.join(delimiter)
            }
            Value::Tagged(tagged) if tagged.tag == "Select" => {
                let (index, list) = two_arguments(&tagged.value, "Select")?;
                let index: usize = self.resolve(index)?.parse().map_err(|_| format!("!Select index {index:?}"))?;
                let list = self.resolve_list(list)?;
                list.get(index).cloned().ok_or_else(|| format!("!Select {index} of {list:?}: no such element"))?
            }
            Value::Tagged(tagged) if tagged.tag == "If" => {
                let [condition, when_true, when_false] =
                    tagged.value.as_sequence().map(Vec::as_slice).unwrap_or_default()
                else {
                    return Err(format!(
                        "!If takes [condition, value if true, value if false], not {:?}",
                        tagged.value
                    ));
                };
                let name = condition.as_str().ok_or("!If names its condition")?;
                return self.resolve(if self.condition(name)? { when_true } else { when_false });
            }
            other => return Err(format!("{other:?} has no local value")),
        };
        self.dynamic_reference(&text)
    }

    /// A condition of the template's `Conditions`, evaluated with the local values: `!Equals`,
    /// `!Not`, `!And`, `!Or` and `!Condition`.
    fn condition(&self, name: &str) -> Result<bool, String> {
        let definition = &self.template.root()["Conditions"][name];
        if definition.is_null() {
            return Err(format!("no condition {name}"));
        }
        self.evaluate(definition)
    }

    fn evaluate(&self, value: &Value) -> Result<bool, String> {
        let Value::Tagged(tagged) = value else { return Err(format!("{value:?} is not a condition")) };
        let operands = || tagged.value.as_sequence().map(Vec::as_slice).unwrap_or_default();
        match tagged.tag.to_string().trim_start_matches('!') {
            "Equals" => {
                let (left, right) = two_arguments(&tagged.value, "Equals")?;
                Ok(self.resolve(left)? == self.resolve(right)?)
            }
            "Not" => match operands() {
                [operand] => Ok(!self.evaluate(operand)?),
                _ => Err("!Not takes a list of one condition".into()),
            },
            "And" => operands().iter().try_fold(true, |all, operand| Ok(all && self.evaluate(operand)?)),
            "Or" => operands().iter().try_fold(false, |any, operand| Ok(any || self.evaluate(operand)?)),
            "Condition" => self.condition(tagged.value.as_str().ok_or("!Condition names a condition")?),
            other => Err(format!("!{other} has no local value")),
        }
    }

    /// The local value of a list of the template: a sequence of scalars, or `!Split`.
    pub fn resolve_list(&self, value: &Value) -> Result<Vec<String>, String> {
        match value {
            Value::Sequence(items) => items.iter().map(|item| self.resolve(item)).collect(),
            Value::Tagged(tagged) if tagged.tag == "Split" => {
                let (delimiter, source) = two_arguments(&tagged.value, "Split")?;
                let delimiter = delimiter.as_str().ok_or("!Split's delimiter must be a literal string")?;
                Ok(self.resolve(source)?.split(delimiter).map(str::to_owned).collect())
            }
            other => Err(format!("{other:?} is not a list with a local value")),
        }
    }

    fn reference(&self, name: &str) -> Result<String, String> {
        match name {
            "AWS::StackName" => return Ok(STACK_NAME.into()),
            "AWS::Region" => return Ok(REGION.into()),
            "AWS::AccountId" => return Ok(ACCOUNT_ID.into()),
            "AWS::Partition" => return Ok("aws".into()),
            "AWS::URLSuffix" => return Ok("amazonaws.com".into()),
            _ => {}
        }
        if let Some(parameter) = self.template.root()["Parameters"].get(name) {
            return self
                .parameters
                .get(name)
                .cloned()
                .or_else(|| scalar(&parameter["Default"]))
                .ok_or_else(|| format!("parameter {name} has no Default and no value in infra/local/parameters.json"));
        }
        let resource =
            self.template.resource(name).ok_or_else(|| format!("!Ref {name}: no such parameter or resource"))?;
        match resource["Type"].as_str() {
            Some("AWS::SecretsManager::Secret") => Ok(secret_arn(name)),
            _ => self.physical_name(name),
        }
    }

    /// `${Name}` placeholders (`${!Literal}` escapes); `${Resource.Attribute}` has no local value yet.
    fn substitute(&self, template: &str) -> Result<String, String> {
        let mut output = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            output.push_str(&rest[..start]);
            let end = rest[start..].find('}').ok_or_else(|| format!("unclosed ${{ in {template}"))? + start;
            let name = &rest[start + 2..end];
            match name.strip_prefix('!') {
                Some(literal) => output.push_str(&format!("${{{literal}}}")),
                None if name.contains('.') => return Err(format!("${{{name}}} (GetAtt) has no local value")),
                None => output.push_str(&self.reference(name)?),
            }
            rest = &rest[end + 1..];
        }
        output.push_str(rest);
        Ok(output)
    }

    /// `{{resolve:secretsmanager:<arn>:SecretString}}`, answered by the local secret store.
    fn dynamic_reference(&self, text: &str) -> Result<String, String> {
        let Some(reference) = text.strip_prefix("{{resolve:secretsmanager:").and_then(|r| r.strip_suffix("}}")) else {
            return Ok(text.to_owned());
        };
        let secret = reference
            .strip_suffix(":SecretString")
            .and_then(|arn| arn.rsplit(":secret:").next())
            .ok_or_else(|| format!("dynamic reference {text} is not a whole SecretString"))?;
        self.secret(secret).map(|secret| secret.value).map_err(|e| format!("{text}: {e}"))
    }
}

/// `Ref` of a secret is its ARN; the local one ends in the logical id (no random suffix), which
/// the Secrets Manager twin and the secret store know it by.
fn secret_arn(logical_id: &str) -> String {
    format!("arn:aws:secretsmanager:{REGION}:{ACCOUNT_ID}:secret:{logical_id}")
}

/// The two arguments of `!Join [a, b]`, `!Select [a, b]` and `!Split [a, b]`.
fn two_arguments<'a>(arguments: &'a Value, function: &str) -> Result<(&'a Value, &'a Value), String> {
    match arguments.as_sequence().map(Vec::as_slice) {
        Some([first, second]) => Ok((first, second)),
        _ => Err(format!("!{function} takes a list of two arguments, not {arguments:?}")),
    }
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_every_variable_of_every_function_of_the_repository_template() {
        let template = Template::of_repo().unwrap();
        let secrets = SecretStore::in_memory();
        let parameters = default_local_parameters().unwrap();
        let stack = LocalStack { template: &template, parameters, secrets: &secrets };
        let create = stack.function_environment("CreateCustomerFunction").unwrap();
        assert_eq!(create["TABLE_NAME"], "meshcustomers-local-Table");
        assert_eq!(create["DEFAULT_PROJECT_QUOTA"], "5");
        let publisher = stack.function_environment("StreamPublisherFunction").unwrap();
        assert_eq!(publisher["EVENT_BUS_NAME"], "meshcustomers-local-bus");
        // `!If [UseCognito, ...]`: locally JwtIssuer is the local issuer, the external one's branch.
        let authorizer = stack.function_environment("AuthorizerFunction").unwrap();
        assert_eq!(authorizer["JWT_ISSUER"], "http://127.0.0.1:3000/_local");
        assert_eq!(authorizer["JWT_AUDIENCE"], "meshcustomers-local");
        let mail = stack.function_environment("EmailSenderFunction").unwrap();
        assert_eq!(mail["EMAIL_FROM"], "no-reply@meshcustomers.localhost");
        assert_eq!(mail["PORTAL_BASE_URL"], "http://127.0.0.1:5173");
        // Functions that page lists name the secret that signs cursors, never its value.
        let list = stack.function_environment("ListCustomersFunction").unwrap();
        let secret = "arn:aws:secretsmanager:eu-central-1:000000000000:secret:CursorSigningSecret";
        assert_eq!(list["CURSOR_SIGNING_KEY_SECRET_ARN"], secret);
        assert!(!create.contains_key("CURSOR_SIGNING_KEY_SECRET_ARN"), "only functions that page lists get it");
    }

    #[test]
    fn a_parameter_without_default_or_local_value_is_named() {
        let template = Template::of_repo().unwrap();
        let secrets = SecretStore::in_memory();
        let stack = LocalStack { template: &template, parameters: BTreeMap::new(), secrets: &secrets };
        let error = stack.function_environment("EmailSenderFunction").unwrap_err().to_string();
        assert!(
            error.contains("parameter EmailFrom has no Default and no value in infra/local/parameters.json"),
            "{error}"
        );
    }

    #[test]
    fn join_select_and_split_take_a_url_apart_as_cloudformation_does() {
        let template = Template::of_repo().unwrap();
        let secrets = SecretStore::in_memory();
        let parameters = BTreeMap::from([("PortalBaseUrl".to_owned(), "http://127.0.0.1:5173/portal".to_owned())]);
        let stack = LocalStack { template: &template, parameters, secrets: &secrets };
        let origin: Value = serde_yaml::from_str(
            "!Join ['', [!Select [0, !Split ['/', !Ref PortalBaseUrl]], '//', !Select [2, !Split ['/', !Ref PortalBaseUrl]]]]",
        )
        .unwrap();
        assert_eq!(stack.resolve(&origin).unwrap(), "http://127.0.0.1:5173");
        let beyond: Value = serde_yaml::from_str("!Select [9, !Split ['/', !Ref PortalBaseUrl]]").unwrap();
        assert!(stack.resolve(&beyond).unwrap_err().contains("no such element"));
    }

    #[test]
    fn sub_substitutes_pseudo_parameters_and_keeps_escaped_literals() {
        let template = Template::of_repo().unwrap();
        let secrets = SecretStore::in_memory();
        let stack = LocalStack { template: &template, parameters: BTreeMap::new(), secrets: &secrets };
        assert_eq!(
            stack.substitute("${AWS::StackName}-bus ${!Literal}").unwrap(),
            "meshcustomers-local-bus ${Literal}"
        );
        assert!(stack.substitute("${Table.Arn}").is_err());
    }

    #[test]
    fn if_follows_the_conditions_as_the_local_values_decide_them() {
        let template = Template::parse(
            "Parameters:\n  Issuer: {Type: String, Default: ''}\n  Mode: {Type: String, Default: a}\n\
             Conditions:\n  Own: !Equals [!Ref Issuer, '']\n  NotOwn: !Not [!Condition Own]\n\
             \x20 Both: !And [!Condition Own, !Equals [!Ref Mode, a]]\n  Either: !Or [!Condition NotOwn, !Equals [a, b]]\n\
             Resources: {}\n",
        )
        .unwrap();
        let secrets = SecretStore::in_memory();
        let stack = LocalStack { template: &template, parameters: BTreeMap::new(), secrets: &secrets };
        let choose = |condition: &str| {
            let value: Value = serde_yaml::from_str(&format!("!If [{condition}, yes, no]")).unwrap();
            stack.resolve(&value)
        };
        assert_eq!(choose("Own").as_deref(), Ok("yes"));
        assert_eq!(choose("NotOwn").as_deref(), Ok("no"));
        assert_eq!(choose("Both").as_deref(), Ok("yes"));
        assert_eq!(choose("Either").as_deref(), Ok("no"));
        assert!(choose("Missing").unwrap_err().contains("no condition Missing"));
    }
}
