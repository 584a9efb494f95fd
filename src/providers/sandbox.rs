//! Sandbox networks (DESIGN §5): LinkedIn, Facebook and Instagram look-alikes served by
//! socialgate itself under `/sandbox/{network}`, so a frontend can walk the whole
//! connect flow with no real app. They answer in the networks' documented formats
//! (success and error bodies), and the real clients talk to them over HTTP.
//! State lives in memory: the sandbox is for one dev instance, not production.

use std::{collections::HashMap, sync::Mutex};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::domain::Network;

pub const CLIENT_ID: &str = "sandbox-client";
pub const CLIENT_SECRET: &str = "sandbox-secret";
/// Lifetime of sandbox long-lived tokens, like the real ones (60 days).
const LONG_LIVED_SECS: i64 = 60 * 24 * 3600;

/// A Page a sandbox Facebook login administers.
pub struct SandboxPage {
    pub id: &'static str,
    pub name: &'static str,
    pub tasks: &'static [&'static str],
}

/// One account a sandbox login can sign in as.
pub struct SandboxLogin {
    pub key: &'static str,
    pub network: Network,
    /// What the consent page shows.
    pub label: &'static str,
    pub name: &'static str,
    /// Instagram account type (BUSINESS, MEDIA_CREATOR, PERSONAL).
    pub account_type: &'static str,
    pub pages: &'static [SandboxPage],
}

pub const LOGINS: &[SandboxLogin] = &[
    SandboxLogin {
        key: "li-avery",
        network: Network::Linkedin,
        label: "Avery Chen (member)",
        name: "Avery Chen",
        account_type: "",
        pages: &[],
    },
    SandboxLogin {
        key: "li-jordan",
        network: Network::Linkedin,
        label: "Jordan Okafor (member)",
        name: "Jordan Okafor",
        account_type: "",
        pages: &[],
    },
    SandboxLogin {
        key: "fb-morgan",
        network: Network::Facebook,
        label: "Morgan Lindqvist (manages two Pages)",
        name: "Morgan Lindqvist",
        account_type: "",
        pages: &[
            SandboxPage {
                id: "100000000000001",
                name: "Lindqvist Wealth Partners",
                tasks: &[
                    "ANALYZE",
                    "ADVERTISE",
                    "MODERATE",
                    "CREATE_CONTENT",
                    "MANAGE",
                ],
            },
            SandboxPage {
                id: "100000000000002",
                name: "Lindqvist Retirement Planning",
                tasks: &["ANALYZE", "CREATE_CONTENT"],
            },
        ],
    },
    SandboxLogin {
        key: "fb-riley",
        network: Network::Facebook,
        label: "Riley Moreau (manages one Page)",
        name: "Riley Moreau",
        account_type: "",
        pages: &[SandboxPage {
            id: "100000000000003",
            name: "Moreau Financial",
            tasks: &["CREATE_CONTENT", "MANAGE"],
        }],
    },
    SandboxLogin {
        key: "fb-pat",
        network: Network::Facebook,
        label: "Pat Personal (no Pages: a personal profile)",
        name: "Pat Personal",
        account_type: "",
        pages: &[],
    },
    SandboxLogin {
        key: "ig-lindqvist",
        network: Network::Instagram,
        label: "@lindqvist.wealth (business account)",
        name: "lindqvist.wealth",
        account_type: "BUSINESS",
        pages: &[],
    },
    SandboxLogin {
        key: "ig-pat",
        network: Network::Instagram,
        label: "@pat.personal (personal account)",
        name: "pat.personal",
        account_type: "PERSONAL",
        pages: &[],
    },
];

/// The logins offered on a network's consent page.
pub fn logins(network: Network) -> impl Iterator<Item = &'static SandboxLogin> {
    LOGINS.iter().filter(move |l| l.network == network)
}

fn login(key: &str) -> Option<&'static SandboxLogin> {
    LOGINS.iter().find(|l| l.key == key)
}

/// The numeric-looking external id of a login (member sub or Instagram user id).
fn external_id(login: &SandboxLogin) -> String {
    let digest = Sha256::digest(login.key.as_bytes());
    match login.network {
        Network::Linkedin => format!("sbx{}", &hex::encode(digest)[..10]),
        _ => format!(
            "17841{:010}",
            u64::from_be_bytes(digest[..8].try_into().unwrap_or([0; 8])) % 10_000_000_000
        ),
    }
}

struct Code {
    login: &'static str,
    redirect_uri: String,
    code_challenge: Option<String>,
}

struct Token {
    login: &'static str,
    /// A Page token acts as this Page.
    page: Option<&'static str>,
    /// What the network will report about this token from now on.
    condition: Option<Condition>,
}

/// What `sandboxSimulate` can make a sandbox network report at the next check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    Expired,
    PasswordChanged,
    Revoked,
    PageRoleLost,
    Checkpoint,
    /// A passing outage: 503s until restored.
    Outage,
}

/// Codes and tokens handed out by the sandbox networks.
#[derive(Default)]
pub struct Sandbox {
    codes: Mutex<HashMap<String, Code>>,
    tokens: Mutex<HashMap<String, Token>>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sandbox")
    }
}

