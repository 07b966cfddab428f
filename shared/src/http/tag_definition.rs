//! The body of `POST /tag-definitions` and `PUT /tag-definitions/{key}`: one shape, one parser.

use serde::Deserialize;

use super::{Field, FieldErrors, UnknownFields};
use crate::change::Refusal;
use crate::domain::tags::parse_description;
use crate::domain::{DisplayName, FieldError, TagDefinition, TagKey, TagValueType};

/// A tag definition as sent. `key` and `valueType` are required to create one; a replacement may
/// repeat them, but not change them.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct TagDefinitionBody {
    key: Field<String>,
    display_name: Field<String>,
    description: Field<String>,
    value_type: Field<String>,
    pattern: Field<String>,
    options: Field<Vec<Field<String>>>,
    mandatory: Field<bool>,
    restricted: Field<bool>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

impl TagDefinitionBody {
    /// The definition the body describes: a new one (version 1), or the replacement of `stored`
    /// (same key and value type; the version is set when it is written). Fields left out take
    /// their defaults: no description, no pattern, neither mandatory nor restricted.
    pub fn definition(&self, stored: Option<&TagDefinition>) -> Result<TagDefinition, Refusal> {
        let body = self.clone();
        let mut errors = FieldErrors::new();
        let key = match stored {
            None => errors.required("key", body.key, |raw| TagKey::parse(&raw)),
            Some(stored) => {
                errors.optional("key", body.key, |raw| unchanged(&raw, stored.key.as_str(), "the key"));
                Some(stored.key.clone())
            }
        };
        let display_name = errors.required("displayName", body.display_name, |raw| DisplayName::parse(&raw));
        let description = errors.optional("description", body.description, |raw| parse_description(&raw));
        let type_name = match stored {
            None => errors.required("valueType", body.value_type, Ok),
            Some(stored) => {
                let name = stored.value_type.name();
                errors.optional("valueType", body.value_type, |raw| unchanged(&raw, name, "the value type"));
                Some(name.to_owned())
            }
        };
        let pattern = errors.optional("pattern", body.pattern, Ok);
        let options = errors.optional("options", body.options, Ok).map(|options| {
            let options = options.into_iter().enumerate();
            options.filter_map(|(index, option)| errors.required(&format!("options[{index}]"), option, Ok)).collect()
        });
        let mandatory = errors.optional("mandatory", body.mandatory, Ok).unwrap_or(false);
        let restricted = errors.optional("restricted", body.restricted, Ok).unwrap_or(false);
        errors.unknown("", body.unknown);
        let value_type = type_name.and_then(|name| match TagValueType::parse(&name, pattern, options) {
            Ok(value_type) => Some(value_type),
            Err(refusals) => {
                refusals.into_iter().for_each(|(field, error)| errors.add(field, error.message()));
                None
            }
        });
        let (Some(key), Some(display_name), Some(value_type)) = (key, display_name, value_type) else {
            return Err(Refusal::InvalidFields(errors.into_fields()));
        };
        let errors = errors.into_fields();
        if !errors.is_empty() {
            return Err(Refusal::InvalidFields(errors));
        }
        Ok(TagDefinition {
            key,
            display_name,
            description: description.unwrap_or_default(),
            value_type,
            mandatory,
            restricted,
            version: stored.map_or(1, |stored| stored.version),
        })
    }
}

/// An immutable field repeated in a replacement must say what is stored.
fn unchanged(raw: &str, stored: &str, what: &str) -> Result<(), FieldError> {
    if raw == stored { Ok(()) } else { Err(FieldError::new(format!("{what} cannot change: it is {stored:?}"))) }
}
