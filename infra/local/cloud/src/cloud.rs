//! `local-cloud dev`: reads the template into a plan (refusing at once what has no local twin),
//! starts DynamoDB Local, the SES emulator and the table browser as child processes, then runs
//! in this process the local Lambda with every function, the gateway, the bus, Secrets Manager,
//! the stream pumps and the code reload. It prints where everything is once every function has
//! asked for its first invocation; on Ctrl-C, SIGTERM or the death of a twin, it stops it all.

use std::net::{Ipv6Addr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

use crate::bus::{Bus, RetryTiming, Target};
use crate::code_reload::{BuildState, CodeReload};
use crate::dead_letters::DeadLetters;
use crate::environment::{LocalStack, REGION, local_parameters};
use crate::function_spec::{FunctionSpec, binaries_folder};
use crate::gateway::Gateway;
use crate::lambda::Lambda;
use crate::lambda_twin::LambdaTwin;
use crate::processes::Supervisor;
use crate::routes::RouteTable;
use crate::secrets::SecretStore;
use crate::secrets_manager::{LocalSecret, SecretsManager};
use crate::services::{self, Storage};
use crate::settings::Settings;
use crate::stream_pump::StreamPump;
use crate::table::ensure_table;
use crate::template::{Function, StreamSource, Template, repo_root};
use crate::tokens::Issuer;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

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
    /// Per stream source: the function, the mapping's settings and the table's local name.
    stream_sources: Vec<(String, StreamSource, String)>,
    secrets: Vec<LocalSecret>,
}

/// Where the local cloud's own servers listen; bound before anything starts, so a taken port
/// fails at once and by name.
struct Listeners {
    gateway: TcpListener,
    bus: TcpListener,
    secrets: TcpListener,
    /// 127.0.0.1, and [::1] where the machine has it: `cargo lambda invoke` calls [::1] by default.
    lambda: Vec<TcpListener>,
}

/// Runs the local cloud in the foreground until asked to stop.
pub fn run(settings: Settings) -> Result<(), BoxError> {
    let plan = plan(&settings)?;
    let listeners = Listeners {
        gateway: bind(settings.gateway_port, "LOCAL_GATEWAY_PORT")?,
        bus: bind(settings.bus_port, "LOCAL_BUS_PORT")?,
        secrets: bind(settings.secrets_port, "LOCAL_SECRETS_PORT")?,
        lambda: std::iter::once(bind(settings.lambda_port, "LOCAL_LAMBDA_PORT")?)
            .chain(TcpListener::bind((Ipv6Addr::LOCALHOST, settings.lambda_port)).ok())
            .map(|listener| listener.set_nonblocking(true).map(|()| listener))
            .collect::<Result<_, _>>()?,
    };

    let supervisor = Arc::new(Mutex::new(Supervisor::new()));
    {
        let mut children = supervisor.lock().expect("not poisoned");
        let storage = if settings.in_memory {
            Storage::InMemory
        } else {
            let folder = settings.data_dir.join("dynamodb");
            std::fs::create_dir_all(&folder)?;
            Storage::Folder(folder)
        };
        children.spawn("DynamoDB Local", services::dynamodb_local(settings.dynamodb_port, &storage)?, true)?;
        children.spawn("aws-ses-v2-local", services::ses_emulator(settings.ses_port)?, true)?;
        children.spawn(
            "dynamodb-admin",
            services::dynamodb_admin(settings.admin_port, settings.dynamodb_port)?,
            true,
        )?;
    }
    // Multi-threaded: its workers live as long as the local cloud, so the function instances
    // they spawn get the parent-death signal only when the local cloud ends.
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let outcome = runtime.block_on(serve(&settings, plan, listeners, Arc::clone(&supervisor)));
    eprintln!("Stopping the local cloud…");
    // Dropping the tasks drops the function instances, which kills them.
    runtime.shutdown_timeout(Duration::from_secs(5));
    supervisor.lock().expect("not poisoned").stop_all();
    outcome
}

fn plan(settings: &Settings) -> Result<Plan, BoxError> {
    let template = Template::of_repo()?;
    let functions = template.functions()?;
    let secrets = SecretStore::in_folder(settings.data_dir.join("secrets"));
    let stack = LocalStack {
        template: &template,
        parameters: local_parameters(&repo_root().join("infra/local/parameters.json"))?,
        secrets: &secrets,
    };
    let local_aws = local_aws_variables(settings);
    let binaries = binaries_folder();
    let specs = functions
        .iter()
        .map(|function| FunctionSpec::from_template(&stack, function, &binaries, &local_aws))
        .collect::<Result<_, _>>()?;
    let table = match only_one(&template, "AWS::DynamoDB::Table")? {
        Some(table) => stack.physical_name(table)?,
        None => return Err("infra/template.yaml defines no AWS::DynamoDB::Table".into()),
    };
    let bus = match only_one(&template, "AWS::Events::EventBus")? {
        Some(bus) => stack.physical_name(bus)?,
        None => "default".to_owned(),
    };
    let mut targets = Vec::new();
    let mut stream_sources = Vec::new();
    for function in &functions {
        for rule in &function.rules {
            if stack.physical_name(&rule.bus)? != bus {
                return Err(format!("rule {} is on a bus the local cloud does not run", rule.name).into());
            }
            let async_invoke = function.async_invoke.clone();
            targets.push(Target { rule: rule.clone(), function: function.binary.clone(), async_invoke });
        }
        for source in &function.stream_sources {
            stream_sources.push((function.binary.clone(), source.clone(), stack.physical_name(&source.table)?));
        }
    }
    let secrets = stack.secrets()?;
    Ok(Plan { template, functions, specs, table, bus, targets, stream_sources, secrets })
}

