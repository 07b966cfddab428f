//! The issuer's keys, fetched once and kept with their `kid`s; a token naming a `kid` not among
//! them refetches the set, at most once a minute, so a stream of forged `kid`s costs the issuer
//! one request a minute (keys rotate rarely; a new one is published before it signs).

use std::future::Future;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use tokio::sync::Mutex;

use crate::id_token::KeySet;

/// The least time between two fetches of the key set.
pub const REFETCH_INTERVAL: Duration = Duration::from_secs(60);

/// Where the key set comes from (the issuer's `/.well-known/jwks.json`; a fake in tests).
pub trait JwksSource {
    fn fetch(&self) -> impl Future<Output = Result<JwkSet, FetchError>>;
}

#[derive(Debug, thiserror::Error)]
#[error("cannot fetch the issuer's keys from {url}: {reason}")]
pub struct FetchError {
    pub url: String,
    pub reason: String,
}

/// The key set and when it was last fetched.
pub struct IssuerKeys<S> {
    source: S,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    keys: KeySet,
    fetched_at: Option<Instant>,
}

impl<S: JwksSource> IssuerKeys<S> {
    pub fn new(source: S) -> Self {
        Self { source, state: Mutex::new(State::default()) }
    }

    /// The keys to verify a token naming `kid` with, at `now`. Fetches on first use, and again
    /// for a `kid` not among them once `REFETCH_INTERVAL` has passed since the last fetch. A
    /// failed fetch is an error only while no keys were ever fetched; after that the known keys
    /// answer (a token with an unknown `kid` is then refused).
    pub async fn for_kid(&self, kid: Option<&str>, now: Instant) -> Result<KeySet, FetchError> {
        let mut state = self.state.lock().await;
        let known = kid.is_some_and(|kid| state.keys.contains(kid));
        let may_refetch = state.fetched_at.is_none_or(|at| now.duration_since(at) >= REFETCH_INTERVAL);
        if !known && kid.is_some() && may_refetch {
            let fetched = self.source.fetch().await;
            state.fetched_at = Some(now);
            match fetched {
                Ok(jwks) => state.keys = KeySet::from_jwks(&jwks),
                Err(error) if state.keys.is_empty() => {
                    // Let the next token try again rather than refuse every caller for a minute.
                    state.fetched_at = None;
                    return Err(error);
                }
                Err(error) => tracing::warn!(%error, "keeping the keys fetched before"),
            }
        }
        Ok(state.keys.clone())
    }
}

/// The issuer's JWKS over HTTP(S).
pub struct HttpJwks {
    /// Built at the first fetch, not at start: building it reads the system's trust roots
    /// (~2 ms), which only a caller with an ID token needs, and then once per instance.
    client: OnceLock<reqwest::Client>,
    url: String,
}

impl HttpJwks {
    /// `issuer` is the `iss` tokens carry; its keys are at `<issuer>/.well-known/jwks.json`, as for
    /// every Cognito user pool and the local issuer.
    pub fn new(issuer: &str) -> Self {
        Self { client: OnceLock::new(), url: format!("{}/.well-known/jwks.json", issuer.trim_end_matches('/')) }
    }

    fn client(&self) -> &reqwest::Client {
        self.client.get_or_init(|| {
            // aws-lc, the provider the SDK uses, rather than the ring reqwest falls back to. An
            // `Err` means a provider is installed already, which serves as well.
            let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
            reqwest::Client::builder()
                .timeout(Duration::from_secs(3))
                .build()
                .expect("a client with a timeout and the built-in TLS settings builds")
        })
    }
}

