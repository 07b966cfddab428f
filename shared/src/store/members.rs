//! Memberships: the one way they are added, changed and removed inside a change (each keeps the
//! customer's `adminCount` exact in the same transaction), and their reads.
//!
//! The last-admin rule rests on the counter: `adminCount` counts the CUSTOMER_ADMIN members whose
//! membership does not end, and every change that takes one of them away (a demotion, a removal,
//! an end set) decrements it on condition `adminCount > 1`, so of two admins demoting, removing or
//! ending each other at the same moment exactly one transaction passes, and no interleaving of any
//! number of such changes can leave a customer without an admin that stays.
//!
//! A membership whose end has passed counts as none for every read here (the sweep removes it
//! later), and a change authorized by a membership holds only while it has not ended.
//!
//! The same three keep the member-address items (`MEMBER_EMAIL#<email>`: the set of members with
//! an address), so an invitation can tell in its own transaction that an address is a member's.

use crate::domain::EmailAddress;
use crate::events::rfc3339_millis;
use crate::sdk::SendBoxed;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::customers::ADMIN_COUNT;
use super::keys::{self, Index, Key, MEMBER_PREFIX, customer_pk, entity};
use super::membership_log::MembershipChange;
use super::pagination::{ListQuery, Page, PageQuery};
use super::{Changes, Conflict, Expression, Store, StoreError};
use crate::domain::{CustomerIdentifier, CustomerRole, Membership, UserId};

/// This entity's keys.
impl Key {
    pub fn member(customer: &CustomerIdentifier, user: &UserId) -> Self {
        Self { pk: customer_pk(customer), sk: format!("{MEMBER_PREFIX}{user}") }
    }

    /// The members of the customer with this address (outside the `MEMBER#` range): an address
    /// that is a member's cannot be invited.
    pub fn member_email(customer: &CustomerIdentifier, email: &EmailAddress) -> Self {
        Self { pk: customer_pk(customer), sk: format!("MEMBER_EMAIL#{email}") }
    }
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    /// A user's memberships, by customer.
    pub gsi1pk: String,
    pub gsi1sk: String,
    /// Only on a membership that ends: all of them by their end (the sweep's index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi5pk: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gsi5sk: Option<String>,
    #[serde(flatten)]
    pub membership: Membership,
}

impl From<&Membership> for MemberItem {
    fn from(membership: &Membership) -> Self {
        let end = membership.expires_at.map(|at| {
            let at = rfc3339_millis::format(&at);
            keys::membership_end_sort_key(&at, &membership.customer_id, &membership.user_id)
        });
        Self {
            key: Key::member(&membership.customer_id, &membership.user_id),
            entity: entity::MEMBER.to_owned(),
            gsi1pk: keys::user_memberships(&membership.user_id),
            gsi1sk: keys::customer_pk(&membership.customer_id),
            gsi5pk: end.as_ref().map(|_| keys::MEMBERSHIP_ENDS.to_owned()),
            gsi5sk: end,
            membership: membership.clone(),
        }
    }
}

/// The attribute of a member-address item: the string set of the members with the address.
pub const USER_IDS: &str = "userIds";

/// The members of a customer with one address, as a creation writes it; later joins and
/// removals `ADD` to and `DELETE` from the set (an empty set leaves the item without it).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberEmailItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    #[serde(with = "serde_dynamo::string_set")]
    pub user_ids: Vec<String>,
}

impl MemberEmailItem {
    /// The address items of `members` (those with an address), one per address.
    pub fn of(members: &[Membership]) -> Vec<Self> {
        let mut by_email: BTreeMap<(&CustomerIdentifier, &EmailAddress), Vec<String>> = BTreeMap::new();
        for member in members {
            if let Some(email) = &member.email {
                by_email.entry((&member.customer_id, email)).or_default().push(member.user_id.to_string());
            }
        }
        by_email
            .into_iter()
            .map(|((customer, email), user_ids)| Self {
                key: Key::member_email(customer, email),
                entity: entity::MEMBER_EMAIL.to_owned(),
                user_ids,
            })
            .collect()
    }
}

/// The attribute of a member item that holds the membership's end.
pub const EXPIRES_AT: &str = "expiresAt";

