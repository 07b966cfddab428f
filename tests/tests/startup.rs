//! The functions as built binaries, with the environment the template gives each of them: that
//! environment is enough to start (the function reaches its first poll of the Lambda Runtime API,
//! played here by a socket of the test), and a bad value in any of its variables stops the start
//! with a message that names the variable. And the local cloud's own start: a twin that cannot
//! start stops it by name.

use local_cloud::environment::{LocalStack, default_local_parameters};
use local_cloud::secrets::SecretStore;
use local_cloud::template::Template;
use meshcustomers_tests::running_cloud::{RunningCloud, built_binaries};
use meshcustomers_tests::template::functions;
use std::collections::BTreeMap;
use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A value each variable refuses (blank reads as unset, which refuses required variables).
fn bad_value(variable: &str) -> &'static str {
    match variable {
        "TABLE_NAME" | "EVENT_BUS_NAME" | "CURSOR_SIGNING_KEY_SECRET_ARN" | "JWT_ISSUER" | "JWT_AUDIENCE" => " ",
        "DEFAULT_PROJECT_QUOTA" => "lots",
        "DEFAULT_PARTNER_ID" => "a b",
        "INVITATION_TTL_HOURS" => "0",
        "MAX_PENDING_INVITATIONS" => "0",
        "REGISTRATION_TTL_DAYS" => "0",
        "REQUIRE_CUSTOMER_APPROVAL" => "yes",
        "REQUIRE_EMAIL_CONFIRMATION" => "1",
        "EMAIL_CONFIRMATION_TTL_HOURS" => "0",
        "PORTAL_BASE_URL" => "portal.example.com",
        "EMAIL_FROM" => "nobody",
        "SELF_ASSIGN_ROLE" => "OWNER",
        "SELF_ASSIGN_MAX_HOURS" => "0",
        "MEMBERSHIP_EXPIRY_WARNING_DAYS" => "0",
        "PLATFORMS" => r#"{"aws": "https://console.example.com/no-placeholder"}"#,
        other => panic!("no bad value for configuration variable {other}: add one"),
    }
}

/// Starts a binary with exactly these variables (and a region, so the SDK asks no metadata
/// service) and waits for it to stop (at most 30 s). No Lambda runtime API is reachable, so even
/// a function that reads its configuration fine stops right after.
fn start(binary: &Path, variables: &BTreeMap<String, String>) -> (Output, String) {
    let mut child = Command::new(binary)
        .env_clear()
        .envs(variables)
        .envs([("AWS_REGION", "eu-central-1"), ("AWS_EC2_METADATA_DISABLED", "true")])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("{} did not stop at start", binary.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    (output, printed)
}

/// The path of the Runtime API's "next invocation" poll: what a function asks for once it has
/// read its configuration and is ready for work.
const NEXT_INVOCATION: &str = "GET /2018-06-01/runtime/invocation/next ";

/// Starts a binary with these variables and a Runtime API of the test's own (with the variables
/// Lambda sets for every function), and returns the first request it sends there, or, when it
/// stops first or sends nothing within 30 s, what it printed. The binary is stopped afterwards.
fn first_poll(binary: &Path, variables: &BTreeMap<String, String>) -> Result<String, String> {
    let runtime_api = TcpListener::bind("127.0.0.1:0").unwrap();
    runtime_api.set_nonblocking(true).unwrap();
    let address = runtime_api.local_addr().unwrap().to_string();
    let mut child = Command::new(binary)
        .env_clear()
        .envs(variables)
        .envs([("AWS_REGION", "eu-central-1"), ("AWS_EC2_METADATA_DISABLED", "true")])
        .envs([
            ("AWS_LAMBDA_RUNTIME_API", address.as_str()),
            ("AWS_LAMBDA_FUNCTION_NAME", "startup-test"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
    let deadline = Instant::now() + Duration::from_secs(30);
    let polled = loop {
        match runtime_api.accept() {
            Ok((mut connection, _)) => {
                connection.set_nonblocking(false).unwrap();
                connection.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let mut request = Vec::new();
                let mut chunk = [0u8; 1024];
                while !request.windows(4).any(|window| window == b"\r\n\r\n") {
                    match connection.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(read) => request.extend_from_slice(&chunk[..read]),
                    }
                }
                break Some(String::from_utf8_lossy(&request).into_owned());
            }
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(error) => panic!("the test's Runtime API failed: {error}"),
        }
        if Instant::now() > deadline || child.try_wait().unwrap().is_some() {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    let printed = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    polled.ok_or(printed)
}

#[test]
fn the_templates_environment_starts_each_function_and_a_bad_value_stops_it_by_name() {
    let binaries: Vec<String> = functions().into_iter().map(|f| f.binary).collect();
    let folder = built_binaries(&binaries.iter().map(String::as_str).collect::<Vec<_>>());
    let template = Template::of_repo().unwrap();
    let secrets = SecretStore::in_memory();
    let parameters = default_local_parameters().unwrap();
    let stack = LocalStack { template: &template, parameters, secrets: &secrets };
    for function in functions() {
        let binary = folder.join(&function.binary);
        let environment = stack.function_environment(&function.logical_id).unwrap();
        match first_poll(&binary, &environment) {
            Ok(request) => assert!(
                request.starts_with(NEXT_INVOCATION),
                "{} asked the Runtime API something else first: {request}",
                function.binary
            ),
            Err(printed) => {
                panic!("{} never polled for work with the template's environment: {printed}", function.binary)
            }
        }
        for variable in environment.keys() {
            let mut broken = environment.clone();
            broken.insert(variable.clone(), bad_value(variable).to_owned());
            let (output, printed) = start(&binary, &broken);
            assert!(!output.status.success(), "{} started with a bad {variable}", function.binary);
            assert!(
                printed.contains(&format!("configuration variable {variable}")),
                "{} did not name {variable}: {printed}",
                function.binary
            );
        }
    }
}

/// A port taken by another program between the choice and DynamoDB Local's start: the local
/// cloud does not take whatever answers there for DynamoDB Local (it may be anything, even a
/// connection that met itself) but reports the twin that could not start, which the test
/// harness reads as a port race and answers with other ports.
#[tokio::test]
async fn a_twin_whose_port_is_taken_stops_the_start_by_name() {
    let folder = built_binaries(&["local-cloud"]);
    let squatter = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = squatter.local_addr().unwrap().port().to_string();
    // Answers every connection by closing it, as a program that speaks something else would.
    std::thread::spawn(move || {
        for connection in squatter.incoming() {
            drop(connection);
        }
    });
    let variables = [("LOCAL_BUILD_PAGE", "0"), ("LOCAL_DYNAMODB_PORT", port.as_str())];
    let log = match RunningCloud::start_once(&folder, &variables).await {
        Ok(_) => panic!("the local cloud started with DynamoDB Local's port taken"),
        Err(log) => log,
    };
    assert!(log.contains("DynamoDB Local stopped ("), "{log}");
}
