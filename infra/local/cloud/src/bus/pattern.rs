//! The EventBridge event-pattern matcher: decides whether a JSON event matches an event pattern.
//!
//! It serves both EventBridge rules and Lambda event-source-mapping `FilterCriteria`, which the Lambda developer guide
//! says use "the same set of syntax and rules as Amazon EventBridge". It follows the Amazon EventBridge user guide
//! pages "Amazon EventBridge event patterns", "Arrays in Amazon EventBridge event patterns", "Matching null values and
//! empty strings in Amazon EventBridge event patterns" and "Content filtering in Amazon EventBridge event patterns"
//! (now "Comparison operators for use in event patterns in Amazon EventBridge"):
//!
//! - a pattern is a non-empty JSON object; nested objects match nested event fields; every leaf is a non-empty array;
//! - every field of the pattern must match (AND); a leaf matches when any of its elements matches (OR); an event value
//!   that is an array matches when any of its elements does; `$or` lists alternative sub-patterns;
//! - a field absent from the event matches nothing but `{"exists": false}`;
//! - exact values are strings (case-sensitive), numbers, `true`, `false` and `null`;
//! - operators: `prefix` and `suffix` (each also as `{"equals-ignore-case": ...}`), `equals-ignore-case`, `wildcard`,
//!   `anything-but` (a value, a list, or a `prefix`, `suffix`, `equals-ignore-case` or `wildcard` object), `numeric`,
//!   `exists` and `cidr`.
//!
//! Where the guide is silent or out of date, the behaviour follows Event Ruler, AWS's open-source implementation of
//! these patterns: exact numbers compare by value (300 matches 300.0; Event Ruler matches a rule's number both as text
//! and as a number, although the guide still says "300, 300.0, and 3.0e2 are not considered equal"); `exists: true`
//! holds for `null`; `anything-but` excludes values of any type; `$or` needs at least two alternatives.
//! Not reproduced: the numeric range limit (±5.0e9, six decimals) and keys with dots matching nested fields, which the
//! guide describes as current behaviour not to be relied on.

use std::borrow::Cow;
use std::fmt::Display;
use std::net::IpAddr;

use serde_json::{Map, Number, Value};

/// An EventBridge event pattern, parsed once.
#[derive(Debug, Clone)]
pub struct EventPattern {
    root: ObjectPattern,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid event pattern: {0}")]
pub struct PatternError(pub String);

impl EventPattern {
    /// Fails with a [`PatternError`] naming the first problem found and where it is.
    pub fn parse(pattern: &Value) -> Result<Self, PatternError> {
        match pattern {
            Value::Object(fields) => Ok(Self { root: ObjectPattern::parse(fields, "")? }),
            other => Err(PatternError(format!("a pattern must be a JSON object, not {}", json_kind(other)))),
        }
    }

    /// Also accepts the pattern as JSON text (FilterCriteria and rules carry it as a string).
    pub fn parse_str(pattern: &str) -> Result<Self, PatternError> {
        let pattern: Value =
            serde_json::from_str(pattern).map_err(|error| PatternError(format!("not valid JSON: {error}")))?;
        Self::parse(&pattern)
    }

    pub fn matches(&self, event: &Value) -> bool {
        self.root.matches(Some(event))
    }
}

const OR_KEYWORD: &str = "$or";

/// The fields (and `$or` alternatives) that must all match at one level of the event.
#[derive(Debug, Clone)]
struct ObjectPattern {
    conditions: Vec<Condition>,
}

#[derive(Debug, Clone)]
enum Condition {
    Field { name: String, rule: FieldRule },
    AnyOf(Vec<ObjectPattern>),
}

#[derive(Debug, Clone)]
enum FieldRule {
    Nested(ObjectPattern),
    /// Matches when any of the matchers matches.
    Leaf(Vec<LeafMatcher>),
}

#[derive(Debug, Clone)]
enum LeafMatcher {
    /// `exists`: whether the field holds at least one leaf (non-object) value.
    Presence(bool),
    /// Matches when any leaf value the field holds passes the test.
    Value(ValueTest),
}

#[derive(Debug, Clone)]
enum ValueTest {
    Exact(Value),
    Prefix {
        prefix: String,
        ignore_case: bool,
    },
    Suffix {
        suffix: String,
        ignore_case: bool,
    },
    /// Holds the expected value already lowercased.
    EqualsIgnoreCase(String),
    Wildcard(Wildcard),
    Numeric(NumericRange),
    Cidr(Cidr),
    /// Passes for a value that passes none of the excluded tests.
    AnythingBut(Vec<ValueTest>),
}

impl ObjectPattern {
    fn parse(fields: &Map<String, Value>, path: &str) -> Result<Self, PatternError> {
        if fields.is_empty() {
            return Err(invalid(path, "empty objects are not allowed"));
        }
        let conditions = fields
            .iter()
            .map(|(name, value)| {
                let field_path = child_path(path, name);
                if name == OR_KEYWORD {
                    return parse_alternatives(value, &field_path).map(Condition::AnyOf);
                }
                let rule = match value {
                    Value::Object(nested) => FieldRule::Nested(ObjectPattern::parse(nested, &field_path)?),
                    Value::Array(elements) => FieldRule::Leaf(parse_leaf(elements, &field_path)?),
                    other => {
                        let problem = format!("must be an object or an array, not {}", json_kind(other));
                        return Err(invalid(&field_path, problem));
                    }
                };
                Ok(Condition::Field { name: name.clone(), rule })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { conditions })
    }

    /// `node` is `None` where the event has nothing at this position.
    fn matches(&self, node: Option<&Value>) -> bool {
        match node {
            // One element must satisfy the whole sub-pattern, so that fields never match across different elements.
            Some(Value::Array(elements)) if !elements.is_empty() => {
                elements.iter().any(|element| self.matches(Some(element)))
            }
            _ => self.conditions.iter().all(|condition| condition.matches(node)),
        }
    }
}

impl Condition {
    fn matches(&self, node: Option<&Value>) -> bool {
        match self {
            Condition::Field { name, rule } => {
                let value = node.and_then(Value::as_object).and_then(|fields| fields.get(name));
                match rule {
                    FieldRule::Nested(pattern) => pattern.matches(value),
                    FieldRule::Leaf(matchers) => leaf_matches(matchers, value),
                }
            }
            Condition::AnyOf(alternatives) => alternatives.iter().any(|alternative| alternative.matches(node)),
        }
    }
}

fn leaf_matches(matchers: &[LeafMatcher], value: Option<&Value>) -> bool {
    let mut leaves = Vec::new();
    if let Some(value) = value {
        collect_leaves(value, &mut leaves);
    }
    matchers.iter().any(|matcher| match matcher {
        LeafMatcher::Presence(expected) => leaves.is_empty() != *expected,
        LeafMatcher::Value(test) => leaves.iter().any(|leaf| test.passes(leaf)),
    })
}

/// The scalar values a field holds, looking inside arrays; objects are intermediate nodes, not leaves.
fn collect_leaves<'event>(value: &'event Value, leaves: &mut Vec<&'event Value>) {
    match value {
        Value::Array(elements) => elements.iter().for_each(|element| collect_leaves(element, leaves)),
        Value::Object(_) => {}
        scalar => leaves.push(scalar),
    }
}

impl ValueTest {
    fn passes(&self, leaf: &Value) -> bool {
        match self {
            ValueTest::Exact(expected) => values_equal(expected, leaf),
            ValueTest::AnythingBut(excluded) => !excluded.iter().any(|test| test.passes(leaf)),
            ValueTest::Numeric(range) => leaf.as_f64().is_some_and(|number| range.contains(number)),
            ValueTest::Prefix { prefix, ignore_case } => {
                leaf.as_str().is_some_and(|text| fold_case(text, *ignore_case).starts_with(prefix.as_str()))
            }
            ValueTest::Suffix { suffix, ignore_case } => {
                leaf.as_str().is_some_and(|text| fold_case(text, *ignore_case).ends_with(suffix.as_str()))
            }
            ValueTest::EqualsIgnoreCase(expected) => leaf.as_str().is_some_and(|text| text.to_lowercase() == *expected),
            ValueTest::Wildcard(wildcard) => leaf.as_str().is_some_and(|text| wildcard.matches(text)),
            ValueTest::Cidr(cidr) => leaf.as_str().is_some_and(|text| cidr.contains(text)),
        }
    }
}

fn fold_case(text: &str, ignore_case: bool) -> Cow<'_, str> {
    if ignore_case { Cow::Owned(text.to_lowercase()) } else { Cow::Borrowed(text) }
}

