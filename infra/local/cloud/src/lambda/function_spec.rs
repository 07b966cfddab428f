//! How the Lambda twin starts a function: its built binary, its timeout, and exactly the
//! environment Lambda gives it: the template's variables for that function, the variables Lambda
//! itself sets for a `provided.al2023` function, and the local AWS variables that point its SDK at
//! the twins. Nothing of the developer's own environment gets through.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::environment::{ACCOUNT_ID, LocalStack, REGION};
use crate::template::{Function, TemplateError, repo_root};

#[derive(Debug, Clone)]
pub struct FunctionSpec {
    /// The name the invoke API knows it by: its binary's name.
    pub name: String,
    pub binary: PathBuf,
    pub timeout: Duration,
    /// Every variable but those that differ per instance (runtime API, log stream).
    pub variables: BTreeMap<String, String>,
    pub concurrency: Concurrency,
}

/// How many instances of a function the local Lambda runs at once, and what an invocation
/// finds when all of them are busy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Concurrency {
    /// `ReservedConcurrentExecutions`: at most this many; Lambda throttles a synchronous
    /// invocation beyond it (429 `TooManyRequestsException`), and so does the local Lambda.
    Reserved(usize),
    /// Nothing reserved: in AWS the account's pool (1,000 by default) is shared, so nothing is
    /// throttled at this scale. Locally at most this many run ([`UNRESERVED_LOCAL_LIMIT`]), and an
    /// invocation beyond waits for one of them.
    Unreserved(usize),
}

/// How many instances of a function without reserved concurrency run at once locally.
pub const UNRESERVED_LOCAL_LIMIT: usize = 10;

impl Concurrency {
    pub fn limit(self) -> usize {
        match self {
            Self::Reserved(limit) | Self::Unreserved(limit) => limit,
        }
    }
}

/// The variables Lambda sets itself; a template may not set them.
const LAMBDA_RESERVED: [&str; 12] = [
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "_HANDLER",
    "LAMBDA_TASK_ROOT",
];

/// The folder cargo builds debug binaries into: `$CARGO_TARGET_DIR/debug`, else the
/// repository's `target/debug`.
pub fn binaries_folder() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo_root().join("target"), PathBuf::from);
    target.join("debug")
}

