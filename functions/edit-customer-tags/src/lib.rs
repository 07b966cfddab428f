//! `PATCH /customers/{id}/tags`: an admin-area user or the customer's admin edits its tag values.
//! The body is a merge: `{key: [values]}` sets a key, `{key: null}` removes it, keys it does not
//! name keep their values (so a customer admin's edit never drops restricted values).

use lambda_http::{Body, Request, Response};
use serde_json::Value;
use std::collections::BTreeMap;

use meshcustomers::App;
use meshcustomers::access::body_after_access;
use meshcustomers::authorization::{Action, Role};
use meshcustomers::change::{CustomerChange, Outcome, change_customer};
use meshcustomers::domain::tags::limits::MAX_EDITED_KEYS;
use meshcustomers::domain::{Customer, TagEdit, TagKey, TagWriter, edit_tags};
use meshcustomers::events::{CustomerTagsEdited, EventPayload};
use meshcustomers::http::{ApiError, FieldErrors, RequestExtensions, json_with_etag};
use meshcustomers::store::Related;

/// Two round trips: the customer, the caller's membership and the definitions of the keys the
/// edit names in one BatchGetItem, then the conditioned write.
#[tracing::instrument(name = "edit_customer_tags", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    // Authorization before validation: the body's errors only to a caller who may act.
    let parsed = request.json_body().and_then(parse_edit);
    let edit = body_after_access(&app.store, &principal, &identifier, Action::EditTags, parsed).await?;
    let keys: Vec<TagKey> = edit.keys().filter_map(|key| TagKey::parse(key).ok()).collect();
    let change = CustomerChange::new(&principal, &identifier, Action::EditTags)
        .if_match(request.if_match())
        .reading(Related { tags: &keys, ..Related::default() });
    let customer = change_customer(&app.store, change, |loaded, changes| {
        let customer = &loaded.customer;
        let tags = edit_tags(&loaded.related.catalog, &customer.tags, &edit, writer(loaded.role))?;
        let Some(edited) = CustomerTagsEdited::between(&customer.tags, &tags) else {
            return Ok(Outcome::Unchanged(customer.clone()));
        };
        let after = Customer { tags, ..customer.clone() };
        loaded.replace_customer(changes, after, [EventPayload::CustomerTagsEdited(edited)])
    })
    .await?;
    json_with_etag(&customer, customer.version)
}

/// The body as an edit: per key, a list of strings or `null`. Errors are named `tags.<key>`.
fn parse_edit(body: BTreeMap<String, Value>) -> Result<TagEdit, ApiError> {
    let mut errors = FieldErrors::new();
    if body.len() > MAX_EDITED_KEYS {
        errors.add("tags", format!("an edit names at most {MAX_EDITED_KEYS} tags"));
        return Err(errors.into_error());
    }
    let mut edit = TagEdit::new();
    for (key, value) in body {
        let field = format!("tags.{key}");
        if TagKey::parse(&key).is_err() {
            errors.add(field, "is not a defined tag");
            continue;
        }
        match value {
            Value::Null => {
                edit.insert(key, None);
            }
            value => match serde_json::from_value::<Vec<String>>(value) {
                Ok(values) => {
                    edit.insert(key, Some(values));
                }
                Err(_) => errors.add(field, "must be a list of strings, or null to remove the tag"),
            },
        }
    }
    errors.finish()?;
    Ok(edit)
}

/// Admin-area roles write every tag; a customer admin only unrestricted ones.
fn writer(role: Role) -> TagWriter {
    match role {
        Role::PlatformAdmin | Role::PartnerAdmin | Role::PartnerEmployee => TagWriter::AdminArea,
        Role::CustomerAdmin | Role::CustomerEmployee | Role::User | Role::System => TagWriter::Customer,
    }
}
