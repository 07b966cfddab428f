//! Verifying a person's ID token as API Gateway's HTTP API JWT authorizer did, plus `token_use`.
//!
//! The checks follow "Control access to HTTP APIs with JWT authorizers in API Gateway": decode the
//! token, find its `kid` among the issuer's keys, check the RSA algorithm and the signature, then
//! `iss`, `aud` (or `client_id` when `aud` is absent), `exp`, `nbf` and `iat`. On top, `token_use`
//! must be `id`: the API reads the email and the partner, which only ID tokens carry. Where the
//! page is silent this module chooses: `exp` is required; no clock leeway; `nbf`/`iat` equal to now
//! pass and `exp` equal to now fails, as RFC 7519 reads. Signing and the JWS checks (algorithm,
//! signature) are jsonwebtoken's.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::errors::{Error as JwtError, ErrorKind};
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

/// The one JWS algorithm accepted.
const ALGORITHM: Algorithm = Algorithm::RS256;

/// Whom a token must come from and be meant for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// `iss`: the user pool's URL (or the local issuer's).
    pub issuer: String,
    /// `aud`: the app client id.
    pub audience: String,
}

/// Why an ID token was refused; every variant means 401. Claim values are shown as JSON, or
/// `absent`, for the log only: the caller learns nothing of which check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Not a compact JWS with a header jsonwebtoken reads; an `alg` it does not know, such as
    /// `none`, lands here.
    #[error("malformed token: {0}")]
    Malformed(JwtError),
    #[error("algorithm {0:?} is not accepted, only RS256")]
    UnsupportedAlgorithm(Algorithm),
    #[error("key id {0} is not among the issuer's keys")]
    UnknownKey(String),
    #[error("signature does not verify")]
    BadSignature,
    #[error("issuer {0} is not the configured issuer")]
    WrongIssuer(String),
    #[error("audience {0} does not include the configured audience")]
    WrongAudience(String),
    #[error("token_use {0} is not id")]
    NotAnIdToken(String),
    #[error("claim {0} is not a number of seconds")]
    InvalidTime(&'static str),
    #[error("token has no exp claim")]
    MissingExpiry,
    #[error("token expired")]
    Expired,
    #[error("token is not valid yet (nbf)")]
    NotYetValid,
    #[error("token is issued in the future (iat)")]
    IssuedInFuture,
}

/// The issuer's signing keys by `kid`, as its JWKS publishes them. Keys that cannot verify RS256
/// (another type, another algorithm, no `kid`) are left out.
#[derive(Clone, Default)]
pub struct KeySet {
    keys: HashMap<String, DecodingKey>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeySet").field("kids", &self.keys.keys().collect::<Vec<_>>()).finish()
    }
}

impl KeySet {
    pub fn from_jwks(jwks: &JwkSet) -> Self {
        let keys = jwks
            .keys
            .iter()
            .filter(|jwk| matches!(jwk.algorithm, AlgorithmParameters::RSA(_)))
            .filter(|jwk| jwk.common.key_algorithm.is_none_or(|alg| alg == jsonwebtoken::jwk::KeyAlgorithm::RS256))
            .filter_map(|jwk| Some((jwk.common.key_id.clone()?, DecodingKey::from_jwk(jwk).ok()?)))
            .collect();
        Self { keys }
    }

    pub fn contains(&self, kid: &str) -> bool {
        self.keys.contains_key(kid)
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// The `kid` a token names, if its header reads; to decide whether the keys must be refetched.
pub fn key_id(token: &str) -> Option<String> {
    jsonwebtoken::decode_header(token).ok()?.kid
}

/// Verifies `token` (the bare compact JWS) against `keys` and `expected` at `now`; returns its
/// claims.
pub fn verify(token: &str, keys: &KeySet, expected: &Expected, now: SystemTime) -> Result<Map<String, Value>, Refusal> {
    // The key id before the signature, so a token from another issuer's key is refused as that.
    let header = jsonwebtoken::decode_header(token).map_err(Refusal::Malformed)?;
    let Some(key) = header.kid.as_deref().and_then(|kid| keys.keys.get(kid)) else {
        return Err(Refusal::UnknownKey(describe(header.kid.map(Value::String).as_ref())));
    };
    // jsonwebtoken checks the algorithm and the signature. Its claim checks read the system clock
    // and know nothing of `client_id`, so they are off and `check_claims` does them against `now`.
    let mut validation = Validation::new(ALGORITHM);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_aud = false;
    // jsonwebtoken refuses any other algorithm before it touches the key, so HMAC never meets it.
    let claims = jsonwebtoken::decode::<Map<String, Value>>(token, key, &validation)
        .map_err(|error| match error.kind() {
            ErrorKind::InvalidAlgorithm => Refusal::UnsupportedAlgorithm(header.alg),
            ErrorKind::InvalidSignature => Refusal::BadSignature,
            _ => Refusal::Malformed(error),
        })?
        .claims;
    check_claims(&claims, expected, unix_seconds(now))?;
    Ok(claims)
}

/// The claim checks, in the order the AWS page lists them (after `kid`), then `token_use`.
fn check_claims(claims: &Map<String, Value>, expected: &Expected, now: f64) -> Result<(), Refusal> {
    match claims.get("iss") {
        Some(Value::String(iss)) if *iss == expected.issuer => {}
        other => return Err(Refusal::WrongIssuer(describe(other))),
    }
    // API Gateway looks at `client_id` only when `aud` is absent; `aud` may be a string or an array.
    let audience = claims.get("aud").or_else(|| claims.get("client_id"));
    let audience_matches = match audience {
        Some(Value::String(aud)) => *aud == expected.audience,
        Some(Value::Array(auds)) => auds.iter().any(|aud| aud.as_str() == Some(expected.audience.as_str())),
        _ => false,
    };
    if !audience_matches {
        return Err(Refusal::WrongAudience(describe(audience)));
    }
    match numeric_date(claims, "exp")? {
        None => return Err(Refusal::MissingExpiry),
        Some(exp) if exp <= now => return Err(Refusal::Expired),
        Some(_) => {}
    }
    if numeric_date(claims, "nbf")?.is_some_and(|nbf| nbf > now) {
        return Err(Refusal::NotYetValid);
    }
    if numeric_date(claims, "iat")?.is_some_and(|iat| iat > now) {
        return Err(Refusal::IssuedInFuture);
    }
    match claims.get("token_use") {
        Some(Value::String(token_use)) if token_use == "id" => Ok(()),
        other => Err(Refusal::NotAnIdToken(describe(other))),
    }
}

/// A time claim in seconds since the epoch; fractional values are allowed by RFC 7519's NumericDate.
fn numeric_date(claims: &Map<String, Value>, name: &'static str) -> Result<Option<f64>, Refusal> {
    claims.get(name).map(|value| value.as_f64().ok_or(Refusal::InvalidTime(name))).transpose()
}

/// Seconds since the epoch, negative before it, so no `SystemTime` makes this fail.
fn unix_seconds(time: SystemTime) -> f64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(since) => since.as_secs_f64(),
        Err(before) => -before.duration().as_secs_f64(),
    }
}

/// A claim as it appears in the token, for refusal messages.
fn describe(value: Option<&Value>) -> String {
    value.map_or_else(|| "absent".to_owned(), Value::to_string)
}

#[cfg(test)]
mod tests;
