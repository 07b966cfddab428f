//! EventBridge → SES v2: the mails the product sends. At most one mail per event: a delivery
//! record is claimed before sending and completed after, so a redelivered event sends nothing.
//! The e-mail confirmation and invitation links are minted here, when their mail is sent, so that
//! a token is in its mail and nowhere else (the table keeps only its hash). A mail is one SES
//! message (its recipients together) under the event's claim; the admins' mail, which may have
//! more recipients than a message takes, is several messages, each under a claim of its own (see
//! `meshcustomers::store` on deliveries).

pub mod templates;

use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use chrono::{Duration, Utc};
use lambda_runtime::{Diagnostic, LambdaEvent};

use meshcustomers::App;
use meshcustomers::authorization::Role;
use meshcustomers::config::{self, ConfigError, Environment};
use meshcustomers::diagnostics::diagnostic;
use meshcustomers::domain::{
    CustomerIdentifier, CustomerRole, CustomerStatus, EmailAddress, EmailConfirmation, GeneratedId, InvitationLink,
    LinkToken, Membership, PartnerId, RandomSourceError, UserId,
};
use meshcustomers::events::{DomainEvent, EventPayload, UserAssignedHimself, UserInvited};
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

/// SES takes at most 50 recipients per message.
pub const MAX_RECIPIENTS: usize = 50;

/// A mail to send: recipients (one at least; more than [`MAX_RECIPIENTS`] go out as several
/// messages) and rendered parts. Its content may hold a link's token: never log it.
#[derive(Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: Vec<EmailAddress>,
    pub content: RenderedMail,
}

/// The mail an event asks for, as far as the event itself tells.
#[derive(Debug, Clone, PartialEq)]
pub enum MailRequest {
    /// "Being verified", to the registrant, who is the event's actor.
    RegistrationReceived { to: EmailAddress, display_name: String },
    /// "Declined", with the reason, to the registrant, whose address the event carries (the
    /// customer and its members are gone when it is sent).
    RegistrationDeclined { to: EmailAddress, display_name: String, reason: String },
    /// "Approved", to the registrant, whose address is in their membership; with the
    /// confirmation link when the customer must still confirm it.
    CustomerApproved {
        registrant: UserId,
        display_name: String,
        managing_partner_id: PartnerId,
        confirmation_required: bool,
    },
    /// "A partner user joined", to the customer's admins as they are when it is sent.
    MemberJoined(UserAssignedHimself),
    /// The invitation with its accept link, to the invited address: only while the invitation
    /// still has the version the event names (a resend's mail supersedes it).
    Invitation(UserInvited),
    /// "Your access ends soon", to the member whose membership ends.
    MembershipExpiring { to: EmailAddress, role: CustomerRole, expires_at: chrono::DateTime<Utc> },
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
    #[error("no link could be made")]
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
    // The admins' mail may take several messages: its recipients are fixed on the first delivery
    // and each message has a claim of its own, so a redelivery sends only what was not sent.
    let in_parts = matches!(request, MailRequest::MemberJoined(_));
    let sent = match mail(sender, &event, &customer, request).await {
        Ok(Some(mail)) if in_parts => send_in_parts(sender, event.event_id, &mail).await,
        Ok(Some(mail)) => send(sender, &mail.content, &mail.to).await,
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
        EventPayload::CustomerRejected(rejected) => {
            let Some(to) = rejected.registrant_email.clone() else {
                tracing::warn!(event_id = %event.event_id, "the registrant had no e-mail address; no mail sent");
                return None;
            };
            Some(MailRequest::RegistrationDeclined {
                to,
                display_name: rejected.display_name.clone(),
                reason: rejected.reason.to_string(),
            })
        }
        EventPayload::CustomerApproved(approved) => Some(MailRequest::CustomerApproved {
            registrant: approved.registrant_user_id.clone(),
            display_name: approved.display_name.clone(),
            managing_partner_id: approved.managing_partner_id.clone(),
            confirmation_required: approved.email_confirmation_required,
        }),
        EventPayload::UserAssignedHimself(joined) => Some(MailRequest::MemberJoined(joined.clone())),
        EventPayload::UserInvited(invited) => Some(MailRequest::Invitation(invited.clone())),
        EventPayload::MembershipExpiring(expiring) => {
            let Some(to) = expiring.email.clone() else {
                tracing::info!(event_id = %event.event_id, "the member has no e-mail address; no warning sent");
                return None;
            };
            Some(MailRequest::MembershipExpiring { to, role: expiring.role, expires_at: expiring.expires_at })
        }
        _ => None,
    }
}