/// JSON equality, except that numbers compare by value (see the module documentation).
fn values_equal(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(expected), Value::Number(actual)) => numbers_equal(expected, actual),
        _ => expected == actual,
    }
}

fn numbers_equal(left: &Number, right: &Number) -> bool {
    // Integers compare exactly: large ones (account numbers, timestamps) would lose digits as floats.
    if let (Some(left), Some(right)) = (left.as_i64(), right.as_i64()) {
        return left == right;
    }
    if let (Some(left), Some(right)) = (left.as_u64(), right.as_u64()) {
        return left == right;
    }
    matches!((left.as_f64(), right.as_f64()), (Some(left), Some(right)) if left == right)
}

fn parse_alternatives(value: &Value, path: &str) -> Result<Vec<ObjectPattern>, PatternError> {
    let Value::Array(alternatives) = value else {
        return Err(invalid(path, format!("must be an array of pattern objects, not {}", json_kind(value))));
    };
    if alternatives.len() < 2 {
        return Err(invalid(path, "needs at least two alternatives"));
    }
    alternatives
        .iter()
        .enumerate()
        .map(|(index, alternative)| {
            let alternative_path = format!("{path}[{index}]");
            match alternative {
                Value::Object(fields) => ObjectPattern::parse(fields, &alternative_path),
                other => Err(invalid(&alternative_path, format!("must be a pattern object, not {}", json_kind(other)))),
            }
        })
        .collect()
}

fn parse_leaf(elements: &[Value], path: &str) -> Result<Vec<LeafMatcher>, PatternError> {
    if elements.is_empty() {
        return Err(invalid(path, "empty arrays are not allowed"));
    }
    elements
        .iter()
        .map(|element| match element {
            Value::Object(expression) => parse_match_expression(expression, path),
            Value::Array(_) => Err(invalid(path, "a match value must be a string, number, boolean, null or object")),
            scalar => Ok(LeafMatcher::Value(ValueTest::Exact(scalar.clone()))),
        })
        .collect()
}

fn parse_match_expression(expression: &Map<String, Value>, path: &str) -> Result<LeafMatcher, PatternError> {
    let (operator, operand) = single_entry(expression, path)?;
    let test = match operator {
        "exists" => {
            return match operand {
                Value::Bool(expected) => Ok(LeafMatcher::Presence(*expected)),
                other => Err(invalid(path, format!("exists takes true or false, not {}", json_kind(other)))),
            };
        }
        "prefix" => {
            let (prefix, ignore_case) = parse_affix(operator, operand, path)?;
            ValueTest::Prefix { prefix, ignore_case }
        }
        "suffix" => {
            let (suffix, ignore_case) = parse_affix(operator, operand, path)?;
            ValueTest::Suffix { suffix, ignore_case }
        }
        "equals-ignore-case" => ValueTest::EqualsIgnoreCase(string_operand(operator, operand, path)?.to_lowercase()),
        "wildcard" => ValueTest::Wildcard(Wildcard::parse(string_operand(operator, operand, path)?, path)?),
        "numeric" => ValueTest::Numeric(NumericRange::parse(operand, path)?),
        "cidr" => ValueTest::Cidr(Cidr::parse(string_operand(operator, operand, path)?, path)?),
        "anything-but" => ValueTest::AnythingBut(parse_exclusions(operand, path)?),
        unknown => return Err(invalid(path, format!("unknown operator \"{unknown}\""))),
    };
    Ok(LeafMatcher::Value(test))
}

/// `prefix` and `suffix` take a string, or `{"equals-ignore-case": string}` to ignore case.
fn parse_affix(operator: &str, operand: &Value, path: &str) -> Result<(String, bool), PatternError> {
    match operand {
        Value::String(affix) => Ok((affix.clone(), false)),
        Value::Object(modifier) => match single_entry(modifier, path)? {
            ("equals-ignore-case", Value::String(affix)) => Ok((affix.to_lowercase(), true)),
            _ => Err(invalid(path, format!("{operator} takes a string or {{\"equals-ignore-case\": string}}"))),
        },
        other => Err(invalid(path, format!("{operator} takes a string, not {}", json_kind(other)))),
    }
}

