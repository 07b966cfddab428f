//! E-mail confirmation links: stored by the email sender when it mails an approval, used once by
//! `POST /email-confirmations`. While a customer awaits confirmation its item names the current
//! link's hash (`emailConfirmationHash`, not part of the customer resource): a newer link
//! replaces it, so an older one is superseded, and the confirmation removes it.

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::Duration;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::items;
use super::keys::{self, Key, entity};
use super::{Changes, Conflict, Expression, Store, StoreError};
use crate::domain::{CustomerStatus, EmailConfirmation, TokenHash};

/// This entity's keys.
impl Key {
    /// An e-mail confirmation link, known only by its token's hash.
    pub fn email_confirmation(hash: &TokenHash) -> Self {
        Self { pk: format!("EMAIL_CONFIRMATION#{hash}"), sk: "EMAIL_CONFIRMATION".to_owned() }
    }
}

/// How long a confirmation link's record outlives its expiry: meanwhile a late click is told
/// that the link expired (410) rather than that it is unknown (404).
const EMAIL_CONFIRMATION_KEPT: Duration = Duration::days(30);

/// An e-mail confirmation link's record, keyed by its token's hash (never the token).
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailConfirmationItem {
    #[serde(flatten)]
    pub key: Key,
    pub entity: String,
    pub ttl: i64,
    #[serde(flatten)]
    pub confirmation: EmailConfirmation,
}

impl From<&EmailConfirmation> for EmailConfirmationItem {
    fn from(confirmation: &EmailConfirmation) -> Self {
        Self {
            key: Key::email_confirmation(&confirmation.token_hash),
            entity: entity::EMAIL_CONFIRMATION.to_owned(),
            ttl: (confirmation.expires_at + EMAIL_CONFIRMATION_KEPT).timestamp(),
            confirmation: confirmation.clone(),
        }
    }
}

/// The customer item's attribute that names its current confirmation link.
const CURRENT_LINK: &str = "emailConfirmationHash";

/// Whether a new link became the current one (of a customer awaiting confirmation, or of an
/// invitation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkStart {
    Started,
    /// The customer no longer awaits confirmation: the link was stored but can never confirm.
    NotAwaiting,
    /// The invitation was resent, cancelled or accepted, or has expired, since its mail was asked
    /// for: the link was stored but can never accept it.
    InvitationChanged,
}

fn status(status: CustomerStatus) -> AttributeValue {
    AttributeValue::S(status.as_str().to_owned())
}

impl Store {
    /// Stores a new link, then makes it the customer's current one if the customer still
    /// awaits confirmation. A link stored without becoming current can never confirm (its hash
    /// is not the customer's) and expires like any other.
    #[tracing::instrument(skip_all, fields(customer = %confirmation.customer_id))]
    pub async fn start_email_confirmation(&self, confirmation: &EmailConfirmation) -> Result<LinkStart, StoreError> {
        let link = items::to_item(EmailConfirmationItem::from(confirmation))?;
        let current = Expression::new("SET #current = :hash")
            .name("#current", CURRENT_LINK)
            .value(":hash", AttributeValue::S(confirmation.token_hash.to_string()));
        let awaiting = Expression::new("#status = :awaiting")
            .name("#status", "status")
            .value(":awaiting", status(CustomerStatus::AwaitingEmailConfirmation));
        let owner = Key::customer(&confirmation.customer_id);
        let started = self.start_link(link, owner, current, awaiting).await?;
        Ok(if started { LinkStart::Started } else { LinkStart::NotAwaiting })
    }

    /// The link whose token has this hash.
    #[tracing::instrument(skip_all)]
    pub async fn email_confirmation(&self, hash: &TokenHash) -> Result<Option<EmailConfirmation>, StoreError> {
        let Some(item) = self.get_item(Key::email_confirmation(hash)).await? else { return Ok(None) };
        Ok(Some(serde_dynamo::from_item::<_, EmailConfirmationItem>(item)?.confirmation))
    }
}

