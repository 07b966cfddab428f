//! The membership log: who was a member, in which role, at any moment (SPEC §6.3, `GET
//! /customers/{id}/users?at=`).
//!
//! Every change of a membership (a join, a role or end change, a removal) writes one log entry in
//! its own transaction, stamped with the commit's time: the history's membership facts, exact and
//! in order. (The history entries themselves are written later by the audit writer, possibly out
//! of order and retried for a day, so a snapshot made from them could miss one that arrives late.)
//!
//! A long log is never read whole: every [`SNAPSHOT_EVERY`] entries the audit writer writes a
//! snapshot of all memberships as of its latest entry. Entries and snapshots share one sort-key
//! range ordered by time, so a read at a moment is one Query backwards from that moment that stops
//! at the first complete snapshot: at most [`SNAPSHOT_EVERY`] entries (plus those of the last
//! [`SETTLING`] before the customer's latest membership change) and the snapshot.
//!
//! A snapshot is made only of entries older than [`SETTLING`]: a transaction stamped earlier than
//! another may commit after it, but never later than a function's timeout after its stamp (10 s
//! in the template), so everything up to a minute ago is complete and a snapshot of it never
//! changes. Two writers of one snapshot write the same parts; a part is written only if absent.

use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::items::{self, Item};
use super::keys::{Key, customer_pk, entity};
use super::transaction::built;
use super::{Store, StoreError};
use crate::domain::{CustomerIdentifier, Membership, UserId};
use crate::events::rfc3339_millis;
use crate::sdk::SendBoxed;

/// Sort-key prefix of the log's entries and snapshots (outside `MEMBER#`: `S` follows `#`).
pub(crate) const LOG_PREFIX: &str = "MEMBERSHIP_LOG#";
/// A snapshot is made once this many entries follow the last one.
pub const SNAPSHOT_EVERY: usize = 100;
/// Entries older than this are complete (no transaction stamped before it can still commit).
pub const SETTLING: Duration = Duration::seconds(60);
/// Memberships per snapshot part: a part stays far below DynamoDB's 400 KB per item.
const MEMBERS_PER_PART: usize = 500;
/// Items of the first page of a read backwards: the entries after the latest snapshot (fewer than
/// [`SNAPSHOT_EVERY`] once it is made) and its first parts, without reading far past it (a page
/// returns as many items as its limit allows, and the log before the snapshot is long).
const FIRST_PAGE_ITEMS: i32 = SNAPSHOT_EVERY as i32 + 4;
/// Items of each further page (a burst of entries not yet in a snapshot, a snapshot of many parts).
const PAGE_ITEMS: i32 = 250;

/// What a change does to one membership; the log entry is made when the change commits.
#[derive(Debug, Clone)]
pub struct MembershipChange {
    pub customer: CustomerIdentifier,
    pub user: UserId,
    /// Orders two changes of one member within one millisecond.
    pub version: u64,
    /// The membership after the change; none: removed.
    pub after: Option<Membership>,
}

impl MembershipChange {
    pub fn joined_or_changed(after: &Membership) -> Self {
        Self {
            customer: after.customer_id.clone(),
            user: after.user_id.clone(),
            version: after.version,
            after: Some(after.clone()),
        }
    }

    pub fn removed(before: &Membership) -> Self {
        Self {
            customer: before.customer_id.clone(),
            user: before.user_id.clone(),
            version: before.version + 1,
            after: None,
        }
    }
}

/// This entity's keys.
impl Key {
    /// `MEMBERSHIP_LOG#<at>#CHANGE#<userId>#<version>`: by time, then member and version.
    fn membership_change(change: &MembershipChange, at: &str) -> Self {
        Self {
            pk: customer_pk(&change.customer),
            sk: format!("{LOG_PREFIX}{at}#CHANGE#{}#{:020}", change.user, change.version),
        }
    }

