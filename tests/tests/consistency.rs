//! What must agree across the repository: the template, the crates, the README's API table,
//! the configuration, and the sample events.

use aws_lambda_events::dynamodb::Event as StreamEvent;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use lambda_http::request::LambdaRequest;
use lambda_runtime::{Context, LambdaEvent};
use local_cloud::environment::{LocalStack, default_local_parameters};
use local_cloud::secrets::SecretStore;
use local_cloud::template::Template;
use meshcustomers::app::AppConfig;
use meshcustomers::config::{Environment, PagesLists, Settings};
use meshcustomers::domain::CustomerRole;
use meshcustomers::events::DomainEvent;
use meshcustomers_tests::pipeline::RecordingBus;
use meshcustomers_tests::template::{functions, routes};
use meshcustomers_tests::test_app::test_variables;
use meshcustomers_tests::{Caller, TestApp, TestResponse, fixtures, repo_root};
use std::cell::RefCell;
use std::collections::BTreeSet;

fn function_crates() -> BTreeSet<String> {
    std::fs::read_dir(repo_root().join("functions"))
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.path().join("Cargo.toml").exists())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn every_function_crate_is_built_by_exactly_one_template_function_and_back() {
    let template_binaries: Vec<String> = functions().into_iter().map(|f| f.binary).collect();
    let unique: BTreeSet<String> = template_binaries.iter().cloned().collect();
    assert_eq!(unique.len(), template_binaries.len(), "a crate is built by two functions: {template_binaries:?}");
    assert_eq!(unique, function_crates(), "template functions and crates in functions/ differ");
}

/// `make build` compiles every function crate for arm64 in one cargo invocation, then SAM packages
/// each function with `BuildMethod: makefile`: the Makefile's `build-%Function` rule copies the
/// binary it derives from the logical id (`OpenTenantAccessFunction` -> `open-tenant-access`).
/// This holds the template to what that rule and that build assume.
#[test]
fn every_function_is_packaged_by_the_makefile_rule_from_the_binary_its_logical_id_names() {
    let template = Template::of_repo().unwrap();
    for function in functions() {
        let id = &function.logical_id;
        let resource = template.resource(id).unwrap();
        assert_eq!(resource["Metadata"]["BuildMethod"].as_str(), Some("makefile"), "{id}: BuildMethod");
        assert_eq!(resource["Properties"]["CodeUri"].as_str(), Some(".."), "{id}: the Makefile is the workspace's");
        let architectures: Vec<&str> = resource["Properties"]["Architectures"]
            .as_sequence()
            .unwrap_or_else(|| panic!("{id}: no Architectures"))
            .iter()
            .filter_map(|a| a.as_str())
            .collect();
        assert_eq!(architectures, ["arm64"], "{id}: `make build` cross-compiles for arm64 only");
        let stem = id.strip_suffix("Function").unwrap_or_else(|| panic!("{id} does not end in Function"));
        // The rule's sed: a hyphen between a lowercase letter or digit and an uppercase letter.
        let mut kebab = String::new();
        let mut previous = None;
        for c in stem.chars() {
            if c.is_ascii_uppercase() && previous.is_some_and(|p: char| p.is_ascii_lowercase() || p.is_ascii_digit()) {
                kebab.push('-');
            }
            kebab.push(c.to_ascii_lowercase());
            previous = Some(c);
        }
        assert_eq!(kebab, function.binary, "{id}: the Makefile rule would copy the binary {kebab}");
    }
}

/// The rows of the README's API table: (method, path).
fn readme_routes() -> BTreeSet<(String, String)> {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README.md");
    let section = readme.split("\n## API").nth(1).expect("the README has an API section");
    let section = section.split("\n## ").next().unwrap();
    section
        .lines()
        .filter(|line| line.starts_with('|'))
        .map(|line| line.split('|').map(str::trim).filter(|cell| !cell.is_empty()).collect::<Vec<_>>())
        .filter(|cells| cells.len() >= 2 && cells[1].starts_with('/'))
        .map(|cells| (cells[0].to_owned(), cells[1].to_owned()))
        .collect()
}

