//! The sandbox's Instagram (Instagram API with Instagram Login): code exchange,
//! long-lived token, refresh and `/me`, and publishing (container, `media_publish`,
//! `content_publishing_limit`), in the shapes Instagram documents.

use std::collections::HashMap;

use chrono::Utc;
use serde_json::json;

use super::{
    CLIENT_SECRET, Condition,
    answers::LONG_LIVED_SECS,
    logins::external_id,
    publishing::{Container, INSTAGRAM_QUOTA, SandboxPost},
    state::{Answer, Sandbox, graph_error},
};
use crate::domain::Network;
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

    /// Instagram `POST /{ig-user-id}/media`: a container.
    pub fn instagram_container(&self, account: &str, form: &HashMap<String, String>) -> Answer {
        let actor = match self.graph_actor(form.get("access_token").map(String::as_str)) {
            Ok(actor) => actor,
            Err(refused) => return refused,
        };
        if actor != account {
            return graph_error(
                10,
                None,
                "(#10) Application does not have permission for this action",
            );
        }
        let Some(image) = form.get("image_url").filter(|u| u.starts_with("https://")) else {
            return graph_error(
                9004,
                Some(2207052),
                "Only photo or video can be accepted as media type.",
            );
        };
        let id = format!(
            "1790{}",
            rand::random_range(10_000_000_000u64..99_999_999_999)
        );
        let container = Container {
            account: account.to_owned(),
            image: image.clone(),
            caption: form.get("caption").cloned().unwrap_or_default(),
        };
        if let Ok(mut containers) = self.published.containers.lock() {
            containers.insert(id.clone(), container);
        }
        (200, json!({ "id": id }))
    }

    /// Instagram `POST /{ig-user-id}/media_publish`.
    pub fn instagram_publish(&self, account: &str, form: &HashMap<String, String>) -> Answer {
        if let Err(refused) = self.graph_actor(form.get("access_token").map(String::as_str)) {
            return refused;
        }
        let container = form
            .get("creation_id")
            .and_then(|id| self.published.containers.lock().ok()?.remove(id));
        let Some(container) = container.filter(|c| c.account == account) else {
            return graph_error(
                100,
                Some(33),
                "Unsupported post request. Object with ID does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
            );
        };
        let limited = self.publishing(form.get("access_token").map(String::as_str))
            == Some(Condition::PublishingLimit);
        if limited || self.published.published_today(account, Utc::now()) >= INSTAGRAM_QUOTA {
            return graph_error(
                9,
                Some(2207042),
                "You reached maximum number of posts that is allowed to be published by Content Publishing API.",
            );
        }
        let id = format!(
            "1790{}",
            rand::random_range(10_000_000_000u64..99_999_999_999)
        );
        let post = SandboxPost {
            network: Network::Instagram,
            account: account.to_owned(),
            id: id.clone(),
            text: container.caption,
            link: None,
            image: Some(container.image),
            at: Utc::now(),
        };
        match self.published.add(post) {
            Ok(()) => (200, json!({ "id": id })),
            Err(_) => graph_error(
                9004,
                Some(2207051),
                "The action is blocked: this media was already published.",
            ),
        }
    }

    /// Instagram `GET /{ig-user-id}/content_publishing_limit`.
    pub fn instagram_quota(&self, account: &str, token: Option<&str>) -> Answer {
        if let Err(refused) = self.graph_actor(token) {
            return refused;
        }
        let used = match self.publishing(token) {
            Some(Condition::PublishingLimit) => INSTAGRAM_QUOTA,
            _ => self.published.published_today(account, Utc::now()),
        };
        (
            200,
            json!({ "data": [{ "quota_usage": used, "config": { "quota_total": INSTAGRAM_QUOTA, "quota_duration": 86400 } }] }),
        )
    }
}
