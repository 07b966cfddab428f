//! Invoking a function through Lambda's invoke API, as the local Lambda serves it
//! (`POST /2015-03-31/functions/<name>/invocations`), telling a function's own error apart from
//! the invocation not reaching it.

use serde_json::Value;

#[derive(Clone)]
pub struct Lambda {
    client: reqwest::Client,
    endpoint: String,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InvokeError {
    /// The function ran and failed (Lambda's `FunctionError`): its error type and message.
    #[error("{function} failed: {error_type}: {message}")]
    Function { function: String, error_type: String, message: String },
    /// The invocation did not reach a running function (no such function, no binary to start).
    #[error("{function} could not be invoked: {reason}")]
    Undelivered { function: String, reason: String },
}

impl Lambda {
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self { client: reqwest::Client::new(), endpoint: endpoint.into() }
    }

    /// A synchronous (`RequestResponse`) invocation. No timeout of its own: the function's
    /// Timeout bounds it, and an invocation during a rebuild waits for the build.
    pub async fn invoke(&self, function: &str, payload: &Value) -> Result<Value, InvokeError> {
        let undelivered = |reason: String| InvokeError::Undelivered { function: function.to_owned(), reason };
        let url = format!("{}/2015-03-31/functions/{function}/invocations", self.endpoint);
        let response = self.client.post(url).json(payload).send().await.map_err(|e| undelivered(e.to_string()))?;
        let status = response.status();
        let body = response.bytes().await.map_err(|e| undelivered(e.to_string()))?;
        let output: Option<Value> = serde_json::from_slice(&body).ok();
        if status.is_success() {
            return output.ok_or_else(|| undelivered("the function's output is not JSON".into()));
        }
        // The runtime reports a handler's error as {errorType, errorMessage}; anything else is
        // Lambda itself (no such function, no instance to take it).
        match output.as_ref().and_then(|o| Some((o.get("errorType")?.as_str()?, o.get("errorMessage")?.as_str()?))) {
            Some((error_type, message)) => Err(InvokeError::Function {
                function: function.to_owned(),
                error_type: error_type.to_owned(),
                message: message.to_owned(),
            }),
            None => Err(undelivered(format!("{status}: {}", String::from_utf8_lossy(&body)))),
        }
    }
}
