//! One way to read a list page by page: a Query (never a Scan), optionally filtered, with a
//! signed cursor. Filters apply after DynamoDB's own page limit, so it reads on until the page
//! is full or the partition ends.

use aws_sdk_dynamodb::types::AttributeValue;
use serde::Serialize;
use std::collections::HashMap;

use super::cursor::{self, StringKey};
use super::{Store, StoreError};

type Item = HashMap<String, AttributeValue>;

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
    pub index: Option<&'static str>,
    /// The key attributes of the items it reads: the table's and, on an index, the index's.
    pub key_attributes: &'static [&'static str],
    pub key_condition: &'static str,
    pub filter: Option<String>,
    pub names: Vec<(&'static str, &'static str)>,
    pub values: Vec<(&'static str, String)>,
    pub newest_first: bool,
}

impl ListQuery {
    /// What names the list: index, partition, filter and their values. A cursor is signed with
    /// it, so it is valid only for the list that issued it.
    fn scope(&self) -> String {
        format!("{:?}|{}|{:?}|{:?}", self.index, self.key_condition, self.filter, self.values)
    }
}

impl Store {
    pub(crate) async fn list_page(&self, query: ListQuery, page: &PageQuery) -> Result<Page<Item>, StoreError> {
        let limit = usize::from(page.limit);
        let scope = query.scope();
        let mut start: Option<Item> = match &page.cursor {
            None => None,
            Some(raw) => {
                let key = cursor::decode(raw, &scope, &self.cursor_key).ok_or(StoreError::InvalidCursor)?;
                if !query.key_attributes.iter().all(|name| key.contains_key(*name))
                    || key.len() != query.key_attributes.len()
                {
                    return Err(StoreError::InvalidCursor);
                }
                Some(key.into_iter().map(|(name, value)| (name, AttributeValue::S(value))).collect())
            }
        };
        let mut items: Vec<Item> = Vec::with_capacity(limit);
        loop {
            let mut request = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(query.index.map(str::to_owned))
                .key_condition_expression(query.key_condition)
                .set_filter_expression(query.filter.clone())
                .scan_index_forward(!query.newest_first)
                .limit(i32::from(page.limit) + 1)
                .set_exclusive_start_key(start.take());
            for (placeholder, name) in &query.names {
                request = request.expression_attribute_names(*placeholder, *name);
            }
            for (placeholder, value) in &query.values {
                request = request.expression_attribute_values(*placeholder, AttributeValue::S(value.clone()));
            }
            let output = request.send().await.map_err(StoreError::internal)?;
            items.extend(output.items.unwrap_or_default());
            start = output.last_evaluated_key;
            // Read on past a full page by one item, so that "more" is known, not guessed.
            if items.len() > limit || start.is_none() {
                break;
            }
        }
        // One item more than the page holds proves there is a next page.
        let next_cursor = if items.len() > limit {
            items.truncate(limit);
            Some(self.cursor_after(items.last(), &query, &scope)?)
        } else {
            None
        };
        Ok(Page { items, next_cursor })
    }

    fn cursor_after(&self, last: Option<&Item>, query: &ListQuery, scope: &str) -> Result<String, StoreError> {
        let last = last.ok_or_else(|| StoreError::internal("a full page has a last item"))?;
        let key: StringKey = query
            .key_attributes
            .iter()
            .map(|name| match last.get(*name) {
                Some(AttributeValue::S(value)) => Ok(((*name).to_owned(), value.clone())),
                _ => Err(StoreError::internal(format!("item lacks key attribute {name}"))),
            })
            .collect::<Result<_, _>>()?;
        Ok(cursor::encode(&key, scope, &self.cursor_key))
    }
}
