//! One function in the local Lambda, as Lambda scales it: up to its concurrency limit of
//! instances (see [`Concurrency`]), each its own process with a Runtime API of its own. An
//! invocation takes an idle instance, or starts another when all are busy; beyond the limit it
//! is throttled (reserved concurrency) or waits for one (none reserved). The first instance
//! starts at once, so the function is ready before anything invokes it. Each invocation is
//! bounded by the function's Timeout: an instance that times out is killed, one that exits is
//! dropped, and the next invocation starts another. A new build of the binary replaces every
//! instance (idle ones at once, busy ones when they finish), and invocations wait while a build
//! runs.

use std::sync::{Arc, Mutex, Weak};
use std::time::{Instant, SystemTime};

use axum::body::Bytes;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};

use crate::lambda::code_reload::BuildState;
use crate::lambda::function_spec::{Concurrency, FunctionSpec};
use crate::lambda::instance::{BinaryVersion, Instance, InstanceEvent, InstanceWatch};
use crate::lambda::runtime_api::{FunctionError, Invocation, Outcome};

/// Whether the function can take invocations; `/_local/health` and the ready banner show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Its process runs; its runtime has not asked for an invocation yet.
    Starting,
    /// Its runtime has asked for an invocation: its init is done. (An instance that exits later
    /// leaves the function ready: the next invocation starts another.)
    Ready,
    /// It cannot run, and why.
    Down(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvocationFailure {
    /// The function ran and failed, timed out, or its process exited.
    #[error(transparent)]
    Function(FunctionError),
    /// Every instance its reserved concurrency allows is busy (Lambda's 429).
    #[error("{function}: all {limit} instances its reserved concurrency allows are busy")]
    Throttled { function: String, limit: usize },
    /// No instance could take the invocation (no binary, the local Lambda stopping).
    #[error("{0}")]
    Undelivered(String),
}

/// A handle on the function; dropping it stops the function (its instances end with the
/// invocations that hold them).
pub struct FunctionTwin {
    pool: Arc<Pool>,
    reload: tokio::task::JoinHandle<()>,
}

/// The function's instances, one slot per instance its concurrency allows.
struct Pool {
    spec: FunctionSpec,
    /// One permit per instance allowed to run an invocation.
    capacity: Arc<Semaphore>,
    slots: Mutex<Vec<Slot>>,
    builds: watch::Receiver<BuildState>,
    readiness: watch::Sender<Readiness>,
    /// The build of the binary last started, whether or not it still runs.
    started: Mutex<Option<BinaryVersion>>,
}

enum Slot {
    Empty,
    Idle(Instance),
    /// Held by an invocation (or by its start).
    Busy,
}

/// A slot held for one invocation; dropping it gives the slot back: with its instance when the
/// invocation was answered by the current build, else empty (the instance is killed).
struct Lease {
    pool: Arc<Pool>,
    slot: usize,
    instance: Option<Instance>,
    answered: bool,
    _permit: OwnedSemaphorePermit,
}

/// How an invocation handed to an instance ended.
enum Ending {
    Answered(Outcome),
    TimedOut,
    Exited(String),
}

impl FunctionTwin {
    /// Starts the function's first instance and serves its invocations from now on. Call it from
    /// a thread that lives as long as the local cloud (a worker of its runtime).
    pub fn start(spec: FunctionSpec, builds: watch::Receiver<BuildState>) -> Self {
        let limit = spec.concurrency.limit();
        let pool = Arc::new(Pool {
            capacity: Arc::new(Semaphore::new(limit)),
            slots: Mutex::new((0..limit).map(|_| Slot::Empty).collect()),
            builds: builds.clone(),
            readiness: watch::channel(Readiness::Starting).0,
            started: Mutex::new(None),
            spec,
        });
        if limit == 0 {
            let reason = "its ReservedConcurrentExecutions is 0: Lambda throttles every invocation";
            pool.readiness.send_replace(Readiness::Down(reason.into()));
        }
        tokio::spawn(Arc::clone(&pool).warm_up());
        let reload = tokio::spawn(reload_on_builds(Arc::downgrade(&pool), builds));
        Self { pool, reload }
    }

    /// A synchronous invocation: the function's output, or why there is none.
    pub async fn invoke(&self, payload: Bytes) -> Result<Bytes, InvocationFailure> {
        let pool = &self.pool;
        let spec = &pool.spec;
        let capacity = Arc::clone(&pool.capacity);
        let permit = match spec.concurrency {
            Concurrency::Reserved(limit) => capacity
                .try_acquire_owned()
                .map_err(|_| InvocationFailure::Throttled { function: spec.name.clone(), limit })?,
            Concurrency::Unreserved(_) => capacity
                .acquire_owned()
                .await
                .map_err(|_| InvocationFailure::Undelivered("the local Lambda is stopping".into()))?,
        };
        // A build may be replacing the binary: its result serves this invocation.
        let _ = pool.builds.clone().wait_for(|build| !build.building).await;
        let mut lease = pool.lease(permit).await?;
        let instance = lease.instance.as_ref().expect("a lease holds an instance");
        let request_id = uuid::Uuid::new_v4().to_string();
        let started = Instant::now();
        let ending = run_invocation(instance, spec, &request_id, payload).await;
        // Lambda's REPORT line, at debug level: where the time of a chain of invocations goes.
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        tracing::debug!(function = spec.name, instance = instance.number, request_id, duration_ms, "REPORT");
        match ending {
            Ending::Answered(outcome) => {
                pool.became_ready();
                lease.answered = true;
                outcome.map_err(InvocationFailure::Function)
            }
            Ending::TimedOut => {
                let seconds = spec.timeout.as_secs_f64();
                tracing::warn!(
                    function = spec.name,
                    instance = instance.number,
                    "timed out after {seconds:.2} s: killed"
                );
                let message = format!("RequestId: {request_id} Error: Task timed out after {seconds:.2} seconds");
                Err(InvocationFailure::Function(FunctionError::new("Sandbox.Timedout", message)))
            }
            Ending::Exited(status) => {
                let error = instance.runtime.init_error().unwrap_or_else(|| {
                    let message = format!("RequestId: {request_id} Error: Runtime exited with error: {status}");
                    FunctionError::new("Runtime.ExitError", message)
                });
                pool.report_exit(&instance.watch(), instance.number, &status);
                Err(InvocationFailure::Function(error))
            }
        }
    }

    pub fn readiness(&self) -> Readiness {
        self.pool.readiness.borrow().clone()
    }

    /// Completes once the function is ready (never, if it stops first).
    pub async fn until_ready(&self) {
        let mut readiness = self.pool.readiness.subscribe();
        if readiness.wait_for(|readiness| *readiness == Readiness::Ready).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

impl Drop for FunctionTwin {
    fn drop(&mut self) {
        self.reload.abort();
        self.pool.capacity.close();
        for slot in self.pool.slots.lock().expect("never poisoned").iter_mut() {
            if matches!(slot, Slot::Idle(_)) {
                *slot = Slot::Empty;
            }
        }
    }
}

impl Pool {
    /// An idle instance of the current build, else a new one in a free slot.
    async fn lease(self: &Arc<Self>, permit: OwnedSemaphorePermit) -> Result<Lease, InvocationFailure> {
        let current = BinaryVersion::of(&self.spec.binary).ok();
        let (slot, idle) = {
            let mut slots = self.slots.lock().expect("never poisoned");
            self.retire(&mut slots, current.as_ref());
            let idle = slots.iter().position(|slot| matches!(slot, Slot::Idle(_)));
            let free = slots.iter().position(|slot| matches!(slot, Slot::Empty));
            // Busy slots are at most the permits held by others, so one is idle or empty.
            let slot = idle.or(free).expect("a permit always finds a slot");
            match std::mem::replace(&mut slots[slot], Slot::Busy) {
                Slot::Idle(instance) => (slot, Some(instance)),
                _ => (slot, None),
            }
        };
        let mut lease = Lease { pool: Arc::clone(self), slot, instance: idle, answered: false, _permit: permit };
        if lease.instance.is_none() {
            *self.started.lock().expect("never poisoned") = current;
            match Instance::start(&self.spec, slot + 1).await {
                Ok(instance) => {
                    self.readiness.send_if_modified(|readiness| match readiness {
                        Readiness::Down(_) => {
                            *readiness = Readiness::Starting;
                            true
                        }
                        _ => false,
                    });
                    lease.instance = Some(instance);
                }
                Err(error) => {
                    tracing::warn!(function = self.spec.name, %error, "cannot start");
                    self.readiness.send_replace(Readiness::Down(error.to_string()));
                    return Err(InvocationFailure::Undelivered(format!("{}: {error}", self.spec.name)));
                }
            }
        }
        Ok(lease)
    }

    /// Empties the slots of idle instances that exited or run a build other than `current`.
    fn retire(&self, slots: &mut [Slot], current: Option<&BinaryVersion>) {
        for slot in slots.iter_mut() {
            let Slot::Idle(instance) = slot else { continue };
            if let Some(status) = instance.exit_status() {
                // One that never polled was reported by the warm-up that watched it.
                if instance.runtime.has_polled() {
                    self.report_exit(&instance.watch(), instance.number, &status);
                }
            } else if Some(&instance.binary) == current {
                continue;
            }
            *slot = Slot::Empty;
        }
    }

    /// Starts an instance without an invocation for it (at start, and after a new build), and
    /// follows it to its first poll: that makes the function ready, and an exit before it
    /// down. It waits idle like any other; with every instance busy there is nothing to do.
    async fn warm_up(self: Arc<Self>) {
        let Ok(permit) = Arc::clone(&self.capacity).try_acquire_owned() else { return };
        let Ok(mut lease) = self.lease(permit).await else { return };
        let instance = lease.instance.as_ref().expect("a lease holds an instance");
        let (watch, number) = (instance.watch(), instance.number);
        lease.answered = true;
        drop(lease);
        match watch.first_event().await {
            InstanceEvent::FirstPoll => self.became_ready(),
            InstanceEvent::Exited(status) => self.report_exit(&watch, number, &status),
        }
    }

    fn became_ready(&self) {
        self.readiness.send_if_modified(|readiness| {
            let changed = *readiness != Readiness::Ready;
            *readiness = Readiness::Ready;
            changed
        });
    }

    /// An instance that exits before its first poll leaves the function down until the next
    /// invocation or build; one that exits later leaves it ready.
    fn report_exit(&self, instance: &InstanceWatch, number: usize, status: &str) {
        let name = &self.spec.name;
        if instance.runtime.has_polled() {
            tracing::info!(function = name, instance = number, "exited ({status}); the next invocation starts another");
            return;
        }
        let reason = match instance.runtime.init_error() {
            Some(error) => format!("its init failed ({error}) and it exited ({status})"),
            None => format!("exited ({status}) before asking for an invocation"),
        };
        tracing::warn!(function = name, "{reason}");
        self.readiness.send_replace(Readiness::Down(reason));
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        let current = BinaryVersion::of(&self.pool.spec.binary).ok();
        let instance = self.instance.take().filter(|instance| {
            self.answered && instance.exit_status().is_none() && Some(&instance.binary) == current.as_ref()
        });
        let mut slots = self.pool.slots.lock().expect("never poisoned");
        slots[self.slot] = match instance {
            Some(instance) if !self.pool.capacity.is_closed() => Slot::Idle(instance),
            _ => Slot::Empty,
        };
    }
}

/// After each build: when the binary changed, its idle instances are replaced by one of the new
/// build (busy ones end when their invocation does).
async fn reload_on_builds(pool: Weak<Pool>, mut builds: watch::Receiver<BuildState>) {
    loop {
        build_done(&mut builds).await;
        let Some(pool) = pool.upgrade() else { return };
        let current = BinaryVersion::of(&pool.spec.binary).ok();
        if current != *pool.started.lock().expect("never poisoned") {
            tracing::info!(function = pool.spec.name, "new build: restarting");
            pool.retire(&mut pool.slots.lock().expect("never poisoned"), current.as_ref());
            tokio::spawn(pool.warm_up());
        }
    }
}

/// Hands the invocation to the instance and waits, at most the function's Timeout, for its
/// answer. The clock runs from the hand-over, so a cold start counts against the Timeout (Lambda
/// bounds init separately; a Rust binary starts in milliseconds).
async fn run_invocation(instance: &Instance, spec: &FunctionSpec, request_id: &str, payload: Bytes) -> Ending {
    let invocation = Invocation {
        request_id: request_id.to_owned(),
        payload,
        deadline: SystemTime::now() + spec.timeout,
        function_arn: spec.arn(),
    };
    let answer = instance.runtime.deliver(invocation);
    tokio::select! {
        // An answer posted just before the process exits still counts.
        biased;
        answer = tokio::time::timeout(spec.timeout, answer) => match answer {
            Ok(Ok(outcome)) => Ending::Answered(outcome),
            Ok(Err(_)) => Ending::Exited("its runtime API closed".into()),
            Err(_) => Ending::TimedOut,
        },
        status = instance.exited() => Ending::Exited(status),
    }
}

/// Completes when a build has finished (never, without builds).
async fn build_done(builds: &mut watch::Receiver<BuildState>) {
    loop {
        if builds.changed().await.is_err() {
            return std::future::pending().await;
        }
        if !builds.borrow_and_update().building {
            return;
        }
    }
}