/// The member item's membership has no end, or ends after `now` (`expiresAt` is stored as RFC
/// 3339 with milliseconds and `Z`, so text order is time order).
pub fn not_ended(now: DateTime<Utc>) -> Expression {
    Expression::new("attribute_not_exists(#expiresAt) OR #expiresAt > :now")
        .name("#expiresAt", EXPIRES_AT)
        .value(":now", AttributeValue::S(rfc3339_millis::format(&now)))
}

/// Pages one read of a customer's admins may take (each up to 1 MB of member items).
const MAX_ADMIN_PAGES: usize = 10;

impl Changes {
    /// A new member: the member item (or [`Conflict::AlreadyMember`]), the user added to its
    /// address's item and, for an admin whose membership does not end, one more on the
    /// customer's `adminCount`.
    pub fn add_member(&mut self, membership: &Membership) -> Result<(), StoreError> {
        self.insert(&MemberItem::from(membership), Conflict::AlreadyMember)?;
        self.log_membership(MembershipChange::joined_or_changed(membership));
        if let Some(email) = &membership.email {
            let update = Expression::new("SET entity = :entity ADD #userIds :user")
                .value(":entity", AttributeValue::S(entity::MEMBER_EMAIL.to_owned()));
            self.update(
                Key::member_email(&membership.customer_id, email),
                with_user(update, &membership.user_id),
                Expression::new("NOT contains(#userIds, :userId)"),
                Conflict::AlreadyMember,
            )?;
        }
        if membership.is_permanent_admin() {
            self.count_admins(&membership.customer_id, 1)?;
        }
        Ok(())
    }

    /// `after` over `before` (a role or end change), if the member's version is still
    /// `before.version` (else [`Conflict::VersionMismatch`]); `adminCount` follows the role and
    /// the end.
    pub fn change_member(&mut self, before: &Membership, after: &Membership) -> Result<(), StoreError> {
        if after.customer_id != before.customer_id
            || after.user_id != before.user_id
            || after.version != before.version + 1
        {
            return Err(StoreError::Invariant("a membership change moves the member or skips a version"));
        }
        let version_read = Conflict::VersionMismatch { current_version: None };
        self.put(&MemberItem::from(after), Expression::version_is(before.version), version_read)?;
        self.log_membership(MembershipChange::joined_or_changed(after));
        match (before.is_permanent_admin(), after.is_permanent_admin()) {
            (false, true) => self.count_admins(&before.customer_id, 1),
            (true, false) => self.count_admins(&before.customer_id, -1),
            _ => Ok(()),
        }
    }

    /// Removes the member, if its version is still `before.version`, and from its address's item;
    /// an admin whose membership does not end only while another such admin remains
    /// ([`Conflict::LastAdmin`]).
    pub fn remove_member(&mut self, before: &Membership) -> Result<(), StoreError> {
        self.remove_member_if(before, Expression::version_is(before.version))
    }

    /// [`Changes::remove_member`] of a membership that has ended at `now` (the sweep's): only
    /// while its stored end is still the one read, so an end changed meanwhile keeps the member.
    pub fn remove_ended_member(&mut self, before: &Membership, now: DateTime<Utc>) -> Result<(), StoreError> {
        let Some(expires_at) = before.expires_at.filter(|at| *at <= now) else {
            return Err(StoreError::Invariant("only an ended membership is removed as ended"));
        };
        let same_end = Expression::new("#expiresAt = :expiresAt")
            .name("#expiresAt", EXPIRES_AT)
            .value(":expiresAt", AttributeValue::S(rfc3339_millis::format(&expires_at)));
        self.remove_member_if(before, Expression::version_is(before.version).and(same_end))
    }

    /// Marks the member as warned of its end at `now` (`expiryWarnedAt`), only while its version
    /// and end are still the ones read and it was not warned yet (else
    /// [`Conflict::VersionMismatch`]): the warning is recorded once.
    pub fn mark_expiry_warned(&mut self, member: &Membership, now: DateTime<Utc>) -> Result<(), StoreError> {
        let Some(expires_at) = member.expires_at else {
            return Err(StoreError::Invariant("only a membership that ends is warned of its end"));
        };
        let update = Expression::new("SET #warnedAt = :now")
            .name("#warnedAt", "expiryWarnedAt")
            .value(":now", AttributeValue::S(rfc3339_millis::format(&now)));
        let unwarned_same_end = Expression::new("#expiresAt = :expiresAt AND attribute_not_exists(#warnedAt)")
            .name("#expiresAt", EXPIRES_AT)
            .name("#warnedAt", "expiryWarnedAt")
            .value(":expiresAt", AttributeValue::S(rfc3339_millis::format(&expires_at)));
        let key = Key::member(&member.customer_id, &member.user_id);
        let condition = Expression::version_is(member.version).and(unwarned_same_end);
        self.update(key, update, condition, Conflict::VersionMismatch { current_version: None })
    }

