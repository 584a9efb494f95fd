//! The `socialgate` binary: reads the environment and the optional config file once,
//! then hands a typed `Config` to the library. Everything else lives in the library.

// Functions stay under 80 lines (clippy.toml): the build refuses longer ones.
#![deny(clippy::too_many_lines)]

mod commands;
#[cfg(feature = "otlp")]
mod otlp;

use std::{path::PathBuf, process::ExitCode, time::Duration};

use clap::{Parser, Subcommand};
use socialgate::{
    AppError, AppResult, Config, Socialgate,
    auth::{Role, TokenMinter},
    dev,
    service::seed::SeedOptions,
    store::Store,
};
use tokio::net::TcpListener;

/// mimalloc instead of the system allocator: a GraphQL answer is built of many small
/// values that live for one request, and glibc's malloc spent a fifth of the server's
/// time on them (see BENCHMARKS.md). A library embedder keeps their own choice.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "socialgate",
    version,
    about = "Connect, watch and compliance-review advisors' social accounts over GraphQL"
)]
struct Cli {
    /// TOML file with configuration; SOCIALGATE_* variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Print the GraphQL SDL.
    Schema,
    /// Mint a token with the configured (or dev) HS256 secret.
    Token {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        sub: String,
        /// advisor, compliance or admin; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<Role>,
        /// Lifetime, e.g. 30m, 1h, 7d.
        #[arg(long, default_value = "1h", value_parser = parse_ttl)]
        ttl: Duration,
    },
    /// Re-seal stored network tokens with the newest SOCIALGATE_TOKEN_KEYS key.
    Reseal,
    /// Run one background job once (e.g. `expiry`), whatever its schedule; prints
    /// what it did as JSON. Another instance running it at the time wins.
    RunJob {
        /// The job's name.
        name: String,
    },
    /// Carry out a data-deletion request that came by email or any way other than
    /// Meta's callback: withdraws the person's (or the Page's) integrations on that
    /// network and destroys their tokens; prints the confirmation code and status URL.
    DataDeletion {
        /// facebook or instagram.
        #[arg(long, value_parser = parse_network)]
        network: socialgate::domain::Network,
        /// The network's id of the person (Facebook's app-scoped id, the Instagram
        /// user id).
        #[arg(long, required_unless_present = "page", conflicts_with = "page")]
        user_id: Option<String>,
        /// The id of a Facebook Page whose data is to be deleted.
        #[arg(long)]
        page: Option<String>,
    },
    /// Create realistic demo data; prints one JSON line per tenant.
    Seed {
        #[arg(long, default_value_t = 1)]
        tenants: usize,
        #[arg(long, default_value_t = 5)]
        users_per_tenant: usize,
        /// Random seed, for repeatable shapes of data.
        #[arg(long, default_value_t = 7)]
        rng_seed: u64,
    },
}

fn parse_ttl(text: &str) -> Result<Duration, String> {
    let (number, unit) = text.split_at(text.trim_end_matches(char::is_alphabetic).len());
    let n: u64 = number
        .parse()
        .map_err(|_| format!("bad duration {text:?}; try 30m, 1h or 7d"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" | "" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("bad unit in {text:?}; use s, m, h or d")),
    };
    Ok(Duration::from_secs(secs))
}

fn parse_network(text: &str) -> Result<socialgate::domain::Network, String> {
    socialgate::domain::network::from_slug(text)
        .ok_or_else(|| format!("unknown network {text:?}; use facebook or instagram"))
}

fn load_config(path: Option<&PathBuf>) -> AppResult<Config> {
    let file =
        match path {
            Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
                AppError::BadUserInput(format!("cannot read {}: {e}", path.display()))
            })?),
            None => None,
        };
    Config::load(file.as_deref(), std::env::vars())
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("socialgate: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> AppResult<()> {
    let mut config = load_config(cli.config.as_ref())?;
    let command = cli.command.unwrap_or(Command::Serve);
    // Commands that talk to the database log their warnings too, to stderr so that
    // what they print (seed's JSON lines, run-job's report) stays clean.
    if matches!(
        command,
        Command::Migrate
            | Command::Seed { .. }
            | Command::Reseal
            | Command::RunJob { .. }
            | Command::DataDeletion { .. }
    ) {
        let _telemetry = init_tracing(&config.log, config.log_format, Output::Stderr);
    }
    match command {
        Command::Schema => {
            print!("{}", socialgate::graphql::sdl());
            Ok(())
        }
        Command::Migrate => {
            let store = Store::connect(&config.database_url).await?;
            store.migrate().await?;
            println!("migrations applied to {}", redact_url(&config.database_url));
            Ok(())
        }
        Command::Token {
            tenant,
            sub,
            roles,
            ttl,
        } => {
            let minter = minter(&config)?;
            println!("{}", minter.mint(&tenant, &sub, &roles, ttl)?);
            Ok(())
        }
        Command::Seed {
            tenants,
            users_per_tenant,
            rng_seed,
        } => {
            let options = SeedOptions {
                tenants,
                users_per_tenant,
                rng_seed,
            };
            commands::seed(config, options).await
        }
        Command::Reseal => commands::reseal(&config).await,
        Command::RunJob { name } => commands::run_job(config, &name).await,
        Command::DataDeletion {
            network,
            user_id,
            page,
        } => commands::data_deletion(config, network, user_id, page).await,
        Command::Serve => serve(&mut config).await,
    }
}

