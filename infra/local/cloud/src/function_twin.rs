//! One function in the local Lambda, as Lambda runs it with a concurrency of one: a single
//! instance, started at once; invocations served one after the other in arrival order, each
//! bounded by the function's Timeout. An instance that times out is killed and started again; one
//! that exits is started again by the next invocation; a new build of its binary replaces it as
//! soon as the build is done, and invocations wait while a build runs.

use std::time::SystemTime;

use axum::body::Bytes;
use tokio::sync::{mpsc, oneshot, watch};

use crate::code_reload::BuildState;
use crate::function_spec::FunctionSpec;
use crate::instance::{BinaryVersion, Instance, InstanceEvent};
use crate::runtime_api::{FunctionError, Invocation, Outcome};

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
    /// No instance could take the invocation (no binary, the local Lambda stopping).
    #[error("{0}")]
    Undelivered(String),
}

/// A handle on the function; dropping it stops the function.
pub struct FunctionTwin {
    requests: mpsc::UnboundedSender<Request>,
    readiness: watch::Receiver<Readiness>,
}

struct Request {
    payload: Bytes,
    reply: oneshot::Sender<Result<Bytes, InvocationFailure>>,
}

impl FunctionTwin {
    /// Starts the function's first instance and serves its invocations from now on. Call it from
    /// a thread that lives as long as the local cloud (a worker of its runtime).
    pub fn start(spec: FunctionSpec, builds: watch::Receiver<BuildState>) -> Self {
        let (requests, queue) = mpsc::unbounded_channel();
        let (readiness_sender, readiness) = watch::channel(Readiness::Starting);
        let worker = Worker {
            spec,
            queue,
            builds,
            readiness: readiness_sender,
            instance: None,
            started: None,
            announced: false,
        };
        tokio::spawn(worker.run());
        Self { requests, readiness }
    }

    /// A synchronous invocation: the function's output, or why there is none.
    pub async fn invoke(&self, payload: Bytes) -> Result<Bytes, InvocationFailure> {
        let stopping = || InvocationFailure::Undelivered("the local Lambda is stopping".into());
        let (reply, answer) = oneshot::channel();
        self.requests.send(Request { payload, reply }).map_err(|_| stopping())?;
        answer.await.map_err(|_| stopping())?
    }

    pub fn readiness(&self) -> Readiness {
        self.readiness.borrow().clone()
    }

    /// Completes once the function is ready (never, if it stops first).
    pub async fn until_ready(&self) {
        let mut readiness = self.readiness.clone();
        if readiness.wait_for(|readiness| *readiness == Readiness::Ready).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// The task that owns the function's instance.
struct Worker {
    spec: FunctionSpec,
    queue: mpsc::UnboundedReceiver<Request>,
    builds: watch::Receiver<BuildState>,
    readiness: watch::Sender<Readiness>,
    instance: Option<Instance>,
    /// The build of the binary last started, whether or not it still runs.
    started: Option<BinaryVersion>,
    /// Whether the instance's first poll has made the function ready.
    announced: bool,
}

/// How an invocation handed to an instance ended.
enum Ending {
    Answered(Outcome),
    TimedOut,
    Exited(String),
}

impl Worker {
    async fn run(mut self) {
        self.start_instance().await;
        loop {
            tokio::select! {
                request = self.queue.recv() => match request {
                    Some(request) => self.serve(request).await,
                    None => return,
                },
                event = instance_event(&mut self.instance, self.announced) => match event {
                    InstanceEvent::FirstPoll => {
                        self.announced = true;
                        self.readiness.send_replace(Readiness::Ready);
                    }
                    InstanceEvent::Exited(status) => self.exited_while_idle(status),
                },
                () = build_done(&mut self.builds) => self.restart_if_rebuilt().await,
            }
        }
    }

    async fn serve(&mut self, Request { payload, reply }: Request) {
        // A build may be replacing the binary: its result serves this invocation.
        let _ = self.builds.wait_for(|build| !build.building).await;
        self.restart_if_rebuilt().await;
        if self.instance.is_none() {
            self.start_instance().await;
        }
        let Some(instance) = self.instance.as_mut() else {
            let reason = match self.readiness.borrow().clone() {
                Readiness::Down(reason) => reason,
                _ => "it did not start".to_owned(),
            };
            let _ = reply.send(Err(InvocationFailure::Undelivered(format!("{}: {reason}", self.spec.name))));
            return;
        };
        let request_id = uuid::Uuid::new_v4().to_string();
        let ending = run_invocation(instance, &self.spec, &request_id, payload).await;
        let outcome = match ending {
            Ending::Answered(outcome) => outcome.map_err(InvocationFailure::Function),
            Ending::TimedOut => {
                let seconds = self.spec.timeout.as_secs_f64();
                tracing::warn!(function = self.spec.name, "timed out after {seconds:.2} s: restarting");
                self.start_instance().await;
                let message = format!("RequestId: {request_id} Error: Task timed out after {seconds:.2} seconds");
                Err(InvocationFailure::Function(FunctionError::new("Sandbox.Timedout", message)))
            }
            Ending::Exited(status) => {
                let instance = self.instance.take().expect("the instance just ran");
                let error = instance.runtime.init_error().unwrap_or_else(|| {
                    let message = format!("RequestId: {request_id} Error: Runtime exited with error: {status}");
                    FunctionError::new("Runtime.ExitError", message)
                });
                self.report_exit(&instance, &status);
                Err(InvocationFailure::Function(error))
            }
        };
        let _ = reply.send(outcome);
    }

    /// Replaces the instance (if any) with a new one of the binary as it is now.
    async fn start_instance(&mut self) {
        self.instance = None;
        self.announced = false;
        self.started = BinaryVersion::of(&self.spec.binary).ok();
        match Instance::start(&self.spec).await {
            Ok(instance) => {
                self.instance = Some(instance);
                self.readiness.send_replace(Readiness::Starting);
            }
            Err(error) => {
                tracing::warn!(function = self.spec.name, %error, "cannot start");
                self.readiness.send_replace(Readiness::Down(error.to_string()));
            }
        }
    }

    /// Replaces the instance when the binary is not the one it was started from.
    async fn restart_if_rebuilt(&mut self) {
        if BinaryVersion::of(&self.spec.binary).ok() != self.started {
            tracing::info!(function = self.spec.name, "new build: restarting");
            self.start_instance().await;
        }
    }

    fn exited_while_idle(&mut self, status: String) {
        if let Some(instance) = self.instance.take() {
            self.report_exit(&instance, &status);
        }
    }

    /// An instance that exits before its first poll leaves the function down until the next
    /// invocation or build; one that exits later leaves it ready.
    fn report_exit(&self, instance: &Instance, status: &str) {
        let name = &self.spec.name;
        if instance.runtime.has_polled() {
            tracing::info!(function = name, "exited ({status}); the next invocation starts it again");
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

/// Hands the invocation to the instance and waits, at most the function's Timeout, for its
/// answer. The clock runs from the hand-over, so a cold start counts against the Timeout (Lambda
/// bounds init separately; a Rust binary starts in milliseconds).
async fn run_invocation(instance: &mut Instance, spec: &FunctionSpec, request_id: &str, payload: Bytes) -> Ending {
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

/// Completes when the instance polls for the first time (unless that was `announced` already)
/// or exits; never without an instance.
async fn instance_event(instance: &mut Option<Instance>, announced: bool) -> InstanceEvent {
    match instance {
        Some(instance) => instance.next_event(!announced).await,
        None => std::future::pending().await,
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