/// The logical id of the template's resource of `kind`, if any; the local cloud runs one of each.
fn only_one<'a>(template: &'a Template, kind: &'a str) -> Result<Option<&'a str>, String> {
    let mut resources = template.resources_of_type(kind).map(|(id, _)| id);
    let first = resources.next();
    match (first, resources.next()) {
        (Some(first), Some(second)) => Err(format!("{first} and {second} are both {kind}; the local cloud runs one")),
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

fn bind(port: u16, variable: &str) -> Result<TcpListener, BoxError> {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .map_err(|e| format!("127.0.0.1:{port} is not available ({e}); choose another with {variable}"))?;
    listener.set_nonblocking(true)?;
    Ok(listener)
}

async fn serve(
    settings: &Settings,
    plan: Plan,
    listeners: Listeners,
    supervisor: Arc<Mutex<Supervisor>>,
) -> Result<(), BoxError> {
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
        serve_on(listener, crate::lambda_twin::router(Arc::clone(&functions)))?;
    }
    let _code_reload = CodeReload::start(&repo_root(), binaries, build_state)?;
    let secrets_manager = Arc::new(SecretsManager { secrets: plan.secrets });
    serve_on(listeners.secrets, crate::secrets_manager::router(secrets_manager))?;

    for (name, port) in [("DynamoDB Local", settings.dynamodb_port), ("aws-ses-v2-local", settings.ses_port)] {
        wait_for_port(name, port).await?;
    }
    let sdk = local_sdk_config(&Settings::url(settings.dynamodb_port)).await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    if ensure_table(&dynamodb, &plan.template, &plan.table).await? {
        eprintln!("Created table {} from infra/template.yaml.", plan.table);
    }

    let lambda = Lambda::new(Settings::url(settings.lambda_port));
    let dead_letters = Arc::new(DeadLetters::new(settings.data_dir.join("dead-letters")));
    let issuer_url = format!("{}/_local", Settings::url(settings.gateway_port));
    let gateway = Arc::new(Gateway {
        routes: RouteTable::new(&plan.functions),
        issuer: Issuer::load_or_create(&settings.data_dir.join("issuer-key.pk8"), &issuer_url, AUDIENCE)?,
        lambda: lambda.clone(),
        functions: Arc::clone(&functions),
    });
    let gateway_server = tokio::spawn(crate::gateway::serve(
        tokio::net::TcpListener::from_std(listeners.gateway)?,
        gateway,
        shutdown(stop.clone()),
    ));
    let bus = Arc::new(Bus {
        name: plan.bus.clone(),
        targets: plan.targets,
        lambda: lambda.clone(),
        dead_letters: Arc::clone(&dead_letters),
        timing: RetryTiming::default(),
    });
    serve_on(listeners.bus, crate::bus::router(bus))?;
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
            print_ready(settings, &plan.table, &plan.bus);
            wait_for_stop(&supervisor).await
        }
        stopped = wait_for_stop(&supervisor) => stopped,
    };
    let _ = stop_sender.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        let _ = gateway_server.await;
        for task in servers.into_iter().chain(pumps) {
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

async fn wait_for_port(name: &str, port: u16) -> Result<(), BoxError> {
    let deadline = Instant::now() + STARTUP_TIMEOUT;
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        if Instant::now() > deadline {
            return Err(format!("{name} did not open port {port} within {STARTUP_TIMEOUT:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}

/// Ctrl-C, SIGTERM, or a child that stopped by itself (an error: the cloud is incomplete).
async fn wait_for_stop(supervisor: &Mutex<Supervisor>) -> Result<(), BoxError> {
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let mut poll = tokio::time::interval(Duration::from_millis(500));
    loop {
        tokio::select! {
            _ = interrupt.recv() => return Ok(()),
            _ = terminate.recv() => return Ok(()),
            _ = poll.tick() => {
                if let Some((name, status)) = supervisor.lock().expect("not poisoned").exited() {
                    return Err(format!("{name} stopped ({status})").into());
                }
            }
        }
    }
}

fn print_ready(settings: &Settings, table: &str, bus: &str) {
    let url = Settings::url;
    let dead_letters = settings.data_dir.join("dead-letters");
    eprintln!(
        "\nmeshcustomers local cloud is ready.\n\
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
         \x20                   infra/local/.venv/bin/cargo-lambda lambda invoke -P {lambda_port} --data-file events/samples/<function>.json <function>\n\
         \x20 Dead letters      {dead_letters}/<function>.jsonl\n\
         A saved change to the functions' code rebuilds them; Ctrl-C stops everything.\n",
        api = url(settings.gateway_port),
        ses = url(settings.ses_port),
        admin = url(settings.admin_port),
        dynamodb = url(settings.dynamodb_port),
        bus_url = url(settings.bus_port),
        secrets = url(settings.secrets_port),
        lambda = url(settings.lambda_port),
        lambda_port = settings.lambda_port,
        dead_letters = dead_letters.display(),
    );
}
