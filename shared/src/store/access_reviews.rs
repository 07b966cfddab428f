//! Access reviews (SPEC §6.3): one `ACCESS_REVIEW#<reviewedAt>#<reviewId>` item per review in the
//! customer's partition, written in the review's own transaction with its removals; newest first
//! by its sort key. The item also holds the memberships the review kept as it saw them (their
//! versions and `joinedAt`, in `keptVersions` and `keptJoinedAt` aligned with `kept`; not part of
//! the API's review), from which the export derives each member's `lastReviewedAt` without a
//! write per member.

use crate::sdk::SendBoxed;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::DateTime;
use serde::{Deserialize, Serialize};

use super::keys::{self, Key, customer_pk, entity};
use super::pagination::{ListQuery, Page, PageQuery};
use super::{Changes, Conflict, Store, StoreError};
use crate::domain::{AccessReview, CustomerIdentifier, KeptMembership};
use crate::events::rfc3339_millis;

/// Sort-key prefix of a customer's reviews.
const ACCESS_REVIEW_PREFIX: &str = "ACCESS_REVIEW#";

/// This entity's keys.
impl Key {
    /// A review, by its time (RFC 3339 with milliseconds, so text order is time order) and id.
    pub fn access_review(review: &AccessReview) -> Self {
        Self {
            pk: customer_pk(&review.customer_id),
            sk: format!("{ACCESS_REVIEW_PREFIX}{}#{}", rfc3339_millis::format(&review.reviewed_at), review.review_id),
        }
    }
}

/// A review's item. What it keeps of each kept membership lies in two lists aligned with `kept`
/// (its version; the milliseconds of its `joinedAt`), so that 1,000 of them take some 20 KB.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessReviewItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    #[serde(flatten)]
    pub review: AccessReview,
    #[serde(default)]
    pub kept_versions: Vec<u64>,
    #[serde(default)]
    pub kept_joined_at: Vec<i64>,
}

impl AccessReviewItem {
    /// The item of `review`, which kept `kept` (in the order of `review.kept`).
    pub fn new(review: &AccessReview, kept: &[KeptMembership]) -> Result<Self, StoreError> {
        if !kept.iter().map(|kept| &kept.user_id).eq(review.kept.iter()) {
            return Err(StoreError::Invariant("a review's kept memberships are its kept members"));
        }
        Ok(Self {
            key: Key::access_review(review),
            entity: entity::ACCESS_REVIEW.to_owned(),
            review: review.clone(),
            kept_versions: kept.iter().map(|kept| kept.version).collect(),
            kept_joined_at: kept.iter().map(|kept| kept.joined_at.timestamp_millis()).collect(),
        })
    }

    /// The review, and the memberships it kept.
    fn read(self) -> Result<(AccessReview, Vec<KeptMembership>), StoreError> {
        let review = self.review;
        if self.kept_versions.len() != review.kept.len() || self.kept_joined_at.len() != review.kept.len() {
            return Err(StoreError::Invariant("a review item's kept lists differ in length"));
        }
        let kept = review
            .kept
            .iter()
            .zip(self.kept_versions.iter().zip(&self.kept_joined_at))
            .map(|(user_id, (version, joined_at))| {
                let joined_at = DateTime::from_timestamp_millis(*joined_at)
                    .ok_or(StoreError::Invariant("a review item's joinedAt is no instant"))?;
                Ok(KeptMembership { user_id: user_id.clone(), version: *version, joined_at })
            })
            .collect::<Result<_, StoreError>>()?;
        Ok((review, kept))
    }
}

fn access_review(item: super::items::Item) -> Result<AccessReviewItem, StoreError> {
    Ok(serde_dynamo::from_item::<_, AccessReviewItem>(item)?)
}

impl Changes {
    /// The review's item (new: its id is generated).
    pub fn add_access_review(&mut self, review: &AccessReview, kept: &[KeptMembership]) -> Result<(), StoreError> {
        self.insert(&AccessReviewItem::new(review, kept)?, Conflict::Inconsistent("a generated review id is taken"))
    }
}