    /// `MEMBERSHIP_LOG#<at>#SNAPSHOT#<part>`: after the entries of its own millisecond, which it
    /// holds, so that a read backwards meets the snapshot before them.
    fn membership_snapshot(customer: &CustomerIdentifier, at: &str, part: usize) -> Self {
        Self { pk: customer_pk(customer), sk: format!("{LOG_PREFIX}{at}#SNAPSHOT#{part:04}") }
    }
}

/// The upper bound of a read at `at` (to the millisecond): every entry and snapshot of that
/// millisecond and before (`~` sorts after `CHANGE` and `SNAPSHOT`).
fn up_to(at: &DateTime<Utc>) -> String {
    format!("{LOG_PREFIX}{}#~", rfc3339_millis::format(at))
}

/// A log entry as stored.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipChangeItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    pub at: String,
    pub user_id: UserId,
    pub version: u64,
    /// The membership after the change as JSON; absent: removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub membership: Option<String>,
}

impl MembershipChangeItem {
    /// The entry of `change` committed at `at`.
    pub fn new(change: &MembershipChange, at: DateTime<Utc>) -> Result<Self, StoreError> {
        let at = rfc3339_millis::format(&at);
        let membership = change
            .after
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|_| StoreError::Invariant("a membership does not serialize"))?;
        Ok(Self {
            key: Key::membership_change(change, &at),
            entity: entity::MEMBERSHIP_CHANGE.to_owned(),
            at,
            user_id: change.user.clone(),
            version: change.version,
            membership,
        })
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MembershipSnapshotItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    /// The time of the latest entry it holds.
    pub at: String,
    pub part: usize,
    pub parts: usize,
    /// This part's memberships as a JSON array, by user id.
    pub members: String,
}

/// The log entries of a change's membership changes, stamped `at` (the commit's time).
pub(crate) fn entries(
    changes: &[MembershipChange],
    at: DateTime<Utc>,
    table: &str,
) -> Result<Vec<TransactWriteItem>, StoreError> {
    changes
        .iter()
        .map(|change| {
            let item = items::to_item(MembershipChangeItem::new(change, at)?)?;
            let put = built(
                Put::builder()
                    .table_name(table)
                    .set_item(Some(item))
                    .condition_expression("attribute_not_exists(pk)")
                    .build(),
            )?;
            Ok(TransactWriteItem::builder().put(put).build())
        })
        .collect()
}

/// What a read backwards found: the latest complete snapshot at or before the moment (none: the
/// log's start) and the entries after it, oldest first.
#[derive(Debug, Default)]
struct Replay {
    snapshot: Option<Vec<Membership>>,
    entries: Vec<MembershipChangeItem>,
}

impl Replay {
    /// The memberships after the snapshot and every entry, by user id (ended ones included).
    fn memberships(self) -> Result<BTreeMap<UserId, Membership>, StoreError> {
        let base = self.snapshot.unwrap_or_default();
        let mut members: BTreeMap<UserId, Membership> =
            base.into_iter().map(|member| (member.user_id.clone(), member)).collect();
        for entry in self.entries {
            match entry.membership {
                Some(json) => {
                    let membership: Membership = serde_json::from_str(&json)
                        .map_err(|_| StoreError::Invariant("a membership log entry does not parse"))?;
                    members.insert(entry.user_id, membership);
                }
                None => {
                    members.remove(&entry.user_id);
                }
            }
        }
        Ok(members)
    }
}

/// The parts of one snapshot met so far, reading backwards (highest part first).
struct PartsSeen {
    at: String,
    parts: usize,
    members: Vec<Vec<Membership>>,
}

impl Store {
    /// The customer's members and their roles as they were at `at`: the memberships the log
    /// held then that had not ended by then, by user id. Empty before the first entry.
    #[tracing::instrument(skip_all, fields(%customer, %at))]
    pub async fn members_at(
        &self,
        customer: &CustomerIdentifier,
        at: DateTime<Utc>,
    ) -> Result<Vec<Membership>, StoreError> {
        let members = self.replay(customer, &at).await?.memberships()?;
        Ok(members.into_values().filter(|member| !member.has_ended(at)).collect())
    }

