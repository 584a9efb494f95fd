//! The sandbox networks accept posts as the real ones document them, and refuse them
//! the same ways: LinkedIn's Posts API (201 with the URN in `x-restli-id`; 422
//! `DUPLICATE_POST` for content the member already posted), a Facebook Page's `feed`
//! and `photos` edges (Graph error 506 for a duplicate), and Instagram's container,
//! `media_publish` and `content_publishing_limit` (error 9 / 2207042 once the quota of
//! 50 posts a day is used). A token made to report a condition refuses to post the way
//! it refuses a check. The posts are kept in memory, newest last, up to [`KEPT`], and
//! shown at `/sandbox/{network}/posts`; a restarted server starts with none.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{
    Condition,
    logins::external_id,
    state::{Answer, Sandbox, graph_error, random},
};
use crate::domain::Network;

/// Posts the sandbox remembers, all networks together.
const KEPT: usize = 2_000;
/// Posts one Instagram account may publish in 24 hours, as `content_publishing_limit`
/// documents it ("currently 50").
pub(super) const INSTAGRAM_QUOTA: usize = 50;

/// One published sandbox post.
#[derive(Debug, Clone)]
pub struct SandboxPost {
    pub network: Network,
    pub account: String,
    pub id: String,
    pub text: String,
    pub link: Option<String>,
    pub image: Option<String>,
    pub at: DateTime<Utc>,
}

/// An Instagram container waiting to be published.
#[derive(Debug, Clone)]
pub(super) struct Container {
    pub(super) account: String,
    pub(super) image: String,
    pub(super) caption: String,
}

/// What the sandbox keeps of publishing.
#[derive(Default)]
pub struct Published {
    posts: std::sync::Mutex<VecDeque<SandboxPost>>,
    pub(super) containers: std::sync::Mutex<HashMap<String, Container>>,
}

impl Published {
    /// The posts of `network` (of one account, when given), newest first.
    pub fn of(&self, network: Network, account: Option<&str>) -> Vec<SandboxPost> {
        let Ok(posts) = self.posts.lock() else {
            return Vec::new();
        };
        posts
            .iter()
            .rev()
            .filter(|p| p.network == network && account.is_none_or(|a| p.account == a))
            .cloned()
            .collect()
    }

    /// The post `id` of `network`.
    pub fn find(&self, network: Network, id: &str) -> Option<SandboxPost> {
        let posts = self.posts.lock().ok()?;
        posts
            .iter()
            .find(|p| p.network == network && p.id == id)
            .cloned()
    }

    /// Keeps `post` unless the account posted the same content in the last day; else
    /// the earlier post's id.
    pub(super) fn add(&self, post: SandboxPost) -> Result<(), String> {
        let mut posts = self.posts.lock().map_err(|_| "sandbox poisoned")?;
        let day_ago = post.at - chrono::Duration::days(1);
        if let Some(earlier) = posts.iter().find(|p| {
            p.network == post.network
                && p.account == post.account
                && p.at > day_ago
                && (&p.text, &p.link, &p.image) == (&post.text, &post.link, &post.image)
        }) {
            return Err(earlier.id.clone());
        }
        if posts.len() >= KEPT {
            posts.pop_front();
        }
        posts.push_back(post);
        Ok(())
    }

    pub(super) fn published_today(&self, account: &str, now: DateTime<Utc>) -> usize {
        self.posts.lock().map_or(0, |posts| {
            posts
                .iter()
                .filter(|p| p.account == account && p.at > now - chrono::Duration::days(1))
                .count()
        })
    }
}

/// LinkedIn's refusal of a post the member already published: the body seen in public
/// reports of the Posts API (it is not on LinkedIn's pages), naming the earlier post.
fn linkedin_duplicate(earlier: &str) -> Answer {
    (
        422,
        json!({
            "errorDetailType": "com.linkedin.common.error.BadRequest",
            "message": format!("com.linkedin.content.common.exception.BadRequestResponseException: Content is a duplicate of {earlier}"),
            "errorDetails": { "inputErrors": [{ "description": "Duplicate post is detected", "input": {}, "code": "DUPLICATE_POST" }] },
            "status": 422,
        }),
    )
}

/// LinkedIn's error body, "Error Handling"
/// (learn.microsoft.com/linkedin/shared/api-guide/concepts/error-handling).
fn linkedin_error(status: u16, message: &str) -> Answer {
    (
        status,
        json!({ "status": status, "serviceErrorCode": 100, "code": "ACCESS_DENIED", "message": message }),
    )
}

impl Sandbox {
    /// What `token` is made to report when it publishes (`sandboxSimulate`), if
    /// anything that touches publishing only.
    pub(super) fn publishing(&self, token: Option<&str>) -> Option<Condition> {
        token
            .and_then(|t| self.condition(t))
            .filter(|c| matches!(c, Condition::Duplicates | Condition::PublishingLimit))
    }

