//! Tag definitions (installation-wide) and the tag values a customer carries.

use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use super::{DisplayName, EmailAddress, FieldError};

/// 1 to 64 letters, digits, `-` or `_`, starting with a letter.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TagKey(String);

impl TagKey {
    pub fn parse(raw: &str) -> Result<Self, FieldError> {
        let valid = raw.len() <= 64
            && raw.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
            && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(FieldError::new("must be 1 to 64 letters, digits, '-' or '_', starting with a letter"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What values a tag takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "valueType", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TagValueType {
    String {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pattern: Option<String>,
    },
    Email,
    Integer,
    Boolean,
    SingleSelect {
        options: Vec<String>,
    },
    MultiSelect {
        options: Vec<String>,
    },
}

/// The names of the value types, as `valueType` spells them.
pub const VALUE_TYPE_NAMES: [&str; 6] = ["STRING", "EMAIL", "INTEGER", "BOOLEAN", "SINGLE_SELECT", "MULTI_SELECT"];

impl TagValueType {
    pub fn name(&self) -> &'static str {
        match self {
            Self::String { .. } => "STRING",
            Self::Email => "EMAIL",
            Self::Integer => "INTEGER",
            Self::Boolean => "BOOLEAN",
            Self::SingleSelect { .. } => "SINGLE_SELECT",
            Self::MultiSelect { .. } => "MULTI_SELECT",
        }
    }

    /// A value type from its parts as sent: `valueType`, `pattern` (STRING only) and `options`
    /// (the select types only, where they are required). Each refusal names its field.
    pub fn parse(
        name: &str,
        pattern: Option<String>,
        options: Option<Vec<String>>,
    ) -> Result<Self, Vec<(&'static str, FieldError)>> {
        let mut errors = Vec::new();
        let takes_options = matches!(name, "SINGLE_SELECT" | "MULTI_SELECT");
        if pattern.is_some() && name != "STRING" {
            errors.push(("pattern", FieldError::new("only a STRING tag takes a pattern")));
        }
        if options.is_some() && !takes_options {
            errors.push(("options", FieldError::new("only a SINGLE_SELECT or MULTI_SELECT tag takes options")));
        }
        let pattern = pattern.and_then(|raw| parse_pattern(&raw).map_err(|e| errors.push(("pattern", e))).ok());
        let options = match options {
            None if takes_options => {
                errors.push(("options", FieldError::new("is required for a SINGLE_SELECT or MULTI_SELECT tag")));
                None
            }
            None => None,
            Some(raw) => parse_options(raw).map_err(|e| errors.push(("options", e))).ok(),
        };
        let value_type = match (name, pattern, options) {
            ("STRING", pattern, _) => Some(Self::String { pattern }),
            ("EMAIL", ..) => Some(Self::Email),
            ("INTEGER", ..) => Some(Self::Integer),
            ("BOOLEAN", ..) => Some(Self::Boolean),
            ("SINGLE_SELECT", _, Some(options)) => Some(Self::SingleSelect { options }),
            ("MULTI_SELECT", _, Some(options)) => Some(Self::MultiSelect { options }),
            (name, ..) if !VALUE_TYPE_NAMES.contains(&name) => {
                errors.push(("valueType", FieldError::new(format!("must be one of {}", VALUE_TYPE_NAMES.join(", ")))));
                None
            }
            _ => None,
        };
        match value_type {
            Some(value_type) if errors.is_empty() => Ok(value_type),
            _ => Err(errors),
        }
    }
}

/// An installation-wide tag definition. `key` and the value type's name never change; a deleted
/// definition is retired (see the store), and its key is never defined again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagDefinition {
    pub key: TagKey,
    pub display_name: DisplayName,
    #[serde(default)]
    pub description: String,
    #[serde(flatten)]
    pub value_type: TagValueType,
    /// Customers must carry the tag: given at creation (restricted ones by admin-area users
    /// only), and it cannot be removed.
    pub mandatory: bool,
    /// Only admin-area roles may write a restricted tag.
    pub restricted: bool,
    /// 1 when created, +1 on every change; the `ETag`.
    pub version: u64,
}

impl TagDefinition {
    /// Whether `other` says the same, versions aside.
    pub fn same_as(&self, other: &TagDefinition) -> bool {
        let mut other = other.clone();
        other.version = self.version;
        *self == other
    }
}

/// A definition's description: surrounding white space trimmed, at most
/// [`limits::MAX_DESCRIPTION_CHARS`] characters, possibly empty, several lines allowed.
pub fn parse_description(raw: &str) -> Result<String, FieldError> {
    let trimmed = raw.trim();
    if trimmed.chars().count() > limits::MAX_DESCRIPTION_CHARS {
        return Err(FieldError::new(format!("must be at most {} characters", limits::MAX_DESCRIPTION_CHARS)));
    }
    super::text::check_multiline_text(trimmed)?;
    Ok(trimmed.to_owned())
}

/// A STRING tag's pattern: what its values must match in whole (it is anchored), in the syntax of
/// Rust's `regex` crate (no look-around, no back-references: matching time stays linear).
fn parse_pattern(raw: &str) -> Result<String, FieldError> {
    if raw.is_empty() {
        return Err(FieldError::new("must not be empty (leave it out for free text)"));
    }
    if raw.chars().count() > limits::MAX_PATTERN_CHARS {
        return Err(FieldError::new(format!("must be at most {} characters", limits::MAX_PATTERN_CHARS)));
    }
    compile_pattern(raw).map_err(|error| match error {
        regex::Error::CompiledTooBig(_) => FieldError::new("is too complex: it compiles to more than 64 KiB"),
        _ => FieldError::new("is not a valid regular expression (Rust regex syntax)"),
    })?;
    Ok(raw.to_owned())
}

/// The one way a pattern is compiled, at definition time and when values are checked: anchored
/// at both ends, its compiled size bounded.
fn compile_pattern(pattern: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&format!("^(?:{pattern})$")).size_limit(limits::PATTERN_SIZE_LIMIT).build()
}

/// A select tag's options: 1 to [`limits::MAX_OPTIONS`] distinct values, each a valid tag value,
/// at most [`limits::MAX_OPTIONS_CHARS`] characters together. Their order is kept.
fn parse_options(raw: Vec<String>) -> Result<Vec<String>, FieldError> {
    if raw.is_empty() || raw.len() > limits::MAX_OPTIONS {
        return Err(FieldError::new(format!("must list 1 to {} options", limits::MAX_OPTIONS)));
    }
    if let Some(option) = raw.iter().find(|option| option.is_empty() || option.trim() != option.as_str()) {
        return Err(FieldError::new(format!("option {option:?} must be non-empty and have no surrounding spaces")));
    }
    if raw.iter().any(|option| option.chars().count() > limits::MAX_VALUE_CHARS) {
        return Err(FieldError::new(format!("options must be at most {} characters", limits::MAX_VALUE_CHARS)));
    }
    if raw.iter().map(|option| option.chars().count()).sum::<usize>() > limits::MAX_OPTIONS_CHARS {
        return Err(FieldError::new(format!("must be at most {} characters together", limits::MAX_OPTIONS_CHARS)));
    }
    if raw.iter().any(|option| option.chars().any(char::is_control)) {
        return Err(FieldError::new("options must not contain control characters"));
    }
    let mut seen = BTreeSet::new();
    if let Some(option) = raw.iter().find(|option| !seen.insert(option.as_str())) {
        return Err(FieldError::new(format!("option {option:?} is listed more than once")));
    }
    Ok(raw)
}

/// A customer's tag values: a list of strings per key, in canonical form.
pub type TagValues = BTreeMap<TagKey, Vec<String>>;

/// A tag edit as sent: per key, its new values, or `None` to remove the key. Keys it does not
/// name keep their values.
pub type TagEdit = BTreeMap<String, Option<Vec<String>>>;

/// The definitions a tag edit names, as stored: those in use and those retired.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TagCatalog {
    pub defined: Vec<TagDefinition>,
    /// Deleted definitions: their stored values stay, are no longer checked, and can only be
    /// removed (by whoever could write the tag before).
    pub retired: Vec<TagDefinition>,
}

