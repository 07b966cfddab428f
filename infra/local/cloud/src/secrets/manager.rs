//! The local Secrets Manager: answers `GetSecretValue` (AWS JSON 1.1) for the template's
//! secrets, by ARN or by name, with the values of the local secret store, so a function reads
//! its secret at run time as it does when deployed. Anything else is refused as Secrets Manager
//! refuses it.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;

use crate::aws_json;

/// A secret of the template with its local value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalSecret {
    pub arn: String,
    pub name: String,
    pub value: String,
    pub created: SystemTime,
}

impl LocalSecret {
    /// A version id that stays the same while the value does (across restarts too): a UUID made
    /// of the value's SHA-256.
    fn version_id(&self) -> String {
        let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, self.value.as_bytes());
        let bytes: [u8; 16] = digest.as_ref()[..16].try_into().expect("SHA-256 has 32 bytes");
        uuid::Builder::from_custom_bytes(bytes).into_uuid().to_string()
    }
}

pub struct SecretsManager {
    pub secrets: Vec<LocalSecret>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetSecretValueRequest {
    secret_id: String,
    version_id: Option<String>,
    version_stage: Option<String>,
}

pub fn router(secrets_manager: Arc<SecretsManager>) -> Router {
    Router::new().fallback(get_secret_value).with_state(secrets_manager)
}

async fn get_secret_value(State(manager): State<Arc<SecretsManager>>, headers: HeaderMap, body: Bytes) -> Response {
    let target = headers.get("x-amz-target").and_then(|t| t.to_str().ok()).unwrap_or_default();
    if target != "secretsmanager.GetSecretValue" {
        return aws_json::error(
            "UnknownOperationException",
            &format!("the local Secrets Manager answers GetSecretValue only, not {target:?}"),
        );
    }
    let request: GetSecretValueRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(error) => return aws_json::error("SerializationException", &error.to_string()),
    };
    let found = manager.secrets.iter().find(|s| s.arn == request.secret_id || s.name == request.secret_id);
    // There is one version of each secret, the current one.
    let secret = found.filter(|secret| {
        request.version_id.as_ref().is_none_or(|id| *id == secret.version_id())
            && request.version_stage.as_deref().is_none_or(|stage| stage == "AWSCURRENT")
    });
    let Some(secret) = secret else {
        return aws_json::error("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    };
    let created = secret.created.duration_since(UNIX_EPOCH).unwrap_or_default().as_secs_f64();
    aws_json::answer(
        StatusCode::OK,
        json!({
            "ARN": secret.arn,
            "Name": secret.name,
            "SecretString": secret.value,
            "VersionId": secret.version_id(),
            "VersionStages": ["AWSCURRENT"],
            "CreatedDate": created,
        }),
    )
}
