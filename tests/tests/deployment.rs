//! What real AWS holds the template to, which the local cloud cannot show: the IAM checks SES
//! makes for a send, the parameters and rules CloudFormation refuses a stack with, and names that
//! are unique in the whole account. Each is read from `infra/template.yaml` and evaluated here the
//! way AWS documents it (an unknown operator or intrinsic fails the test rather than pass it).

use std::collections::BTreeMap;

use local_cloud::template::Template;
use meshcustomers::domain::EmailAddress;
use serde_json::json;
use serde_yaml::Value;

const PARTITION: &str = "aws";
const REGION: &str = "eu-central-1";
const ACCOUNT: &str = "123456789012";
const STACK_ID: &str =
    "arn:aws:cloudformation:eu-central-1:123456789012:stack/meshcustomers/51af3dc0-da77-11e4-872e-1234567890ab";

/// A deployment's parameter values: the template's defaults, these required ones, then `overrides`.
fn parameters(template: &Template, overrides: &[(&str, &str)]) -> BTreeMap<String, String> {
    let mut values: BTreeMap<String, String> = template.root()["Parameters"]
        .as_mapping()
        .expect("Parameters")
        .iter()
        .filter_map(|(name, parameter)| {
            let default = match &parameter["Default"] {
                Value::String(text) => text.clone(),
                Value::Number(number) => number.to_string(),
                _ => return None,
            };
            Some((name.as_str()?.to_owned(), default))
        })
        .collect();
    let required = [
        ("EmailFrom", "No-Reply@Mesh.Example"),
        ("SesIdentity", "mesh.example"),
        ("PortalBaseUrl", "https://portal.mesh.example"),
        ("HostedUiDomainPrefix", "meshcustomers-signin"),
    ];
    for (name, value) in required.iter().chain(overrides) {
        values.insert((*name).to_owned(), (*value).to_owned());
    }
    values.insert("AWS::Partition".to_owned(), PARTITION.to_owned());
    values.insert("AWS::Region".to_owned(), REGION.to_owned());
    values.insert("AWS::AccountId".to_owned(), ACCOUNT.to_owned());
    values.insert("AWS::StackId".to_owned(), STACK_ID.to_owned());
    values.insert("AWS::StackName".to_owned(), "meshcustomers".to_owned());
    values
}

fn tagged<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    match value {
        Value::Tagged(tagged) if tagged.tag == name => Some(&tagged.value),
        _ => None,
    }
}

/// A string-valued expression: a literal, `!Ref`, `!Sub` (its string form), `!Join`, `!Select`
/// and `!Split`, the intrinsics the checked parts use.
fn resolve(value: &Value, parameters: &BTreeMap<String, String>) -> String {
    let lookup = |name: &str| parameters.get(name).cloned().unwrap_or_else(|| panic!("no value for {name}"));
    if let Value::String(text) = value {
        return text.clone();
    }
    if let Some(name) = tagged(value, "Ref") {
        return lookup(name.as_str().expect("!Ref of a name"));
    }
    if let Some(text) = tagged(value, "Sub") {
        let mut text = text.as_str().expect("!Sub of a string").to_owned();
        while let Some(start) = text.find("${") {
            let end = start + text[start..].find('}').expect("a closed ${");
            text.replace_range(start..=end, &lookup(&text[start + 2..end]));
        }
        return text;
    }
    if let Some(arguments) = tagged(value, "Join") {
        let separator = arguments[0].as_str().expect("!Join's separator");
        let parts: Vec<String> =
            arguments[1].as_sequence().expect("!Join's list").iter().map(|part| resolve(part, parameters)).collect();
        return parts.join(separator);
    }
    if let Some(arguments) = tagged(value, "Select") {
        let index = arguments[0].as_u64().expect("!Select's index") as usize;
        return split(&arguments[1], parameters).into_iter().nth(index).expect("!Select within the list");
    }
    panic!("an intrinsic this test does not evaluate: {value:?}")
}

fn split(value: &Value, parameters: &BTreeMap<String, String>) -> Vec<String> {
    let arguments = tagged(value, "Split").unwrap_or_else(|| panic!("a list this test does not evaluate: {value:?}"));
    let separator = arguments[0].as_str().expect("!Split's separator");
    resolve(&arguments[1], parameters).split(separator).map(str::to_owned).collect()
}

/// IAM's wildcard match: `*` any run of characters, `?` one.
fn wildcard_matches(pattern: &str, text: &str) -> bool {
    match (pattern.chars().next(), text.chars().next()) {
        (None, None) => true,
        (Some('*'), _) => {
            wildcard_matches(&pattern[1..], text) || (!text.is_empty() && wildcard_matches(pattern, &text[1..]))
        }
        (Some('?'), Some(c)) => wildcard_matches(&pattern[1..], &text[c.len_utf8()..]),
        (Some(p), Some(c)) if p == c => wildcard_matches(&pattern[p.len_utf8()..], &text[c.len_utf8()..]),
        _ => false,
    }
}

