//! `infra/openapi.yaml`, the hand-written API contract, held against the template (both ways:
//! routes, functions, authorizer) and against the code (enums, patterns, problem types).

use meshcustomers::domain::{
    CustomerIdentifier, CustomerStatus, DisplayName, EmailAddress, InvitationStatus, LinkToken, PartnerId, Reason,
    TagKey,
};
use meshcustomers::events::EventType;
use meshcustomers_tests::repo_root;
use meshcustomers_tests::template::{functions, routes};
use serde_yaml::Value;
use std::collections::{BTreeMap, BTreeSet};
use strum::IntoEnumIterator;

const DOCUMENT: &str = "infra/openapi.yaml";

/// The methods a path item can hold (OpenAPI 3.1).
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn document() -> Value {
    let text = std::fs::read_to_string(repo_root().join(DOCUMENT)).expect("infra/openapi.yaml reads");
    serde_yaml::from_str(&text).expect("infra/openapi.yaml is YAML")
}

/// Follows a local `$ref` (`#/components/...`); other values are returned as they are.
fn resolve<'a>(document: &'a Value, value: &'a Value) -> &'a Value {
    let Some(reference) = value.get("$ref").and_then(Value::as_str) else { return value };
    let pointer = reference.strip_prefix("#/").unwrap_or_else(|| panic!("{reference} is not a local reference"));
    let target = pointer.split('/').fold(document, |node, segment| &node[segment]);
    assert!(!target.is_null(), "{reference} points at nothing");
    resolve(document, target)
}

/// Every operation of the document by `(METHOD, path)`.
fn operations(document: &Value) -> BTreeMap<(String, String), &Value> {
    let paths = document["paths"].as_mapping().expect("paths is a mapping");
    let mut operations = BTreeMap::new();
    for (path, item) in paths {
        let path = path.as_str().expect("paths are strings");
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                operations.insert((method.to_uppercase(), path.to_owned()), operation);
            }
        }
    }
    operations
}

/// `(METHOD, path)` → the binary of the template function that serves it.
fn template_routes() -> BTreeMap<(String, String), String> {
    let mut served = BTreeMap::new();
    for function in functions() {
        for route in routes(&function) {
            let previous = served.insert(route.clone(), function.binary.clone());
            assert!(previous.is_none(), "{route:?} is served by two functions");
        }
    }
    assert!(!served.is_empty(), "the template has no HttpApi route");
    served
}

fn response_statuses(operation: &Value) -> BTreeSet<String> {
    let responses = operation["responses"].as_mapping().expect("an operation has responses");
    responses
        .keys()
        .map(|status| match status {
            Value::String(status) => status.clone(),
            Value::Number(status) => status.to_string(),
            other => panic!("response key {other:?}"),
        })
        .collect()
}

#[test]
fn the_document_has_exactly_the_template_routes() {
    let document = document();
    let documented: BTreeSet<(String, String)> = operations(&document).into_keys().collect();
    let served: BTreeSet<(String, String)> = template_routes().into_keys().collect();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty() && unserved.is_empty(),
        "template routes missing from {DOCUMENT}: {undocumented:?}; documented routes the template lacks: {unserved:?}"
    );
}

#[test]
fn each_operation_id_is_the_binary_of_the_function_that_serves_the_route() {
    let document = document();
    let served = template_routes();
    let mut seen = BTreeSet::new();
    for (route, operation) in operations(&document) {
        let operation_id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{route:?} has no operationId"));
        assert!(seen.insert(operation_id.to_owned()), "operationId {operation_id} is used twice");
        if let Some(binary) = served.get(&route) {
            assert_eq!(operation_id, binary, "{route:?}: operationId must be the binary of the function serving it");
        }
    }
}

#[test]
fn security_follows_each_routes_auth_in_the_template() {
    let document = document();
    let operations = operations(&document);
    let schemes = document["components"]["securitySchemes"].as_mapping().expect("components.securitySchemes");
    for function in functions() {
        for route in &function.routes {
            let key = (route.method.clone(), route.path.clone());
            let operation = operations.get(&key).unwrap_or_else(|| panic!("{key:?} is not documented"));
            let declared = operation.get("security");
            if !route.authorized {
                assert_eq!(
                    declared,
                    Some(&Value::Sequence(Vec::new())),
                    "{key:?} has Auth: NONE in the template: its operation must declare `security: []`"
                );
                continue;
            }
            let effective = declared.unwrap_or(&document["security"]);
            let requirements = effective.as_sequence().unwrap_or_else(|| panic!("{key:?}: no security applies"));
            assert!(!requirements.is_empty(), "{key:?} is behind the authorizer but declares no security");
            for requirement in requirements {
                let names = requirement.as_mapping().expect("a security requirement is a mapping");
                assert!(!names.is_empty(), "{key:?}: an empty requirement would allow anonymous calls");
                for name in names.keys() {
                    let scheme = schemes.get(name).unwrap_or_else(|| panic!("{key:?}: unknown scheme {name:?}"));
                    assert_eq!(scheme["type"], "http", "{key:?}: {name:?}");
                    assert_eq!(scheme["scheme"], "bearer", "{key:?}: {name:?}");
                    // Both forms the authorizer takes (SPEC §6.2): a person's ID token, a program's key.
                    let format = scheme["bearerFormat"].as_str().unwrap_or_default();
                    assert!(format.contains("JWT") && format.contains("mck_"), "{key:?}: {name:?}: {format:?}");
                }
            }
            assert!(response_statuses(operation).contains("401"), "{key:?} is authorized but documents no 401");
        }
    }
}

