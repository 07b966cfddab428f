//! An integrator's own SAM template, run beside the product for each integration whose target is
//! one of its SQS queues (`Target: {Sqs: {Template, Queue}}` in the integrations file), so that
//! the integrator's consumer runs locally as deployed: the local cloud follows that template as
//! it follows the product's. From it come the queue (`VisibilityTimeout`, `RedrivePolicy`), the
//! one function whose `SQS` event reads the queue (`BatchSize`, `ReportBatchItemFailures`, its
//! environment, run from its built binary by the local Lambda), and the template's DynamoDB
//! tables, created in DynamoDB Local. The template's rule that targets the queue must have the
//! integration's pattern: what is tried locally is what gets deployed.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use crate::bus::integrations::{Integration, IntegrationTarget, IntegrationsError, QueueTarget};
use crate::bus::sqs_queue::{LocalQueue, QueueSettings};
use crate::environment::LocalStack;
use crate::lambda::function_spec::FunctionSpec;
use crate::secrets::SecretStore;
use crate::template::Template;

/// What the integrators' templates add to the local cloud.
#[derive(Default)]
pub struct IntegratorStacks {
    /// Their consumers, for the local Lambda.
    pub specs: Vec<FunctionSpec>,
    /// Their tables: `Properties` and local name.
    pub tables: Vec<(serde_yaml::Value, String)>,
    /// Per integration: its queue and the function that reads it.
    pub queues: BTreeMap<String, (Arc<LocalQueue>, String)>,
}

/// What a stack needs from the product's local cloud.
pub struct Surroundings<'a> {
    /// The integrations file, for errors.
    pub integrations_file: &'a Path,
    pub secrets: &'a SecretStore,
    pub binaries: &'a Path,
    pub local_aws: &'a [(&'static str, String)],
    /// Names the consumers and their tables may not take (the product's).
    pub functions: &'a [String],
    pub table: &'a str,
}

/// The stacks of the integrations' `Sqs` targets; each such target gets its local queue.
pub fn plan(
    integrations: &mut [Integration],
    around: &Surroundings<'_>,
) -> Result<IntegratorStacks, IntegrationsError> {
    let mut stacks = IntegratorStacks::default();
    for integration in integrations.iter_mut() {
        let IntegrationTarget::Queue(target) = &integration.target else { continue };
        let bad = |fault: String| IntegrationsError::BadRule {
            file: around.integrations_file.to_owned(),
            rule: integration.name.clone(),
            fault: format!("Sqs: {}: {fault}", target.template.display()),
        };
        let queue = add(&mut stacks, integration, target, around).map_err(bad)?;
        if let IntegrationTarget::Queue(target) = &mut integration.target {
            target.local = Some(queue);
        }
    }
    Ok(stacks)
}

fn add(
    stacks: &mut IntegratorStacks,
    integration: &Integration,
    target: &QueueTarget,
    around: &Surroundings<'_>,
) -> Result<Arc<LocalQueue>, String> {
    let template = Template::load(&target.template).map_err(|error| error.to_string())?;
    let queue = template.queue(&target.queue)?;
    let functions = template.functions().map_err(|error| error.to_string())?;
    let readers: Vec<_> = functions
        .iter()
        .filter_map(|function| Some((function, function.queue_sources.iter().find(|s| s.queue == target.queue)?)))
        .collect();
    let [(function, source)] = readers.as_slice() else {
        return Err(format!(
            "{} functions read {} (an SQS event); the local cloud runs one",
            readers.len(),
            target.queue
        ));
    };
    same_rule(&template, &target.queue, &integration.event_pattern)?;
    let stack = LocalStack { template: &template, parameters: BTreeMap::new(), secrets: around.secrets };
    let spec = FunctionSpec::from_template(&stack, function, around.binaries, around.local_aws)
        .map_err(|error| error.to_string())?;
    if around.functions.contains(&spec.name) || stacks.specs.iter().any(|other| other.name == spec.name) {
        return Err(format!("the function {} has the name of another function the local cloud runs", spec.name));
    }
    for (logical_id, resource) in template.resources_of_type("AWS::DynamoDB::Table") {
        let name = stack.physical_name(logical_id)?;
        if name == around.table {
            return Err(format!("the table {logical_id} would be the product's table {name}"));
        }
        if !stacks.tables.iter().any(|(_, other)| *other == name) {
            stacks.tables.push((resource["Properties"].clone(), name));
        }
    }
    let settings = QueueSettings {
        name: integration.name.clone(),
        queue: target.queue.clone(),
        visibility_timeout: queue.visibility_timeout,
        max_receive_count: queue.max_receive_count,
        batch_size: source.batch_size,
        report_batch_item_failures: source.report_batch_item_failures,
    };
    let queue = Arc::new(LocalQueue::new(settings));
    stacks.queues.insert(integration.name.clone(), (Arc::clone(&queue), spec.name.clone()));
    stacks.specs.push(spec);
    Ok(queue)
}