impl FunctionSpec {
    /// The function as the template defines it, with `local_aws` (region, credentials,
    /// endpoints of the twins) on top.
    pub fn from_template(
        stack: &LocalStack<'_>,
        function: &Function,
        binaries: &Path,
        local_aws: &[(&str, String)],
    ) -> Result<Self, TemplateError> {
        let mut variables = stack.function_environment(&function.logical_id)?;
        if let Some(reserved) = variables.keys().find(|name| LAMBDA_RESERVED.contains(&name.as_str())) {
            return Err(TemplateError::Unsupported(format!(
                "{}: Lambda sets {reserved} itself; the template may not",
                function.logical_id
            )));
        }
        let configuration = &function.configuration;
        let lambda = [
            ("AWS_LAMBDA_FUNCTION_NAME", function.binary.clone()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_owned()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", configuration.memory_size.to_string()),
            ("AWS_LAMBDA_LOG_GROUP_NAME", stack.log_group_name(function)?),
            ("AWS_REGION", REGION.to_owned()),
            ("AWS_DEFAULT_REGION", REGION.to_owned()),
            ("_HANDLER", configuration.handler.clone()),
            ("LAMBDA_TASK_ROOT", binaries.display().to_string()),
        ];
        let logging = [
            ("AWS_LAMBDA_LOG_FORMAT", configuration.log_format.clone()),
            ("AWS_LAMBDA_LOG_LEVEL", configuration.log_level.clone()),
        ];
        let logging = logging.into_iter().filter_map(|(name, value)| Some((name, value?)));
        for (name, value) in local_aws.iter().cloned().chain(lambda).chain(logging) {
            variables.insert(name.to_owned(), value);
        }
        Ok(Self {
            name: function.binary.clone(),
            binary: binaries.join(&function.binary),
            timeout: configuration.timeout,
            variables,
            concurrency: match configuration.reserved_concurrency {
                Some(reserved) => Concurrency::Reserved(reserved as usize),
                None => Concurrency::Unreserved(UNRESERVED_LOCAL_LIMIT),
            },
        })
    }

    /// What invokers name in the runtime's `Lambda-Runtime-Invoked-Function-Arn`.
    pub fn arn(&self) -> String {
        format!("arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{}", self.name)
    }

    /// The whole environment of one instance: the spec's variables, the address of the
    /// instance's runtime API, and a log stream of its own, named as Lambda names them.
    pub fn instance_variables(&self, runtime_api: SocketAddr) -> BTreeMap<String, String> {
        let mut variables = self.variables.clone();
        let stream = format!("{}/[$LATEST]{}", chrono::Utc::now().format("%Y/%m/%d"), uuid::Uuid::new_v4().simple());
        variables.insert("AWS_LAMBDA_RUNTIME_API".into(), runtime_api.to_string());
        variables.insert("AWS_LAMBDA_LOG_STREAM_NAME".into(), stream);
        variables
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::environment::default_local_parameters;
    use crate::secrets::SecretStore;
    use crate::template::Template;

    #[test]
    fn a_function_gets_its_template_variables_lambdas_own_and_the_local_aws_ones() {
        let template = Template::of_repo().unwrap();
        let secrets = SecretStore::in_memory();
        let parameters = default_local_parameters().unwrap();
        let stack = LocalStack { template: &template, parameters, secrets: &secrets };
        let function = template.functions().unwrap().into_iter().find(|f| f.binary == "get-customer").unwrap();
        let local_aws = [("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000".to_owned())];
        let spec = FunctionSpec::from_template(&stack, &function, Path::new("/build/debug"), &local_aws).unwrap();
        assert_eq!(spec.binary, Path::new("/build/debug/get-customer"));
        assert_eq!(spec.timeout, Duration::from_secs(10));
        assert_eq!(spec.concurrency, Concurrency::Unreserved(UNRESERVED_LOCAL_LIMIT));
        let variables = spec.instance_variables("127.0.0.1:4567".parse().unwrap());
        let expected = [
            ("TABLE_NAME", "meshcustomers-local-Table"),
            ("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"),
            ("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:4567"),
            ("AWS_LAMBDA_FUNCTION_NAME", "get-customer"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"),
            ("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/meshcustomers-local/get-customer"),
            ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
            ("AWS_REGION", "eu-central-1"),
            ("_HANDLER", "bootstrap"),
            ("LAMBDA_TASK_ROOT", "/build/debug"),
        ];
        for (name, value) in expected {
            assert_eq!(variables.get(name).map(String::as_str), Some(value), "{name}");
        }
        assert!(variables["AWS_LAMBDA_LOG_STREAM_NAME"].contains("/[$LATEST]"));
        assert!(!variables.contains_key("AWS_LAMBDA_LOG_LEVEL"), "the template sets no ApplicationLogLevel");
    }

    #[test]
    fn each_function_gets_its_own_variables_and_a_secret_by_its_arn() {
        let template = Template::parse(
            "Globals:\n  Function:\n    Runtime: provided.al2023\n    Environment:\n      Variables:\n        SHARED: everyone\n\
             Resources:\n  Key:\n    Type: AWS::SecretsManager::Secret\n    Properties:\n      GenerateSecretString:\n        PasswordLength: 40\n\
             \x20 Lister:\n    Type: AWS::Serverless::Function\n    Metadata:\n      BuildProperties:\n        Binary: lister\n\
             \x20   Properties:\n      Environment:\n        Variables:\n          KEY_SECRET_ARN: !Ref Key\n\
             \x20 Getter:\n    Type: AWS::Serverless::Function\n    Metadata:\n      BuildProperties:\n        Binary: getter\n",
        )
        .unwrap();
        let secrets = SecretStore::in_memory();
        let stack = LocalStack { template: &template, parameters: Default::default(), secrets: &secrets };
        let specs: BTreeMap<String, FunctionSpec> = template
            .functions()
            .unwrap()
            .iter()
            .map(|function| {
                let spec = FunctionSpec::from_template(&stack, function, Path::new("/build"), &[]).unwrap();
                (spec.name.clone(), spec)
            })
            .collect();
        let arn = "arn:aws:secretsmanager:eu-central-1:000000000000:secret:Key";
        assert_eq!(specs["lister"].variables.get("KEY_SECRET_ARN").map(String::as_str), Some(arn));
        assert!(!specs["getter"].variables.contains_key("KEY_SECRET_ARN"));
        assert_eq!(specs["getter"].variables["SHARED"], "everyone");
        assert_eq!(specs["getter"].timeout, Duration::from_secs(3), "Lambda's default Timeout");
        assert_eq!(stack.secret("Key").unwrap().arn, arn, "the Secrets Manager twin knows it by that ARN");
    }
}
