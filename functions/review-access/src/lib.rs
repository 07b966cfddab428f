//! `POST /customers/{id}/access-reviews` `{decisions: [{userId, decision: KEEP | REMOVE}], note?}`:
//! a customer admin's review of who keeps access (SPEC §6.3). The decisions cover every current
//! member, exactly once each (else 400 naming the missing, unknown and repeated ones). One
//! transaction removes the REMOVE ones, each on the version the review read (a member changed or
//! removed meanwhile makes the review read and decide again), keeps the customer's last admin that
//! stays (`adminCount > k` for k admins removed: 409 `last-admin`), stores the review and records
//! ACCESS_REVIEWED and one USER_REMOVED (`reason` ACCESS_REVIEW) per removal.
//!
//! A person's attestation: a program's key may not review (403). Bounded: at most
//! [`MAX_REVIEW_MEMBERS`] members (more: 409 `access-review-too-large`) and
//! [`MAX_REVIEW_REMOVALS`] removals per review (more: 400).

use chrono::SubsecRound;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

use meshcustomers::App;
use meshcustomers::access::body_after_access;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, Refusal, change_customer};
use meshcustomers::domain::{
    AccessReview, GeneratedId, KeptMembership, MAX_REVIEW_BYTES, MAX_REVIEW_MEMBERS, MAX_REVIEW_REMOVALS, Membership,
    ReviewDecision, ReviewNote, UserId,
};
use meshcustomers::events::{AccessReviewed, EventPayload, RemovalReason, UserRemoved};
use meshcustomers::http::{ApiError, Field, FieldErrors, JsonType, RequestExtensions, UnknownFields, json};
use meshcustomers::store::Related;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ReviewBody {
    decisions: Field<Vec<Field<DecisionBody>>>,
    note: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct DecisionBody {
    user_id: Field<String>,
    decision: Field<String>,
    #[serde(flatten)]
    unknown: UnknownFields,
}

impl JsonType for DecisionBody {
    const EXPECTED: &'static str = "must be an object with userId and decision";
}

/// The review as asked for: each member's decision, by user id, and where it was named.
struct Asked {
    decisions: BTreeMap<UserId, (usize, ReviewDecision)>,
    note: Option<ReviewNote>,
}

#[tracing::instrument(name = "review_access", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    // Authorization before validation: the body's errors only to a caller who may act.
    let asked = body_after_access(&app.store, &principal, &identifier, Action::ReviewAccess, parse(&request)).await?;

    let change = CustomerChange::new(&principal, &identifier, Action::ReviewAccess)
        .reading(Related { members: true, ..Related::default() });
    let review = change_customer(&app.store, change, |loaded, changes| {
        let roster = loaded.related.members.as_ref().expect("the review reads the members");
        let Some(members) = roster.complete() else {
            return Err(Refusal::AccessReviewTooLarge { what: "members", max: MAX_REVIEW_MEMBERS }.into());
        };
        let (kept, removed) = decide(&asked, members)?;
        let reviewed_at = loaded.now.trunc_subsecs(3);
        let review = AccessReview {
            review_id: GeneratedId::new(),
            customer_id: identifier.clone(),
            reviewed_at,
            reviewed_by: principal.user_id.clone(),
            kept: kept.iter().map(|member| member.user_id.clone()).collect(),
            removed: removed.iter().map(|member| member.user_id.clone()).collect(),
            note: asked.note.clone(),
        };
        let kept: Vec<KeptMembership> = kept.into_iter().map(KeptMembership::from).collect();
        if review.bytes() > MAX_REVIEW_BYTES {
            return Err(Refusal::AccessReviewTooLarge { what: "bytes of member ids", max: MAX_REVIEW_BYTES }.into());
        }
        let removed: Vec<Membership> = removed.into_iter().cloned().collect();
        // One transaction: the removals (each on its version; the admins that stay counted once),
        // the review, its event and one USER_REMOVED per removal.
        changes.remove_members(&removed)?;
        changes.add_access_review(&review, &kept)?;
        for member in &removed {
            let event = UserRemoved {
                user_id: member.user_id.clone(),
                email: member.email.clone(),
                role: member.role,
                reason: Some(RemovalReason::AccessReview),
            };
            changes.record(loaded.event(EventPayload::UserRemoved(event)));
        }
        let reviewed = AccessReviewed {
            review_id: review.review_id,
            kept: review.kept.clone(),
            removed: review.removed.clone(),
            note: review.note.clone(),
        };
        changes.record(loaded.event(EventPayload::AccessReviewed(reviewed)));
        Ok(Outcome::Write(review))
    })
    .await?;
    json(StatusCode::CREATED, &review)
}

