//! Secrets from Secrets Manager: read once per function instance, at first use (so a cold start
//! does not wait for them), kept only in memory and never printed.

use crate::sdk::SendBoxed;
use aws_config::SdkConfig;
use aws_sdk_secretsmanager::Client;
use std::fmt;
use tokio::sync::OnceCell;

/// A secret's value. Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(value: impl Into<Vec<u8>>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("secret {secret} could not be read")]
    Unreadable {
        secret: String,
        #[source]
        source: aws_sdk_secretsmanager::Error,
    },
    #[error("secret {secret} has no text value")]
    NotText { secret: String },
    #[error("secret {secret} is shorter than {minimum} bytes")]
    TooShort { secret: String, minimum: usize },
}

/// A secret named by ARN or name, fetched on first use and cached for the instance's life. Its
/// client too is built then, so that a function's start does not build one.
pub struct SecretsManagerSecret {
    /// Boxed: the configuration is large, and most `CursorKey`s are not this one.
    aws: Box<SdkConfig>,
    id: String,
    minimum_len: usize,
    value: OnceCell<Secret>,
}

impl fmt::Debug for SecretsManagerSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretsManagerSecret").field("id", &self.id).finish_non_exhaustive()
    }
}

impl SecretsManagerSecret {
    pub fn new(aws: &SdkConfig, id: impl Into<String>, minimum_len: usize) -> Self {
        Self { aws: Box::new(aws.clone()), id: id.into(), minimum_len, value: OnceCell::new() }
    }

    #[tracing::instrument(skip_all, fields(secret = %self.id))]
    pub async fn get(&self) -> Result<&Secret, SecretError> {
        self.value
            .get_or_try_init(|| async {
                let output = Client::new(&self.aws)
                    .get_secret_value()
                    .secret_id(&self.id)
                    .send_boxed()
                    .await
                    .map_err(|source| SecretError::Unreadable { secret: self.id.clone(), source: source.into() })?;
                let text = output.secret_string().ok_or_else(|| SecretError::NotText { secret: self.id.clone() })?;
                if text.len() < self.minimum_len {
                    return Err(SecretError::TooShort { secret: self.id.clone(), minimum: self.minimum_len });
                }
                Ok(Secret::new(text))
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_its_value() {
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret([redacted])");
    }
}
