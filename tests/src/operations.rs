//! Records the AWS operations a function makes, as the IAM actions they need, so a test can hold
//! them against the permissions the template grants.

use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// IAM actions such as `dynamodb:GetItem`, `ses:SendEmail`.
#[derive(Debug, Clone, Default)]
pub struct OperationRecorder(Arc<Mutex<BTreeSet<String>>>);

impl OperationRecorder {
    /// The actions recorded since the last call.
    pub fn take(&self) -> BTreeSet<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }

    fn record(&self, action: String) {
        self.0.lock().unwrap().insert(action);
    }
}

impl Intercept for OperationRecorder {
    fn name(&self) -> &'static str {
        "OperationRecorder"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // The operation's metadata is in the bag from serialization on, not at execution start.
        let metadata = cfg.load::<Metadata>().ok_or("operations carry their metadata")?;
        let service = match metadata.service().to_ascii_lowercase().as_str() {
            "sesv2" => "ses".to_owned(),
            other => other.to_owned(),
        };
        // A transaction is authorized per item, by the action of each item's kind.
        match context.input().downcast_ref::<TransactWriteItemsInput>() {
            Some(transaction) => {
                for item in transaction.transact_items() {
                    let kinds = [
                        (item.put().is_some(), "PutItem"),
                        (item.update().is_some(), "UpdateItem"),
                        (item.delete().is_some(), "DeleteItem"),
                        (item.condition_check().is_some(), "ConditionCheckItem"),
                    ];
                    for (_, action) in kinds.into_iter().filter(|(present, _)| *present) {
                        self.record(format!("{service}:{action}"));
                    }
                }
            }
            None => self.record(format!("{service}:{}", metadata.name())),
        }
        Ok(())
    }
}
