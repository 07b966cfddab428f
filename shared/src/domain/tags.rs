//! Tag definitions (installation-wide) and the tag values a customer carries.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::{EmailAddress, FieldError};

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagDefinition {
    pub key: TagKey,
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    #[serde(flatten)]
    pub value_type: TagValueType,
    pub mandatory: bool,
    /// Only admin-area roles may write a restricted tag.
    pub restricted: bool,
}

/// A customer's tag values: a list of strings per key, in canonical form.
pub type TagValues = BTreeMap<TagKey, Vec<String>>;

/// Bounds on a customer's tags. Together they keep the largest customer item well under
/// DynamoDB's 400 KB and the largest event (CUSTOMER_TAGS_EDITED carries every key's values before
/// and after) under EventBridge's 256 KB: 20 keys × 10 values × 128 characters of at most 4 bytes
/// is about 100 KB per snapshot. `tests/tests/limits.rs` proves it at the maximum of each bound.
pub mod limits {
    pub const MAX_TAGS: usize = 20;
    pub const MAX_VALUES_PER_TAG: usize = 10;
    pub const MAX_VALUE_CHARS: usize = 128;
}

/// Who writes tags, which decides which tags it may write and which it must.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagWriter {
    /// A registrant or customer admin: no restricted tags; mandatory unrestricted ones required.
    Customer,
    /// A partner or platform user: every tag; every mandatory one required.
    AdminArea,
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

/// Checks requested tag values against the definitions and returns them in canonical form.
pub fn validate_tags(
    definitions: &[TagDefinition],
    requested: &BTreeMap<String, Vec<String>>,
    writer: TagWriter,
) -> Result<TagValues, TagError> {
    if requested.len() > limits::MAX_TAGS {
        return Err(TagError::TooManyTags);
    }
    let by_key: BTreeMap<&str, &TagDefinition> =
        definitions.iter().map(|definition| (definition.key.as_str(), definition)).collect();

    let restricted: Vec<String> = requested
        .keys()
        .filter(|key| writer == TagWriter::Customer && by_key.get(key.as_str()).is_some_and(|d| d.restricted))
        .cloned()
        .collect();
    if !restricted.is_empty() {
        return Err(TagError::Restricted(restricted));
    }

    let mut errors = BTreeMap::new();
    let mut values = TagValues::new();
    for (key, raw_values) in requested {
        match by_key.get(key.as_str()) {
            None => {
                errors.insert(key.clone(), "is not a defined tag".to_owned());
            }
            Some(definition) => match canonical_values(&definition.value_type, raw_values) {
                Ok(canonical) => {
                    values.insert(definition.key.clone(), canonical);
                }
                Err(problem) => {
                    errors.insert(key.clone(), problem.message().to_owned());
                }
            },
        }
    }
    for definition in definitions {
        let required = definition.mandatory && (writer == TagWriter::AdminArea || !definition.restricted);
        if required && !values.contains_key(&definition.key) && !errors.contains_key(definition.key.as_str()) {
            errors.insert(definition.key.to_string(), "is mandatory".to_owned());
        }
    }
    if errors.is_empty() { Ok(values) } else { Err(TagError::Invalid(errors)) }
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
                .map(|p| Regex::new(&format!("^(?:{p})$")))
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
            display_name: key.to_owned(),
            description: String::new(),
            value_type,
            mandatory,
            restricted,
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
}
