//! `local-cloud dev`: reads the template into a plan (refusing at once what has no local twin),
//! starts DynamoDB Local, the SES emulator and the table browser as child processes, then runs
//! in this process the local Lambda with every function, the gateway, the bus, Secrets Manager,
//! the stream pumps, the schedules, the integrators' queues (their templates' consumers run in
//! the local Lambda too), the code reload, the web page (built by Vite, rebuilt on change) and its
//! local sign-in. It prints where everything is once every function has
//! asked for its first invocation and the web page is built; on Ctrl-C, SIGTERM or the death of a twin, it stops it all.

use std::io;
use std::net::{Ipv6Addr, TcpListener};
use std::process::ExitStatus;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

use crate::bus::integrations::{Integration, IntegrationTarget};
use crate::bus::integrator_stack::{IntegratorStacks, Surroundings};
use crate::bus::schedules::{ScheduledFunction, Scheduler};
use crate::bus::{Bus, RetryTiming, Target};
use crate::dead_letters::DeadLetters;
use crate::environment::{LocalStack, REGION, local_parameters};
use crate::gateway::Gateway;
use crate::gateway::api_reference::ApiReference;
use crate::gateway::cors::CorsPolicy;
use crate::gateway::lambda_authorizer::{AuthorizerDefinition, LocalAuthorizer};
use crate::gateway::routes::RouteTable;
use crate::lambda::LambdaTwin;
use crate::lambda::code_reload::{BuildState, CodeReload};
use crate::lambda::function_spec::{FunctionSpec, binaries_folder};
use crate::lambda::invoke::Lambda;
use crate::portal::{PageBuild, PageBuildError, Portal, page_config};
use crate::processes::Supervisor;
use crate::secrets::SecretStore;
use crate::secrets::manager::{LocalSecret, SecretsManager};
use crate::services::table::{TableError, ensure_table, ensure_table_from};
use crate::services::{self, Storage};
use crate::settings::Settings;
use crate::signin::oauth::{AppClient, LocalSignIn};
use crate::signin::tokens::{Issuer, IssuerError};
use crate::stream::StreamPump;
use crate::template::{Function, StreamSource, Template, TemplateError, repo_root};

