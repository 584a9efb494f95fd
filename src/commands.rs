//! The binary's commands, one function each, so that `main` only parses the command
//! line and dispatches: `serve` (the banner, then the library's own start and stop
//! sequence), and the commands that work on the database.

use socialgate::{
    AppError, AppResult, Config, Socialgate,
    auth::TokenMinter,
    dev,
    domain::Network,
    providers::signed_request::Subject,
    service::seed::{SeedOptions, seed as seed_demo},
    store::Store,
};
use tokio::net::TcpListener;

use crate::telemetry::{Output, init_tracing};

/// `seed`: demo data, one JSON line per tenant. The seed drives the services, which
/// need the server's keys: the dev ones when none are configured.
pub async fn seed(mut config: Config, options: SeedOptions) -> AppResult<()> {
    dev::apply(&mut config)?;
    let server = Socialgate::build(config).await?;
    for tenant in seed_demo(server.app(), options).await? {
        let line = serde_json::to_string(&tenant).map_err(AppError::internal)?;
        println!("{line}");
    }
    server.shutdown().await
}

/// `migrate`: pending migrations applied.
pub async fn migrate(config: &Config) -> AppResult<()> {
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    println!("migrations applied to {}", redact_url(&config.database_url));
    Ok(())
}

/// `reseal`: stored network tokens sealed again with the newest key.
pub async fn reseal(config: &Config) -> AppResult<()> {
    let keys = match &config.token_keys {
        Some(keys) => keys.clone(),
        None => dev::token_key(&config.data_dir)?,
    };
    let keyring = socialgate::crypto::Keyring::parse(&keys)?;
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    let moved = socialgate::service::tokens::reseal(&store, &keyring).await?;
    println!(
        "re-sealed {moved} credential row(s) with key {:?}",
        keyring.newest_id()
    );
    Ok(())
}

/// `run-job NAME`: one run of a background job, its report as JSON.
pub async fn run_job(mut config: Config, name: &str) -> AppResult<()> {
    let job = socialgate::jobs::Job::named(name)?;
    dev::apply(&mut config)?;
    let server = Socialgate::build(config).await?;
    let report = server.jobs().run_once(job).await?;
    let line = serde_json::to_string(&report).map_err(AppError::internal)?;
    println!("{line}");
    server.shutdown().await
}

/// `data-deletion`: a request that came outside Meta's callback, carried out as the
/// callback would; prints the confirmation code and status page to send back.
pub async fn data_deletion(
    mut config: Config,
    network: Network,
    user_id: Option<String>,
    page: Option<String>,
) -> AppResult<()> {
    let subject = match (user_id, page) {
        (Some(person), _) => Subject::Person(person),
        (None, Some(page)) => Subject::Page(page),
        (None, None) => return Err(AppError::BadUserInput("give --user-id or --page".into())),
    };
    dev::apply(&mut config)?;
    let server = Socialgate::build(config).await?;
    let done = socialgate::service::meta_callbacks::delete_data_of(server.app(), network, &subject)
        .await?;
    println!("confirmation code: {}", done.confirmation_code);
    println!("status page:       {}", done.url);
    server.shutdown().await
}

/// Signs with what the server verifies with: a configured public key wins over a
/// secret there, so a token signed with the secret would be refused by the server.
pub fn minter(config: &Config) -> AppResult<TokenMinter> {
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

pub async fn serve(config: &mut Config) -> AppResult<()> {
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
    server.serve(listener, shutdown_signal()).await
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

/// Resolves at SIGINT (Ctrl-C) or SIGTERM.
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
}
