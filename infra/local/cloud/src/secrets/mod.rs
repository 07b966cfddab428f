//! The local stand-in for Secrets Manager's generated secrets: a random alphanumeric value per
//! secret, kept in the data folder (mode 0600) so that it survives restarts, or in memory.

pub mod manager;

use std::collections::HashMap;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

pub struct SecretStore {
    folder: Option<PathBuf>,
    generated: Mutex<HashMap<String, StoredSecret>>,
}

/// A secret's value and when it was generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSecret {
    pub value: String,
    pub created: SystemTime,
}

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

impl SecretStore {
    pub fn in_folder(folder: PathBuf) -> Self {
        Self { folder: Some(folder), generated: Mutex::default() }
    }

    pub fn in_memory() -> Self {
        Self { folder: None, generated: Mutex::default() }
    }

    /// The secret, generated (`length` characters, no punctuation) on first use.
    pub fn get_or_generate(&self, name: &str, length: usize) -> std::io::Result<StoredSecret> {
        let mut generated = self.generated.lock().expect("the secret store is never poisoned");
        if let Some(secret) = generated.get(name) {
            return Ok(secret.clone());
        }
        let file = self.folder.as_ref().map(|folder| folder.join(name));
        let stored = file.as_ref().and_then(|file| {
            let value = std::fs::read_to_string(file).ok()?;
            Some(StoredSecret { value, created: std::fs::metadata(file).and_then(|m| m.modified()).ok()? })
        });
        let secret = match stored {
            Some(stored) => stored,
            None => {
                let value = random_text(length)?;
                if let Some(file) = &file {
                    std::fs::create_dir_all(file.parent().expect("a secret file has a folder"))?;
                    std::fs::OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .mode(0o600)
                        .open(file)?
                        .write_all(value.as_bytes())?;
                }
                StoredSecret { value, created: SystemTime::now() }
            }
        };
        generated.insert(name.to_owned(), secret.clone());
        Ok(secret)
    }
}

fn random_text(length: usize) -> std::io::Result<String> {
    let mut bytes = vec![0u8; length];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| std::io::Error::other("no randomness available"))?;
    // 256 % 62 skews a few characters slightly; irrelevant for a local signing key.
    Ok(bytes.iter().map(|byte| ALPHABET[*byte as usize % ALPHABET.len()] as char).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_secret_keeps_its_value_across_stores() {
        let folder = std::env::temp_dir().join(format!("local-cloud-secrets-{}", uuid::Uuid::new_v4()));
        let first = SecretStore::in_folder(folder.clone()).get_or_generate("Key", 64).unwrap().value;
        let second = SecretStore::in_folder(folder.clone()).get_or_generate("Key", 64).unwrap().value;
        assert_eq!(first, second);
        assert_eq!(first.len(), 64);
        assert!(first.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(first, SecretStore::in_memory().get_or_generate("Key", 64).unwrap().value);
        std::fs::remove_dir_all(folder).unwrap();
    }
}
