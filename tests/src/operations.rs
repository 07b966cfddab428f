//! Records the AWS operations a function makes: as the IAM actions they need, so a test can hold
//! them against the permissions the template grants, and call by call, so a test can count round
//! trips and see how many items each Query read.

use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::operation::query::QueryOutput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

/// IAM actions such as `dynamodb:GetItem`, `ses:SendEmail`, and the calls themselves.
#[derive(Debug, Clone, Default)]
pub struct OperationRecorder {
    actions: Arc<Mutex<BTreeSet<String>>>,
    calls: Arc<Mutex<Vec<Call>>>,
}

/// One request to a service (the SDK's own retries of it are not counted again).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// `dynamodb:Query`, `dynamodb:TransactWriteItems`, …
    pub operation: String,
    /// For a Query: the items it evaluated (`ScannedCount`), once answered.
    pub scanned: Option<i32>,
}

impl OperationRecorder {
    /// The actions recorded since the last call.
    pub fn take(&self) -> BTreeSet<String> {
        self.calls.lock().unwrap().clear();
        std::mem::take(&mut *self.actions.lock().unwrap())
    }

    /// The calls made since the last `take` or `take_calls`, in order.
    pub fn take_calls(&self) -> Vec<Call> {
        self.actions.lock().unwrap().clear();
        std::mem::take(&mut *self.calls.lock().unwrap())
    }

    fn record(&self, action: String) {
        self.actions.lock().unwrap().insert(action);
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
        self.calls.lock().unwrap().push(Call { operation: format!("{service}:{}", metadata.name()), scanned: None });
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

    fn read_after_deserialization(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let scanned = match context.output_or_error() {
            Ok(output) => output.downcast_ref::<QueryOutput>().map(QueryOutput::scanned_count),
            _ => None,
        };
        if let Some(scanned) = scanned
            && let Some(call) = self.calls.lock().unwrap().last_mut()
        {
            call.scanned = Some(scanned);
        }
        Ok(())
    }
}
