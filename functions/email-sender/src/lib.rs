//! EventBridge → SES v2: the mails the product sends. At most one mail per event: a delivery
//! record is claimed before sending and completed after, so a redelivered event sends nothing.
//! The e-mail confirmation link is minted here, when its mail is sent, so that its token is in
//! the mail and nowhere else (the table keeps only its hash).

pub mod templates;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use chrono::{Duration, Utc};
use lambda_runtime::{Diagnostic, LambdaEvent};

use meshcustomers::App;
use meshcustomers::config::{self, ConfigError, Environment};
use meshcustomers::diagnostics::diagnostic;
use meshcustomers::domain::{
    CustomerIdentifier, CustomerStatus, EmailAddress, EmailConfirmation, LinkToken, PartnerId, RandomSourceError,
    UserId,
};
use meshcustomers::events::{DomainEvent, EventPayload};
use meshcustomers::store::{Completion, DeliveryClaim, LinkStart, Store, StoreError};
use templates::{RenderedMail, TemplateError};

pub struct Settings {
    pub email_from: EmailAddress,
    /// Links in mails are built from it.
    pub portal_base_url: String,
    /// How long an e-mail confirmation link stays valid.
    pub email_confirmation_ttl: Duration,
}

impl config::Settings for Settings {
    fn read(environment: &Environment) -> Result<Self, ConfigError> {
        Ok(Self {
            email_from: config::email_from(environment)?,
            portal_base_url: config::portal_base_url(environment)?,
            email_confirmation_ttl: config::email_confirmation_ttl(environment)?,
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

/// A mail to send: recipient and rendered parts. Its content may hold a link's token: never log it.
#[derive(Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: EmailAddress,
    pub content: RenderedMail,
}

/// The mail an event asks for, as far as the event itself tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailRequest {
    /// "Being verified", to the registrant, who is the event's actor.
    RegistrationReceived { to: EmailAddress, display_name: String },
    /// "Approved", to the registrant, whose address is in their membership; with the
    /// confirmation link when the customer must still confirm it.
    CustomerApproved {
        registrant: UserId,
        display_name: String,
        managing_partner_id: PartnerId,
        confirmation_required: bool,
    },
}

/// Why an event's mail was not sent; Lambda's retries and the failure queue take it from here.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("the event's detail is not a domain event")]
    Event(#[source] serde_json::Error),
    #[error("the mail could not be composed")]
    Compose(#[from] TemplateError),
    #[error("another invocation is sending this event's mail right now")]
    InProgress,
    #[error("the table could not be read or written")]
    Store(#[from] StoreError),
    #[error("no confirmation link could be made")]
    Random(#[from] RandomSourceError),
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
            MailError::Random(_) => "MailError::Random",
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
    let (Some(customer), Some(request)) = (event.customer_id.clone(), mail_request(&event)) else {
        return Ok(());
    };
    let claim = match sender.store.claim_delivery(event.event_id).await? {
        DeliveryClaim::Claimed(claim) => claim,
        DeliveryClaim::AlreadySent => {
            tracing::info!("redelivered; the mail was already sent");
            return Ok(());
        }
        // Failing makes Lambda retry later, when the other invocation has finished or its lease ran out.
        DeliveryClaim::InProgress => return Err(MailError::InProgress),
    };
    let sent = match mail(sender, &event, &customer, request).await {
        Ok(Some(mail)) => send(sender, &mail).await,
        Ok(None) => {
            sender.store.release_delivery(&claim).await?;
            return Ok(());
        }
        Err(error) => Err(error),
    };
    let message_id = match sent {
        Ok(message_id) => message_id,
        Err(error) => {
            sender.store.release_delivery(&claim).await?;
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

/// The mail an event asks for, if any.
pub fn mail_request(event: &DomainEvent) -> Option<MailRequest> {
    match &event.payload {
        EventPayload::CustomerRegistered(customer) if customer.status == CustomerStatus::PendingApproval => {
            let Some(to) = event.actor.email.clone() else {
                tracing::warn!(event_id = %event.event_id, "registrant has no e-mail address; no mail sent");
                return None;
            };
            Some(MailRequest::RegistrationReceived { to, display_name: customer.display_name.clone() })
        }
        EventPayload::CustomerApproved(approved) => Some(MailRequest::CustomerApproved {
            registrant: approved.registrant_user_id.clone(),
            display_name: approved.display_name.clone(),
            managing_partner_id: approved.managing_partner_id.clone(),
            confirmation_required: approved.email_confirmation_required,
        }),
        _ => None,
    }
}

/// The mail itself: the recipient read where the event does not name it, and the confirmation
/// link minted and stored (as its hash) when one is due. `None`: nobody to mail.
async fn mail(
    sender: &EmailSender,
    event: &DomainEvent,
    customer: &CustomerIdentifier,
    request: MailRequest,
) -> Result<Option<Mail>, MailError> {
    let portal = &sender.settings.portal_base_url;
    let (registrant, display_name, managing_partner_id, confirmation_required) = match request {
        MailRequest::RegistrationReceived { to, display_name } => {
            return Ok(Some(Mail { to, content: registration_received(&display_name, customer, portal)? }));
        }
        MailRequest::CustomerApproved { registrant, display_name, managing_partner_id, confirmation_required } => {
            (registrant, display_name, managing_partner_id, confirmation_required)
        }
    };
    let Some(to) = sender.store.membership(customer, &registrant).await?.and_then(|member| member.email) else {
        tracing::warn!("the registrant is not a member with an e-mail address; no mail sent");
        return Ok(None);
    };
    if !confirmation_required {
        return Ok(Some(Mail { to, content: customer_approved(&display_name, customer, portal, None)? }));
    }
    let token = LinkToken::generate()?;
    let now = Utc::now();
    let ttl = sender.settings.email_confirmation_ttl;
    let link = EmailConfirmation {
        token_hash: token.hash(),
        customer_id: customer.clone(),
        managing_partner_id,
        user_id: registrant,
        email: to.clone(),
        approval_event_id: event.event_id,
        created_at: now,
        expires_at: now + ttl,
        used_at: None,
    };
    if sender.store.start_email_confirmation(&link).await? == LinkStart::NotAwaiting {
        tracing::warn!("the customer no longer awaits e-mail confirmation; no mail sent");
        return Ok(None);
    }
    let content = customer_approved(&display_name, customer, portal, Some((&token, ttl)))?;
    Ok(Some(Mail { to, content }))
}

/// The "being verified" mail.
pub fn registration_received(
    display_name: &str,
    customer: &CustomerIdentifier,
    portal_base_url: &str,
) -> Result<RenderedMail, TemplateError> {
    templates::REGISTRATION_RECEIVED.render(&[
        ("displayName", display_name),
        ("identifier", customer.as_str()),
        ("portalUrl", portal_base_url),
    ])
}

/// The "approved" mail; with a confirmation link (the token and how long it is valid) when the
/// registrant must still confirm their address.
pub fn customer_approved(
    display_name: &str,
    customer: &CustomerIdentifier,
    portal_base_url: &str,
    confirmation: Option<(&LinkToken, Duration)>,
) -> Result<RenderedMail, TemplateError> {
    let values = [("displayName", display_name), ("identifier", customer.as_str()), ("portalUrl", portal_base_url)];
    let Some((token, valid_for)) = confirmation else { return templates::CUSTOMER_APPROVED.render(&values) };
    let url = confirmation_url(portal_base_url, token);
    let hours = valid_for.num_hours().to_string();
    let mut values = values.to_vec();
    values.extend([("confirmationUrl", url.as_str()), ("validHours", hours.as_str())]);
    templates::CUSTOMER_APPROVED_CONFIRM_EMAIL.render(&values)
}

/// The portal's page that confirms the address: `<PORTAL_BASE_URL>/confirm-email?token=<token>`
/// (the token is URL-safe base64: no escaping needed). The page posts the token to
/// `POST /email-confirmations`.
pub fn confirmation_url(portal_base_url: &str, token: &LinkToken) -> String {
    format!("{portal_base_url}/confirm-email?token={}", token.expose())
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
    use meshcustomers::authorization::Role;
    use meshcustomers::events::{Actor, Change, CustomerApproved, CustomerSnapshot};

    fn acme() -> CustomerIdentifier {
        CustomerIdentifier::parse("acme").unwrap()
    }

    fn event(payload: EventPayload, email: Option<&str>) -> DomainEvent {
        let actor = Actor {
            user_id: UserId::parse("u1").unwrap(),
            email: email.map(|e| EmailAddress::parse(e).unwrap()),
            role: Role::User,
        };
        DomainEvent::new(&acme(), actor, Utc::now(), payload)
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

    fn approved(confirmation: bool) -> EventPayload {
        EventPayload::CustomerApproved(CustomerApproved {
            status: if confirmation { CustomerStatus::AwaitingEmailConfirmation } else { CustomerStatus::Active },
            email_confirmation_required: confirmation,
            display_name: "Acme".into(),
            managing_partner_id: PartnerId::parse("default").unwrap(),
            registrant_user_id: UserId::parse("reg").unwrap(),
        })
    }

    #[test]
    fn a_pending_registration_mails_the_registrant() {
        let request = mail_request(&event(registered(CustomerStatus::PendingApproval), Some("jo@acme.example")));
        let Some(MailRequest::RegistrationReceived { to, display_name }) = request else { panic!("{request:?}") };
        assert_eq!(to.as_str(), "jo@acme.example");
        let mail = registration_received(&display_name, &acme(), "https://p.example").unwrap();
        assert!(mail.subject.contains("Acme"));
        assert!(mail.text.contains("(acme)") && mail.text.contains("https://p.example"));
    }

    #[test]
    fn an_approval_mails_the_registrant_not_the_approver() {
        for confirmation in [false, true] {
            let request = mail_request(&event(approved(confirmation), Some("pat@partner.example")));
            let expected = MailRequest::CustomerApproved {
                registrant: UserId::parse("reg").unwrap(),
                display_name: "Acme".into(),
                managing_partner_id: PartnerId::parse("default").unwrap(),
                confirmation_required: confirmation,
            };
            assert_eq!(request, Some(expected));
        }
    }

    #[test]
    fn other_events_mail_nobody() {
        assert_eq!(mail_request(&event(registered(CustomerStatus::Active), Some("jo@acme.example"))), None);
        assert_eq!(mail_request(&event(registered(CustomerStatus::PendingApproval), None)), None);
        let quota = EventPayload::CustomerQuotaEdited(Change { from: 1, to: 2 });
        assert_eq!(mail_request(&event(quota, Some("jo@acme.example"))), None);
    }

    #[test]
    fn the_approval_mail_carries_the_confirmation_link_only_when_confirmation_is_required() {
        let portal = "https://p.example";
        let plain = customer_approved("Acme", &acme(), portal, None).unwrap();
        for part in [&plain.subject, &plain.text, &plain.html] {
            assert!(!part.contains("confirm-email") && !part.contains("token"), "{part}");
        }
        assert!(plain.subject.contains("approved") && plain.text.contains("Your account is active"));

        let token = LinkToken::generate().unwrap();
        let link = format!("https://p.example/confirm-email?token={}", token.expose());
        let confirm = customer_approved("Acme", &acme(), portal, Some((&token, Duration::hours(72)))).unwrap();
        assert!(confirm.text.contains(&link), "{}", confirm.text);
        assert!(confirm.html.contains(&format!("href=\"{link}\"")), "{}", confirm.html);
        assert!(confirm.text.contains("within 72 hours"));
        assert!(!confirm.subject.contains(token.expose()), "the token is in the link only");
    }

    #[test]
    fn the_approval_mail_escapes_the_display_name_in_html() {
        let token = LinkToken::generate().unwrap();
        let name = "<script>alert('x')</script> & Co";
        for confirmation in [None, Some((&token, Duration::hours(1)))] {
            let mail = customer_approved(name, &acme(), "https://p.example", confirmation).unwrap();
            assert!(mail.html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co"), "{}", mail.html);
            assert!(!mail.html.contains("<script>"));
            assert!(mail.text.contains(name) && mail.subject.contains(name));
        }
    }
}
