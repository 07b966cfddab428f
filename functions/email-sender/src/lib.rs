//! EventBridge → SES v2: the mails the product sends. At most one mail per event: a delivery
//! record is claimed before sending and completed after, so a redelivered event sends nothing.
//! Every mail is one SES message (its recipients together), so one claim covers it.

pub mod templates;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use lambda_runtime::{Diagnostic, LambdaEvent};

use meshcustomers::App;
use meshcustomers::authorization::Role;
use meshcustomers::config::{self, ConfigError, Environment};
use meshcustomers::diagnostics::diagnostic;
use meshcustomers::domain::{CustomerRole, CustomerStatus, EmailAddress, Membership};
use meshcustomers::events::{DomainEvent, EventPayload, UserAssignedHimself};
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

/// SES takes at most 50 recipients per message.
pub const MAX_RECIPIENTS: usize = 50;

/// A mail to send: recipients (1 to [`MAX_RECIPIENTS`]) and rendered parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: Vec<EmailAddress>,
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
    #[error("the table could not be read or written (recipients, delivery record)")]
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
    let Some(mail) = mail_for(sender, &event).await? else {
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

/// The mail an event causes, if any, with its recipients: named by the event, or read from the
/// table when the event does not name them (the customer's admins, as they are now).
async fn mail_for(sender: &EmailSender, event: &DomainEvent) -> Result<Option<Mail>, MailError> {
    let portal = &sender.settings.portal_base_url;
    match (&event.payload, &event.customer_id) {
        (EventPayload::UserAssignedHimself(joined), Some(customer)) => {
            // One more than a message takes: the user who joined may be an admin now too.
            let admins = sender.store.customer_admins(customer, MAX_RECIPIENTS + 1).await.map_err(MailError::Store)?;
            compose_member_joined(event, joined, &admins, portal).map_err(MailError::Compose)
        }
        _ => compose(event, portal).map_err(MailError::Compose),
    }
}

/// The mail an event causes, if any, for events that name its recipient.
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
            Ok(Some(Mail { to: vec![to], content }))
        }
        _ => Ok(None),
    }
}

/// USER_ASSIGNED_HIMSELF: the customer's admins (but the user who joined) learn who joined, in
/// which role and why. One message to at most [`MAX_RECIPIENTS`] of them; none without an address.
pub fn compose_member_joined(
    event: &DomainEvent,
    joined: &UserAssignedHimself,
    admins: &[Membership],
    portal_base_url: &str,
) -> Result<Option<Mail>, TemplateError> {
    let mut to: Vec<EmailAddress> =
        admins.iter().filter(|admin| admin.user_id != joined.user_id).filter_map(|admin| admin.email.clone()).collect();
    to.sort();
    to.dedup();
    if to.len() > MAX_RECIPIENTS {
        tracing::warn!(admins = to.len(), "more admins than one message takes; the first {MAX_RECIPIENTS} are told");
        to.truncate(MAX_RECIPIENTS);
    }
    if to.is_empty() {
        tracing::info!(event_id = %event.event_id, "the customer has no other admin with an address; no mail sent");
        return Ok(None);
    }
    let who = event.actor.email.as_ref().map_or_else(|| event.actor.user_id.to_string(), ToString::to_string);
    let content = templates::MEMBER_JOINED.render(&[
        ("identifier", event.customer_id.as_ref().map(|id| id.as_str()).unwrap_or_default()),
        ("who", &who),
        ("actorRole", describe_actor_role(event.actor.role)),
        ("role", describe_customer_role(joined.role)),
        ("reason", joined.reason.as_ref().map_or("(none given)", |reason| reason.as_str())),
        ("portalUrl", portal_base_url),
    ])?;
    Ok(Some(Mail { to, content }))
}

fn describe_actor_role(role: Role) -> &'static str {
    match role {
        Role::PlatformAdmin => "platform administrator",
        Role::PartnerAdmin => "partner administrator",
        Role::PartnerEmployee => "partner employee",
        Role::CustomerAdmin | Role::CustomerEmployee | Role::User => "user",
    }
}

fn describe_customer_role(role: CustomerRole) -> &'static str {
    match role {
        CustomerRole::CustomerAdmin => "customer admin",
        CustomerRole::CustomerEmployee => "customer employee",
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
        .destination(
            Destination::builder()
                .set_to_addresses(Some(mail.to.iter().map(|to| to.as_str().to_owned()).collect()))
                .build(),
        )
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
        assert_eq!(mail.to, [EmailAddress::parse("jo@acme.example").unwrap()]);
        assert!(mail.content.subject.contains("Acme"));
        assert!(mail.content.text.contains("(acme)") && mail.content.text.contains("https://p.example"));
    }

    fn member(user: &str, email: Option<&str>) -> Membership {
        Membership::new(
            CustomerIdentifier::parse("acme").unwrap(),
            UserId::parse(user).unwrap(),
            email.map(|e| EmailAddress::parse(e).unwrap()),
            None,
            CustomerRole::CustomerAdmin,
            meshcustomers::domain::JoinedVia::Invitation,
            Utc::now(),
        )
    }

    fn joined(reason: Option<&str>) -> (DomainEvent, UserAssignedHimself) {
        let joined = UserAssignedHimself {
            user_id: UserId::parse("u1").unwrap(),
            role: CustomerRole::CustomerAdmin,
            reason: reason.map(|r| meshcustomers::domain::Reason::parse(r).unwrap()),
        };
        let mut event = event(EventPayload::UserAssignedHimself(joined.clone()), Some("pat@partner.example"));
        event.actor.role = Role::PartnerAdmin;
        (event, joined)
    }

    #[test]
    fn a_partner_user_joining_mails_the_other_admins_in_one_message() {
        let (event, joined) = joined(Some("ticket 4711 <urgent>"));
        let admins = [
            member("u1", Some("pat@partner.example")),
            member("u2", Some("b@acme.example")),
            member("u3", None),
            member("u4", Some("a@acme.example")),
        ];
        let mail = compose_member_joined(&event, &joined, &admins, "https://p.example").unwrap().expect("a mail");
        let to: Vec<&str> = mail.to.iter().map(EmailAddress::as_str).collect();
        assert_eq!(to, ["a@acme.example", "b@acme.example"], "the joiner and admins without an address are left out");
        assert_eq!(mail.content.subject, "pat@partner.example joined your customer account acme");
        assert!(mail.content.text.contains("a partner administrator of your service partner"), "{}", mail.content.text);
        assert!(mail.content.text.contains("as customer admin") && mail.content.text.contains("ticket 4711 <urgent>"));
        assert!(mail.content.html.contains("ticket 4711 &lt;urgent&gt;"));

        let (event, joined) = self::joined(None);
        let mail = compose_member_joined(&event, &joined, &admins, "https://p.example").unwrap().unwrap();
        assert!(mail.content.text.contains("Reason given: (none given)"));
    }

    #[test]
    fn one_message_takes_at_most_fifty_admins_and_nobody_means_no_mail() {
        let (event, joined) = joined(None);
        let many: Vec<Membership> =
            (0..60).map(|n| member(&format!("admin-{n}"), Some(&format!("admin-{n:02}@acme.example")))).collect();
        let mail = compose_member_joined(&event, &joined, &many, "https://p.example").unwrap().unwrap();
        assert_eq!(mail.to.len(), MAX_RECIPIENTS);
        let only_the_joiner = [member("u1", Some("pat@partner.example")), member("u2", None)];
        assert_eq!(compose_member_joined(&event, &joined, &only_the_joiner, "https://p.example"), Ok(None));
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