fn random(prefix: &str) -> String {
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// An answer: HTTP status and JSON body.
pub type Answer = (u16, Value);

fn graph_error(code: i64, subcode: Option<i64>, message: &str) -> Answer {
    let mut error = json!({ "message": message, "type": "OAuthException", "code": code, "fbtrace_id": "sandbox" });
    if let Some(sub) = subcode {
        error["error_subcode"] = json!(sub);
    }
    (400, json!({ "error": error }))
}

fn oauth_error(error: &str, description: &str) -> Answer {
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

    fn redeem(
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

    fn token_for(&self, login: &'static SandboxLogin, page: Option<&'static str>) -> String {
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

    fn holder(&self, token: &str) -> Option<(&'static SandboxLogin, Option<&'static str>)> {
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

    fn condition(&self, token: &str) -> Option<Condition> {
        self.tokens.lock().ok()?.get(token)?.condition
    }

    /// Graph-style answer (Facebook, Instagram) for a token's simulated condition.
    fn graph_condition(&self, token: &str) -> Option<Answer> {
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

    /// Facebook `GET /{version}/me` (with a Page token: the Page).
    pub fn facebook_me(&self, token: Option<&str>) -> Answer {
        let Some(token) = token else {
            return graph_error(2500, None, "An active access token must be used.");
        };
        if let Some(answer) = self.graph_condition(token) {
            return answer;
        }
        match self.holder(token) {
            Some((login, Some(page))) => {
                let name = login
                    .pages
                    .iter()
                    .find(|p| p.id == page)
                    .map_or("Page", |p| p.name);
                (200, json!({ "id": page, "name": name }))
            }
            Some((login, None)) => (200, json!({ "id": external_id(login), "name": login.name })),
            None => graph_error(190, None, "Invalid OAuth access token."),
        }
    }

    fn client_ok(params: &HashMap<String, String>) -> bool {
        params.get("client_id").map(String::as_str) == Some(CLIENT_ID)
            && params.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET)
    }

    /// LinkedIn `POST /oauth/v2/accessToken`.
    pub fn linkedin_token(&self, form: &HashMap<String, String>) -> Answer {
        if !Self::client_ok(form) {
            return (
                401,
                json!({ "error": "invalid_client", "error_description": "Client authentication failed" }),
            );
        }
        let (Some(code), Some(redirect)) = (form.get("code"), form.get("redirect_uri")) else {
            return oauth_error(
                "invalid_request",
                "A required parameter \"code\" is missing",
            );
        };
        match self.redeem(code, redirect, None) {
            Ok(login) => (
                200,
                json!({
                    "access_token": self.token_for(login, None),
                    "expires_in": LONG_LIVED_SECS,
                    "scope": "email,openid,profile,w_member_social",
                    "token_type": "Bearer",
                }),
            ),
            Err(why) => oauth_error("invalid_grant", &why),
        }
    }

    /// LinkedIn `POST /oauth/v2/introspectToken`.
    pub fn linkedin_introspect(&self, form: &HashMap<String, String>) -> Answer {
        if !Self::client_ok(form) {
            return (
                401,
                json!({ "error": "invalid_client", "error_description": "Client authentication failed" }),
            );
        }
        let token = form.get("token").map(String::as_str).unwrap_or("");
        match (self.holder(token), self.condition(token)) {
            (None, _) | (_, Some(Condition::Revoked)) => {
                (200, json!({ "active": false, "status": "revoked" }))
            }
            (_, Some(Condition::Expired)) => (200, json!({ "active": false, "status": "expired" })),
            _ => (
                200,
                json!({ "active": true, "status": "active", "scope": "email,openid,profile,w_member_social" }),
            ),
        }
    }

    /// LinkedIn `GET /v2/userinfo`.
    pub fn linkedin_userinfo(&self, bearer: Option<&str>) -> Answer {
        let linkedin_error = |service: u32, code: &str, message: &str| {
            (
                401,
                json!({ "status": 401, "serviceErrorCode": service, "code": code, "message": message }),
            )
        };
        match bearer.and_then(|t| self.condition(t)) {
            Some(Condition::Expired) => {
                return linkedin_error(
                    65602,
                    "EXPIRED_ACCESS_TOKEN",
                    "The token used in the request has expired",
                );
            }
            Some(Condition::Revoked) => {
                return linkedin_error(
                    65601,
                    "REVOKED_ACCESS_TOKEN",
                    "The token used in the request has been revoked by the user",
                );
            }
            Some(Condition::PasswordChanged | Condition::Checkpoint | Condition::PageRoleLost) => {
                return linkedin_error(65600, "INVALID_ACCESS_TOKEN", "Invalid access token");
            }
            Some(Condition::Outage) => {
                return (
                    503,
                    json!({ "status": 503, "message": "Service Unavailable" }),
                );
            }
            None => {}
        }
        match bearer.and_then(|t| self.holder(t)) {
            Some((login, _)) => (
                200,
                json!({
                    "sub": external_id(login),
                    "name": login.name,
                    "email": format!("{}@example.com", login.key),
                    "email_verified": true,
                }),
            ),
            None => (
                401,
                json!({ "status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN", "message": "Invalid access token" }),
            ),
        }
    }

    /// Facebook `GET /{version}/oauth/access_token` (code or `fb_exchange_token`).
    pub fn facebook_token(&self, query: &HashMap<String, String>) -> Answer {
        if !Self::client_ok(query) {
            return graph_error(
                101,
                None,
                "Error validating application. Invalid application ID.",
            );
        }
        if query.get("grant_type").map(String::as_str) == Some("fb_exchange_token") {
            return match query.get("fb_exchange_token").and_then(|t| self.holder(t)) {
                Some((login, None)) => (
                    200,
                    json!({ "access_token": self.token_for(login, None), "token_type": "bearer", "expires_in": LONG_LIVED_SECS }),
                ),
                _ => graph_error(190, None, "Invalid OAuth access token."),
            };
        }
        let (Some(code), Some(redirect)) = (query.get("code"), query.get("redirect_uri")) else {
            return graph_error(100, None, "Missing code parameter");
        };
        match self.redeem(
            code,
            redirect,
            query.get("code_verifier").map(String::as_str),
        ) {
            Ok(login) => (
                200,
                json!({ "access_token": self.token_for(login, None), "token_type": "bearer", "expires_in": 5400 }),
            ),
            Err(why) => graph_error(100, Some(36009), &why),
        }
    }

    /// Facebook `GET /{version}/me/permissions`.
    pub fn facebook_permissions(&self, token: Option<&str>) -> Answer {
        match token.and_then(|t| self.holder(t)) {
            Some(_) => {
                let data: Vec<Value> = [
                    "public_profile",
                    "pages_show_list",
                    "pages_read_engagement",
                    "pages_manage_posts",
                    "pages_manage_metadata",
                ]
                .iter()
                .map(|p| json!({ "permission": p, "status": "granted" }))
                .collect();
                (200, json!({ "data": data }))
            }
            None => graph_error(190, None, "Invalid OAuth access token."),
        }
    }

    /// Facebook `GET /{version}/me/accounts`.
    pub fn facebook_accounts(&self, token: Option<&str>) -> Answer {
        match token.and_then(|t| self.holder(t)) {
            Some((login, None)) => {
                let data: Vec<Value> = login
                    .pages
                    .iter()
                    .map(|page| {
                        json!({
                            "id": page.id,
                            "name": page.name,
                            "access_token": self.token_for(login, Some(page.id)),
                            "tasks": page.tasks,
                            "category": "Financial Service",
                        })
                    })
                    .collect();
                (
                    200,
                    json!({ "data": data, "paging": { "cursors": { "before": "QVFI", "after": "QVFI" } } }),
                )
            }
            _ => graph_error(190, None, "Invalid OAuth access token."),
        }
    }

    /// Instagram `POST /oauth/access_token`.
    pub fn instagram_token(&self, form: &HashMap<String, String>) -> Answer {
        if !Self::client_ok(form) {
            return (
                400,
                json!({ "error_type": "OAuthException", "code": 400, "error_message": "Invalid client_id" }),
            );
        }
        let (Some(code), Some(redirect)) = (form.get("code"), form.get("redirect_uri")) else {
            return (
                400,
                json!({ "error_type": "OAuthException", "code": 400, "error_message": "Missing required field code" }),
            );
        };
        match self.redeem(code, redirect, None) {
            Ok(login) => (
                200,
                json!({ "data": [{
                "access_token": self.token_for(login, None),
                "user_id": external_id(login),
                "permissions": "instagram_business_basic,instagram_business_content_publish",
            }] }),
            ),
            Err(why) => (
                400,
                json!({ "error_type": "OAuthException", "code": 400, "error_message": why }),
            ),
        }
    }

    /// Instagram `GET /access_token?grant_type=ig_exchange_token`.
    pub fn instagram_long_lived(&self, query: &HashMap<String, String>) -> Answer {
        if query.get("client_secret").map(String::as_str) != Some(CLIENT_SECRET) {
            return graph_error(101, None, "Error validating client secret.");
        }
        match query.get("access_token").and_then(|t| self.holder(t)) {
            Some((login, _)) => (
                200,
                json!({ "access_token": self.token_for(login, None), "token_type": "bearer", "expires_in": LONG_LIVED_SECS }),
            ),
            None => graph_error(
                190,
                None,
                "Invalid OAuth access token - Cannot parse access token",
            ),
        }
    }

    /// Instagram `GET /me`.
    pub fn instagram_me(&self, token: Option<&str>) -> Answer {
        if let Some(answer) = token.and_then(|t| self.graph_condition(t)) {
            return answer;
        }
        match token.and_then(|t| self.holder(t)) {
            Some((login, _)) => {
                let id = external_id(login);
                (
                    200,
                    json!({ "user_id": id, "username": login.name, "account_type": login.account_type, "id": id }),
                )
            }
            None => graph_error(
                190,
                None,
                "Invalid OAuth access token - Cannot parse access token",
            ),
        }
    }
}