/// The template has a rule that targets `queue`, and each such rule has `pattern`.
fn same_rule(template: &Template, queue: &str, pattern: &Value) -> Result<(), String> {
    let targets_queue = |target: &serde_yaml::Value| match &target["Arn"] {
        serde_yaml::Value::Tagged(tagged) => {
            tagged.tag == "GetAtt" && tagged.value.as_str() == Some(&format!("{queue}.Arn"))
        }
        _ => false,
    };
    let rules: Vec<(&str, &serde_yaml::Value)> = template
        .resources_of_type("AWS::Events::Rule")
        .filter(|(_, rule)| rule["Properties"]["Targets"].as_sequence().into_iter().flatten().any(targets_queue))
        .collect();
    if rules.is_empty() {
        return Err(format!("no AWS::Events::Rule of it targets {queue}"));
    }
    for (name, rule) in rules {
        let deployed = match &rule["Properties"]["EventPattern"] {
            serde_yaml::Value::String(text) => serde_json::from_str(text).map_err(|e| format!("rule {name}: {e}"))?,
            other => serde_json::to_value(other).map_err(|e| format!("rule {name}: {e}"))?,
        };
        if deployed != *pattern {
            return Err(format!(
                "its rule {name} has the EventPattern {deployed}, this rule {pattern}: try locally what you deploy"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::repo_root;

    fn integration(pattern: Value, template: &Path, queue: &str) -> Integration {
        Integration {
            name: "billing".into(),
            pattern: crate::bus::pattern::EventPattern::parse(&pattern).unwrap(),
            event_pattern: pattern,
            target: IntegrationTarget::Queue(QueueTarget {
                template: template.to_owned(),
                queue: queue.into(),
                local: None,
            }),
            maximum_retry_attempts: 185,
            maximum_event_age: std::time::Duration::from_secs(86_400),
        }
    }

    fn planned(integration: Integration) -> Result<IntegratorStacks, String> {
        let secrets = SecretStore::in_memory();
        let around = Surroundings {
            integrations_file: Path::new("integrations.yaml"),
            secrets: &secrets,
            binaries: Path::new("/build/debug"),
            local_aws: &[],
            functions: &["audit-writer".to_owned()],
            table: "meshcustomers-local-Table",
        };
        plan(&mut [integration], &around).map_err(|error| error.to_string())
    }

    #[test]
    fn the_worked_integration_runs_its_consumer_its_queue_and_its_table() {
        let template = repo_root().join("examples/integration/template.yaml");
        let pattern = serde_json::json!({"source": ["meshcustomers"], "detail-type": ["CUSTOMER_STATUS_CHANGED"]});
        let stacks = planned(integration(pattern, &template, "StatusChangesQueue")).unwrap();
        let spec = &stacks.specs[0];
        assert_eq!(spec.name, "customer-status-consumer");
        assert_eq!(spec.variables["TABLE_NAME"], "meshcustomers-local-BillingStatusTable");
        assert_eq!(
            stacks.tables.iter().map(|(_, name)| name.as_str()).collect::<Vec<_>>(),
            ["meshcustomers-local-BillingStatusTable"]
        );
        let (queue, function) = &stacks.queues["billing"];
        assert_eq!(function, "customer-status-consumer");
        let settings = &queue.settings;
        assert_eq!((settings.visibility_timeout.as_secs(), settings.max_receive_count), (60, Some(5)));
        assert_eq!((settings.batch_size, settings.report_batch_item_failures), (10, true));
    }

    #[test]
    fn a_pattern_other_than_the_template_rule_or_a_queue_nobody_reads_stops_the_start() {
        let template = repo_root().join("examples/integration/template.yaml");
        let other = serde_json::json!({"source": ["meshcustomers"]});
        let error = planned(integration(other.clone(), &template, "StatusChangesQueue")).err().unwrap();
        assert!(
            error.contains("rule billing: Sqs: ") && error.contains("its rule CustomerStatusRule has the EventPattern"),
            "{error}"
        );
        let error = planned(integration(other.clone(), &template, "StatusChangesDeadLetterQueue")).err().unwrap();
        assert!(error.contains("0 functions read StatusChangesDeadLetterQueue"), "{error}");
        let error = planned(integration(other, &template, "Nothing")).err().unwrap();
        assert!(error.contains("Nothing is not an AWS::SQS::Queue"), "{error}");
    }
}
