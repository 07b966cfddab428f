//! The event source mapping's poller: reads the table's stream from DynamoDB Local shard by
//! shard (parents before children, four polls a second as Lambda does), keeps the records the
//! template's FilterCriteria match, batches them by `BatchSize` and `MaximumBatchingWindowInSeconds`,
//! and delivers each batch before reading on, so a shard's records reach the function in order.
//! Its position is checkpointed per shard, so a restart resumes where it stopped.

pub mod mapping;
pub mod records;

use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use serde_json::{Value, json};
use tokio::sync::watch;

use crate::dead_letters::DeadLetters;
use crate::lambda::invoke::Lambda;
use crate::stream::mapping::deliver;
use crate::stream::records::{lambda_record, sequence_number};
use crate::template::StreamSource;
use meshcustomers::diagnostics::error_chain;

const POLL_INTERVAL: Duration = Duration::from_millis(250);

pub struct StreamPump {
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub streams: aws_sdk_dynamodbstreams::Client,
    pub table: String,
    pub function: String,
    pub source: StreamSource,
    pub lambda: Lambda,
    pub dead_letters: Arc<DeadLetters>,
    /// Where the position is kept between runs; `None` = start from the StartingPosition.
    pub checkpoint_file: Option<PathBuf>,
    pub retry_base: Duration,
}

/// Why a pass over the stream failed; the pump logs it and tries again.
#[derive(Debug, thiserror::Error)]
enum StreamError {
    #[error("DescribeTable {table} failed")]
    DescribeTable {
        table: String,
        #[source]
        source: Box<aws_sdk_dynamodb::Error>,
    },
    #[error("the table {table} has no stream")]
    NoStream { table: String },
    #[error("DescribeStream {stream_arn} failed")]
    DescribeStream {
        stream_arn: String,
        #[source]
        source: Box<aws_sdk_dynamodbstreams::Error>,
    },
    #[error("GetShardIterator for shard {shard} failed")]
    GetShardIterator {
        shard: String,
        #[source]
        source: Box<aws_sdk_dynamodbstreams::Error>,
    },
    #[error("GetRecords on shard {shard} failed")]
    GetRecords {
        shard: String,
        #[source]
        source: Box<aws_sdk_dynamodbstreams::Error>,
    },
}

/// Per shard, the sequence number of the last record done with.
type Checkpoints = BTreeMap<String, String>;