impl Store {
    /// A customer's reviews, newest first: one Query of its `ACCESS_REVIEW#` items per page.
    #[tracing::instrument(skip_all, fields(%customer))]
    pub async fn list_access_reviews(
        &self,
        customer: &CustomerIdentifier,
        page: &PageQuery,
    ) -> Result<Page<AccessReview>, StoreError> {
        let query = ListQuery {
            index: None,
            key_condition: "#partition = :partition AND begins_with(#sort, :reviews)",
            filter: None,
            names: vec![("#partition", "pk"), ("#sort", "sk")],
            values: vec![(":partition", keys::customer_pk(customer)), (":reviews", ACCESS_REVIEW_PREFIX.to_owned())],
            newest_first: true,
        };
        self.list_page(query, page).await?.try_map(|item| access_review(item).map(|item| item.review))
    }

    /// The customer's latest review with the memberships it kept, if it has one: one consistent
    /// Query of its `ACCESS_REVIEW#` items, newest first, `Limit` 1.
    #[tracing::instrument(skip_all, fields(%customer))]
    pub async fn latest_access_review(
        &self,
        customer: &CustomerIdentifier,
    ) -> Result<Option<(AccessReview, Vec<KeptMembership>)>, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("pk = :pk AND begins_with(sk, :reviews)")
            .expression_attribute_values(":pk", AttributeValue::S(keys::customer_pk(customer)))
            .expression_attribute_values(":reviews", AttributeValue::S(ACCESS_REVIEW_PREFIX.to_owned()))
            .scan_index_forward(false)
            .limit(1)
            .consistent_read(true)
            .send_boxed()
            .await?;
        let latest = output.items.unwrap_or_default().into_iter().next();
        latest.map(|item| access_review(item)?.read()).transpose()
    }
}

/// Golden items: every attribute of each item kind, so a layout change is a deliberate one.
#[cfg(test)]
mod golden {
    use super::*;

    use crate::domain::*;

    use crate::store::items::golden::*;

    use serde_json::json;

    #[test]
    fn access_review_item() {
        let review = AccessReview {
            review_id: GeneratedId::parse("019bc165-0000-7000-8000-000000000007").unwrap(),
            customer_id: acme(),
            reviewed_at: at(),
            reviewed_by: UserId::parse("u1").unwrap(),
            kept: vec![UserId::parse("u1").unwrap()],
            removed: vec![UserId::parse("u2").unwrap()],
            note: Some(ReviewNote::parse("quarterly").unwrap()),
        };
        let kept = [KeptMembership { user_id: UserId::parse("u1").unwrap(), version: 3, joined_at: at() }];
        assert_eq!(
            stored(AccessReviewItem::new(&review, &kept).unwrap()),
            json!({
                "pk": {"S": "CUSTOMER#acme"},
                "sk": {"S": "ACCESS_REVIEW#2026-01-15T11:30:00.000Z#019bc165-0000-7000-8000-000000000007"},
                "entity": {"S": "ACCESS_REVIEW"},
                "reviewId": {"S": "019bc165-0000-7000-8000-000000000007"}, "customerId": {"S": "acme"},
                "reviewedAt": {"S": "2026-01-15T11:30:00.000Z"}, "reviewedBy": {"S": "u1"},
                "kept": {"L": [{"S": "u1"}]}, "removed": {"L": [{"S": "u2"}]}, "note": {"S": "quarterly"},
                "keptVersions": {"L": [{"N": "3"}]}, "keptJoinedAt": {"L": [{"N": "1768476600000"}]}
            })
        );
        let item = crate::store::items::to_item(AccessReviewItem::new(&review, &kept).unwrap()).unwrap();
        assert_eq!(access_review(item).unwrap().read().unwrap(), (review.clone(), kept.to_vec()));
        // Nothing removed: an empty list is not stored, and reads as none.
        let kept_all = AccessReview { removed: Vec::new(), ..review };
        let item = crate::store::items::to_item(AccessReviewItem::new(&kept_all, &kept).unwrap()).unwrap();
        assert!(!item.contains_key("removed"));
        assert_eq!(access_review(item).unwrap().read().unwrap().0, kept_all);
        assert!(AccessReviewItem::new(&kept_all, &[]).is_err(), "the kept memberships are the kept members");
    }
}
