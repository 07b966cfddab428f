//! The process entry every function shares: the tokio runtime and the Lambda runtime's loop.
//!
//! Why here and not in each `main.rs`: `#[tokio::main]` and `lambda_http::run` /
//! `lambda_runtime::run` are generic over the handler, so a `main` that calls them directly makes
//! every function binary compile its own copy of the runtime's client, layers and event parsing,
//! 41 times over. Behind one boxed handler type they are compiled once, in this crate, and a
//! function's binary is little more than its handler (README "Performance", build time; `sdk.rs`
//! does the same for the SDK's request pipeline). The cost at run time is one boxed future per
//! invocation.

use futures::future::{BoxFuture, LocalBoxFuture};
use lambda_http::lambda_runtime::{self, Diagnostic, LambdaEvent};
use lambda_http::{Body, Request, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::diagnostics::diagnostic;
use crate::http::{ApiError, respond};
use std::future::Future;

pub use lambda_http::lambda_runtime::Error;

// `lambda_http::run` asks for `Send` futures, `lambda_runtime::run` does not.
type HttpHandler = Box<dyn Fn(Request) -> BoxFuture<'static, Result<Response<Body>, Error>>>;
type EventHandler = Box<dyn Fn(LambdaEvent<Value>) -> LocalBoxFuture<'static, Result<Value, Diagnostic>>>;

/// An API Gateway function: `start` builds what every invocation shares (clients, settings), once,
/// and returns the handler; the handler answers one request, its refusals turned into problem
/// responses here, in one place ([`respond`]).
pub fn serve_http<Start, Handler, Reply>(start: Start) -> Result<(), Error>
where
    Start: Future<Output = Result<Handler, Error>> + 'static,
    Handler: Fn(Request) -> Reply + 'static,
    Reply: Future<Output = Result<Response<Body>, ApiError>> + Send + 'static,
{
    run_http(Box::pin(async move {
        let handler = start.await?;
        Ok(Box::new(move |request| {
            let reply = handler(request);
            Box::pin(async move { Ok(respond(reply.await)) }) as BoxFuture<'static, _>
        }) as HttpHandler)
    }))
}

/// A function fed by events (EventBridge, the table's stream): as [`serve_http`], with the event
/// read as `E` and the answer written from `R`. An event that is not an `E` fails the invocation.
pub fn serve_events<Start, Handler, Reply, E, R, Failure>(start: Start) -> Result<(), Error>
where
    Start: Future<Output = Result<Handler, Error>> + 'static,
    Handler: Fn(LambdaEvent<E>) -> Reply + 'static,
    Reply: Future<Output = Result<R, Failure>> + 'static,
    E: DeserializeOwned + 'static,
    R: Serialize,
    Failure: Into<Diagnostic>,
{
    run_events(Box::pin(async move {
        let handler = start.await?;
        Ok(Box::new(move |event: LambdaEvent<Value>| {
            let reply = E::deserialize(event.payload)
                .map(|payload| handler(LambdaEvent::new(payload, event.context)))
                .map_err(|error| diagnostic("InvalidEvent", &error));
            Box::pin(async move {
                let answer = reply?.await.map_err(Into::into)?;
                serde_json::to_value(answer).map_err(|error| diagnostic("InvalidAnswer", &error))
            }) as LocalBoxFuture<'static, _>
        }) as EventHandler)
    }))
}

/// The non-generic part of [`serve_http`], compiled once.
fn run_http(start: LocalBoxFuture<'static, Result<HttpHandler, Error>>) -> Result<(), Error> {
    block_on(Box::pin(async move {
        let handler = start.await?;
        lambda_http::run(lambda_http::service_fn(handler)).await
    }))
}

/// The non-generic part of [`serve_events`], compiled once.
fn run_events(start: LocalBoxFuture<'static, Result<EventHandler, Error>>) -> Result<(), Error> {
    block_on(Box::pin(async move {
        let handler = start.await?;
        lambda_runtime::run(lambda_runtime::service_fn(handler)).await
    }))
}

/// A runtime on the process's one thread, with its IO and time drivers (and the blocking pool,
/// which the connector's preparation uses beside the start). An instance answers one invocation at
/// a time, and at the template's memory size Lambda gives it a fraction of one vCPU: worker
/// threads would add nothing but their creation at start and a hand-over between threads at every
/// step of every request (README "Performance", "One thread").
fn block_on(main: LocalBoxFuture<'static, Result<(), Error>>) -> Result<(), Error> {
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(main)
}

/// What a function builds at start, kept for the life of the process (which is the function's
/// one instance), so that every invocation's future may borrow it.
pub fn for_the_process<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::runtime::{Handle, RuntimeFlavor};

    #[test]
    fn a_function_runs_on_the_process_one_thread() {
        block_on(Box::pin(async {
            assert_eq!(Handle::current().runtime_flavor(), RuntimeFlavor::CurrentThread);
            Ok(())
        }))
        .unwrap();
    }
}