/// Why the local cloud did not start, or stopped by itself. Each names what to look at: the
/// template, the port and its variable, the twin, the file; the cause, if any, is its source.
#[derive(Debug, thiserror::Error)]
pub enum CloudError {
    /// The template or the local parameters cannot be read, or ask for what has no local twin.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// A `LOCAL_PARAMETER_<Name>` variable names no parameter of the template (a typo).
    #[error("LOCAL_PARAMETER_{name} is set, but the template has no parameter {name}")]
    UnknownParameter { name: String },
    #[error("127.0.0.1:{port} is not available (choose another port with {variable})")]
    PortTaken {
        port: u16,
        variable: &'static str,
        #[source]
        source: io::Error,
    },
    /// A twin's package is not installed where the local cloud looks for it.
    #[error("cannot start {twin}: {reason}")]
    TwinMissing { twin: &'static str, reason: String },
    #[error("cannot start {twin}")]
    TwinStart {
        twin: &'static str,
        #[source]
        source: io::Error,
    },
    #[error("{twin} did not open port {port} within {timeout:?}")]
    TwinSilent { twin: &'static str, port: u16, timeout: Duration },
    /// A twin ended by itself: the local cloud is incomplete without it.
    #[error("{twin} stopped ({status})")]
    TwinStopped { twin: String, status: ExitStatus },
    #[error("cannot set up the table in DynamoDB Local")]
    Table(#[source] TableError),
    /// The integrations file cannot be read, or one of its rules is bad.
    #[error(transparent)]
    Integrations(#[from] crate::bus::integrations::IntegrationsError),
    #[error("the gateway's token issuer cannot start")]
    Issuer(#[source] IssuerError),
    #[error("the API reference cannot be served")]
    ApiReference(#[source] crate::gateway::api_reference::ApiReferenceError),
    #[error("the web page cannot be served")]
    Page(#[source] PageBuildError),
    #[error("cannot watch the sources to rebuild the functions")]
    CodeReload(#[source] notify_debouncer_full::notify::Error),
    /// Any other I/O failure, with what was being done (`cannot <action>`).
    #[error("cannot {action}")]
    Io {
        action: String,
        #[source]
        source: io::Error,
    },
}

impl CloudError {
    /// `map_err(CloudError::io("start the async runtime"))`.
    fn io(action: impl Into<String>) -> impl FnOnce(io::Error) -> Self {
        move |source| Self::Io { action: action.into(), source }
    }
}

/// The audience of local tokens (the deployed API expects its Cognito app client id).
pub const AUDIENCE: &str = "meshcustomers-local";
const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);

/// What the local cloud runs, all read from the template before anything starts.
struct Plan {
    template: Template,
    functions: Vec<Function>,
    specs: Vec<FunctionSpec>,
    /// The local names of the table and the bus (the functions learn them from their own
    /// environment, as the template gives it).
    table: String,
    bus: String,
    targets: Vec<Target>,
    /// The integrator's own rules (`infra/local/integrations.yaml`).
    integrations: Vec<Integration>,
    /// The integrators' templates that their `Sqs` targets name: tables and queues (their
    /// functions are in `specs`).
    integrator_stacks: IntegratorStacks,
    /// Per stream source: the function, the mapping's settings and the table's local name.
    stream_sources: Vec<(String, StreamSource, String)>,
    secrets: Vec<LocalSecret>,
    /// The HttpApi's CORS configuration, resolved for the local portal.
    cors: Option<CorsPolicy>,
    /// The app client of the local sign-in (its callback and logout URLs).
    app_client: AppClient,
    /// The HttpApi's default authorizer (a function of `specs`).
    authorizer: AuthorizerDefinition,
}

/// Where the local cloud's own servers listen; bound before anything starts, so a taken port
/// fails at once and by name.
struct Listeners {
    gateway: TcpListener,
    bus: TcpListener,
    secrets: TcpListener,
    portal: TcpListener,
    /// 127.0.0.1, and [::1] where the machine has it: `cargo lambda invoke` calls [::1] by default.
    lambda: Vec<TcpListener>,
}

/// Runs the local cloud in the foreground until asked to stop.
pub fn run(settings: Settings) -> Result<(), CloudError> {
    let plan = plan(&settings)?;
    let listeners = Listeners {
        gateway: bind(settings.gateway_port, "LOCAL_GATEWAY_PORT")?,
        bus: bind(settings.bus_port, "LOCAL_BUS_PORT")?,
        secrets: bind(settings.secrets_port, "LOCAL_SECRETS_PORT")?,
        portal: bind(settings.portal_port, "LOCAL_PORTAL_PORT")?,
        lambda: std::iter::once(bind(settings.lambda_port, "LOCAL_LAMBDA_PORT")?)
            .chain(TcpListener::bind((Ipv6Addr::LOCALHOST, settings.lambda_port)).ok())
            .map(|listener| listener.set_nonblocking(true).map(|()| listener))
            .collect::<Result<_, _>>()
            .map_err(CloudError::io("make the Lambda invoke API's listeners non-blocking"))?,
    };

    let supervisor = Arc::new(Mutex::new(Supervisor::new()));
    {
        let mut children = supervisor.lock().expect("not poisoned");
        let storage = if settings.in_memory {
            Storage::InMemory
        } else {
            let folder = settings.data_dir.join("dynamodb");
            std::fs::create_dir_all(&folder)
                .map_err(CloudError::io(format!("create DynamoDB Local's data folder {}", folder.display())))?;
            Storage::Folder(folder)
        };
        let mut start = |twin: &'static str, command: Result<std::process::Command, String>| {
            let command = command.map_err(|reason| CloudError::TwinMissing { twin, reason })?;
            children.spawn(twin, command, true).map_err(|source| CloudError::TwinStart { twin, source })
        };
        start("DynamoDB Local", services::dynamodb_local(settings.dynamodb_port, &storage))?;
        start("aws-ses-v2-local", services::ses_emulator(settings.ses_port))?;
        start("dynamodb-admin", services::dynamodb_admin(settings.admin_port, settings.dynamodb_port))?;
    }
    // Multi-threaded: its workers live as long as the local cloud, so the function instances
    // they spawn get the parent-death signal only when the local cloud ends.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(CloudError::io("start the async runtime"))?;
    let outcome = runtime.block_on(serve(&settings, plan, listeners, Arc::clone(&supervisor)));
    eprintln!("Stopping the local cloud…");
    // Dropping the tasks drops the function instances, which kills them.
    runtime.shutdown_timeout(Duration::from_secs(5));
    supervisor.lock().expect("not poisoned").stop_all();
    outcome
}

/// The local issuer's `iss`: its keys are at `<issuer>/.well-known/jwks.json` on the gateway.
fn issuer_url(settings: &Settings) -> String {
    format!("{}/_local", Settings::url(settings.gateway_port))
}

fn plan(settings: &Settings) -> Result<Plan, CloudError> {
    let template = Template::of_repo()?;
    let functions = template.functions()?;
    let secrets = SecretStore::in_folder(settings.data_dir.join("secrets"));
    let portal = Settings::url(settings.portal_port);
    let mut parameters =
        local_parameters(&repo_root().join("infra/local/parameters.json"), &portal, &issuer_url(settings))?;
    for (name, value) in &settings.parameters {
        if template.root()["Parameters"].get(name).is_none() {
            return Err(CloudError::UnknownParameter { name: name.clone() });
        }
        parameters.insert(name.clone(), value.clone());
    }
    let stack = LocalStack { template: &template, parameters, secrets: &secrets };
    let local_aws = local_aws_variables(settings);
    let binaries = binaries_folder();
    let mut specs: Vec<FunctionSpec> = functions
        .iter()
        .map(|function| FunctionSpec::from_template(&stack, function, &binaries, &local_aws))
        .collect::<Result<_, _>>()?;
    let table = match only_one(&template, "AWS::DynamoDB::Table")? {
        Some(table) => stack.physical_name(table).map_err(TemplateError::Unsupported)?,
        None => {
            return Err(
                TemplateError::Unsupported("no AWS::DynamoDB::Table; the local cloud needs one".to_owned()).into()
            );
        }
    };
    let bus = match only_one(&template, "AWS::Events::EventBus")? {
        Some(bus) => stack.physical_name(bus).map_err(TemplateError::Unsupported)?,
        None => "default".to_owned(),
    };
    let mut targets = Vec::new();
    let mut stream_sources = Vec::new();
    for function in &functions {
        for rule in &function.rules {
            if stack.physical_name(&rule.bus).map_err(TemplateError::Unsupported)? != bus {
                let unsupported = format!("rule {} is on a bus the local cloud does not run", rule.name);
                return Err(TemplateError::Unsupported(unsupported).into());
            }
            let async_invoke = function.async_invoke.clone();
            targets.push(Target { rule: rule.clone(), function: function.binary.clone(), async_invoke });
        }
        if let Some(source) = function.queue_sources.first() {
            let unsupported = format!("{}: the SQS event on {} has no local twin", function.logical_id, source.queue);
            return Err(TemplateError::Unsupported(unsupported).into());
        }
        for source in &function.stream_sources {
            let table = stack.physical_name(&source.table).map_err(TemplateError::Unsupported)?;
            stream_sources.push((function.binary.clone(), source.clone(), table));
        }
    }
    let secrets = stack.secrets()?;
    let cors = CorsPolicy::from_template(&stack).map_err(TemplateError::Unsupported)?;
    let app_client = AppClient::from_template(&stack, AUDIENCE).map_err(TemplateError::Unsupported)?;
    let authorizer = AuthorizerDefinition::from_template(&template, &functions).map_err(TemplateError::Unsupported)?;
    let names: Vec<String> = functions.iter().map(|function| function.binary.clone()).collect();
    let mut integrations = crate::bus::integrations::load(&settings.integrations_file, &names)?;
    let around = Surroundings {
        integrations_file: &settings.integrations_file,
        secrets: stack.secrets,
        binaries: &binaries,
        local_aws: &local_aws,
        functions: &names,
        table: &table,
    };
    let integrator_stacks = crate::bus::integrator_stack::plan(&mut integrations, &around)?;
    specs.extend(integrator_stacks.specs.iter().cloned());
    Ok(Plan {
        template,
        functions,
        specs,
        table,
        bus,
        targets,
        integrations,
        integrator_stacks,
        stream_sources,
        secrets,
        cors,
        app_client,
        authorizer,
    })
}

/// The logical id of the template's resource of `kind`, if any; the local cloud runs one of each.
fn only_one<'a>(template: &'a Template, kind: &'a str) -> Result<Option<&'a str>, TemplateError> {
    let mut resources = template.resources_of_type(kind).map(|(id, _)| id);
    let first = resources.next();
    match (first, resources.next()) {
        (Some(first), Some(second)) => {
            Err(TemplateError::Unsupported(format!("{first} and {second} are both {kind}; the local cloud runs one")))
        }
        _ => Ok(first),
    }
}

/// The AWS SDK's variables that point the functions at the local twins, with dummy credentials
/// and no shared config files, so a developer's real AWS account is never reached.
fn local_aws_variables(settings: &Settings) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", "local".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "local".to_owned()),
        ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("AWS_ENDPOINT_URL_DYNAMODB", Settings::url(settings.dynamodb_port)),
        ("AWS_ENDPOINT_URL_EVENTBRIDGE", Settings::url(settings.bus_port)),
        ("AWS_ENDPOINT_URL_SESV2", Settings::url(settings.ses_port)),
        ("AWS_ENDPOINT_URL_SECRETS_MANAGER", Settings::url(settings.secrets_port)),
    ]
}

fn bind(port: u16, variable: &'static str) -> Result<TcpListener, CloudError> {
    let listener =
        TcpListener::bind(("127.0.0.1", port)).map_err(|source| CloudError::PortTaken { port, variable, source })?;
    listener
        .set_nonblocking(true)
        .map_err(CloudError::io(format!("make the listener on 127.0.0.1:{port} non-blocking")))?;
    Ok(listener)
}

async fn serve(
    settings: &Settings,
    plan: Plan,
    listeners: Listeners,
    supervisor: Arc<Mutex<Supervisor>>,
) -> Result<(), CloudError> {
    let (stop_sender, stop) = watch::channel(false);
    let shutdown = |mut stop: watch::Receiver<bool>| async move {
        let _ = stop.wait_for(|stopped| *stopped).await;
    };
    let mut servers = Vec::new();
    let mut serve_on = |listener: TcpListener, router: axum::Router| -> std::io::Result<()> {
        let server = axum::serve(tokio::net::TcpListener::from_std(listener)?, router)
            .with_graceful_shutdown(shutdown(stop.clone()))
            .into_future();
        servers.push(tokio::spawn(async move {
            if let Err(error) = server.await {
                tracing::warn!(%error, "a server of the local cloud stopped");
            }
        }));
        Ok(())
    };

    // The functions start while DynamoDB Local does; invocations reach them through the invoke API.
    let (build_state, builds) = watch::channel(BuildState::default());
    let binaries = plan.specs.iter().map(|spec| spec.name.clone()).collect();
    let functions = Arc::new(LambdaTwin::start(plan.specs, &builds));
    for listener in listeners.lambda {
        serve_on(listener, crate::lambda::router(Arc::clone(&functions)))
            .map_err(CloudError::io("serve the Lambda invoke API"))?;
    }
    let _code_reload = CodeReload::start(&repo_root(), binaries, build_state).map_err(CloudError::CodeReload)?;
    // The page builds while the functions and DynamoDB Local start.
    let web = repo_root().join("web");
    let page_build = settings.build_page.then(|| tokio::spawn(async move { PageBuild::start(&web).await }));
    let portal = Arc::new(Portal::new(
        repo_root().join("web/dist"),
        page_config(&Settings::url(settings.gateway_port), AUDIENCE),
    ));
    serve_on(listeners.portal, crate::portal::router(portal)).map_err(CloudError::io("serve the web page"))?;
    let secrets_manager = Arc::new(SecretsManager { secrets: plan.secrets });
    serve_on(listeners.secrets, crate::secrets::manager::router(secrets_manager))
        .map_err(CloudError::io("serve Secrets Manager"))?;

    for (name, port) in [("DynamoDB Local", settings.dynamodb_port), ("aws-ses-v2-local", settings.ses_port)] {
        wait_for_port(name, port, &supervisor).await?;
    }
    let sdk = local_sdk_config(&Settings::url(settings.dynamodb_port)).await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let created = table_ready(&dynamodb, &plan.template, &plan.table, &supervisor).await?;
    if created {
        eprintln!("Created table {} from infra/template.yaml.", plan.table);
    }
    for (properties, name) in &plan.integrator_stacks.tables {
        if ensure_table_from(&dynamodb, properties, name).await.map_err(CloudError::Table)? {
            eprintln!("Created table {name} from an integrator's template.");
        }
    }

    let lambda = Lambda::new(Settings::url(settings.lambda_port));
    let dead_letters = Arc::new(DeadLetters::new(settings.data_dir.join("dead-letters")));
    let issuer = Arc::new(
        Issuer::load_or_create(&settings.data_dir.join("issuer-key.pk8"), &issuer_url(settings), AUDIENCE)
            .map_err(CloudError::Issuer)?,
    );
    let scheduler = Arc::new(Scheduler {
        schedules: ScheduledFunction::of(&plan.functions),
        lambda: lambda.clone(),
        dead_letters: Arc::clone(&dead_letters),
        timing: RetryTiming::default(),
    });
    let schedules = tokio::spawn(Arc::clone(&scheduler).run(stop.clone()));
    // Kept until the local cloud stops: dropping it ends the page's watch. Awaited before the
    // gateway serves, so `/_local/health` (what tests and scripts wait on) answers only once the
    // page is there: a first start has no web/dist until this build ends.
    let _page_build = match page_build {
        Some(build) => Some(
            build
                .await
                .map_err(|error| CloudError::Page(PageBuildError::Crashed(error.to_string())))?
                .map_err(CloudError::Page)?,
        ),
        None => None,
    };
    let gateway = Arc::new(Gateway {
        routes: RouteTable::new(&plan.functions),
        reference: Arc::new(ApiReference::load(&repo_root()).map_err(CloudError::ApiReference)?),
        issuer: Arc::clone(&issuer),
        authorizer: LocalAuthorizer::new(plan.authorizer),
        cors: plan.cors,
        sign_in: Arc::new(LocalSignIn::new(plan.app_client, issuer)),
        lambda: lambda.clone(),
        functions: Arc::clone(&functions),
        scheduler,
    });
    let gateway_server = tokio::spawn(crate::gateway::serve(
        tokio::net::TcpListener::from_std(listeners.gateway).map_err(CloudError::io("serve the gateway"))?,
        gateway,
        shutdown(stop.clone()),
    ));
    let integrations = describe_integrations(&settings.integrations_file, &plan.integrations);
    let mut queues = Vec::new();
    for (queue, function) in plan.integrator_stacks.queues.values() {
        let poller = Arc::clone(queue).poll(lambda.clone(), function.clone(), Arc::clone(&dead_letters), stop.clone());
        queues.push(tokio::spawn(poller));
    }
    let bus = Arc::new(Bus {
        name: plan.bus.clone(),
        targets: plan.targets,
        integrations: plan.integrations,
        lambda: lambda.clone(),
        http: reqwest::Client::new(),
        dead_letters: Arc::clone(&dead_letters),
        timing: RetryTiming::default(),
    });
    serve_on(listeners.bus, crate::bus::router(bus)).map_err(CloudError::io("serve the event bus"))?;
    let streams = aws_sdk_dynamodbstreams::Client::new(&sdk);
    let mut pumps = Vec::new();
    for (function, source, table) in plan.stream_sources {
        let pump = StreamPump {
            dynamodb: dynamodb.clone(),
            streams: streams.clone(),
            table,
            checkpoint_file: (!settings.in_memory)
                .then(|| settings.data_dir.join(format!("stream-position-{function}.json"))),
            function,
            source,
            lambda: lambda.clone(),
            dead_letters: Arc::clone(&dead_letters),
            retry_base: Duration::from_secs(1),
        };
        pumps.push(tokio::spawn(pump.run(stop.clone())));
    }

    let outcome = tokio::select! {
        () = functions.until_ready() => {
            print_ready(settings, &plan.table, &plan.bus, &integrations);
            wait_for_stop(&supervisor).await
        }
        stopped = wait_for_stop(&supervisor) => stopped,
    };
    let _ = stop_sender.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        let _ = gateway_server.await;
        for task in servers.into_iter().chain(pumps).chain(queues).chain([schedules]) {
            let _ = task.await;
        }
    })
    .await;
    outcome
}

/// AWS SDK configuration for a local twin: fixed region, dummy credentials.
pub async fn local_sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(REGION)
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new("local", "local", None, None, "local-cloud"))
        .endpoint_url(endpoint)
        .load()
        .await
}

