//! The template's schedules (`Schedule` and `ScheduleV2` events): each enabled one invokes its
//! function asynchronously every `rate(…)`, from the local cloud's start, with the event its AWS
//! counterpart sends, retried and dead-lettered as the bus does (see [`invoke_async`]).
//! `POST /_local/schedules/{name}` runs one now, synchronously, and answers the function's
//! result, so a test or a developer need not wait for the hour to come.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::bus::{Delivery, RetryTiming, invoke_async};
use crate::dead_letters::DeadLetters;
use crate::environment::{ACCOUNT_ID, REGION};
use crate::lambda::invoke::{InvokeError, Lambda};
use crate::template::{AsyncInvokeConfig, Function, Schedule, ScheduleKind};

/// A schedule and the function it invokes.
#[derive(Debug, Clone)]
pub struct ScheduledFunction {
    pub function_logical_id: String,
    /// The function's name in the local Lambda (its binary).
    pub function: String,
    pub schedule: Schedule,
    pub async_invoke: AsyncInvokeConfig,
}

impl ScheduledFunction {
    /// Every schedule of the template's functions.
    pub fn of(functions: &[Function]) -> Vec<Self> {
        functions
            .iter()
            .flat_map(|function| {
                function.schedules.iter().map(|schedule| Self {
                    function_logical_id: function.logical_id.clone(),
                    function: function.binary.clone(),
                    schedule: schedule.clone(),
                    async_invoke: function.async_invoke.clone(),
                })
            })
            .collect()
    }

    pub fn arn(&self) -> String {
        let name = &self.schedule.name;
        match self.schedule.kind {
            ScheduleKind::Rule => format!("arn:aws:events:{REGION}:{ACCOUNT_ID}:rule/{name}"),
            ScheduleKind::Scheduler => format!("arn:aws:scheduler:{REGION}:{ACCOUNT_ID}:schedule/default/{name}"),
        }
    }

    /// What the function gets: the schedule's `Input` (with Scheduler's context attributes
    /// filled in), else the default event. EventBridge Scheduler's default is a "Scheduled
    /// Event" from `aws.scheduler` whose `detail` is the *string* `"{}"`; a rule's is one from
    /// `aws.events` with an empty object.
    pub fn event(&self, at: DateTime<Utc>, execution_id: &str) -> Value {
        let time = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        if let Some(input) = &self.schedule.input {
            if self.schedule.kind == ScheduleKind::Rule {
                return input.clone();
            }
            let text = input
                .to_string()
                .replace("<aws.scheduler.schedule-arn>", &self.arn())
                .replace("<aws.scheduler.scheduled-time>", &time)
                .replace("<aws.scheduler.execution-id>", execution_id)
                .replace("<aws.scheduler.attempt-number>", "1");
            return serde_json::from_str(&text).unwrap_or_else(|_| input.clone());
        }
        let (source, detail) = match self.schedule.kind {
            ScheduleKind::Rule => ("aws.events", json!({})),
            ScheduleKind::Scheduler => ("aws.scheduler", json!("{}")),
        };
        json!({
            "version": "0",
            "id": execution_id,
            "detail-type": "Scheduled Event",
            "source": source,
            "account": ACCOUNT_ID,
            "time": time,
            "region": REGION,
            "resources": [self.arn()],
            "detail": detail,
        })
    }
}

pub struct Scheduler {
    pub schedules: Vec<ScheduledFunction>,
    pub lambda: Lambda,
    pub dead_letters: Arc<DeadLetters>,
    pub timing: RetryTiming,
}

impl Scheduler {
    /// The schedule named `name`, or the only one of the function whose logical id it is.
    pub fn find(&self, name: &str) -> Option<&ScheduledFunction> {
        let mut of_function = self.schedules.iter().filter(|s| s.function_logical_id == name);
        self.schedules.iter().find(|s| s.schedule.name == name).or_else(|| {
            let first = of_function.next();
            if of_function.next().is_some() { None } else { first }
        })
    }

    /// Runs every enabled schedule until `stop`: the first time one period after the start (as
    /// a rate schedule runs from its creation), then every period.
    pub async fn run(self: Arc<Self>, stop: watch::Receiver<bool>) {
        let tickers = self.schedules.iter().filter(|s| s.schedule.enabled).map(|scheduled| {
            let (scheduler, mut stop) = (Arc::clone(&self), stop.clone());
            async move {
                let every = scheduled.schedule.every;
                let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
                loop {
                    tokio::select! {
                        _ = ticks.tick() => {}
                        _ = stop.wait_for(|stopped| *stopped) => return,
                    }
                    let scheduler = Arc::clone(&scheduler);
                    let scheduled = scheduled.clone();
                    tokio::spawn(async move { scheduler.deliver(&scheduled).await });
                }
            }
        });
        futures::future::join_all(tickers).await;
    }

    async fn deliver(&self, scheduled: &ScheduledFunction) {
        let event = scheduled.event(Utc::now(), &uuid::Uuid::new_v4().to_string());
        tracing::info!(schedule = scheduled.schedule.name, function = scheduled.function, "scheduled invocation");
        let delivery = Delivery {
            by: format!("schedule {}", scheduled.schedule.name),
            function: &scheduled.function,
            maximum_retry_attempts: scheduled.schedule.maximum_retry_attempts,
            maximum_event_age: scheduled.schedule.maximum_event_age,
            async_invoke: &scheduled.async_invoke,
            undelivered_source: "schedule-delivery",
        };
        invoke_async(&self.lambda, &self.dead_letters, &self.timing, &delivery, event).await;
    }
}

/// `POST /_local/schedules/{name}`: the schedule's event, sent now and synchronously; 200 with
/// the function's output, 502 with its error, 404 naming the schedules there are.
pub async fn run_now(State(scheduler): State<Arc<Scheduler>>, Path(name): Path<String>) -> Response {
    let message = |status: StatusCode, body: Value| (status, axum::Json(body)).into_response();
    let Some(scheduled) = scheduler.find(&name) else {
        let known: Vec<String> =
            scheduler.schedules.iter().map(|s| format!("{} ({})", s.schedule.name, s.function_logical_id)).collect();
        let text = format!("no schedule or scheduled function {name:?}; the template has: {}", known.join(", "));
        return message(StatusCode::NOT_FOUND, json!({ "message": text }));
    };
    let event = scheduled.event(Utc::now(), &uuid::Uuid::new_v4().to_string());
    match scheduler.lambda.invoke(&scheduled.function, &event).await {
        Ok(output) => message(StatusCode::OK, output),
        Err(InvokeError::Function { error_type, message: error_message, .. }) => message(
            StatusCode::BAD_GATEWAY,
            json!({"message": "the function failed", "errorType": error_type, "errorMessage": error_message}),
        ),
        Err(error @ InvokeError::Undelivered { .. }) => {
            message(StatusCode::BAD_GATEWAY, json!({ "message": error.to_string() }))
        }
    }
}