impl Changes {
    /// Uses the link: marks it used if it is not
    /// ([`Conflict::ConfirmationUsed`]), and makes the customer ACTIVE if it still awaits
    /// confirmation with this link as its current one ([`Conflict::ConfirmationSuperseded`]).
    /// The customer is not read first: the conditions hold everything the change relies on, the
    /// managing partner (which the status index keys name) included.
    pub fn confirm_email(&mut self, confirmation: &EmailConfirmation, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.update(
            Key::email_confirmation(&confirmation.token_hash),
            Expression::new("SET usedAt = :usedAt").value(":usedAt", serde_dynamo::to_attribute_value(now)?),
            Expression::new("attribute_exists(pk) AND attribute_not_exists(usedAt)"),
            Conflict::ConfirmationUsed,
        )?;
        let active = CustomerStatus::Active;
        let partner = &confirmation.managing_partner_id;
        self.update(
            Key::customer(&confirmation.customer_id),
            Expression::new(
                "SET #status = :active, gsi3pk = :gsi3pk, gsi4pk = :gsi4pk, #version = #version + :one REMOVE #current",
            )
            .name("#version", "version")
            .name("#current", CURRENT_LINK)
            .value(":active", status(active))
            .value(":gsi3pk", AttributeValue::S(keys::partner_customers_in_status(partner, active)))
            .value(":gsi4pk", AttributeValue::S(keys::all_customers_in_status(active)))
            .value(":one", AttributeValue::N("1".to_owned())),
            Expression::new("#status = :awaiting AND #current = :hash AND managingPartnerId = :partner")
                .name("#status", "status")
                .name("#current", CURRENT_LINK)
                .value(":awaiting", status(CustomerStatus::AwaitingEmailConfirmation))
                .value(":hash", AttributeValue::S(confirmation.token_hash.to_string()))
                .value(":partner", AttributeValue::S(partner.to_string())),
            Conflict::ConfirmationSuperseded,
        )?;
        Ok(())
    }
}

/// Golden items: every attribute of each item kind, so a layout change is a deliberate one.
#[cfg(test)]
mod golden {
    use super::*;

    use crate::domain::*;

    use crate::store::items::golden::*;
    use serde_json::json;

    #[test]
    fn email_confirmation_item() {
        let hash = "0f007385b6f9d4b7eeb2748605afe1a984a0a3bfa3f014d09e2a784ce9e5cd1a";
        let confirmation = EmailConfirmation {
            token_hash: TokenHash::parse(hash).unwrap(),
            customer_id: acme(),
            managing_partner_id: PartnerId::parse("default").unwrap(),
            user_id: UserId::parse("u1").unwrap(),
            email: EmailAddress::parse("jo@acme.example").unwrap(),
            approval_event_id: GeneratedId::parse("019bc165-0000-7000-8000-000000000003").unwrap(),
            created_at: at(),
            expires_at: at() + Duration::hours(72),
            used_at: None,
        };
        assert_eq!(
            stored(EmailConfirmationItem::from(&confirmation)),
            json!({
                "pk": {"S": format!("EMAIL_CONFIRMATION#{hash}")}, "sk": {"S": "EMAIL_CONFIRMATION"},
                "entity": {"S": "EMAIL_CONFIRMATION"},
                "ttl": {"N": (at() + Duration::hours(72) + EMAIL_CONFIRMATION_KEPT).timestamp().to_string()},
                "tokenHash": {"S": hash}, "customerId": {"S": "acme"}, "managingPartnerId": {"S": "default"},
                "userId": {"S": "u1"}, "email": {"S": "jo@acme.example"},
                "approvalEventId": {"S": "019bc165-0000-7000-8000-000000000003"},
                "createdAt": {"S": "2026-01-15T11:30:00Z"}, "expiresAt": {"S": "2026-01-18T11:30:00Z"}
            })
        );
    }
}