async fn wait_for_port(name: &'static str, port: u16, supervisor: &Mutex<Supervisor>) -> Result<(), CloudError> {
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    loop {
        // A twin that could not bind its port (taken since it was chosen) has ended.
        if let Some((twin, status)) = supervisor.lock().expect("not poisoned").exited() {
            return Err(CloudError::TwinStopped { twin, status });
        }
        if let Ok(stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            // A connection to a port nobody listens on can meet itself when the kernel picks
            // that very port as its own end (TCP's simultaneous open): that is no twin.
            if stream.local_addr().ok() != stream.peer_addr().ok() {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            return Err(CloudError::TwinSilent { twin: name, port, timeout: STARTUP_TIMEOUT });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// How long DynamoDB Local may answer DescribeTable with an error at start.
const TABLE_PATIENCE: Duration = Duration::from_secs(15);

/// The template's table in DynamoDB Local, created if missing (true then). What answered on
/// its port may be another program that took the port first, in which case DynamoDB Local could
/// not bind it and ends: that is reported as its stop, which names the twin.
async fn table_ready(
    dynamodb: &aws_sdk_dynamodb::Client,
    template: &Template,
    table: &str,
    supervisor: &Mutex<Supervisor>,
) -> Result<bool, CloudError> {
    let deadline = Instant::now() + TABLE_PATIENCE;
    loop {
        let outcome = ensure_table(dynamodb, template, table).await;
        if let Some((twin, status)) = supervisor.lock().expect("not poisoned").exited() {
            return Err(CloudError::TwinStopped { twin, status });
        }
        match outcome {
            Err(TableError::Describe { .. }) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            outcome => return outcome.map_err(CloudError::Table),
        }
    }
}

/// Ctrl-C, SIGTERM, or a child that stopped by itself (an error: the cloud is incomplete).
async fn wait_for_stop(supervisor: &Mutex<Supervisor>) -> Result<(), CloudError> {
    let mut interrupt = signal(SignalKind::interrupt()).map_err(CloudError::io("listen for Ctrl-C"))?;
    let mut terminate = signal(SignalKind::terminate()).map_err(CloudError::io("listen for SIGTERM"))?;
    let mut poll = tokio::time::interval(Duration::from_millis(500));
    loop {
        tokio::select! {
            _ = interrupt.recv() => return Ok(()),
            _ = terminate.recv() => return Ok(()),
            _ = poll.tick() => {
                if let Some((twin, status)) = supervisor.lock().expect("not poisoned").exited() {
                    return Err(CloudError::TwinStopped { twin, status });
                }
            }
        }
    }
}

/// `<file>: <rule> → <target>, …`, or that there is none, for the ready message.
fn describe_integrations(file: &std::path::Path, integrations: &[Integration]) -> String {
    if integrations.is_empty() {
        return format!("none ({} absent or without rules; LOCAL_INTEGRATIONS_FILE names another)", file.display());
    }
    let rules: Vec<String> = integrations
        .iter()
        .map(|integration| match &integration.target {
            IntegrationTarget::Http(url) => format!("{} → POST {url}", integration.name),
            IntegrationTarget::File(path) => format!("{} → {}", integration.name, path.display()),
            IntegrationTarget::Queue(target) => {
                format!("{} → SQS {} of {}", integration.name, target.queue, target.template.display())
            }
        })
        .collect();
    format!("{}: {}", file.display(), rules.join(", "))
}

fn print_ready(settings: &Settings, table: &str, bus: &str, integrations: &str) {
    let url = Settings::url;
    let dead_letters = settings.data_dir.join("dead-letters");
    eprintln!(
        "\nmeshcustomers local cloud is ready.\n\
         \x20 Portal (web page) {portal}  sign in as an example person; mail links open here\n\
         \x20 API               {api}\n\
         \x20 Tokens            curl -s -X POST {api}/_local/tokens -H 'content-type: application/json' \\\n\
         \x20                     -d '{{\"sub\":\"pat\",\"email\":\"pat@acme.example\",\"groups\":[\"partner-admins\"],\"partner_id\":\"acme\"}}'\n\
         \x20                   or: target/debug/local-cloud token --sub pat --email pat@acme.example --group partner-admins --partner-id acme\n\
         \x20 Mails (SES)       {ses}\n\
         \x20 Table browser     {admin}\n\
         \x20 DynamoDB Local    {dynamodb}  table {table}\n\
         \x20 Event bus         {bus_url}  bus {bus}\n\
         \x20 Secrets Manager   {secrets}\n\
         \x20 Lambda (invoke)   {lambda}\n\
         \x20                   infra/local/.venv/bin/cargo-lambda lambda invoke -P {lambda_port} --data-file events/samples/<function>.json <function>  (after make deps)\n\
         \x20 Integrations      {integrations}\n\
         \x20 Dead letters      {dead_letters}/<function or integration>.jsonl\n\
         \x20 Parameters        {parameters}\n\
         A saved change to the functions' code or to web/ rebuilds them; Ctrl-C stops everything.\n",
        api = url(settings.gateway_port),
        portal = url(settings.portal_port),
        ses = url(settings.ses_port),
        admin = url(settings.admin_port),
        dynamodb = url(settings.dynamodb_port),
        bus_url = url(settings.bus_port),
        secrets = url(settings.secrets_port),
        lambda = url(settings.lambda_port),
        lambda_port = settings.lambda_port,
        dead_letters = dead_letters.display(),
        parameters = if settings.parameters.is_empty() {
            "infra/local/parameters.json, else the template's defaults (LOCAL_PARAMETER_<Name>=value overrides)"
                .to_owned()
        } else {
            let overrides: Vec<String> =
                settings.parameters.iter().map(|(name, value)| format!("{name}={value}")).collect();
            format!("{} (from LOCAL_PARAMETER_*), else infra/local/parameters.json", overrides.join(" "))
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use meshcustomers::diagnostics::error_chain;

    #[test]
    fn a_taken_port_is_named_with_its_variable_and_the_cause() {
        let taken = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = taken.local_addr().unwrap().port();
        let error = bind(port, "LOCAL_GATEWAY_PORT").unwrap_err();
        assert!(matches!(error, CloudError::PortTaken { variable: "LOCAL_GATEWAY_PORT", .. }), "{error:?}");
        // The cause (`Address already in use`, as the OS words it) follows the advice.
        let advice = format!("127.0.0.1:{port} is not available (choose another port with LOCAL_GATEWAY_PORT): ");
        let message = error_chain(&error);
        assert!(message.starts_with(&advice) && message.len() > advice.len(), "{message}");
    }

    #[test]
    fn the_chain_names_every_cause_once() {
        let path = std::path::PathBuf::from("/nowhere/issuer-key.pk8");
        let read = io::Error::new(io::ErrorKind::NotFound, "no such file");
        let error = CloudError::Issuer(IssuerError::ReadKey { path, source: read });
        assert_eq!(
            error_chain(&error),
            "the gateway's token issuer cannot start: cannot read the signing key /nowhere/issuer-key.pk8: no such file"
        );
    }
}