/// What `anything-but` excludes: a string or number, a list of only strings or only numbers, or one
/// `prefix`, `suffix`, `equals-ignore-case` or `wildcard` taking a string or a list of strings.
fn parse_exclusions(operand: &Value, path: &str) -> Result<Vec<ValueTest>, PatternError> {
    match operand {
        Value::String(_) | Value::Number(_) => Ok(vec![ValueTest::Exact(operand.clone())]),
        Value::Array(values) => {
            let all_strings = values.iter().all(Value::is_string);
            let all_numbers = values.iter().all(Value::is_number);
            if values.is_empty() || !(all_strings || all_numbers) {
                return Err(invalid(path, "an anything-but list must hold only strings or only numbers"));
            }
            Ok(values.iter().cloned().map(ValueTest::Exact).collect())
        }
        Value::Object(expression) => {
            let (operator, operand) = single_entry(expression, path)?;
            if !matches!(operator, "prefix" | "suffix" | "equals-ignore-case" | "wildcard") {
                return Err(invalid(path, format!("anything-but does not support \"{operator}\"")));
            }
            let texts = match operand {
                Value::Array(values) if !values.is_empty() => {
                    values.iter().map(Value::as_str).collect::<Option<Vec<_>>>()
                }
                Value::String(text) => Some(vec![text.as_str()]),
                _ => None,
            }
            .ok_or_else(|| invalid(path, format!("anything-but {operator} takes a string or a list of strings")))?;
            texts.into_iter().map(|text| parse_excluded_string(operator, text, path)).collect()
        }
        other => {
            Err(invalid(path, format!("anything-but takes a string, a number or a list, not {}", json_kind(other))))
        }
    }
}

fn parse_excluded_string(operator: &str, text: &str, path: &str) -> Result<ValueTest, PatternError> {
    if text.is_empty() && matches!(operator, "prefix" | "suffix") {
        return Err(invalid(path, format!("anything-but {operator} must not be empty")));
    }
    match operator {
        "prefix" => Ok(ValueTest::Prefix { prefix: text.to_owned(), ignore_case: false }),
        "suffix" => Ok(ValueTest::Suffix { suffix: text.to_owned(), ignore_case: false }),
        "equals-ignore-case" => Ok(ValueTest::EqualsIgnoreCase(text.to_lowercase())),
        "wildcard" => Ok(ValueTest::Wildcard(Wildcard::parse(text, path)?)),
        unknown => Err(invalid(path, format!("anything-but does not support \"{unknown}\""))),
    }
}

/// A `wildcard` value: literal pieces around each `*`, which stands for any run of characters (even none).
#[derive(Debug, Clone)]
struct Wildcard {
    pieces: Vec<String>,
}

impl Wildcard {
    /// `\*` is a literal `*` and `\\` a literal `\`; the guide rules out consecutive `*` and other escapes.
    fn parse(text: &str, path: &str) -> Result<Self, PatternError> {
        let mut pieces = vec![String::new()];
        let mut previous_was_star = false;
        let mut characters = text.chars();
        while let Some(character) = characters.next() {
            let literal = match character {
                '*' if previous_was_star => {
                    return Err(invalid(path, "consecutive wildcard characters are not allowed"));
                }
                '*' => {
                    pieces.push(String::new());
                    previous_was_star = true;
                    continue;
                }
                '\\' => match characters.next() {
                    Some(escaped @ ('*' | '\\')) => escaped,
                    _ => return Err(invalid(path, "in a wildcard, a backslash may only escape '*' or '\\'")),
                },
                other => other,
            };
            previous_was_star = false;
            if let Some(piece) = pieces.last_mut() {
                piece.push(literal);
            }
        }
        Ok(Self { pieces })
    }

    fn matches(&self, text: &str) -> bool {
        let [first, middle @ .., last] = self.pieces.as_slice() else {
            return self.pieces.first().is_some_and(|only| only == text);
        };
        if text.len() < first.len() + last.len() || !text.starts_with(first.as_str()) || !text.ends_with(last.as_str())
        {
            return false;
        }
        // Taking each middle piece at its first occurrence leaves the most room for the pieces after it.
        let mut rest = &text[first.len()..text.len() - last.len()];
        middle.iter().all(|piece| match rest.find(piece.as_str()) {
            Some(start) => {
                rest = &rest[start + piece.len()..];
                true
            }
            None => false,
        })
    }
}

/// A `numeric` condition: a comparison, or a lower bound (`>`, `>=`) followed by an upper bound (`<`, `<=`).
#[derive(Debug, Clone, Copy)]
struct NumericRange {
    lower: Option<Bound>,
    upper: Option<Bound>,
}

#[derive(Debug, Clone, Copy)]
struct Bound {
    value: f64,
    inclusive: bool,
}

impl NumericRange {
    fn parse(operand: &Value, path: &str) -> Result<Self, PatternError> {
        let Value::Array(terms) = operand else {
            return Err(invalid(path, format!("numeric takes an array, not {}", json_kind(operand))));
        };
        match terms.as_slice() {
            [operator, value] => {
                let (operator, value) = (numeric_operator(operator, path)?, numeric_value(value, path)?);
                let bound = |inclusive| Some(Bound { value, inclusive });
                match operator {
                    "=" => Ok(Self { lower: bound(true), upper: bound(true) }),
                    ">" => Ok(Self { lower: bound(false), upper: None }),
                    ">=" => Ok(Self { lower: bound(true), upper: None }),
                    "<" => Ok(Self { lower: None, upper: bound(false) }),
                    "<=" => Ok(Self { lower: None, upper: bound(true) }),
                    unknown => Err(invalid(path, format!("unknown numeric operator \"{unknown}\""))),
                }
            }
            [lower_operator, lower, upper_operator, upper] => {
                let lower_inclusive = match numeric_operator(lower_operator, path)? {
                    ">" => false,
                    ">=" => true,
                    other => {
                        return Err(invalid(path, format!("a numeric range starts with > or >=, not \"{other}\"")));
                    }
                };
                let upper_inclusive = match numeric_operator(upper_operator, path)? {
                    "<" => false,
                    "<=" => true,
                    other => return Err(invalid(path, format!("a numeric range ends with < or <=, not \"{other}\""))),
                };
                Ok(Self {
                    lower: Some(Bound { value: numeric_value(lower, path)?, inclusive: lower_inclusive }),
                    upper: Some(Bound { value: numeric_value(upper, path)?, inclusive: upper_inclusive }),
                })
            }
            _ => Err(invalid(path, "numeric takes [operator, number] or [\">\"/\">=\", number, \"<\"/\"<=\", number]")),
        }
    }

    fn contains(&self, number: f64) -> bool {
        let above_lower =
            self.lower.is_none_or(|lower| if lower.inclusive { number >= lower.value } else { number > lower.value });
        let below_upper =
            self.upper.is_none_or(|upper| if upper.inclusive { number <= upper.value } else { number < upper.value });
        above_lower && below_upper
    }
}

