//! The `socialgate` binary: reads the environment and the optional config file once,
//! then hands a typed `Config` to the library. Everything else lives in the library.

mod cli;
mod commands;
#[cfg(feature = "otlp")]
mod otlp;
mod telemetry;

use std::process::ExitCode;

use clap::Parser;
use cli::{Cli, Command, load_config};
use socialgate::{AppResult, service::seed::SeedOptions};
use telemetry::{Output, init_tracing};

/// mimalloc instead of the system allocator: a GraphQL answer is built of many small
/// values that live for one request, and glibc's malloc spent a fifth of the server's
/// time on them (see BENCHMARKS.md). A library embedder keeps their own choice.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
        Command::Migrate => commands::migrate(&config).await,
        Command::Token {
            tenant,
            sub,
            roles,
            ttl,
        } => {
            let minter = commands::minter(&config)?;
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
        Command::Serve => commands::serve(&mut config).await,
    }
}