/// Bounds on a customer's tags. Together they keep the largest customer item well under
/// DynamoDB's 400 KB and the largest event (CUSTOMER_TAGS_EDITED carries every key's values before
/// and after) under EventBridge's 256 KB: 20 keys × 10 values × 128 characters of at most 4 bytes
/// is about 100 KB per snapshot. `tests/tests/limits.rs` proves it at the maximum of each bound.
///
/// The bounds on definitions keep the whole catalog in one Query page (1 MB): a definition is at
/// most about 9 KB (a 128-character name, a 1,000-character description and 1,000 characters of
/// options, 4 bytes each), and there are at most 100. `tests/tests/tags.rs` reads the largest
/// catalog in one Query.
pub mod limits {
    pub const MAX_TAGS: usize = 20;
    pub const MAX_VALUES_PER_TAG: usize = 10;
    pub const MAX_VALUE_CHARS: usize = 128;
    /// Keys one edit may name: enough to replace every tag a customer may carry by others.
    pub const MAX_EDITED_KEYS: usize = 2 * MAX_TAGS;
    /// Definitions in use at once (retired ones do not count).
    pub const MAX_DEFINITIONS: usize = 100;
    pub const MAX_DESCRIPTION_CHARS: usize = 1000;
    pub const MAX_PATTERN_CHARS: usize = 256;
    /// Compiled size of a pattern, in bytes (`regex::RegexBuilder::size_limit`).
    pub const PATTERN_SIZE_LIMIT: usize = 64 * 1024;
    pub const MAX_OPTIONS: usize = 50;
    pub const MAX_OPTIONS_CHARS: usize = 1000;
}

