//! The local JWT issuer: mints RS256 tokens shaped like Cognito ID tokens for developers and
//! publishes its key as a JWKS (`/_local/.well-known/jwks.json`). It stands in for the user pool:
//! the template's external issuer (`JwtIssuer`) locally, so the API's authorizer
//! (functions/authorizer) verifies its tokens with the code that verifies Cognito's.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::RsaKeyPair;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::errors::Error as JwtError;
use jsonwebtoken::jwk::{Jwk, JwkSet, PublicKeyUse, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Map, Value, json};

/// Claims a developer asks for (the body of `POST /_local/tokens`).
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub sub: String,
    #[serde(default)]
    pub email: Option<String>,
    /// `email_verified`; when not asked for, `true` with an `email` and absent without one.
    /// Taken as a JSON boolean or as the string `"true"` / `"false"` (the form the claim reaches
    /// functions in).
    #[serde(default, deserialize_with = "boolean_or_string", skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub groups: Vec<String>,
    #[serde(default)]
    pub partner_id: Option<String>,
}

fn boolean_or_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<bool>, D::Error> {
    match <Option<Value> as serde::Deserialize>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(verified)) => Ok(Some(verified)),
        Some(Value::String(text)) if text == "true" => Ok(Some(true)),
        Some(Value::String(text)) if text == "false" => Ok(Some(false)),
        Some(other) => Err(serde::de::Error::custom(format!("email_verified must be true or false, not {other}"))),
    }
}

/// How long a minted token is valid: a working day, so developers are not re-minting constantly.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);

/// The one JWS algorithm this issuer signs and accepts.
const ALGORITHM: Algorithm = Algorithm::RS256;

/// Why the issuer could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum IssuerError {
    #[error("cannot read the signing key {path}: {source}")]
    ReadKey { path: PathBuf, source: io::Error },
    #[error("cannot write the signing key {path}: {source}")]
    WriteKey { path: PathBuf, source: io::Error },
    #[error("the signing key {path} is not an RSA PKCS#8 private key (delete it to get a new one): {source}")]
    CorruptKey { path: PathBuf, source: JwtError },
    #[error("cannot generate an RSA signing key")]
    GenerateKey,
}

/// A signing key plus the issuer and audience it vouches for.
pub struct Issuer {
    issuer: String,
    audience: String,
    key_id: String,
    signing_key: EncodingKey,
    /// The public half as published in the JWKS, `kid` included.
    public_key: Jwk,
}