    /// Writes a snapshot of the customer's memberships as of its latest settled entry, when at
    /// least [`SNAPSHOT_EVERY`] settled entries follow the last snapshot; answers the entries it
    /// took in (none: no snapshot was due).
    #[tracing::instrument(skip_all, fields(%customer))]
    pub async fn snapshot_memberships(
        &self,
        customer: &CustomerIdentifier,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let replay = self.replay(customer, &(now - SETTLING)).await?;
        let Some(latest) = replay.entries.last() else { return Ok(0) };
        if replay.entries.len() < SNAPSHOT_EVERY {
            return Ok(0);
        }
        let (at, taken_in) = (latest.at.clone(), replay.entries.len());
        let members: Vec<Membership> = replay.memberships()?.into_values().collect();
        let chunks: Vec<&[Membership]> =
            if members.is_empty() { vec![&[]] } else { members.chunks(MEMBERS_PER_PART).collect() };
        let parts = chunks.len();
        // The highest part first and part 0 last: a reader takes a snapshot only with part 0.
        for (part, chunk) in chunks.iter().enumerate().rev() {
            let item = MembershipSnapshotItem {
                key: Key::membership_snapshot(customer, &at, part),
                entity: entity::MEMBERSHIP_SNAPSHOT.to_owned(),
                at: at.clone(),
                part,
                parts,
                members: serde_json::to_string(chunk)
                    .map_err(|_| StoreError::Invariant("a snapshot does not serialize"))?,
            };
            self.put_snapshot_part(item).await?;
        }
        Ok(taken_in)
    }

