//! The web page in a real browser: one local cloud, started as `make dev` starts it (the page
//! built by Vite and served on the portal port), and the Node browser suite `web/e2e/*.e2e.mjs`
//! (`node --test`, Playwright's playwright-core driving Debian's chromium, axe-core) against it.
//! The suite gets the addresses as PORTAL_URL, API_URL and SES_URL; its output is shown when it
//! fails. `make deps` installs chromium and `web/node_modules`.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use meshcustomers_tests::repo_root;
use meshcustomers_tests::running_cloud::RunningCloud;

const CHROMIUM: &str = "/usr/bin/chromium";

fn suite_files() -> Vec<PathBuf> {
    let folder = repo_root().join("web/e2e");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap_or_else(|error| panic!("{}: {error}", folder.display()))
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.to_string_lossy().ends_with(".e2e.mjs"))
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread")]
async fn the_page_works_in_chromium_against_the_local_cloud() {
    assert!(std::path::Path::new(CHROMIUM).exists(), "{CHROMIUM} is missing: `make deps` installs Debian's chromium");
    let files = suite_files();
    assert!(!files.is_empty(), "web/e2e has no *.e2e.mjs");
    let mut cloud = RunningCloud::start_with_page().await;
    let started = Instant::now();
    // One file at a time: each starts a browser, and the machine has two cores.
    let output = Command::new("node")
        .current_dir(repo_root())
        .args(["--test", "--test-concurrency=1", "--test-reporter=spec"])
        .args(&files)
        .env("PORTAL_URL", &cloud.portal)
        .env("API_URL", &cloud.api)
        .env("SES_URL", &cloud.ses)
        // Plain text: the report is read in a test log, not a terminal.
        .env("NO_COLOR", "1")
        .output()
        .expect("node runs");
    let report = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(
        output.status.success(),
        "the browser suite failed ({}):\n{report}\nThe local cloud's log ends with:\n{}",
        output.status,
        cloud.log_tail()
    );
    println!("{report}\nThe browser suite took {:.1} s.", started.elapsed().as_secs_f64());
    assert_eq!(cloud.stop().map(|status| status.success()), Some(true), "the local cloud stops cleanly");
}