    fn remove_member_if(&mut self, before: &Membership, condition: Expression) -> Result<(), StoreError> {
        let key = Key::member(&before.customer_id, &before.user_id);
        self.delete(key, condition, Conflict::VersionMismatch { current_version: None })?;
        self.log_membership(MembershipChange::removed(before));
        if let Some(email) = &before.email {
            self.update(
                Key::member_email(&before.customer_id, email),
                with_user(Expression::new("DELETE #userIds :user"), &before.user_id),
                Expression::new("contains(#userIds, :userId)"),
                Conflict::Inconsistent("a member's address item does not name them"),
            )?;
        }
        if before.is_permanent_admin() { self.count_admins(&before.customer_id, -1) } else { Ok(()) }
    }

    /// Removes all of `members` (of one customer) at once, each on the version read (else
    /// [`Conflict::VersionMismatch`]), as [`Changes::remove_member`] does one: a transaction may
    /// touch an item only once, so the members sharing an address leave its item in one update,
    /// and the k admins that stay among them leave `adminCount` in one update on condition
    /// `adminCount > k` ([`Conflict::LastAdmin`]: at least one admin that stays remains).
    pub fn remove_members(&mut self, members: &[Membership]) -> Result<(), StoreError> {
        let Some(customer) = members.first().map(|member| &member.customer_id) else { return Ok(()) };
        if members.iter().any(|member| &member.customer_id != customer) {
            return Err(StoreError::Invariant("the members removed together are of one customer"));
        }
        let mut by_email: BTreeMap<&EmailAddress, Vec<&UserId>> = BTreeMap::new();
        for member in members {
            let key = Key::member(customer, &member.user_id);
            self.delete(
                key,
                Expression::version_is(member.version),
                Conflict::VersionMismatch { current_version: None },
            )?;
            self.log_membership(MembershipChange::removed(member));
            if let Some(email) = &member.email {
                by_email.entry(email).or_default().push(&member.user_id);
            }
        }
        for (email, users) in by_email {
            let holds_them: Vec<String> = (0..users.len()).map(|n| format!("contains(#userIds, :userId{n})")).collect();
            let mut condition = Expression::new(holds_them.join(" AND "));
            for (n, user) in users.iter().enumerate() {
                condition = condition.value(&format!(":userId{n}"), AttributeValue::S(user.to_string()));
            }
            let update = Expression::new("DELETE #userIds :users")
                .name("#userIds", USER_IDS)
                .value(":users", AttributeValue::Ss(users.iter().map(ToString::to_string).collect()));
            self.update(
                Key::member_email(customer, email),
                update,
                condition,
                Conflict::Inconsistent("a member's address item does not name them"),
            )?;
        }
        let admins = members.iter().filter(|member| member.is_permanent_admin()).count();
        match i64::try_from(admins) {
            Ok(0) => Ok(()),
            Ok(admins) => self.count_admins(customer, -admins),
            Err(_) => Err(StoreError::Invariant("more admins than a number holds")),
        }
    }

    /// The change happens only if `user` still holds `role` in the customer, in a membership that
    /// has not ended at `now`: the membership its authorization was decided on (else
    /// [`Conflict::AccessChanged`]). The first condition of the change, so that a caller who lost
    /// the role is told that rather than what it hid.
    pub fn require_role_first(
        &mut self,
        customer: &CustomerIdentifier,
        user: &UserId,
        role: CustomerRole,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let condition = Expression::new("#role = :role")
            .name("#role", "role")
            .value(":role", AttributeValue::S(role.as_str().to_owned()))
            .and(not_ended(now));
        self.check(Key::member(customer, user), condition, Conflict::AccessChanged)?;
        let check = self.pop_last().ok_or(StoreError::Invariant("a check was not added"))?;
        self.put_first(check);
        Ok(())
    }

