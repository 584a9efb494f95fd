//! The sandbox's Instagram (Instagram API with Instagram Login): code exchange,
//! long-lived token, refresh and `/me`, in the shapes Instagram documents.

use std::collections::HashMap;

use serde_json::json;

use super::{
    CLIENT_SECRET,
    answers::LONG_LIVED_SECS,
    logins::external_id,
    state::{Answer, Sandbox, graph_error},
};
use crate::providers::instagram;

impl Sandbox {
    /// Instagram `POST /oauth/access_token`, as "Business Login for Instagram" shows it
    /// (wrapped in `data`, permissions comma-separated; its own error body).
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
            Ok(login) => {
                let permissions: Vec<&str> = instagram::SCOPES
                    .into_iter()
                    .filter(|p| !login.declined.contains(p))
                    .collect();
                (
                    200,
                    json!({ "data": [{
                        "access_token": self.token_for(login, None),
                        "user_id": external_id(login),
                        "permissions": permissions.join(","),
                    }] }),
                )
            }
            Err(why) => (
                400,
                json!({ "error_type": "OAuthException", "code": 400, "error_message": why }),
            ),
        }
    }

    /// Instagram `GET /access_token?grant_type=ig_exchange_token` (same page).
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

    /// Instagram `GET /refresh_access_token` ("refresh_access_token" reference): a live
    /// token comes back renewed for
    /// another 60 days; a token with a simulated condition fails the way it would.
    pub fn instagram_refresh(&self, query: &HashMap<String, String>) -> Answer {
        if query.get("grant_type").map(String::as_str) != Some("ig_refresh_token") {
            return graph_error(100, None, "Unsupported grant_type");
        }
        let token = query.get("access_token").map(String::as_str);
        if let Some(answer) = token.and_then(|t| self.graph_condition(t)) {
            return answer;
        }
        match token.and_then(|t| self.holder(t)) {
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

    /// Instagram `GET /{version}/me` ("Get Started" of the Instagram API with Instagram
    /// Login).
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
