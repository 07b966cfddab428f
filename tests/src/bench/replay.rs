//! The DynamoDB requests a function makes, captured as the SDK is about to serialize them, and
//! made again directly with the SDK: the "raw SDK" side of the overhead benchmark makes exactly
//! the calls the handler made, with nothing of ours around them. Capturing writes without
//! sending them also gives the items exactly as the store lays them out (for seeding).

use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemInput;
use aws_sdk_dynamodb::operation::delete_item::DeleteItemInput;
use aws_sdk_dynamodb::operation::get_item::GetItemInput;
use aws_sdk_dynamodb::operation::put_item::PutItemInput;
use aws_sdk_dynamodb::operation::query::QueryInput;
use aws_sdk_dynamodb::operation::transact_get_items::TransactGetItemsInput;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_sdk_dynamodb::operation::update_item::UpdateItemInput;
use aws_smithy_runtime_api::box_error::BoxError;

/// One request as the store built it.
#[derive(Debug, Clone)]
pub enum Request {
    GetItem(GetItemInput),
    BatchGetItem(BatchGetItemInput),
    Query(QueryInput),
    TransactGetItems(TransactGetItemsInput),
    TransactWriteItems(TransactWriteItemsInput),
    PutItem(PutItemInput),
    UpdateItem(UpdateItemInput),
    DeleteItem(DeleteItemInput),
}

impl Request {
    fn writes(&self) -> bool {
        matches!(self, Self::TransactWriteItems(_) | Self::PutItem(_) | Self::UpdateItem(_) | Self::DeleteItem(_))
    }
}

/// Records every request; with `withhold_writes`, writes are recorded but never sent (the
/// caller sees them fail).
#[derive(Debug, Clone, Default)]
pub struct Capture {
    requests: Arc<Mutex<Vec<Request>>>,
    withhold_writes: bool,
}

impl Capture {
    pub fn passing_through() -> Self {
        Self::default()
    }

    pub fn withholding_writes() -> Self {
        Self { withhold_writes: true, ..Self::default() }
    }

    /// The requests captured since the last call.
    pub fn take(&self) -> Vec<Request> {
        std::mem::take(&mut *self.requests.lock().expect("never poisoned"))
    }

    /// A client of `sdk` whose requests this captures.
    pub fn client(&self, sdk: &aws_config::SdkConfig) -> Client {
        Client::from_conf(aws_sdk_dynamodb::config::Builder::from(sdk).interceptor(self.clone()).build())
    }
}

impl Intercept for Capture {
    fn name(&self) -> &'static str {
        "Capture"
    }

    fn read_before_serialization(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let input = context.input();
        let request = if let Some(input) = input.downcast_ref::<GetItemInput>() {
            Request::GetItem(input.clone())
        } else if let Some(input) = input.downcast_ref::<BatchGetItemInput>() {
            Request::BatchGetItem(input.clone())
        } else if let Some(input) = input.downcast_ref::<QueryInput>() {
            Request::Query(input.clone())
        } else if let Some(input) = input.downcast_ref::<TransactGetItemsInput>() {
            Request::TransactGetItems(input.clone())
        } else if let Some(input) = input.downcast_ref::<TransactWriteItemsInput>() {
            Request::TransactWriteItems(input.clone())
        } else if let Some(input) = input.downcast_ref::<PutItemInput>() {
            Request::PutItem(input.clone())
        } else if let Some(input) = input.downcast_ref::<UpdateItemInput>() {
            Request::UpdateItem(input.clone())
        } else if let Some(input) = input.downcast_ref::<DeleteItemInput>() {
            Request::DeleteItem(input.clone())
        } else {
            return Err("the bench cannot replay this DynamoDB operation: add it to bench::replay".into());
        };
        let withheld = self.withhold_writes && request.writes();
        self.requests.lock().expect("never poisoned").push(request);
        if withheld { Err("captured by the bench, not sent".into()) } else { Ok(()) }
    }
}

/// Makes the request directly with the SDK; a failure is a broken benchmark.
pub async fn replay(client: &Client, request: &Request) {
    let outcome = match request.clone() {
        Request::GetItem(input) => client
            .get_item()
            .set_table_name(input.table_name)
            .set_key(input.key)
            .set_consistent_read(input.consistent_read)
            .set_projection_expression(input.projection_expression)
            .set_expression_attribute_names(input.expression_attribute_names)
            .send()
            .await
            .map(drop)
            .map_err(|e| format!("{e:?}")),
        Request::BatchGetItem(input) => client
            .batch_get_item()
            .set_request_items(input.request_items)
            .send()
            .await
            .map(drop)
            .map_err(|e| format!("{e:?}")),
        Request::Query(input) => client
            .query()
            .set_table_name(input.table_name)
            .set_index_name(input.index_name)
            .set_key_condition_expression(input.key_condition_expression)
            .set_filter_expression(input.filter_expression)
            .set_projection_expression(input.projection_expression)
            .set_expression_attribute_names(input.expression_attribute_names)
            .set_expression_attribute_values(input.expression_attribute_values)
            .set_scan_index_forward(input.scan_index_forward)
            .set_limit(input.limit)
            .set_exclusive_start_key(input.exclusive_start_key)
            .set_consistent_read(input.consistent_read)
            .set_select(input.select)
            .send()
            .await
            .map(drop)
            .map_err(|e| format!("{e:?}")),
        Request::TransactGetItems(input) => client
            .transact_get_items()
            .set_transact_items(input.transact_items)
            .send()
            .await
            .map(drop)
            .map_err(|e| format!("{e:?}")),
        Request::TransactWriteItems(input) => client
            .transact_write_items()
            .set_transact_items(input.transact_items)
            .set_client_request_token(input.client_request_token)
            .send()
            .await
            .map(drop)
            .map_err(|e| format!("{e:?}")),
        Request::PutItem(input) => client
            .put_item()
            .set_table_name(input.table_name)
            .set_item(input.item)
            .set_condition_expression(input.condition_expression)
            .set_expression_attribute_names(input.expression_attribute_names)
            .set_expression_attribute_values(input.expression_attribute_values)
            .send()
            .await
            .map(drop)
            .map_err(|e| format!("{e:?}")),
        Request::UpdateItem(input) => client
            .update_item()
            .set_table_name(input.table_name)
            .set_key(input.key)
            .set_update_expression(input.update_expression)
            .set_condition_expression(input.condition_expression)
            .set_expression_attribute_names(input.expression_attribute_names)
            .set_expression_attribute_values(input.expression_attribute_values)
            .set_return_values(input.return_values)
            .send()
            .await
            .map(drop)
            .map_err(|e| format!("{e:?}")),
        Request::DeleteItem(input) => client
            .delete_item()
            .set_table_name(input.table_name)
            .set_key(input.key)
            .set_condition_expression(input.condition_expression)
            .set_expression_attribute_names(input.expression_attribute_names)
            .set_expression_attribute_values(input.expression_attribute_values)
            .send()
            .await
            .map(drop)
            .map_err(|e| format!("{e:?}")),
    };
    if let Err(error) = outcome {
        panic!("the raw SDK replay of {request:?} failed: {error}");
    }
}