/// Signs with what the server verifies with: a configured public key wins over a
/// secret there, so a token signed with the secret would be refused by the server.
fn minter(config: &Config) -> AppResult<TokenMinter> {
    let secret = match (&config.jwt_secret, &config.jwt_public_key) {
        (_, Some(_)) => {
            return Err(AppError::BadUserInput(
                "tokens are verified with SOCIALGATE_JWT_PUBLIC_KEY; mint them with your identity provider".into(),
            ));
        }
        (Some(secret), None) => secret.clone(),
        (None, None) => dev::secret(&config.data_dir)?,
    };
    Ok(TokenMinter::new(
        &secret,
        config.jwt_issuer.clone(),
        config.jwt_audience.clone(),
    ))
}

async fn serve(config: &mut Config) -> AppResult<()> {
    let _telemetry = init_tracing(&config.log, config.log_format, Output::Stdout);
    let dev_mode = dev::apply(config)?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| AppError::internal(format!("cannot listen on {}: {e}", config.listen)))?;
    let server = Socialgate::build(config.clone()).await?;
    let base = config.public_url();
    tracing::info!(listen = %config.listen, database = %redact_url(&config.database_url), "socialgate serving");
    println!("socialgate is listening on {base}");
    if config.publishes_schema() {
        println!("  GraphiQL:  {base}/graphiql");
    }
    if let Some(dir) = &config.graphiql_assets {
        for problem in socialgate::http::graphiql::check(dir) {
            tracing::warn!(
                %problem,
                fix = socialgate::http::graphiql::INSTALL,
                "GraphiQL assets (SOCIALGATE_GRAPHIQL_ASSETS) will not load"
            );
        }
    }
    println!("  GraphQL:   {base}/graphql");
    if config.console_enabled() {
        println!("  Console:   {base}/console/");
    }
    match config.metrics_listen {
        Some(addr) => println!("  Metrics:   http://{addr}/metrics"),
        None => println!("  Metrics:   {base}/metrics"),
    }
    if dev_mode {
        println!(
            "\nDev mode (no JWT key configured; loopback only). Tenant \"dev\" has two people; \
             their tokens, valid 24 h:\n"
        );
        for person in &dev::PEOPLE {
            println!("  {} ({}):", person.name, person.person);
            println!("  {}\n", dev::token(config, person)?);
        }
        println!("In GraphiQL, add the header {{\"Authorization\": \"Bearer <token>\"}}.");
        println!(
            "The console switches between them by itself. More tokens: \
             cargo run -- token --tenant dev --sub alice --role admin"
        );
    }
    let app = server.app().clone();
    let jobs = config
        .jobs
        .unwrap_or(true)
        .then(|| tokio::spawn(server.jobs().run(app.shutdown.subscribe())));
    let limits = config.serve_limits();
    if let Some(addr) = config.metrics_listen {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| AppError::internal(format!("cannot listen on {addr}: {e}")))?;
        let router = socialgate::http::metrics::router(app.clone());
        let mut down = app.shutdown.subscribe();
        tokio::spawn(socialgate::http::serve(
            listener,
            router,
            limits.clone(),
            async move {
                let _ = down.wait_for(|down| *down).await;
            },
        ));
    }
    socialgate::http::serve(listener, server.router(), limits, async move {
        shutdown_signal().await;
        // Close sockets first (1001), or graceful shutdown would wait on them.
        let _ = app.shutdown.send(true);
    })
    .await
    .map_err(|e| AppError::internal(format!("server error: {e}")))?;
    // A job in the middle of a batch finishes it before the pool closes.
    if let Some(jobs) = jobs {
        let _ = jobs.await;
    }
    server.shutdown().await
}

/// A database URL without its password, for logs.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..scheme + 3], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Crates that print message payloads at their most verbose levels: a WebSocket's
/// `connection_init` carries the caller's token. They are held at `info` whatever the
/// configured filter says, so no token reaches a log line.
const PAYLOAD_LOGGERS: [&str; 2] = ["tungstenite=info", "tokio_tungstenite=info"];

/// Where log lines go: the server's to stdout, a command's to stderr.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    Stdout,
    Stderr,
}

/// What must live as long as logging does: the OTLP exporter, when there is one.
struct Telemetry {
    #[cfg(feature = "otlp")]
    _export: Option<otlp::Export>,
}

fn init_tracing(filter: &str, format: socialgate::config::LogFormat, output: Output) -> Telemetry {
    use std::io::IsTerminal;
    use tracing_subscriber::{Layer, layer::SubscriberExt, util::SubscriberInitExt};
    let mut filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    for directive in PAYLOAD_LOGGERS {
        if let Ok(directive) = directive.parse() {
            filter = filter.add_directive(directive);
        }
    }
    let writer =
        tracing_subscriber::fmt::writer::BoxMakeWriter::new(move || -> Box<dyn std::io::Write> {
            match output {
                Output::Stdout => Box::new(std::io::stdout()),
                Output::Stderr => Box::new(std::io::stderr()),
            }
        });
    // Colours only for a person at a terminal, never escape codes in a log file.
    let terminal = match output {
        Output::Stdout => std::io::stdout().is_terminal(),
        Output::Stderr => std::io::stderr().is_terminal(),
    };
    let lines = tracing_subscriber::fmt::layer().with_writer(writer);
    let lines = match format {
        socialgate::config::LogFormat::Json => lines.json().boxed(),
        socialgate::config::LogFormat::Text => lines.with_ansi(terminal).boxed(),
    };
    let registry = tracing_subscriber::registry().with(filter).with(lines);
    #[cfg(feature = "otlp")]
    {
        let (export, guard) = match otlp::layer() {
            Some((layer, guard)) => (Some(layer), Some(guard)),
            None => (None, None),
        };
        let _ = registry.with(export).try_init();
        Telemetry { _export: guard }
    }
    #[cfg(not(feature = "otlp"))]
    {
        let _ = registry.try_init();
        Telemetry {}
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
