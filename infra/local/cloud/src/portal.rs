//! The web page on the portal port: the built single-page app (`web/dist`) with the fallback to
//! `index.html` that its client-side routes need, and a `/config.json` that points it at the
//! local API and the local sign-in. [`PageBuild`] builds the page with Vite at start and again
//! whenever its sources change, so a saved change is live on the next reload. Files go out as
//! CloudFront sends the deployed page (`infra/template.yaml`, `infra/deploy_web.py`): gzipped
//! when the browser accepts it, Vite's hashed `assets/` cached for good, everything else asked
//! for again on every load; so what the browser loads here is what it loads deployed.

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::processes::own_group_dying_with_parent;

/// A file's gzipped bytes by path, with the modification time they were made from.
type GzipCache = Mutex<HashMap<PathBuf, (SystemTime, Arc<Vec<u8>>)>>;

/// What the portal serves.
pub struct Portal {
    /// `web/dist`.
    pub dist: PathBuf,
    /// The page's `/config.json`.
    pub config: Value,
    /// Each file's gzipped bytes, by path, with the modification time they were made from: a
    /// rebuilt file is compressed again, an unchanged one once (CloudFront caches them too).
    gzipped: GzipCache,
}

impl Portal {
    pub fn new(dist: PathBuf, config: Value) -> Self {
        Self { dist, config, gzipped: Mutex::default() }
    }

    /// `bytes` of the file at `path` gzipped, from the cache while the file is unchanged.
    fn gzipped(&self, path: &Path, modified: SystemTime, bytes: &[u8]) -> Arc<Vec<u8>> {
        let mut cache = self.gzipped.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((made_from, gzipped)) = cache.get(path)
            && *made_from == modified
        {
            return Arc::clone(gzipped);
        }
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let gzipped = Arc::new(encoder.write_all(bytes).and_then(|()| encoder.finish()).expect("gzip into memory"));
        cache.insert(path.to_owned(), (modified, Arc::clone(&gzipped)));
        gzipped
    }
}

/// The page's runtime configuration (web/README and the web contract): the API, and the OAuth
/// endpoints of the local cloud's sign-in, which stand in for Cognito's hosted UI.
pub fn page_config(api: &str, client_id: &str) -> Value {
    json!({
        "apiBaseUrl": api,
        "auth": {
            "authorizeUrl": format!("{api}/_local/oauth2/authorize"),
            "tokenUrl": format!("{api}/_local/oauth2/token"),
            "logoutUrl": format!("{api}/_local/logout"),
            "clientId": client_id,
            "scopes": ["openid", "email", "profile"],
        }
    })
}

pub fn router(portal: Arc<Portal>) -> Router {
    // Nothing here is secret, but only this machine's pages have a reason to load it: a page on
    // another site rebound to 127.0.0.1 gets 403 rather than the local page under its own origin.
    Router::new()
        .route("/config.json", get(config))
        .fallback(get(file))
        .with_state(portal)
        .layer(axum::middleware::from_fn(crate::loopback_host::only_loopback_host))
}

async fn config(State(portal): State<Arc<Portal>>) -> Response {
    let mut response = axum::Json(portal.config.clone()).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The file at the request's path, else `index.html` (the page's own routes, such as
/// `/admin/customers`); a missing file under `/assets/` is 404, so a stale reference shows as
/// one instead of as HTML.
async fn file(State(portal): State<Arc<Portal>>, uri: Uri, request_headers: HeaderMap) -> Response {
    let Some(relative) = safe_relative(uri.path()) else {
        return (StatusCode::NOT_FOUND, "Not Found").into_response();
    };
    let wanted = portal.dist.join(&relative);
    let path = if wanted.is_file() {
        wanted
    } else if relative.starts_with("assets") {
        return (StatusCode::NOT_FOUND, "Not Found").into_response();
    } else {
        portal.dist.join("index.html")
    };
    let immutable = relative.starts_with("assets");
    let read = async {
        Ok::<_, std::io::Error>((tokio::fs::read(&path).await?, tokio::fs::metadata(&path).await?.modified()?))
    };
    match read.await {
        Ok((bytes, modified)) => {
            let kind = content_type(&path);
            let gzip = compressible(kind) && accepts_gzip(&request_headers);
            let body =
                if gzip { Body::from(portal.gzipped(&path, modified, &bytes).to_vec()) } else { Body::from(bytes) };
            let mut response = Response::new(body);
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
            if gzip {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            }
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            // As deployed: a hashed asset never changes under its name; index.html (and so a
            // rebuilt page) is asked for on every load.
            let cache = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            response
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "2")],
            "The page is being built (web/dist/index.html is not there yet); reload in a moment.",
        )
            .into_response(),
    }
}

