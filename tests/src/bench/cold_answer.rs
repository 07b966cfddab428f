//! Section 2: the cold answer, what a person waits for when their request starts an instance:
//! from spawning a function's binary, with the request already waiting at its Runtime API (as
//! Lambda holds the request that caused the cold start), to its answer, against DynamoDB Local.
//! The floor, measured in the same rounds: the hello-world `lambda_http` binary's cold answer
//! (its start and first answer) plus one raw `GetItem` (the bench's own SDK client, its
//! connection open) of the item get-customer reads: what any function that reads one item could
//! at best take. Goal: each function's median ≤ 1.5× the floor's. Beside it, each function's own
//! floor (a diagnostic): hello world's cold answer plus the round trips of the function's own
//! requests, timed at the services (`service_time`) in warm answers of an instance started for
//! that after the rounds: what any function making those requests could at best take.
//!
//! Each round starts every function once (a fresh process each), hands it the round's request,
//! then a second one (its warm answer). Round 0 is not timed: it and the raw reads before it
//! warm DynamoDB Local's JIT, which would otherwise be measured (README "Performance").

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use local_cloud::lambda::function_spec::FunctionSpec;
use local_cloud::template::Template;
use meshcustomers::domain::CustomerIdentifier;
use meshcustomers::store::Key;

use super::cold_start::{FLOOR, Instance, specs};
use super::first_request;
use super::invocations::{BenchEvent, CUSTOMER, event_for, seed};
use super::service_time::ServiceClock;
use super::stats::{millis, percentile};
use super::{Row, Sizes};
use crate::TestApp;

const SECTION: &str = "cold-answer";
/// The goal: a function's median cold answer at most this many times the floor's.
const MAX_RATIO: f64 = 1.5;
/// Raw `GetItem`s per round; their median is the round's raw round trip.
const RAW_READS_PER_ROUND: usize = 5;

/// One function's samples over the timed rounds, in milliseconds.
#[derive(Default)]
struct Samples {
    init: Vec<f64>,
    cold_answer: Vec<f64>,
    warm: Vec<f64>,
}

impl Samples {
    fn add(&mut self, init: Duration, cold_answer: Duration, warm: Duration) {
        self.init.push(millis(init));
        self.cold_answer.push(millis(cold_answer));
        self.warm.push(millis(warm));
    }

    /// The first invocation: from the first poll (the request is already there) to the answer.
    fn first_invocation(&self) -> Vec<f64> {
        self.cold_answer.iter().zip(&self.init).map(|(answer, init)| answer - init).collect()
    }
}

fn median(samples: &[f64]) -> f64 {
    percentile(samples, 50.0)
}

pub async fn rows(sizes: &Sizes) -> Vec<Row> {
    let rounds = sizes.cold_answers;
    // Two invocations (cold, warm) per function and round, round 0 included; then the instance
    // whose requests are timed at the services: its cold answer and its timed warm ones.
    let timed_from = 2 * (rounds + 1);
    let attempts = timed_from + 1 + sizes.service_time_samples;
    let test = TestApp::spawn().await;
    seed(&test, attempts).await;
    let specs = specs(sizes, &test.table).await;
    let functions = Template::of_repo().expect("the template reads").functions().expect("the template's functions");
    let floor = specs.iter().find(|spec| spec.name == FLOOR).expect("the floor's spec");
    let get_customer = functions.iter().find(|f| f.binary == "get-customer").expect("get-customer is a function");
    let hello = event_for(&test, get_customer, 0, attempts).await.payload();
    let raw_read = RawRead::new(&test);
    for _ in 0..sizes.cold_answer_warm_up {
        raw_read.once().await;
    }

    let (mut floors, mut raw_reads, mut hello_starts, mut hello_answers) = (vec![], vec![], vec![], vec![]);
    let mut samples: BTreeMap<String, Samples> = BTreeMap::new();
    for round in 0..=rounds {
        let (instance, init, answer, _) = Instance::answer_cold(floor, &hello).await;
        drop(instance);
        let raw = median(&raw_read.times(RAW_READS_PER_ROUND).await);
        if round > 0 {
            hello_starts.push(millis(init));
            hello_answers.push(millis(answer));
            raw_reads.push(raw);
            floors.push(millis(answer) + raw);
        }
        for spec in specs.iter().filter(|spec| spec.name != FLOOR) {
            let function = functions.iter().find(|f| f.binary == spec.name).expect("a function of the template");
            let cold = event_for(&test, function, 2 * round, attempts).await;
            let warm = event_for(&test, function, 2 * round + 1, attempts).await;
            let (instance, init, cold_answer, output) = Instance::answer_cold(spec, &cold.payload()).await;
            check(spec, &cold, &output);
            let (warm_answer, output) = instance.invoke(spec, &warm.payload()).await;
            check(spec, &warm, &output);
            if round > 0 {
                samples.entry(spec.name.clone()).or_default().add(init, cold_answer, warm_answer);
            }
        }
    }

    let service_times = service_times(&test, &specs, &functions, timed_from, attempts).await;

    let floor = median(&floors);
    let mut rows = vec![
        Row::new(SECTION, format!("floor: {FLOOR}'s cold answer + one raw GetItem ({})", sizes.profile))
            .figure("floor", floor, "ms")
            .figure("hello start", median(&hello_starts), "ms")
            .figure("hello cold answer", median(&hello_answers), "ms")
            .figure("raw GetItem", median(&raw_reads), "ms")
            .figure("rounds", floors.len() as f64, "items"),
    ];
    let hello_cold_answer = median(&hello_answers);
    for (name, samples) in &samples {
        let cold_answer = median(&samples.cold_answer);
        let ratio = cold_answer / floor;
        // The floor with this function's own round trips in place of the one GetItem.
        let round_trips = median(&service_times[name]);
        let own_floor = hello_cold_answer + round_trips;
        rows.push(
            Row::new(SECTION, name.clone())
                .figure("cold answer", cold_answer, "ms")
                .figure("min", percentile(&samples.cold_answer, 0.0), "ms")
                .figure("max", percentile(&samples.cold_answer, 100.0), "ms")
                .figure("start", median(&samples.init), "ms")
                .figure("first invocation", median(&samples.first_invocation()), "ms")
                .figure("warm", median(&samples.warm), "ms")
                .figure("its round trips", round_trips, "ms")
                .figure("floor", ratio, "×")
                .figure("own floor", cold_answer / own_floor, "×")
                .at_most(format!("median cold answer ≤ {MAX_RATIO}× the floor"), ratio, MAX_RATIO),
        );
    }
    rows.extend(first_request::rows(sizes, &test).await);
    rows
}

