//! An integrator's own rules, tried before they deploy them (SPEC §6.4): `infra/local/integrations.yaml`
//! (`LOCAL_INTEGRATIONS_FILE` names another) holds named rules with an EventBridge pattern and a
//! local target: an HTTP URL on this machine, which receives each matching event as an
//! EventBridge API destination POSTs it (the whole event as a JSON body), a JSON-lines file, or
//! an SQS queue of the integrator's own SAM template, read by that template's function
//! ([`crate::bus::integrator_stack`]).
//! The bus matches every event it is sent against them as against the template's rules. A bad
//! rule stops the start, naming it and the fault; an absent file means no integrations.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::Value;
use tokio::io::AsyncWriteExt;

use crate::bus::RetryTiming;
use crate::bus::pattern::EventPattern;
use crate::bus::sqs_queue::LocalQueue;
use crate::dead_letters::DeadLetters;

/// EventBridge's RetryPolicy defaults: 185 retries within 24 hours.
const DEFAULT_RETRY_ATTEMPTS: u32 = 185;
const DEFAULT_EVENT_AGE: Duration = Duration::from_secs(86_400);
/// An API destination waits 5 seconds for an answer.
const HTTP_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum IntegrationsError {
    #[error("{file}: {message}")]
    Unreadable { file: PathBuf, message: String },
    #[error("{file}: rule {rule}: {fault}")]
    BadRule { file: PathBuf, rule: String, fault: String },
}

