//! What the authorizer hands the functions (`requestContext.authorizer.lambda`): every value a
//! string, in the form the HTTP API JWT authorizer gave the claims, so the functions read people
//! exactly as before (`shared::principal`).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::api_key::StoredKey;

/// The authorizer context's keys.
pub const KIND: &str = "kind";
pub const PERSON: &str = "person";
pub const API_KEY: &str = "apiKey";

/// The ID token claims the functions read; no other claim is passed on.
const PERSON_CLAIMS: [&str; 6] = ["sub", "email", "email_verified", "name", "cognito:groups", "custom:partner_id"];

/// A person's context: the claims above as the JWT authorizer passed them (strings as they are,
/// other scalars as JSON text, arrays flattened to `[a b c]`), plus `kind: person`.
pub fn person(claims: &Map<String, Value>) -> BTreeMap<String, String> {
    let mut context: BTreeMap<String, String> =
        PERSON_CLAIMS.iter().filter_map(|name| Some((name.to_string(), flattened(claims.get(*name)?)))).collect();
    context.insert(KIND.into(), PERSON.into());
    context
}

/// A program's context: the key's id, name, role and scope, plus `kind: apiKey`.
pub fn api_key(key: &StoredKey) -> BTreeMap<String, String> {
    let mut context = BTreeMap::from([
        (KIND.to_owned(), API_KEY.to_owned()),
        ("apiKeyId".to_owned(), key.key_id.clone()),
        ("apiKeyName".to_owned(), key.name.clone()),
        ("role".to_owned(), key.role.clone()),
    ]);
    if let Some(partner_id) = &key.partner_id {
        context.insert("partnerId".into(), partner_id.clone());
    }
    if let Some(customer_id) = &key.customer_id {
        context.insert("customerId".into(), customer_id.clone());
    }
    context
}

fn flattened(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(flattened).collect::<Vec<_>>().join(" ")),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_person_is_passed_on_as_the_jwt_authorizer_did() {
        let claims = json!({
            "sub": "u1", "email": "pat@acme.example", "email_verified": true, "name": "Pat",
            "cognito:groups": ["partner-employees", "platform-admins"], "custom:partner_id": "acme",
            "iss": "x", "aud": "y", "exp": 1, "cognito:username": "pat",
        });
        let context = person(claims.as_object().unwrap());
        assert_eq!(
            context,
            BTreeMap::from(
                [
                    ("kind", "person"),
                    ("sub", "u1"),
                    ("email", "pat@acme.example"),
                    ("email_verified", "true"),
                    ("name", "Pat"),
                    ("cognito:groups", "[partner-employees platform-admins]"),
                    ("custom:partner_id", "acme"),
                ]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
            )
        );
    }

    #[test]
    fn absent_claims_stay_absent() {
        let context = person(json!({"sub": "u1"}).as_object().unwrap());
        assert_eq!(context.len(), 2);
    }
}