impl JwksSource for HttpJwks {
    async fn fetch(&self) -> Result<JwkSet, FetchError> {
        let failed = |reason: String| FetchError { url: self.url.clone(), reason };
        let response = self.client().get(&self.url).send().await.map_err(|error| failed(error.to_string()))?;
        let response = response.error_for_status().map_err(|error| failed(error.to_string()))?;
        response.json::<JwkSet>().await.map_err(|error| failed(error.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use jsonwebtoken::jwk::Jwk;

    use super::*;

    /// Serves `sets` in turn (the last one forever), counting fetches; `None` is a failed fetch.
    struct Fake {
        sets: Vec<Option<JwkSet>>,
        fetches: AtomicUsize,
    }

    impl JwksSource for Fake {
        async fn fetch(&self) -> Result<JwkSet, FetchError> {
            let call = self.fetches.fetch_add(1, Ordering::SeqCst);
            self.sets[call.min(self.sets.len() - 1)]
                .clone()
                .ok_or_else(|| FetchError { url: "fake".into(), reason: "down".into() })
        }
    }

    fn set(kids: &[&str]) -> JwkSet {
        // A real public key shape (RSA, RS256); the modulus does not matter to the cache.
        let keys = kids
            .iter()
            .map(|kid| {
                serde_json::from_value::<Jwk>(serde_json::json!({
                    "kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid, "e": "AQAB",
                    "n": "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw"
                }))
                .unwrap()
            })
            .collect();
        JwkSet { keys }
    }

    fn keys(sets: Vec<Option<JwkSet>>) -> IssuerKeys<Fake> {
        IssuerKeys::new(Fake { sets, fetches: AtomicUsize::new(0) })
    }

    fn fetches(keys: &IssuerKeys<Fake>) -> usize {
        keys.source.fetches.load(Ordering::SeqCst)
    }

    #[tokio::test]
    async fn the_set_is_fetched_once_for_known_kids() {
        let keys = keys(vec![Some(set(&["a", "b"]))]);
        let start = Instant::now();
        for second in 0..200 {
            let set = keys.for_kid(Some("a"), start + Duration::from_secs(second)).await.unwrap();
            assert!(set.contains("b"));
        }
        assert_eq!(fetches(&keys), 1);
    }

    #[tokio::test]
    async fn an_unknown_kid_refetches_at_most_once_a_minute() {
        let keys = keys(vec![Some(set(&["a"])), Some(set(&["a", "rotated"]))]);
        let start = Instant::now();
        keys.for_kid(Some("a"), start).await.unwrap();
        for second in 1..60 {
            let set = keys.for_kid(Some("forged"), start + Duration::from_secs(second)).await.unwrap();
            assert!(!set.contains("rotated"));
        }
        assert_eq!(fetches(&keys), 1, "no refetch within the minute");
        let set = keys.for_kid(Some("rotated"), start + REFETCH_INTERVAL).await.unwrap();
        assert!(set.contains("rotated"), "the rotated key is found after the minute");
        assert_eq!(fetches(&keys), 2);
        keys.for_kid(Some("forged"), start + REFETCH_INTERVAL + Duration::from_secs(59)).await.unwrap();
        assert_eq!(fetches(&keys), 2);
    }

    #[tokio::test]
    async fn a_failed_first_fetch_is_an_error_and_is_retried() {
        let keys = keys(vec![None, Some(set(&["a"]))]);
        let now = Instant::now();
        assert!(keys.for_kid(Some("a"), now).await.is_err());
        assert!(keys.for_kid(Some("a"), now).await.unwrap().contains("a"));
    }

    #[tokio::test]
    async fn a_failed_refetch_keeps_the_known_keys() {
        let keys = keys(vec![Some(set(&["a"])), None]);
        let start = Instant::now();
        keys.for_kid(Some("a"), start).await.unwrap();
        let set = keys.for_kid(Some("other"), start + REFETCH_INTERVAL).await.unwrap();
        assert!(set.contains("a"));
        assert_eq!(fetches(&keys), 2);
    }

    #[test]
    fn the_https_client_builds_and_names_the_well_known_path() {
        // rustls with two providers compiled in: building must pick one, not panic.
        let jwks = HttpJwks::new("https://cognito-idp.eu-central-1.amazonaws.com/pool/");
        assert_eq!(jwks.url, "https://cognito-idp.eu-central-1.amazonaws.com/pool/.well-known/jwks.json");
    }

    #[tokio::test]
    async fn a_token_without_kid_fetches_nothing() {
        let keys = keys(vec![Some(set(&["a"]))]);
        assert!(keys.for_kid(None, Instant::now()).await.unwrap().is_empty());
        assert_eq!(fetches(&keys), 0);
    }

    #[tokio::test]
    async fn the_http_client_is_built_at_the_first_fetch_not_at_start() {
        let jwks = HttpJwks::new("http://127.0.0.1:9/");
        assert!(jwks.client.get().is_none(), "built at start: it reads the system's trust roots");
        assert_eq!(jwks.url, "http://127.0.0.1:9/.well-known/jwks.json");
        let refused = jwks.fetch().await.unwrap_err();
        assert_eq!(refused.url, jwks.url);
        assert!(jwks.client.get().is_some(), "the first fetch builds it");
    }
}
