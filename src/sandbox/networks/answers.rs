//! The sandbox networks' endpoints: each answers like the real network, in its
//! documented success and error formats, so the real clients are exercised unchanged.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::{
    config::Secret,
    providers::{facebook, graph::appsecret_proof},
};

use super::{
    BUSINESS_ID, CLIENT_ID, CLIENT_SECRET, Condition,
    logins::external_id,
    state::{Answer, Sandbox, graph_error, oauth_error},
};

/// Lifetime of sandbox long-lived tokens, like the real ones (60 days).
pub(super) const LONG_LIVED_SECS: i64 = 60 * 24 * 3600;

impl Sandbox {
    /// Facebook `GET /{version}/me` (with a Page token: the Page); errors as "Handling
    /// Errors" (developers.facebook.com/docs/graph-api/guides/error-handling) shows them.
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

    pub(super) fn client_ok(params: &HashMap<String, String>) -> bool {
        params.get("client_id").map(String::as_str) == Some(CLIENT_ID)
            && params.get("client_secret").map(String::as_str) == Some(CLIENT_SECRET)
    }

    /// LinkedIn `POST /oauth/v2/accessToken`, as "Authorization Code Flow"
    /// (learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow).
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
                }),
            ),
            Err(why) => oauth_error("invalid_grant", &why),
        }
    }

    /// LinkedIn `POST /oauth/v2/introspectToken`, as "Token Introspection"
    /// (learn.microsoft.com/linkedin/shared/authentication/token-introspection).
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

    /// LinkedIn's refusal of a call made with a token that reports a condition.
    pub(super) fn linkedin_condition(&self, bearer: Option<&str>) -> Option<Answer> {
        let linkedin_error = |service: u32, code: &str, message: &str| {
            (
                401,
                json!({ "status": 401, "serviceErrorCode": service, "code": code, "message": message }),
            )
        };
        Some(match bearer.and_then(|t| self.condition(t))? {
            Condition::Expired => linkedin_error(
                65602,
                "EXPIRED_ACCESS_TOKEN",
                "The token used in the request has expired",
            ),
            Condition::Revoked => linkedin_error(
                65601,
                "REVOKED_ACCESS_TOKEN",
                "The token used in the request has been revoked by the user",
            ),
            Condition::PasswordChanged | Condition::Checkpoint | Condition::PageRoleLost => {
                linkedin_error(65600, "INVALID_ACCESS_TOKEN", "Invalid access token")
            }
            Condition::Outage => (
                503,
                json!({ "status": 503, "message": "Service Unavailable" }),
            ),
            Condition::Duplicates | Condition::PublishingLimit => return None,
        })
    }

    /// LinkedIn `GET /v2/userinfo`, as "Sign In with LinkedIn using OpenID Connect";
    /// errors as "Error Handling" (learn.microsoft.com/linkedin/shared/api-guide/concepts/error-handling).
    pub fn linkedin_userinfo(&self, bearer: Option<&str>) -> Answer {
        if let Some(refused) = self.linkedin_condition(bearer) {
            return refused;
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

    /// Facebook `GET /{version}/oauth/access_token` (code or `fb_exchange_token`), as
    /// "Manually Build a Login Flow" and "Get Long-Lived Access Tokens" show it.
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

    /// Graph's refusal of a call whose `appsecret_proof` is missing or wrong: the
    /// sandbox apps run with "Require App Secret" on, as an operator may set it.
    pub fn proof_refused(&self, query: &HashMap<String, String>) -> Option<Answer> {
        let token = query.get("access_token")?;
        let want = appsecret_proof(&Secret::new(CLIENT_SECRET), token);
        match query.get("appsecret_proof") {
            Some(proof) if *proof == want => None,
            Some(_) => Some(graph_error(
                100,
                None,
                "Invalid appsecret_proof provided in the API argument",
            )),
            None => Some(graph_error(
                100,
                None,
                "API calls from the server require an appsecret_proof argument",
            )),
        }
    }

    /// Facebook `GET /{version}/me/permissions` ("User Permissions" reference): every
    /// permission asked for, granted
    /// unless the login unticked it.
    pub fn facebook_permissions(&self, token: Option<&str>) -> Answer {
        match token.and_then(|t| self.holder(t)) {
            Some((login, _)) => {
                let data: Vec<Value> = std::iter::once("public_profile")
                    .chain(facebook::SCOPES)
                    .map(|p| {
                        let status = if login.declined.contains(&p) {
                            "declined"
                        } else {
                            "granted"
                        };
                        json!({ "permission": p, "status": status })
                    })
                    .collect();
                (200, json!({ "data": data }))
            }
            None => graph_error(190, None, "Invalid OAuth access token."),
        }
    }

    /// Facebook `GET /{version}/me/businesses` ("User Businesses" reference): the
    /// login's Business Manager, when a
    /// Page reaches it through one.
    pub fn facebook_businesses(&self, token: Option<&str>) -> Answer {
        match token.and_then(|t| self.holder(t)) {
            Some((login, None)) => {
                let data: Vec<Value> = login
                    .pages
                    .iter()
                    .any(|p| p.through_business)
                    .then(|| json!({ "id": BUSINESS_ID, "name": format!("{}'s firm", login.name) }))
                    .into_iter()
                    .collect();
                (200, json!({ "data": data }))
            }
            _ => graph_error(190, None, "Invalid OAuth access token."),
        }
    }

    /// Facebook `GET /{version}/{business-id}/owned_pages` or `client_pages` ("Business
    /// Owned Pages", "Business Client Pages" references): Page
    /// nodes (no tasks), each with a token the person may act with.
    pub fn facebook_business_pages(&self, edge: &str, token: Option<&str>) -> Answer {
        match token.and_then(|t| self.holder(t)) {
            Some((login, None)) => {
                let data: Vec<Value> = login
                    .pages
                    .iter()
                    .filter(|p| p.through_business && edge == "owned_pages")
                    .map(|page| {
                        json!({
                            "id": page.id,
                            "name": page.name,
                            "access_token": self.token_for(login, Some(page.id)),
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

    /// Facebook `DELETE /{version}/{user-id}/permissions` ("revoke login", Facebook Login
    /// permissions guide), with the
    /// app access token `{app-id}|{app-secret}`.
    pub fn facebook_revoke(&self, user_id: &str, token: Option<&str>) -> Answer {
        if token != Some(format!("{CLIENT_ID}|{CLIENT_SECRET}").as_str()) {
            return graph_error(190, None, "Invalid OAuth access token.");
        }
        let known = super::LOGINS
            .iter()
            .any(|l| l.network == super::Network::Facebook && external_id(l) == user_id);
        if known {
            (200, json!({ "success": true }))
        } else {
            graph_error(
                100,
                Some(33),
                "Unsupported delete request. Object does not exist or cannot be loaded.",
            )
        }
    }

    /// Facebook `GET /{version}/me/accounts` ("User Accounts" reference): the Pages of a
    /// direct role, with the person's tasks.
    pub fn facebook_accounts(&self, token: Option<&str>) -> Answer {
        match token.and_then(|t| self.holder(t)) {
            Some((login, None)) => {
                let data: Vec<Value> = login
                    .pages
                    .iter()
                    .filter(|page| !page.through_business)
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
}
