//! EventBridge → SES v2: the mails the product sends. At most one mail per event: a delivery
//! record is claimed before sending and completed after, so a redelivered event sends nothing.

pub mod templates;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use lambda_runtime::{Diagnostic, LambdaEvent};

use meshcustomers::App;
use meshcustomers::config::{self, ConfigError, Environment};
use meshcustomers::diagnostics::diagnostic;
use meshcustomers::domain::{CustomerStatus, EmailAddress};
use meshcustomers::events::{DomainEvent, EventPayload};
use meshcustomers::store::{Completion, DeliveryClaim, Store, StoreError};
use templates::{RenderedMail, TemplateError};

pub struct Settings {
    pub email_from: EmailAddress,
    /// Links in mails are built from it.
    pub portal_base_url: String,
}

impl config::Settings for Settings {
    fn read(environment: &Environment) -> Result<Self, ConfigError> {
        Ok(Self {
            email_from: config::email_from(environment)?,
            portal_base_url: config::portal_base_url(environment)?,
        })
    }
}

pub struct EmailSender {
    pub store: Store,
    pub ses: aws_sdk_sesv2::Client,
    pub settings: Settings,
}

impl EmailSender {
    pub fn new(app: App<Settings>, ses: aws_sdk_sesv2::Client) -> Self {
        Self { store: app.store, ses, settings: app.settings }
    }
}

/// A mail to send: recipient and rendered parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: EmailAddress,
    pub content: RenderedMail,
}