impl fmt::Debug for Issuer {
    // Hand-written to show what identifies the issuer and leave the key material out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issuer")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl Issuer {
    /// Reads the PKCS#8 private key at `path`, or generates an RSA-2048 key and writes it there (file mode
    /// 0600, parent dirs created) — so tokens stay valid across restarts.
    pub fn load_or_create(path: &Path, issuer: &str, audience: &str) -> Result<Self, IssuerError> {
        let pkcs8 = match fs::read(path) {
            Ok(pkcs8) => pkcs8,
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                let pkcs8 = generate_pkcs8()?;
                write_private_key(path, &pkcs8)
                    .map_err(|source| IssuerError::WriteKey { path: path.to_owned(), source })?;
                pkcs8
            }
            Err(source) => return Err(IssuerError::ReadKey { path: path.to_owned(), source }),
        };
        Self::from_pkcs8(&pkcs8, issuer, audience)
            .map_err(|source| IssuerError::CorruptKey { path: path.to_owned(), source })
    }

    /// A fresh key held in memory only (tests, in-memory runs).
    pub fn ephemeral(issuer: &str, audience: &str) -> Result<Self, IssuerError> {
        Self::from_pkcs8(&generate_pkcs8()?, issuer, audience).map_err(|_| IssuerError::GenerateKey)
    }

    fn from_pkcs8(pkcs8: &[u8], issuer: &str, audience: &str) -> Result<Self, JwtError> {
        // jsonwebtoken takes an RSA private key as PKCS#1 DER, or as PEM in PKCS#1 or PKCS#8; the key file is
        // PKCS#8 DER, which is that PEM without its armour.
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n", STANDARD.encode(pkcs8));
        let signing_key = EncodingKey::from_rsa_pem(pem.as_bytes())?;
        // Deriving the public key parses the private key fully, so a damaged key fails here, not when signing.
        let mut public_key = Jwk::from_encoding_key(&signing_key, ALGORITHM)?;
        // RFC 7638 thumbprint: a key id that is a pure function of the public key, so it survives restarts.
        let key_id = public_key.thumbprint(ThumbprintHash::SHA256)?;
        public_key.common.key_id = Some(key_id.clone());
        public_key.common.public_key_use = Some(PublicKeyUse::Signature);

        Ok(Self { issuer: issuer.to_owned(), audience: audience.to_owned(), key_id, signing_key, public_key })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// A token valid for TOKEN_LIFETIME from `now`, shaped like a Cognito ID token: header {alg: RS256, typ:
    /// JWT, kid}; claims iss, aud, sub, iat, exp, auth_time, token_use: "id", email, email_verified (as
    /// asked; `true` by default when email is given), name, "cognito:groups" (JSON array, omitted when
    /// empty), "custom:partner_id".
    pub fn mint(&self, request: &TokenRequest, now: SystemTime) -> String {
        let issued_at = unix_seconds(now).floor() as i64;
        let mut claims = Map::new();
        claims.insert("iss".into(), json!(self.issuer));
        claims.insert("aud".into(), json!(self.audience));
        claims.insert("sub".into(), json!(request.sub));
        claims.insert("iat".into(), json!(issued_at));
        claims.insert("exp".into(), json!(issued_at + TOKEN_LIFETIME.as_secs() as i64));
        // The developer "signed in" at the moment of minting.
        claims.insert("auth_time".into(), json!(issued_at));
        claims.insert("token_use".into(), json!("id"));
        if let Some(email) = &request.email {
            claims.insert("email".into(), json!(email));
        }
        if let Some(verified) = request.email_verified.or(request.email.as_ref().map(|_| true)) {
            claims.insert("email_verified".into(), json!(verified));
        }
        if let Some(name) = &request.name {
            claims.insert("name".into(), json!(name));
        }
        if !request.groups.is_empty() {
            claims.insert("cognito:groups".into(), json!(request.groups));
        }
        if let Some(partner_id) = &request.partner_id {
            claims.insert("custom:partner_id".into(), json!(partner_id));
        }
        let header = Header { kid: Some(self.key_id.clone()), ..Header::new(ALGORITHM) };
        jsonwebtoken::encode(&header, &claims, &self.signing_key)
            // The key was parsed and checked on load and the claims are plain JSON, so only an internal AWS-LC
            // failure is left; nothing from a request can cause it.
            .expect("RS256 signing with a loaded key cannot fail")
    }

    /// An access token for the same sign-in, shaped like Cognito's: no `aud` but `client_id`,
    /// `token_use: "access"`, the OAuth scopes, `username` and the groups; valid as long as the
    /// ID token. The API expects ID tokens (they carry the email and the partner); the access
    /// token is there because the token endpoint answers with both.
    pub fn mint_access(&self, request: &TokenRequest, now: SystemTime) -> String {
        let issued_at = unix_seconds(now).floor() as i64;
        let mut claims = Map::new();
        claims.insert("iss".into(), json!(self.issuer));
        claims.insert("client_id".into(), json!(self.audience));
        claims.insert("sub".into(), json!(request.sub));
        claims.insert("username".into(), json!(request.sub));
        claims.insert("iat".into(), json!(issued_at));
        claims.insert("exp".into(), json!(issued_at + TOKEN_LIFETIME.as_secs() as i64));
        claims.insert("auth_time".into(), json!(issued_at));
        claims.insert("token_use".into(), json!("access"));
        claims.insert("scope".into(), json!("openid email profile"));
        if !request.groups.is_empty() {
            claims.insert("cognito:groups".into(), json!(request.groups));
        }
        let header = Header { kid: Some(self.key_id.clone()), ..Header::new(ALGORITHM) };
        jsonwebtoken::encode(&header, &claims, &self.signing_key).expect("RS256 signing with a loaded key cannot fail")
    }

    /// The public key as a JWKS document ({"keys":[{kty,kid,use,alg,n,e}]}), as an issuer publishes it.
    pub fn jwks(&self) -> JwkSet {
        JwkSet { keys: vec![self.public_key.clone()] }
    }
}

/// A new RSA-2048 key as PKCS#8 DER; jsonwebtoken signs but does not generate keys.
fn generate_pkcs8() -> Result<Vec<u8>, IssuerError> {
    let key_pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| IssuerError::GenerateKey)?;
    let pkcs8 = key_pair.as_der().map_err(|_| IssuerError::GenerateKey)?;
    Ok(pkcs8.as_ref().to_vec())
}