/// The request path as a path inside `dist`: only normal components, so `..` never leaves it.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(path.trim_start_matches('/'))?;
    let relative = PathBuf::from(decoded);
    relative.components().all(|component| matches!(component, Component::Normal(_))).then_some(relative)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes: Vec<u8> = form_urlencoded::parse(format!("p={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, value)| value.into_owned().into_bytes())?;
    String::from_utf8(bytes).ok()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|extension| extension.to_str()).unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Text compresses; woff2 and images are compressed already (CloudFront leaves them so too).
fn compressible(content_type: &str) -> bool {
    content_type.starts_with("text/") || content_type == "application/json" || content_type == "image/svg+xml"
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let refused = parts.any(|parameter| matches!(parameter.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// How long the page's sources must stay unchanged before a build starts.
const SETTLE: Duration = Duration::from_millis(300);

/// Builds the page with Vite (`web/node_modules/vite`), now and on every change of its sources.
pub struct PageBuild {
    _watcher: Debouncer<RecommendedWatcher, RecommendedCache>,
    builder: tokio::task::JoinHandle<()>,
}

impl Drop for PageBuild {
    fn drop(&mut self) {
        self.builder.abort();
    }
}

/// Why the page cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum PageBuildError {
    #[error("{0} is missing: run `make deps` (it runs `npm ci --prefix web`)")]
    NotInstalled(PathBuf),
    #[error("cannot watch web/ to rebuild the page")]
    Watch(#[source] notify_debouncer_full::notify::Error),
    #[error("the first build of the page failed:\n{0}")]
    FirstBuild(String),
    #[error("the page's build task ended: {0}")]
    Crashed(String),
}

impl PageBuild {
    /// Builds the page in `web` once (the local cloud is not ready without it), then watches
    /// its sources and rebuilds on change.
    pub async fn start(web: &Path) -> Result<Self, PageBuildError> {
        let vite = web.join("node_modules/vite/bin/vite.js");
        if !vite.is_file() {
            return Err(PageBuildError::NotInstalled(vite));
        }
        let started = Instant::now();
        build(web).await.map_err(PageBuildError::FirstBuild)?;
        eprintln!("Built the page in {:.1} s.", started.elapsed().as_secs_f64());
        let (changes, mut changed) = mpsc::unbounded_channel();
        let root = web.to_owned();
        let mut watcher = new_debouncer(SETTLE, None, move |events: DebounceEventResult| {
            if let Ok(events) = events {
                let sources: Vec<PathBuf> = events
                    .into_iter()
                    .filter(|event| event.kind.is_create() || event.kind.is_modify() || event.kind.is_remove())
                    .flat_map(|event| event.event.paths)
                    .filter(|path| is_page_source(&root, path))
                    .collect();
                if !sources.is_empty() {
                    let _ = changes.send(sources);
                }
            }
        })
        .map_err(PageBuildError::Watch)?;
        // The folder itself: index.html, vite.config.ts and package.json sit there; src/ and
        // public/ below it are watched through it.
        watcher.watch(web, RecursiveMode::Recursive).map_err(PageBuildError::Watch)?;
        let web = web.to_owned();
        let builder = tokio::spawn(async move {
            while let Some(mut paths) = changed.recv().await {
                while let Ok(more) = changed.try_recv() {
                    paths.extend(more);
                }
                let first = paths[0].strip_prefix(&web).unwrap_or(&paths[0]).display().to_string();
                eprintln!("Building the page: web/{first} changed…");
                let started = Instant::now();
                match build(&web).await {
                    Ok(()) => eprintln!("Built the page in {:.1} s; reload it.", started.elapsed().as_secs_f64()),
                    Err(failure) => eprintln!("{failure}\nThe page's build failed; fix it and save again."),
                }
            }
        });
        Ok(Self { _watcher: watcher, builder })
    }
}

/// Where a build writes before it replaces `dist/` whole, so the portal never serves half a page.
const STAGING: &str = ".dist-building";
const PREVIOUS: &str = ".dist-previous";

/// Whether a change at `path` may change the built page: not the build's own output,
/// `node_modules/`, the browser tests, their screenshots or the component tests (`*.test.*`).
fn is_page_source(web: &Path, path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(web) else { return false };
    let first = relative.components().next().map(|component| component.as_os_str().to_string_lossy().into_owned());
    let test_file = relative.file_name().is_some_and(|name| name.to_string_lossy().contains(".test."));
    !test_file
        && !matches!(
            first.as_deref(),
            None | Some("dist" | STAGING | PREVIOUS | "node_modules" | "e2e" | "screenshots" | "test-results")
        )
}

/// `vite build` in `web` into a staging folder that then replaces `dist/`; on failure, what
/// Vite printed (and `dist/` stays as it was).
async fn build(web: &Path) -> Result<(), String> {
    let mut command = std::process::Command::new("node");
    command
        .current_dir(web)
        .args(["node_modules/vite/bin/vite.js", "build", "--logLevel", "warn", "--emptyOutDir", "--outDir", STAGING])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    own_group_dying_with_parent(&mut command);
    let output = tokio::process::Command::from(command)
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|error| format!("node did not run: {error}"))?;
    if output.status.success() {
        replace_dist(web).map_err(|error| format!("cannot move the new build into web/dist: {error}"))
    } else {
        Err(format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)))
    }
}

/// `dist/` becomes the staging folder's build: two renames, so a request finds the old page or
/// the new one (for a moment none, which the portal answers 503 with Retry-After).
fn replace_dist(web: &Path) -> std::io::Result<()> {
    let (dist, staging, previous) = (web.join("dist"), web.join(STAGING), web.join(PREVIOUS));
    if previous.exists() {
        std::fs::remove_dir_all(&previous)?;
    }
    if dist.exists() {
        std::fs::rename(&dist, &previous)?;
    }
    std::fs::rename(&staging, &dist)?;
    if previous.exists() {
        std::fs::remove_dir_all(&previous)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_dist() {
        assert_eq!(safe_relative("/assets/index-1a2b.js"), Some(PathBuf::from("assets/index-1a2b.js")));
        assert_eq!(safe_relative("/admin/customers"), Some(PathBuf::from("admin/customers")));
        assert_eq!(safe_relative("/../Cargo.toml"), None);
        assert_eq!(safe_relative("/%2e%2e/Cargo.toml"), None);
        assert_eq!(safe_relative("//etc/passwd"), Some(PathBuf::from("etc/passwd")));
    }

    #[test]
    fn only_the_pages_sources_start_a_build() {
        let web = Path::new("/repo/web");
        for source in ["/repo/web/src/App.tsx", "/repo/web/index.html", "/repo/web/vite.config.ts"] {
            assert!(is_page_source(web, Path::new(source)), "{source}");
        }
        for other in [
            "/repo/web/dist/index.html",
            "/repo/web/.dist-building/index.html",
            "/repo/web/node_modules/x/y.js",
            "/repo/web/e2e/smoke.e2e.mjs",
            "/repo/web/src/admin/CreateCustomerForm.test.tsx",
        ] {
            assert!(!is_page_source(web, Path::new(other)), "{other}");
        }
    }

    #[tokio::test]
    async fn unknown_paths_get_the_page_and_missing_assets_404() {
        let dist = std::env::temp_dir().join(format!("portal-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dist.join("assets")).unwrap();
        std::fs::write(dist.join("index.html"), "<!doctype html><title>page</title>").unwrap();
        std::fs::write(dist.join("assets/app.js"), "console.log(1)").unwrap();
        let portal = Arc::new(Portal::new(dist.clone(), page_config("http://127.0.0.1:3000", "client")));
        let get = |path: &'static str| file(State(Arc::clone(&portal)), Uri::from_static(path), HeaderMap::new());
        let script = get("/assets/app.js").await;
        assert_eq!(script.headers()[header::CONTENT_TYPE], "text/javascript; charset=utf-8");
        assert_eq!(script.headers()[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
        assert!(script.headers().get(header::CONTENT_ENCODING).is_none(), "not gzipped unless asked");
        let route = get("/admin/customers/acme-web").await;
        assert_eq!(route.status(), StatusCode::OK);
        assert_eq!(route.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
        assert_eq!(route.headers()[header::CACHE_CONTROL], "no-cache");
        assert_eq!(get("/assets/gone.js").await.status(), StatusCode::NOT_FOUND);
        let mut gzip = HeaderMap::new();
        gzip.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("br;q=0, gzip, deflate"));
        let gzipped = file(State(Arc::clone(&portal)), Uri::from_static("/assets/app.js"), gzip).await;
        assert_eq!(gzipped.headers()[header::CONTENT_ENCODING], "gzip");
        let body = axum::body::to_bytes(gzipped.into_body(), 10_000).await.unwrap();
        let mut unzipped = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&body[..]), &mut unzipped).unwrap();
        assert_eq!(unzipped, "console.log(1)");
        let mut refused = HeaderMap::new();
        refused.insert(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip;q=0, identity"));
        let plain = file(State(Arc::clone(&portal)), Uri::from_static("/assets/app.js"), refused).await;
        assert!(plain.headers().get(header::CONTENT_ENCODING).is_none(), "gzip;q=0 refuses it");
        let configuration = config(State(Arc::clone(&portal))).await;
        let body = axum::body::to_bytes(configuration.into_body(), 10_000).await.unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["auth"]["tokenUrl"], "http://127.0.0.1:3000/_local/oauth2/token");
        std::fs::remove_dir_all(dist).unwrap();
    }
}
