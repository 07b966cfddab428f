//! The benchmarks of issue 13 (`make bench`): each section is one module whose `rows` function
//! measures and returns rows of one table. `make bench` runs them at full size with release
//! binaries (`tests/src/bin/bench.rs`); `tests/tests/bench_smoke.rs` runs them at tiny sizes with
//! the debug binaries the tests build anyway, and checks only that every section produced rows
//! with numbers: timings are never asserted.

pub mod arm64_run;
pub mod artifacts;
pub mod authorizer;
pub mod cold_answer;
pub mod cold_start;
pub mod cost;
pub mod event;
pub mod first_request;
pub mod invocations;
pub mod overhead;
pub mod pipeline;
pub mod portal;
pub mod replay;
pub mod report;
pub mod round_trips;
pub mod scale;
pub mod seeding;
pub mod service_time;
pub mod stats;

use std::path::PathBuf;

pub use report::{Report, Row};

/// How much each section measures, and with which binaries.
#[derive(Debug, Clone)]
pub struct Sizes {
    /// Where the function binaries and the floor are (`target/release` for the benchmark).
    pub binaries: PathBuf,
    /// `release` or `debug`: printed with the cold starts, since it decides them.
    pub profile: &'static str,
    /// Starts of each function's binary (and of the floor), interleaved.
    pub cold_starts: usize,
    /// The functions whose cold start and cold answer are measured (all of the template's when empty).
    pub cold_start_functions: Vec<String>,
    /// Timed rounds of cold answers (each function started once per round), after an untimed one.
    pub cold_answers: usize,
    /// Raw reads that warm DynamoDB Local up before the cold answers.
    pub cold_answer_warm_up: usize,
    /// Warm answers per function whose requests' round trips are timed at the services, for
    /// each function's own floor (`service_time`).
    pub service_time_samples: usize,
    /// The bench binary, started again as the first request's probe (`first_request`); no
    /// profile of the first request without it.
    pub bench_binary: Option<PathBuf>,
    /// Handler calls (and as many raw SDK replays) per route.
    /// Untimed handler/replay pairs before the timed ones (DynamoDB Local's JIT warms up).
    pub overhead_warm_up: usize,
    pub overhead_iterations: usize,
    /// Customers of the small and of the large partner.
    pub partner_customers: (usize, usize),
    /// History entries of the small and of the large customer.
    pub history_entries: (usize, usize),
    /// Customers of the user with few and of the user with many.
    pub user_customers: (usize, usize),
    /// First-page requests per size.
    pub first_page_requests: usize,
    /// Writes whose way through the pipeline is timed.
    pub pipeline_writes: usize,
    /// Cold and warm navigations of the portal's first screen, each in a fresh browser.
    pub portal_runs: usize,
    /// Whether the artifact section runs `make build` (minutes) and measures `.aws-sam/build`, and
    /// arm64-run starts those bootstraps under qemu; else they only zip and run two of `binaries`.
    pub build_artifacts: bool,
}

impl Sizes {
    /// Issue 13's sizes.
    pub fn full(binaries: PathBuf) -> Self {
        Self {
            profile: profile_of(&binaries),
            binaries,
            cold_starts: 20,
            cold_start_functions: Vec::new(),
            cold_answers: 10,
            cold_answer_warm_up: 1000,
            service_time_samples: 10,
            bench_binary: None,
            overhead_warm_up: 300,
            overhead_iterations: 300,
            partner_customers: (100, 100_000),
            history_entries: (100, 100_000),
            user_customers: (1, 500),
            first_page_requests: 100,
            pipeline_writes: 100,
            portal_runs: 5,
            build_artifacts: true,
        }
    }

    /// Just enough of everything for each section to run through: the smoke run of `make test`.
    pub fn smoke(binaries: PathBuf) -> Self {
        Self {
            profile: profile_of(&binaries),
            binaries,
            cold_starts: 1,
            cold_start_functions: Vec::new(),
            cold_answers: 1,
            cold_answer_warm_up: 1,
            service_time_samples: 1,
            bench_binary: None,
            overhead_warm_up: 1,
            overhead_iterations: 3,
            partner_customers: (10, 20),
            history_entries: (10, 20),
            user_customers: (1, 3),
            first_page_requests: 3,
            pipeline_writes: 3,
            portal_runs: 1,
            build_artifacts: false,
        }
    }
}

/// `debug` for binaries in cargo's debug folder, else `release`: what the table says it measured.
fn profile_of(binaries: &std::path::Path) -> &'static str {
    if binaries.ends_with("debug") { "debug" } else { "release" }
}

/// The sections, in the table's order: a name (for `--only`) and the function that measures it.
/// A section is one module with `async fn rows(&Sizes) -> Vec<Row>`; add a new one here.
/// `arm64-run` follows `artifacts`, which builds what it runs.
pub const SECTIONS: &[&str] = &[
    "cold-start",
    "cold-answer",
    "cost",
    "overhead",
    "authorizer",
    "round-trips",
    "scale",
    "pipeline",
    "portal",
    "artifacts",
    "arm64-run",
];

/// `earlier`: the rows of the sections run before in this run (the cost section prices the
/// cold-answer section's durations).
async fn section_rows(name: &str, sizes: &Sizes, earlier: &[Row]) -> Vec<Row> {
    match name {
        "cold-start" => cold_start::rows(sizes).await,
        "cold-answer" => cold_answer::rows(sizes).await,
        "cost" => cost::rows(sizes, earlier).await,
        "overhead" => overhead::rows(sizes).await,
        "authorizer" => authorizer::rows(sizes).await,
        "round-trips" => round_trips::rows().await,
        "scale" => scale::rows(sizes).await,
        "pipeline" => pipeline::rows(sizes).await,
        "portal" => portal::rows(sizes).await,
        "artifacts" => artifacts::rows(sizes).await,
        "arm64-run" => arm64_run::rows(sizes).await,
        other => panic!("no benchmark section {other}; there are {SECTIONS:?}"),
    }
}

/// The sections named in `only` (all when empty), in the table's order. A section that fails
/// stops the run: a benchmark that cannot measure must not print a table that looks complete.
pub async fn run(sizes: &Sizes, only: &[String]) -> Report {
    let mut report = Report::new(sizes);
    if let Some(unknown) = only.iter().find(|name| !SECTIONS.contains(&name.as_str())) {
        panic!("no benchmark section {unknown}; there are {SECTIONS:?}");
    }
    for name in SECTIONS.iter().filter(|name| only.is_empty() || only.iter().any(|o| o == *name)) {
        eprintln!("bench: {name}…");
        let started = std::time::Instant::now();
        let rows = section_rows(name, sizes, &report.rows).await;
        eprintln!("bench: {name} took {:.1} s", started.elapsed().as_secs_f64());
        report.rows.extend(rows);
    }
    report
}
