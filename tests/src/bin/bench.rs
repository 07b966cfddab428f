//! `make bench`: every benchmark of issue 13 at full size, one table printed (Markdown) and
//! written as JSON under `target/bench/`.
//!
//! Usage: `bench [--binaries DIR] [--only SECTION]... [--function NAME]... [--out DIR]`
//! - `--binaries`: the release binaries of the functions and of `lambda-floor`
//!   (default: `$CARGO_TARGET_DIR/release`, else `target/release`).
//! - `--only`: run only these sections (`cold-start`, …; see `bench::SECTIONS`).
//! - `--function`: measure the cold start of only these functions (and the floor), and run only
//!   their arm64 bootstraps (`arm64-run`), e.g. while only some are built.
//! - `--out`: where the JSON goes (default: `target/bench`, ignored by git).

use std::path::PathBuf;

use meshcustomers_tests::bench::{self, Sizes, first_request};
use meshcustomers_tests::repo_root;

fn main() {
    if std::env::args().nth(1).as_deref() == Some(first_request::PROBE_ARGUMENT) {
        first_request::probe();
    }
    let mut binaries = None;
    let mut only = Vec::new();
    let mut functions = Vec::new();
    let mut out = repo_root().join("target/bench");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage(&format!("{arg} needs a value")));
        match arg.as_str() {
            "--binaries" => binaries = Some(PathBuf::from(value())),
            "--only" => only.push(value()),
            "--function" => functions.push(value()),
            "--out" => out = PathBuf::from(value()),
            other => usage(&format!("unknown argument {other}")),
        }
    }
    let binaries = binaries.unwrap_or_else(|| {
        let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| repo_root().join("target"), PathBuf::from);
        target.join("release")
    });
    let mut sizes = Sizes::full(binaries);
    sizes.cold_start_functions = functions;
    sizes.bench_binary = std::env::current_exe().ok();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a Tokio runtime");
    let report = runtime.block_on(bench::run(&sizes, &only));
    println!("{}", report.table());
    match report.write_json(&out) {
        Ok(path) => eprintln!("bench: written to {}", path.display()),
        Err(error) => {
            eprintln!("bench: could not write the report to {}: {error}", out.display());
            std::process::exit(1);
        }
    }
}

fn usage(problem: &str) -> ! {
    eprintln!("bench: {problem}\nusage: bench [--binaries DIR] [--only SECTION]... [--function NAME]... [--out DIR]");
    std::process::exit(2)
}
