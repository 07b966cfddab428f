//! Waiting for what the pipeline does asynchronously (a mail, an event, a process gone).

use std::time::{Duration, Instant};

/// Polls `check` every 200 ms until it yields a value or `limit` passes.
pub async fn within<T>(limit: Duration, mut check: impl AsyncFnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        if Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
