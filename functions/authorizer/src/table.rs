//! The key's item, read with one GetItem (README, access patterns: "API key by its hash").

use aws_sdk_dynamodb::types::AttributeValue;

use crate::api_key::{ITEM_SORT_KEY, StoredKey};
use crate::authorizer::{KeyLookup, LookupError};

pub struct KeyTable {
    pub client: aws_sdk_dynamodb::Client,
    pub table_name: String,
}

impl KeyLookup for KeyTable {
    async fn find(&self, item_key: &str) -> Result<Option<StoredKey>, LookupError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table_name)
            .key("pk", AttributeValue::S(item_key.to_owned()))
            .key("sk", AttributeValue::S(ITEM_SORT_KEY.to_owned()))
            .send()
            .await
            .map_err(|error| LookupError(meshcustomers::diagnostics::error_chain(&error)))?;
        output
            .item
            .map(serde_dynamo::from_item)
            .transpose()
            .map_err(|error| LookupError(format!("the item is not a key: {error}")))
    }
}
