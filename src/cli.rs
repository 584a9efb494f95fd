//! The command line: what `socialgate` can be asked to do, and the configuration it
//! reads once (the optional TOML file, then `SOCIALGATE_*` variables).

use std::{path::PathBuf, time::Duration};

use clap::{Parser, Subcommand};
use socialgate::{AppError, AppResult, Config, auth::Role};

#[derive(Parser)]
#[command(
    name = "socialgate",
    version,
    about = "Connect, watch and compliance-review advisors' social accounts over GraphQL"
)]
pub struct Cli {
    /// TOML file with configuration; SOCIALGATE_* variables override it.
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
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

pub fn load_config(path: Option<&PathBuf>) -> AppResult<Config> {
    let file =
        match path {
            Some(path) => Some(std::fs::read_to_string(path).map_err(|e| {
                AppError::BadUserInput(format!("cannot read {}: {e}", path.display()))
            })?),
            None => None,
        };
    Config::load(file.as_deref(), std::env::vars())
}
