//! The whole local cloud (`local-cloud dev`, as `make dev` runs it) started as a built binary on
//! free ports with DynamoDB in memory, for end-to-end tests over HTTP. Stopping it is SIGTERM,
//! as for a developer; should the test binary die first, the local cloud gets SIGTERM too.

use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::local_services::free_port;
use crate::repo_root;
use local_cloud::lambda::function_spec::binaries_folder;
use local_cloud::processes::die_with_parent;

/// Every function's first start (and a build, should one be needed) happens before ready.
const READY_TIMEOUT: Duration = Duration::from_secs(600);
/// Starts on new ports when one was taken meanwhile (see `start_exactly`).
const PORT_ATTEMPTS: usize = 3;
/// What the local cloud says when a port it was given is taken.
const PORT_TAKEN: &str = "is not available";

/// Whether the local cloud stopped because one of its twins ended while it started.
fn twin_stopped(log: &str) -> bool {
    ["DynamoDB Local stopped (", "aws-ses-v2-local stopped (", "dynamodb-admin stopped ("]
        .iter()
        .any(|said| log.contains(said))
}

pub struct RunningCloud {
    child: Option<Child>,
    pub api: String,
    pub ses: String,
    /// The cloud's DynamoDB Local.
    pub dynamodb: String,
    /// The web page (`web/dist`), which is also the template's PortalBaseUrl for this run.
    pub portal: String,
    /// The local Lambda's invoke API.
    pub lambda: String,
    /// Marks every process of this run (`LOCAL_CLOUD_INSTANCE` in its environment).
    instance: String,
    log: PathBuf,
}

/// Builds the local cloud and the named binaries (debug, the workspace's target folder; cargo has
/// released its lock while tests run) and returns the folder they are in.
pub fn built_binaries(binaries: &[&str]) -> PathBuf {
    let mut build = Command::new(env!("CARGO"));
    build.current_dir(repo_root()).args(["build", "--quiet", "--locked"]);
    for binary in binaries {
        build.args(["--bin", binary]);
    }
    assert!(build.status().expect("cargo runs").success(), "the binaries build");
    binaries_folder()
}

impl RunningCloud {
    /// Starts `local-cloud dev` and waits until `/_local/health` says every function answers.
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// Like [`RunningCloud::start`], with more variables for `local-cloud` (such as
    /// `LOCAL_PARAMETER_<Name>`, a template parameter's value for this run). The web page is
    /// served as `web/dist` holds it, not built: the tests over HTTP do not open it.
    pub async fn start_with(variables: &[(&str, &str)]) -> Self {
        let mut variables = variables.to_vec();
        variables.insert(0, ("LOCAL_BUILD_PAGE", "0"));
        Self::start_exactly(&variables).await
    }

    /// Exactly as `make dev` starts it: the web page built first and rebuilt on change.
    pub async fn start_with_page() -> Self {
        let cloud = Self::start_exactly(&[]).await;
        // Ready means the page is built: a fresh clone has no web/dist before this start's build.
        let page = reqwest::get(&cloud.portal).await.expect("the portal answers");
        assert_eq!(
            page.status(),
            200,
            "the portal's page, once the cloud is ready: {}",
            page.text().await.unwrap_or_default()
        );
        cloud
    }

