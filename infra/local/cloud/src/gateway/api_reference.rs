//! The API's contract, served by the local gateway: `infra/openapi.yaml` as JSON at
//! `/_local/openapi.json` (what schemathesis and other tools read), and a readable reference page
//! at `/_local/api/`, rendered by Swagger UI from the pinned npm package (no CDN).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

/// The renderer's files the page loads; nothing else of the package is served.
const ASSETS: [(&str, &str); 3] = [
    ("swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
    ("swagger-ui.css", "text/css; charset=utf-8"),
    ("favicon-32x32.png", "image/png"),
];

const PAGE: &str = r##"<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>meshcustomers API (local cloud)</title>
  <link rel="icon" href="/_local/api/favicon-32x32.png">
  <link rel="stylesheet" href="/_local/api/swagger-ui.css">
</head>
<body>
  <div id="api"></div>
  <script src="/_local/api/swagger-ui-bundle.js"></script>
  <script>
    // Tokens come from POST /_local/tokens; "Authorize" keeps one for "Try it out".
    SwaggerUIBundle({ url: "/_local/openapi.json", dom_id: "#api", persistAuthorization: true });
  </script>
</body>
</html>
"##;

#[derive(Debug, thiserror::Error)]
pub enum ApiReferenceError {
    #[error("cannot read the API contract {path}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the API contract {path} is not valid YAML")]
    Invalid {
        path: PathBuf,
        #[source]
        source: serde_yaml::Error,
    },
    #[error("the API contract refers to {path}, which is not a readable JSON Schema")]
    Referenced {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0} is missing: run `npm ci --prefix infra/local` (make dev runs it)")]
    RendererMissing(PathBuf),
}

pub struct ApiReference {
    /// The document as JSON, its `servers` pointing at this gateway.
    document: Value,
    /// `swagger-ui-dist` in `infra/local/node_modules`.
    renderer: PathBuf,
}

impl ApiReference {
    pub fn load(repo: &Path) -> Result<Self, ApiReferenceError> {
        let path = repo.join("infra/openapi.yaml");
        let text = std::fs::read_to_string(&path)
            .map_err(|source| ApiReferenceError::Unreadable { path: path.clone(), source })?;
        let mut document: Value =
            serde_yaml::from_str(&text).map_err(|source| ApiReferenceError::Invalid { path: path.clone(), source })?;
        bundle(&mut document, path.parent().unwrap_or(repo))?;
        // Relative to wherever the gateway listens, so "Try it out" calls this local cloud.
        document["servers"] = json!([{"url": "/", "description": "this local cloud"}]);
        let renderer = repo.join("infra/local/node_modules/swagger-ui-dist");
        if !renderer.join(ASSETS[0].0).exists() {
            return Err(ApiReferenceError::RendererMissing(renderer));
        }
        Ok(Self { document, renderer })
    }

    pub fn router(self: Arc<Self>) -> Router {
        Router::new()
            .route("/_local/openapi.json", get(document))
            .route("/_local/api", get(|| async { Html(PAGE) }))
            .route("/_local/api/", get(|| async { Html(PAGE) }))
            .route("/_local/api/{asset}", get(asset))
            .with_state(self)
    }
}

/// Makes the served document self-contained: each schema file it refers to (the event schemas)
/// becomes `components/schemas/<file stem>`, its own `#/$defs/…` references rewritten to point
/// there and its `$id` dropped (which would change what those references resolve against). A
/// client that loads the document by URL, such as schemathesis, can then resolve every reference.
fn bundle(document: &mut Value, base: &Path) -> Result<(), ApiReferenceError> {
    let mut files = std::collections::BTreeMap::new();
    collect_file_refs(document, &mut files);
    for (reference, name) in &files {
        let path = base.join(reference);
        let unreadable = |source| ApiReferenceError::Referenced { path: path.clone(), source };
        let text = std::fs::read_to_string(&path).map_err(unreadable)?;
        let mut schema: Value = serde_json::from_str(&text).map_err(|error| unreadable(error.into()))?;
        if let Some(object) = schema.as_object_mut() {
            object.remove("$id");
            object.remove("$schema");
        }
        rewrite_refs(&mut schema, &|target| {
            target.strip_prefix('#').map(|pointer| format!("#/components/schemas/{name}{pointer}"))
        });
        document["components"]["schemas"][name] = schema;
    }
    rewrite_refs(document, &|target| files.get(target).map(|name| format!("#/components/schemas/{name}")));
    Ok(())
}

/// `$ref`s to other files, each with the component name it gets (the file's stem).
fn collect_file_refs(value: &Value, files: &mut std::collections::BTreeMap<String, String>) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(target)) = object.get("$ref")
                && !target.starts_with('#')
            {
                let stem = Path::new(target).file_stem().map(|stem| stem.to_string_lossy().into_owned());
                files.insert(target.clone(), stem.unwrap_or_else(|| target.clone()));
            }
            object.values().for_each(|value| collect_file_refs(value, files));
        }
        Value::Array(items) => items.iter().for_each(|value| collect_file_refs(value, files)),
        _ => {}
    }
}

fn rewrite_refs(value: &mut Value, rewrite: &dyn Fn(&str) -> Option<String>) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(target)) = object.get_mut("$ref")
                && let Some(rewritten) = rewrite(target)
            {
                *target = rewritten;
            }
            object.values_mut().for_each(|value| rewrite_refs(value, rewrite));
        }
        Value::Array(items) => items.iter_mut().for_each(|value| rewrite_refs(value, rewrite)),
        _ => {}
    }
}

async fn document(State(reference): State<Arc<ApiReference>>) -> Response {
    axum::Json(reference.document.clone()).into_response()
}

async fn asset(State(reference): State<Arc<ApiReference>>, UrlPath(name): UrlPath<String>) -> Response {
    let Some((file, content_type)) = ASSETS.iter().find(|(file, _)| *file == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match tokio::fs::read(reference.renderer.join(file)).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, *content_type)], bytes).into_response(),
        Err(error) => {
            tracing::error!(%error, file, "the reference page's renderer is incomplete");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::repo_root;

    #[test]
    fn serves_the_repositorys_contract_pointing_at_itself() {
        let reference = ApiReference::load(&repo_root()).expect("the contract and the renderer are installed");
        assert!(reference.document["openapi"].as_str().is_some_and(|version| version.starts_with("3.1")));
        assert_eq!(reference.document["servers"][0]["url"], "/");
        assert!(reference.document["paths"]["/customers"].is_object());
        let served = reference.document.to_string();
        assert!(!served.contains("\"$ref\":\"..") && !served.contains("\"$id\""), "self-contained");
        let created = &reference.document["components"]["schemas"]["CUSTOMER_CREATED"];
        assert!(created["$defs"].is_object());
        assert!(created.to_string().contains("#/components/schemas/CUSTOMER_CREATED/$defs/"));
    }
}