    async fn put_snapshot_part(&self, item: MembershipSnapshotItem) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(items::to_item(item)?))
            .condition_expression("attribute_not_exists(pk)")
            .send_boxed()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Another writer made the same snapshot (it is the same: made of settled entries).
            Err(error)
                if matches!(error.as_service_error(), Some(PutItemError::ConditionalCheckFailedException(_))) =>
            {
                Ok(())
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Reads backwards from `at` until the first complete snapshot (or the log's start).
    async fn replay(&self, customer: &CustomerIdentifier, at: &DateTime<Utc>) -> Result<Replay, StoreError> {
        let mut newest_first = Vec::new();
        let mut seen: Option<PartsSeen> = None;
        let mut start = None;
        loop {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND sk BETWEEN :lower AND :upper")
                .expression_attribute_values(":pk", AttributeValue::S(customer_pk(customer)))
                .expression_attribute_values(":lower", AttributeValue::S(LOG_PREFIX.to_owned()))
                .expression_attribute_values(":upper", AttributeValue::S(up_to(at)))
                .scan_index_forward(false)
                .consistent_read(true)
                .limit(if start.is_none() { FIRST_PAGE_ITEMS } else { PAGE_ITEMS })
                .set_exclusive_start_key(start)
                .send_boxed()
                .await?;
            for item in output.items.unwrap_or_default() {
                match entity_of(&item) {
                    Some(entity::MEMBERSHIP_SNAPSHOT) => {
                        let part: MembershipSnapshotItem = serde_dynamo::from_item(item)?;
                        let members: Vec<Membership> = serde_json::from_str(&part.members)
                            .map_err(|_| StoreError::Invariant("a membership snapshot does not parse"))?;
                        let mut seen_parts = match seen.take() {
                            Some(same) if same.at == part.at => same,
                            // Parts of another time before this one: a snapshot left half-written
                            // (without its part 0), which counts for nothing.
                            _ => PartsSeen { at: part.at.clone(), parts: part.parts, members: Vec::new() },
                        };
                        seen_parts.members.push(members);
                        if part.part == 0 {
                            if seen_parts.members.len() == seen_parts.parts {
                                let members = seen_parts.members.into_iter().rev().flatten().collect();
                                newest_first.reverse();
                                return Ok(Replay { snapshot: Some(members), entries: newest_first });
                            }
                        } else {
                            seen = Some(seen_parts);
                        }
                    }
                    Some(entity::MEMBERSHIP_CHANGE) => {
                        seen = None;
                        newest_first.push(serde_dynamo::from_item(item)?);
                    }
                    _ => {
                        return Err(StoreError::Invariant(
                            "an item in the membership log's range is neither entry nor snapshot",
                        ));
                    }
                }
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                newest_first.reverse();
                return Ok(Replay { snapshot: None, entries: newest_first });
            }
        }
    }
}

fn entity_of(item: &Item) -> Option<&str> {
    item.get("entity").and_then(|value| value.as_s().ok()).map(String::as_str)
}

/// Golden items: every attribute of each item kind, so a layout change is a deliberate one.
#[cfg(test)]
mod golden {
    use super::*;

    use crate::domain::{CustomerRole, JoinedVia};
    use crate::store::items::golden::*;

    use serde_json::json;

    fn membership() -> Membership {
        let mut membership = Membership::new(
            acme(),
            UserId::parse("u1").unwrap(),
            None,
            None,
            CustomerRole::CustomerEmployee,
            JoinedVia::Invitation,
            at(),
        );
        membership.version = 2;
        membership
    }

    #[test]
    fn membership_change_items() {
        let change = MembershipChange::joined_or_changed(&membership());
        let detail = serde_json::to_string(&membership()).unwrap();
        assert_eq!(
            stored(MembershipChangeItem::new(&change, at()).unwrap()),
            json!({
                "pk": {"S": "CUSTOMER#acme"},
                "sk": {"S": "MEMBERSHIP_LOG#2026-01-15T11:30:00.000Z#CHANGE#u1#00000000000000000002"},
                "entity": {"S": "MEMBERSHIP_CHANGE"}, "at": {"S": "2026-01-15T11:30:00.000Z"},
                "userId": {"S": "u1"}, "version": {"N": "2"}, "membership": {"S": detail}
            })
        );
        let removed = MembershipChange::removed(&membership());
        assert_eq!(
            stored(MembershipChangeItem::new(&removed, at()).unwrap()),
            json!({
                "pk": {"S": "CUSTOMER#acme"},
                "sk": {"S": "MEMBERSHIP_LOG#2026-01-15T11:30:00.000Z#CHANGE#u1#00000000000000000003"},
                "entity": {"S": "MEMBERSHIP_CHANGE"}, "at": {"S": "2026-01-15T11:30:00.000Z"},
                "userId": {"S": "u1"}, "version": {"N": "3"}
            })
        );
    }

    #[test]
    fn membership_snapshot_item() {
        let members = serde_json::to_string(&[membership()]).unwrap();
        let item = MembershipSnapshotItem {
            key: Key::membership_snapshot(&acme(), "2026-01-15T11:30:00.000Z", 1),
            entity: entity::MEMBERSHIP_SNAPSHOT.to_owned(),
            at: "2026-01-15T11:30:00.000Z".to_owned(),
            part: 1,
            parts: 2,
            members: members.clone(),
        };
        assert_eq!(
            stored(item),
            json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "MEMBERSHIP_LOG#2026-01-15T11:30:00.000Z#SNAPSHOT#0001"},
                "entity": {"S": "MEMBERSHIP_SNAPSHOT"}, "at": {"S": "2026-01-15T11:30:00.000Z"},
                "part": {"N": "1"}, "parts": {"N": "2"}, "members": {"S": members}
            })
        );
    }

    #[test]
    fn a_snapshot_sorts_after_the_entries_of_its_millisecond_and_before_the_read_bound() {
        let at = "2026-01-15T11:30:00.000Z";
        let entry = Key::membership_change(&MembershipChange::joined_or_changed(&membership()), at).sk;
        let snapshot = Key::membership_snapshot(&acme(), at, 0).sk;
        assert!(entry < snapshot && snapshot < up_to(&super::super::items::golden::at()));
        assert!(!snapshot.starts_with(crate::store::keys::MEMBER_PREFIX), "outside the members' range");
    }
}