/// Writes the key beside its final name and renames it into place, so a crash never leaves half a key.
fn write_private_key(path: &Path, pkcs8: &[u8]) -> io::Result<()> {
    if let Some(parent) = path.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        fs::create_dir_all(parent)?;
    }
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(format!(".{}.tmp", std::process::id()));
    let temporary = PathBuf::from(temporary);
    let written = write_owner_only(&temporary, pkcs8).and_then(|()| fs::rename(&temporary, path));
    if written.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    written
}

fn write_owner_only(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Seconds since the epoch, negative before it, so no `SystemTime` makes this fail.
fn unix_seconds(time: SystemTime) -> f64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(since) => since.as_secs_f64(),
        Err(before) => -before.duration().as_secs_f64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use authorizer::id_token::{self, Expected, KeySet, Refusal};
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use jsonwebtoken::{DecodingKey, Validation};
    use std::sync::OnceLock;

    const ISSUER: &str = "http://localhost:4566/local-issuer";
    const AUDIENCE: &str = "local-app-client";

    /// One key for most tests: RSA generation is the slow part of this suite.
    fn issuer() -> &'static Issuer {
        static ISSUER_WITH_KEY: OnceLock<Issuer> = OnceLock::new();
        ISSUER_WITH_KEY.get_or_init(|| Issuer::ephemeral(ISSUER, AUDIENCE).expect("key generation"))
    }

    fn developer() -> TokenRequest {
        TokenRequest {
            sub: "dev-1".into(),
            email: Some("dev@example.com".into()),
            email_verified: None,
            name: Some("Dev One".into()),
            groups: vec!["admins".into(), "partners".into()],
            partner_id: Some("partner-42".into()),
        }
    }

    fn decode_part(part: &str) -> Map<String, Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    /// The token verified as the API's authorizer verifies it (functions/authorizer), with this
    /// issuer's published keys: the local issuer's tokens take the path Cognito's take.
    fn verified_by(issuer: &Issuer, token: &str, now: SystemTime) -> Result<Map<String, Value>, Refusal> {
        let expected = Expected { issuer: issuer.issuer().to_owned(), audience: issuer.audience().to_owned() };
        id_token::verify(token, &KeySet::from_jwks(&issuer.jwks()), &expected, now)
    }

    fn verify_now(token: &str) -> Result<Map<String, Value>, Refusal> {
        verified_by(issuer(), token, SystemTime::now())
    }

    #[test]
    fn minted_token_verifies_and_returns_its_claims() {
        let now = SystemTime::now();
        let token = issuer().mint(&developer(), now);
        let claims = verified_by(issuer(), &token, now).unwrap();

        assert_eq!(claims["iss"], ISSUER);
        assert_eq!(claims["aud"], AUDIENCE);
        assert_eq!(claims["sub"], "dev-1");
        assert_eq!(claims["token_use"], "id");
        assert_eq!(claims["email"], "dev@example.com");
        assert_eq!(claims["email_verified"], true);
        assert_eq!(claims["name"], "Dev One");
        assert_eq!(claims["cognito:groups"], json!(["admins", "partners"]));
        assert_eq!(claims["custom:partner_id"], "partner-42");
        let issued_at = claims["iat"].as_i64().unwrap();
        assert_eq!(claims["auth_time"].as_i64(), Some(issued_at));
        assert_eq!(claims["exp"].as_i64(), Some(issued_at + 12 * 60 * 60));
    }

    #[test]
    fn minted_header_names_rs256_and_our_key() {
        let token = issuer().mint(&developer(), SystemTime::now());
        let header = decode_part(token.split('.').next().unwrap());
        assert_eq!(Value::Object(header), json!({ "alg": "RS256", "typ": "JWT", "kid": issuer().key_id }));
        assert!(!token.contains('='), "base64url without padding");
    }

    #[test]
    fn optional_claims_are_omitted_when_not_asked_for() {
        let request = TokenRequest { sub: "dev-2".into(), ..TokenRequest::default() };
        let claims = verify_now(&issuer().mint(&request, SystemTime::now())).unwrap();
        for absent in ["email", "email_verified", "name", "cognito:groups", "custom:partner_id"] {
            assert!(!claims.contains_key(absent), "{absent} should be omitted");
        }
    }

    #[test]
    fn email_verified_is_true_with_an_email_unless_asked_otherwise() {
        let claims_of = |request: &TokenRequest| verify_now(&issuer().mint(request, SystemTime::now())).unwrap();
        let unverified = TokenRequest { email_verified: Some(false), ..developer() };
        assert_eq!(claims_of(&unverified)["email_verified"], false);
        assert_eq!(claims_of(&developer())["email_verified"], true);
        for (body, expected) in [
            (json!({"sub": "s", "email": "a@b.example", "email_verified": "false"}), Some(false)),
            (json!({"sub": "s", "email": "a@b.example", "email_verified": false}), Some(false)),
            (json!({"sub": "s", "email": "a@b.example", "email_verified": "true"}), Some(true)),
            (json!({"sub": "s", "email": "a@b.example"}), None),
        ] {
            let request: TokenRequest = serde_json::from_value(body.clone()).unwrap();
            assert_eq!(request.email_verified, expected, "{body}");
        }
        for refused in [json!({"sub": "s", "email_verified": "yes"}), json!({"sub": "s", "email_verified": 1})] {
            assert!(serde_json::from_value::<TokenRequest>(refused.clone()).is_err(), "{refused}");
        }
    }

    #[test]
    fn jwks_publishes_the_verifying_key() {
        let jwks = serde_json::to_value(issuer().jwks()).unwrap();
        let keys = jwks["keys"].as_array().unwrap();
        assert_eq!(keys.len(), 1);
        let key = &keys[0];
        assert_eq!((&key["kty"], &key["use"], &key["alg"]), (&json!("RSA"), &json!("sig"), &json!("RS256")));
        assert_eq!(key["kid"], issuer().key_id);
        assert_eq!(URL_SAFE_NO_PAD.decode(key["e"].as_str().unwrap()).unwrap(), [1, 0, 1]);
        assert_eq!(URL_SAFE_NO_PAD.decode(key["n"].as_str().unwrap()).unwrap().len(), 256);

        // What a client of the deployed API does with a JWKS: verify a token with the published key.
        let published_key = DecodingKey::from_jwk(&issuer().jwks().keys[0]).unwrap();
        let mut validation = Validation::new(ALGORITHM);
        validation.set_audience(&[AUDIENCE]);
        let token = issuer().mint(&developer(), SystemTime::now());
        assert!(jsonwebtoken::decode::<Map<String, Value>>(&token, &published_key, &validation).is_ok());
    }

    #[test]
    fn token_request_rejects_unknown_fields() {
        let request: TokenRequest = serde_json::from_str(r#"{"sub":"dev-3","groups":["a"]}"#).unwrap();
        assert_eq!((request.sub.as_str(), request.groups.len(), request.email), ("dev-3", 1, None));
        assert!(serde_json::from_str::<TokenRequest>(r#"{"sub":"dev-3","admin":true}"#).is_err());
    }

    /// A scratch directory removed when the test ends, pass or fail.
    struct ScratchDir(PathBuf);

    impl ScratchDir {
        fn new(name: &str) -> Self {
            let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
            Self(std::env::temp_dir().join(format!("tokens-{name}-{}-{nanos}", std::process::id())))
        }
    }

    impl Drop for ScratchDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn load_or_create_persists_the_key_owner_only() {
        let scratch = ScratchDir::new("persist");
        let path = scratch.0.join("nested/dir/issuer-key.p8");

        let first = Issuer::load_or_create(&path, ISSUER, AUDIENCE).unwrap();
        let second = Issuer::load_or_create(&path, ISSUER, AUDIENCE).unwrap();

        let now = SystemTime::now();
        assert!(verified_by(&second, &first.mint(&developer(), now), now).is_ok());
        assert!(verified_by(&first, &second.mint(&developer(), now), now).is_ok());
        assert_eq!(first.jwks(), second.jwks());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "only the key file, no temporary");
    }

    #[test]
    fn corrupt_key_file_is_an_error_not_a_silent_new_key() {
        let scratch = ScratchDir::new("corrupt");
        let path = scratch.0.join("issuer-key.p8");
        fs::create_dir_all(&scratch.0).unwrap();
        fs::write(&path, b"not a key").unwrap();
        let result = Issuer::load_or_create(&path, ISSUER, AUDIENCE);
        assert!(matches!(result, Err(IssuerError::CorruptKey { .. })), "{result:?}");
        assert_eq!(fs::read(&path).unwrap(), b"not a key");
    }
}
