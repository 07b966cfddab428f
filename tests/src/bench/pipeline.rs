//! Section 5: pipeline delay on the local cloud (`local-cloud dev` as `make dev` runs it, its
//! functions the debug builds, DynamoDB in memory). Each write is a registration over HTTP (its
//! answer is the start); then, polled every [`POLL`] at once, its CUSTOMER_REGISTERED entry in
//! `GET /customers/{id}/events` (stream → publisher → bus → audit writer) and its "being verified"
//! mail in the SES emulator's store (bus → email sender → SES). One write at a time, so no write
//! waits behind another, each after a pause of random length (so that the writes meet the stream's
//! poll at random points of its period, as independent writes do). Then what the publisher's
//! batching window costs: its invocations per 1,000 writes at the template's window and at 1 s,
//! simulated at several write rates.

use std::time::{Duration, Instant};

use serde_json::json;

use super::stats::{millis, percentile};
use super::{Row, Sizes};
use crate::running_cloud::{RunningCloud, claims};

const SECTION: &str = "pipeline";
/// Also the resolution of the figures.
const POLL: Duration = Duration::from_millis(20);
/// Far longer than the pipeline ever takes: an entry or mail that is not there by then is lost.
const GIVE_UP: Duration = Duration::from_secs(60);
/// Issue 26's goals, from the write's answer.
const P50_GOAL_MS: f64 = 400.0;
const P95_GOAL_MS: f64 = 600.0;

pub async fn rows(sizes: &Sizes) -> Vec<Row> {
    let cloud = RunningCloud::start().await;
    let client = reqwest::Client::new();
    let admin = cloud.token(claims("olivia", "olivia@platform.example", &["platform-admins"], None)).await;
    let (mut to_history, mut to_mail) = (Vec::new(), Vec::new());
    let mut uniform = uniform(0x5EED_0F7E_57AB_1E00);
    for n in 0..sizes.pipeline_writes {
        let (user, email, customer) = (format!("pipe-{n}"), format!("pipe-{n}@shop.example"), format!("pipe-co-{n}"));
        let token = cloud.token(claims(&user, &email, &[], None)).await;
        // A pause of random length before each write, so that writes meet the stream's poll at
        // any point of its period, as independent writes do. Without it the loop locks onto the
        // poll: the next write follows the last delivery at once, just after a poll that found
        // nothing, and waits nearly a whole period (back to back on a quiet machine: p50 310 ms
        // without the pause, 185 ms with it).
        tokio::time::sleep(STREAM_POLL.mul_f64(2.0 * uniform())).await;
        let started = Instant::now();
        let response = client
            .post(format!("{}/registrations", cloud.api))
            .bearer_auth(&token)
            .json(&json!({"identifier": customer, "displayName": format!("Pipe {n}")}))
            .send()
            .await
            .expect("the gateway answers");
        assert_eq!(
            response.status(),
            201,
            "the registration of {customer}: {}",
            response.text().await.unwrap_or_default()
        );
        let history = async {
            poll_until(|| async {
                let list: serde_json::Value = client
                    .get(format!("{}/customers/{customer}/events", cloud.api))
                    .bearer_auth(&admin)
                    .send()
                    .await
                    .ok()?
                    .json()
                    .await
                    .ok()?;
                list["items"].as_array().is_some_and(|items| !items.is_empty()).then_some(())
            })
            .await;
            started.elapsed()
        };
        let mail = async {
            poll_until(|| async {
                cloud.mails().await.iter().any(|mail| mail["destination"]["to"] == json!([email])).then_some(())
            })
            .await;
            started.elapsed()
        };
        let (history, mail) = tokio::join!(history, mail);
        to_history.push(millis(history));
        to_mail.push(millis(mail));
    }
    let row = |subject: &str, samples: &[f64]| {
        let (p50, p95) = (percentile(samples, 50.0), percentile(samples, 95.0));
        Row::new(SECTION, subject)
            .figure("p50", p50, "ms")
            .figure("p95", p95, "ms")
            .figure("max", percentile(samples, 100.0), "ms")
            .figure("writes", samples.len() as f64, "writes")
            .goal(format!("p50 ≤ {P50_GOAL_MS} ms, p95 ≤ {P95_GOAL_MS} ms"), p50 <= P50_GOAL_MS && p95 <= P95_GOAL_MS)
    };
    let window = publisher_window();
    let mut rows = vec![
        row("registration → history entry visible (debug functions)", &to_history),
        row("registration → mail in the SES store (debug functions)", &to_mail),
    ];
    for rate in [0.01, 1.0, 10.0, 100.0, 1000.0] {
        let mut row = Row::new(
            SECTION,
            format!("publisher invocations per 1,000 writes at {rate} writes/s on one shard (simulated)"),
        );
        for candidate in [window, Duration::from_secs(1)] {
            let name = format!("window {} s", candidate.as_secs());
            row = row.figure(&name, publisher_invocations(rate, candidate, BATCH_SIZE), "invocations");
        }
        rows.push(row);
    }
    rows
}

