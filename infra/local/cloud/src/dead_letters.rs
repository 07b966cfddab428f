//! Where the local cloud puts what it gave up on, in place of the deployed stack's failure
//! queues: one JSON line per failure in `<data>/dead-letters/<function>.jsonl`.

use std::path::PathBuf;

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;
use tokio::sync::Mutex;

pub struct DeadLetters {
    folder: PathBuf,
    writing: Mutex<()>,
}

impl DeadLetters {
    pub fn new(folder: PathBuf) -> Self {
        Self { folder, writing: Mutex::new(()) }
    }

    pub fn file(&self, function: &str) -> PathBuf {
        self.folder.join(format!("{function}.jsonl"))
    }

    /// Appends `{time, function, source, reason, payload}`; a failure to write is logged, since
    /// there is no further place to put it.
    pub async fn put(&self, function: &str, source: &str, reason: &str, payload: Value) {
        let line = json!({
            "time": chrono::Utc::now().to_rfc3339(),
            "function": function,
            "source": source,
            "reason": reason,
            "payload": payload,
        });
        let file = self.file(function);
        tracing::warn!(function, source, reason, file = %file.display(), "dead-lettered");
        let _writing = self.writing.lock().await;
        let written = async {
            tokio::fs::create_dir_all(&self.folder).await?;
            let mut output = tokio::fs::OpenOptions::new().create(true).append(true).open(&file).await?;
            output.write_all(format!("{line}\n").as_bytes()).await
        };
        if let Err(error) = written.await {
            tracing::error!(file = %file.display(), %error, %line, "could not write the dead letter");
        }
    }
}