    /// LinkedIn `POST /rest/posts`: the new post's URN, or the refusal.
    pub fn linkedin_post(
        &self,
        bearer: Option<&str>,
        version: bool,
        body: &Value,
    ) -> Result<String, Answer> {
        if let Some(refused) = self.linkedin_condition(bearer) {
            return Err(refused);
        }
        if !version {
            return Err((
                400,
                json!({ "status": 400, "code": "VERSION_MISSING", "message": "A version must be present. Please specify a version by adding the LinkedIn-Version header." }),
            ));
        }
        let Some((login, _)) = bearer.and_then(|t| self.holder(t)) else {
            return Err((
                401,
                json!({ "status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN", "message": "Invalid access token" }),
            ));
        };
        match self.publishing(bearer) {
            Some(Condition::Duplicates) => {
                return Err(linkedin_duplicate("urn:li:share:7141138937766391808"));
            }
            Some(_) => {
                return Err((
                    429,
                    json!({ "status": 429, "message": "Resource level throttle APPLICATION DAY limit for calls to this resource is reached." }),
                ));
            }
            None => {}
        }
        let author = format!("urn:li:person:{}", external_id(login));
        if body.get("author").and_then(Value::as_str) != Some(author.as_str()) {
            return Err(linkedin_error(
                403,
                "Not enough permissions to post as this author",
            ));
        }
        let text = body.get("commentary").and_then(Value::as_str).unwrap_or("");
        let link = body
            .pointer("/content/article/source")
            .and_then(Value::as_str);
        let urn = format!(
            "urn:li:share:{}",
            7_000_000_000_000_000_000u64 + rand::random_range(0..999_999_999_999_999_999u64)
        );
        let post = SandboxPost {
            network: Network::Linkedin,
            account: external_id(login),
            id: urn.clone(),
            text: text.to_owned(),
            link: link.map(str::to_owned),
            image: None,
            at: Utc::now(),
        };
        match self.published.add(post) {
            Ok(()) => Ok(urn),
            Err(earlier) => Err(linkedin_duplicate(&earlier)),
        }
    }

    /// The account a Graph `token` acts as (a Page, or an Instagram account), unless
    /// the token is made to report a condition.
    pub(super) fn graph_actor(&self, token: Option<&str>) -> Result<String, Answer> {
        let Some(token) = token else {
            return Err(graph_error(
                2500,
                None,
                "An active access token must be used.",
            ));
        };
        if let Some(answer) = self.graph_condition(token) {
            return Err(answer);
        }
        match self.holder(token) {
            Some((_, Some(page))) => Ok(page.to_owned()),
            Some((login, None)) => Ok(external_id(login)),
            None => Err(graph_error(190, None, "Invalid OAuth access token.")),
        }
    }

    /// Facebook `POST /{page-id}/feed` and `POST /{page-id}/photos`.
    pub fn facebook_publish(
        &self,
        page: &str,
        edge: &str,
        form: &HashMap<String, String>,
    ) -> Answer {
        let actor = match self.graph_actor(form.get("access_token").map(String::as_str)) {
            Ok(actor) => actor,
            Err(refused) => return refused,
        };
        if actor != page {
            return graph_error(
                200,
                None,
                "(#200) The user hasn't authorized the application to perform this action",
            );
        }
        let unpublished = form.get("published").map(String::as_str) == Some("false");
        let (text, image) = match edge {
            "photos" => (form.get("caption"), form.get("url")),
            _ => (form.get("message"), None),
        };
        let photo = random("");
        if unpublished {
            return (200, json!({ "id": photo }));
        }
        let id = format!(
            "{page}_{}",
            100_000_000_000_000u64 + rand::random_range(0..899_999_999_999_999u64)
        );
        let attached = form.keys().any(|k| k.starts_with("attached_media"));
        let post = SandboxPost {
            network: Network::Facebook,
            account: page.to_owned(),
            id: id.clone(),
            text: text.cloned().unwrap_or_default(),
            link: form.get("link").cloned(),
            image: image
                .cloned()
                .or(attached.then(|| "(several photos)".to_owned())),
            at: Utc::now(),
        };
        match (self.published.add(post), edge) {
            (Ok(()), "photos") => (200, json!({ "id": photo, "post_id": id })),
            (Ok(()), _) => (200, json!({ "id": id })),
            (Err(_), _) => graph_error(506, None, "(#506) Duplicate status message"),
        }
    }

    /// Graph `GET /{id}`: a container's `status_code`, or a post's link
    /// (`permalink_url` on Facebook, `permalink` on Instagram) under `base`.
    pub fn graph_object(
        &self,
        network: Network,
        id: &str,
        token: Option<&str>,
        base: &str,
    ) -> Answer {
        if let Err(refused) = self.graph_actor(token) {
            return refused;
        }
        let container = self
            .published
            .containers
            .lock()
            .ok()
            .and_then(|c| c.get(id).cloned());
        if container.is_some() {
            return (200, json!({ "status_code": "FINISHED", "id": id }));
        }
        match (self.published.find(network, id), network) {
            (Some(_), Network::Facebook) => (
                200,
                json!({ "permalink_url": format!("{base}/posts/{id}"), "id": id }),
            ),
            (Some(_), _) => (
                200,
                json!({ "permalink": format!("{base}/posts/{id}"), "id": id }),
            ),
            (None, _) => graph_error(
                100,
                Some(33),
                "Unsupported get request. Object with ID does not exist.",
            ),
        }
    }
}
