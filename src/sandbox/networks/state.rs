//! What the sandbox networks remember: the codes and tokens they issued, and what
//! each token will report at its next check. Tokens (hashed) and their conditions are
//! also written to the database in issue order by a writer task, and read back at
//! start, so a restarted development server still knows the tokens its integrations
//! hold. Codes live ten minutes at most and stay in memory: a sign-in interrupted by a
//! restart starts over.

use std::{collections::HashMap, sync::Mutex};

use tokio::sync::mpsc;

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::domain::Network;

use super::{
    Condition,
    logins::{SandboxLogin, login},
};

pub(super) struct Code {
    login: &'static str,
    redirect_uri: String,
    code_challenge: Option<String>,
}

pub(super) struct Token {
    login: &'static str,
    /// A Page token acts as this Page.
    page: Option<&'static str>,
    /// What the network will report about this token from now on.
    condition: Option<Condition>,
}

/// Codes and tokens handed out by the sandbox networks. Tokens are keyed by their hash.
#[derive(Default)]
pub struct Sandbox {
    pub(super) codes: Mutex<HashMap<String, Code>>,
    pub(super) tokens: Mutex<HashMap<String, Token>>,
    /// Where token changes go to be written to the database; none in a sandbox that
    /// forgets on restart (unit tests).
    journal: Option<mpsc::UnboundedSender<entity::sandbox_token::Model>>,
    /// The posts published to the look-alikes.
    pub published: super::publishing::Published,
}

/// The key a token is kept under: its hex SHA-256.
fn key(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sandbox")
    }
}

