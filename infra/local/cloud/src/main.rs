//! `local-cloud dev` runs the whole product locally (`make dev`); `local-cloud token …` prints
//! a token from the running local cloud's issuer.

use local_cloud::cloud::CloudError;
use local_cloud::settings::Settings;
use local_cloud::signin::tokens::TokenRequest;
use meshcustomers::diagnostics::error_chain;

const USAGE: &str = "usage:
  local-cloud dev
  local-cloud token --sub ID [--email ADDRESS] [--email-verified true|false] [--name NAME] [--group GROUP]...
                    [--partner-id ID]";

/// Why a command failed; printed with its causes.
#[derive(Debug, thiserror::Error)]
enum Failure {
    /// A `LOCAL_*` variable that does not parse.
    #[error("{0}")]
    Settings(String),
    #[error("{USAGE}")]
    Usage,
    #[error(transparent)]
    Cloud(#[from] CloudError),
    #[error(transparent)]
    Token(#[from] TokenError),
}

/// Why `local-cloud token` printed no token.
#[derive(Debug, thiserror::Error)]
enum TokenError {
    #[error("{USAGE}")]
    Usage,
    #[error("cannot start the async runtime")]
    Runtime(#[source] std::io::Error),
    /// Unreachable, an error status or an unreadable answer (reqwest's error names the URL).
    #[error("asking the local cloud's gateway for a token failed")]
    Request(#[source] reqwest::Error),
    #[error("the gateway answered without a token (POST {url})")]
    NoToken { url: String },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,aws_config=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let outcome = Settings::from_env().map_err(Failure::Settings).and_then(|settings| match arguments.split_first() {
        Some((command, [])) if command == "dev" => Ok(local_cloud::cloud::run(settings)?),
        Some((command, options)) if command == "token" => Ok(token(&settings, options)?),
        _ => Err(Failure::Usage),
    });
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("local-cloud: {}", error_chain(&error));
            std::process::ExitCode::FAILURE
        }
    }
}

/// Asks the running gateway for a token (`POST /_local/tokens`) and prints it.
fn token(settings: &Settings, options: &[String]) -> Result<(), TokenError> {
    let mut request = TokenRequest::default();
    for pair in options.chunks(2) {
        let [option, value] = pair else { return Err(TokenError::Usage) };
        match option.as_str() {
            "--sub" => request.sub = value.clone(),
            "--email" => request.email = Some(value.clone()),
            "--email-verified" => {
                request.email_verified = Some(value.parse().map_err(|_| TokenError::Usage)?);
            }
            "--name" => request.name = Some(value.clone()),
            "--group" => request.groups.push(value.clone()),
            "--partner-id" => request.partner_id = Some(value.clone()),
            _ => return Err(TokenError::Usage),
        }
    }
    if request.sub.is_empty() {
        return Err(TokenError::Usage);
    }
    let url = format!("{}/_local/tokens", Settings::url(settings.gateway_port));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(TokenError::Runtime)?;
    let answer: serde_json::Value = runtime
        .block_on(async {
            let response = reqwest::Client::new().post(&url).json(&request).send().await?.error_for_status()?;
            response.json().await
        })
        .map_err(TokenError::Request)?;
    println!("{}", answer["token"].as_str().ok_or(TokenError::NoToken { url })?);
    Ok(())
}