fn numeric_operator<'pattern>(operator: &'pattern Value, path: &str) -> Result<&'pattern str, PatternError> {
    operator.as_str().ok_or_else(|| invalid(path, format!("expected a numeric operator, not {}", json_kind(operator))))
}

fn numeric_value(value: &Value, path: &str) -> Result<f64, PatternError> {
    value.as_f64().ok_or_else(|| invalid(path, format!("numeric bounds must be numbers, not {}", json_kind(value))))
}

/// A `cidr` block, IPv4 or IPv6; it matches event strings that are addresses inside it.
#[derive(Debug, Clone, Copy)]
struct Cidr {
    network: IpAddr,
    prefix_length: u32,
}

impl Cidr {
    fn parse(text: &str, path: &str) -> Result<Self, PatternError> {
        let malformed = || invalid(path, format!("\"{text}\" is not a CIDR block such as 10.0.0.0/24"));
        let (address, prefix_length) = text.split_once('/').ok_or_else(malformed)?;
        let network: IpAddr = address.parse().map_err(|_| malformed())?;
        let prefix_length: u32 = prefix_length.parse().map_err(|_| malformed())?;
        let address_bits = if network.is_ipv4() { 32 } else { 128 };
        if prefix_length > address_bits {
            return Err(malformed());
        }
        Ok(Self { network, prefix_length })
    }

    fn contains(&self, text: &str) -> bool {
        match (self.network, text.parse::<IpAddr>()) {
            (IpAddr::V4(network), Ok(IpAddr::V4(address))) => {
                same_leading_bits(u128::from(network.to_bits()), u128::from(address.to_bits()), 32, self.prefix_length)
            }
            (IpAddr::V6(network), Ok(IpAddr::V6(address))) => {
                same_leading_bits(network.to_bits(), address.to_bits(), 128, self.prefix_length)
            }
            _ => false,
        }
    }
}

fn same_leading_bits(left: u128, right: u128, width: u32, count: u32) -> bool {
    // Only a /0 IPv6 block shifts all 128 bits out, which `checked_shr` refuses; such a block holds every address.
    (left ^ right).checked_shr(width - count).unwrap_or(0) == 0
}

fn single_entry<'pattern>(
    expression: &'pattern Map<String, Value>,
    path: &str,
) -> Result<(&'pattern str, &'pattern Value), PatternError> {
    let mut entries = expression.iter();
    match (entries.next(), entries.next()) {
        (Some((operator, operand)), None) => Ok((operator.as_str(), operand)),
        _ => Err(invalid(path, "a match expression must hold exactly one operator")),
    }
}

fn string_operand<'pattern>(
    operator: &str,
    operand: &'pattern Value,
    path: &str,
) -> Result<&'pattern str, PatternError> {
    operand.as_str().ok_or_else(|| invalid(path, format!("{operator} takes a string, not {}", json_kind(operand))))
}

fn child_path(parent: &str, name: &str) -> String {
    if parent.is_empty() { name.to_owned() } else { format!("{parent}.{name}") }
}

