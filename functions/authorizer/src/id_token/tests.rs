use std::sync::OnceLock;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::json;

use super::*;
use crate::test_support::{AUDIENCE, ISSUER, LIFETIME, Signer};

/// One key for most tests: RSA generation is the slow part of this suite.
fn pool() -> &'static Signer {
    static POOL: OnceLock<Signer> = OnceLock::new();
    POOL.get_or_init(Signer::generate)
}

fn keys() -> KeySet {
    KeySet::from_jwks(&JwkSet { keys: vec![pool().jwk.clone()] })
}

fn expected() -> Expected {
    Expected { issuer: ISSUER.into(), audience: AUDIENCE.into() }
}

fn verify_now(token: &str) -> Result<Map<String, Value>, Refusal> {
    verify(token, &keys(), &expected(), SystemTime::now())
}

fn decode_part(part: &str) -> Map<String, Value> {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn encode_part(part: Map<String, Value>) -> String {
    URL_SAFE_NO_PAD.encode(Value::Object(part).to_string())
}

/// A freshly minted token with its header and claims edited, then signed by `signer` with RS256.
/// Built by hand because jsonwebtoken's `Header` cannot carry an `alg` it does not know.
fn forged(
    signer: &Signer,
    edit_header: impl FnOnce(&mut Map<String, Value>),
    edit_claims: impl FnOnce(&mut Map<String, Value>),
) -> String {
    let token = pool().mint(SystemTime::now());
    let parts: Vec<&str> = token.split('.').collect();
    let (mut header, mut claims) = (decode_part(parts[0]), decode_part(parts[1]));
    edit_header(&mut header);
    edit_claims(&mut claims);
    let signing_input = format!("{}.{}", encode_part(header), encode_part(claims));
    let signature = jsonwebtoken::crypto::sign(signing_input.as_bytes(), &signer.key, ALGORITHM).unwrap();
    format!("{signing_input}.{signature}")
}

fn forged_claims(edit_claims: impl FnOnce(&mut Map<String, Value>)) -> String {
    forged(pool(), |_| {}, edit_claims)
}

#[test]
fn a_pool_token_verifies_and_returns_its_claims() {
    let claims = verify_now(&pool().mint(SystemTime::now())).unwrap();
    assert_eq!(claims["sub"], "user-1");
    assert_eq!(claims["cognito:groups"], json!(["partner-admins"]));
    assert_eq!(claims["custom:partner_id"], "acme");
}

#[test]
fn garbage_is_refused_as_malformed() {
    for garbage in ["not-a-token", "a.b", "a.b.c.d", "!!.??.**", ""] {
        let refusal = verify_now(garbage);
        assert!(matches!(refusal, Err(Refusal::Malformed(_))), "{garbage}: {refusal:?}");
    }
    let padded = format!("{}=", pool().mint(SystemTime::now()));
    assert!(matches!(verify_now(&padded), Err(Refusal::Malformed(_))));
}

#[test]
fn wrong_issuer_is_refused() {
    let token = forged_claims(|claims| {
        claims.insert("iss".into(), json!("https://cognito-idp.eu-west-1.amazonaws.com/other"));
    });
    assert_eq!(
        verify_now(&token),
        Err(Refusal::WrongIssuer(r#""https://cognito-idp.eu-west-1.amazonaws.com/other""#.into()))
    );
    let token = forged_claims(|claims| {
        claims.remove("iss");
    });
    assert_eq!(verify_now(&token), Err(Refusal::WrongIssuer("absent".into())));
}

#[test]
fn wrong_audience_is_refused() {
    let token = forged_claims(|claims| {
        claims.insert("aud".into(), json!("someone-else"));
    });
    assert_eq!(verify_now(&token), Err(Refusal::WrongAudience(r#""someone-else""#.into())));
    // With both present API Gateway evaluates `aud` alone.
    let aud_wins = forged_claims(|claims| {
        claims.insert("aud".into(), json!("other"));
        claims.insert("client_id".into(), json!(AUDIENCE));
    });
    assert_eq!(verify_now(&aud_wins), Err(Refusal::WrongAudience(r#""other""#.into())));
    let in_array = forged_claims(|claims| {
        claims.insert("aud".into(), json!(["other", AUDIENCE]));
    });
    assert!(verify_now(&in_array).is_ok());
}

#[test]
fn an_access_token_is_refused() {
    // Cognito's access token: `client_id` instead of `aud`, `token_use: access`.
    let token = forged_claims(|claims| {
        claims.remove("aud");
        claims.insert("client_id".into(), json!(AUDIENCE));
        claims.insert("token_use".into(), json!("access"));
    });
    assert_eq!(verify_now(&token), Err(Refusal::NotAnIdToken(r#""access""#.into())));
    let token = forged_claims(|claims| {
        claims.remove("token_use");
    });
    assert_eq!(verify_now(&token), Err(Refusal::NotAnIdToken("absent".into())));
}

#[test]
fn expired_token_is_refused_without_leeway() {
    let minted_at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let token = pool().mint(minted_at);
    let lifetime = Duration::from_secs(LIFETIME);
    let last_valid = minted_at + lifetime - Duration::from_millis(1);
    assert!(verify(&token, &keys(), &expected(), last_valid).is_ok());
    assert_eq!(verify(&token, &keys(), &expected(), minted_at + lifetime), Err(Refusal::Expired));
    let two_hours_ago = SystemTime::now() - Duration::from_secs(2 * 60 * 60);
    assert_eq!(verify_now(&pool().mint(two_hours_ago)), Err(Refusal::Expired));
}

#[test]
fn token_without_exp_is_refused() {
    let token = forged_claims(|claims| {
        claims.remove("exp");
    });
    assert_eq!(verify_now(&token), Err(Refusal::MissingExpiry));
    let token = forged_claims(|claims| {
        claims.insert("exp".into(), json!("tomorrow"));
    });
    assert_eq!(verify_now(&token), Err(Refusal::InvalidTime("exp")));
}

#[test]
fn not_yet_valid_token_is_refused() {
    let in_an_hour = SystemTime::now() + Duration::from_secs(60 * 60);
    let future_nbf = forged_claims(|claims| {
        claims.insert("nbf".into(), json!(unix_seconds(in_an_hour) as i64));
    });
    assert_eq!(verify_now(&future_nbf), Err(Refusal::NotYetValid));
    assert_eq!(verify_now(&pool().mint(in_an_hour)), Err(Refusal::IssuedInFuture));
}

#[test]
fn token_from_another_key_is_refused() {
    let other = Signer::generate();
    assert_eq!(verify_now(&other.mint(SystemTime::now())), Err(Refusal::UnknownKey(format!("{:?}", other.kid()))));
    // Even claiming the pool's kid, another key's signature does not verify.
    let kid = pool().kid();
    let impostor = forged(
        &other,
        |header| {
            header.insert("kid".into(), json!(kid));
        },
        |_| {},
    );
    assert_eq!(verify_now(&impostor), Err(Refusal::BadSignature));
}

#[test]
fn tampered_payload_is_refused() {
    let token = pool().mint(SystemTime::now());
    let parts: Vec<&str> = token.split('.').collect();
    let mut claims = decode_part(parts[1]);
    claims.insert("cognito:groups".into(), json!(["platform-admins"]));
    let tampered = format!("{}.{}.{}", parts[0], encode_part(claims), parts[2]);
    assert_eq!(verify_now(&tampered), Err(Refusal::BadSignature));
}

#[test]
fn alg_none_and_other_algorithms_are_refused() {
    let with_alg = |alg: Value| {
        forged(
            pool(),
            |header| {
                header.insert("alg".into(), alg);
            },
            |_| {},
        )
    };
    // jsonwebtoken knows no `none` and requires `alg`, so such a header does not parse.
    let signed = with_alg(json!("none"));
    let unsigned = format!("{}.", &signed[..signed.rfind('.').unwrap()]);
    for token in [unsigned, with_alg(json!(null))] {
        let refusal = verify_now(&token);
        assert!(
            matches!(&refusal, Err(Refusal::Malformed(error)) if matches!(error.kind(), ErrorKind::Json(_))),
            "{refusal:?}"
        );
    }
    for alg in [Algorithm::HS256, Algorithm::RS512] {
        assert_eq!(verify_now(&with_alg(json!(alg))), Err(Refusal::UnsupportedAlgorithm(alg)));
    }
}

#[test]
fn hs256_signed_with_the_public_key_is_refused() {
    // The classic confusion attack: HMAC keyed with the published RSA key's bytes.
    let public_key = serde_json::to_vec(&pool().jwk).unwrap();
    let header = Header { kid: Some(pool().kid()), ..Header::new(Algorithm::HS256) };
    let claims = decode_part(pool().mint(SystemTime::now()).split('.').nth(1).unwrap());
    let token = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(&public_key)).unwrap();
    assert_eq!(verify_now(&token), Err(Refusal::UnsupportedAlgorithm(Algorithm::HS256)));
}

#[test]
fn wrong_or_missing_kid_is_refused() {
    let token = forged(
        pool(),
        |header| {
            header.insert("kid".into(), json!("someone-elses-key"));
        },
        |_| {},
    );
    assert_eq!(verify_now(&token), Err(Refusal::UnknownKey(r#""someone-elses-key""#.into())));
    assert_eq!(key_id(&token).as_deref(), Some("someone-elses-key"));
    let token = forged(
        pool(),
        |header| {
            header.remove("kid");
        },
        |_| {},
    );
    assert_eq!(verify_now(&token), Err(Refusal::UnknownKey("absent".into())));
}

#[test]
fn the_key_set_keeps_only_rs256_rsa_keys_with_a_kid() {
    let mut without_kid = pool().jwk.clone();
    without_kid.common.key_id = None;
    let mut other_alg = Signer::generate().jwk;
    other_alg.common.key_algorithm = Some(jsonwebtoken::jwk::KeyAlgorithm::RS512);
    let set = KeySet::from_jwks(&JwkSet { keys: vec![without_kid, other_alg.clone(), pool().jwk.clone()] });
    assert!(set.contains(&pool().kid()));
    assert!(!set.contains(other_alg.common.key_id.as_deref().unwrap()));
    assert_eq!(set.keys.len(), 1);
}