pub(super) fn random(prefix: &str) -> String {
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// An answer: HTTP status and JSON body.
pub type Answer = (u16, Value);

pub(super) fn graph_error(code: i64, subcode: Option<i64>, message: &str) -> Answer {
    let mut error = json!({ "message": message, "type": "OAuthException", "code": code, "fbtrace_id": "sandbox" });
    if let Some(sub) = subcode {
        error["error_subcode"] = json!(sub);
    }
    (400, json!({ "error": error }))
}

pub(super) fn oauth_error(error: &str, description: &str) -> Answer {
    (
        400,
        json!({ "error": error, "error_description": description }),
    )
}

impl Sandbox {
    /// The sandbox as the database remembers it, with a writer task that keeps the
    /// database up to date until the sandbox is dropped.
    pub async fn restore(store: crate::store::Store) -> crate::error::AppResult<Sandbox> {
        let mut tokens = HashMap::new();
        for row in store.sandbox_tokens().await? {
            let Some(login) = login(&row.login) else {
                continue;
            };
            let page = row
                .page
                .as_deref()
                .and_then(|id| login.pages.iter().find(|p| p.id == id))
                .map(|p| p.id);
            let condition = row.condition.as_deref().and_then(Condition::named);
            tokens.insert(
                row.token_hash,
                Token {
                    login: login.key,
                    page,
                    condition,
                },
            );
        }
        let (journal, mut rows) = mpsc::unbounded_channel::<entity::sandbox_token::Model>();
        tokio::spawn(async move {
            while let Some(row) = rows.recv().await {
                if let Err(error) = store.save_sandbox_token(row).await {
                    tracing::warn!(%error, "the sandbox could not record a token");
                }
            }
        });
        Ok(Sandbox {
            codes: Mutex::default(),
            tokens: Mutex::new(tokens),
            journal: Some(journal),
            published: super::publishing::Published::default(),
        })
    }

    /// Sends the token kept under `hash` to the database.
    fn record(&self, hash: &str, entry: &Token) {
        if let Some(journal) = &self.journal {
            let _ = journal.send(entity::sandbox_token::Model {
                token_hash: hash.to_owned(),
                login: entry.login.to_owned(),
                page: entry.page.map(str::to_owned),
                condition: entry.condition.map(|c| c.name().to_owned()),
                created_at: chrono::Utc::now(),
            });
        }
    }

    /// The user picked `login` on the consent page: a single-use code.
    pub fn issue_code(
        &self,
        login_key: &str,
        redirect_uri: &str,
        code_challenge: Option<String>,
    ) -> Option<String> {
        let login = login(login_key)?;
        let code = random("code-");
        let entry = Code {
            login: login.key,
            redirect_uri: redirect_uri.to_owned(),
            code_challenge,
        };
        self.codes.lock().ok()?.insert(code.clone(), entry);
        Some(code)
    }

    pub(super) fn redeem(
        &self,
        code: &str,
        redirect_uri: &str,
        verifier: Option<&str>,
    ) -> Result<&'static SandboxLogin, String> {
        let entry = self
            .codes
            .lock()
            .map_err(|_| "sandbox state poisoned".to_owned())?
            .remove(code)
            .ok_or("the code is unknown or was already used")?;
        if entry.redirect_uri != redirect_uri {
            return Err("redirect_uri does not match the authorization request".into());
        }
        if let Some(challenge) = entry.code_challenge {
            let verifier = verifier.ok_or("code_verifier is required")?;
            if URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) != challenge {
                return Err("code_verifier does not match code_challenge".into());
            }
        }
        login(entry.login).ok_or_else(|| "unknown login".to_owned())
    }

    pub(super) fn token_for(
        &self,
        login: &'static SandboxLogin,
        page: Option<&'static str>,
    ) -> String {
        let token = random(match login.network {
            Network::Linkedin => "AQV",
            Network::Facebook => "EAAG",
            Network::Instagram => "IGQV",
        });
        let entry = Token {
            login: login.key,
            page,
            condition: None,
        };
        let hash = key(&token);
        self.record(&hash, &entry);
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.insert(hash, entry);
        }
        token
    }

    pub(super) fn holder(
        &self,
        token: &str,
    ) -> Option<(&'static SandboxLogin, Option<&'static str>)> {
        let tokens = self.tokens.lock().ok()?;
        let entry = tokens.get(&key(token))?;
        Some((login(entry.login)?, entry.page))
    }

    /// Makes the network report `condition` (or nothing, with `None`) for `token`;
    /// false when the sandbox never issued that token.
    pub fn report(&self, token: &str, condition: Option<Condition>) -> bool {
        let Ok(mut tokens) = self.tokens.lock() else {
            return false;
        };
        let hash = key(token);
        match tokens.get_mut(&hash) {
            Some(entry) => {
                entry.condition = condition;
                self.record(&hash, entry);
                true
            }
            None => false,
        }
    }

    pub(super) fn condition(&self, token: &str) -> Option<Condition> {
        self.tokens.lock().ok()?.get(&key(token))?.condition
    }

    /// Graph-style answer (Facebook, Instagram) for a token's simulated condition.
    pub(super) fn graph_condition(&self, token: &str) -> Option<Answer> {
        Some(match self.condition(token)? {
            Condition::Expired => graph_error(
                190,
                Some(463),
                "Error validating access token: Session has expired.",
            ),
            Condition::PasswordChanged => graph_error(
                190,
                Some(460),
                "Error validating access token: The session has been invalidated because the user changed their password.",
            ),
            Condition::Revoked => graph_error(
                190,
                None,
                "Error validating access token: The user has not authorized application.",
            ),
            Condition::PageRoleLost => graph_error(
                190,
                Some(492),
                "The user must be an administrator, editor, or moderator of the page in order to impersonate it.",
            ),
            Condition::Checkpoint => graph_error(
                190,
                Some(459),
                "Error validating access token: You cannot access the app till you log in to www.facebook.com and follow the instructions given.",
            ),
            Condition::Outage => (
                503,
                json!({ "error": { "message": "An unexpected error has occurred. Please retry your request later.", "type": "OAuthException", "code": 2, "fbtrace_id": "sandbox" } }),
            ),
            Condition::Duplicates | Condition::PublishingLimit => return None,
        })
    }
}
