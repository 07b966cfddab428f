//! `infra/template.yaml`, read as data: the single source of truth for the table, the functions,
//! their routes, the stream's event source mapping and the bus rules. Nothing here restates it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_yaml::Value;

use crate::bus::pattern::EventPattern;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("{path}: {message}")]
    Unreadable { path: PathBuf, message: String },
    #[error("infra/template.yaml: {0}")]
    Unsupported(String),
}

/// The parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    root: Value,
}

/// The repository's root (this crate sits in `infra/local/cloud`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(3)
        .expect("infra/local/cloud sits in the repo root")
        .to_owned()
}

/// A function of the template: logical id, the crate binary it runs, how Lambda runs it, and
/// what invokes it.
#[derive(Debug, Clone)]
pub struct Function {
    pub logical_id: String,
    pub binary: String,
    pub configuration: FunctionConfiguration,
    pub routes: Vec<Route>,
    pub stream_sources: Vec<StreamSource>,
    pub queue_sources: Vec<QueueSource>,
    pub rules: Vec<Rule>,
    pub schedules: Vec<Schedule>,
    pub async_invoke: AsyncInvokeConfig,
}

/// How Lambda runs a function: each setting from the function, else from `Globals.Function` (as
/// SAM merges them), else Lambda's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionConfiguration {
    pub runtime: String,
    pub handler: String,
    pub timeout: Duration,
    pub memory_size: u32,
    /// `LoggingConfig.LogFormat` (`JSON` or `Text`), when set.
    pub log_format: Option<String>,
    /// `LoggingConfig.ApplicationLogLevel`, when set.
    pub log_level: Option<String>,
    /// `ReservedConcurrentExecutions`, when set: at most this many instances at once.
    pub reserved_concurrency: Option<u32>,
}

/// Lambda's defaults.
impl Default for FunctionConfiguration {
    fn default() -> Self {
        Self {
            runtime: "provided.al2023".into(),
            handler: "bootstrap".into(),
            timeout: Duration::from_secs(3),
            memory_size: 128,
            log_format: None,
            log_level: None,
            reserved_concurrency: None,
        }
    }
}

/// An `HttpApi` event: `METHOD /path` and whether the API's authorizer guards it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub method: String,
    pub path: String,
    pub authorized: bool,
}

/// A `DynamoDB` event: the event source mapping's settings.
#[derive(Debug, Clone)]
pub struct StreamSource {
    /// Logical id of the table whose stream is read.
    pub table: String,
    pub batch_size: usize,
    pub batching_window: Duration,
    pub report_batch_item_failures: bool,
    pub bisect_on_error: bool,
    /// `None` = retry until the record expires (`-1`, the default).
    pub maximum_retry_attempts: Option<u32>,
    /// `None` = until the record leaves the stream (`-1`, the default).
    pub maximum_record_age: Option<Duration>,
    pub trim_horizon: bool,
    /// Records match when any filter matches; no filters = every record.
    pub filters: Vec<EventPattern>,
}

/// An `SQS` event: Lambda's SQS event source mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueSource {
    /// Logical id of the queue.
    pub queue: String,
    pub batch_size: usize,
    pub report_batch_item_failures: bool,
}

/// An `AWS::SQS::Queue`: what decides when a message comes again and when it is given up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueDefinition {
    pub visibility_timeout: Duration,
    /// `RedrivePolicy.maxReceiveCount`: received this many times, the next receive moves the
    /// message to the dead-letter queue. `None`: kept until its retention ends.
    pub max_receive_count: Option<u32>,
}

/// An `EventBridgeRule` event: the rule's pattern and retry policy towards its target.
#[derive(Debug, Clone)]
pub struct Rule {
    /// `<Function><Event>`, the logical id SAM gives the rule.
    pub name: String,
    /// Logical id of the bus.
    pub bus: String,
    pub pattern: EventPattern,
    pub maximum_retry_attempts: u32,
    pub maximum_event_age: Duration,
}