    /// Adds `delta` to the customer's `adminCount`; taking k away needs `adminCount > k`, so that
    /// one admin that stays remains.
    fn count_admins(&mut self, customer: &CustomerIdentifier, delta: i64) -> Result<(), StoreError> {
        let update = Expression::new("ADD #adminCount :delta")
            .name("#adminCount", ADMIN_COUNT)
            .value(":delta", AttributeValue::N(delta.to_string()));
        if delta > 0 {
            // The customer was read to authorize the change; ADD must never create an item.
            self.update(Key::customer(customer), update, Expression::present(), Conflict::AccessChanged)
        } else {
            let another_remains = Expression::new("#adminCount > :removed")
                .name("#adminCount", ADMIN_COUNT)
                .value(":removed", AttributeValue::N((-delta).to_string()));
            self.update(Key::customer(customer), update, another_remains, Conflict::LastAdmin)
        }
    }
}

impl Store {
    /// A customer's members, by user id: one Query of its `MEMBER#` items.
    #[tracing::instrument(skip_all, fields(%customer))]
    pub async fn list_members(
        &self,
        customer: &CustomerIdentifier,
        page: &PageQuery,
    ) -> Result<Page<Membership>, StoreError> {
        let query = ListQuery {
            index: None,
            key_condition: "#partition = :partition AND begins_with(#sort, :members)",
            filter: None,
            names: vec![("#partition", "pk"), ("#sort", "sk")],
            values: vec![(":partition", keys::customer_pk(customer)), (":members", MEMBER_PREFIX.to_owned())],
            newest_first: false,
        };
        current(self.list_page(query, page).await?.try_map(membership)?)
    }

    /// Every current member of the customer, by user id, if it has at most `max`: one consistent
    /// Query of its `MEMBER#` items, page after page (1 MB each), stopping past `max` (`None`).
    /// Memberships that have ended but are not yet swept count towards `max` and are left out.
    #[tracing::instrument(skip_all, fields(%customer, max))]
    pub async fn current_members(
        &self,
        customer: &CustomerIdentifier,
        max: usize,
    ) -> Result<Option<Vec<Membership>>, StoreError> {
        let Some(items) = self.query_up_to(keys::customer_pk(customer), MEMBER_PREFIX, max).await? else {
            return Ok(None);
        };
        let now = Utc::now();
        let members: Vec<Membership> = items.into_iter().map(membership).collect::<Result<_, _>>()?;
        Ok(Some(members.into_iter().filter(|member| !member.has_ended(now)).collect()))
    }

    /// A user's memberships, by customer identifier: one Query of gsi1 (eventually consistent:
    /// a membership written a moment ago may not show yet).
    #[tracing::instrument(skip_all, fields(%user))]
    pub async fn user_memberships(&self, user: &UserId, page: &PageQuery) -> Result<Page<Membership>, StoreError> {
        let index = Index::Gsi1;
        let query = ListQuery {
            index: Some(index),
            key_condition: "#partition = :partition AND begins_with(#sort, :customers)",
            filter: None,
            names: vec![("#partition", index.partition_attribute()), ("#sort", index.sort_attribute())],
            values: vec![(":partition", keys::user_memberships(user)), (":customers", keys::customer_sort_key(""))],
            newest_first: false,
        };
        current(self.list_page(query, page).await?.try_map(membership)?)
    }

