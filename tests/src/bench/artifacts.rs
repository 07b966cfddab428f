//! Section 6 and 7: the deployable artifacts and the time `make build` takes to make them.
//!
//! Full run: `make build` once to bring `.aws-sam/build` up to date (untimed), then the warm figure:
//! one function's source is touched (a new modification time, as an edit gives it, so cargo
//! rebuilds that crate) and `make build` is timed, wall and CPU (user + sys of everything it ran).
//! The cold figure takes minutes, so `make bench-build` measures it apart (a fresh cargo target
//! folder, `infra/bench_build.py`) into `target/bench/build-cold.json`, shown here when present.
//! Then every function's `bootstrap` in `.aws-sam/build`, zipped as `sam deploy` zips it
//! (`infra/artifact_sizes.py`), against the goal of 5 MB.
//!
//! Smoke run: no build; the zipped size of two of the debug binaries, so that the reading and
//! zipping cannot rot.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

use serde::Deserialize;

use super::{Row, Sizes};
use crate::repo_root;
use crate::template::functions;

const SECTION: &str = "artifacts";
/// Issue 13: every function at most 5 MB zipped (MB = 10^6 bytes here).
const MAX_ZIPPED_MB: f64 = 5.0;
/// Issue 13: `make build` after a one-function change within 2 minutes, a cold one within 10.
const MAX_WARM_SECONDS: f64 = 120.0;
const MAX_COLD_SECONDS: f64 = 600.0;
/// The function whose source the warm build touches.
const CHANGED_FUNCTION: &str = "get-customer";
/// The smoke run zips this many debug binaries (each tens of MB: all of them would take minutes).
const SMOKE_FUNCTIONS: usize = 2;

#[derive(Deserialize)]
struct Size {
    bytes: u64,
    zipped_bytes: u64,
    position_independent: bool,
}

#[derive(Deserialize)]
struct ColdBuild {
    measured_at: String,
    wall_seconds: f64,
    cpu_seconds: f64,
    load_average_before: Vec<f64>,
}

pub async fn rows(sizes: &Sizes) -> Vec<Row> {
    tokio::task::block_in_place(|| if sizes.build_artifacts { full() } else { smoke(&sizes.binaries) })
}

fn full() -> Vec<Row> {
    let root = repo_root();
    run_make_build(&root);
    let changed = root.join("functions").join(CHANGED_FUNCTION).join("src/main.rs");
    std::fs::File::options()
        .append(true)
        .open(&changed)
        .and_then(|file| file.set_modified(SystemTime::now()))
        .unwrap_or_else(|error| panic!("cannot touch {}: {error}", changed.display()));
    let load = load_average();
    let (wall, cpu) = run_make_build(&root);
    let mut rows = vec![
        Row::new(SECTION, format!("make build after a change to {CHANGED_FUNCTION}"))
            .figure("wall", wall.as_secs_f64(), "s")
            .figure("cpu", cpu.as_secs_f64(), "s")
            .figure("load before", load, "")
            .at_most("≤ 120 s", wall.as_secs_f64(), MAX_WARM_SECONDS),
    ];
    let cold_file = root.join("target/bench/build-cold.json");
    rows.push(match std::fs::read_to_string(&cold_file) {
        Ok(text) => {
            let cold: ColdBuild =
                serde_json::from_str(&text).expect("build-cold.json as infra/bench_build.py writes it");
            Row::new(SECTION, format!("make build, cold (make bench-build, {})", cold.measured_at))
                .figure("wall", cold.wall_seconds, "s")
                .figure("cpu", cold.cpu_seconds, "s")
                .figure("load before", cold.load_average_before.first().copied().unwrap_or(f64::NAN), "")
                .at_most("≤ 600 s", cold.wall_seconds, MAX_COLD_SECONDS)
        }
        // Shown as missing rather than left out, so the table says what it lacks.
        Err(_) => Row::new(SECTION, "make build, cold: not measured, run `make bench-build`"),
    });
    // `sam build` writes each function's artifact into a folder named by its logical id.
    let build = root.join(".aws-sam/build");
    let bootstraps: Vec<(String, PathBuf)> = functions()
        .into_iter()
        .map(|function| (function.binary, build.join(&function.logical_id).join("bootstrap")))
        .collect();
    for ((binary, _), size) in bootstraps.iter().zip(zipped_sizes(&bootstraps)) {
        let zipped = megabytes(size.zipped_bytes);
        rows.push(
            Row::new(SECTION, format!("{binary} (arm64, {}, zipped as deployed)", linking(&size)))
                .figure("bootstrap", megabytes(size.bytes), "MB")
                .figure("zipped", zipped, "MB")
                .at_most("≤ 5 MB zipped", zipped, MAX_ZIPPED_MB),
        );
    }
    rows
}

fn smoke(binaries: &Path) -> Vec<Row> {
    let files: Vec<(String, PathBuf)> = functions()
        .into_iter()
        .take(SMOKE_FUNCTIONS)
        .map(|function| (function.binary.clone(), binaries.join(&function.binary)))
        .collect();
    files
        .iter()
        .zip(zipped_sizes(&files))
        .map(|((binary, _), size)| {
            Row::new(SECTION, format!("{binary} (this machine's debug binary, {}, zipped)", linking(&size)))
                .figure("binary", megabytes(size.bytes), "MB")
                .figure("zipped", megabytes(size.zipped_bytes), "MB")
        })
        .collect()
}

/// `make build` in the repository, with its wall time and the CPU time of everything it ran.
fn run_make_build(root: &Path) -> (Duration, Duration) {
    let cpu_before = children_cpu();
    let started = Instant::now();
    let status =
        Command::new("make").args(["--no-print-directory", "build"]).current_dir(root).status().expect("make runs");
    assert!(status.success(), "make build failed");
    (started.elapsed(), children_cpu().saturating_sub(cpu_before))
}

/// User + system time of the children this process waited for so far (and of theirs).
fn children_cpu() -> Duration {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage only writes the struct it is given.
    assert_eq!(unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) }, 0);
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// The 1-minute load average: how busy the machine was beside the build.
fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

fn zipped_sizes(files: &[(String, PathBuf)]) -> Vec<Size> {
    let output = Command::new("python3")
        .arg(repo_root().join("infra/artifact_sizes.py"))
        .args(files.iter().map(|(_, path)| path))
        .output()
        .expect("python3 runs infra/artifact_sizes.py");
    assert!(output.status.success(), "artifact_sizes.py: {}", String::from_utf8_lossy(&output.stderr));
    let sizes: Vec<Size> = serde_json::from_slice(&output.stdout).expect("artifact_sizes.py prints JSON");
    assert_eq!(sizes.len(), files.len());
    sizes
}

/// Whether the loader relocates the binary at every start (see `LAMBDA_RUSTFLAGS` in the Makefile).
fn linking(size: &Size) -> &'static str {
    if size.position_independent { "position-independent" } else { "not position-independent" }
}

fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}