/// A `Schedule` event (an EventBridge rule with a schedule) or a `ScheduleV2` event (an
/// EventBridge Scheduler schedule): the function is invoked asynchronously at a fixed rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Its `Name`, else `<Function><Event>`, as SAM names it.
    pub name: String,
    pub kind: ScheduleKind,
    /// `rate(N unit)`.
    pub every: Duration,
    /// `Input`: the JSON the function gets instead of the scheduler's own event.
    pub input: Option<serde_json::Value>,
    pub enabled: bool,
    /// The schedule's RetryPolicy towards the function (EventBridge's defaults: 185, 24 h).
    pub maximum_retry_attempts: u32,
    pub maximum_event_age: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleKind {
    /// `Schedule`: an EventBridge rule, whose event comes from `aws.events`.
    Rule,
    /// `ScheduleV2`: EventBridge Scheduler, whose event comes from `aws.scheduler`.
    Scheduler,
}

/// Lambda's handling of asynchronous invocations (`EventInvokeConfig`, with Lambda's defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsyncInvokeConfig {
    pub maximum_retry_attempts: u32,
    pub maximum_event_age: Duration,
}

impl Template {
    /// `infra/template.yaml` of this repository.
    pub fn of_repo() -> Result<Self, TemplateError> {
        Self::load(&repo_root().join("infra/template.yaml"))
    }

    pub fn load(path: &Path) -> Result<Self, TemplateError> {
        let unreadable = |message: String| TemplateError::Unreadable { path: path.to_owned(), message };
        let text = std::fs::read_to_string(path).map_err(|e| unreadable(e.to_string()))?;
        Self::parse(&text).map_err(|e| unreadable(e.to_string()))
    }

    /// A template from its text.
    pub fn parse(text: &str) -> Result<Self, serde_yaml::Error> {
        Ok(Self { root: serde_yaml::from_str(text)? })
    }

    pub fn root(&self) -> &Value {
        &self.root
    }

    pub fn resource(&self, logical_id: &str) -> Option<&Value> {
        self.root["Resources"].get(logical_id)
    }

