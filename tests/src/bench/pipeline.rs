//! Section 5: pipeline delay on the local cloud (`local-cloud dev` as `make dev` runs it, its
//! functions the debug builds, DynamoDB in memory). Each write is a registration over HTTP (its
//! answer is the start); then, polled every [`POLL`] at once, its CUSTOMER_REGISTERED entry in
//! `GET /customers/{id}/events` (stream → publisher → bus → audit writer) and its "being verified"
//! mail in the SES emulator's store (bus → email sender → SES). One write at a time, so no write
//! waits behind another.

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

pub async fn rows(sizes: &Sizes) -> Vec<Row> {
    let cloud = RunningCloud::start().await;
    let client = reqwest::Client::new();
    let admin = cloud.token(claims("olivia", "olivia@platform.example", &["platform-admins"], None)).await;
    let (mut to_history, mut to_mail) = (Vec::new(), Vec::new());
    for n in 0..sizes.pipeline_writes {
        let (user, email, customer) = (format!("pipe-{n}"), format!("pipe-{n}@shop.example"), format!("pipe-co-{n}"));
        let token = cloud.token(claims(&user, &email, &[], None)).await;
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
        Row::new(SECTION, subject)
            .figure("p50", percentile(samples, 50.0), "ms")
            .figure("p95", percentile(samples, 95.0), "ms")
            .figure("max", percentile(samples, 100.0), "ms")
            .figure("writes", samples.len() as f64, "writes")
    };
    vec![
        row("registration → history entry visible (debug functions)", &to_history),
        row("registration → mail in the SES store (debug functions)", &to_mail),
    ]
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