/// Who writes tags, which decides which tags it may write and which it must.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagWriter {
    /// A registrant or customer admin: no restricted tags; mandatory unrestricted ones required.
    Customer,
    /// A partner or platform user: every tag; every mandatory one required.
    AdminArea,
}

impl TagWriter {
    fn may_write(self, definition: &TagDefinition) -> bool {
        self == Self::AdminArea || !definition.restricted
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagError {
    /// Values that break their definitions, keyed by the tag key as the caller wrote it.
    Invalid(BTreeMap<String, String>),
    /// Restricted tags the writer may not touch.
    Restricted(Vec<String>),
    /// More keys than [`limits::MAX_TAGS`].
    TooManyTags,
}

/// Checks requested tag values against the definitions and returns them in canonical form: the
/// tags of a new customer, where every mandatory tag the writer may write is required.
pub fn validate_tags(
    definitions: &[TagDefinition],
    requested: &BTreeMap<String, Vec<String>>,
    writer: TagWriter,
) -> Result<TagValues, TagError> {
    if requested.len() > limits::MAX_TAGS {
        return Err(TagError::TooManyTags);
    }
    let edit: TagEdit = requested.iter().map(|(key, values)| (key.clone(), Some(values.clone()))).collect();
    let (values, mut errors) = merge(definitions, &[], &TagValues::new(), &edit, writer)?;
    for definition in definitions {
        let required = definition.mandatory && writer.may_write(definition);
        if required && !values.contains_key(&definition.key) && !errors.contains_key(definition.key.as_str()) {
            errors.insert(definition.key.to_string(), "is mandatory".to_owned());
        }
    }
    if errors.is_empty() { Ok(values) } else { Err(TagError::Invalid(errors)) }
}

/// Applies an edit to a customer's stored tags (a merge) and returns them as they are to be
/// stored. Only the keys the edit names are checked: a restricted one by a customer writer is
/// refused whole ([`TagError::Restricted`]), a mandatory one cannot be removed, a retired one can
/// only be removed. Values stored under a definition that has changed since stay as they are
/// until an edit names their key.
pub fn edit_tags(
    catalog: &TagCatalog,
    current: &TagValues,
    edit: &TagEdit,
    writer: TagWriter,
) -> Result<TagValues, TagError> {
    let (values, errors) = merge(&catalog.defined, &catalog.retired, current, edit, writer)?;
    if !errors.is_empty() {
        return Err(TagError::Invalid(errors));
    }
    if values.len() > limits::MAX_TAGS {
        return Err(TagError::TooManyTags);
    }
    Ok(values)
}

/// What is known of a tag key an edit names.
enum Known<'a> {
    Defined(&'a TagDefinition),
    Retired(&'a TagDefinition),
}

impl Known<'_> {
    fn definition(&self) -> &TagDefinition {
        match self {
            Self::Defined(definition) | Self::Retired(definition) => definition,
        }
    }
}

/// The rules every tag write shares: `current` with `edit` applied, and the keys it refused.
fn merge(
    defined: &[TagDefinition],
    retired: &[TagDefinition],
    current: &TagValues,
    edit: &TagEdit,
    writer: TagWriter,
) -> Result<(TagValues, BTreeMap<String, String>), TagError> {
    let find = |definitions: &[TagDefinition], key: &str| {
        definitions.iter().position(|definition| definition.key.as_str() == key)
    };
    let known = |key: &str| match find(defined, key) {
        Some(index) => Some(Known::Defined(&defined[index])),
        None => find(retired, key).map(|index| Known::Retired(&retired[index])),
    };
    let restricted: Vec<String> = edit
        .keys()
        .filter(|key| known(key.as_str()).is_some_and(|known| !writer.may_write(known.definition())))
        .cloned()
        .collect();
    if !restricted.is_empty() {
        return Err(TagError::Restricted(restricted));
    }
    let mut values = current.clone();
    let mut errors = BTreeMap::new();
    for (key, requested) in edit {
        let outcome = match (known(key), requested) {
            (None, _) => Err(FieldError::new("is not a defined tag")),
            (Some(Known::Retired(_)), Some(_)) => {
                Err(FieldError::new("is no longer defined: its values can only be removed"))
            }
            (Some(Known::Defined(definition)), None) if definition.mandatory => Err(FieldError::new("is mandatory")),
            (Some(known), None) => {
                values.remove(&known.definition().key);
                Ok(())
            }
            (Some(Known::Defined(definition)), Some(raw)) => {
                canonical_values(&definition.value_type, raw).map(|canonical| {
                    values.insert(definition.key.clone(), canonical);
                })
            }
        };
        if let Err(problem) = outcome {
            errors.insert(key.clone(), problem.message().to_owned());
        }
    }
    Ok((values, errors))
}

fn canonical_values(value_type: &TagValueType, raw: &[String]) -> Result<Vec<String>, FieldError> {
    if raw.is_empty() {
        return Err(FieldError::new("must have at least one value"));
    }
    if raw.len() > limits::MAX_VALUES_PER_TAG {
        return Err(FieldError::new(format!("takes at most {} values", limits::MAX_VALUES_PER_TAG)));
    }
    if raw.iter().any(|value| value.chars().count() > limits::MAX_VALUE_CHARS) {
        return Err(FieldError::new(format!("values must be at most {} characters", limits::MAX_VALUE_CHARS)));
    }
    if raw.iter().any(|value| value.chars().any(char::is_control)) {
        return Err(FieldError::new("values must not contain control characters"));
    }
    let single = |what: &str| {
        if raw.len() == 1 { Ok(()) } else { Err(FieldError::new(format!("takes exactly one {what}"))) }
    };
    match value_type {
        TagValueType::String { pattern } => {
            let pattern = pattern
                .as_deref()
                .map(compile_pattern)
                .transpose()
                .map_err(|_| FieldError::new("has a definition whose pattern does not compile"))?;
            raw.iter()
                .map(|value| match &pattern {
                    Some(regex) if !regex.is_match(value) => {
                        Err(FieldError::new(format!("value {value:?} does not match the tag's pattern")))
                    }
                    _ if value.is_empty() => Err(FieldError::new("values must not be empty")),
                    _ => Ok(value.clone()),
                })
                .collect()
        }
        TagValueType::Email => raw.iter().map(|value| EmailAddress::parse(value).map(String::from)).collect(),
        TagValueType::Integer => {
            single("integer")?;
            raw[0]
                .trim()
                .parse::<i64>()
                .map(|n| vec![n.to_string()])
                .map_err(|_| FieldError::new("must be a whole number"))
        }
        TagValueType::Boolean => {
            single("boolean")?;
            match raw[0].as_str() {
                "true" | "false" => Ok(raw.to_vec()),
                _ => Err(FieldError::new("must be \"true\" or \"false\"")),
            }
        }
        TagValueType::SingleSelect { options } => {
            single("option")?;
            check_options(options, raw)
        }
        TagValueType::MultiSelect { options } => check_options(options, raw),
    }
}

fn check_options(options: &[String], raw: &[String]) -> Result<Vec<String>, FieldError> {
    if let Some(value) = raw.iter().find(|value| !options.contains(value)) {
        return Err(FieldError::new(format!("option {value:?} is not allowed")));
    }
    let mut canonical = raw.to_vec();
    canonical.sort();
    canonical.dedup();
    Ok(canonical)
}

super::string_conversions!(TagKey);

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(key: &str, value_type: TagValueType, mandatory: bool, restricted: bool) -> TagDefinition {
        TagDefinition {
            key: TagKey::parse(key).unwrap(),
            display_name: DisplayName::parse(key).unwrap(),
            description: String::new(),
            value_type,
            mandatory,
            restricted,
            version: 1,
        }
    }

    fn request(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs.iter().map(|(k, vs)| (k.to_string(), vs.iter().map(|v| v.to_string()).collect())).collect()
    }

    fn definitions() -> Vec<TagDefinition> {
        vec![
            definition("costCenter", TagValueType::String { pattern: Some("[0-9]{4}".into()) }, true, false),
            definition(
                "billing",
                TagValueType::SingleSelect { options: vec!["invoice".into(), "card".into()] },
                true,
                true,
            ),
            definition("seats", TagValueType::Integer, false, false),
            definition("owner", TagValueType::Email, false, false),
            definition("regions", TagValueType::MultiSelect { options: vec!["eu".into(), "us".into()] }, false, false),
            definition("vip", TagValueType::Boolean, false, false),
        ]
    }

    #[test]
    fn canonicalises_valid_values() {
        let values = validate_tags(
            &definitions(),
            &request(&[
                ("costCenter", &["1234"]),
                ("seats", &[" 12"]),
                ("owner", &["A@B.de"]),
                ("regions", &["us", "eu", "us"]),
                ("vip", &["true"]),
            ]),
            TagWriter::Customer,
        )
        .unwrap();
        let get = |k: &str| values[&TagKey::parse(k).unwrap()].clone();
        assert_eq!(get("seats"), vec!["12"]);
        assert_eq!(get("owner"), vec!["a@b.de"]);
        assert_eq!(get("regions"), vec!["eu", "us"]);
    }

    #[test]
    fn names_each_offending_key() {
        let Err(TagError::Invalid(errors)) = validate_tags(
            &definitions(),
            &request(&[("costCenter", &["12"]), ("unknown", &["x"]), ("seats", &["many"]), ("regions", &["mars"])]),
            TagWriter::AdminArea,
        ) else {
            panic!("expected invalid tags");
        };
        let keys: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(keys, ["billing", "costCenter", "regions", "seats", "unknown"]);
        assert_eq!(errors["billing"], "is mandatory");
    }

    #[test]
    fn customers_may_not_write_restricted_tags_and_need_not_supply_them() {
        assert_eq!(
            validate_tags(
                &definitions(),
                &request(&[("costCenter", &["1234"]), ("billing", &["card"])]),
                TagWriter::Customer
            ),
            Err(TagError::Restricted(vec!["billing".into()]))
        );
        assert!(validate_tags(&definitions(), &request(&[("costCenter", &["1234"])]), TagWriter::Customer).is_ok());
    }

    #[test]
    fn admin_area_must_supply_restricted_mandatory_tags() {
        let result = validate_tags(&definitions(), &request(&[("costCenter", &["1234"])]), TagWriter::AdminArea);
        assert!(matches!(result, Err(TagError::Invalid(errors)) if errors.contains_key("billing")));
    }

    #[test]
    fn every_bound_is_enforced() {
        let free = vec![definition("note", TagValueType::String { pattern: None }, false, false)];
        let values = |n: usize, chars: usize| vec!["é".repeat(chars); n];
        let at_most =
            BTreeMap::from([("note".to_owned(), values(limits::MAX_VALUES_PER_TAG, limits::MAX_VALUE_CHARS))]);
        assert!(validate_tags(&free, &at_most, TagWriter::Customer).is_ok());
        for too_much in
            [values(limits::MAX_VALUES_PER_TAG + 1, 1), values(1, limits::MAX_VALUE_CHARS + 1), vec!["a\nb".into()]]
        {
            let request = BTreeMap::from([("note".to_owned(), too_much)]);
            assert!(
                matches!(validate_tags(&free, &request, TagWriter::Customer), Err(TagError::Invalid(e)) if e.contains_key("note"))
            );
        }
        let many: BTreeMap<String, Vec<String>> =
            (0..=limits::MAX_TAGS).map(|n| (format!("k{n}"), vec!["v".to_owned()])).collect();
        assert_eq!(validate_tags(&free, &many, TagWriter::AdminArea), Err(TagError::TooManyTags));
    }

    #[test]
    fn definitions_serialize_with_flat_value_type() {
        let json = serde_json::to_value(definition(
            "billing",
            TagValueType::SingleSelect { options: vec!["card".into()] },
            true,
            true,
        ))
        .unwrap();
        assert_eq!(json["valueType"], "SINGLE_SELECT");
        assert_eq!(json["options"][0], "card");
    }

    fn edit(pairs: &[(&str, Option<&[&str]>)]) -> TagEdit {
        pairs.iter().map(|(k, vs)| (k.to_string(), vs.map(|vs| vs.iter().map(|v| v.to_string()).collect()))).collect()
    }

    fn values(pairs: &[(&str, &[&str])]) -> TagValues {
        pairs.iter().map(|(k, vs)| (TagKey::parse(k).unwrap(), vs.iter().map(|v| v.to_string()).collect())).collect()
    }

    fn catalog() -> TagCatalog {
        TagCatalog {
            defined: definitions(),
            retired: vec![
                definition("legacy", TagValueType::String { pattern: None }, true, false),
                definition("secret", TagValueType::Boolean, false, true),
            ],
        }
    }

    #[test]
    fn an_edit_merges_and_keeps_what_it_does_not_name() {
        let current = values(&[("costCenter", &["1234"]), ("billing", &["card"]), ("legacy", &["x"])]);
        let merged = edit_tags(
            &catalog(),
            &current,
            &edit(&[("seats", Some(&["007"])), ("regions", Some(&["us", "eu"])), ("legacy", None)]),
            TagWriter::Customer,
        )
        .unwrap();
        assert_eq!(
            merged,
            values(&[("billing", &["card"]), ("costCenter", &["1234"]), ("regions", &["eu", "us"]), ("seats", &["7"])]),
            "the restricted value the customer did not name stays; the retired key is removed"
        );
        assert_eq!(edit_tags(&catalog(), &current, &TagEdit::new(), TagWriter::Customer), Ok(current.clone()));
        assert_eq!(edit_tags(&catalog(), &current, &edit(&[("vip", None)]), TagWriter::Customer), Ok(current));
    }

    #[test]
    fn an_edit_names_each_key_it_refuses() {
        let current = values(&[("costCenter", &["1234"]), ("legacy", &["x"])]);
        let Err(TagError::Invalid(errors)) = edit_tags(
            &catalog(),
            &current,
            &edit(&[
                ("costCenter", None),
                ("legacy", Some(&["y"])),
                ("unknown", None),
                ("seats", Some(&["many"])),
                ("regions", Some(&[])),
                ("vip", Some(&["true"])),
            ]),
            TagWriter::AdminArea,
        ) else {
            panic!("expected invalid tags");
        };
        assert_eq!(errors["costCenter"], "is mandatory");
        assert_eq!(errors["legacy"], "is no longer defined: its values can only be removed");
        assert_eq!(errors["unknown"], "is not a defined tag");
        assert_eq!(errors["seats"], "must be a whole number");
        assert_eq!(errors["regions"], "must have at least one value");
        assert_eq!(errors.len(), 5, "{errors:?}");
    }

    #[test]
    fn restricted_keys_are_refused_to_customers_whether_set_or_removed() {
        let current = values(&[("billing", &["card"]), ("secret", &["true"])]);
        for named in [edit(&[("billing", Some(&["invoice"]))]), edit(&[("billing", None)]), edit(&[("secret", None)])] {
            let mut request = named.clone();
            request.insert("vip".into(), Some(vec!["true".into()]));
            assert!(
                matches!(edit_tags(&catalog(), &current, &request, TagWriter::Customer), Err(TagError::Restricted(keys)) if keys.len() == 1),
                "{named:?}"
            );
        }
        let admin =
            edit_tags(&catalog(), &current, &edit(&[("billing", None), ("secret", None)]), TagWriter::AdminArea);
        assert_eq!(admin, Err(TagError::Invalid(BTreeMap::from([("billing".into(), "is mandatory".into())]))));
        let admin = edit_tags(&catalog(), &current, &edit(&[("secret", None)]), TagWriter::AdminArea);
        assert_eq!(
            admin,
            Ok(values(&[("billing", &["card"])])),
            "a retired restricted key is removable by the admin area"
        );
    }

    #[test]
    fn the_merged_result_is_bounded() {
        let free: Vec<TagDefinition> = (0..=limits::MAX_TAGS)
            .map(|n| definition(&format!("k{n}"), TagValueType::String { pattern: None }, false, false))
            .collect();
        let catalog = TagCatalog { defined: free, retired: Vec::new() };
        let full: TagValues =
            (0..limits::MAX_TAGS).map(|n| (TagKey::parse(&format!("k{n}")).unwrap(), vec!["v".into()])).collect();
        let one_more = edit(&[(&format!("k{}", limits::MAX_TAGS), Some(&["v"]))]);
        assert_eq!(edit_tags(&catalog, &full, &one_more, TagWriter::AdminArea), Err(TagError::TooManyTags));
        let mut swap = one_more;
        swap.insert("k0".into(), None);
        assert_eq!(edit_tags(&catalog, &full, &swap, TagWriter::AdminArea).map(|v| v.len()), Ok(limits::MAX_TAGS));
    }

    fn parse_type(
        name: &str,
        pattern: Option<&str>,
        options: Option<&[&str]>,
    ) -> Result<TagValueType, Vec<&'static str>> {
        TagValueType::parse(
            name,
            pattern.map(str::to_owned),
            options.map(|o| o.iter().map(|s| s.to_string()).collect()),
        )
        .map_err(|errors| errors.into_iter().map(|(field, _)| field).collect())
    }