#[test]
fn every_route_is_documented_in_the_readme_and_every_documented_route_exists() {
    let template_routes: BTreeSet<(String, String)> = functions().iter().flat_map(routes).collect();
    assert!(!template_routes.is_empty());
    assert_eq!(readme_routes(), template_routes, "README API table (left) and template routes (right) differ");
}

/// The variables a function reads at start, as its `main` reads them.
fn variables_read_by(binary: &str) -> BTreeSet<String> {
    let read = RefCell::new(BTreeSet::new());
    let variables = test_variables("table");
    let environment = Environment::from_lookup(|name| {
        read.borrow_mut().insert(name.to_owned());
        variables.iter().find(|(key, _)| key == name).map(|(_, value)| value.clone())
    });
    let outcome = match binary {
        "create-customer" => AppConfig::<create_customer::Settings>::read(&environment).map(drop),
        "register-customer" => AppConfig::<register_customer::Settings>::read(&environment).map(drop),
        "get-customer"
        | "audit-writer"
        | "edit-customer-quota"
        | "update-customer"
        | "change-customer-status"
        | "confirm-email"
        | "edit-customer-tags"
        | "list-tag-definitions"
        | "create-tag-definition"
        | "update-tag-definition"
        | "delete-tag-definition"
        | "change-member-role"
        | "change-member-expiry"
        | "remove-member"
        | "export-access-review"
        | "review-access"
        | "cancel-invitation"
        | "accept-invitation"
        | "send-message"
        | "acknowledge-message"
        | "message-fanout"
        | "create-project"
        | "get-project"
        | "create-service-user"
        | "delete-service-user"
        | "create-partner-api-key"
        | "list-partner-api-keys"
        | "revoke-partner-api-key"
        | "create-customer-api-key"
        | "list-customer-api-keys"
        | "revoke-customer-api-key"
        | "reject-customer" => AppConfig::<()>::read(&environment).map(drop),
        "expire-memberships" => AppConfig::<expire_memberships::Settings>::read(&environment).map(drop),
        "expire-registrations" => AppConfig::<expire_registrations::Settings>::read(&environment).map(drop),
        "create-tenant" => AppConfig::<create_tenant::Settings>::read(&environment).map(drop),
        "open-tenant-access" => AppConfig::<open_tenant_access::Settings>::read(&environment).map(drop),
        "invite-user" => AppConfig::<invite_user::Settings>::read(&environment).map(drop),
        "resend-invitation" => AppConfig::<resend_invitation::Settings>::read(&environment).map(drop),
        "approve-customer" => AppConfig::<approve_customer::Settings>::read(&environment).map(drop),
        "add-myself" => AppConfig::<add_myself::Settings>::read(&environment).map(drop),
        "list-customers"
        | "list-customer-events"
        | "list-customer-users"
        | "list-my-customers"
        | "list-invitations"
        | "list-customer-messages"
        | "list-my-messages"
        | "list-projects"
        | "list-access-reviews"
        | "list-service-users" => AppConfig::<PagesLists>::read(&environment).map(drop),
        "email-sender" => AppConfig::<email_sender::Settings>::read(&environment).map(drop),
        "stream-publisher" => stream_publisher::Settings::read(&environment).map(drop),
        "list-platforms" => list_platforms::Settings::read(&environment).map(drop),
        "authorizer" => authorizer::settings::Settings::read(&environment).map(drop),
        other => panic!("no configuration reader for function {other}: add one"),
    };
    outcome.unwrap_or_else(|error| panic!("{binary}: the test environment is invalid: {error}"));
    drop(environment);
    read.into_inner()
}

