//! The benchmark's one table: rows of figures against their goals, printed for a reader and
//! written as JSON with the machine they were measured on.

use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::Sizes;

/// One measured subject of a section.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub section: String,
    pub subject: String,
    pub figures: Vec<Figure>,
    /// What the issue asks, in words (`≤ 1.5× the floor`); empty when the row only informs.
    pub goal: String,
    /// Whether the row meets its goal; `None` when it has none.
    pub pass: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub name: String,
    pub value: f64,
    /// `ms`, `×`, `calls`, `s`, `items`, …
    pub unit: String,
}

impl Row {
    pub fn new(section: &str, subject: impl Into<String>) -> Self {
        Self {
            section: section.to_owned(),
            subject: subject.into(),
            figures: Vec::new(),
            goal: String::new(),
            pass: None,
        }
    }

    pub fn figure(mut self, name: &str, value: f64, unit: &str) -> Self {
        self.figures.push(Figure { name: name.to_owned(), value, unit: unit.to_owned() });
        self
    }

    /// The goal, and whether `value` meets it (`value ≤ limit`).
    pub fn at_most(mut self, goal: impl Into<String>, value: f64, limit: f64) -> Self {
        self.goal = goal.into();
        self.pass = Some(value <= limit);
        self
    }

    pub fn goal(mut self, goal: impl Into<String>, pass: bool) -> Self {
        self.goal = goal.into();
        self.pass = Some(pass);
        self
    }

    fn figures_text(&self) -> String {
        self.figures
            .iter()
            .map(|figure| {
                let value = match figure.unit.as_str() {
                    "calls" | "items" | "writes" => format!("{}", figure.value),
                    _ if figure.value.abs() >= 100.0 => format!("{:.0}", figure.value),
                    _ if figure.value.abs() >= 10.0 => format!("{:.1}", figure.value),
                    _ => format!("{:.2}", figure.value),
                };
                let unit = match figure.unit.as_str() {
                    "×" => "×".to_owned(),
                    unit => format!(" {unit}"),
                };
                format!("{} {value}{unit}", figure.name)
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn verdict(&self) -> &'static str {
        match self.pass {
            Some(true) => "pass",
            Some(false) => "FAIL",
            None => "",
        }
    }
}

/// Where the figures were measured.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub os: String,
    pub kernel: String,
}

impl Machine {
    pub fn this_one() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name")?.split_once(':').map(|(_, name)| name.trim().to_owned()))
            .unwrap_or_else(|| "unknown".to_owned());
        let os_release = std::fs::read_to_string("/etc/os-release").unwrap_or_default();
        let os = os_release
            .lines()
            .find_map(|line| line.strip_prefix("PRETTY_NAME=").map(|name| name.trim_matches('"').to_owned()))
            .unwrap_or_else(|| std::env::consts::OS.to_owned());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_owned();
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self { cpu, cores, os, kernel }
    }

    pub fn describe(&self) -> String {
        format!("{}, {} cores, {} (Linux {})", self.cpu, self.cores, self.os, self.kernel)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub machine: Machine,
    /// RFC 3339, UTC.
    pub measured_at: String,
    /// Profile of the function binaries the cold starts ran.
    pub profile: String,
    pub rows: Vec<Row>,
}

impl Report {
    pub fn new(sizes: &Sizes) -> Self {
        Self {
            machine: Machine::this_one(),
            measured_at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            profile: sizes.profile.to_owned(),
            rows: Vec::new(),
        }
    }

    /// The table as Markdown, so that the README can show it as printed.
    pub fn table(&self) -> String {
        let mut table = String::from("| Section | Subject | Figures | Goal | Result |\n|---|---|---|---|---|\n");
        for row in &self.rows {
            let _ = writeln!(
                table,
                "| {} | {} | {} | {} | {} |",
                row.section,
                row.subject,
                row.figures_text(),
                row.goal,
                row.verdict()
            );
        }
        let _ = writeln!(table, "\nMeasured {} on {}.", self.measured_at, self.machine.describe());
        table
    }

    /// Writes the report as `<folder>/bench-<time>.json` and `<folder>/latest.json`.
    pub fn write_json(&self, folder: &Path) -> std::io::Result<PathBuf> {
        std::fs::create_dir_all(folder)?;
        let json = serde_json::to_string_pretty(self).map_err(std::io::Error::other)?;
        let stamp = self.measured_at.replace(':', "-");
        let path = folder.join(format!("bench-{stamp}.json"));
        std::fs::write(&path, &json)?;
        std::fs::write(folder.join("latest.json"), &json)?;
        Ok(path)
    }

    /// The sections that produced no row, or a row without a figure or with a figure that is not
    /// a finite number: what the smoke run checks.
    pub fn malformed(&self, sections: &[&str]) -> Vec<String> {
        let mut problems: Vec<String> = sections
            .iter()
            .filter(|section| !self.rows.iter().any(|row| row.section == **section))
            .map(|section| format!("section {section} produced no row"))
            .collect();
        for row in &self.rows {
            if row.figures.is_empty() {
                problems.push(format!("{} / {}: no figure", row.section, row.subject));
            }
            for figure in row.figures.iter().filter(|figure| !figure.value.is_finite()) {
                problems.push(format!("{} / {}: {} is {}", row.section, row.subject, figure.name, figure.value));
            }
        }
        problems
    }
}
