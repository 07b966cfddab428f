//! "Schemas only grow" (SPEC §6.4): every event a released schema admitted, the current schema
//! still describes the same way. A change that removes a field, retypes or narrows one, makes one
//! required, or tightens a constraint breaks integrators and is reported, naming the event type
//! and the field; new optional fields, wider types and constraints, and new event types pass.
//! Keywords this checker does not reason about (`allOf`, `if`, `not`, ...) must stay as released.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

/// Upper bounds: lowering one, or adding one, narrows.
const UPPER_BOUNDS: [&str; 5] = ["maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties"];
/// Lower bounds: raising one, or adding one, narrows.
const LOWER_BOUNDS: [&str; 5] = ["minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties"];
/// Constraints that narrow when added or changed.
const EXACT: [&str; 4] = ["pattern", "format", "multipleOf", "propertyNames"];
/// Constraints the checker does not reason about: any change is reported for a person to judge.
const UNREASONED: [&str; 10] = [
    "allOf",
    "if",
    "then",
    "else",
    "not",
    "patternProperties",
    "dependentRequired",
    "dependentSchemas",
    "contains",
    "prefixItems",
];

/// Every break between the released schemas in `released` and the current ones in `current`
/// (`<TYPE>.json` files), as `<TYPE>: <field>: <what changed>`.
pub fn breaking_changes(released: &Path, current: &Path) -> Vec<String> {
    let read = |folder: &Path| -> BTreeMap<String, Value> {
        std::fs::read_dir(folder)
            .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "json"))
            .map(|path| {
                let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let schema = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                (path.file_stem().unwrap().to_string_lossy().into_owned(), schema)
            })
            .collect()
    };
    let (released, current) = (read(released), read(current));
    let mut breaks = Vec::new();
    for (event_type, old) in &released {
        match current.get(event_type) {
            Some(new) => breaks.extend(schema_breaks(event_type, old, new)),
            None => breaks.push(format!("{event_type}: the event type's schema was removed")),
        }
    }
    breaks
}

/// The breaks between one event type's released schema and its current one.
pub fn schema_breaks(event_type: &str, old: &Value, new: &Value) -> Vec<String> {
    let mut comparison = Comparison { old_root: old, new_root: new, breaks: Vec::new() };
    comparison.node(old, new, "");
    comparison.breaks.into_iter().map(|(field, what)| format!("{event_type}: {field}: {what}")).collect()
}

struct Comparison<'a> {
    old_root: &'a Value,
    new_root: &'a Value,
    breaks: Vec<(String, String)>,
}

/// Follows `$ref`s to `#/$defs/<name>` (the schemas are self-contained); a depth limit stops a cycle.
fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..32 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("external $ref {reference}"));
                node = root.pointer(pointer).unwrap_or_else(|| panic!("dangling $ref {reference}"));
            }
            None => return node,
        }
    }
    panic!("a $ref cycle")
}

const ANY: &str = "any";

/// The branches of a (resolved) schema by the JSON type each admits: `anyOf`/`oneOf` branches
/// each, one per type of a `type` list; `any` for an untyped schema.
fn branches<'a>(root: &'a Value, node: &'a Value) -> Vec<(String, &'a Value)> {
    let node = resolve(root, node);
    if let Some(alternatives) = node.get("anyOf").or_else(|| node.get("oneOf")).and_then(Value::as_array) {
        return alternatives.iter().flat_map(|branch| branches(root, branch)).collect();
    }
    let types: Vec<String> = match node.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect(),
        _ => {
            let values = admitted_values(node).unwrap_or_default();
            let mut types: Vec<String> = values.iter().map(|v| json_type(v).to_owned()).collect();
            types.dedup();
            if types.is_empty() {
                types.push(if node.get("properties").is_some() { "object" } else { ANY }.to_owned());
            }
            types
        }
    };
    types.into_iter().map(|t| (t, node)).collect()
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `const` or `enum`: the only values a schema admits.
fn admitted_values(node: &Value) -> Option<Vec<Value>> {
    node.get("const").map(|c| vec![c.clone()]).or_else(|| node.get("enum").and_then(Value::as_array).cloned())
}

fn covers(new_type: &str, old_type: &str) -> bool {
    new_type == old_type || new_type == ANY || (new_type == "number" && old_type == "integer")
}