    /// Logical ids and definitions of the resources of one type.
    pub fn resources_of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        self.root["Resources"]
            .as_mapping()
            .into_iter()
            .flatten()
            .filter(move |(_, resource)| resource["Type"].as_str() == Some(kind))
            .filter_map(|(id, resource)| Some((id.as_str()?, resource)))
    }

    /// Every `AWS::Serverless::Function`, with its events read.
    pub fn functions(&self) -> Result<Vec<Function>, TemplateError> {
        self.resources_of_type("AWS::Serverless::Function").map(|(id, resource)| self.function(id, resource)).collect()
    }

    fn function(&self, logical_id: &str, resource: &Value) -> Result<Function, TemplateError> {
        let unsupported = |what: String| TemplateError::Unsupported(format!("{logical_id}: {what}"));
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .ok_or_else(|| unsupported("Metadata.BuildProperties.Binary is missing".into()))?
            .to_owned();
        let (mut routes, mut stream_sources, mut queue_sources, mut rules, mut schedules) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (name, event) in resource["Properties"]["Events"].as_mapping().into_iter().flatten() {
            let name = name.as_str().unwrap_or_default();
            let properties = &event["Properties"];
            match event["Type"].as_str() {
                Some("HttpApi") => routes.push(self.route(properties).map_err(unsupported)?),
                Some("DynamoDB") => stream_sources.push(stream_source(properties).map_err(unsupported)?),
                Some("SQS") => queue_sources.push(queue_source(properties).map_err(unsupported)?),
                Some("EventBridgeRule") => {
                    rules.push(rule(format!("{logical_id}{name}"), properties).map_err(unsupported)?)
                }
                Some(kind @ ("Schedule" | "ScheduleV2")) => {
                    let kind = if kind == "Schedule" { ScheduleKind::Rule } else { ScheduleKind::Scheduler };
                    let default_name = format!("{logical_id}{name}");
                    schedules.push(schedule(default_name, kind, properties).map_err(unsupported)?)
                }
                other => return Err(unsupported(format!("event {name} of type {other:?} has no local twin"))),
            }
        }
        let invoke_config = &resource["Properties"]["EventInvokeConfig"];
        let async_invoke = AsyncInvokeConfig {
            maximum_retry_attempts: number(&invoke_config["MaximumRetryAttempts"]).unwrap_or(2.0) as u32,
            maximum_event_age: Duration::from_secs(
                number(&invoke_config["MaximumEventAgeInSeconds"]).unwrap_or(21_600.0) as u64,
            ),
        };
        let configuration = self.configuration(resource).map_err(unsupported)?;
        Ok(Function {
            logical_id: logical_id.to_owned(),
            binary,
            configuration,
            routes,
            stream_sources,
            queue_sources,
            rules,
            schedules,
            async_invoke,
        })
    }

    /// The setting at `path` of the function's Properties, else of `Globals.Function`.
    pub fn function_setting<'a>(&'a self, resource: &'a Value, path: &[&str]) -> &'a Value {
        let find = |start: &'a Value| path.iter().fold(start, |value, key| &value[*key]);
        Some(find(&resource["Properties"]))
            .filter(|value| !value.is_null())
            .unwrap_or_else(|| find(&self.root["Globals"]["Function"]))
    }

    fn configuration(&self, resource: &Value) -> Result<FunctionConfiguration, String> {
        let text = |path: &[&str]| -> Result<Option<String>, String> {
            match self.function_setting(resource, path) {
                Value::Null => Ok(None),
                Value::String(text) => Ok(Some(text.clone())),
                other => Err(format!("{} must be a literal string locally, not {other:?}", path.join("."))),
            }
        };
        let whole = |path: &[&str]| -> Result<Option<u64>, String> {
            match self.function_setting(resource, path) {
                Value::Null => Ok(None),
                value => number(value)
                    .filter(|n| *n >= 0.0 && n.fract() == 0.0)
                    .map(|n| Some(n as u64))
                    .ok_or_else(|| format!("{} must be a literal whole number locally, not {value:?}", path[0])),
            }
        };
        let runtime = text(&["Runtime"])?.ok_or("no Runtime")?;
        if !runtime.starts_with("provided") {
            return Err(format!("Runtime {runtime}: the local Lambda runs built binaries (provided.al2023) only"));
        }
        let defaults = FunctionConfiguration::default();
        let memory_size =
            whole(&["MemorySize"])?.map(u32::try_from).transpose().map_err(|e| format!("MemorySize: {e}"))?;
        let reserved_concurrency = whole(&["ReservedConcurrentExecutions"])?
            .map(u32::try_from)
            .transpose()
            .map_err(|e| format!("ReservedConcurrentExecutions: {e}"))?;
        Ok(FunctionConfiguration {
            runtime,
            handler: text(&["Handler"])?.unwrap_or(defaults.handler),
            timeout: whole(&["Timeout"])?.map_or(defaults.timeout, Duration::from_secs),
            memory_size: memory_size.unwrap_or(defaults.memory_size),
            log_format: text(&["LoggingConfig", "LogFormat"])?,
            log_level: text(&["LoggingConfig", "ApplicationLogLevel"])?,
            reserved_concurrency,
        })
    }

    fn route(&self, properties: &Value) -> Result<Route, String> {
        let method = properties["Method"].as_str().ok_or("an HttpApi event without Method")?.to_uppercase();
        let path = properties["Path"].as_str().ok_or("an HttpApi event without Path")?.to_owned();
        let authorizer = properties["Auth"]["Authorizer"].as_str();
        let api_default = self.http_api()?.1["Properties"]["Auth"]["DefaultAuthorizer"].as_str().map(str::to_owned);
        let authorized = match authorizer {
            Some("NONE") => false,
            Some(_) => true,
            None => api_default.is_some(),
        };
        Ok(Route { method, path, authorized })
    }

    /// The one `AWS::Serverless::HttpApi` (logical id, definition).
    pub fn http_api(&self) -> Result<(&str, &Value), String> {
        let mut apis = self.resources_of_type("AWS::Serverless::HttpApi");
        let api = apis.next().ok_or("the template defines no HttpApi")?;
        if apis.next().is_some() {
            return Err("more than one HttpApi; the local gateway serves one".into());
        }
        Ok(api)
    }

    /// The queue `logical_id` (an `AWS::SQS::Queue`), with SQS's defaults.
    pub fn queue(&self, logical_id: &str) -> Result<QueueDefinition, String> {
        let queue = self
            .resource(logical_id)
            .filter(|resource| resource["Type"].as_str() == Some("AWS::SQS::Queue"))
            .ok_or_else(|| format!("{logical_id} is not an AWS::SQS::Queue of the template"))?;
        let properties = &queue["Properties"];
        let whole = |value: &Value, name: &str| match value {
            Value::Null => Ok(None),
            value => number(value)
                .filter(|n| *n >= 0.0 && n.fract() == 0.0)
                .map(|n| Some(n as u64))
                .ok_or_else(|| format!("{logical_id}: {name} must be a literal whole number locally, not {value:?}")),
        };
        let max_receive_count =
            whole(&properties["RedrivePolicy"]["maxReceiveCount"], "RedrivePolicy.maxReceiveCount")?;
        Ok(QueueDefinition {
            visibility_timeout: Duration::from_secs(
                whole(&properties["VisibilityTimeout"], "VisibilityTimeout")?.unwrap_or(30),
            ),
            max_receive_count: max_receive_count.map(|count| count as u32),
        })
    }

    /// The `Properties` of a table resource.
    pub fn table_definition(&self, logical_id: &str) -> Option<&Value> {
        self.resource(logical_id).map(|table| &table["Properties"])
    }
}

