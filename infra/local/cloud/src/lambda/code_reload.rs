//! Code changes go live: notify watches the workspace's sources (`shared/`, `functions/`,
//! `examples/`, the root `Cargo.toml` and `Cargo.lock`) and, once the changes settle, cargo builds the function
//! binaries, one build at a time. [`BuildState`] tells the functions: invocations wait while a
//! build runs, and afterwards each function whose binary changed starts a new instance. A failed
//! build changes no binary, so the running instances keep the old code; its errors are printed.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::event::{AccessKind, AccessMode, EventKind};
use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, RecommendedCache, new_debouncer};
use tokio::sync::{mpsc, watch};

use crate::processes::own_group_dying_with_parent;

/// Whether a build of the functions is running.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BuildState {
    pub building: bool,
}

/// How long the sources must stay unchanged before a build starts: an editor's save of several
/// files, or a `git checkout`, is then one build.
const SETTLE: Duration = Duration::from_millis(300);

/// Watches and rebuilds until dropped.
pub struct CodeReload {
    _watcher: Debouncer<RecommendedWatcher, RecommendedCache>,
    builder: tokio::task::JoinHandle<()>,
}

impl Drop for CodeReload {
    fn drop(&mut self) {
        self.builder.abort();
    }
}

impl CodeReload {
    /// Watches the workspace at `root` and builds `binaries` on a change, telling `state`.
    pub fn start(
        root: &Path,
        binaries: Vec<String>,
        state: watch::Sender<BuildState>,
    ) -> Result<Self, notify_debouncer_full::notify::Error> {
        let (changes, changed) = mpsc::unbounded_channel();
        let sources = Sources { root: root.to_owned() };
        let mut watcher = new_debouncer(SETTLE, None, move |events: DebounceEventResult| match events {
            Ok(events) => {
                let paths: Vec<PathBuf> = events
                    .into_iter()
                    .filter(|event| changes_content(&event.kind))
                    .flat_map(|event| event.event.paths)
                    .filter(|path| sources.contains(path))
                    .collect();
                if !paths.is_empty() {
                    let _ = changes.send(paths);
                }
            }
            Err(errors) => errors.iter().for_each(|error| tracing::warn!(%error, "watching the sources")),
        })?;
        for folder in ["shared", "functions", "examples"] {
            watcher.watch(root.join(folder), RecursiveMode::Recursive)?;
        }
        // The root folder itself, not its files: editors replace a file when they save it.
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        let builder = tokio::spawn(build_on_change(root.to_owned(), binaries, changed, state));
        Ok(Self { _watcher: watcher, builder })
    }
}

/// Whether the event may change what cargo builds: not a mere read (cargo's own reads of the
/// sources would otherwise start the next build).
fn changes_content(kind: &EventKind) -> bool {
    match kind {
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) => true,
        EventKind::Access(access) => *access == AccessKind::Close(AccessMode::Write),
        EventKind::Any | EventKind::Other => false,
    }
}

struct Sources {
    root: PathBuf,
}

impl Sources {
    fn contains(&self, path: &Path) -> bool {
        let Ok(relative) = path.strip_prefix(&self.root) else { return false };
        relative.starts_with("shared")
            || relative.starts_with("functions")
            || relative.starts_with("examples")
            || relative == Path::new("Cargo.toml")
            || relative == Path::new("Cargo.lock")
    }
}

async fn build_on_change(
    root: PathBuf,
    binaries: Vec<String>,
    mut changed: mpsc::UnboundedReceiver<Vec<PathBuf>>,
    state: watch::Sender<BuildState>,
) {
    while let Some(mut paths) = changed.recv().await {
        // Changes that arrived meanwhile are in this build too.
        while let Ok(more) = changed.try_recv() {
            paths.extend(more);
        }
        paths.sort();
        paths.dedup();
        state.send_replace(BuildState { building: true });
        let first = paths[0].strip_prefix(&root).unwrap_or(&paths[0]).display().to_string();
        let others = match paths.len() - 1 {
            0 => String::new(),
            more => format!(" and {more} more"),
        };
        eprintln!("Building the functions: {first}{others} changed…");
        let started = Instant::now();
        match build(&root, &binaries).await {
            Ok(()) => eprintln!("Built in {:.1} s.", started.elapsed().as_secs_f64()),
            Err(failure) => {
                eprintln!("{failure}");
                eprintln!("The build failed; the functions keep running their previous build.");
            }
        }
        state.send_replace(BuildState { building: false });
    }
}

/// `cargo build --locked` of the binaries; on failure, what cargo printed.
async fn build(root: &Path, binaries: &[String]) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = std::process::Command::new(cargo);
    command.current_dir(root).args(["build", "--locked", "--quiet"]);
    if std::io::stderr().is_terminal() {
        command.args(["--color", "always"]);
    }
    for binary in binaries {
        command.args(["--bin", binary]);
    }
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    own_group_dying_with_parent(&mut command);
    let output = tokio::process::Command::from(command)
        .kill_on_drop(true)
        .output()
        .await
        .map_err(|error| format!("cargo did not run: {error}"))?;
    if output.status.success() { Ok(()) } else { Err(String::from_utf8_lossy(&output.stderr).into_owned()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_a_source_is_no_change() {
        use notify_debouncer_full::notify::event::{CreateKind, ModifyKind};
        assert!(changes_content(&EventKind::Modify(ModifyKind::Any)));
        assert!(changes_content(&EventKind::Create(CreateKind::File)));
        assert!(changes_content(&EventKind::Access(AccessKind::Close(AccessMode::Write))));
        assert!(!changes_content(&EventKind::Access(AccessKind::Open(AccessMode::Any))));
        assert!(!changes_content(&EventKind::Access(AccessKind::Close(AccessMode::Read))));
    }

    #[test]
    fn only_the_workspace_sources_count_as_changes() {
        let sources = Sources { root: PathBuf::from("/repo") };
        for changed in ["/repo/shared/src/lib.rs", "/repo/functions/get-customer/src/lib.rs", "/repo/Cargo.lock"] {
            assert!(sources.contains(Path::new(changed)), "{changed}");
        }
        for unrelated in
            ["/repo/README.md", "/repo/target/debug/get-customer", "/repo/infra/template.yaml", "/x/shared"]
        {
            assert!(!sources.contains(Path::new(unrelated)), "{unrelated}");
        }
    }
}
