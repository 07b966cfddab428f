//! The published event contract (`events/schemas/<TYPE>.json`), held against what the code emits.

use serde_json::Value;

use crate::repo_root;

pub fn schema_validator(event_type: &str) -> jsonschema::Validator {
    let path = repo_root().join(format!("events/schemas/{event_type}.json"));
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
            .expect("schemas are JSON");
    jsonschema::options().should_validate_formats(true).build(&schema).unwrap_or_else(|e| panic!("{event_type}: {e}"))
}

pub fn assert_matches_schema(detail: &Value) {
    let event_type = detail["type"].as_str().expect("a detail has a type");
    let validator = schema_validator(event_type);
    let errors: Vec<String> =
        validator.iter_errors(detail).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{event_type} detail breaks its schema: {errors:?}\n{detail}");
}