/// One rule of the file, ready to match and deliver.
#[derive(Debug, Clone)]
pub struct Integration {
    pub name: String,
    pub pattern: EventPattern,
    /// The pattern as written, to hold it equal to the integrator's template.
    pub event_pattern: Value,
    pub target: IntegrationTarget,
    pub maximum_retry_attempts: u32,
    pub maximum_event_age: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntegrationTarget {
    /// POSTed to, as an API destination does.
    Http(String),
    /// Appended to, one event per line.
    File(PathBuf),
    /// Sent to, as a rule's SQS target sends: the queue of an integrator's SAM template.
    Queue(QueueTarget),
}

/// An `AWS::SQS::Queue` of an integrator's SAM template, which a function of it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueTarget {
    pub template: PathBuf,
    /// The queue's logical id.
    pub queue: String,
    /// The queue's local twin, once [`crate::bus::integrator_stack::plan`] made it.
    pub local: Option<Arc<LocalQueue>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct IntegrationsFile {
    #[serde(default)]
    rules: Vec<RuleEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RuleEntry {
    name: String,
    event_pattern: serde_yaml::Value,
    target: TargetEntry,
    #[serde(default)]
    retry_policy: RetryPolicyEntry,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct TargetEntry {
    http: Option<String>,
    file: Option<PathBuf>,
    sqs: Option<SqsEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct SqsEntry {
    template: PathBuf,
    queue: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
struct RetryPolicyEntry {
    maximum_retry_attempts: Option<u32>,
    maximum_event_age_in_seconds: Option<u64>,
}

/// The integrations of `file`; none when it does not exist. `reserved` are names a rule may not
/// take (the functions', whose dead letters share the folder).
pub fn load(file: &Path, reserved: &[String]) -> Result<Vec<Integration>, IntegrationsError> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(IntegrationsError::Unreadable { file: file.to_owned(), message: error.to_string() }),
    };
    // A file of comments only (the committed example) holds no rules.
    let parsed: Option<IntegrationsFile> = serde_yaml::from_str(&text)
        .map_err(|error| IntegrationsError::Unreadable { file: file.to_owned(), message: error.to_string() })?;
    let folder = file.parent().unwrap_or(Path::new("."));
    let mut integrations: Vec<Integration> = Vec::new();
    for entry in parsed.map(|parsed| parsed.rules).unwrap_or_default() {
        let bad = |fault: String| IntegrationsError::BadRule { file: file.to_owned(), rule: entry.name.clone(), fault };
        if entry.name.is_empty()
            || entry.name.len() > 64
            || !entry.name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        {
            return Err(bad("a name is 1 to 64 letters, digits, '.', '-' or '_' (as EventBridge's)".to_owned()));
        }
        if integrations.iter().any(|other| other.name == entry.name) || reserved.contains(&entry.name) {
            return Err(bad("the name is taken (by another rule or a function of the template)".to_owned()));
        }
        let pattern: Value =
            serde_json::to_value(&entry.event_pattern).map_err(|e| bad(format!("EventPattern: {e}")))?;
        let event_pattern = pattern.clone();
        let pattern = EventPattern::parse(&pattern).map_err(|e| bad(format!("EventPattern: {}", e.0)))?;
        let target = match (&entry.target.http, &entry.target.file, &entry.target.sqs) {
            (Some(url), None, None) => IntegrationTarget::Http(loopback_url(url).map_err(bad)?),
            (None, Some(path), None) => IntegrationTarget::File(folder.join(path)),
            (None, None, Some(sqs)) => IntegrationTarget::Queue(QueueTarget {
                template: folder.join(&sqs.template),
                queue: sqs.queue.clone(),
                local: None,
            }),
            _ => {
                return Err(bad(
                    "Target needs exactly one of Http (a URL on 127.0.0.1), File and Sqs (Template, Queue)".to_owned(),
                ));
            }
        };
        let retry = &entry.retry_policy;
        let maximum_retry_attempts = retry.maximum_retry_attempts.unwrap_or(DEFAULT_RETRY_ATTEMPTS);
        let maximum_event_age = retry.maximum_event_age_in_seconds.map_or(DEFAULT_EVENT_AGE, Duration::from_secs);
        if maximum_retry_attempts > 185 || !(60..=86_400).contains(&maximum_event_age.as_secs()) {
            return Err(bad(
                "RetryPolicy: MaximumRetryAttempts is 0 to 185, MaximumEventAgeInSeconds 60 to 86400".to_owned()
            ));
        }
        integrations.push(Integration {
            name: entry.name.clone(),
            pattern,
            event_pattern,
            target,
            maximum_retry_attempts,
            maximum_event_age,
        });
    }
    Ok(integrations)
}

/// `url` when it is http(s) to a loopback address or `localhost`: the local cloud sends events
/// to nothing beyond this machine.
fn loopback_url(url: &str) -> Result<String, String> {
    let parsed = reqwest::Url::parse(url).map_err(|e| format!("Target.Http {url:?}: {e}"))?;
    let host = parsed.host_str().unwrap_or_default();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback =
        host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|address| address.is_loopback());
    if !matches!(parsed.scheme(), "http" | "https") || !loopback {
        return Err(format!("Target.Http {url:?} is not an http(s) URL on 127.0.0.1 (or localhost, [::1])"));
    }
    Ok(url.to_owned())
}

/// Why one attempt failed, and whether EventBridge would try again.
struct Failure {
    reason: String,
    retryable: bool,
}

/// Delivers `event` to the integration's target: retried with the rule's RetryPolicy, backing
/// off, while the failure is one EventBridge retries; then a dead letter `<rule>.jsonl`.
pub async fn deliver(
    client: &reqwest::Client,
    dead_letters: &DeadLetters,
    timing: &RetryTiming,
    integration: &Integration,
    event: Value,
) {
    let (started, mut retries) = (Instant::now(), 0u32);
    loop {
        let failure = match attempt(client, &integration.target, &event).await {
            Ok(()) => return,
            Err(failure) => failure,
        };
        let exhausted = retries >= integration.maximum_retry_attempts
            || started.elapsed() >= integration.maximum_event_age
            || !failure.retryable;
        if exhausted {
            let reason = format!("integration {}: {} (after {retries} retries)", integration.name, failure.reason);
            dead_letters.put(&integration.name, "integration-delivery", &reason, event).await;
            return;
        }
        retries += 1;
        let wait = timing
            .delivery_backoff
            .saturating_mul(2u32.saturating_pow(retries.min(20) - 1))
            .min(timing.delivery_backoff_cap);
        tracing::warn!(integration = integration.name, reason = failure.reason, retry_in = ?wait, "retrying");
        tokio::time::sleep(wait).await;
    }
}

async fn attempt(client: &reqwest::Client, target: &IntegrationTarget, event: &Value) -> Result<(), Failure> {
    match target {
        IntegrationTarget::Http(url) => {
            let sent = client
                .post(url)
                .header("content-type", "application/json")
                .header("user-agent", "Amazon/EventBridge/ApiDestinations")
                .timeout(HTTP_TIMEOUT)
                .body(event.to_string())
                .send()
                .await;
            match sent {
                Ok(response) if response.status().is_success() => Ok(()),
                // API destinations retry 401, 407, 409, 429 and 5xx, and no other answer.
                Ok(response) => {
                    let status = response.status().as_u16();
                    let retryable = matches!(status, 401 | 407 | 409 | 429 | 500..=599);
                    Err(Failure { reason: format!("POST {url} answered {status}"), retryable })
                }
                Err(error) => Err(Failure { reason: format!("POST {url}: {error}"), retryable: true }),
            }
        }
        IntegrationTarget::File(path) => {
            let written = async {
                if let Some(folder) = path.parent() {
                    tokio::fs::create_dir_all(folder).await?;
                }
                let mut file = tokio::fs::OpenOptions::new().create(true).append(true).open(path).await?;
                file.write_all(format!("{event}\n").as_bytes()).await
            };
            written.await.map_err(|error| Failure { reason: format!("{}: {error}", path.display()), retryable: true })
        }
        // SendMessage to a queue on this machine.
        IntegrationTarget::Queue(target) => match &target.local {
            Some(queue) => {
                queue.send(event.to_string());
                Ok(())
            }
            None => Err(Failure { reason: format!("no local queue runs for {}", target.queue), retryable: false }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loaded(yaml: &str) -> Result<Vec<Integration>, String> {
        let folder = std::env::temp_dir().join(format!("integrations-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&folder).unwrap();
        let file = folder.join("integrations.yaml");
        std::fs::write(&file, yaml).unwrap();
        let result = load(&file, &["audit-writer".to_owned()]).map_err(|e| e.to_string());
        std::fs::remove_dir_all(folder).unwrap();
        result
    }

    #[test]
    fn an_absent_file_or_one_of_comments_means_no_integrations() {
        assert!(load(Path::new("/nonexistent/integrations.yaml"), &[]).unwrap().is_empty());
        assert!(loaded("# only comments\n").unwrap().is_empty());
    }

    #[test]
    fn rules_read_with_their_targets_and_retry_policy() {
        let integrations = loaded(
            "Rules:\n\
             - Name: disabled\n\
             \x20 EventPattern: {source: [meshcustomers], detail-type: [CUSTOMER_STATUS_CHANGED]}\n\
             \x20 Target: {Http: 'http://127.0.0.1:9100/events'}\n\
             \x20 RetryPolicy: {MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60}\n\
             - Name: history.acme\n\
             \x20 EventPattern: {detail: {customerId: [acme-web]}}\n\
             \x20 Target: {File: out/acme.jsonl}\n",
        )
        .unwrap();
        assert_eq!(integrations.len(), 2);
        assert_eq!(integrations[0].target, IntegrationTarget::Http("http://127.0.0.1:9100/events".into()));
        assert_eq!((integrations[0].maximum_retry_attempts, integrations[0].maximum_event_age.as_secs()), (2, 60));
        assert!(matches!(&integrations[1].target, IntegrationTarget::File(path) if path.ends_with("out/acme.jsonl")));
        assert_eq!(
            (integrations[1].maximum_retry_attempts, integrations[1].maximum_event_age.as_secs()),
            (185, 86_400)
        );
        let event = serde_json::json!({"source": "meshcustomers", "detail-type": "CUSTOMER_STATUS_CHANGED"});
        assert!(integrations[0].pattern.matches(&event) && !integrations[1].pattern.matches(&event));
    }

    #[test]
    fn the_committed_example_holds_no_rules_and_reads_once_uncommented() {
        let example = crate::template::repo_root().join("infra/local/integrations.yaml");
        assert!(load(&example, &[]).unwrap().is_empty());
        let text = std::fs::read_to_string(example).unwrap();
        let uncommented: String = text
            .lines()
            .skip_while(|line| *line != "# Rules:")
            .map(|line| format!("{}\n", line.strip_prefix("# ").unwrap_or(line.trim_start_matches('#'))))
            .collect();
        // Its Sqs target's template, from the repository rather than the test's folder.
        let examples = crate::template::repo_root().join("examples");
        let uncommented = uncommented.replace("../../examples", &examples.display().to_string());
        let integrations = loaded(&uncommented).unwrap();
        let names: Vec<&str> = integrations.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["disabled-customers", "acme-web-history", "customer-status-to-billing"]);
        // The worked integration's rule is its template's.
        let secrets = crate::secrets::SecretStore::in_memory();
        let around = crate::bus::integrator_stack::Surroundings {
            integrations_file: Path::new("integrations.yaml"),
            secrets: &secrets,
            binaries: Path::new("/build"),
            local_aws: &[],
            functions: &[],
            table: "meshcustomers-local-Table",
        };
        let mut integrations = integrations;
        let stacks = crate::bus::integrator_stack::plan(&mut integrations, &around).unwrap();
        assert_eq!(stacks.queues.keys().collect::<Vec<_>>(), ["customer-status-to-billing"]);
    }

    #[test]
    fn a_bad_rule_stops_the_start_naming_the_rule_and_the_fault() {
        let rule = |name: &str, pattern: &str, target: &str| {
            loaded(&format!("Rules:\n- Name: {name}\n  EventPattern: {pattern}\n  Target: {target}\n")).unwrap_err()
        };
        let http = "{Http: 'http://127.0.0.1:9/'}";
        let error = rule("typo", "{detail: {n: [{numeric: ['>>', 1]}]}}", http);
        assert!(error.contains("rule typo: EventPattern") && error.contains("numeric"), "{error}");
        let error = rule("scalar", "{source: meshcustomers}", http);
        assert!(error.contains("rule scalar: EventPattern"), "{error}");
        for url in ["http://example.com/hook", "http://10.0.0.1/", "ftp://127.0.0.1/", "http://127.0.0.1.example/"] {
            let error = rule("remote", "{source: [meshcustomers]}", &format!("{{Http: '{url}'}}"));
            assert!(error.contains("rule remote: Target.Http") && error.contains("not an http(s) URL"), "{error}");
        }
        let error = rule("both", "{source: [x]}", "{Http: 'http://127.0.0.1:9/', File: x.jsonl}");
        assert!(error.contains("rule both: Target needs exactly one"), "{error}");
        let error = rule("half", "{source: [x]}", "{Sqs: {Template: t.yaml}}");
        assert!(error.contains("missing field `Queue`"), "{error}");
        let error = rule("audit-writer", "{source: [x]}", http);
        assert!(error.contains("rule audit-writer: the name is taken"), "{error}");
        let error = rule("a/b", "{source: [x]}", http);
        assert!(error.contains("rule a/b: a name is"), "{error}");
        let error = loaded("Rules:\n- Name: x\n  Pattern: {}\n  Target: {File: x}\n").unwrap_err();
        assert!(error.contains("unknown field `Pattern`"), "{error}");
        for url in ["http://localhost:8080/x", "http://[::1]:9/", "https://127.0.0.1/"] {
            assert!(
                loaded(&format!("Rules:\n- Name: ok\n  EventPattern: {{source: [x]}}\n  Target: {{Http: '{url}'}}\n"))
                    .is_ok()
            );
        }
    }
}
