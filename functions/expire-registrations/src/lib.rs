//! The schedule's sweep (hourly, in the template): declines, as the system, every
//! self-registration that has waited for approval longer than `REGISTRATION_TTL_DAYS`, exactly
//! as a partner's rejection does (CUSTOMER_REJECTED with actor role SYSTEM, the registrant
//! mailed the reason, the identifier free again).

use chrono::{DateTime, Duration, Utc};
use lambda_runtime::LambdaEvent;
use serde::Serialize;

use meshcustomers::App;
use meshcustomers::change::{DomainError, IfMatch, Loaded, Outcome, Refusal, change};
use meshcustomers::config::{self, ConfigError, Environment};
use meshcustomers::diagnostics::error_chain;
use meshcustomers::domain::{CustomerIdentifier, CustomerStatus, Reason};
use meshcustomers::events::{Actor, CustomerRejected, DomainEvent, EventPayload};
use meshcustomers::sweep::SweepError;

/// Registrations declined per run at most: two round trips each keep a run well within its
/// timeout; the next run takes the rest.
pub const MAX_PER_RUN: usize = 200;

pub struct Settings {
    pub registration_ttl: Duration,
}

impl config::Settings for Settings {
    fn read(environment: &Environment) -> Result<Self, ConfigError> {
        Ok(Self { registration_ttl: config::registration_ttl(environment)? })
    }
}

/// What a run did: the invocation's answer (in the local cloud's on-demand run too).
#[derive(Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Sweep {
    /// Declined in this run.
    pub expired: Vec<CustomerIdentifier>,
    /// Approved, declined or changed by someone else between the search and the removal.
    pub moved_on: Vec<CustomerIdentifier>,
}

/// The schedule's event is not read: a run declines what has expired by its own clock.
#[tracing::instrument(skip_all)]
pub async fn handle(app: &App<Settings>, _event: LambdaEvent<serde_json::Value>) -> Result<Sweep, SweepError> {
    sweep(app, Utc::now()).await
}

/// Declines the registrations older than the TTL at `now`.
pub async fn sweep(app: &App<Settings>, now: DateTime<Utc>) -> Result<Sweep, SweepError> {
    let ttl = app.settings.registration_ttl;
    let cutoff = now - ttl;
    let candidates = app
        .store
        .pending_registrations_before(&cutoff, MAX_PER_RUN)
        .await
        .map_err(SweepError::listing("the pending registrations"))?;
    let reason = Reason::parse(&format!("The registration was not reviewed within {} days.", ttl.num_days()))
        .expect("a valid reason");
    let mut sweep = Sweep { expired: Vec::new(), moved_on: Vec::new() };
    let mut failed = 0;
    for identifier in candidates {
        let load = || async {
            let pending = app.store.pending_customer(&identifier).await?;
            let pending = pending.ok_or_else(|| Refusal::CustomerNotFound(identifier.clone()))?;
            Ok(Loaded::new(&app.store, pending))
        };
        let removed = change(&app.store, &IfMatch::Any, None, load, |pending, changes| {
            // Decided on what is stored now: the index may lag behind an approval.
            if pending.customer.created_at >= cutoff {
                return Err(Refusal::RegistrationNotExpired(identifier.clone()).into());
            }
            if pending.customer.status != CustomerStatus::PendingApproval {
                let status = pending.customer.status;
                return Err(Refusal::CustomerNotPending { customer: identifier.clone(), status }.into());
            }
            let registrant_email = pending.registrant().and_then(|member| member.email.clone());
            let rejected = CustomerRejected::new(&pending.customer, registrant_email, reason.clone());
            let event = DomainEvent::new(&identifier, Actor::system(), now, EventPayload::CustomerRejected(rejected));
            changes.remove_pending_customer(pending, event)?;
            Ok(Outcome::Write(()))
        })
        .await;
        match removed {
            Ok(()) => {
                tracing::info!(customer = %identifier, "expired registration declined");
                sweep.expired.push(identifier);
            }
            // Gone, approved, younger by what is stored now, or changing all along.
            Err(DomainError::Refused(_)) => sweep.moved_on.push(identifier),
            Err(error) => {
                tracing::error!(customer = %identifier, error = %error_chain(&error), "an expired registration was not declined");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        return Err(SweepError::Remove { failed, what: "expired registration(s)", done: "declined" });
    }
    Ok(sweep)
}
