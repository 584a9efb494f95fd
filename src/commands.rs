//! The binary's commands that work on the database, one function each, so that
//! `main` only parses the command line and dispatches.

use socialgate::{
    AppError, AppResult, Config, Socialgate, dev,
    domain::Network,
    providers::signed_request::Subject,
    service::seed::{SeedOptions, seed as seed_demo},
    store::Store,
};

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
