//! The benchmarks of `make bench` (`tests/src/bench`) at tiny sizes, with the debug binaries the
//! other tests build too: every section must run through and produce rows with numbers, so that
//! the benchmark cannot rot between its runs. No timing is asserted: performance goals are met in
//! `make bench`, which prints the figures, never in a test.

use meshcustomers_tests::bench::{self, SECTIONS, Sizes, cold_start};
use meshcustomers_tests::running_cloud::built_binaries;
use meshcustomers_tests::template::functions;

#[tokio::test(flavor = "multi_thread")]
async fn every_benchmark_section_runs_at_tiny_sizes_and_produces_figures() {
    let mut binaries: Vec<String> = functions().into_iter().map(|function| function.binary).collect();
    binaries.push(cold_start::FLOOR.to_owned());
    let folder = built_binaries(&binaries.iter().map(String::as_str).collect::<Vec<_>>());
    let mut sizes = Sizes::smoke(folder);
    sizes.bench_binary = Some(env!("CARGO_BIN_EXE_bench").into());
    let report = bench::run(&sizes, &[]).await;
    let problems = report.malformed(SECTIONS);
    assert!(problems.is_empty(), "the benchmark's report is incomplete:\n{}\n{}", problems.join("\n"), report.table());
    let cold_starts = report.rows.iter().filter(|row| row.section == "cold-start").count();
    assert_eq!(cold_starts, functions().len() + 1, "a cold-start row for every function and the floor");
    let floor = report.rows.iter().find(|row| row.section == "cold-answer" && row.subject.contains(cold_start::FLOOR));
    assert!(floor.is_some(), "the cold answers have their floor:\n{}", report.table());
    let profile =
        report.rows.iter().find(|row| row.section == "cold-answer" && row.subject.starts_with("first request"));
    assert!(profile.is_some(), "the first request is profiled:\n{}", report.table());
    for function in functions() {
        let row = report.rows.iter().find(|row| row.section == "cold-answer" && row.subject == function.binary);
        let figures: Vec<&str> =
            row.map(|row| row.figures.iter().map(|figure| figure.name.as_str()).collect()).unwrap_or_default();
        let answered = ["cold answer", "first invocation", "warm", "its round trips", "floor", "own floor"]
            .iter()
            .all(|name| figures.contains(name));
        assert!(answered, "{}: no cold and warm answer, only {figures:?}", function.binary);
    }
    // The services' proxies saw get-customer's reads, and nothing of list-platforms (no AWS call).
    let round_trips = |function: &str| {
        let row = report.rows.iter().find(|row| row.section == "cold-answer" && row.subject == function);
        row.and_then(|row| row.figures.iter().find(|figure| figure.name == "its round trips"))
            .map(|figure| figure.value)
    };
    assert!(round_trips("get-customer").is_some_and(|ms| ms > 0.0), "{}", report.table());
    assert_eq!(round_trips("list-platforms"), Some(0.0), "{}", report.table());
    let runs: Vec<_> = report.rows.iter().filter(|row| row.section == "arm64-run").collect();
    assert!(!runs.is_empty() && runs.iter().all(|row| row.pass == Some(true)), "{}", report.table());
    let folder = std::env::temp_dir().join(format!("bench-smoke-{}", uuid::Uuid::now_v7()));
    let written = report.write_json(&folder).expect("the report is written");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(written).unwrap()).unwrap();
    assert_eq!(json["rows"].as_array().map(Vec::len), Some(report.rows.len()));
    std::fs::remove_dir_all(folder).unwrap();
}
