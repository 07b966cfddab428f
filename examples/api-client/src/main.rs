//! Calling meshcustomers from a program (README "Calling the API from a program"): a billing
//! system disables the customer whose invoice is unpaid, with a partner key.
//!
//! ```sh
//! MESHCUSTOMERS_API=https://api.example.com MESHCUSTOMERS_KEY=mck_… disable-unpaid <customerId> <reason>
//! ```
//!
//! Exits 0 when the customer is DISABLED (also when it already was), 1 with the API's problem
//! otherwise.

use std::process::ExitCode;

use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> ExitCode {
    let (Ok(api), Ok(key)) = (std::env::var("MESHCUSTOMERS_API"), std::env::var("MESHCUSTOMERS_KEY")) else {
        eprintln!("set MESHCUSTOMERS_API (the API's URL) and MESHCUSTOMERS_KEY (an mck_ key)");
        return ExitCode::from(2);
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [customer, reason] = args.as_slice() else {
        eprintln!("usage: disable-unpaid <customerId> <reason>");
        return ExitCode::from(2);
    };
    match disable(&api, &key, customer, reason).await {
        Ok(status) => {
            println!("{customer} is {status}");
            ExitCode::SUCCESS
        }
        Err(problem) => {
            eprintln!("{customer} was not disabled: {problem}");
            ExitCode::FAILURE
        }
    }
}

/// `PUT /customers/{id}/status` with the key as bearer credential; the status the customer has
/// afterwards, or the API's problem in words.
async fn disable(api: &str, key: &str, customer: &str, reason: &str) -> Result<String, String> {
    let response = reqwest::Client::new()
        .put(format!("{}/customers/{customer}/status", api.trim_end_matches('/')))
        .bearer_auth(key)
        .json(&json!({"status": "DISABLED", "reason": reason}))
        .send()
        .await
        .map_err(|error| format!("the API cannot be reached: {error}"))?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    match status {
        StatusCode::OK => Ok(body["status"].as_str().unwrap_or("DISABLED").to_owned()),
        // problem+json: `title` and `detail`; API Gateway's own 401 has only `message`.
        _ => Err(format!("{status}: {}", body["detail"].as_str().or(body["message"].as_str()).unwrap_or("no detail"))),
    }
}