fn stream_source(properties: &Value) -> Result<StreamSource, String> {
    let table = match &properties["Stream"] {
        Value::Tagged(tagged) if tagged.tag == "GetAtt" => tagged
            .value
            .as_str()
            .and_then(|attribute| attribute.strip_suffix(".StreamArn"))
            .ok_or("Stream must be !GetAtt <Table>.StreamArn")?
            .to_owned(),
        other => return Err(format!("Stream {other:?} is not a table of this template")),
    };
    let filters = properties["FilterCriteria"]["Filters"]
        .as_sequence()
        .into_iter()
        .flatten()
        .map(|filter| {
            let pattern = filter["Pattern"].as_str().ok_or("a filter's Pattern must be a JSON string")?;
            EventPattern::parse_str(pattern).map_err(|e| e.to_string())
        })
        .collect::<Result<_, String>>()?;
    let function_response_types = properties["FunctionResponseTypes"].as_sequence().cloned().unwrap_or_default();
    Ok(StreamSource {
        table,
        batch_size: number(&properties["BatchSize"]).unwrap_or(100.0) as usize,
        batching_window: Duration::from_secs(
            number(&properties["MaximumBatchingWindowInSeconds"]).unwrap_or(0.0) as u64
        ),
        report_batch_item_failures: function_response_types
            .iter()
            .any(|t| t.as_str() == Some("ReportBatchItemFailures")),
        bisect_on_error: properties["BisectBatchOnFunctionError"].as_bool().unwrap_or(false),
        maximum_retry_attempts: number(&properties["MaximumRetryAttempts"]).filter(|n| *n >= 0.0).map(|n| n as u32),
        maximum_record_age: number(&properties["MaximumRecordAgeInSeconds"])
            .filter(|n| *n >= 0.0)
            .map(|n| Duration::from_secs(n as u64)),
        trim_horizon: properties["StartingPosition"].as_str() == Some("TRIM_HORIZON"),
        filters,
    })
}

fn queue_source(properties: &Value) -> Result<QueueSource, String> {
    let queue = match &properties["Queue"] {
        Value::Tagged(tagged) if tagged.tag == "GetAtt" => {
            tagged.value.as_str().and_then(|attribute| attribute.strip_suffix(".Arn")).map(str::to_owned)
        }
        _ => None,
    }
    .ok_or("Queue must be !GetAtt <Queue>.Arn, a queue of this template")?;
    // A batching window waits for fuller batches; the local poller hands over what is there.
    if number(&properties["MaximumBatchingWindowInSeconds"]).is_some_and(|seconds| seconds > 0.0) {
        return Err("an SQS event's MaximumBatchingWindowInSeconds has no local twin".into());
    }
    let function_response_types = properties["FunctionResponseTypes"].as_sequence().cloned().unwrap_or_default();
    Ok(QueueSource {
        queue,
        // Lambda's default for SQS.
        batch_size: number(&properties["BatchSize"]).unwrap_or(10.0) as usize,
        report_batch_item_failures: function_response_types
            .iter()
            .any(|t| t.as_str() == Some("ReportBatchItemFailures")),
    })
}

