//! How Lambda's event source mapping hands a stream batch to a function and retries it: partial
//! batch responses retry from the first failed record (keeping order), a function error splits
//! the batch in two when `BisectBatchOnFunctionError` is set (splitting does not count as a
//! retry), and records past `MaximumRetryAttempts` or `MaximumRecordAgeInSeconds` are given up.

use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::lambda::invoke::InvokeError;
use crate::stream::records::sequence_number;
use crate::template::StreamSource;

/// Records the mapping gave up on, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct GivenUp {
    pub records: Vec<Value>,
    pub reason: String,
}

/// The wait before retry `n` (1-based): from 1 s, doubling, at most a minute.
pub fn retry_delay(retry: u32, base: Duration) -> Duration {
    base.saturating_mul(2u32.saturating_pow(retry.saturating_sub(1).min(16))).min(Duration::from_secs(60))
}

enum Failure {
    /// The function failed as a whole (error, or a batch response Lambda cannot use).
    Whole(String),
    /// The function reported records failed; the retry starts at this index.
    From(usize),
}

/// Delivers `records` (in stream order, already filtered, at most a batch) until each one is
/// processed or given up.
pub async fn deliver<Invocation>(
    source: &StreamSource,
    records: Vec<Value>,
    invoke: impl Fn(Vec<Value>) -> Invocation,
    retry_base: Duration,
) -> Vec<GivenUp>
where
    Invocation: Future<Output = Result<Value, InvokeError>>,
{
    let mut given_up = Vec::new();
    // (batch, retries so far); the front is always the oldest unprocessed records.
    let mut pending: VecDeque<(Vec<Value>, u32)> = VecDeque::from([(records, 0)]);
    while let Some((batch, retries)) = pending.pop_front() {
        let (expired, batch) = split_expired(batch, source.maximum_record_age, SystemTime::now());
        if !expired.is_empty() {
            given_up.push(GivenUp { records: expired, reason: "older than MaximumRecordAgeInSeconds".into() });
        }
        if batch.is_empty() {
            continue;
        }
        let failure = match invoke(batch.clone()).await {
            Ok(output) if source.report_batch_item_failures => match first_failed(&output, &batch) {
                Ok(None) => None,
                Ok(Some(index)) => Some(Failure::From(index)),
                Err(reason) => Some(Failure::Whole(reason)),
            },
            Ok(_) => None,
            Err(error) => Some(Failure::Whole(error.to_string())),
        };
        let (batch, reason) = match failure {
            None => continue,
            Some(Failure::Whole(reason)) if source.bisect_on_error && batch.len() > 1 => {
                tracing::warn!(%reason, records = batch.len(), "function error: bisecting the batch");
                let mut first = batch;
                let second = first.split_off(first.len() / 2);
                pending.push_front((second, retries));
                pending.push_front((first, retries));
                continue;
            }
            Some(Failure::Whole(reason)) => (batch, reason),
            Some(Failure::From(index)) => {
                (batch[index..].to_vec(), format!("the function reported record {index} of the batch as failed"))
            }
        };
        if source.maximum_retry_attempts.is_some_and(|maximum| retries >= maximum) {
            given_up.push(GivenUp { records: batch, reason: format!("{reason} (after {retries} retries)") });
            continue;
        }
        let wait = retry_delay(retries + 1, retry_base);
        tracing::warn!(%reason, retry = retries + 1, ?wait, "retrying the batch");
        tokio::time::sleep(wait).await;
        pending.push_front((batch, retries + 1));
    }
    given_up
}

/// The position of the first record the response names, `None` when it names none; an
/// identifier that is empty or not in the batch fails the whole batch, as Lambda does.
fn first_failed(output: &Value, batch: &[Value]) -> Result<Option<usize>, String> {
    let failures = match output.get("batchItemFailures") {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Array(failures)) => failures,
        Some(other) => return Err(format!("batchItemFailures is not a list: {other}")),
    };
    let positions = failures.iter().map(|failure| {
        let identifier = failure.get("itemIdentifier").and_then(Value::as_str).filter(|id| !id.is_empty());
        identifier
            .and_then(|id| batch.iter().position(|record| sequence_number(record) == Some(id)))
            .ok_or_else(|| format!("batchItemFailures names {failure}, which is not a record of the batch"))
    });
    positions.collect::<Result<Vec<_>, _>>().map(|positions| positions.into_iter().min())
}

