//! The local cloud's child processes. Each runs in its own process group, so that stopping it
//! reaches what it started (a package runner's children, cargo's compilers), and gets SIGTERM
//! should the local cloud die without stopping it. The [`Supervisor`] keeps the twins that must
//! run as long as the local cloud; the Lambda twin manages its function instances itself.

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long a stopped group may take before it is killed.
const GRACE: Duration = Duration::from_secs(10);

pub struct Supervisor {
    children: Vec<(String, Child)>,
}

impl Supervisor {
    pub fn new() -> Self {
        Self { children: Vec::new() }
    }

    /// Starts `command` as `name`. Call it from the thread that lives as long as the process: the
    /// parent-death signal follows the spawning thread.
    pub fn spawn(&mut self, name: &str, mut command: Command, quiet: bool) -> std::io::Result<()> {
        command.stdin(Stdio::null());
        if quiet {
            command.stdout(Stdio::null()).stderr(Stdio::null());
        }
        own_group_dying_with_parent(&mut command);
        // The caller names the twin; the error names the program that did not start.
        let program = command.get_program().to_string_lossy().into_owned();
        let child = command.spawn().map_err(|e| std::io::Error::new(e.kind(), format!("{program}: {e}")))?;
        self.children.push((name.to_owned(), child));
        Ok(())
    }

    /// The first child found to have exited, if any.
    pub fn exited(&mut self) -> Option<(String, ExitStatus)> {
        self.children.iter_mut().find_map(|(name, child)| child.try_wait().ok().flatten().map(|s| (name.clone(), s)))
    }

    /// SIGTERM to every group, then SIGKILL to what is left after the grace period.
    pub fn stop_all(&mut self) {
        for (_, child) in &self.children {
            signal_group(child.id(), libc::SIGTERM);
        }
        let deadline = Instant::now() + GRACE;
        for (name, child) in &mut self.children {
            while child.try_wait().ok().flatten().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            if child.try_wait().ok().flatten().is_none() {
                tracing::warn!(%name, "did not stop in time; killing it");
            }
            // The group may hold grandchildren that outlive their parent: kill whatever is left.
            signal_group(child.id(), libc::SIGKILL);
            let _ = child.wait();
        }
        self.children.clear();
    }
}

impl Default for Supervisor {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        self.stop_all();
    }
}

/// Starts the child in a process group of its own, which gets SIGTERM when the spawning thread
/// ends. Spawn from a thread that lives as long as the local cloud: the main thread, or a worker
/// of its multi-threaded runtime (never a blocking-pool thread, which ends when idle).
pub fn own_group_dying_with_parent(command: &mut Command) {
    command.process_group(0);
    die_with_parent(command, libc::SIGTERM);
}

/// Makes the child get `signal` when the thread that spawns it ends (with it, the process).
pub fn die_with_parent(command: &mut Command, signal: libc::c_int) {
    // SAFETY: prctl is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(move || match libc::prctl(libc::PR_SET_PDEATHSIG, signal) {
            0 => Ok(()),
            _ => Err(std::io::Error::last_os_error()),
        });
    }
}

/// Sends `signal` to the group that the child `pid` leads (it was started in its own group).
pub fn signal_group(pid: u32, signal: libc::c_int) {
    // The child leads its own group (process_group(0)), so its pid is the group id.
    let group = pid as libc::pid_t;
    // SAFETY: kill has no memory effects; a group that is gone yields ESRCH, which is fine.
    unsafe {
        libc::kill(-group, signal);
    }
}