    async fn start_exactly(variables: &[(&str, &str)]) -> Self {
        let mut binaries: Vec<String> = crate::template::functions().into_iter().map(|f| f.binary).collect();
        binaries.push("local-cloud".into());
        let folder = built_binaries(&binaries.iter().map(String::as_str).collect::<Vec<_>>());
        for attempt in 1..=PORT_ATTEMPTS {
            match Self::start_once(&folder, variables).await {
                Ok(cloud) => return cloud,
                // Another process bound a port between `free_port()` releasing it and the local
                // cloud binding it (tests start clouds in parallel): new ports, another start.
                // A twin (DynamoDB Local, the SES emulator) that ends at start could not bind its port.
                Err(log) if attempt < PORT_ATTEMPTS && (log.contains(PORT_TAKEN) || twin_stopped(&log)) => continue,
                Err(log) => panic!("the local cloud did not become ready; its log:\n{log}"),
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    /// One start of the built `local-cloud` in `folder` (see [`built_binaries`]), the page not
    /// built: the cloud once ready, else the end of its log.
    pub async fn start_once(folder: &std::path::Path, variables: &[(&str, &str)]) -> Result<Self, String> {
        let mut cloud = Self::spawn(folder, variables);
        cloud.wait_until_ready().await.map(|()| cloud)
    }

    fn spawn(folder: &std::path::Path, variables: &[(&str, &str)]) -> Self {
        let instance = uuid::Uuid::now_v7().to_string();
        let data_dir = std::env::temp_dir().join(format!("local-cloud-{instance}"));
        std::fs::create_dir_all(&data_dir).expect("a data folder");
        let log = data_dir.join("local-cloud.log");
        let ports: Vec<(&str, u16)> = [
            "LOCAL_GATEWAY_PORT",
            "LOCAL_DYNAMODB_PORT",
            "LOCAL_ADMIN_PORT",
            "LOCAL_SES_PORT",
            "LOCAL_BUS_PORT",
            "LOCAL_SECRETS_PORT",
            "LOCAL_LAMBDA_PORT",
            "LOCAL_PORTAL_PORT",
        ]
        .into_iter()
        .map(|name| (name, free_port()))
        .collect();
        let port = |name: &str| ports.iter().find(|(n, _)| *n == name).expect("a port").1;
        let mut command = Command::new(folder.join("local-cloud"));
        command
            .arg("dev")
            .current_dir(repo_root())
            .envs(ports.iter().map(|(name, port)| (*name, port.to_string())))
            .env("LOCAL_IN_MEMORY", "1")
            .env("LOCAL_DATA_DIR", &data_dir)
            .env("LOCAL_CLOUD_INSTANCE", &instance)
            .envs(variables.iter().copied())
            .stdin(Stdio::null())
            // Both appending, so that neither overwrites what the other wrote.
            .stdout(std::fs::File::options().create(true).append(true).open(&log).expect("a log file"))
            .stderr(std::fs::File::options().append(true).open(&log).expect("the log file"));
        die_with_parent(&mut command, libc::SIGTERM);
        let child = command.spawn().expect("local-cloud starts");
        Self {
            child: Some(child),
            api: format!("http://127.0.0.1:{}", port("LOCAL_GATEWAY_PORT")),
            ses: format!("http://127.0.0.1:{}", port("LOCAL_SES_PORT")),
            dynamodb: format!("http://127.0.0.1:{}", port("LOCAL_DYNAMODB_PORT")),
            portal: format!("http://127.0.0.1:{}", port("LOCAL_PORTAL_PORT")),
            lambda: format!("http://127.0.0.1:{}", port("LOCAL_LAMBDA_PORT")),
            instance,
            log,
        }
    }

    /// Ok once `/_local/health` answers; else the log's tail, once the cloud exited or timed out.
    async fn wait_until_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + READY_TIMEOUT;
        let client = reqwest::Client::new();
        loop {
            let health = client.get(format!("{}/_local/health", self.api)).send().await;
            if health.is_ok_and(|response| response.status() == 200) {
                return Ok(());
            }
            let exited = self.child.as_mut().and_then(|child| child.try_wait().ok().flatten());
            if exited.is_some() || Instant::now() > deadline {
                return Err(format!("(exit: {exited:?})\n{}", self.log_tail()));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// The local issuer's signing key (PKCS#8), which this run's tokens are signed with.
    pub fn issuer_key_file(&self) -> PathBuf {
        self.log.with_file_name("issuer-key.pk8")
    }

    /// Everything the local cloud and its functions printed so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn log_tail(&self) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(60)..].join("\n")
    }

    /// A token from the local issuer (`POST /_local/tokens`).
    pub async fn token(&self, claims: Value) -> String {
        let response = reqwest::Client::new()
            .post(format!("{}/_local/tokens", self.api))
            .json(&claims)
            .send()
            .await
            .expect("the gateway answers");
        assert_eq!(response.status(), 200, "token for {claims}");
        let body: Value = response.json().await.expect("a JSON body");
        body["token"].as_str().expect("a token").to_owned()
    }

    /// Mails in the SES emulator's store.
    pub async fn mails(&self) -> Vec<Value> {
        let store: Value = reqwest::get(format!("{}/store", self.ses)).await.expect("the store").json().await.unwrap();
        store["emails"].as_array().cloned().unwrap_or_default()
    }

    /// SIGTERM, then waits for the local cloud to exit (at most 60 s).
    pub fn stop(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        // SAFETY: kill has no memory effects.
        unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        child.wait().ok()
    }

    /// Processes of this run still alive (their command lines), found by the instance marker.
    pub fn leftover_processes(&self) -> Vec<String> {
        let marker = format!("LOCAL_CLOUD_INSTANCE={}", self.instance);
        let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
        entries
            .filter_map(Result::ok)
            .filter(|entry| entry.file_name().to_string_lossy().chars().all(|c| c.is_ascii_digit()))
            .filter(|entry| {
                let environ = std::fs::read(entry.path().join("environ")).unwrap_or_default();
                environ.split(|byte| *byte == 0).any(|variable| variable == marker.as_bytes())
            })
            .filter(|entry| {
                // Zombies have already exited; only their parent has not collected them yet.
                let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
                !status.lines().any(|line| line.starts_with("State:") && line.contains('Z'))
            })
            .map(|entry| {
                let command = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
                String::from_utf8_lossy(&command).replace('\0', " ")
            })
            .collect()
    }
}

impl Drop for RunningCloud {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Claims for `POST /_local/tokens`.
pub fn claims(sub: &str, email: &str, groups: &[&str], partner_id: Option<&str>) -> Value {
    json!({ "sub": sub, "email": email, "name": sub, "groups": groups, "partner_id": partner_id })
}