/// Records older than the maximum age (by `ApproximateCreationDateTime`), and the rest.
fn split_expired(batch: Vec<Value>, maximum_age: Option<Duration>, now: SystemTime) -> (Vec<Value>, Vec<Value>) {
    let Some(maximum_age) = maximum_age else { return (Vec::new(), batch) };
    let oldest_allowed = now.checked_sub(maximum_age).unwrap_or(SystemTime::UNIX_EPOCH);
    batch.into_iter().partition(|record| {
        record["dynamodb"]["ApproximateCreationDateTime"]
            .as_f64()
            .is_some_and(|created| SystemTime::UNIX_EPOCH + Duration::from_secs_f64(created.max(0.0)) < oldest_allowed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Mutex;

    fn source(report: bool, bisect: bool, retries: Option<u32>) -> StreamSource {
        StreamSource {
            table: "Table".into(),
            batch_size: 100,
            batching_window: Duration::ZERO,
            report_batch_item_failures: report,
            bisect_on_error: bisect,
            maximum_retry_attempts: retries,
            maximum_record_age: Some(Duration::from_secs(3600)),
            trim_horizon: true,
            filters: vec![],
        }
    }

    fn records(sequence: &[u32]) -> Vec<Value> {
        let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
        sequence
            .iter()
            .map(|n| json!({"dynamodb": {"SequenceNumber": n.to_string(), "ApproximateCreationDateTime": now}}))
            .collect()
    }

    fn numbers(batch: &[Value]) -> Vec<u32> {
        batch.iter().map(|record| sequence_number(record).unwrap().parse().unwrap()).collect()
    }

    /// A function that fails on the given records and remembers every batch it was given.
    struct Function {
        poison: Vec<u32>,
        partial: bool,
        calls: Mutex<Vec<Vec<u32>>>,
    }

    impl Function {
        fn new(poison: &[u32], partial: bool) -> Self {
            Self { poison: poison.to_vec(), partial, calls: Mutex::default() }
        }

        async fn invoke(&self, batch: &[Value]) -> Result<Value, InvokeError> {
            let batch = numbers(batch);
            self.calls.lock().unwrap().push(batch.clone());
            let failed: Vec<&u32> = batch.iter().filter(|n| self.poison.contains(n)).collect();
            if failed.is_empty() {
                Ok(json!({"batchItemFailures": []}))
            } else if self.partial {
                Ok(
                    json!({"batchItemFailures": failed.iter().map(|n| json!({"itemIdentifier": n.to_string()})).collect::<Vec<_>>()}),
                )
            } else {
                Err(InvokeError::Function { function: "f".into(), error_type: "Poison".into(), message: "x".into() })
            }
        }

        fn calls(&self) -> Vec<Vec<u32>> {
            self.calls.lock().unwrap().clone()
        }
    }

    #[tokio::test]
    async fn a_partial_failure_retries_from_the_first_failed_record_in_order() {
        let function = Function::new(&[3, 5], true);
        let given_up = deliver(
            &source(true, true, Some(2)),
            records(&[1, 2, 3, 4, 5, 6]),
            |b| {
                let function = &function;
                async move { function.invoke(&b).await }
            },
            Duration::ZERO,
        )
        .await;
        // Retried from 3 (the lowest failed) twice, then records 3..6 are given up.
        assert_eq!(function.calls(), [vec![1, 2, 3, 4, 5, 6], vec![3, 4, 5, 6], vec![3, 4, 5, 6]]);
        assert_eq!(given_up.len(), 1);
        assert_eq!(numbers(&given_up[0].records), [3, 4, 5, 6]);
        assert!(given_up[0].reason.contains("after 2 retries"), "{}", given_up[0].reason);
    }

    #[tokio::test]
    async fn a_function_error_bisects_until_the_poison_record_is_alone() {
        let function = Function::new(&[3], false);
        let given_up = deliver(
            &source(true, true, Some(1)),
            records(&[1, 2, 3, 4]),
            |b| {
                let function = &function;
                async move { function.invoke(&b).await }
            },
            Duration::ZERO,
        )
        .await;
        assert_eq!(function.calls(), [vec![1, 2, 3, 4], vec![1, 2], vec![3, 4], vec![3], vec![3], vec![4]]);
        assert_eq!(given_up.iter().map(|g| numbers(&g.records)).collect::<Vec<_>>(), [vec![3]]);
    }

    #[tokio::test]
    async fn without_bisect_the_whole_batch_is_retried_and_given_up() {
        let function = Function::new(&[2], false);
        let given_up = deliver(
            &source(true, false, Some(1)),
            records(&[1, 2]),
            |b| {
                let function = &function;
                async move { function.invoke(&b).await }
            },
            Duration::ZERO,
        )
        .await;
        assert_eq!(function.calls(), [vec![1, 2], vec![1, 2]]);
        assert_eq!(numbers(&given_up[0].records), [1, 2]);
    }

    #[tokio::test]
    async fn an_identifier_outside_the_batch_fails_the_whole_batch() {
        let calls = Mutex::new(0);
        let invalid = |_: Vec<Value>| {
            *calls.lock().unwrap() += 1;
            async { Ok(json!({"batchItemFailures": [{"itemIdentifier": "999"}]})) }
        };
        let given_up = deliver(&source(true, false, Some(0)), records(&[1, 2]), invalid, Duration::ZERO).await;
        assert_eq!(*calls.lock().unwrap(), 1);
        assert!(given_up[0].reason.contains("not a record of the batch"), "{}", given_up[0].reason);
    }

    #[tokio::test]
    async fn without_report_batch_item_failures_a_response_is_success() {
        let function = Function::new(&[1], true);
        let given_up = deliver(
            &source(false, true, Some(0)),
            records(&[1, 2]),
            |b| {
                let function = &function;
                async move { function.invoke(&b).await }
            },
            Duration::ZERO,
        )
        .await;
        assert!(given_up.is_empty());
        assert_eq!(function.calls().len(), 1);
    }

    #[tokio::test]
    async fn expired_records_are_given_up_without_invoking() {
        let function = Function::new(&[], true);
        let mut old = records(&[1]);
        old[0]["dynamodb"]["ApproximateCreationDateTime"] = json!(1_000);
        let given_up = deliver(
            &source(true, true, None),
            old,
            |b| {
                let function = &function;
                async move { function.invoke(&b).await }
            },
            Duration::ZERO,
        )
        .await;
        assert!(function.calls().is_empty());
        assert!(given_up[0].reason.contains("MaximumRecordAgeInSeconds"));
    }

    #[test]
    fn retries_back_off_exponentially_up_to_a_minute() {
        let base = Duration::from_secs(1);
        assert_eq!([1, 2, 3, 10].map(|n| retry_delay(n, base).as_secs()), [1, 2, 4, 60]);
    }
}
