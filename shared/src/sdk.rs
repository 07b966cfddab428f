//! The AWS operations this crate sends, each behind a future compiled once, here.
//!
//! Why: an SDK operation's `send()` is an `async fn`, and so is the request pipeline under it
//! (the orchestrator, retries, signing): their state machines are compiled in every crate that
//! polls them. Called from this crate's `async fn`s, which the functions' binaries poll, they
//! were compiled again in each of the 41 binaries (about a third of a function's release build).
//! `send_boxed` builds the future in a non-generic method of this crate, so the binaries only call
//! it and poll it through its vtable (README "Performance", build time). One allocation per
//! request is the price.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use futures::future::BoxFuture;

/// What `send_boxed` returns: the operation's output or the SDK's error.
pub type Sent<Output, Error> = BoxFuture<'static, Result<Output, SdkError<Error, HttpResponse>>>;

/// An operation's request, sent through a boxed future compiled in this crate.
pub trait SendBoxed {
    type Output;
    type Error;
    fn send_boxed(self) -> Sent<Self::Output, Self::Error>;
}

macro_rules! send_boxed {
    ($($builder:ty => $output:ty, $error:ty;)*) => {$(
        impl SendBoxed for $builder {
            type Output = $output;
            type Error = $error;
            fn send_boxed(self) -> Sent<$output, $error> {
                Box::pin(self.send())
            }
        }
    )*};
}

send_boxed! {
    operation::get_item::builders::GetItemFluentBuilder
        => operation::get_item::GetItemOutput, operation::get_item::GetItemError;
    operation::batch_get_item::builders::BatchGetItemFluentBuilder
        => operation::batch_get_item::BatchGetItemOutput, operation::batch_get_item::BatchGetItemError;
    operation::query::builders::QueryFluentBuilder
        => operation::query::QueryOutput, operation::query::QueryError;
    operation::put_item::builders::PutItemFluentBuilder
        => operation::put_item::PutItemOutput, operation::put_item::PutItemError;
    operation::update_item::builders::UpdateItemFluentBuilder
        => operation::update_item::UpdateItemOutput, operation::update_item::UpdateItemError;
    operation::delete_item::builders::DeleteItemFluentBuilder
        => operation::delete_item::DeleteItemOutput, operation::delete_item::DeleteItemError;
    operation::transact_write_items::builders::TransactWriteItemsFluentBuilder
        => operation::transact_write_items::TransactWriteItemsOutput,
           operation::transact_write_items::TransactWriteItemsError;
    aws_sdk_secretsmanager::operation::get_secret_value::builders::GetSecretValueFluentBuilder
        => aws_sdk_secretsmanager::operation::get_secret_value::GetSecretValueOutput,
           aws_sdk_secretsmanager::operation::get_secret_value::GetSecretValueError;
}