    /// Up to `limit` memberships whose end is after `after` (`None`: from the first) and at or
    /// before `until`, earliest end first, ended ones included: a Query of the sparse gsi5, page
    /// after page (eventually consistent: a writer's condition decides on what is stored).
    #[tracing::instrument(skip_all, fields(limit))]
    pub async fn memberships_ending(
        &self,
        after: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<Membership>, StoreError> {
        let index = Index::Gsi5;
        // '~' sorts after every identifier and user id character that follows the end's '#'.
        let bound = |at: &DateTime<Utc>| format!("{}#~", rfc3339_millis::format(at));
        let (condition, lower) = match &after {
            Some(after) => ("#partition = :partition AND #sort BETWEEN :lower AND :upper", Some(bound(after))),
            None => ("#partition = :partition AND #sort <= :upper", None),
        };
        let mut found = Vec::new();
        let mut start = None;
        while found.len() < limit {
            let mut query = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(index.name())
                .key_condition_expression(condition)
                .expression_attribute_names("#partition", index.partition_attribute())
                .expression_attribute_names("#sort", index.sort_attribute())
                .expression_attribute_values(":partition", AttributeValue::S(keys::MEMBERSHIP_ENDS.to_owned()))
                .expression_attribute_values(":upper", AttributeValue::S(bound(&until)))
                .limit(i32::try_from(limit - found.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start);
            if let Some(lower) = &lower {
                query = query.expression_attribute_values(":lower", AttributeValue::S(lower.clone()));
            }
            let output = query.send_boxed().await?;
            for item in output.items.unwrap_or_default() {
                found.push(membership(item)?);
            }
            start = output.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        Ok(found)
    }

    /// Up to `limit` of the customer's CUSTOMER_ADMIN members, read consistently: a Query of its
    /// `MEMBER#` items filtered to admins, page after page until `limit` are found or the
    /// members end, and never more than [`MAX_ADMIN_PAGES`] pages.
    #[tracing::instrument(skip_all, fields(%customer, limit))]
    pub async fn customer_admins(
        &self,
        customer: &CustomerIdentifier,
        limit: usize,
    ) -> Result<Vec<Membership>, StoreError> {
        let mut admins = Vec::new();
        let mut start = None;
        for _ in 0..MAX_ADMIN_PAGES {
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk AND begins_with(sk, :members)")
                .filter_expression("#role = :admin")
                .expression_attribute_names("#role", "role")
                .expression_attribute_values(":pk", AttributeValue::S(keys::customer_pk(customer)))
                .expression_attribute_values(":members", AttributeValue::S(MEMBER_PREFIX.to_owned()))
                .expression_attribute_values(
                    ":admin",
                    AttributeValue::S(CustomerRole::CustomerAdmin.as_str().to_owned()),
                )
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send_boxed()
                .await?;
            let now = Utc::now();
            for item in output.items.unwrap_or_default() {
                let admin = membership(item)?;
                if !admin.has_ended(now) {
                    admins.push(admin);
                }
            }
            start = output.last_evaluated_key;
            if admins.len() >= limit || start.is_none() {
                break;
            }
        }
        admins.truncate(limit);
        Ok(admins)
    }
}

/// `#userIds` (the member-address item's set), `:user` (the user as a one-element set, for
/// `ADD` and `DELETE`) and `:userId` (the user, for `contains`) in `expression`.
fn with_user(expression: Expression, user: &UserId) -> Expression {
    expression
        .name("#userIds", USER_IDS)
        .value(":user", AttributeValue::Ss(vec![user.to_string()]))
        .value(":userId", AttributeValue::S(user.to_string()))
}

/// The page without the memberships that have ended by now (a page may then hold fewer than
/// asked for; its cursor still goes on where the read stopped).
fn current(mut page: Page<Membership>) -> Result<Page<Membership>, StoreError> {
    let now = Utc::now();
    page.items.retain(|member| !member.has_ended(now));
    Ok(page)
}

fn membership(item: super::items::Item) -> Result<Membership, StoreError> {
    Ok(serde_dynamo::from_item::<_, MemberItem>(item)?.membership)
}

/// Golden items: every attribute of each item kind, so a layout change is a deliberate one.
#[cfg(test)]
mod golden {
    use super::*;

    use crate::domain::*;

    use crate::store::items::golden::*;

    use serde_json::{Value, json};

    #[test]
    fn member_item() {
        let mut membership = Membership::new(
            acme(),
            UserId::parse("u1").unwrap(),
            Some(EmailAddress::parse("jo@acme.example").unwrap()),
            Some("Jo".to_owned()),
            CustomerRole::CustomerAdmin,
            JoinedVia::SelfAssignment,
            at(),
        );
        membership.version = 3;
        assert_eq!(
            stored(MemberItem::from(&membership)),
            json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "MEMBER#u1"}, "entity": {"S": "MEMBER"},
                "gsi1pk": {"S": "USER#u1"}, "gsi1sk": {"S": "CUSTOMER#acme"},
                "customerId": {"S": "acme"}, "userId": {"S": "u1"}, "email": {"S": "jo@acme.example"},
                "name": {"S": "Jo"}, "role": {"S": "CUSTOMER_ADMIN"}, "joinedAt": {"S": "2026-01-15T11:30:00Z"},
                "joinedVia": {"S": "SELF_ASSIGNMENT"}, "version": {"N": "3"}
            })
        );
    }

