//! What tests read back of a customer's members, and the last-admin counter held against them.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

use crate::TestApp;

/// The customer's member items, as stored.
pub async fn stored_members(test: &TestApp, customer: &str) -> Vec<HashMap<String, AttributeValue>> {
    test.items_of("MEMBER").await.into_iter().filter(|item| item["customerId"].as_s().unwrap() == customer).collect()
}

/// `adminCount` equals the stored CUSTOMER_ADMIN members without an end. Returns it.
pub async fn assert_admins_that_stay_counted(test: &TestApp, customer: &str) -> i64 {
    let staying = stored_members(test, customer)
        .await
        .iter()
        .filter(|item| item["role"].as_s().unwrap() == "CUSTOMER_ADMIN" && !item.contains_key("expiresAt"))
        .count();
    let items = test.items_of("CUSTOMER").await;
    let item = items.iter().find(|item| item["identifier"].as_s().unwrap() == customer).expect("the customer");
    let count: i64 = item["adminCount"].as_n().unwrap().parse().unwrap();
    assert_eq!(count, i64::try_from(staying).unwrap(), "adminCount of {customer} differs from its admins that stay");
    count
}