    #[test]
    fn value_types_take_only_their_own_parts() {
        assert_eq!(
            parse_type("STRING", Some("[0-9]{4}"), None),
            Ok(TagValueType::String { pattern: Some("[0-9]{4}".into()) })
        );
        assert_eq!(parse_type("BOOLEAN", None, None), Ok(TagValueType::Boolean));
        assert_eq!(
            parse_type("MULTI_SELECT", None, Some(&["eu", "us"])),
            Ok(TagValueType::MultiSelect { options: vec!["eu".into(), "us".into()] })
        );
        assert_eq!(parse_type("COLOUR", None, None), Err(vec!["valueType"]));
        assert_eq!(parse_type("string", None, None), Err(vec!["valueType"]));
        assert_eq!(parse_type("INTEGER", Some("[0-9]+"), None), Err(vec!["pattern"]));
        assert_eq!(parse_type("EMAIL", None, Some(&["a"])), Err(vec!["options"]));
        assert_eq!(parse_type("STRING", None, Some(&["a"])), Err(vec!["options"]));
        assert_eq!(parse_type("SINGLE_SELECT", None, None), Err(vec!["options"]));
        assert_eq!(parse_type("SINGLE_SELECT", Some("a"), Some(&["a"])), Err(vec!["pattern"]));
    }