    /// Who added the member and when its role last changed; items written before have neither
    /// (the item above), and read as `None`.
    #[test]
    fn a_member_item_with_who_added_it_and_its_last_role_change() {
        let mut membership = Membership::new(
            acme(),
            UserId::parse("u2").unwrap(),
            None,
            None,
            CustomerRole::CustomerAdmin,
            JoinedVia::Invitation,
            at(),
        )
        .with_added_by(Some(UserId::parse("u1").unwrap()));
        membership.last_role_change_at = Some(at() + chrono::Duration::days(2));
        membership.version = 2;
        let item = MemberItem::from(&membership);
        assert_eq!(
            stored(&item),
            json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "MEMBER#u2"}, "entity": {"S": "MEMBER"},
                "gsi1pk": {"S": "USER#u2"}, "gsi1sk": {"S": "CUSTOMER#acme"},
                "customerId": {"S": "acme"}, "userId": {"S": "u2"}, "email": {"NULL": true},
                "name": {"NULL": true}, "role": {"S": "CUSTOMER_ADMIN"}, "joinedAt": {"S": "2026-01-15T11:30:00Z"},
                "joinedVia": {"S": "INVITATION"}, "version": {"N": "2"}, "addedBy": {"S": "u1"},
                "lastRoleChangeAt": {"S": "2026-01-17T11:30:00.000Z"}
            })
        );
        let read = membership_of(crate::store::items::to_item(&item).unwrap()).unwrap();
        assert_eq!(read, membership);
        let mut earlier = crate::store::items::to_item(&item).unwrap();
        earlier.remove("addedBy");
        earlier.remove("lastRoleChangeAt");
        let read = membership_of(earlier).unwrap();
        assert_eq!((read.added_by, read.last_role_change_at), (None, None), "an item written before reads as none");
    }

    fn membership_of(item: crate::store::items::Item) -> Result<Membership, StoreError> {
        membership(item)
    }

    #[test]
    fn a_member_item_that_ends_is_in_the_sparse_index_of_ends() {
        let membership = Membership::new(
            acme(),
            UserId::parse("u1").unwrap(),
            None,
            None,
            CustomerRole::CustomerEmployee,
            JoinedVia::Invitation,
            at(),
        )
        .ending(Some(at() + chrono::Duration::days(30)));
        assert_eq!(
            stored(MemberItem::from(&membership)),
            json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "MEMBER#u1"}, "entity": {"S": "MEMBER"},
                "gsi1pk": {"S": "USER#u1"}, "gsi1sk": {"S": "CUSTOMER#acme"},
                "gsi5pk": {"S": "MEMBERSHIP_ENDS"}, "gsi5sk": {"S": "2026-02-14T11:30:00.000Z#acme#u1"},
                "customerId": {"S": "acme"}, "userId": {"S": "u1"}, "email": {"NULL": true},
                "name": {"NULL": true}, "role": {"S": "CUSTOMER_EMPLOYEE"}, "joinedAt": {"S": "2026-01-15T11:30:00Z"},
                "joinedVia": {"S": "INVITATION"}, "version": {"N": "1"},
                "expiresAt": {"S": "2026-02-14T11:30:00.000Z"}
            })
        );
    }

    #[test]
    fn member_email_items_group_the_members_of_an_address() {
        let member = |user: &str, email: Option<&str>| {
            Membership::new(
                acme(),
                UserId::parse(user).unwrap(),
                email.map(|e| EmailAddress::parse(e).unwrap()),
                None,
                CustomerRole::CustomerAdmin,
                JoinedVia::Registration,
                at(),
            )
        };
        let members =
            [member("u1", Some("jo@acme.example")), member("u2", None), member("u3", Some("Jo@Acme.example"))];
        let items: Vec<Value> = MemberEmailItem::of(&members).into_iter().map(stored).collect();
        assert_eq!(
            items,
            [json!({
                "pk": {"S": "CUSTOMER#acme"}, "sk": {"S": "MEMBER_EMAIL#jo@acme.example"},
                "entity": {"S": "MEMBER_EMAIL"}, "userIds": {"SS": ["u1", "u3"]}
            })]
        );
    }
}