/// Each function's round trips to the services in its warm answers, in milliseconds: one instance
/// of each, its endpoints proxied by a [`ServiceClock`], answers the attempt `first` (untimed, it
/// makes what a start leaves to the first request), then the attempts after it up to `attempts`.
async fn service_times(
    test: &TestApp,
    specs: &[FunctionSpec],
    functions: &[local_cloud::template::Function],
    first: usize,
    attempts: usize,
) -> BTreeMap<String, Vec<f64>> {
    let mut clock = ServiceClock::default();
    let mut times = BTreeMap::new();
    for spec in specs.iter().filter(|spec| spec.name != FLOOR) {
        let function = functions.iter().find(|f| f.binary == spec.name).expect("a function of the template");
        let timed = clock.timed(spec).await;
        let cold = event_for(test, function, first, attempts).await;
        let (instance, _, _, output) = Instance::answer_cold(&timed, &cold.payload()).await;
        check(spec, &cold, &output);
        let mut samples = Vec::new();
        for attempt in first + 1..attempts {
            let warm = event_for(test, function, attempt, attempts).await;
            clock.take_busy_time();
            let (_, output) = instance.invoke(&timed, &warm.payload()).await;
            check(spec, &warm, &output);
            samples.push(millis(clock.take_busy_time()));
        }
        times.insert(spec.name.clone(), samples);
    }
    times
}

fn check(spec: &FunctionSpec, event: &BenchEvent, output: &serde_json::Value) {
    if let Some(failure) = event.failure(output) {
        panic!("{}: the bench's invocation {failure}", spec.name);
    }
}

/// The floor's DynamoDB round trip: get-customer's read of the customer, sent by the bench's own
/// client, whose connection stays open between reads.
struct RawRead {
    dynamodb: aws_sdk_dynamodb::Client,
    table: String,
    key: std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
}

impl RawRead {
    fn new(test: &TestApp) -> Self {
        let customer = CustomerIdentifier::parse(CUSTOMER).expect("the bench's customer identifier");
        Self {
            dynamodb: test.dynamodb.clone(),
            table: test.table.clone(),
            key: Key::customer(&customer).into_attributes(),
        }
    }

    async fn once(&self) -> Duration {
        let started = Instant::now();
        let output = self
            .dynamodb
            .get_item()
            .table_name(&self.table)
            .set_key(Some(self.key.clone()))
            .send()
            .await
            .expect("DynamoDB Local answers");
        assert!(output.item().is_some(), "the bench's customer is seeded");
        started.elapsed()
    }

    async fn times(&self, count: usize) -> Vec<f64> {
        let mut times = Vec::with_capacity(count);
        for _ in 0..count {
            times.push(millis(self.once().await));
        }
        times
    }
}
