//! `local-cloud dev`: starts the local twins and the functions, then the gateway, the bus and the
//! stream pumps in this process; prints where everything is once every function answers; on
//! Ctrl-C, SIGTERM or the death of a twin, stops it all.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

use crate::bus::{Bus, RetryTiming, Target};
use crate::dead_letters::DeadLetters;
use crate::environment::{LocalStack, REGION, local_parameters};
use crate::gateway::Gateway;
use crate::lambda::Lambda;
use crate::processes::Supervisor;
use crate::routes::RouteTable;
use crate::secrets::SecretStore;
use crate::services::{self, Storage};
use crate::settings::Settings;
use crate::stream_pump::StreamPump;
use crate::table::ensure_table;
use crate::template::{Function, Template, repo_root};
use crate::tokens::Issuer;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The audience of local tokens (the deployed API expects its Cognito app client id).
pub const AUDIENCE: &str = "meshcustomers-local";
const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);
/// The first invocation of a function may build it.
const READY_TIMEOUT: Duration = Duration::from_secs(1800);

/// Runs the local cloud in the foreground until asked to stop.
pub fn run(settings: Settings) -> Result<(), BoxError> {
    let template = Template::of_repo()?;
    let functions = template.functions()?;
    let secrets = SecretStore::in_folder(settings.data_dir.join("secrets"));
    let stack = LocalStack {
        template: &template,
        parameters: local_parameters(&repo_root().join("infra/local/parameters.json"))?,
        secrets: &secrets,
    };
    let environment = shared_environment(&stack, &functions)?;
    // Bound before anything starts, so a taken port fails at once and by name.
    let gateway_listener = bind(settings.gateway_port, "LOCAL_GATEWAY_PORT")?;
    let bus_listener = bind(settings.bus_port, "LOCAL_BUS_PORT")?;

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
        let mut watch = services::cargo_lambda_watch(settings.lambda_port)?;
        watch.envs(&environment).envs(local_aws_variables(&settings));
        for variable in ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_DEFAULT_PROFILE"] {
            watch.env_remove(variable);
        }
        children.spawn("cargo lambda watch", watch, false)?;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let outcome = runtime.block_on(serve(
        &settings,
        &template,
        &stack,
        functions,
        environment,
        (gateway_listener, bus_listener),
        Arc::clone(&supervisor),
    ));
    eprintln!("Stopping the local cloud…");
    supervisor.lock().expect("not poisoned").stop_all();
    runtime.shutdown_timeout(Duration::from_secs(5));
    outcome
}

/// The one environment of every function: `cargo lambda watch` serves all of them from one
/// process, so per-function differences cannot be given locally and are refused.
fn shared_environment(stack: &LocalStack<'_>, functions: &[Function]) -> Result<BTreeMap<String, String>, BoxError> {
    let mut shared: Option<(String, BTreeMap<String, String>)> = None;
    for function in functions {
        let environment = stack.function_environment(&function.logical_id)?;
        match &shared {
            None => shared = Some((function.logical_id.clone(), environment)),
            Some((first, variables)) if *variables != environment => {
                return Err(format!(
                    "{} and {first} get different environments; the local cloud gives all functions one",
                    function.logical_id
                )
                .into());
            }
            Some(_) => {}
        }
    }
    Ok(shared.map(|(_, variables)| variables).unwrap_or_default())
}

