//! Section: the portal, as a partner admin's browser meets it (issue 21, "Measured, not hoped").
//! The local cloud as `make dev` runs it, the page built by Vite and served as CloudFront serves
//! it deployed (gzipped, hashed assets immutable: `infra/local/cloud/src/portal.rs`); Pat,
//! partner admin of acme, with [`CUSTOMERS`] customers, more than the list's first page. Then
//! `web/scripts/portal-bench.mjs` drives Debian's chromium: a cold navigation to the customers
//! list and a warm one, the network emulated as "Fast 4G", and what the cold one loaded.

use std::process::Command;

use serde_json::{Value, json};

use super::{Row, Sizes};
use crate::repo_root;
use crate::running_cloud::{RunningCloud, claims};

const SECTION: &str = "portal";
/// More than the list's page of 25, so that the table fills its first page.
const CUSTOMERS: usize = 30;
const CHROMIUM: &str = "/usr/bin/chromium";

pub async fn rows(sizes: &Sizes) -> Vec<Row> {
    assert!(std::path::Path::new(CHROMIUM).exists(), "{CHROMIUM} is missing: `make deps` installs Debian's chromium");
    let cloud = RunningCloud::start_with_page().await;
    seed(&cloud).await;
    let output = Command::new("node")
        .current_dir(repo_root())
        .args(["web/scripts/portal-bench.mjs", "--runs", &sizes.portal_runs.to_string()])
        .env("PORTAL_URL", &cloud.portal)
        .env("API_URL", &cloud.api)
        .env("SES_URL", &cloud.ses)
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "web/scripts/portal-bench.mjs failed ({}):\n{}{}\nThe local cloud's log ends with:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
        cloud.log_tail()
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().rev().find(|line| line.starts_with('{')).expect("the script prints its figures as JSON");
    let figures: Value = serde_json::from_str(line).expect("the script's JSON");
    report(&figures)
}

/// Pat's customers (`POST /customers` as Pat), a few at a time.
async fn seed(cloud: &RunningCloud) {
    let pat = cloud.token(claims("pat", "pat@acme.example", &["partner-admins"], Some("acme"))).await;
    let client = reqwest::Client::new();
    let creates = (0..CUSTOMERS).map(|n| {
        let request = client
            .post(format!("{}/customers", cloud.api))
            .bearer_auth(&pat)
            .json(&json!({"identifier": format!("bench-{n:02}"), "displayName": format!("Bench customer {n}")}));
        async move {
            let response = request.send().await.expect("the gateway answers");
            let status = response.status();
            assert_eq!(status, 201, "customer bench-{n:02}: {}", response.text().await.unwrap_or_default());
        }
    });
    futures::future::join_all(creates).await;
}

fn report(figures: &Value) -> Vec<Row> {
    let number = |path: &[&str]| -> f64 {
        let value = path.iter().fold(figures, |value, key| &value[*key]);
        value.as_f64().unwrap_or_else(|| panic!("portal-bench.mjs gave no number at {path:?}: {figures}"))
    };
    let runs = number(&["runs"]);
    let samples = |key: &str| -> Vec<f64> {
        figures[key].as_array().map(|values| values.iter().filter_map(Value::as_f64).collect()).unwrap_or_default()
    };
    let (cold, warm) = (samples("coldMs"), samples("warmMs"));
    let extreme = |values: &[f64], pick: fn(f64, f64) -> f64| values.iter().copied().reduce(pick).unwrap_or(f64::NAN);
    let (total, cold_median, warm_median) =
        (number(&["firstScreen", "totalGzipKB"]), number(&["coldMedianMs"]), number(&["warmMedianMs"]));
    vec![
        Row::new(SECTION, "first screen (customers list): JavaScript and CSS the browser loaded, gzipped")
            .figure("JS", number(&["firstScreen", "jsGzipKB"]), "KB")
            .figure("CSS", number(&["firstScreen", "cssGzipKB"]), "KB")
            .figure("total", total, "KB")
            .figure("sent (server's gzip)", number(&["firstScreen", "transferredKB"]), "KB")
            .at_most("≤ 400 KB", total, 400.0),
        Row::new(SECTION, "first screen: font files loaded (woff2, apart from the CSS)")
            .figure("fonts", number(&["firstScreen", "fontKB"]), "KB")
            .figure("files", number(&["firstScreen", "fontFiles"]), "items"),
        Row::new(SECTION, "navigation → customers table with 25 rows, cold cache, Fast 4G (9 Mbit/s, 170 ms)")
            .figure("median", cold_median, "ms")
            .figure("min", extreme(&cold, f64::min), "ms")
            .figure("max", extreme(&cold, f64::max), "ms")
            .figure("runs", runs, "items")
            .at_most("≤ 2,500 ms", cold_median, 2500.0),
        Row::new(SECTION, "navigation → customers table with 25 rows, warm cache, Fast 4G")
            .figure("median", warm_median, "ms")
            .figure("min", extreme(&warm, f64::min), "ms")
            .figure("max", extreme(&warm, f64::max), "ms")
            .figure("runs", runs, "items")
            .at_most("≤ 1,000 ms", warm_median, 1000.0),
    ]
}