impl StreamPump {
    /// Runs until `stop` turns true; errors from the stream are logged and retried.
    pub async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut checkpoints = self.load_checkpoints();
        let mut finished: HashSet<String> = HashSet::new();
        let observer = stop.clone();
        loop {
            let pass = self.pass(&mut checkpoints, &mut finished, &observer);
            let outcome = tokio::select! {
                outcome = pass => outcome,
                _ = stop.wait_for(|stopped| *stopped) => return,
            };
            match outcome {
                Ok(true) => {}
                Ok(false) => tokio::time::sleep(POLL_INTERVAL).await,
                Err(error) => {
                    let error = error_chain(&error);
                    tracing::warn!(function = self.function, %error, "reading the stream failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    /// Reads every open shard once; true when it found records.
    async fn pass(
        &self,
        checkpoints: &mut Checkpoints,
        finished: &mut HashSet<String>,
        stop: &watch::Receiver<bool>,
    ) -> Result<bool, StreamError> {
        let table = self.dynamodb.describe_table().table_name(&self.table).send().await.map_err(|error| {
            StreamError::DescribeTable { table: self.table.clone(), source: Box::new(error.into()) }
        })?;
        let stream_arn = table
            .table()
            .and_then(|t| t.latest_stream_arn())
            .ok_or_else(|| StreamError::NoStream { table: self.table.clone() })?
            .to_owned();
        let description = self.streams.describe_stream().stream_arn(&stream_arn).send().await.map_err(|error| {
            StreamError::DescribeStream { stream_arn: stream_arn.clone(), source: Box::new(error.into()) }
        })?;
        let shards = description.stream_description().map(|d| d.shards().to_vec()).unwrap_or_default();
        let mut found = false;
        for shard in &shards {
            let id = shard.shard_id().unwrap_or_default();
            let parent_pending = shard.parent_shard_id().is_some_and(|parent| {
                shards.iter().any(|s| s.shard_id() == Some(parent)) && !finished.contains(parent)
            });
            if finished.contains(id) || parent_pending {
                continue;
            }
            let (read, closed) = self.read_shard(&stream_arn, id, checkpoints, stop).await?;
            found |= read;
            if closed {
                finished.insert(id.to_owned());
            }
        }
        Ok(found)
    }

    /// Reads the shard from its checkpoint to its current end, delivering as it goes.
    async fn read_shard(
        &self,
        stream_arn: &str,
        shard: &str,
        checkpoints: &mut Checkpoints,
        stop: &watch::Receiver<bool>,
    ) -> Result<(bool, bool), StreamError> {
        let request = self.streams.get_shard_iterator().stream_arn(stream_arn).shard_id(shard);
        let request = match checkpoints.get(shard) {
            Some(sequence) => {
                request.shard_iterator_type(ShardIteratorType::AfterSequenceNumber).sequence_number(sequence)
            }
            None if self.source.trim_horizon => request.shard_iterator_type(ShardIteratorType::TrimHorizon),
            None => request.shard_iterator_type(ShardIteratorType::Latest),
        };
        let mut iterator = request
            .send()
            .await
            .map_err(|error| StreamError::GetShardIterator { shard: shard.to_owned(), source: Box::new(error.into()) })?
            .shard_iterator;
        let (mut batch, mut batch_started, mut read_any) = (Vec::new(), Instant::now(), false);
        let mut last_read: Option<String> = None;
        while let Some(current) = iterator.take() {
            let output =
                self.streams.get_records().shard_iterator(current).send().await.map_err(|error| {
                    StreamError::GetRecords { shard: shard.to_owned(), source: Box::new(error.into()) }
                })?;
            let reached_end = output.records().is_empty();
            iterator = output.next_shard_iterator.clone();
            for record in output.records() {
                let record = lambda_record(record, stream_arn);
                last_read = sequence_number(&record).map(str::to_owned);
                read_any = true;
                if self.matches(&record) {
                    if batch.is_empty() {
                        batch_started = Instant::now();
                    }
                    batch.push(record);
                }
                if batch.len() == self.source.batch_size {
                    self.deliver(std::mem::take(&mut batch)).await;
                    self.checkpoint(checkpoints, shard, last_read.clone());
                }
            }
            // At the shard's current end: wait out the batching window for more, then deliver.
            if reached_end {
                if batch.is_empty() || batch_started.elapsed() >= self.source.batching_window || *stop.borrow() {
                    break;
                }
                tokio::time::sleep(POLL_INTERVAL).await;
            }
        }
        if !batch.is_empty() {
            self.deliver(batch).await;
        }
        self.checkpoint(checkpoints, shard, last_read);
        Ok((read_any, iterator.is_none()))
    }

    fn matches(&self, record: &Value) -> bool {
        self.source.filters.is_empty() || self.source.filters.iter().any(|filter| filter.matches(record))
    }

    async fn deliver(&self, batch: Vec<Value>) {
        let invoke = |records: Vec<Value>| async move {
            self.lambda.invoke(&self.function, &json!({ "Records": records })).await
        };
        for given_up in deliver(&self.source, batch, invoke, self.retry_base).await {
            let payload = json!({ "Records": given_up.records });
            self.dead_letters.put(&self.function, "stream", &given_up.reason, payload).await;
        }
    }

    fn checkpoint(&self, checkpoints: &mut Checkpoints, shard: &str, sequence: Option<String>) {
        let Some(sequence) = sequence else { return };
        checkpoints.insert(shard.to_owned(), sequence);
        if let Some(file) = &self.checkpoint_file {
            let text = serde_json::to_string_pretty(&*checkpoints).expect("checkpoints serialize");
            if let Err(error) = std::fs::write(file, text) {
                tracing::warn!(file = %file.display(), %error, "could not keep the stream position");
            }
        }
    }

    fn load_checkpoints(&self) -> Checkpoints {
        let Some(file) = &self.checkpoint_file else { return Checkpoints::new() };
        std::fs::read_to_string(file).ok().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or_default()
    }
}
