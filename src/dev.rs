//! Dev mode: with no JWT key configured, socialgate still runs, but only on
//! loopback, with a generated HS256 secret kept in the data folder so tokens survive
//! restarts. Binding elsewhere without a key is refused with the variable to set.

use std::{fs, io::Write, path::Path, time::Duration};

use base64::{Engine, engine::general_purpose::STANDARD};
use rand::RngCore;

use crate::{
    auth::{Role, TokenMinter},
    config::{Config, Secret},
    crypto::Keyring,
    error::{AppError, AppResult},
};

const SECRET_FILE: &str = "dev-jwt-secret";
const TOKEN_KEY_FILE: &str = "dev-token-key";

/// Refuses dev mode anywhere but loopback.
pub fn check_listen(config: &Config) -> AppResult<()> {
    if config.is_dev_mode() && !config.listen.ip().is_loopback() {
        return Err(AppError::BadUserInput(format!(
            "refusing to listen on {} without a JWT key: set SOCIALGATE_JWT_SECRET (HS256) or \
             SOCIALGATE_JWT_PUBLIC_KEY (RS256/ES256 PEM), or listen on 127.0.0.1",
            config.listen
        )));
    }
    Ok(())
}

/// The dev secret of `data_dir`, created (readable by the owner only) on first use.
pub fn secret(data_dir: &Path) -> AppResult<Secret> {
    kept(data_dir, SECRET_FILE, || {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        STANDARD.encode(bytes)
    })
}

/// The dev token-sealing key of `data_dir`, created on first use.
pub fn token_key(data_dir: &Path) -> AppResult<Secret> {
    kept(data_dir, TOKEN_KEY_FILE, || {
        Keyring::generate("dev").expose().to_owned()
    })
}

/// A generated value kept in `data_dir/name` (mode 0600), made by `make` the first time.
fn kept(data_dir: &Path, name: &str, make: impl FnOnce() -> String) -> AppResult<Secret> {
    let path = data_dir.join(name);
    if let Ok(text) = fs::read_to_string(&path) {
        let text = text.trim();
        if text.len() >= 32 {
            return Ok(Secret::new(text));
        }
    }
    fs::create_dir_all(data_dir)
        .map_err(|e| AppError::internal(format!("cannot create {}: {e}", data_dir.display())))?;
    let value = make();
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&path)
        .map_err(|e| AppError::internal(format!("cannot write {}: {e}", path.display())))?;
    file.write_all(value.as_bytes())
        .map_err(|e| AppError::internal(format!("cannot write {}: {e}", path.display())))?;
    Ok(Secret::new(value))
}

/// Puts the dev secret into `config` when no key is configured; returns whether it did.
pub fn apply(config: &mut Config) -> AppResult<bool> {
    if !config.is_dev_mode() {
        return Ok(false);
    }
    check_listen(config)?;
    config.dev = true;
    config.jwt_secret = Some(secret(&config.data_dir)?);
    if config.token_keys.is_none() {
        config.token_keys = Some(token_key(&config.data_dir)?);
    }
    Ok(true)
}

/// The tenant dev tokens belong to.
pub const DEV_TENANT: &str = "dev";

/// One person of the dev tenant. There are two, an advisor and a compliance officer,
/// so that four-eyes review (nobody approves their own integration) can be walked by
/// one person on one machine: the advisor connects, compliance approves.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct DevPerson {
    /// What the console and `POST /dev/token` call them: `advisor` or `compliance`.
    pub person: &'static str,
    pub subject: &'static str,
    pub name: &'static str,
    pub roles: &'static [Role],
}

pub const PEOPLE: [DevPerson; 2] = [
    DevPerson {
        person: "advisor",
        subject: "dev-advisor",
        name: "Alex Rivera",
        roles: &[Role::Advisor],
    },
    DevPerson {
        person: "compliance",
        subject: "dev-compliance",
        name: "Casey Lin",
        roles: &[Role::Compliance],
    },
];

/// The dev person called `person`.
pub fn person(person: &str) -> Option<&'static DevPerson> {
    PEOPLE.iter().find(|p| p.person == person)
}

/// How long a dev token lasts.
pub const TOKEN_TTL: Duration = Duration::from_secs(24 * 3600);

/// A token for `person`, signed with the dev secret. Only in dev mode: elsewhere
/// there is no dev secret, and tokens come from the operator's identity provider.
pub fn token(config: &Config, person: &DevPerson) -> AppResult<String> {
    let secret = match (&config.jwt_secret, config.dev) {
        (Some(secret), true) => secret,
        _ => {
            return Err(AppError::Forbidden(
                "dev tokens exist only in dev mode".into(),
            ));
        }
    };
    TokenMinter::new(
        secret,
        config.jwt_issuer.clone(),
        config.jwt_audience.clone(),
    )
    .mint_named(
        DEV_TENANT,
        person.subject,
        Some(person.name),
        person.roles,
        TOKEN_TTL,
    )
}