#[test]
fn every_operation_documents_server_errors_and_every_body_its_refusals() {
    let document = document();
    for (route, operation) in operations(&document) {
        let statuses = response_statuses(operation);
        for status in ["500", "503"] {
            assert!(statuses.contains(status), "{route:?} does not document {status}");
        }
        let unavailable = resolve(&document, &operation["responses"]["503"]);
        let headers = unavailable["headers"].as_mapping().expect("503 has headers");
        assert!(
            headers.keys().any(|name| name.as_str().is_some_and(|name| name.eq_ignore_ascii_case("retry-after"))),
            "{route:?}: 503 must document Retry-After"
        );
        let Some(body) = operation.get("requestBody") else { continue };
        for status in ["400", "413", "415"] {
            assert!(statuses.contains(status), "{route:?} takes a body but does not document {status}");
        }
        let media_types: Vec<&str> = resolve(&document, body)["content"]
            .as_mapping()
            .expect("a request body has content")
            .keys()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(media_types, ["application/json"], "{route:?}: bodies are application/json only");
    }
}

#[test]
fn enums_are_the_codes_own() {
    let document = document();
    let strings = |value: &Value| -> Vec<String> {
        value.as_sequence().expect("a list").iter().map(|v| v.as_str().expect("a string").to_owned()).collect()
    };
    let schemas = &document["components"]["schemas"];
    let statuses: Vec<String> = CustomerStatus::ALL.iter().map(|status| status.as_str().to_owned()).collect();
    assert_eq!(strings(&schemas["CustomerStatus"]["enum"]), statuses);
    let invitation_statuses: Vec<String> =
        InvitationStatus::ALL.iter().map(|status| status.as_str().to_owned()).collect();
    assert_eq!(strings(&schemas["InvitationStatus"]["enum"]), invitation_statuses);
    for status in InvitationStatus::ALL {
        assert_eq!(serde_json::to_value(status).unwrap(), status.as_str(), "the API shows what as_str names");
    }
    let event_types: Vec<String> = EventType::iter().map(|event_type| event_type.as_str().to_owned()).collect();
    assert_eq!(strings(&schemas["EventType"]["enum"]), event_types);
    let history: Vec<String> = schemas["HistoryEntry"]["oneOf"]
        .as_sequence()
        .expect("HistoryEntry is oneOf the event schemas")
        .iter()
        .map(|entry| entry["$ref"].as_str().expect("a $ref").to_owned())
        .collect();
    let event_schemas: Vec<String> =
        event_types.iter().map(|event_type| format!("../events/schemas/{event_type}.json")).collect();
    assert_eq!(history, event_schemas, "a history entry is one of the event schemas, one per type");
    for reference in &history {
        let file = repo_root().join("infra").join(reference);
        assert!(file.exists(), "{reference} does not exist");
    }
}

/// Every problem `type` the document lists is a slug the code answers with.
#[test]
fn documented_problem_types_are_the_codes_own() {
    let document = document();
    let mut sources = String::new();
    let mut files = vec![repo_root().join("shared/src/http/problem.rs"), repo_root().join("shared/src/http/body.rs")];
    for function in functions() {
        files.push(repo_root().join("functions").join(&function.binary).join("src/lib.rs"));
    }
    for file in files {
        sources.push_str(&std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display())));
    }
    let mut documented = BTreeSet::new();
    for operation in operations(&document).values() {
        for response in operation["responses"].as_mapping().expect("responses").values() {
            let response = resolve(&document, response);
            let Some(problem) = response["content"].get("application/problem+json") else { continue };
            let parts = problem["schema"]["allOf"].as_sequence().expect("a problem schema is allOf [Problem, …]");
            assert_eq!(parts[0]["$ref"], "#/components/schemas/Problem");
            let problem_type = &parts[1]["properties"]["type"];
            let slugs = match (problem_type.get("const"), problem_type.get("enum")) {
                (Some(slug), None) => vec![slug],
                (None, Some(Value::Sequence(slugs))) => slugs.iter().collect(),
                other => panic!("a problem response lists its types as const or enum: {other:?}"),
            };
            documented.extend(slugs.into_iter().map(|slug| slug.as_str().expect("a slug").to_owned()));
        }
    }
    for slug in &documented {
        assert!(sources.contains(&format!("\"{slug}\"")), "the code never answers problem type {slug:?}");
    }
    assert!(documented.contains("validation-failed") && documented.contains("internal-error"), "{documented:?}");
}