/// The stream publisher's `MaximumBatchingWindowInSeconds`, as the template sets it.
fn publisher_window() -> Duration {
    let functions = crate::template::functions();
    let publisher = functions.iter().find(|f| !f.stream_sources.is_empty()).expect("a stream consumer");
    publisher.stream_sources[0].batching_window
}

/// The event source mapping's `BatchSize` of the publisher.
const BATCH_SIZE: usize = 100;
/// Lambda polls each shard of a DynamoDB stream four times a second.
const STREAM_POLL: Duration = Duration::from_millis(250);
const SIMULATED_WRITES: usize = 100_000;

/// How many times Lambda invokes the publisher for 1,000 writes arriving at random (Poisson) at
/// `rate` a second on one shard, polling it every 250 ms: with no window, every poll that finds
/// records invokes (in batches of at most `batch_size`); with a window, the first record opens
/// it and the batch goes when full or at the first poll after the window has passed.
pub fn publisher_invocations(rate: f64, window: Duration, batch_size: usize) -> f64 {
    let mut uniform = uniform(0x9E37_79B9_7F4A_7C15);
    let (mut now, mut arrivals) = (0.0_f64, Vec::with_capacity(SIMULATED_WRITES));
    for _ in 0..SIMULATED_WRITES {
        now += -(1.0 - uniform()).ln() / rate;
        arrivals.push(now);
    }
    let (poll, window) = (STREAM_POLL.as_secs_f64(), window.as_secs_f64());
    let (mut invocations, mut next, mut tick) = (0usize, 0usize, poll);
    let mut opened: Option<f64> = None;
    while next < arrivals.len() {
        if opened.is_none() && arrivals[next] > tick {
            // Nothing waits: on to the first poll that finds the next write.
            tick = (arrivals[next] / poll).ceil() * poll;
        }
        let waiting = arrivals[next..].iter().take_while(|&&at| at <= tick).count();
        if waiting > 0 {
            let opened_at = *opened.get_or_insert(arrivals[next]);
            let full = waiting >= batch_size;
            if full || tick - opened_at >= window {
                let taken = if full { waiting - waiting % batch_size } else { waiting };
                invocations += taken.div_ceil(batch_size);
                next += taken;
                opened = (next < arrivals.len() && arrivals[next] <= tick).then_some(tick);
            }
        }
        tick += poll;
    }
    invocations as f64 * 1000.0 / SIMULATED_WRITES as f64
}

/// Numbers in [0, 1), repeatable from `seed` (xorshift64).
fn uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut random = seed;
    move || {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        (random >> 11) as f64 / (1u64 << 53) as f64
    }
}

async fn poll_until<F, Fut>(check: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Option<()>>,
{
    let deadline = Instant::now() + GIVE_UP;
    while check().await.is_none() {
        assert!(Instant::now() < deadline, "the pipeline did not deliver within {GIVE_UP:?}");
        tokio::time::sleep(POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_batches_only_what_arrives_within_it() {
        let none = Duration::ZERO;
        let second = Duration::from_secs(1);
        // Writes far apart (100 s on average): nearly one invocation each. Random arrivals do
        // meet now and then: two within one poll (0.25 s, about 1 in 400) or one window (1 s,
        // about 1 in 80) share an invocation.
        let apart = publisher_invocations(0.01, none, 100);
        assert!((995.0..=1000.0).contains(&apart), "{apart}");
        let apart_in_window = publisher_invocations(0.01, second, 100);
        assert!((980.0..apart).contains(&apart_in_window), "{apart_in_window}");
        // Writes close together: a window gathers several; the batch size bounds it.
        assert!(publisher_invocations(10.0, second, 100) < publisher_invocations(10.0, none, 100));
        assert!((publisher_invocations(10_000.0, none, 100) - 10.0).abs() < 0.5);
    }
}