/// The mail itself: the recipient read where the event does not name it, and the confirmation
/// or invitation link minted and stored (as its hash) when one is due. `None`: nobody to mail.
async fn mail(
    sender: &EmailSender,
    event: &DomainEvent,
    customer: &CustomerIdentifier,
    request: MailRequest,
) -> Result<Option<Mail>, MailError> {
    let portal = &sender.settings.portal_base_url;
    let (registrant, display_name, managing_partner_id, confirmation_required) = match request {
        MailRequest::RegistrationReceived { to, display_name } => {
            return Ok(Some(Mail { to: vec![to], content: registration_received(&display_name, customer, portal)? }));
        }
        MailRequest::RegistrationDeclined { to, display_name, reason } => {
            let content = registration_declined(&display_name, customer, &reason, portal)?;
            return Ok(Some(Mail { to: vec![to], content }));
        }
        MailRequest::MemberJoined(joined) => {
            let admins = sender.store.customer_admins(customer, usize::MAX).await?;
            return Ok(member_joined(event, &joined, &admins, portal)?);
        }
        MailRequest::Invitation(invited) => return invitation(sender, event, customer, invited).await,
        MailRequest::MembershipExpiring { to, role, expires_at } => {
            let content = membership_expiring(customer, role, expires_at, portal)?;
            return Ok(Some(Mail { to: vec![to], content }));
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
        return Ok(Some(Mail { to: vec![to], content: customer_approved(&display_name, customer, portal, None)? }));
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
    Ok(Some(Mail { to: vec![to], content }))
}

/// USER_INVITED: a new link for the invitation's version the event names, made its current one
/// (superseding any earlier link), and the mail that carries it. Nothing is sent when the
/// invitation has moved on (resent, cancelled, accepted, expired): a late mail of an earlier
/// version never brings a second live link.
async fn invitation(
    sender: &EmailSender,
    event: &DomainEvent,
    customer: &CustomerIdentifier,
    invited: UserInvited,
) -> Result<Option<Mail>, MailError> {
    let token = LinkToken::generate()?;
    let link = InvitationLink {
        token_hash: token.hash(),
        customer_id: customer.clone(),
        invitation_id: invited.invitation_id,
        email: invited.email.clone(),
        role: invited.role,
        version: invited.version,
        created_at: Utc::now(),
        expires_at: invited.expires_at,
        membership_expires_at: invited.membership_expires_at,
        invited_by: invited.invited_by.clone(),
    };
    if sender.store.start_invitation_link(&link).await? == LinkStart::InvitationChanged {
        tracing::info!(
            invitation = %invited.invitation_id,
            version = invited.version,
            "the invitation was resent, cancelled or accepted, or has expired, since; no mail sent"
        );
        return Ok(None);
    }
    let content = invitation_mail(event, &invited, customer, &sender.settings.portal_base_url, &token)?;
    Ok(Some(Mail { to: vec![invited.email], content }))
}

/// The invitation mail, with its accept link.
pub fn invitation_mail(
    event: &DomainEvent,
    invited: &UserInvited,
    customer: &CustomerIdentifier,
    portal_base_url: &str,
    token: &LinkToken,
) -> Result<RenderedMail, TemplateError> {
    let inviter = event.actor.email.as_ref().map_or_else(|| "An administrator".to_owned(), ToString::to_string);
    let url = invitation_url(portal_base_url, token);
    let expires_at = invited.expires_at.format("%Y-%m-%d %H:%M UTC").to_string();
    templates::INVITATION.render(&[
        ("inviter", &inviter),
        ("displayName", &invited.customer_display_name),
        ("identifier", customer.as_str()),
        ("role", describe_customer_role(invited.role)),
        ("email", invited.email.as_str()),
        ("expiresAt", &expires_at),
        ("acceptUrl", &url),
    ])
}

/// The portal's page that accepts an invitation: `<PORTAL_BASE_URL>/accept-invitation?token=<token>`
/// (URL-safe base64: no escaping needed). The page has the invitee sign in and posts the token to
/// `POST /invitations/accept`.
pub fn invitation_url(portal_base_url: &str, token: &LinkToken) -> String {
    format!("{portal_base_url}/accept-invitation?token={}", token.expose())
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

/// The "declined" mail, with the reason.
pub fn registration_declined(
    display_name: &str,
    customer: &CustomerIdentifier,
    reason: &str,
    portal_base_url: &str,
) -> Result<RenderedMail, TemplateError> {
    templates::REGISTRATION_DECLINED.render(&[
        ("displayName", display_name),
        ("identifier", customer.as_str()),
        ("reason", reason),
        ("portalUrl", portal_base_url),
    ])
}

/// The warning that a membership ends soon, with the end in UTC to the minute.
pub fn membership_expiring(
    customer: &CustomerIdentifier,
    role: CustomerRole,
    expires_at: chrono::DateTime<Utc>,
    portal_base_url: &str,
) -> Result<RenderedMail, TemplateError> {
    let at = expires_at.format("%Y-%m-%d %H:%M UTC").to_string();
    templates::MEMBERSHIP_EXPIRING.render(&[
        ("identifier", customer.as_str()),
        ("role", describe_customer_role(role)),
        ("expiresAt", &at),
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

/// USER_ASSIGNED_HIMSELF: the customer's admins (but the user who joined) learn who joined, in
/// which role and why. Every admin with an address, sorted, each once.
pub fn member_joined(
    event: &DomainEvent,
    joined: &UserAssignedHimself,
    admins: &[Membership],
    portal_base_url: &str,
) -> Result<Option<Mail>, TemplateError> {
    let mut to: Vec<EmailAddress> =
        admins.iter().filter(|admin| admin.user_id != joined.user_id).filter_map(|admin| admin.email.clone()).collect();
    to.sort();
    to.dedup();
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
        Role::System => "system",
    }
}

fn describe_customer_role(role: CustomerRole) -> &'static str {
    match role {
        CustomerRole::CustomerAdmin => "customer admin",
        CustomerRole::CustomerEmployee => "customer employee",
    }
}

/// Sends `mail` in messages of at most [`MAX_RECIPIENTS`] recipients: its recipients as the
/// event's first delivery fixed them, split the same way on every delivery; each message is sent
/// under its own claim, and one sent on an earlier delivery is not sent again. The message ids,
/// space-separated.
async fn send_in_parts(sender: &EmailSender, event_id: GeneratedId, mail: &Mail) -> Result<String, MailError> {
    let recipients = sender.store.delivery_recipients(event_id, &mail.to).await?;
    let mut message_ids = Vec::new();
    for (part, to) in (1..).zip(recipients.chunks(MAX_RECIPIENTS)) {
        let claim = match sender.store.claim_delivery_part(event_id, part).await? {
            DeliveryClaim::Claimed(claim) => claim,
            DeliveryClaim::AlreadySent => continue,
            DeliveryClaim::InProgress => return Err(MailError::InProgress),
        };
        let message_id = match send(sender, &mail.content, to).await {
            Ok(message_id) => message_id,
            Err(error) => {
                sender.store.release_delivery(&claim).await?;
                return Err(error);
            }
        };
        match sender.store.complete_delivery(&claim, &message_id).await {
            Ok(Completion::Recorded) => tracing::info!(%message_id, part, "part of the mail sent"),
            Ok(Completion::ClaimLost) => tracing::warn!(%message_id, part, "part sent after its claim's lease ran out"),
            Err(error) => tracing::error!(
                %message_id,
                part,
                error = %meshcustomers::diagnostics::error_chain(&error),
                "part sent but not recorded; a redelivery after the lease may send it again"
            ),
        }
        message_ids.push(message_id);
    }
    Ok(message_ids.join(" "))
}

/// One SES message to `to` (at most [`MAX_RECIPIENTS`]).
async fn send(sender: &EmailSender, content: &RenderedMail, to: &[EmailAddress]) -> Result<String, MailError> {
    let utf8 = |data: &str| Content::builder().data(data).charset("UTF-8").build().map_err(MailError::Build);
    let message = Message::builder()
        .subject(utf8(&content.subject)?)
        .body(Body::builder().text(utf8(&content.text)?).html(utf8(&content.html)?).build())
        .build();
    let output = sender
        .ses
        .send_email()
        .from_email_address(sender.settings.email_from.as_str())
        .destination(
            Destination::builder().set_to_addresses(Some(to.iter().map(|to| to.as_str().to_owned()).collect())).build(),
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
    use meshcustomers::domain::{JoinedVia, Reason};
    use meshcustomers::events::{Actor, Change, CustomerApproved, CustomerSnapshot};

    fn acme() -> CustomerIdentifier {
        CustomerIdentifier::parse("acme").unwrap()
    }

    fn event(payload: EventPayload, email: Option<&str>) -> DomainEvent {
        let actor = Actor {
            user_id: UserId::parse("u1").unwrap(),
            email: email.map(|e| EmailAddress::parse(e).unwrap()),
            role: Role::User,
            api_key: None,
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
    fn a_declined_registration_mails_the_registrant_the_reason_not_the_partner() {
        let customer = meshcustomers::domain::Customer::new(
            acme(),
            meshcustomers::domain::DisplayName::parse("Acme <b>").unwrap(),
            CustomerStatus::PendingApproval,
            PartnerId::parse("default").unwrap(),
            meshcustomers::domain::ProjectQuota::parse(5).unwrap(),
            Default::default(),
            UserId::parse("sam").unwrap(),
            Utc::now(),
        );
        let reason = meshcustomers::domain::Reason::parse("no <contract> on file").unwrap();
        let registrant = Some(EmailAddress::parse("sam@acme.example").unwrap());
        let rejected =
            EventPayload::CustomerRejected(meshcustomers::events::CustomerRejected::new(&customer, registrant, reason));
        let request = mail_request(&event(rejected, Some("pat@partner.example")));
        let Some(MailRequest::RegistrationDeclined { to, display_name, reason }) = request else {
            panic!("{request:?}")
        };
        assert_eq!(to.as_str(), "sam@acme.example");
        let mail = registration_declined(&display_name, &acme(), &reason, "https://p.example").unwrap();
        assert!(mail.subject.contains("declined"), "{}", mail.subject);
        assert!(mail.text.contains("no <contract> on file") && mail.text.contains("https://p.example"));
        assert!(mail.html.contains("no &lt;contract&gt; on file") && !mail.html.contains("<contract>"));
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
    fn an_invitation_mails_the_invitee_its_accept_link() {
        let invited = UserInvited {
            invitation_id: meshcustomers::domain::GeneratedId::new(),
            email: EmailAddress::parse("jane@globex.example").unwrap(),
            role: CustomerRole::CustomerEmployee,
            expires_at: chrono::DateTime::parse_from_rfc3339("2026-01-22T10:30:00.123Z").unwrap().to_utc(),
            version: 2,
            customer_display_name: "Globex <Labs> & Co".into(),
            membership_expires_at: None,
            invited_by: None,
        };
        let event = event(EventPayload::UserInvited(invited.clone()), Some("pat@acme.example"));
        assert_eq!(mail_request(&event), Some(MailRequest::Invitation(invited.clone())));
        let token = LinkToken::generate().unwrap();
        let mail = invitation_mail(&event, &invited, &acme(), "https://p.example", &token).unwrap();
        let link = format!("https://p.example/accept-invitation?token={}", token.expose());
        assert_eq!(mail.subject, "You are invited to join Globex <Labs> & Co");
        assert!(mail.text.contains(&link) && mail.html.contains(&format!("href=\"{link}\"")), "{}", mail.html);
        assert!(
            mail.text.contains("pat@acme.example invites you to join the customer account Globex <Labs> & Co (acme)")
        );
        assert!(mail.text.contains("as customer employee") && mail.text.contains("until 2026-01-22 10:30 UTC"));
        assert!(mail.text.contains("(jane@globex.example)"), "{}", mail.text);
        assert!(mail.html.contains("Globex &lt;Labs&gt; &amp; Co") && !mail.html.contains("<Labs>"));
        assert!(!mail.subject.contains(token.expose()), "the token is in the link only");
        let anonymous = self::event(EventPayload::UserInvited(invited.clone()), None);
        let mail = invitation_mail(&anonymous, &invited, &acme(), "https://p.example", &token).unwrap();
        assert!(mail.text.contains("An administrator invites you"));
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

    fn member(user: &str, email: Option<&str>) -> Membership {
        Membership::new(
            acme(),
            UserId::parse(user).unwrap(),
            email.map(|e| EmailAddress::parse(e).unwrap()),
            None,
            CustomerRole::CustomerAdmin,
            JoinedVia::Invitation,
            Utc::now(),
        )
    }

    fn joined(reason: Option<&str>) -> (DomainEvent, UserAssignedHimself) {
        let joined = UserAssignedHimself {
            user_id: UserId::parse("u1").unwrap(),
            role: CustomerRole::CustomerAdmin,
            reason: reason.map(|r| Reason::parse(r).unwrap()),
        };
        let mut event = event(EventPayload::UserAssignedHimself(joined.clone()), Some("pat@partner.example"));
        event.actor.role = Role::PartnerAdmin;
        (event, joined)
    }

    #[test]
    fn a_partner_user_joining_mails_the_other_admins_in_one_message() {
        let (event, joined) = joined(Some("ticket 4711 <urgent>"));
        assert_eq!(mail_request(&event), Some(MailRequest::MemberJoined(joined.clone())));
        let admins = [
            member("u1", Some("pat@partner.example")),
            member("u2", Some("b@acme.example")),
            member("u3", None),
            member("u4", Some("a@acme.example")),
        ];
        let mail = member_joined(&event, &joined, &admins, "https://p.example").unwrap().expect("a mail");
        let to: Vec<&str> = mail.to.iter().map(EmailAddress::as_str).collect();
        assert_eq!(to, ["a@acme.example", "b@acme.example"], "the joiner and admins without an address are left out");
        assert_eq!(mail.content.subject, "pat@partner.example joined your customer account acme");
        assert!(mail.content.text.contains("a partner administrator of your service partner"), "{}", mail.content.text);
        assert!(mail.content.text.contains("as customer admin") && mail.content.text.contains("ticket 4711 <urgent>"));
        assert!(mail.content.html.contains("ticket 4711 &lt;urgent&gt;"));

        let (event, joined) = self::joined(None);
        let mail = member_joined(&event, &joined, &admins, "https://p.example").unwrap().unwrap();
        assert!(mail.content.text.contains("Reason given: (none given)"));
    }

    #[test]
    fn every_admin_is_a_recipient_however_many_and_nobody_means_no_mail() {
        let (event, joined) = joined(None);
        let many: Vec<Membership> =
            (0..60).map(|n| member(&format!("admin-{n}"), Some(&format!("admin-{n:02}@acme.example")))).collect();
        let mail = member_joined(&event, &joined, &many, "https://p.example").unwrap().unwrap();
        assert_eq!(mail.to.len(), 60);
        let only_the_joiner = [member("u1", Some("pat@partner.example")), member("u2", None)];
        assert!(member_joined(&event, &joined, &only_the_joiner, "https://p.example").unwrap().is_none());
    }
}
