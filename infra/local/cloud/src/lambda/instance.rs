//! One instance of a function: its built binary running as a child process with exactly the
//! environment of its [`FunctionSpec`], polling a [`RuntimeApi`] of its own. Its output is passed
//! through line by line, each line prefixed with the function's name (and the instance's number
//! from the second on: `create-customer#2 | …`). Dropping the instance kills its process group.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::SystemTime;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::watch;

use crate::lambda::function_spec::FunctionSpec;
use crate::lambda::runtime_api::{RuntimeApi, RuntimeStatus};
use crate::processes::{own_group_dying_with_parent, signal_group};

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("no binary {}: build it with `cargo build --bins` ({source})", path.display())]
    NoBinary { path: PathBuf, source: std::io::Error },
    #[error("{} did not start: {source}", path.display())]
    Spawn { path: PathBuf, source: std::io::Error },
    #[error("its runtime API did not start: {0}")]
    RuntimeApi(std::io::Error),
}

/// Which build of a binary a file is: a rebuilt binary is a new file, or at least a newer one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryVersion {
    inode: u64,
    modified: SystemTime,
    length: u64,
}

impl BinaryVersion {
    pub fn of(path: &Path) -> std::io::Result<Self> {
        let metadata = std::fs::metadata(path)?;
        Ok(Self { inode: metadata.ino(), modified: metadata.modified()?, length: metadata.len() })
    }
}

pub struct Instance {
    pub runtime: RuntimeApi,
    pub binary: BinaryVersion,
    /// 1 for the function's first instance, 2 for the one started beside it, …
    pub number: usize,
    /// How the process ended, once it has (a task of its own waits for it).
    exit: watch::Receiver<Option<String>>,
    pid: u32,
}

impl Instance {
    /// Starts the function's binary against a new runtime API. Call it from a thread that lives
    /// as long as the local cloud (see [`own_group_dying_with_parent`]).
    pub async fn start(spec: &FunctionSpec, number: usize) -> Result<Self, StartError> {
        let binary = BinaryVersion::of(&spec.binary)
            .map_err(|source| StartError::NoBinary { path: spec.binary.clone(), source })?;
        let runtime = RuntimeApi::start().await.map_err(StartError::RuntimeApi)?;
        let mut command = std::process::Command::new(&spec.binary);
        command
            .env_clear()
            .envs(spec.instance_variables(runtime.address()))
            .envs(run_marker())
            .current_dir(spec.binary.parent().unwrap_or(Path::new("/")))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        own_group_dying_with_parent(&mut command);
        let mut process = tokio::process::Command::from(command)
            .spawn()
            .map_err(|source| StartError::Spawn { path: spec.binary.clone(), source })?;
        let pid = process.id().expect("a process just started has an id");
        let prefix = match number {
            1 => spec.name.clone(),
            _ => format!("{}#{number}", spec.name),
        };
        if let Some(stdout) = process.stdout.take() {
            tokio::spawn(pass_through(prefix.clone(), stdout, Output::Stdout));
        }
        if let Some(stderr) = process.stderr.take() {
            tokio::spawn(pass_through(prefix, stderr, Output::Stderr));
        }
        let (exited, exit) = watch::channel(None);
        tokio::spawn(async move { exited.send_replace(Some(describe(process.wait().await))) });
        Ok(Self { runtime, binary, number, exit, pid })
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Completes when the process has exited.
    pub async fn exited(&self) -> String {
        self.watch().exited().await
    }

    /// How the process ended, if it has.
    pub fn exit_status(&self) -> Option<String> {
        self.exit.borrow().clone()
    }

    /// What the instance does by itself, watched without holding it.
    pub fn watch(&self) -> InstanceWatch {
        InstanceWatch { runtime: self.runtime.status(), exit: self.exit.clone() }
    }
}

/// What an idle instance does by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceEvent {
    /// Its runtime asked for the first invocation: its init is done.
    FirstPoll,
    Exited(String),
}

/// An instance's runtime status and exit, apart from the instance.
#[derive(Clone)]
pub struct InstanceWatch {
    pub runtime: RuntimeStatus,
    exit: watch::Receiver<Option<String>>,
}

impl InstanceWatch {
    /// Completes when the runtime first polls, or when the process exits before it does.
    pub async fn first_event(&self) -> InstanceEvent {
        tokio::select! {
            () = self.runtime.first_poll() => InstanceEvent::FirstPoll,
            status = self.exited() => InstanceEvent::Exited(status),
        }
    }

    async fn exited(&self) -> String {
        let mut exit = self.exit.clone();
        let status = exit.wait_for(Option::is_some).await.map(|status| status.clone().unwrap_or_default());
        match status {
            Ok(status) => status,
            // The waiting task is gone only when the local cloud stops.
            Err(_) => std::future::pending().await,
        }
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        // SIGKILL, as Lambda ends a runtime that registered no extensions.
        signal_group(self.pid, libc::SIGKILL);
    }
}

/// `LOCAL_CLOUD_INSTANCE`, passed on when set: it marks every process of one local cloud run,
/// so that the test harness can tell that none outlives the run.
fn run_marker() -> Option<(&'static str, String)> {
    std::env::var("LOCAL_CLOUD_INSTANCE").ok().map(|marker| ("LOCAL_CLOUD_INSTANCE", marker))
}

/// How the process ended, in Lambda's words (`exit status 1`, `signal 9`).
fn describe(status: std::io::Result<ExitStatus>) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status.map(|status| (status.code(), status.signal())) {
        Ok((Some(code), _)) => format!("exit status {code}"),
        Ok((None, Some(signal))) => format!("signal {signal}"),
        Ok((None, None)) => "an unknown status".to_owned(),
        Err(error) => format!("an unknown status ({error})"),
    }
}

enum Output {
    Stdout,
    Stderr,
}

/// Copies the function's output to the local cloud's, `name | ` before every line.
async fn pass_through(name: String, stream: impl AsyncRead + Unpin, output: Output) {
    let mut lines = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        match lines.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                let text = text.trim_end_matches(['\n', '\r']);
                match output {
                    Output::Stdout => println!("{name} | {text}"),
                    Output::Stderr => eprintln!("{name} | {text}"),
                }
            }
        }
    }
}
