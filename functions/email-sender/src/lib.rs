//! EventBridge → SES v2: the mails the product sends. At most one mail per event: a delivery
//! record is claimed before sending and completed after, so a redelivered event sends nothing.

pub mod templates;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use lambda_runtime::LambdaEvent;

use meshcustomers::config::Config;
use meshcustomers::domain::{CustomerStatus, EmailAddress};
use meshcustomers::events::{DomainEvent, EventPayload};
use meshcustomers::store::{DeliveryClaim, Store};
use templates::RenderedMail;

pub struct EmailSender {
    pub store: Store,
    pub ses: aws_sdk_sesv2::Client,
    pub from: EmailAddress,
    pub portal_base_url: String,
}

impl EmailSender {
    pub fn new(store: Store, ses: aws_sdk_sesv2::Client, config: &Config) -> Self {
        Self { store, ses, from: config.email_from.clone(), portal_base_url: config.portal_base_url.clone() }
    }
}

/// A mail to send: recipient and rendered parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: EmailAddress,
    pub content: RenderedMail,
}

pub async fn handle(sender: &EmailSender, event: LambdaEvent<EventBridgeEvent>) -> Result<(), lambda_runtime::Error> {
    let event: DomainEvent = serde_json::from_value(event.payload.detail)?;
    let Some(mail) = compose(&event, &sender.portal_base_url)? else {
        return Ok(());
    };
    match sender.store.claim_delivery(event.event_id).await? {
        DeliveryClaim::Claimed => {}
        DeliveryClaim::AlreadySent => {
            tracing::info!(event_id = %event.event_id, "redelivered; the mail was already sent");
            return Ok(());
        }
        // Failing makes Lambda retry later, when the other invocation has finished or its lease ran out.
        DeliveryClaim::InProgress => {
            return Err(format!("mail for event {} is being sent by another invocation", event.event_id).into());
        }
    }
    match send(sender, &mail).await {
        Ok(message_id) => {
            sender.store.complete_delivery(event.event_id, &message_id).await?;
            tracing::info!(event_id = %event.event_id, %message_id, "mail sent");
            Ok(())
        }
        Err(error) => {
            sender.store.release_delivery(event.event_id).await?;
            Err(error)
        }
    }
}

/// The mail an event causes, if any.
pub fn compose(event: &DomainEvent, portal_base_url: &str) -> Result<Option<Mail>, String> {
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

async fn send(sender: &EmailSender, mail: &Mail) -> Result<String, lambda_runtime::Error> {
    let utf8 = |data: &str| Content::builder().data(data).charset("UTF-8").build();
    let message = Message::builder()
        .subject(utf8(&mail.content.subject)?)
        .body(Body::builder().text(utf8(&mail.content.text)?).html(utf8(&mail.content.html)?).build())
        .build();
    let output = sender
        .ses
        .send_email()
        .from_email_address(sender.from.as_str())
        .destination(Destination::builder().to_addresses(mail.to.as_str()).build())
        .content(EmailContent::builder().simple(message).build())
        .send()
        .await?;
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
