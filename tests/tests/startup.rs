//! The functions as built binaries: a missing or invalid configuration value stops the start,
//! and what they print names the variable.

use meshcustomers_tests::running_cloud::built_binaries;
use meshcustomers_tests::template::functions;
use meshcustomers_tests::test_app::test_variables;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn built_functions() -> PathBuf {
    let binaries: Vec<String> = functions().into_iter().map(|f| f.binary).collect();
    built_binaries(&binaries.iter().map(String::as_str).collect::<Vec<_>>())
}

/// Starts a binary with exactly these variables and waits for it to stop (at most 30 s).
fn start(binary: &PathBuf, variables: &[(String, String)]) -> Output {
    let mut child = Command::new(binary)
        .env_clear()
        .envs(variables.iter().map(|(k, v)| (k, v)))
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
    child.wait_with_output().unwrap()
}

#[test]
fn a_bad_configuration_stops_every_function_at_start_naming_the_variable() {
    let folder = built_functions();
    let valid = test_variables("meshcustomers");
    let cases: [(&str, Option<&str>); 4] = [
        ("TABLE_NAME", None),
        ("CURSOR_SIGNING_KEY", None),
        ("DEFAULT_PROJECT_QUOTA", Some("lots")),
        ("PLATFORMS", Some("aws")),
    ];
    for function in functions() {
        let binary = folder.join(&function.binary);
        for (variable, bad_value) in cases {
            let mut variables: Vec<(String, String)> =
                valid.iter().filter(|(name, _)| name != variable).cloned().collect();
            if let Some(value) = bad_value {
                variables.push((variable.to_owned(), value.to_owned()));
            }
            let output = start(&binary, &variables);
            let printed =
                format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
            assert!(!output.status.success(), "{} started without a valid {variable}", function.binary);
            assert!(
                printed.contains(&format!("configuration variable {variable}")),
                "{} did not name {variable}: {printed}",
                function.binary
            );
        }
    }
}