fn rule(name: String, properties: &Value) -> Result<Rule, String> {
    let bus = match &properties["EventBusName"] {
        Value::Tagged(tagged) if tagged.tag == "Ref" => tagged.value.as_str().unwrap_or_default().to_owned(),
        other => return Err(format!("EventBusName {other:?} is not a bus of this template")),
    };
    let pattern = serde_json::to_value(&properties["Pattern"]).map_err(|e| format!("rule {name}: {e}"))?;
    let retry_policy = &properties["RetryPolicy"];
    Ok(Rule {
        pattern: EventPattern::parse(&pattern).map_err(|e| format!("rule {name}: {e}"))?,
        name,
        bus,
        // EventBridge's defaults: 185 attempts over 24 hours.
        maximum_retry_attempts: number(&retry_policy["MaximumRetryAttempts"]).unwrap_or(185.0) as u32,
        maximum_event_age: Duration::from_secs(
            number(&retry_policy["MaximumEventAgeInSeconds"]).unwrap_or(86_400.0) as u64
        ),
    })
}

fn schedule(default_name: String, kind: ScheduleKind, properties: &Value) -> Result<Schedule, String> {
    let name = properties["Name"].as_str().map_or(default_name, str::to_owned);
    let expression_key = match kind {
        ScheduleKind::Rule => "Schedule",
        ScheduleKind::Scheduler => "ScheduleExpression",
    };
    let expression = properties[expression_key]
        .as_str()
        .ok_or_else(|| format!("schedule {name}: {expression_key} must be a literal string locally"))?;
    let every = rate(expression).map_err(|reason| format!("schedule {name}: {reason}"))?;
    for unsupported in ["StartDate", "EndDate"] {
        if !properties[unsupported].is_null() {
            return Err(format!("schedule {name}: {unsupported} has no local twin"));
        }
    }
    let input = match &properties["Input"] {
        Value::Null => None,
        Value::String(text) => Some(
            serde_json::from_str(text).map_err(|e| format!("schedule {name}: Input is not well-formed JSON: {e}"))?,
        ),
        other => return Err(format!("schedule {name}: Input must be a JSON string, not {other:?}")),
    };
    let disabled = properties["State"].as_str() == Some("DISABLED") || properties["Enabled"].as_bool() == Some(false);
    let retry_policy = &properties["RetryPolicy"];
    Ok(Schedule {
        name,
        kind,
        every,
        input,
        enabled: !disabled,
        maximum_retry_attempts: number(&retry_policy["MaximumRetryAttempts"]).unwrap_or(185.0) as u32,
        maximum_event_age: Duration::from_secs(
            number(&retry_policy["MaximumEventAgeInSeconds"]).unwrap_or(86_400.0) as u64
        ),
    })
}

/// The period of `rate(N minute|minutes|hour|hours|day|days)`, read as AWS reads it: a
/// positive whole N, the unit singular for 1 and plural otherwise. AWS's `cron(…)` (six fields
/// with `?`, `L`, `W`, `#` and a year) has no well-kept Rust parser, so the local cloud refuses
/// it rather than run it at other times than AWS would.
pub fn rate(expression: &str) -> Result<Duration, String> {
    if expression.starts_with("cron(") {
        return Err(format!("{expression}: the local cloud runs rate(…) schedules only, not cron(…)"));
    }
    let malformed = || format!("{expression} is not rate(N minute|minutes|hour|hours|day|days)");
    let inner = expression.strip_prefix("rate(").and_then(|rest| rest.strip_suffix(')')).ok_or_else(malformed)?;
    let (count, unit) = inner.trim().split_once(' ').ok_or_else(malformed)?;
    let count: u64 = count.parse().ok().filter(|count| *count > 0).ok_or_else(malformed)?;
    let seconds = match (unit, count) {
        ("minute", 1) | ("minutes", 2..) => 60,
        ("hour", 1) | ("hours", 2..) => 3_600,
        ("day", 1) | ("days", 2..) => 86_400,
        ("minute" | "hour" | "day", _) => return Err(format!("{expression}: AWS wants the plural for N > 1")),
        ("minutes" | "hours" | "days", _) => return Err(format!("{expression}: AWS wants the singular for 1")),
        _ => return Err(malformed()),
    };
    Ok(Duration::from_secs(count * seconds))
}