/// Why an event's mail was not sent; Lambda's retries and the failure queue take it from here.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the event's detail is not a domain event")]
    Event(#[source] serde_json::Error),
    #[error("the mail could not be composed")]
    Compose(#[source] TemplateError),
    #[error("another invocation is sending this event's mail right now")]
    InProgress,
    #[error("the delivery record could not be read or written")]
    Store(#[source] StoreError),
    #[error("SES did not take the mail")]
    Send(#[source] Box<aws_sdk_sesv2::Error>),
    #[error("a part of the mail could not be built")]
    Build(#[source] aws_sdk_sesv2::error::BuildError),
}

impl From<MailError> for Diagnostic {
    fn from(error: MailError) -> Self {
        let error_type = match &error {
            MailError::Event(_) => "MailError::Event",
            MailError::Compose(_) => "MailError::Compose",
            MailError::InProgress => "MailError::InProgress",
            MailError::Store(_) => "MailError::Store",
            MailError::Send(_) => "MailError::Send",
            MailError::Build(_) => "MailError::Build",
        };
        diagnostic(error_type, &error)
    }
}

#[tracing::instrument(skip_all, fields(event_id))]
pub async fn handle(sender: &EmailSender, event: LambdaEvent<EventBridgeEvent>) -> Result<(), MailError> {
    let event: DomainEvent = serde_json::from_value(event.payload.detail).map_err(MailError::Event)?;
    tracing::Span::current().record("event_id", tracing::field::display(event.event_id));
    let Some(mail) = compose(&event, &sender.settings.portal_base_url).map_err(MailError::Compose)? else {
        return Ok(());
    };
    let claim = match sender.store.claim_delivery(event.event_id).await.map_err(MailError::Store)? {
        DeliveryClaim::Claimed(claim) => claim,
        DeliveryClaim::AlreadySent => {
            tracing::info!("redelivered; the mail was already sent");
            return Ok(());
        }
        // Failing makes Lambda retry later, when the other invocation has finished or its lease ran out.
        DeliveryClaim::InProgress => return Err(MailError::InProgress),
    };
    let message_id = match send(sender, &mail).await {
        Ok(message_id) => message_id,
        Err(error) => {
            sender.store.release_delivery(&claim).await.map_err(MailError::Store)?;
            return Err(error);
        }
    };
    // The mail is out: whatever happens to its record, failing now would only make a retry send
    // it again sooner. The record's lease bounds that to a redelivery after it runs out.
    match sender.store.complete_delivery(&claim, &message_id).await {
        Ok(Completion::Recorded) => tracing::info!(%message_id, "mail sent"),
        Ok(Completion::ClaimLost) => {
            tracing::warn!(%message_id, "mail sent after its claim's lease ran out; another delivery may send it again")
        }
        Err(error) => tracing::error!(
            %message_id,
            error = %meshcustomers::diagnostics::error_chain(&error),
            "mail sent but not recorded; a redelivery after the lease may send it again"
        ),
    }
    Ok(())
}

/// The mail an event causes, if any.
pub fn compose(event: &DomainEvent, portal_base_url: &str) -> Result<Option<Mail>, TemplateError> {
    match &event.payload {
        EventPayload::CustomerRegistered(customer) if customer.status == CustomerStatus::PendingApproval => {
            let Some(to) = event.actor.email.clone() else {
                tracing::warn!(event_id = %event.event_id, "registrant has no e-mail address; no mail sent");
                return Ok(None);
            };
            let identifier = event.customer_id.as_ref().map(|id| id.as_str()).unwrap_or_default();
            let content = templates::REGISTRATION_RECEIVED.render(&[
                ("displayName", &customer.display_name),
                ("identifier", identifier),
                ("portalUrl", portal_base_url),
            ])?;
            Ok(Some(Mail { to, content }))
        }
        _ => Ok(None),
    }
}

async fn send(sender: &EmailSender, mail: &Mail) -> Result<String, MailError> {
    let utf8 = |data: &str| Content::builder().data(data).charset("UTF-8").build().map_err(MailError::Build);
    let message = Message::builder()
        .subject(utf8(&mail.content.subject)?)
        .body(Body::builder().text(utf8(&mail.content.text)?).html(utf8(&mail.content.html)?).build())
        .build();
    let output = sender
        .ses
        .send_email()
        .from_email_address(sender.settings.email_from.as_str())
        .destination(Destination::builder().to_addresses(mail.to.as_str()).build())
        .content(EmailContent::builder().simple(message).build())
        .send()
        .await
        .map_err(|error| MailError::Send(Box::new(error.into())))?;
    Ok(output.message_id().unwrap_or_default().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use meshcustomers::authorization::Role;
    use meshcustomers::domain::{CustomerIdentifier, PartnerId, UserId};
    use meshcustomers::events::{Actor, Change, CustomerSnapshot};

    fn event(payload: EventPayload, email: Option<&str>) -> DomainEvent {
        let actor = Actor {
            user_id: UserId::parse("u1").unwrap(),
            email: email.map(|e| EmailAddress::parse(e).unwrap()),
            role: Role::User,
        };
        DomainEvent::new(&CustomerIdentifier::parse("acme").unwrap(), actor, Utc::now(), payload)
    }

    fn registered(status: CustomerStatus) -> EventPayload {
        EventPayload::CustomerRegistered(CustomerSnapshot {
            display_name: "Acme".into(),
            status,
            managing_partner_id: PartnerId::parse("default").unwrap(),
            project_quota: 5,
            tags: Default::default(),
        })
    }

    #[test]
    fn a_pending_registration_mails_the_registrant() {
        let mail =
            compose(&event(registered(CustomerStatus::PendingApproval), Some("jo@acme.example")), "https://p.example")
                .unwrap()
                .expect("a mail");
        assert_eq!(mail.to.as_str(), "jo@acme.example");
        assert!(mail.content.subject.contains("Acme"));
        assert!(mail.content.text.contains("(acme)") && mail.content.text.contains("https://p.example"));
    }

    #[test]
    fn other_events_mail_nobody() {
        let portal = "https://p.example";
        assert_eq!(compose(&event(registered(CustomerStatus::Active), Some("jo@acme.example")), portal), Ok(None));
        assert_eq!(compose(&event(registered(CustomerStatus::PendingApproval), None), portal), Ok(None));
        let quota = EventPayload::CustomerQuotaEdited(Change { from: 1, to: 2 });
        assert_eq!(compose(&event(quota, Some("jo@acme.example")), portal), Ok(None));
    }
}