/// The document's patterns say what the parsers accept, on the parsers' own test cases; where a
/// rule cannot be a pattern, the schema is the looser one and its description says the rest.
#[test]
fn schemas_agree_with_the_parsers() {
    let document = document();
    let schema = |name: &str| {
        let schema = serde_json::to_value(&document["components"]["schemas"][name]).expect("YAML to JSON");
        jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let check = |name: &str, accepted: &dyn Fn(&str) -> bool, agree: &[&str], looser: &[&str]| {
        let validator = schema(name);
        for sample in agree {
            let valid = validator.is_valid(&serde_json::Value::from(*sample));
            assert_eq!(valid, accepted(sample), "{name}: schema and code disagree on {sample:?}");
        }
        for sample in looser {
            let valid = validator.is_valid(&serde_json::Value::from(*sample));
            assert!(valid && !accepted(sample), "{name}: {sample:?} should pass the schema and be refused by the code");
        }
    };
    let x32 = "x".repeat(32);
    let x33 = "x".repeat(33);
    check(
        "Identifier",
        &|s| CustomerIdentifier::parse(s).is_ok(),
        &[
            "a",
            "7",
            "acme",
            "acme-corp",
            "a1-b2-c3",
            &x32,
            "",
            "-acme",
            "acme-",
            "Acme",
            "ac_me",
            "ac me",
            "äcme",
            &x33,
            "acme\n",
        ],
        &[],
    );
    let too_long = format!("{}@example.com", "a".repeat(250));
    let long_label = format!("jane@{}.com", "a".repeat(64));
    let long_local = format!("{}@example.com", "a".repeat(65));
    check(
        "EmailAddress",
        &|s| EmailAddress::parse(s).is_ok(),
        &[
            "jane@example.com",
            "Jane.Doe@Example.COM",
            "j.o-e+tag@mail.example-corp.co.uk",
            "o'neil@example.org",
            "x@a.io",
            "x@1.2",
            "",
            "jane",
            "jane@",
            "@example.com",
            "jane@example",
            "ja ne@example.com",
            " jane@example.com",
            "jane@example.com ",
            "a@b@c.de",
            "jane@example..com",
            ".jane@example.com",
            "jane.@example.com",
            "ja..ne@example.com",
            "<b>x</b>@example.com",
            "\"john doe\"@example.com",
            "Jane <jane@example.com>",
            "jane@[127.0.0.1]",
            "jane@exa_mple.com",
            "jane@ex!ample.com",
            "jane@-example.com",
            "jane@example-.com",
            "jöhn@example.com",
            "jane@exämple.com",
            "jane@example.com\n",
            &too_long,
            &long_label,
        ],
        // The local part's limit of 64 characters is stated in words only.
        &[&long_local],
    );
    check(
        "PartnerId",
        &|s| PartnerId::parse(s).is_ok(),
        &["acme", "Acme.EU_1-x", &"p".repeat(64), "", "acme#1", "ac me", &"p".repeat(65), "äcme"],
        &[],
    );
    check(
        "TagKey",
        &|s| TagKey::parse(s).is_ok(),
        &["costCenter", "a", "a-b_c9", &format!("k{}", "x".repeat(63)), "", "9lives", "-x", "a.b", &"k".repeat(65)],
        &[],
    );
    let token = LinkToken::generate().unwrap();
    check(
        "LinkToken",
        &|s| LinkToken::parse(s).is_ok(),
        &[
            token.expose(),
            &"A".repeat(43),
            "aZ09-_aZ09-_aZ09-_aZ09-_aZ09-_aZ09-_aZ09-_a",
            &"A".repeat(42),
            &"A".repeat(44),
            &format!("{}=", "A".repeat(42)),
            &format!("{}+", "A".repeat(42)),
            &format!("{}/", "A".repeat(42)),
            &format!("{} ", "A".repeat(42)),
            &format!("{}é", "A".repeat(41)),
            "",
        ],
        &[],
    );
    let name_128 = "é".repeat(128);
    let name_129 = "é".repeat(129);
    check(
        "DisplayName",
        &|s| DisplayName::parse(s).is_ok(),
        &[
            "Acme",
            "Ünïcødé GmbH",
            "株式会社",
            "O'Neil & Sons",
            "👍",
            &name_128,
            &name_129,
            "",
            "a\u{7}b",
            "Acme\u{202E}gnp.exe",
            "a\u{2066}b\u{2069}",
        ],
        // Visible characters are required in words only (no pattern can say it portably).
        &["\u{200B}", "\u{200B}\u{200D}\u{FEFF}", "   ", "\u{301}"],
    );
    let reason_500 = "é".repeat(500);
    let reason_501 = "é".repeat(501);
    check(
        "Reason",
        &|s| Reason::parse(s).is_ok(),
        &["no valid payment method", "Zahlung fehlt ⚠", &reason_500, &reason_501, "", "two\nlines", "a\u{202E}b"],
        &["\u{200B}", "   "],
    );
}