    #[test]
    fn patterns_must_compile_and_stay_small() {
        for bad in ["(", "[a-", "a{2,1}", "(?<=a)b", "(a)\\1", ""] {
            assert_eq!(parse_type("STRING", Some(bad), None), Err(vec!["pattern"]), "{bad:?}");
        }
        let too_long = "a".repeat(limits::MAX_PATTERN_CHARS + 1);
        assert_eq!(parse_type("STRING", Some(&too_long), None), Err(vec!["pattern"]));
        assert!(parse_type("STRING", Some(&"a".repeat(limits::MAX_PATTERN_CHARS)), None).is_ok());
        for unicode in ["(?i)straße", "\\p{Greek}+", "(?-u:(?i)abc)"] {
            assert!(parse_type("STRING", Some(unicode), None).is_ok(), "{unicode:?}");
        }
        // Short, yet it would compile to megabytes.
        let Err(errors) = TagValueType::parse("STRING", Some("\\w{100}\\w{100}\\w{100}".into()), None) else {
            panic!("a huge pattern was accepted");
        };
        assert!(errors[0].1.message().contains("too complex"), "{:?}", errors[0].1);
        // A pattern is anchored: it must match the whole value.
        let definitions =
            vec![definition("code", TagValueType::String { pattern: Some("[a-z]+|[0-9]+".into()) }, false, false)];
        for (value, ok) in [("abc", true), ("123", true), ("abc123", false), (" abc", false)] {
            let result = validate_tags(&definitions, &request(&[("code", &[value])]), TagWriter::Customer);
            assert_eq!(result.is_ok(), ok, "{value:?}");
        }
    }