/// The body, checked on its own: the shape, each decision, no user named twice, at most
/// [`MAX_REVIEW_MEMBERS`] decisions and [`MAX_REVIEW_REMOVALS`] removals, the note.
fn parse(request: &Request) -> Result<Asked, ApiError> {
    let body: ReviewBody = request.json_body()?;
    let mut errors = FieldErrors::new();
    let listed = errors.required("decisions", body.decisions, Ok).unwrap_or_default();
    if listed.len() > MAX_REVIEW_MEMBERS {
        errors.add("decisions", format!("must have at most {MAX_REVIEW_MEMBERS} entries"));
        return Err(errors.into_error());
    }
    let mut decisions = BTreeMap::new();
    for (index, entry) in listed.into_iter().enumerate() {
        let path = format!("decisions[{index}]");
        let Some(entry) = errors.required(&path, entry, Ok) else { continue };
        let user = errors.required(&format!("{path}.userId"), entry.user_id, |raw| UserId::parse(&raw));
        let decision = errors.required(&format!("{path}.decision"), entry.decision, |raw| ReviewDecision::parse(&raw));
        errors.unknown(&path, entry.unknown);
        if let (Some(user), Some(decision)) = (user, decision) {
            if let Some((first, _)) = decisions.get(&user) {
                errors.add(format!("{path}.userId"), format!("is decided on already in decisions[{first}]"));
            } else {
                decisions.insert(user, (index, decision));
            }
        }
    }
    let removals = decisions.values().filter(|(_, decision)| *decision == ReviewDecision::Remove).count();
    if removals > MAX_REVIEW_REMOVALS {
        errors.add("decisions", format!("at most {MAX_REVIEW_REMOVALS} members may be removed in one review"));
    }
    let note = errors.optional("note", body.note, |raw| ReviewNote::parse(&raw));
    errors.unknown("", body.unknown);
    errors.finish()?;
    Ok(Asked { decisions, note })
}

/// The kept and the removed members, when the decisions name every current member and no one
/// else; else the refusal naming the missing ones (`decisions`) and the unknown ones (by entry).
fn decide<'m>(asked: &Asked, members: &'m [Membership]) -> Result<(Vec<&'m Membership>, Vec<&'m Membership>), Refusal> {
    let current: BTreeSet<&UserId> = members.iter().map(|member| &member.user_id).collect();
    let mut errors = BTreeMap::new();
    let missing: Vec<String> = members
        .iter()
        .filter(|member| !asked.decisions.contains_key(&member.user_id))
        .map(|m| format!("{:?}", m.user_id.as_str()))
        .collect();
    if !missing.is_empty() {
        errors.insert(
            "decisions".to_owned(),
            format!("must decide on every current member; missing: {}", missing.join(", ")),
        );
    }
    for (user, (index, _)) in &asked.decisions {
        if !current.contains(user) {
            errors.insert(
                format!("decisions[{index}].userId"),
                format!("{:?} is not a member of the customer", user.as_str()),
            );
        }
    }
    if !errors.is_empty() {
        return Err(Refusal::InvalidFields(errors));
    }
    Ok(members.iter().partition(|member| asked.decisions[&member.user_id].1 == ReviewDecision::Keep))
}
