use customer_status_consumer::{dynamodb_billing::DynamoDbBilling, handler};
use lambda_runtime::{Error, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let billing = DynamoDbBilling::from_env().await?;
    lambda_runtime::run(service_fn(|event| handler::handle(&billing, event))).await
}