    #[test]
    fn options_are_distinct_bounded_values() {
        let fifty: Vec<String> = (0..limits::MAX_OPTIONS).map(|n| format!("o{n}")).collect();
        let fifty: Vec<&str> = fifty.iter().map(String::as_str).collect();
        assert!(parse_type("SINGLE_SELECT", None, Some(&fifty)).is_ok());
        let mut fifty_one = fifty.clone();
        fifty_one.push("extra");
        let long = "x".repeat(limits::MAX_VALUE_CHARS + 1);
        let wide: Vec<String> = (0..8).map(|n| format!("{n}{}", "x".repeat(127))).collect();
        let wide: Vec<&str> = wide.iter().map(String::as_str).collect();
        for bad in [&[][..], &fifty_one, &["a", "a"], &[""], &[" a"], &[long.as_str()], &["a\u{7}"], &wide] {
            assert_eq!(parse_type("MULTI_SELECT", None, Some(bad)), Err(vec!["options"]), "{bad:?}");
        }
    }

    #[test]
    fn descriptions_may_be_empty_or_span_lines() {
        assert_eq!(parse_description("  "), Ok(String::new()));
        assert_eq!(parse_description(" Who pays.\n\tAsk finance. "), Ok("Who pays.\n\tAsk finance.".into()));
        assert!(parse_description(&"é".repeat(limits::MAX_DESCRIPTION_CHARS)).is_ok());
        for bad in ["é".repeat(limits::MAX_DESCRIPTION_CHARS + 1), "a\u{7}b".into(), "a\rb".into(), "a\u{202E}b".into()]
        {
            assert!(parse_description(&bad).is_err(), "{bad:?}");
        }
    }
}