/// The AWS SDK's variables that point the functions at the local twins, with dummy credentials
/// and no shared config files, so a developer's real AWS account is never reached.
fn local_aws_variables(settings: &Settings) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_REGION", REGION.to_owned()),
        ("AWS_DEFAULT_REGION", REGION.to_owned()),
        ("AWS_ACCESS_KEY_ID", "local".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "local".to_owned()),
        ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("AWS_ENDPOINT_URL_DYNAMODB", Settings::url(settings.dynamodb_port)),
        ("AWS_ENDPOINT_URL_EVENTBRIDGE", Settings::url(settings.bus_port)),
        ("AWS_ENDPOINT_URL_SESV2", Settings::url(settings.ses_port)),
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
    template: &Template,
    stack: &LocalStack<'_>,
    functions: Vec<Function>,
    environment: BTreeMap<String, String>,
    (gateway_listener, bus_listener): (TcpListener, TcpListener),
    supervisor: Arc<Mutex<Supervisor>>,
) -> Result<(), BoxError> {
    for (name, port) in [("DynamoDB Local", settings.dynamodb_port), ("aws-ses-v2-local", settings.ses_port)] {
        wait_for_port(name, port).await?;
    }
    let sdk = local_sdk_config(&Settings::url(settings.dynamodb_port)).await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
    let table = environment.get("TABLE_NAME").ok_or("the functions get no TABLE_NAME")?.clone();
    if ensure_table(&dynamodb, template, &table).await? {
        eprintln!("Created table {table} from infra/template.yaml.");
    }

    let (stop_sender, stop) = watch::channel(false);
    let lambda = Lambda::new(Settings::url(settings.lambda_port));
    let dead_letters = Arc::new(DeadLetters::new(settings.data_dir.join("dead-letters")));
    let issuer_url = format!("{}/_local", Settings::url(settings.gateway_port));
    let gateway = Arc::new(Gateway {
        routes: RouteTable::new(&functions),
        issuer: Issuer::load_or_create(&settings.data_dir.join("issuer-key.pk8"), &issuer_url, AUDIENCE)?,
        lambda: lambda.clone(),
        functions: functions.iter().map(|f| f.binary.clone()).collect(),
    });
    let bus_name = environment.get("EVENT_BUS_NAME").ok_or("the functions get no EVENT_BUS_NAME")?.clone();
    let mut targets = Vec::new();
    for function in &functions {
        for rule in &function.rules {
            if stack.physical_name(&rule.bus)? != bus_name {
                return Err(format!("rule {} is on a bus the functions do not publish to", rule.name).into());
            }
            let target = Target {
                rule: rule.clone(),
                function: function.binary.clone(),
                async_invoke: function.async_invoke.clone(),
            };
            targets.push(target);
        }
    }
    let bus = Arc::new(Bus {
        name: bus_name.clone(),
        targets,
        lambda: lambda.clone(),
        dead_letters: Arc::clone(&dead_letters),
        timing: RetryTiming::default(),
    });
    let shutdown = |mut stop: watch::Receiver<bool>| async move {
        let _ = stop.wait_for(|stopped| *stopped).await;
    };
    let gateway_server = tokio::spawn(crate::gateway::serve(
        tokio::net::TcpListener::from_std(gateway_listener)?,
        Arc::clone(&gateway),
        shutdown(stop.clone()),
    ));
    let bus_server = tokio::spawn(
        axum::serve(tokio::net::TcpListener::from_std(bus_listener)?, crate::bus::router(bus))
            .with_graceful_shutdown(shutdown(stop.clone()))
            .into_future(),
    );
    let streams = aws_sdk_dynamodbstreams::Client::new(&sdk);
    let mut pumps = Vec::new();
    for function in &functions {
        for source in &function.stream_sources {
            let pump = StreamPump {
                dynamodb: dynamodb.clone(),
                streams: streams.clone(),
                table: stack.physical_name(&source.table)?,
                function: function.binary.clone(),
                source: source.clone(),
                lambda: lambda.clone(),
                dead_letters: Arc::clone(&dead_letters),
                checkpoint_file: (!settings.in_memory)
                    .then(|| settings.data_dir.join(format!("stream-position-{}.json", function.binary))),
                retry_base: Duration::from_secs(1),
            };
            pumps.push(tokio::spawn(pump.run(stop.clone())));
        }
    }

    let ready = wait_until_ready(&gateway);
    let outcome = tokio::select! {
        ready = ready => match ready {
            Ok(()) => {
                print_ready(settings, &table, &bus_name);
                wait_for_stop(&supervisor).await
            }
            Err(error) => Err(error),
        },
        stopped = wait_for_stop(&supervisor) => stopped,
    };
    let _ = stop_sender.send(true);
    let _ = tokio::time::timeout(Duration::from_secs(5), async {
        let _ = gateway_server.await;
        let _ = bus_server.await;
        for pump in pumps {
            let _ = pump.await;
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

/// Waits until every function answers (the first answer may include its build).
async fn wait_until_ready(gateway: &Gateway) -> Result<(), BoxError> {
    let deadline = Instant::now() + READY_TIMEOUT;
    for function in &gateway.functions {
        loop {
            match gateway.lambda.answers(function).await {
                Ok(()) => break,
                Err(error) if Instant::now() > deadline => return Err(error.into()),
                Err(error) => {
                    tracing::debug!(%error, "waiting for the function");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
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
         \x20 Dead letters      {dead_letters}/<function>.jsonl\n\
         Ctrl-C stops everything.\n",
        api = url(settings.gateway_port),
        ses = url(settings.ses_port),
        admin = url(settings.admin_port),
        dynamodb = url(settings.dynamodb_port),
        bus_url = url(settings.bus_port),
        dead_letters = dead_letters.display(),
    );
}
