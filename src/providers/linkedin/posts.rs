//! Publishing as the member through LinkedIn's Posts API ("Posts API",
//! learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api):
//! `POST /rest/posts` with the `LinkedIn-Version` and `X-Restli-Protocol-Version:
//! 2.0.0` headers, the author as `urn:li:person:{sub}`, answered by 201 with the new
//! post's URN in the `x-restli-id` header and no body. A link goes as an article
//! (`content.article`); LinkedIn does not read the linked page, so its title is the
//! link itself.

use serde_json::{Value, json};

use super::Linkedin;
use crate::providers::http;
use crate::{
    config::Secret,
    providers::{
        ProviderError, ProviderResult,
        publishing::{Outgoing, Published},
    },
};

impl Linkedin {
    pub(super) async fn create_post(
        &self,
        token: &Secret,
        post: &Outgoing<'_>,
    ) -> ProviderResult<Published> {
        let (headers, _) = http::send(
            self.http
                .post(format!("{}/rest/posts", self.api_url))
                .bearer_auth(token.expose())
                .header("LinkedIn-Version", &self.version)
                .header("X-Restli-Protocol-Version", "2.0.0")
                .json(&body(post)),
        )
        .await?;
        let urn = headers
            .get("x-restli-id")
            .and_then(|v| v.to_str().ok())
            .filter(|urn| urn.starts_with("urn:li:"))
            .ok_or_else(|| {
                // Created, but we cannot say where: never try it again blind.
                ProviderError::Failed(
                    "LinkedIn accepted the post without naming it (no x-restli-id)".into(),
                )
            })?
            .to_owned();
        Ok(Published {
            permalink: Some(format!("{}/feed/update/{urn}/", self.web_url)),
            network_post_id: urn,
        })
    }
}

/// The Posts API request for `post` (fields from "Posts API" and "Post API Schema").
fn body(post: &Outgoing<'_>) -> Value {
    let mut body = json!({
        "author": format!("urn:li:person:{}", post.account),
        "commentary": post.text,
        "visibility": "PUBLIC",
        "distribution": {
            "feedDistribution": "MAIN_FEED",
            "targetEntities": [],
            "thirdPartyDistributionChannels": [],
        },
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": false,
    });
    if let Some(link) = post.link {
        body["content"] = json!({ "article": { "source": link, "title": link } });
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_goes_as_an_article() {
        let post = Outgoing {
            account: "782bbtaQ",
            text: "Our outlook",
            link: Some("https://example.com/outlook"),
            image_urls: &[],
        };
        let article = body(&post);
        assert_eq!(article["author"], "urn:li:person:782bbtaQ");
        assert_eq!(article["commentary"], "Our outlook");
        assert_eq!(
            article["content"]["article"]["source"],
            "https://example.com/outlook"
        );
        let text = body(&Outgoing { link: None, ..post });
        assert!(text.get("content").is_none());
    }
}
