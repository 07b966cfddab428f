//! Section 3: DynamoDB round trips per route. `tests/tests/matrix.rs` counts them with the SDK
//! interceptor (`OperationRecorder`) for every route and allowed caller, and fails unless the most
//! it saw equals the README's round-trip table; the bench reads that table, so the figures are
//! the interceptor's without measuring them a second time. (The overhead section counts the
//! calls of its routes again, from its own captures.)

use std::collections::BTreeMap;

use super::Row;
use crate::repo_root;

const SECTION: &str = "round-trips";
const MAX_CALLS: usize = 2;

/// One route of the README's round-trip table.
#[derive(Debug, Clone)]
pub struct Documented {
    pub calls: usize,
    /// Why more than 2 (empty when the route needs no more).
    pub why: String,
}

/// The README's round-trip table (section "Round trips per request"): route → calls and why.
pub fn documented_round_trips() -> BTreeMap<String, Documented> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md reads");
    let section = readme.split("\n### Round trips per request").nth(1).expect("the README has a round-trip table");
    let section = section.split("\n#").next().unwrap_or_default();
    section
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let calls = cells[2].parse().unwrap_or_else(|_| panic!("not a number of calls: {line}"));
            (cells[1].trim_matches('`').to_owned(), Documented { calls, why: cells[3].to_owned() })
        })
        .collect()
}

pub async fn rows() -> Vec<Row> {
    documented_round_trips()
        .into_iter()
        .map(|(route, documented)| {
            let explained = documented.calls <= MAX_CALLS || !documented.why.is_empty();
            Row::new(SECTION, route)
                .figure("DynamoDB calls", documented.calls as f64, "calls")
                .goal(format!("≤ {MAX_CALLS}, or the README says why"), explained)
        })
        .collect()
}
