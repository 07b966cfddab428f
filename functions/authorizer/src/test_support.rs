//! A user pool's signing key for the tests.

use std::time::SystemTime;

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::RsaKeyPair;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::jwk::{Jwk, JwkSet, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

pub const ISSUER: &str = "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_pool";
pub const AUDIENCE: &str = "app-client";
pub const LIFETIME: u64 = 60 * 60;
const ALGORITHM: Algorithm = Algorithm::RS256;

/// A signing key and its published half, as a user pool holds them.
pub struct Signer {
    pub key: EncodingKey,
    pub jwk: Jwk,
}

impl Signer {
    pub fn generate() -> Self {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            STANDARD.encode(pair.as_der().unwrap().as_ref())
        );
        let key = EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
        let mut jwk = Jwk::from_encoding_key(&key, ALGORITHM).unwrap();
        jwk.common.key_id = Some(jwk.thumbprint(ThumbprintHash::SHA256).unwrap());
        Self { key, jwk }
    }

    pub fn kid(&self) -> String {
        self.jwk.common.key_id.clone().unwrap()
    }

    /// A Cognito-shaped ID token issued at `issued_at`.
    pub fn mint(&self, issued_at: SystemTime) -> String {
        let iat = issued_at.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
        let claims = json!({
            "iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "token_use": "id",
            "iat": iat, "auth_time": iat, "exp": iat + LIFETIME as i64,
            "email": "pat@acme.example", "email_verified": true,
            "cognito:groups": ["partner-admins"], "custom:partner_id": "acme",
        });
        let header = Header { kid: Some(self.kid()), ..Header::new(ALGORITHM) };
        jsonwebtoken::encode(&header, &claims, &self.key).unwrap()
    }

    pub fn jwks(&self) -> JwkSet {
        JwkSet { keys: vec![self.jwk.clone()] }
    }
}