fn strings(value: &Value, parameters: &BTreeMap<String, String>) -> Vec<String> {
    match value {
        Value::Sequence(items) => items.iter().map(|item| resolve(item, parameters)).collect(),
        other => vec![resolve(other, parameters)],
    }
}

/// Whether the email sender's policy allows `ses:SendEmail` on `resource` for a request whose
/// From address is `from` (IAM: some Allow statement matches the action and the resource, and
/// all of its conditions hold).
fn email_sender_may_send(
    template: &Template,
    parameters: &BTreeMap<String, String>,
    resource: &str,
    from: &str,
) -> bool {
    let function = template.resource("EmailSenderFunction").expect("the email sender");
    let statements = function["Properties"]["Policies"]
        .as_sequence()
        .expect("inline policies")
        .iter()
        .flat_map(|policy| policy["Statement"].as_sequence().cloned().unwrap_or_default());
    statements
        .filter(|statement| statement["Effect"].as_str() == Some("Allow"))
        .filter(|statement| {
            strings(&statement["Action"], parameters).iter().any(|a| wildcard_matches(a, "ses:SendEmail"))
        })
        .filter(|statement| strings(&statement["Resource"], parameters).iter().any(|r| wildcard_matches(r, resource)))
        .any(|statement| {
            let conditions = statement["Condition"].as_mapping().cloned().unwrap_or_default();
            conditions.iter().all(|(operator, keys)| {
                keys.as_mapping().expect("condition keys").iter().all(|(key, expected)| {
                    assert_eq!(key.as_str(), Some("ses:FromAddress"), "a condition key this test does not know");
                    let expected = strings(expected, parameters);
                    expected.iter().any(|value| match operator.as_str().expect("an operator") {
                        "StringEquals" => value == from,
                        "StringEqualsIgnoreCase" => value.to_lowercase() == from.to_lowercase(),
                        "StringLike" => wildcard_matches(value, from),
                        other => panic!("a condition operator this test does not evaluate: {other}"),
                    })
                })
            })
        })
}

/// SES authorizes a send against the sending identity, in the sandbox also against each
/// recipient's verified identity (its address, or its domain), and against the configuration set
/// in use (the identity's default one, when attached). Every one must be allowed, for the From
/// address the function really sends (EmailFrom as it parses it: lowercased).
#[test]
fn the_email_sender_may_send_what_ses_authorizes_in_and_out_of_the_sandbox() {
    let template = Template::of_repo().unwrap();
    let parameters = parameters(&template, &[]);
    let sent_from = EmailAddress::parse(&parameters["EmailFrom"]).expect("EmailFrom parses").as_str().to_owned();
    assert_ne!(sent_from, parameters["EmailFrom"], "the check needs an EmailFrom that the function lowercases");
    let arn = |resource: &str| format!("arn:{PARTITION}:ses:{REGION}:{ACCOUNT}:{resource}");
    let checked = [
        arn("identity/mesh.example"),
        arn("identity/jane@customer.example"),
        arn("identity/customer.example"),
        arn("configuration-set/mesh-default"),
    ];
    for resource in &checked {
        assert!(email_sender_may_send(&template, &parameters, resource, &sent_from), "SES would deny {resource}");
    }
    // The From condition stays: no other sender, and no other account's or region's resources.
    assert!(!email_sender_may_send(&template, &parameters, &checked[0], "ceo@mesh.example"));
    assert!(!email_sender_may_send(
        &template,
        &parameters,
        &format!("arn:{PARTITION}:ses:us-east-1:{ACCOUNT}:identity/mesh.example"),
        &sent_from
    ));
    assert!(!email_sender_may_send(
        &template,
        &parameters,
        &format!("arn:{PARTITION}:ses:{REGION}:999999999999:identity/mesh.example"),
        &sent_from
    ));
}

/// A `Rules` expression: `!Equals`, `!Not`, `!And`, `!Or` over `!Ref`s and literals.
fn holds(condition: &Value, parameters: &BTreeMap<String, String>) -> bool {
    let operands = |name| tagged(condition, name).and_then(Value::as_sequence);
    if let Some(pair) = operands("Equals") {
        return resolve(&pair[0], parameters) == resolve(&pair[1], parameters);
    }
    if let Some(inner) = operands("Not") {
        return !holds(&inner[0], parameters);
    }
    if let Some(all) = operands("And") {
        return all.iter().all(|c| holds(c, parameters));
    }
    if let Some(any) = operands("Or") {
        return any.iter().any(|c| holds(c, parameters));
    }
    panic!("a rule function this test does not evaluate: {condition:?}")
}

