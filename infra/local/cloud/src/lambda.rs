//! Invoking a function through the Lambda invoke API that `cargo lambda watch` serves
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
    /// The invocation did not reach a running function (not started, not built, no such function).
    #[error("{function} could not be invoked: {reason}")]
    Undelivered { function: String, reason: String },
}

impl Lambda {
    pub fn new(endpoint: impl Into<String>) -> Self {
        Self { client: reqwest::Client::new(), endpoint: endpoint.into() }
    }

    /// A synchronous (`RequestResponse`) invocation. No timeout: the first invocation after a code
    /// change includes cargo's rebuild of the function.
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
        // cargo lambda itself (a missing function, a failed build).
        match output.as_ref().and_then(|o| Some((o.get("errorType")?.as_str()?, o.get("errorMessage")?.as_str()?))) {
            Some((error_type, message)) => Err(InvokeError::Function {
                function: function.to_owned(),
                error_type: error_type.to_owned(),
                message: message.to_owned(),
            }),
            None => Err(undelivered(format!("{status}: {}", String::from_utf8_lossy(&body)))),
        }
    }

    /// Whether the function runs and answers: a payload no function accepts makes its runtime
    /// refuse it before the handler runs, so this has no effect beyond starting the function.
    pub async fn answers(&self, function: &str) -> Result<(), InvokeError> {
        match self.invoke(function, &serde_json::json!({"localCloud": "health check"})).await {
            Ok(_) | Err(InvokeError::Function { .. }) => Ok(()),
            Err(undelivered) => Err(undelivered),
        }
    }
}
