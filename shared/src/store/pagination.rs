//! One way to read a list page by page: exactly one Query per page (never a Scan), optionally
//! filtered, with a signed cursor. A filtered Query evaluates at most [`MAX_FILTERED_READ`] items,
//! so a page may hold fewer items than asked (even none) and still carry a `nextCursor`; DynamoDB
//! also ends a Query at 1 MB. Either way one request costs one bounded read.

use crate::sdk::SendBoxed;
use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;

use super::cursor::{self, StringKey};
use super::items::Item;
use super::keys::Index;
use super::{Store, StoreError};

/// The most items one filtered page request evaluates.
pub const MAX_FILTERED_READ: u16 = 1000;

/// What the caller asked for: `limit` 1–100 and the cursor of the previous page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageQuery {
    pub limit: u16,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page { items: self.items.into_iter().map(f).collect::<Result<_, _>>()?, next_cursor: self.next_cursor })
    }
}

/// A Query over one partition of the table or an index.
pub(crate) struct ListQuery {
    pub index: Option<Index>,
    pub key_condition: &'static str,
    pub filter: Option<&'static str>,
    pub names: Vec<(&'static str, &'static str)>,
    pub values: Vec<(&'static str, String)>,
    pub newest_first: bool,
}

impl ListQuery {
    /// What names the list: index, key condition, filter and their values. A cursor is signed
    /// with it, so it is valid only for the list that issued it.
    fn scope(&self) -> String {
        format!("{:?}|{}|{:?}|{:?}", self.index.map(Index::name), self.key_condition, self.filter, self.values)
    }

    /// The key attributes of the items it reads: the table's and, on an index, the index's.
    fn key_attributes(&self) -> Vec<&'static str> {
        let mut attributes = vec!["pk", "sk"];
        if let Some(index) = self.index {
            attributes.extend([index.partition_attribute(), index.sort_attribute()]);
        }
        attributes
    }
}

impl Store {
    pub(crate) async fn list_page(&self, query: ListQuery, page: &PageQuery) -> Result<Page<Item>, StoreError> {
        let limit = usize::from(page.limit);
        let scope = query.scope();
        let key_attributes = query.key_attributes();
        let secret = self.cursor_key().await?.expose();
        let start: Option<Item> = match &page.cursor {
            None => None,
            Some(raw) => {
                let key = cursor::decode(raw, &scope, secret).ok_or(StoreError::InvalidCursor)?;
                if key.len() != key_attributes.len() || !key_attributes.iter().all(|name| key.contains_key(*name)) {
                    return Err(StoreError::InvalidCursor);
                }
                Some(key.into_iter().map(|(name, value)| (name, AttributeValue::S(value))).collect())
            }
        };
        // One item beyond the page proves there is more; a filter may need to evaluate more.
        let evaluate = if query.filter.is_some() { MAX_FILTERED_READ.max(page.limit + 1) } else { page.limit + 1 };
        let mut request = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(query.index.map(|index| index.name().to_owned()))
            .key_condition_expression(query.key_condition)
            .set_filter_expression(query.filter.map(str::to_owned))
            .scan_index_forward(!query.newest_first)
            .limit(i32::from(evaluate))
            .set_exclusive_start_key(start);
        for (placeholder, name) in &query.names {
            request = request.expression_attribute_names(*placeholder, *name);
        }
        for (placeholder, value) in &query.values {
            request = request.expression_attribute_values(*placeholder, AttributeValue::S(value.clone()));
        }
        let output = request.send_boxed().await?;
        let mut items = output.items.unwrap_or_default();
        let resume_after = if items.len() > limit {
            items.truncate(limit);
            items.last().cloned()
        } else {
            // The Query stopped at its evaluation limit or at 1 MB: more may follow.
            output.last_evaluated_key
        };
        let next_cursor = resume_after.map(|key| Self::cursor_of(&key, &key_attributes, &scope, secret)).transpose()?;
        Ok(Page { items, next_cursor })
    }

    fn cursor_of(key: &Item, attributes: &[&str], scope: &str, secret: &[u8]) -> Result<String, StoreError> {
        let key: StringKey = attributes
            .iter()
            .map(|name| match key.get(*name) {
                Some(AttributeValue::S(value)) => Ok(((*name).to_owned(), value.clone())),
                _ => Err(StoreError::Invariant("a listed item lacks a key attribute of its list")),
            })
            .collect::<Result<_, _>>()?;
        Ok(cursor::encode(&key, scope, secret))
    }
}