#[test]
fn each_function_gets_exactly_the_configuration_it_reads() {
    let template = Template::of_repo().unwrap();
    let secrets = SecretStore::in_memory();
    let parameters = default_local_parameters().unwrap();
    let stack = LocalStack { template: &template, parameters, secrets: &secrets };
    let mut mismatches = Vec::new();
    for function in functions() {
        let given: BTreeSet<String> = stack.function_environment(&function.logical_id).unwrap().into_keys().collect();
        let read = variables_read_by(&function.binary);
        if given != read {
            mismatches.push(format!("{}: the template gives {given:?}, the function reads {read:?}", function.binary));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

fn sample(name: &str) -> String {
    let path = repo_root().join("events/samples").join(format!("{name}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn http_sample(name: &str) -> lambda_http::Request {
    let request: LambdaRequest = serde_json::from_str(&sample(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    lambda_http::Request::from(request)
}

#[tokio::test]
async fn the_sample_events_run_through_their_functions() {
    let test = TestApp::spawn().await;
    let status = |response: TestResponse| {
        assert!(response.status < 300, "{}", response.body);
        response
    };
    status(test.call(create_customer::handle, http_sample("create-customer")).await);
    status(test.call(get_customer::handle, http_sample("get-customer")).await);
    let listed = status(test.call(list_customers::handle, http_sample("list-customers")).await);
    assert_eq!(
        listed.body["items"][0]["identifier"], "globex-labs",
        "the list sample's filters find the created customer"
    );
    status(test.call(register_customer::handle, http_sample("register-customer")).await);
    status(test.call(list_customer_events::handle, http_sample("list-customer-events")).await);
    let renamed = status(test.call(update_customer::handle, http_sample("update-customer")).await);
    assert_eq!(renamed.body["displayName"], "Globex Laboratories");
    let disabled = status(test.call(change_customer_status::handle, http_sample("change-customer-status")).await);
    assert_eq!(disabled.body["status"], "DISABLED");
    // The member samples: acme's partner admin (the samples' caller) adds himself to the
    // customer the creation sample made, then, as its admin, works on a second member.
    status(test.call(add_myself::handle, http_sample("add-myself")).await);
    let bob = Caller::user("1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a", "bob@globex.example");
    fixtures::member(&test, "globex-labs", &bob, CustomerRole::CustomerEmployee).await;
    let members = status(test.call(list_customer_users::handle, http_sample("list-customer-users")).await);
    assert_eq!(members.body["items"].as_array().map(Vec::len), Some(2), "{}", members.body);
    let mine = status(test.call(list_my_customers::handle, http_sample("list-my-customers")).await);
    assert_eq!(mine.body["items"][0]["customerId"], "globex-labs");
    let promoted = status(test.call(change_member_role::handle, http_sample("change-member-role")).await);
    assert_eq!(promoted.body["role"], "CUSTOMER_ADMIN");
    status(test.call(remove_member::handle, http_sample("remove-member")).await);
    // pat, a customer admin since "Add Myself", invites ken (jane was invited at creation).
    let invitation = status(test.call(invite_user::handle, http_sample("invite-user")).await);
    assert_eq!(invitation.body["status"], "PENDING");
    let invitations = status(test.call(list_invitations::handle, http_sample("list-invitations")).await);
    let invited: Vec<&str> =
        invitations.body["items"].as_array().unwrap().iter().map(|item| item["email"].as_str().unwrap()).collect();
    assert_eq!(invited, ["ken@globex.example", "jane@globex.example"], "newest first");

    let stream: StreamEvent = serde_json::from_str(&sample("stream-publisher")).expect("stream sample");
    let bus = RecordingBus::default();
    let response = stream_publisher::handle(&bus, LambdaEvent::new(stream, Context::default())).await.unwrap();
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(bus.entries().len(), 1);

    let audit: EventBridgeEvent = serde_json::from_str(&sample("audit-writer")).expect("audit sample");
    audit_writer::handle(&test.store, LambdaEvent::new(audit, Context::default())).await.unwrap();
    assert_eq!(test.items_of("HISTORY").await.len(), 1);

    let mail: EventBridgeEvent = serde_json::from_str(&sample("email-sender")).expect("email sample");
    let event: DomainEvent = serde_json::from_value(mail.detail).expect("a domain event");
    assert!(email_sender::mail_request(&event).is_some(), "the email sample causes a mail");
}

/// The serverless rule WS1004 is suppressed on the functions because it only knows log groups
/// named after the function; this holds what it stands for: every function logs to a log group of
/// the template that has a retention.
#[test]
fn every_function_logs_to_a_log_group_with_retention() {
    let template = Template::of_repo().unwrap();
    for function in functions() {
        let resource = template.resource(&function.logical_id).unwrap();
        let log_group = match &resource["Properties"]["LoggingConfig"]["LogGroup"] {
            serde_yaml::Value::Tagged(tagged) if tagged.tag == "Ref" => tagged.value.as_str().unwrap().to_owned(),
            other => panic!("{}: LoggingConfig.LogGroup is not a !Ref of a log group: {other:?}", function.logical_id),
        };
        let group = template.resource(&log_group).unwrap_or_else(|| panic!("no resource {log_group}"));
        assert_eq!(group["Type"].as_str(), Some("AWS::Logs::LogGroup"), "{log_group}");
        assert!(!group["Properties"]["RetentionInDays"].is_null(), "{log_group} keeps logs forever");
    }
}

/// ES6000 is suppressed on the queues because each is where failures end; this holds it: every
/// queue is a failure destination of the template and has an alarm on its visible messages.
#[test]
fn every_queue_is_a_failure_destination_with_an_alarm() {
    let template = Template::of_repo().unwrap();
    let text = std::fs::read_to_string(repo_root().join("infra/template.yaml")).unwrap();
    let queues: Vec<&str> = template.resources_of_type("AWS::SQS::Queue").map(|(id, _)| id).collect();
    assert!(!queues.is_empty());
    for queue in queues {
        let destination = [format!("Destination: !GetAtt {queue}.Arn"), format!("Arn: !GetAtt {queue}.Arn")];
        assert!(destination.iter().any(|d| text.contains(d.as_str())), "{queue} receives no failures");
        let alarmed = template.resources_of_type("AWS::CloudWatch::Alarm").any(|(_, alarm)| {
            alarm["Properties"]["Dimensions"].as_sequence().into_iter().flatten().any(|dimension| {
                matches!(&dimension["Value"], serde_yaml::Value::Tagged(t) if t.value.as_str() == Some(&format!("{queue}.QueueName")))
            })
        });
        assert!(alarmed, "{queue} has no alarm");
    }
}

/// The README says who reads the cursor secret and how many failure queues there are: both follow
/// the template (a function or a queue added there must be added here).
#[test]
fn the_readme_names_the_secret_readers_and_counts_the_failure_queues_of_the_template() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    let row = readme
        .lines()
        .find(|line| line.starts_with("| `CURSOR_SIGNING_KEY_SECRET_ARN` |"))
        .expect("the configuration table has the secret's row");
    let named: BTreeSet<String> = row
        .split('|')
        .nth(3)
        .unwrap()
        .split([',', ' '])
        .map(str::trim)
        .filter(|word| functions().iter().any(|f| f.binary == *word))
        .map(str::to_owned)
        .collect();
    let template = Template::of_repo().unwrap();
    let readers: BTreeSet<String> = functions()
        .into_iter()
        .filter(|function| {
            let resource = template.resource(&function.logical_id).unwrap();
            !resource["Properties"]["Environment"]["Variables"]["CURSOR_SIGNING_KEY_SECRET_ARN"].is_null()
        })
        .map(|function| function.binary)
        .collect();
    assert_eq!(named, readers, "the README's readers of the cursor secret");

    let queues = template.resources_of_type("AWS::SQS::Queue").count();
    let words =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"];
    let counted: Vec<&str> = readme
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(3)
        .filter(|w| w[1] == "failure" && w[2].trim_end_matches(['.', ',', ')']) == "queues")
        .filter_map(|w| words.iter().position(|word| *word == w[0]).map(|_| w[0]))
        .collect();
    assert!(!counted.is_empty(), "the README counts the failure queues");
    for count in counted {
        assert_eq!(count, words[queues], "the README counts {count} failure queues, the template has {queues}");
    }
}
