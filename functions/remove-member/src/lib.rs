//! `DELETE /customers/{id}/users/{userId}`: a customer admin removes a member, or any member
//! removes themselves. The last CUSTOMER_ADMIN cannot go (409 `last-admin`), however many
//! removals race.

use lambda_http::{Body, Request, Response};

use meshcustomers::App;
use meshcustomers::authorization::Action;
use meshcustomers::change::{CustomerChange, Outcome, Subject, change_customer};
use meshcustomers::events::{EventPayload, UserRemoved};
use meshcustomers::http::{ApiError, RequestExtensions, no_content};

#[tracing::instrument(name = "remove_member", skip_all, fields(user))]
pub async fn handle(app: &App, request: Request) -> Result<Response<Body>, ApiError> {
    let principal = request.principal()?;
    let identifier = request.customer_id()?;
    let target = request.user_id_parameter()?;
    // Leaving needs only a membership; removing someone else, the CUSTOMER_ADMIN role.
    let action = if target == principal.user_id { Action::LeaveCustomer } else { Action::RemoveMember };
    let change =
        CustomerChange::new(&principal, &identifier, action).of(Subject::Member(target)).if_match(request.if_match());
    change_customer(&app.store, change, |loaded, changes| {
        let member = loaded.member();
        changes.remove_member(member)?;
        let event = UserRemoved {
            user_id: member.user_id.clone(),
            email: member.email.clone(),
            role: member.role,
            reason: None,
        };
        changes.record(loaded.event(EventPayload::UserRemoved(event)));
        Ok(Outcome::Write(()))
    })
    .await?;
    no_content()
}
