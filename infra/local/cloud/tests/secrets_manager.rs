//! The local Secrets Manager through the real AWS SDK client: the template's secret by ARN and by
//! name, the same value every time and after a restart, and Secrets Manager's errors otherwise.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use aws_sdk_secretsmanager::Client;
use local_cloud::cloud::local_sdk_config;
use local_cloud::environment::LocalStack;
use local_cloud::secrets::SecretStore;
use local_cloud::secrets::manager::{LocalSecret, SecretsManager, router};
use local_cloud::template::Template;

const ARN: &str = "arn:aws:secretsmanager:eu-central-1:000000000000:secret:CursorSigningSecret";

/// The template's secrets from a store in `folder`, served on a free port, and a client of it.
async fn secrets_manager(folder: &Path) -> (Client, Vec<LocalSecret>) {
    let template = Template::of_repo().unwrap();
    let store = SecretStore::in_folder(folder.to_owned());
    let stack = LocalStack { template: &template, parameters: BTreeMap::new(), secrets: &store };
    let secrets = stack.secrets().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let app = router(Arc::new(SecretsManager { secrets: secrets.clone() }));
    tokio::spawn(axum::serve(listener, app).into_future());
    (Client::new(&local_sdk_config(&endpoint).await), secrets)
}

#[tokio::test]
async fn get_secret_value_answers_the_template_secret_the_same_across_restarts() {
    let folder = std::env::temp_dir().join(format!("secrets-manager-{}", uuid::Uuid::new_v4()));
    let (client, secrets) = secrets_manager(&folder).await;
    assert_eq!(secrets.len(), 1, "the template has one secret");

    let first = client.get_secret_value().secret_id(ARN).send().await.unwrap();
    let value = first.secret_string().unwrap().to_owned();
    assert_eq!(value.len(), 64, "GenerateSecretString's PasswordLength");
    assert!(value.chars().all(|c| c.is_ascii_alphanumeric()), "ExcludePunctuation");
    assert_eq!((first.arn(), first.name()), (Some(ARN), Some("CursorSigningSecret")));
    assert_eq!(first.version_stages(), ["AWSCURRENT"]);
    assert!(first.created_date().is_some() && first.version_id().is_some());

    let by_name = client.get_secret_value().secret_id("CursorSigningSecret").send().await.unwrap();
    assert_eq!(by_name.secret_string(), Some(value.as_str()));
    assert_eq!(by_name.version_id(), first.version_id());

    let (restarted, _) = secrets_manager(&folder).await;
    let again = restarted.get_secret_value().secret_id(ARN).send().await.unwrap();
    assert_eq!(again.secret_string(), Some(value.as_str()), "the store keeps the value across restarts");
    assert_eq!(again.version_id(), first.version_id());
    std::fs::remove_dir_all(folder).unwrap();
}

#[tokio::test]
async fn an_unknown_secret_is_not_found_and_other_operations_are_refused() {
    let folder = std::env::temp_dir().join(format!("secrets-manager-{}", uuid::Uuid::new_v4()));
    let (client, _) = secrets_manager(&folder).await;
    let missing = client.get_secret_value().secret_id("NoSuchSecret").send().await.unwrap_err();
    assert!(missing.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()), "{missing:?}");
    let old_version = client.get_secret_value().secret_id(ARN).version_stage("AWSPREVIOUS").send().await.unwrap_err();
    assert!(old_version.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()));

    let listing = client.list_secrets().send().await.unwrap_err();
    let code = listing.as_service_error().and_then(|e| aws_sdk_secretsmanager::error::ProvideErrorMetadata::code(e));
    assert_eq!(code, Some("UnknownOperationException"));
    let _ = std::fs::remove_dir_all(folder);
}
