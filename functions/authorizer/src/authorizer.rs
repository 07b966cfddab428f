//! The decision: the `Authorization` header → allowed with a context, or refused.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Instant, SystemTime};

use serde::{Deserialize, Serialize};

use crate::api_key::{self, StoredKey};
use crate::context;
use crate::credential::{Credential, credential};
use crate::id_token::{self, Expected};
use crate::jwks::{FetchError, IssuerKeys, JwksSource};

/// Finds a key's item by its table key (one GetItem; a fake in tests), and marks a key used.
pub trait KeyLookup {
    fn find(&self, item_key: &str) -> impl Future<Output = Result<Option<StoredKey>, LookupError>>;
    /// Sets `lastUsedAt` to `now` on the key's items, unless another request did within the
    /// hour (or the key is gone): one write per key per hour, whatever the traffic.
    fn mark_used(
        &self,
        item_key: &str,
        stored: &StoredKey,
        now: chrono::DateTime<chrono::Utc>,
    ) -> impl Future<Output = Result<(), LookupError>>;
}

#[derive(Debug, thiserror::Error)]
#[error("cannot read the key's item: {0}")]
pub struct LookupError(pub String);

/// The request as API Gateway sends it (payload 2.0); only what the decision reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerRequest {
    /// The identity source's values: the `Authorization` header, which API Gateway checked is
    /// present and non-empty before invoking.
    #[serde(default)]
    pub identity_source: Option<Vec<String>>,
}

/// The simple response.
#[derive(Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthorizerResponse {
    pub is_authorized: bool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub context: BTreeMap<String, String>,
}

impl AuthorizerResponse {
    fn refused() -> Self {
        Self { is_authorized: false, context: BTreeMap::new() }
    }
}

