//! `local-cloud dev` runs the whole product locally (`make dev`); `local-cloud token …` prints
//! a token from the running local cloud's issuer.

use local_cloud::settings::Settings;
use local_cloud::tokens::TokenRequest;

const USAGE: &str = "usage:
  local-cloud dev
  local-cloud token --sub ID [--email ADDRESS] [--name NAME] [--group GROUP]... [--partner-id ID]";

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,aws_config=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let outcome = Settings::from_env().map_err(Into::into).and_then(|settings| match arguments.split_first() {
        Some((command, [])) if command == "dev" => local_cloud::cloud::run(settings),
        Some((command, options)) if command == "token" => token(&settings, options),
        _ => Err(USAGE.into()),
    });
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("local-cloud: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Asks the running gateway for a token (`POST /_local/tokens`) and prints it.
fn token(settings: &Settings, options: &[String]) -> Result<(), local_cloud::cloud::BoxError> {
    let mut request = TokenRequest::default();
    for pair in options.chunks(2) {
        let [option, value] = pair else { return Err(USAGE.into()) };
        match option.as_str() {
            "--sub" => request.sub = value.clone(),
            "--email" => request.email = Some(value.clone()),
            "--name" => request.name = Some(value.clone()),
            "--group" => request.groups.push(value.clone()),
            "--partner-id" => request.partner_id = Some(value.clone()),
            _ => return Err(USAGE.into()),
        }
    }
    if request.sub.is_empty() {
        return Err(USAGE.into());
    }
    let url = format!("{}/_local/tokens", Settings::url(settings.gateway_port));
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let answer: serde_json::Value = runtime.block_on(async {
        let response = reqwest::Client::new().post(&url).json(&request).send().await?.error_for_status()?;
        response.json().await
    })?;
    println!("{}", answer["token"].as_str().ok_or("the gateway answered without a token")?);
    Ok(())
}
