//! E-mail confirmation links: stored by the email sender when it mails an approval, used once by
//! `POST /email-confirmations`. While a customer awaits confirmation its item names the current
//! link's hash (`emailConfirmationHash`, not part of the customer resource): a newer link
//! replaces it, so an older one is superseded, and the confirmation removes it.

use crate::sdk::SendBoxed;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::items::{self, EmailConfirmationItem};
use super::keys::{self, Key};
use super::{Changes, Conflict, Expression, Store, StoreError};
use crate::domain::{CustomerStatus, EmailConfirmation, TokenHash};

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
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(items::to_item(EmailConfirmationItem::from(confirmation))?))
            .condition_expression("attribute_not_exists(pk)")
            .send_boxed()
            .await?;
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(Key::customer(&confirmation.customer_id).into_attributes()))
            .update_expression("SET #current = :hash")
            .condition_expression("#status = :awaiting")
            .expression_attribute_names("#current", CURRENT_LINK)
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":hash", AttributeValue::S(confirmation.token_hash.to_string()))
            .expression_attribute_values(":awaiting", status(CustomerStatus::AwaitingEmailConfirmation))
            .send_boxed()
            .await;
        match result {
            Ok(_) => Ok(LinkStart::Started),
            Err(error) => match error.as_service_error() {
                Some(UpdateItemError::ConditionalCheckFailedException(_)) => Ok(LinkStart::NotAwaiting),
                _ => Err(error.into()),
            },
        }
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