/// A failure that is not the caller's: the invocation fails and API Gateway answers 500.
#[derive(Debug, thiserror::Error)]
pub enum AuthorizerError {
    #[error(transparent)]
    Keys(#[from] FetchError),
    #[error(transparent)]
    Lookup(#[from] LookupError),
}

pub struct Authorizer<S, L> {
    pub expected: Expected,
    pub issuer_keys: IssuerKeys<S>,
    pub key_lookup: L,
}

impl<S: JwksSource, L: KeyLookup> Authorizer<S, L> {
    pub async fn handle(&self, request: AuthorizerRequest) -> Result<AuthorizerResponse, AuthorizerError> {
        let authorization = request.identity_source.unwrap_or_default().into_iter().next().unwrap_or_default();
        self.decide(&authorization, SystemTime::now(), Instant::now()).await
    }

    /// The decision at `now` (`instant` paces the key refetches). A refusal is logged with its
    /// reason and answered without one.
    pub async fn decide(
        &self,
        authorization: &str,
        now: SystemTime,
        instant: Instant,
    ) -> Result<AuthorizerResponse, AuthorizerError> {
        let allowed = match credential(authorization) {
            None => Err("no credential".to_owned()),
            Some(Credential::IdToken(token)) => {
                let keys = self.issuer_keys.for_kid(id_token::key_id(token).as_deref(), instant).await?;
                id_token::verify(token, &keys, &self.expected, now)
                    .map(|claims| context::person(&claims))
                    .map_err(|refusal| refusal.to_string())
            }
            Some(Credential::ApiKey(key)) => match api_key::item_key(key) {
                None => Err(api_key::KeyRefusal::Malformed.to_string()),
                Some(item_key) => match self.key_lookup.find(&item_key).await? {
                    None => Err(api_key::KeyRefusal::Unknown.to_string()),
                    Some(stored) => match api_key::check(&stored, now.into()) {
                        Ok(()) => {
                            self.mark_used(&item_key, &stored, now.into()).await;
                            Ok(context::api_key(&stored))
                        }
                        Err(refusal) => Err(refusal.to_string()),
                    },
                },
            },
        };
        Ok(match allowed {
            Ok(context) => AuthorizerResponse { is_authorized: true, context },
            Err(reason) => {
                tracing::info!(%reason, "refused");
                AuthorizerResponse::refused()
            }
        })
    }
}

impl<S, L: KeyLookup> Authorizer<S, L> {
    /// `lastUsedAt`, when an hour old: a failure to write it is logged and never refuses the call.
    async fn mark_used(&self, item_key: &str, stored: &StoredKey, now: chrono::DateTime<chrono::Utc>) {
        if !api_key::needs_marking(stored, now) {
            return;
        }
        if let Err(error) = self.key_lookup.mark_used(item_key, stored, now).await {
            tracing::warn!(key_id = %stored.key_id, %error, "cannot record when the key was last used");
        }
    }
}

impl From<AuthorizerError> for lambda_runtime::Diagnostic {
    fn from(error: AuthorizerError) -> Self {
        let error_type = match &error {
            AuthorizerError::Keys(_) => "AuthorizerError::Keys",
            AuthorizerError::Lookup(_) => "AuthorizerError::Lookup",
        };
        meshcustomers::diagnostics::diagnostic(error_type, &error)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use jsonwebtoken::jwk::JwkSet;

    use super::*;
    use crate::test_support::{AUDIENCE, ISSUER, Signer};

    const KEY: &str = "mck_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA0";

    struct Jwks(Option<JwkSet>);

    impl JwksSource for Jwks {
        async fn fetch(&self) -> Result<JwkSet, FetchError> {
            self.0.clone().ok_or_else(|| FetchError { url: "fake".into(), reason: "down".into() })
        }
    }

    /// One stored key (under `KEY`'s hash), or a failing table; counts reads and marks.
    struct Table {
        stored: Result<Option<StoredKey>, ()>,
        reads: AtomicUsize,
        asked: Mutex<Vec<String>>,
        marks: AtomicUsize,
    }

    impl KeyLookup for Table {
        async fn find(&self, item_key: &str) -> Result<Option<StoredKey>, LookupError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            self.asked.lock().unwrap().push(item_key.to_owned());
            match &self.stored {
                Err(()) => Err(LookupError("throttled".into())),
                Ok(stored) if Some(item_key) == api_key::item_key(KEY).as_deref() => Ok(stored.clone()),
                Ok(_) => Ok(None),
            }
        }

        async fn mark_used(&self, _: &str, _: &StoredKey, _: chrono::DateTime<chrono::Utc>) -> Result<(), LookupError> {
            self.marks.fetch_add(1, Ordering::SeqCst);
            Err(LookupError("throttled".into()))
        }
    }

    fn stored() -> StoredKey {
        StoredKey {
            key_id: "k1".into(),
            name: "billing".into(),
            role: "CUSTOMER_ADMIN".into(),
            partner_id: None,
            customer_id: Some("c1".into()),
            expires_at: None,
            revoked_at: None,
            last_used_at: None,
        }
    }

    fn authorizer(jwks: Option<JwkSet>, stored: Result<Option<StoredKey>, ()>) -> Authorizer<Jwks, Table> {
        Authorizer {
            expected: Expected { issuer: ISSUER.into(), audience: AUDIENCE.into() },
            issuer_keys: IssuerKeys::new(Jwks(jwks)),
            key_lookup: Table {
                stored,
                reads: AtomicUsize::new(0),
                asked: Mutex::new(Vec::new()),
                marks: AtomicUsize::new(0),
            },
        }
    }

    async fn decide(authorizer: &Authorizer<Jwks, Table>, header: &str) -> AuthorizerResponse {
        authorizer.decide(header, SystemTime::now(), Instant::now()).await.unwrap()
    }

    #[tokio::test]
    async fn a_person_is_allowed_with_the_claims_the_functions_read() {
        let pool = Signer::generate();
        let authorizer = authorizer(Some(pool.jwks()), Ok(None));
        let response = decide(&authorizer, &format!("Bearer {}", pool.mint(SystemTime::now()))).await;
        assert!(response.is_authorized);
        assert_eq!(response.context["kind"], "person");
        assert_eq!(response.context["sub"], "user-1");
        assert_eq!(response.context["cognito:groups"], "[partner-admins]");
        assert_eq!(authorizer.key_lookup.reads.load(Ordering::SeqCst), 0, "a token reads no item");
    }

    #[tokio::test]
    async fn a_bad_token_is_refused_without_detail() {
        let pool = Signer::generate();
        let authorizer = authorizer(Some(pool.jwks()), Ok(None));
        let other = Signer::generate().mint(SystemTime::now());
        for header in ["", "Bearer ", "Bearer not-a-token", other.as_str()] {
            let response = decide(&authorizer, header).await;
            assert_eq!(response, AuthorizerResponse::refused(), "{header:?}");
            assert_eq!(serde_json::to_value(&response).unwrap(), serde_json::json!({"isAuthorized": false}));
        }
    }

    #[tokio::test]
    async fn a_key_is_allowed_by_one_read_of_its_hash() {
        let authorizer = authorizer(None, Ok(Some(stored())));
        let response = decide(&authorizer, &format!("Bearer {KEY}")).await;
        assert!(response.is_authorized);
        assert_eq!(
            serde_json::to_value(&response.context).unwrap(),
            serde_json::json!({"kind": "apiKey", "apiKeyId": "k1", "apiKeyName": "billing",
                "role": "CUSTOMER_ADMIN", "customerId": "c1"})
        );
        assert_eq!(authorizer.key_lookup.reads.load(Ordering::SeqCst), 1);
        let asked = authorizer.key_lookup.asked.lock().unwrap().clone();
        assert!(!asked[0].contains(&KEY[4..]), "the secret never reaches the table: {asked:?}");
        assert_eq!(
            authorizer.key_lookup.marks.load(Ordering::SeqCst),
            1,
            "never marked: marked, and a failed mark refuses nothing"
        );
    }

    #[tokio::test]
    async fn a_key_used_within_the_hour_is_not_marked_again() {
        let recently =
            StoredKey { last_used_at: Some(chrono::Utc::now() - chrono::TimeDelta::minutes(59)), ..stored() };
        let authorizer = authorizer(None, Ok(Some(recently)));
        assert!(decide(&authorizer, &format!("Bearer {KEY}")).await.is_authorized);
        assert_eq!(authorizer.key_lookup.marks.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn malformed_unknown_revoked_and_expired_keys_are_refused_alike() {
        let now = chrono::Utc::now();
        let unknown = "mck_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB0";
        for (stored, header) in [
            (Some(stored()), "mck_short".to_owned()),
            (Some(stored()), format!("Bearer {unknown}")),
            (Some(StoredKey { revoked_at: Some(now), ..stored() }), format!("Bearer {KEY}")),
            (Some(StoredKey { expires_at: Some(now), ..stored() }), format!("Bearer {KEY}")),
            (None, format!("Bearer {KEY}")),
        ] {
            let authorizer = authorizer(None, Ok(stored));
            assert_eq!(decide(&authorizer, &header).await, AuthorizerResponse::refused(), "{header}");
        }
        let authorizer = authorizer(None, Ok(Some(stored())));
        decide(&authorizer, "Bearer mck_short").await;
        assert_eq!(authorizer.key_lookup.reads.load(Ordering::SeqCst), 0, "a malformed key costs no read");
    }

    #[tokio::test]
    async fn failures_that_are_not_the_callers_fail_the_invocation() {
        let table_down = authorizer(None, Err(()));
        let refusal = table_down.decide(&format!("Bearer {KEY}"), SystemTime::now(), Instant::now()).await;
        assert!(matches!(refusal, Err(AuthorizerError::Lookup(_))), "{refusal:?}");

        let pool = Signer::generate();
        let issuer_down = authorizer(None, Ok(None));
        let token = pool.mint(SystemTime::now());
        let refusal = issuer_down.decide(&token, SystemTime::now(), Instant::now()).await;
        assert!(matches!(refusal, Err(AuthorizerError::Keys(_))), "{refusal:?}");
    }
}