/// What CloudFormation refuses a stack with: each parameter against its AllowedPattern (matched
/// as a whole, as CloudFormation does; the patterns are anchored), then each rule's assertions.
fn refusals(overrides: &[(&str, &str)]) -> Vec<String> {
    let template = Template::of_repo().unwrap();
    let values = parameters(&template, overrides);
    let mut refused = Vec::new();
    for (name, parameter) in template.root()["Parameters"].as_mapping().unwrap() {
        let name = name.as_str().unwrap();
        if let Some(pattern) = parameter["AllowedPattern"].as_str() {
            let schema = json!({"type": "string", "pattern": pattern});
            if !jsonschema::is_valid(&schema, &json!(values[name])) {
                refused.push(format!("{name}: {}", values[name]));
            }
        }
    }
    for (name, rule) in template.root()["Rules"].as_mapping().unwrap() {
        let applies = rule.get("RuleCondition").is_none_or(|condition| holds(condition, &values));
        for assertion in rule["Assertions"].as_sequence().unwrap().iter().filter(|_| applies) {
            if !holds(&assertion["Assert"], &values) {
                refused.push(format!(
                    "{}: {}",
                    name.as_str().unwrap(),
                    assertion["AssertDescription"].as_str().unwrap()
                ));
            }
        }
    }
    refused
}

#[test]
fn the_template_refuses_parameters_that_cannot_work() {
    assert_eq!(refusals(&[]), Vec::<String>::new(), "a complete Cognito deployment is accepted");
    let external = [("JwtIssuer", "https://issuer.example"), ("JwtAudience", "portal"), ("HostedUiDomainPrefix", "")];
    assert_eq!(refusals(&external), Vec::<String>::new(), "an external issuer without a hosted UI is accepted");
    for accepted in ["https://portal.example.com/app", "https://portal.example.com:8443", "http://127.0.0.1:5173"] {
        assert_eq!(refusals(&[("PortalBaseUrl", accepted)]), Vec::<String>::new(), "{accepted}");
    }
    // A trailing slash makes the callback <url>//auth/callback: Cognito's redirect_mismatch.
    for refused in ["https://portal.example.com/", "https://portal.example.com/app/", "http://portal.example.com"] {
        assert_eq!(refusals(&[("PortalBaseUrl", refused)]).len(), 1, "{refused} is accepted");
    }
    // The page signs in through the hosted UI: the stack's user pool needs its domain.
    assert_eq!(refusals(&[("HostedUiDomainPrefix", "")]).len(), 1, "Cognito without a hosted UI domain");
    let ignored_prefix = [("JwtIssuer", "https://issuer.example"), ("JwtAudience", "portal")];
    assert_eq!(refusals(&ignored_prefix).len(), 1, "a hosted UI prefix that an external issuer would ignore");
}

/// Origin access controls and response headers policies are CloudFront's: their names are unique
/// in the account across regions. Two stacks of the same name in two regions must not collide,
/// and an origin access control's name has at most 64 characters whatever the stack's name.
#[test]
fn the_account_global_names_differ_per_stack_and_region_and_fit() {
    let template = Template::of_repo().unwrap();
    let names = [
        ("PortalOriginAccessControl", "OriginAccessControlConfig", 64),
        ("PortalSecurityHeaders", "ResponseHeadersPolicyConfig", 128),
    ];
    for (id, config, longest) in names {
        let name = &template.resource(id).unwrap()["Properties"][config]["Name"];
        let mut other_region = parameters(&template, &[]);
        other_region.insert(
            "AWS::StackId".to_owned(),
            "arn:aws:cloudformation:us-east-1:123456789012:stack/meshcustomers/0e3c7c20-1f2b-11ef-9a8b-0a1b2c3d4e5f"
                .to_owned(),
        );
        let first = resolve(name, &parameters(&template, &[]));
        assert_ne!(first, resolve(name, &other_region), "{id}: the same name for the stack in another region");
        let long_stack = "s".repeat(128);
        let mut long = parameters(&template, &[]);
        long.insert("AWS::StackName".to_owned(), long_stack.clone());
        long.insert("AWS::StackId".to_owned(), STACK_ID.replace("/meshcustomers/", &format!("/{long_stack}/")));
        let resolved = resolve(name, &long);
        assert!(resolved.len() <= longest, "{id}: {resolved} is longer than {longest}");
    }
}

/// CloudFormation cannot delete a bucket that holds objects, and a versioned bucket keeps every
/// old version: such a bucket must be retained, or deleting the stack fails on it.
#[test]
fn versioned_buckets_are_retained_when_the_stack_is_deleted() {
    let template = Template::of_repo().unwrap();
    for (id, bucket) in template.resources_of_type("AWS::S3::Bucket") {
        if bucket["Properties"]["VersioningConfiguration"]["Status"].as_str() == Some("Enabled") {
            assert_eq!(bucket["DeletionPolicy"].as_str(), Some("Retain"), "{id}");
            assert_eq!(bucket["UpdateReplacePolicy"].as_str(), Some("Retain"), "{id}");
        }
    }
}
