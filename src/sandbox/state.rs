//! What the sandbox networks remember: the codes and tokens they issued, and what
//! each token will report at its next check. Kept in memory; the sandbox serves one
//! development instance.

use std::{collections::HashMap, sync::Mutex};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{
    super::domain::Network,
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

/// Codes and tokens handed out by the sandbox networks.
#[derive(Default)]
pub struct Sandbox {
    pub(super) codes: Mutex<HashMap<String, Code>>,
    pub(super) tokens: Mutex<HashMap<String, Token>>,
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
        if let Ok(mut tokens) = self.tokens.lock() {
            tokens.insert(
                token.clone(),
                Token {
                    login: login.key,
                    page,
                    condition: None,
                },
            );
        }
        token
    }

    pub(super) fn holder(
        &self,
        token: &str,
    ) -> Option<(&'static SandboxLogin, Option<&'static str>)> {
        let tokens = self.tokens.lock().ok()?;
        let entry = tokens.get(token)?;
        Some((login(entry.login)?, entry.page))
    }

    /// Makes the network report `condition` (or nothing, with `None`) for `token`;
    /// false when the sandbox never issued that token.
    pub fn simulate(&self, token: &str, condition: Option<Condition>) -> bool {
        let Ok(mut tokens) = self.tokens.lock() else {
            return false;
        };
        match tokens.get_mut(token) {
            Some(entry) => {
                entry.condition = condition;
                true
            }
            None => false,
        }
    }

    pub(super) fn condition(&self, token: &str) -> Option<Condition> {
        self.tokens.lock().ok()?.get(token)?.condition
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
        })
    }
}