/// A YAML number, also when written as a string (`'5'`).
fn number(value: &Value) -> Option<f64> {
    value.as_f64().or_else(|| value.as_str().and_then(|text| text.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_routes_stream_source_and_rules_of_the_repository_template() {
        let template = Template::of_repo().unwrap();
        let functions = template.functions().unwrap();
        let get = functions.iter().find(|f| f.binary == "get-customer").unwrap();
        assert_eq!(get.routes, [Route { method: "GET".into(), path: "/customers/{id}".into(), authorized: true }]);

        let publisher = functions.iter().find(|f| f.binary == "stream-publisher").unwrap();
        let source = &publisher.stream_sources[0];
        assert_eq!((source.table.as_str(), source.batch_size, source.maximum_retry_attempts), ("Table", 100, Some(10)));
        assert!(source.report_batch_item_failures && source.bisect_on_error && source.trim_horizon);
        assert_eq!(source.filters.len(), 1);

        let email = functions.iter().find(|f| f.binary == "email-sender").unwrap();
        assert_eq!(email.rules[0].name, "EmailSenderFunctionMailEvents");
        assert_eq!(email.rules[0].bus, "EventBus");
        let registered = serde_json::json!({"source": "meshcustomers", "detail-type": "CUSTOMER_REGISTERED"});
        let created = serde_json::json!({"source": "meshcustomers", "detail-type": "CUSTOMER_CREATED"});
        assert!(email.rules[0].pattern.matches(&registered));
        assert!(!email.rules[0].pattern.matches(&created));
        assert_eq!(email.async_invoke.maximum_retry_attempts, 2);
        // Globals give every function its runtime, timeout, memory and log format.
        assert_eq!(
            email.configuration,
            FunctionConfiguration {
                runtime: "provided.al2023".into(),
                handler: "bootstrap".into(),
                timeout: Duration::from_secs(10),
                memory_size: 256,
                log_format: Some("JSON".into()),
                log_level: None,
                reserved_concurrency: None,
            }
        );
    }

    #[test]
    fn a_function_setting_overrides_globals_and_lambda_defaults_fill_the_rest() {
        let template = Template {
            root: serde_yaml::from_str(
                "Globals:\n  Function:\n    Runtime: provided.al2023\n    Timeout: 10\n    LoggingConfig:\n      LogFormat: JSON\n\
                 Resources:\n  Slow:\n    Type: AWS::Serverless::Function\n    Metadata:\n      BuildProperties:\n        Binary: slow\n\
                 \x20   Properties:\n      Timeout: 30\n      ReservedConcurrentExecutions: 2\n      LoggingConfig:\n        LogGroup: slow-logs\n",
            )
            .unwrap(),
        };
        let slow = &template.functions().unwrap()[0];
        assert_eq!(slow.configuration.timeout, Duration::from_secs(30));
        assert_eq!(slow.configuration.memory_size, 128);
        assert_eq!(slow.configuration.reserved_concurrency, Some(2));
        assert_eq!(slow.configuration.log_format.as_deref(), Some("JSON"), "LoggingConfig merges key by key");
    }

    #[test]
    fn a_runtime_other_than_a_built_binary_is_refused() {
        let template = Template {
            root: serde_yaml::from_str(
                "Resources:\n  Py:\n    Type: AWS::Serverless::Function\n    Metadata:\n      BuildProperties:\n        Binary: py\n\
                 \x20   Properties:\n      Runtime: python3.12\n      Timeout: !Ref Seconds\n",
            )
            .unwrap(),
        };
        let error = template.functions().unwrap_err().to_string();
        assert!(error.contains("Py: Runtime python3.12: the local Lambda runs built binaries"), "{error}");
    }

    #[test]
    fn rates_are_read_as_aws_reads_them_and_cron_is_refused_by_name() {
        assert_eq!(rate("rate(1 hour)"), Ok(Duration::from_secs(3_600)));
        assert_eq!(rate("rate(5 minutes)"), Ok(Duration::from_secs(300)));
        assert_eq!(rate("rate(2 days)"), Ok(Duration::from_secs(172_800)));
        for wrong in
            ["rate(1 hours)", "rate(2 hour)", "rate(0 minutes)", "rate(-1 minute)", "rate(1 week)", "every hour"]
        {
            assert!(rate(wrong).is_err(), "{wrong}");
        }
        assert!(rate("cron(0 12 * * ? *)").unwrap_err().contains("not cron(…)"));
    }

    #[test]
    fn schedule_events_of_both_kinds_are_read_with_their_names_input_and_retry_policy() {
        let template = Template::parse(
            "Resources:\n  Expire:\n    Type: AWS::Serverless::Function\n    Metadata:\n      BuildProperties:\n        Binary: expire\n\
             \x20   Properties:\n      Runtime: provided.al2023\n      Events:\n\
             \x20       Hourly:\n          Type: ScheduleV2\n          Properties:\n            ScheduleExpression: rate(1 hour)\n\
             \x20           RetryPolicy:\n              MaximumRetryAttempts: 2\n\
             \x20       Nightly:\n          Type: Schedule\n          Properties:\n            Schedule: rate(1 day)\n\
             \x20           Name: nightly-sweep\n            Input: '{\"dryRun\": true}'\n            Enabled: false\n",
        )
        .unwrap();
        let function = &template.functions().unwrap()[0];
        let [hourly, nightly] = &function.schedules[..] else { panic!("{:?}", function.schedules) };
        assert_eq!(
            (hourly.name.as_str(), hourly.kind, hourly.every),
            ("ExpireHourly", ScheduleKind::Scheduler, Duration::from_secs(3_600))
        );
        assert_eq!((hourly.maximum_retry_attempts, hourly.input.is_none(), hourly.enabled), (2, true, true));
        assert_eq!((nightly.name.as_str(), nightly.kind), ("nightly-sweep", ScheduleKind::Rule));
        assert_eq!((nightly.input.clone(), nightly.enabled), (Some(serde_json::json!({"dryRun": true})), false));
        assert_eq!(nightly.maximum_retry_attempts, 185, "EventBridge's default");

        let cron = Template::parse(
            "Resources:\n  Expire:\n    Type: AWS::Serverless::Function\n    Metadata:\n      BuildProperties:\n        Binary: expire\n\
             \x20   Properties:\n      Runtime: provided.al2023\n      Events:\n\
             \x20       Hourly:\n          Type: ScheduleV2\n          Properties:\n            ScheduleExpression: cron(0 * * * ? *)\n",
        )
        .unwrap();
        let error = cron.functions().unwrap_err().to_string();
        assert!(
            error.contains("Expire: schedule ExpireHourly: cron(0 * * * ? *): the local cloud runs rate"),
            "{error}"
        );
    }

    #[test]
    fn a_route_marked_auth_none_is_not_authorized() {
        let template: Template = Template {
            root: serde_yaml::from_str(
                "Resources:\n  Api:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n      Auth:\n        DefaultAuthorizer: Jwt\n",
            )
            .unwrap(),
        };
        let open: Value = serde_yaml::from_str("Method: get\nPath: /open\nAuth:\n  Authorizer: NONE\n").unwrap();
        let guarded: Value = serde_yaml::from_str("Method: get\nPath: /guarded\n").unwrap();
        assert!(!template.route(&open).unwrap().authorized);
        assert!(template.route(&guarded).unwrap().authorized);
        assert_eq!(template.route(&open).unwrap().method, "GET");
    }
}