fn invalid(path: &str, problem: impl Display) -> PatternError {
    if path.is_empty() { PatternError(problem.to_string()) } else { PatternError(format!("\"{path}\": {problem}")) }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{EventPattern, PatternError};

    fn matches(pattern: Value, event: Value) -> bool {
        EventPattern::parse(&pattern).expect("the pattern is valid").matches(&event)
    }

    fn rejection(pattern: Value) -> String {
        match EventPattern::parse(&pattern) {
            Ok(parsed) => panic!("expected {pattern} to be rejected, parsed {parsed:?}"),
            Err(PatternError(message)) => message,
        }
    }

    // "Amazon EventBridge event patterns": the EC2 state-change event used throughout the guide.
    fn ec2_state_change(state: &str) -> Value {
        json!({
            "version": "0",
            "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
            "detail-type": "EC2 Instance State-change Notification",
            "source": "aws.ec2",
            "account": "111122223333",
            "time": "2017-12-22T18:43:48Z",
            "region": "us-west-1",
            "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
            "detail": { "instance-id": "i-1234567890abcdef0", "state": state }
        })
    }

    // "Matching null values and empty strings in Amazon EventBridge event patterns".
    fn autoscaling_launch() -> Value {
        json!({
            "version": "0",
            "id": "3e3c153a-8339-4e30-8c35-687ebef853fe",
            "detail-type": "EC2 Instance Launch Successful",
            "source": "aws.autoscaling",
            "account": "123456789012",
            "time": "2015-11-11T21:31:47Z",
            "region": "us-east-1",
            "resources": [],
            "detail": { "eventVersion": "", "responseElements": null }
        })
    }

    fn detail(fields: Value) -> Value {
        json!({ "source": "aws.ec2", "detail": fields })
    }

    #[test]
    fn exact_values_match_nested_fields_and_every_field_must_match() {
        // "Amazon EventBridge event patterns": the instance-termination pattern.
        let pattern = json!({
            "source": ["aws.ec2"],
            "detail-type": ["EC2 Instance State-change Notification"],
            "detail": { "state": ["terminated"] }
        });
        assert!(matches(pattern.clone(), ec2_state_change("terminated")));
        assert!(!matches(pattern.clone(), ec2_state_change("running")));
        assert!(!matches(pattern, json!({ "source": "aws.ec2", "detail": { "state": "terminated" } })));
    }

    #[test]
    fn a_leaf_matches_when_any_of_its_values_does() {
        // "Amazon EventBridge event patterns" (Match values): EC2 or Fargate.
        let pattern = json!({ "source": ["aws.ec2", "aws.fargate"] });
        assert!(matches(pattern.clone(), json!({ "source": "aws.fargate" })));
        assert!(!matches(pattern, json!({ "source": "aws.ecs" })));
    }

    #[test]
    fn strings_match_case_sensitively() {
        let pattern = json!({ "source": ["aws.ec2"] });
        assert!(!matches(pattern, json!({ "source": "AWS.EC2" })));
    }

    #[test]
    fn numbers_match_by_value_and_never_match_strings() {
        // "Amazon EventBridge event patterns" (Value matching): the Macie alert.
        let pattern = json!({
            "source": ["aws.macie"],
            "detail-type": ["Macie Alert"],
            "detail": { "risk-score": [80], "trigger": { "risk": [8] } }
        });
        let alert = |risk_score: Value| {
            json!({
                "source": "aws.macie",
                "detail-type": "Macie Alert",
                "detail": { "risk-score": risk_score, "trigger": { "alert-type": "basic", "risk": 8 } }
            })
        };
        assert!(matches(pattern.clone(), alert(json!(80))));
        assert!(matches(pattern.clone(), alert(json!(80.0))));
        assert!(!matches(pattern.clone(), alert(json!(81))));
        assert!(!matches(pattern, alert(json!("80"))));
        assert!(matches(json!({ "x": [300] }), json!({ "x": 3.0e2 })));
        assert!(!matches(json!({ "x": ["300"] }), json!({ "x": 300 })));
        assert!(matches(json!({ "account": [123456789012_u64] }), json!({ "account": 123456789012_u64 })));
        assert!(!matches(json!({ "id": [9007199254740993_u64] }), json!({ "id": 9007199254740992_u64 })));
    }

    #[test]
    fn booleans_match_exactly() {
        let pattern = json!({ "detail": { "enabled": [false] } });
        assert!(matches(pattern.clone(), detail(json!({ "enabled": false }))));
        assert!(!matches(pattern.clone(), detail(json!({ "enabled": true }))));
        assert!(!matches(pattern, detail(json!({ "enabled": "false" }))));
    }

    #[test]
    fn null_and_the_empty_string_match_only_themselves() {
        // "Matching null values and empty strings in Amazon EventBridge event patterns".
        assert!(matches(json!({ "detail": { "eventVersion": [""] } }), autoscaling_launch()));
        assert!(matches(json!({ "detail": { "responseElements": [null] } }), autoscaling_launch()));
        assert!(!matches(json!({ "detail": { "eventVersion": [null] } }), autoscaling_launch()));
        assert!(!matches(json!({ "detail": { "responseElements": [""] } }), autoscaling_launch()));
    }

    #[test]
    fn a_field_missing_from_the_event_never_matches() {
        assert!(!matches(json!({ "detail": { "state": ["terminated"] } }), json!({ "source": "aws.ec2" })));
        assert!(!matches(json!({ "detail": { "missing": [null] } }), autoscaling_launch()));
    }

    #[test]
    fn an_event_array_matches_when_any_element_does() {
        // "Arrays in Amazon EventBridge event patterns".
        let pattern = json!({
            "resources": [
                "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
                "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
                "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"
            ]
        });
        let event = |second: &str| {
            json!({
                "resources": [
                    "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate",
                    second
                ]
            })
        };
        assert!(matches(pattern.clone(), event("arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f")));
        assert!(!matches(pattern.clone(), event("arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f")));
        assert!(!matches(pattern, json!({ "resources": [] })));
    }

    #[test]
    fn a_nested_pattern_matches_one_element_of_an_array_of_objects() {
        let employees = json!({
            "employees": [
                { "firstName": "John", "lastName": "Doe" },
                { "firstName": "Anna", "lastName": "Smith" },
                { "firstName": "Peter", "lastName": "Jones" }
            ]
        });
        assert!(matches(json!({ "employees": { "firstName": ["Anna"] } }), employees.clone()));
        assert!(matches(json!({ "employees": { "firstName": ["Anna"], "lastName": ["Smith"] } }), employees.clone()));
        // The two fields hold in different elements, so no single employee matches.
        assert!(!matches(json!({ "employees": { "firstName": ["Anna"], "lastName": ["Jones"] } }), employees));
    }

    #[test]
    fn a_leaf_does_not_match_an_object_value() {
        assert!(!matches(json!({ "detail": ["terminated"] }), ec2_state_change("terminated")));
    }

    #[test]
    fn prefix_matches_the_start_of_strings() {
        // "Content filtering in Amazon EventBridge event patterns" (Prefix matching).
        let pattern = json!({ "time": [{ "prefix": "2017-10-02" }] });
        assert!(matches(pattern.clone(), json!({ "time": "2017-10-02T18:43:48Z" })));
        assert!(!matches(pattern.clone(), json!({ "time": "2017-10-03T18:43:48Z" })));
        assert!(!matches(json!({ "count": [{ "prefix": "12" }] }), json!({ "count": 123 })));
        assert!(!matches(pattern, json!({ "detail": {} })));
    }

    #[test]
    fn prefix_can_ignore_case() {
        // "Comparison operators for use in event patterns in Amazon EventBridge" (Prefix matching while ignoring case).
        let pattern = json!({ "detail": { "service": [{ "prefix": { "equals-ignore-case": "EventB" } }] } });
        assert!(matches(pattern.clone(), detail(json!({ "service": "EVENTBRIDGE" }))));
        assert!(matches(pattern.clone(), detail(json!({ "service": "eventbus" }))));
        assert!(!matches(pattern, detail(json!({ "service": "Lambda" }))));
    }

    #[test]
    fn suffix_matches_the_end_of_strings() {
        // "Comparison operators for use in event patterns in Amazon EventBridge" (Suffix matching).
        let pattern = json!({ "FileName": [{ "suffix": ".png" }] });
        assert!(matches(pattern.clone(), json!({ "FileName": "image.png" })));
        assert!(!matches(pattern.clone(), json!({ "FileName": "image.PNG" })));
        assert!(!matches(pattern, json!({ "FileName": "image.png.jpg" })));
    }

    #[test]
    fn suffix_can_ignore_case() {
        // "Comparison operators for use in event patterns in Amazon EventBridge" (Suffix matching while ignoring case).
        let pattern = json!({ "detail": { "FileName": [{ "suffix": { "equals-ignore-case": ".png" } }] } });
        assert!(matches(pattern.clone(), detail(json!({ "FileName": "image.PNG" }))));
        assert!(!matches(pattern, detail(json!({ "FileName": "image.jpg" }))));
    }

    #[test]
    fn equals_ignore_case_matches_any_casing_of_the_whole_string() {
        // "Comparison operators for use in event patterns in Amazon EventBridge": Name is "Alice", ignoring case.
        let pattern = json!({ "Name": [{ "equals-ignore-case": "alice" }] });
        assert!(matches(pattern.clone(), json!({ "Name": "Alice" })));
        assert!(matches(pattern.clone(), json!({ "Name": "ALICE" })));
        assert!(!matches(pattern, json!({ "Name": "Alicia" })));
    }

    #[test]
    fn anything_but_a_string_or_a_number() {
        // "Content filtering in Amazon EventBridge event patterns" (Anything-but matching).
        let state = json!({ "detail": { "state": [{ "anything-but": "initializing" }] } });
        assert!(matches(state.clone(), ec2_state_change("running")));
        assert!(!matches(state, ec2_state_change("initializing")));
        let limit = json!({ "detail": { "x-limit": [{ "anything-but": 123 }] } });
        assert!(matches(limit.clone(), detail(json!({ "x-limit": 124 }))));
        assert!(!matches(limit, detail(json!({ "x-limit": 123 }))));
    }

    #[test]
    fn anything_but_a_list_of_strings_or_of_numbers() {
        // "Content filtering in Amazon EventBridge event patterns" (Anything-but matching).
        let states = json!({ "detail": { "state": [{ "anything-but": ["stopped", "overloaded"] }] } });
        assert!(matches(states.clone(), ec2_state_change("running")));
        assert!(!matches(states.clone(), ec2_state_change("stopped")));
        assert!(!matches(states, ec2_state_change("overloaded")));
        let limits = json!({ "detail": { "x-limit": [{ "anything-but": [100, 200, 300] }] } });
        assert!(matches(limits.clone(), detail(json!({ "x-limit": 150 }))));
        assert!(!matches(limits, detail(json!({ "x-limit": 200 }))));
    }

    #[test]
    fn anything_but_a_prefix_or_a_suffix() {
        // "Content filtering in Amazon EventBridge event patterns" (Anything-but matching on a prefix, on a suffix).
        let prefix = json!({ "detail": { "state": [{ "anything-but": { "prefix": "init" } }] } });
        assert!(matches(prefix.clone(), ec2_state_change("running")));
        assert!(matches(prefix.clone(), ec2_state_change("INITIALIZING")));
        assert!(!matches(prefix, ec2_state_change("initializing")));
        let suffix = json!({ "FileName": [{ "anything-but": { "suffix": ".png" } }] });
        assert!(matches(suffix.clone(), json!({ "FileName": "notes.txt" })));
        assert!(!matches(suffix, json!({ "FileName": "photo.png" })));
    }

    #[test]
    fn anything_but_ignoring_case_or_a_wildcard() {
        // "Comparison operators for use in event patterns in Amazon EventBridge" (Anything-but, ignore case / wildcard).
        let state = json!({ "state": [{ "anything-but": { "equals-ignore-case": "initializing" } }] });
        assert!(matches(state.clone(), json!({ "state": "running" })));
        assert!(!matches(state, json!({ "state": "INITIALIZING" })));
        let path = json!({ "FilePath": [{ "anything-but": { "wildcard": "*/lib/*" } }] });
        assert!(matches(path.clone(), json!({ "FilePath": "/usr/bin/env" })));
        assert!(!matches(path, json!({ "FilePath": "/usr/lib/libc.so" })));
    }

    #[test]
    fn anything_but_needs_the_field_and_matches_arrays_holding_another_value() {
        let pattern = json!({ "detail": { "state": [{ "anything-but": ["stopped", "overloaded"] }] } });
        assert!(!matches(pattern.clone(), detail(json!({ "instance-id": "i-1" }))));
        assert!(!matches(pattern.clone(), detail(json!({ "state": [] }))));
        assert!(!matches(pattern.clone(), detail(json!({ "state": { "name": "running" } }))));
        assert!(matches(pattern.clone(), detail(json!({ "state": ["stopped", "running"] }))));
        assert!(!matches(pattern, detail(json!({ "state": ["stopped", "overloaded"] }))));
    }

    #[test]
    fn numeric_compares_numbers_with_ranges() {
        // "Content filtering in Amazon EventBridge event patterns" (Numeric matching).
        let pattern = json!({
            "detail": {
                "c-count": [{ "numeric": [">", 0, "<=", 5] }],
                "d-count": [{ "numeric": ["<", 10] }],
                "x-limit": [{ "numeric": ["=", 3.018e2] }]
            }
        });
        let counts = |c_count: Value, d_count: Value| {
            detail(json!({ "c-count": c_count, "d-count": d_count, "x-limit": 301.8 }))
        };
        assert!(matches(pattern.clone(), counts(json!(5), json!(3))));
        assert!(matches(pattern.clone(), counts(json!(0.5), json!(-20))));
        assert!(!matches(pattern.clone(), counts(json!(0), json!(3))));
        assert!(!matches(pattern.clone(), counts(json!(5.01), json!(3))));
        assert!(!matches(pattern.clone(), counts(json!(5), json!(10))));
        assert!(!matches(pattern, counts(json!("5"), json!(3))));
    }

    #[test]
    fn numeric_single_comparisons() {
        // "Comparison operators for use in event patterns in Amazon EventBridge": Price is 100; Price > 10 and <= 20.
        let equals = json!({ "Price": [{ "numeric": ["=", 100] }] });
        assert!(matches(equals.clone(), json!({ "Price": 100.0 })));
        assert!(!matches(equals, json!({ "Price": 100.5 })));
        let range = json!({ "Price": [{ "numeric": [">", 10, "<=", 20] }] });
        assert!(matches(range.clone(), json!({ "Price": 20 })));
        assert!(!matches(range.clone(), json!({ "Price": 10 })));
        assert!(!matches(range, json!({ "Price": 20.000001 })));
        assert!(matches(json!({ "n": [{ "numeric": [">=", 10] }] }), json!({ "n": 10 })));
        assert!(!matches(json!({ "n": [{ "numeric": [">", 10] }] }), json!({ "n": 10 })));
        assert!(matches(json!({ "n": [{ "numeric": ["<=", -1] }] }), json!({ "n": -1 })));
    }

    #[test]
    fn exists_true_needs_a_leaf_value() {
        // "Content filtering in Amazon EventBridge event patterns" (Exists matching).
        let pattern = json!({ "detail": { "state": [{ "exists": true }] } });
        let pending = json!({
            "version": "0",
            "id": "7bf73129-1428-4cd3-a780-95db273d1602",
            "detail-type": "EC2 Instance State-change Notification",
            "source": "aws.ec2",
            "account": "123456789012",
            "time": "2015-11-11T21:29:54Z",
            "region": "us-east-1",
            "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
            "detail": { "instance-id": "i-abcd1111", "state": "pending" }
        });
        let without_state = json!({
            "detail-type": ["EC2 Instance State-change Notification"],
            "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],
            "detail": { "c-count": { "c1": 100 } }
        });
        assert!(matches(pattern.clone(), pending));
        assert!(!matches(pattern, without_state));
        // Null is a value; an object is an intermediate node, not a leaf.
        assert!(matches(json!({ "detail": { "responseElements": [{ "exists": true }] } }), autoscaling_launch()));
        assert!(!matches(
            json!({ "detail": { "c-count": [{ "exists": true }] } }),
            detail(json!({ "c-count": { "c1": 100 } }))
        ));
    }

    #[test]
    fn exists_false_matches_absent_fields_and_intermediate_nodes() {
        // "Content filtering in Amazon EventBridge event patterns" (Exists matching).
        let pattern = json!({ "detail": { "c-count": [{ "exists": false }] } });
        let event = |detail: Value| {
            json!({
                "detail-type": ["EC2 Instance State-change Notification"],
                "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341"],
                "detail": detail
            })
        };
        assert!(matches(pattern.clone(), event(json!({ "state": ["initializing", "running"] }))));
        assert!(matches(
            pattern.clone(),
            event(json!({ "state": ["initializing", "running"], "c-count": { "c1": 100 } }))
        ));
        assert!(matches(pattern.clone(), json!({ "source": "aws.ec2" })));
        assert!(!matches(pattern.clone(), event(json!({ "c-count": 5 }))));
        assert!(!matches(pattern, event(json!({ "c-count": null }))));
    }

    #[test]
    fn wildcard_stands_for_any_run_of_characters() {
        // "Comparison operators for use in event patterns in Amazon EventBridge": a .png file within the folder "dir".
        let pattern = json!({ "FileName": [{ "wildcard": "dir/*.png" }] });
        assert!(matches(pattern.clone(), json!({ "FileName": "dir/photo.png" })));
        assert!(matches(pattern.clone(), json!({ "FileName": "dir/.png" })));
        assert!(!matches(pattern.clone(), json!({ "FileName": "other/photo.png" })));
        assert!(!matches(pattern.clone(), json!({ "FileName": "dir/photo.jpg" })));
        assert!(!matches(pattern, json!({ "FileName": "dir.png" })));
        let several = json!({ "arn": [{ "wildcard": "arn:aws:events:*:*:event-bus/*" }] });
        assert!(matches(several.clone(), json!({ "arn": "arn:aws:events:us-east-1:123456789012:event-bus/default" })));
        assert!(!matches(several, json!({ "arn": "arn:aws:sqs:us-east-1:123456789012:queue" })));
    }

    #[test]
    fn wildcard_pieces_match_in_order_without_overlapping() {
        let pattern = json!({ "name": [{ "wildcard": "*ab*ab*" }] });
        assert!(matches(pattern.clone(), json!({ "name": "xabyab" })));
        assert!(!matches(pattern, json!({ "name": "xaby" })));
    }

    #[test]
    fn wildcard_escapes_star_and_backslash() {
        let literal_star = json!({ "name": [{ "wildcard": "a\\*b*" }] });
        assert!(matches(literal_star.clone(), json!({ "name": "a*bc" })));
        assert!(!matches(literal_star, json!({ "name": "axbc" })));
        assert!(matches(json!({ "path": [{ "wildcard": "C:\\\\*" }] }), json!({ "path": "C:\\temp" })));
    }

    #[test]
    fn cidr_matches_addresses_inside_the_block() {
        // "Content filtering in Amazon EventBridge event patterns" (IP address matching).
        let pattern = json!({ "detail": { "sourceIPAddress": [{ "cidr": "10.0.0.0/24" }] } });
        assert!(matches(pattern.clone(), detail(json!({ "sourceIPAddress": "10.0.0.255" }))));
        assert!(!matches(pattern.clone(), detail(json!({ "sourceIPAddress": "10.0.1.0" }))));
        assert!(!matches(pattern, detail(json!({ "sourceIPAddress": "not an address" }))));
        let ipv6 = json!({ "ip": [{ "cidr": "2001:db8::/32" }] });
        assert!(matches(ipv6.clone(), json!({ "ip": "2001:db8:1::7" })));
        assert!(!matches(ipv6, json!({ "ip": "2001:db9::1" })));
    }

    #[test]
    fn or_matches_when_any_alternative_does() {
        // "Comparison operators for use in event patterns in Amazon EventBridge" (Or matching).
        let pattern = json!({
            "detail": {
                "$or": [
                    { "c-count": [{ "numeric": [">", 0, "<=", 5] }] },
                    { "d-count": [{ "numeric": ["<", 10] }] },
                    { "x-limit": [{ "numeric": ["=", 3.018e2] }] }
                ]
            }
        });
        assert!(matches(pattern.clone(), detail(json!({ "c-count": 3 }))));
        assert!(matches(pattern.clone(), detail(json!({ "c-count": 30, "x-limit": 301.8 }))));
        assert!(!matches(pattern, detail(json!({ "c-count": 30, "d-count": 10, "x-limit": 1 }))));
        // Location is "New York", or Day is "Monday", alongside a field that must always match.
        let mixed = json!({ "source": ["calendar"], "$or": [{ "Location": ["New York"] }, { "Day": ["Monday"] }] });
        assert!(matches(mixed.clone(), json!({ "source": "calendar", "Location": "Paris", "Day": "Monday" })));
        assert!(!matches(mixed.clone(), json!({ "source": "calendar", "Location": "Paris", "Day": "Friday" })));
        assert!(!matches(mixed, json!({ "source": "diary", "Day": "Monday" })));
    }

    #[test]
    fn the_complex_example_combines_operators() {
        // "Content filtering in Amazon EventBridge event patterns" (Complex example with multiple matching).
        let pattern = json!({
            "time": [{ "prefix": "2017-10-02" }],
            "detail": {
                "state": [{ "anything-but": "initializing" }],
                "c-count": [{ "numeric": [">", 0, "<=", 5] }],
                "d-count": [{ "numeric": ["<", 10] }],
                "x-limit": [{ "anything-but": [100, 200, 300] }]
            }
        });
        let event = |state: &str| {
            json!({
                "time": "2017-10-02T16:24:49Z",
                "detail": { "state": state, "c-count": 5, "d-count": 3, "x-limit": 301.8 }
            })
        };
        assert!(matches(pattern.clone(), event("running")));
        assert!(!matches(pattern, event("initializing")));
    }

    #[test]
    fn the_customer_registered_rule_matches_its_eventbridge_event() {
        let rule = EventPattern::parse_str(r#"{"source":["meshcustomers"],"detail-type":["CUSTOMER_REGISTERED"]}"#)
            .expect("the rule's pattern is valid");
        let event = |source: &str, detail_type: &str| {
            json!({
                "version": "0",
                "id": "0d7f6e1c-2f4e-4c1e-9a55-3c1f0e4b8a21",
                "detail-type": detail_type,
                "source": source,
                "account": "123456789012",
                "time": "2024-05-01T12:00:00Z",
                "region": "eu-west-1",
                "resources": [],
                "detail": { "customerId": "01HXCUSTOMER", "email": "ada@example.com" }
            })
        };
        assert!(rule.matches(&event("meshcustomers", "CUSTOMER_REGISTERED")));
        assert!(!rule.matches(&event("meshcustomers", "CUSTOMER_DELETED")));
        assert!(!rule.matches(&event("meshorders", "CUSTOMER_REGISTERED")));
        assert!(!rule.matches(&json!({ "source": "meshcustomers", "detail": {} })));
    }

    #[test]
    fn the_outbox_filter_matches_inserted_outbox_stream_records() {
        let filter =
            EventPattern::parse_str(r#"{"eventName":["INSERT"],"dynamodb":{"NewImage":{"entity":{"S":["OUTBOX"]}}}}"#)
                .expect("the filter's pattern is valid");
        let record = |event_name: &str, entity: &str| {
            json!({
                "eventID": "c4ca4238a0b923820dcc509a6f75849b",
                "eventName": event_name,
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "eu-west-1",
                "dynamodb": {
                    "ApproximateCreationDateTime": 1714564800,
                    "Keys": { "pk": { "S": "OUTBOX#01HX" }, "sk": { "S": "EVENT#0001" } },
                    "NewImage": {
                        "pk": { "S": "OUTBOX#01HX" },
                        "sk": { "S": "EVENT#0001" },
                        "entity": { "S": entity },
                        "attempts": { "N": "0" }
                    },
                    "SequenceNumber": "4421584500000000017450439091",
                    "SizeBytes": 142,
                    "StreamViewType": "NEW_AND_OLD_IMAGES"
                },
                "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/mesh/stream/2024-05-01T00:00:00.000"
            })
        };
        assert!(filter.matches(&record("INSERT", "OUTBOX")));
        assert!(!filter.matches(&record("MODIFY", "OUTBOX")));
        assert!(!filter.matches(&record("INSERT", "CUSTOMER")));
        let removal = json!({
            "eventName": "REMOVE",
            "dynamodb": { "Keys": { "pk": { "S": "OUTBOX#01HX" } }, "OldImage": { "entity": { "S": "OUTBOX" } } }
        });
        assert!(!filter.matches(&removal));
        let insert_without_image =
            json!({ "eventName": "INSERT", "dynamodb": { "Keys": { "pk": { "S": "OUTBOX#01HX" } } } });
        assert!(!filter.matches(&insert_without_image));
    }

    #[test]
    fn parse_str_rejects_text_that_is_not_json_and_keeps_the_last_duplicate_key() {
        assert!(EventPattern::parse_str("{\"source\": [").unwrap_err().0.contains("not valid JSON"));
        // "Amazon EventBridge event patterns": of duplicate fields, only the last one counts.
        let pattern = EventPattern::parse_str(r#"{"source":["aws.s3"],"source":["aws.sns"]}"#).expect("valid");
        assert!(pattern.matches(&json!({ "source": "aws.sns" })));
        assert!(!pattern.matches(&json!({ "source": "aws.s3" })));
    }

    #[test]
    fn malformed_structure_is_rejected() {
        assert!(rejection(json!(["source"])).contains("must be a JSON object"));
        assert!(rejection(json!({})).contains("empty objects"));
        assert!(rejection(json!({ "detail": {} })).contains("\"detail\": empty objects"));
        assert!(rejection(json!({ "source": "aws.ec2" })).contains("\"source\": must be an object or an array"));
        assert!(rejection(json!({ "detail": { "state": 5 } })).contains("\"detail.state\""));
        assert!(rejection(json!({ "source": [] })).contains("empty arrays"));
        assert!(rejection(json!({ "source": [["aws.ec2"]] })).contains("match value"));
        assert!(rejection(json!({ "source": [{}] })).contains("exactly one operator"));
        assert!(rejection(json!({ "source": [{ "prefix": "a", "suffix": "b" }] })).contains("exactly one operator"));
    }

    #[test]
    fn unknown_operators_are_rejected_by_name() {
        assert_eq!(
            rejection(json!({ "detail": { "type": [{ "contains": "Normal" }] } })),
            "\"detail.type\": unknown operator \"contains\""
        );
        assert!(rejection(json!({ "a": [{ "anything-but": { "numeric": [">", 1] } }] })).contains("\"numeric\""));
        assert!(rejection(json!({ "a": [{ "prefix": { "ignore-case": "x" } }] })).contains("equals-ignore-case"));
    }

    #[test]
    fn malformed_operands_are_rejected() {
        let problems = [
            (json!({ "a": [{ "prefix": 5 }] }), "prefix takes a string"),
            (json!({ "a": [{ "equals-ignore-case": ["x"] }] }), "equals-ignore-case takes a string"),
            (json!({ "a": [{ "exists": "yes" }] }), "exists takes true or false"),
            (json!({ "a": [{ "anything-but": ["a", 1] }] }), "only strings or only numbers"),
            (json!({ "a": [{ "anything-but": [] }] }), "only strings or only numbers"),
            (json!({ "a": [{ "anything-but": null }] }), "anything-but takes"),
            (json!({ "a": [{ "anything-but": { "prefix": "" } }] }), "must not be empty"),
            (json!({ "a": [{ "anything-but": { "suffix": [1] } }] }), "a list of strings"),
            (json!({ "a": [{ "numeric": ">" }] }), "numeric takes an array"),
            (json!({ "a": [{ "numeric": ["!=", 1] }] }), "unknown numeric operator"),
            (json!({ "a": [{ "numeric": [">", "1"] }] }), "must be numbers"),
            (json!({ "a": [{ "numeric": ["<", 5, ">", 1] }] }), "starts with > or >="),
            (json!({ "a": [{ "numeric": [">", 1, ">", 5] }] }), "ends with < or <="),
            (json!({ "a": [{ "numeric": [">", 1, "<", 5, "<", 6] }] }), "numeric takes"),
            (json!({ "a": [{ "wildcard": "a**b" }] }), "consecutive wildcard"),
            (json!({ "a": [{ "wildcard": "a\\b" }] }), "backslash"),
            (json!({ "a": [{ "cidr": "10.0.0.0" }] }), "not a CIDR block"),
            (json!({ "a": [{ "cidr": "10.0.0.0/33" }] }), "not a CIDR block"),
            (json!({ "$or": [{ "a": ["x"] }] }), "at least two alternatives"),
            (json!({ "$or": { "a": ["x"] } }), "must be an array of pattern objects"),
            (json!({ "$or": [{ "a": ["x"] }, "b"] }), "\"$or[1]\": must be a pattern object"),
        ];
        for (pattern, expected) in problems {
            let message = rejection(pattern.clone());
            assert!(message.contains(expected), "{pattern} was rejected with {message:?}, expected {expected:?}");
        }
    }

    #[test]
    fn the_error_says_the_pattern_is_invalid() {
        let error = EventPattern::parse(&json!({ "source": [] })).unwrap_err();
        assert_eq!(error.to_string(), "invalid event pattern: \"source\": empty arrays are not allowed");
    }
}
