//! The template's EventBridge schema registry (SPEC §6.4): one schema per event type, equal to
//! what infra/event_schemas.py generates from events/schemas, and admitting what they admit.

use std::collections::BTreeMap;
use std::process::Command;

use meshcustomers_tests::repo_root;
use meshcustomers_tests::template::template;
use serde_json::{Value, json};

/// `python3 infra/event_schemas.py --print`: the generated schema of every type.
fn generated() -> BTreeMap<String, Value> {
    let output = Command::new("python3")
        .arg(repo_root().join("infra/event_schemas.py"))
        .arg("--print")
        .output()
        .expect("python3 runs infra/event_schemas.py");
    assert!(output.status.success(), "infra/event_schemas.py: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("the generator prints JSON")
}

/// The template's `AWS::EventSchemas::Schema`s by event type, and each one's registry.
fn in_template() -> BTreeMap<String, (Value, serde_yaml::Value)> {
    let template = template();
    let resources = template["Resources"].as_mapping().expect("Resources is a mapping");
    resources
        .values()
        .filter(|resource| resource["Type"].as_str() == Some("AWS::EventSchemas::Schema"))
        .map(|resource| {
            let properties = &resource["Properties"];
            let name = properties["SchemaName"].as_str().expect("a SchemaName");
            let event_type = name.strip_prefix("meshcustomers@").unwrap_or_else(|| panic!("schema {name}"));
            assert_eq!(properties["Type"].as_str(), Some("JSONSchemaDraft4"), "{event_type}");
            let content = properties["Content"].as_str().unwrap_or_else(|| panic!("{event_type}: Content"));
            let content = serde_json::from_str(content).unwrap_or_else(|e| panic!("{event_type}: Content: {e}"));
            (event_type.to_owned(), (content, properties["RegistryName"].clone()))
        })
        .collect()
}

#[test]
fn the_registry_holds_every_event_type_as_generated_from_events_schemas() {
    let template = template();
    assert_eq!(
        template["Resources"]["EventSchemaRegistry"]["Type"].as_str(),
        Some("AWS::EventSchemas::Registry"),
        "the template has the registry"
    );
    let (expected, actual) = (generated(), in_template());
    let mut drifted = Vec::new();
    for (event_type, schema) in &expected {
        match actual.get(event_type) {
            None => drifted.push(format!("{event_type}: missing from the registry")),
            Some((content, _)) if content != schema => {
                drifted.push(format!("{event_type}: differs from events/schemas"))
            }
            Some((_, registry)) => assert!(!registry.is_null(), "{event_type}: a RegistryName"),
        }
    }
    drifted.extend(actual.keys().filter(|t| !expected.contains_key(*t)).map(|t| format!("{t}: no such event schema")));
    assert!(
        drifted.is_empty(),
        "the template's schema registry drifted (run python3 infra/event_schemas.py):\n{}",
        drifted.join("\n")
    );
}

/// The draft 4 form admits what the draft 2020-12 schema admits: every example, in its
/// EventBridge envelope; and refuses what it refuses.
#[test]
fn the_draft_4_schemas_admit_and_refuse_as_events_schemas_do() {
    for (event_type, schema) in generated() {
        let registry = jsonschema::draft4::new(&schema).unwrap_or_else(|e| panic!("{event_type}: {e}"));
        let source = repo_root().join(format!("events/schemas/{event_type}.json"));
        let source: Value = serde_json::from_str(&std::fs::read_to_string(source).unwrap()).unwrap();
        let original = meshcustomers_tests::schemas::schema_validator(&event_type);
        let examples = source["examples"].as_array().expect("every schema has examples");
        for detail in examples {
            let envelope = |detail: &Value| {
                json!({
                    "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": event_type,
                    "source": "meshcustomers", "account": "111122223333", "time": "2026-01-15T10:30:00Z",
                    "region": "eu-central-1", "resources": [], "detail": detail,
                })
            };
            assert!(original.is_valid(detail), "{event_type}: the example is valid");
            let errors: Vec<String> = registry.iter_errors(&envelope(detail)).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{event_type}: the registry's schema refuses the example: {errors:?}");
            let mut extra = detail.clone();
            extra["data"]["notInTheContract"] = json!(1);
            let mut retyped = detail.clone();
            retyped["type"] = json!("SOMETHING_ELSE");
            let mut unnamed = detail.clone();
            unnamed["eventId"] = json!("not-a-uuid");
            for broken in [extra, retyped, unnamed] {
                assert!(!original.is_valid(&broken), "{event_type}: events/schemas refuses {broken}");
                assert!(!registry.is_valid(&envelope(&broken)), "{event_type}: the registry's schema admits {broken}");
            }
        }
    }
}