/// Whether every `dependentRequired` entry `new` adds or changes is triggered by a property `old`
/// never admitted (it was closed and did not name it): no instance of `old` carries the trigger,
/// so the dependency holds for all of them; entries dropped only widen.
fn dependencies_only_on_new_properties(old: &Value, new: &Value) -> bool {
    let entries = |node: &Value| node.get("dependentRequired").and_then(Value::as_object).cloned().unwrap_or_default();
    let (old_entries, new_entries) = (entries(old), entries(new));
    let closed = old.get("additionalProperties") == Some(&Value::Bool(false));
    let known = |name: &str| old.get("properties").and_then(|properties| properties.get(name)).is_some();
    new_entries
        .iter()
        .filter(|(trigger, required)| old_entries.get(*trigger) != Some(*required))
        .all(|(trigger, _)| closed && !known(trigger))
}

fn child(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") }
}

fn shown(path: &str) -> String {
    if path.is_empty() { "(the detail)".to_owned() } else { path.to_owned() }
}

impl Comparison<'_> {
    fn node(&mut self, old: &Value, new: &Value, path: &str) {
        let (old_branches, new_branches) = (branches(self.old_root, old), branches(self.new_root, new));
        for (old_type, old_branch) in &old_branches {
            let candidates: Vec<&Value> =
                new_branches.iter().filter(|(new_type, _)| covers(new_type, old_type)).map(|(_, b)| *b).collect();
            if candidates.is_empty() {
                let now: Vec<&str> = new_branches.iter().map(|(t, _)| t.as_str()).collect();
                self.breaks.push((shown(path), format!("type narrowed: no longer admits {old_type} (now {now:?})")));
                continue;
            }
            // The old branch is kept when some new branch of its type is no narrower.
            let mut best: Option<Vec<(String, String)>> = None;
            for candidate in candidates {
                let mut trial = Comparison { old_root: self.old_root, new_root: self.new_root, breaks: Vec::new() };
                trial.branch(old_branch, candidate, path);
                if best.as_ref().is_none_or(|b| trial.breaks.len() < b.len()) {
                    best = Some(trial.breaks);
                }
            }
            self.breaks.extend(best.unwrap_or_default());
        }
    }

    /// One old branch against one new branch of a type that covers it.
    fn branch(&mut self, old: &Value, new: &Value, path: &str) {
        let mut fault = |what: String| self.breaks.push((shown(path), what));
        match (admitted_values(old), admitted_values(new)) {
            (_, None) => {}
            (None, Some(values)) => fault(format!("narrowed to the values {}", Value::Array(values))),
            (Some(old_values), Some(new_values)) => {
                let dropped: Vec<Value> = old_values.into_iter().filter(|v| !new_values.contains(v)).collect();
                if !dropped.is_empty() {
                    fault(format!("no longer admits the values {}", Value::Array(dropped)));
                }
            }
        }
        for keyword in EXACT {
            if let Some(value) = new.get(keyword)
                && old.get(keyword) != Some(value)
            {
                let was = old.get(keyword).map_or("none".to_owned(), Value::to_string);
                fault(format!("{keyword} tightened from {was} to {value}"));
            }
        }
        let bound = |node: &Value, keyword: &str| node.get(keyword).and_then(Value::as_f64);
        for keyword in UPPER_BOUNDS {
            if let Some(now) = bound(new, keyword)
                && bound(old, keyword).is_none_or(|was| now < was)
            {
                fault(format!("{keyword} lowered from {} to {now}", old.get(keyword).unwrap_or(&Value::Null)));
            }
        }
        for keyword in LOWER_BOUNDS {
            if let Some(now) = bound(new, keyword)
                && bound(old, keyword).is_none_or(|was| now > was)
            {
                fault(format!("{keyword} raised from {} to {now}", old.get(keyword).unwrap_or(&Value::Null)));
            }
        }
        if new.get("uniqueItems") == Some(&Value::Bool(true)) && old.get("uniqueItems") != Some(&Value::Bool(true)) {
            fault("uniqueItems added".to_owned());
        }
        for keyword in UNREASONED {
            if keyword == "dependentRequired" && dependencies_only_on_new_properties(old, new) {
                continue;
            }
            if new.get(keyword) != old.get(keyword) {
                fault(format!("`{keyword}` changed (the checker cannot tell whether it narrows: keep it as released)"));
            }
        }
        self.object(old, new, path);
        if old.get("items").is_some() || new.get("items").is_some() {
            let open = Value::Object(Default::default());
            self.node(
                old.get("items").unwrap_or(&open),
                new.get("items").unwrap_or(&open),
                &format!("{}[]", shown(path)),
            );
        }
    }

    fn object(&mut self, old: &Value, new: &Value, path: &str) {
        let no_properties = serde_json::Map::new();
        let properties = |node: &Value| node.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
        let (old_properties, new_properties) = (properties(old), properties(new));
        for (name, old_property) in &old_properties {
            match new_properties.get(name) {
                Some(new_property) => self.node(old_property, new_property, &child(path, name)),
                None => self.breaks.push((child(path, name), "property removed".to_owned())),
            }
        }
        let required = |node: &Value| -> Vec<String> {
            node.get("required")
                .and_then(Value::as_array)
                .map(|names| names.iter().filter_map(|n| n.as_str().map(str::to_owned)).collect())
                .unwrap_or_default()
        };
        let was_required = required(old);
        for name in required(new).into_iter().filter(|name| !was_required.contains(name)) {
            self.breaks.push((child(path, &name), "made required".to_owned()));
        }
        let open = Value::Object(no_properties);
        let additional = |node: &Value| match node.get("additionalProperties") {
            None | Some(Value::Bool(true)) => Some(open.clone()),
            Some(Value::Bool(false)) => None,
            Some(schema) => Some(schema.clone()),
        };
        match (additional(old), additional(new)) {
            (Some(_), None) => {
                self.breaks.push((shown(path), "additionalProperties closed (false) where it was open".to_owned()))
            }
            (Some(old_schema), Some(new_schema)) => {
                // Only objects carry additional properties: an untyped open schema is left alone.
                if old_schema != new_schema {
                    self.node(&old_schema, &new_schema, &child(path, "*"));
                }
            }
            (None, _) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A schema shaped as the event schemas are: `data` with the given properties and required.
    fn event(data_properties: Value, data_required: Value, additional: bool) -> Value {
        json!({
            "type": "object",
            "required": ["eventId", "data"],
            "additionalProperties": false,
            "properties": {
                "eventId": {"$ref": "#/$defs/uuid"},
                "data": {
                    "type": "object",
                    "required": data_required,
                    "additionalProperties": additional,
                    "properties": data_properties,
                }
            },
            "$defs": {"uuid": {"type": "string", "pattern": "^[0-9a-f-]{36}$"}}
        })
    }

    fn released() -> Value {
        event(
            json!({
                "reason": {"anyOf": [{"type": "string", "maxLength": 500}, {"type": "null"}]},
                "status": {"enum": ["ACTIVE", "DISABLED"]},
                "count": {"type": "integer", "minimum": 0},
                "note": {"type": "string"},
                "labels": {"type": "array", "items": {"type": "string"}},
            }),
            json!(["reason", "status"]),
            true,
        )
    }

    fn edited(edit: impl FnOnce(&mut Value)) -> Vec<String> {
        let mut current = released();
        edit(&mut current);
        schema_breaks("THING_HAPPENED", &released(), &current)
    }

    fn data(schema: &mut Value) -> &mut Value {
        &mut schema["properties"]["data"]["properties"]
    }

    fn assert_one_break(breaks: Vec<String>, field: &str, what: &str) {
        assert_eq!(breaks.len(), 1, "{breaks:?}");
        assert!(breaks[0].starts_with(&format!("THING_HAPPENED: {field}: ")), "{breaks:?}");
        assert!(breaks[0].contains(what), "{breaks:?} should say {what}");
    }

    #[test]
    fn an_unchanged_schema_passes() {
        assert_eq!(edited(|_| {}), Vec::<String>::new());
    }

    #[test]
    fn growing_passes() {
        let breaks = edited(|s| {
            data(s)["newOptional"] = json!({"type": "string", "maxLength": 5});
            data(s)["status"] = json!({"enum": ["ACTIVE", "DISABLED", "ARCHIVED"]});
            data(s)["count"] = json!({"type": "number"});
            data(s)["note"] = json!({"anyOf": [{"type": "string"}, {"type": "null"}], "description": "now nullable"});
            data(s)["reason"]["anyOf"][0]["maxLength"] = json!(1000);
        });
        assert_eq!(breaks, Vec::<String>::new());
    }

    #[test]
    fn removing_a_property_fails() {
        assert_one_break(
            edited(|s| {
                data(s).as_object_mut().unwrap().remove("note");
            }),
            "data.note",
            "property removed",
        );
    }

    #[test]
    fn retyping_or_narrowing_a_type_fails() {
        assert_one_break(
            edited(|s| data(s)["note"] = json!({"type": "integer"})),
            "data.note",
            "no longer admits string",
        );
        assert_one_break(
            edited(|s| data(s)["reason"] = json!({"type": "string"})),
            "data.reason",
            "no longer admits null",
        );
        assert_one_break(
            edited(|s| data(s)["count"]["type"] = json!("string")),
            "data.count",
            "no longer admits integer",
        );
        assert_one_break(
            edited(|s| data(s)["labels"]["items"] = json!({"type": "integer"})),
            "data.labels[]",
            "no longer admits string",
        );
    }

    #[test]
    fn making_a_field_required_fails() {
        assert_one_break(
            edited(|s| s["properties"]["data"]["required"] = json!(["reason", "status", "note"])),
            "data.note",
            "made required",
        );
    }

    #[test]
    fn tightening_fails() {
        assert_one_break(edited(|s| data(s)["note"]["pattern"] = json!("^a")), "data.note", "pattern tightened");
        assert_one_break(edited(|s| data(s)["note"]["const"] = json!("x")), "data.note", "narrowed to the values");
        assert_one_break(
            edited(|s| data(s)["status"]["enum"] = json!(["ACTIVE"])),
            "data.status",
            "no longer admits the values",
        );
        assert_one_break(
            edited(|s| data(s)["reason"]["anyOf"][0]["maxLength"] = json!(100)),
            "data.reason",
            "maxLength lowered from 500 to 100",
        );
        assert_one_break(edited(|s| data(s)["count"]["minimum"] = json!(1)), "data.count", "minimum raised");
        assert_one_break(
            edited(|s| s["properties"]["data"]["additionalProperties"] = json!(false)),
            "data",
            "additionalProperties closed",
        );
        assert_one_break(
            edited(|s| s["$defs"]["uuid"]["pattern"] = json!("^[0-9a-f]{36}$")),
            "eventId",
            "pattern tightened",
        );
        assert_one_break(
            edited(|s| s["properties"]["data"]["allOf"] = json!([{"required": ["note"]}])),
            "data",
            "`allOf` changed",
        );
    }

    #[test]
    fn a_dependency_between_new_properties_of_a_closed_object_passes_and_one_on_an_old_property_fails() {
        // The envelope is closed (additionalProperties false): no released event carries `viaKey`.
        let breaks = edited(|schema| {
            schema["properties"]["viaKey"] = json!({"type": "string"});
            schema["properties"]["keyName"] = json!({"type": "string"});
            schema["dependentRequired"] = json!({"viaKey": ["keyName"], "keyName": ["viaKey"]});
        });
        assert!(breaks.is_empty(), "{breaks:?}");
        let breaks = edited(|schema| {
            schema["properties"]["keyName"] = json!({"type": "string"});
            schema["dependentRequired"] = json!({"eventId": ["keyName"]});
        });
        assert_one_break(breaks, "(the detail)", "dependentRequired");
        // `data` is open: a released event may carry any property there, so any dependency narrows.
        let breaks = edited(|schema| {
            schema["properties"]["data"]["dependentRequired"] = json!({"viaKey": ["keyName"]});
        });
        assert_one_break(breaks, "data", "dependentRequired");
    }

    #[test]
    fn a_removed_event_type_fails_and_a_new_one_passes() {
        let folder = std::env::temp_dir().join(format!("schema-growth-{}", uuid::Uuid::new_v4()));
        let (released, current) = (folder.join("released"), folder.join("current"));
        for dir in [&released, &current] {
            std::fs::create_dir_all(dir).unwrap();
        }
        let write = |dir: &Path, name: &str| std::fs::write(dir.join(name), self::released().to_string()).unwrap();
        write(&released, "OLD_TYPE.json");
        write(&released, "KEPT_TYPE.json");
        write(&current, "KEPT_TYPE.json");
        write(&current, "NEW_TYPE.json");
        assert_eq!(breaking_changes(&released, &current), ["OLD_TYPE: the event type's schema was removed"]);
        std::fs::remove_dir_all(folder).unwrap();
    }
}
