//! Publishing to an Instagram professional account as "Content Publishing"
//! (developers.facebook.com/docs/instagram-platform/content-publishing) documents it:
//! the account's quota first (`GET /{ig-user-id}/content_publishing_limit`: Meta's
//! pages give 100 and 50 posts per rolling day in different places, so it is read,
//! never assumed), then a container (`POST /{ig-user-id}/media` with `image_url` and
//! `caption`), its `status_code` until `FINISHED`, `POST /{ig-user-id}/media_publish`
//! with the container as `creation_id`, and the media's `permalink`.

use std::time::Duration;

use serde::Deserialize;

use super::Instagram;
use crate::providers::{graph, http};
use crate::{
    config::Secret,
    providers::{
        ProviderError, ProviderResult,
        publishing::{Outgoing, Published},
    },
};

/// How long a container may stay `IN_PROGRESS` before this try gives up (nothing is
/// published then: a later try makes a new container).
const PROCESSING: Duration = Duration::from_secs(30);
/// How long to leave an account whose publishing quota is used up.
const QUOTA_WAIT: Duration = Duration::from_secs(3600);

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[derive(Deserialize)]
struct Status {
    status_code: Option<String>,
}

#[derive(Deserialize)]
struct Limits {
    data: Vec<Limit>,
}

#[derive(Deserialize)]
struct Limit {
    quota_usage: Option<u64>,
    config: Option<Quota>,
}

#[derive(Deserialize)]
struct Quota {
    quota_total: Option<u64>,
}

#[derive(Deserialize)]
struct Permalink {
    permalink: Option<String>,
}

impl Instagram {
    fn versioned(&self, path: &str) -> String {
        format!("{}/{}/{path}", self.graph_url, self.version)
    }

    fn read(&self, path: &str, token: &str, fields: &str) -> reqwest::RequestBuilder {
        let proof = graph::appsecret_proof(&self.app.secret, token);
        self.http.get(self.versioned(path)).query(&[
            ("fields", fields),
            ("access_token", token),
            ("appsecret_proof", proof.as_str()),
        ])
    }

    async fn create(
        &self,
        path: &str,
        token: &str,
        form: &[(&str, &str)],
    ) -> ProviderResult<Created> {
        let proof = graph::appsecret_proof(&self.app.secret, token);
        let mut fields: Vec<(&str, &str)> = form.to_vec();
        fields.extend([("access_token", token), ("appsecret_proof", proof.as_str())]);
        http::json(self.http.post(self.versioned(path)).form(&fields)).await
    }

    /// Refuses early, as a throttle, when the account's quota is used up. A quota that
    /// cannot be read is no reason not to try: `media_publish` refuses by itself.
    async fn quota_left(&self, account: &str, token: &str) -> ProviderResult<()> {
        let path = format!("{account}/content_publishing_limit");
        let limits: ProviderResult<Limits> =
            http::json(self.read(&path, token, "quota_usage,config")).await;
        let limit = match limits {
            Ok(limits) => limits.data.into_iter().next(),
            Err(dead @ ProviderError::Dead(_)) => return Err(dead),
            Err(_) => None,
        };
        let used = limit.as_ref().and_then(|l| l.quota_usage);
        let total = limit.and_then(|l| l.config).and_then(|c| c.quota_total);
        match (used, total) {
            (Some(used), Some(total)) if used >= total => Err(ProviderError::RateLimited(
                format!(
                    "the account has published {used} of the {total} posts Instagram allows in 24 hours"
                ),
                Some(QUOTA_WAIT),
            )),
            _ => Ok(()),
        }
    }

    /// Waits for the container `id` to be ready.
    async fn processed(&self, id: &str, token: &str) -> ProviderResult<()> {
        let started = tokio::time::Instant::now();
        let mut pause = Duration::from_millis(500);
        loop {
            let status: Status = http::json(self.read(id, token, "status_code")).await?;
            match status.status_code.as_deref() {
                Some("FINISHED") | None => return Ok(()),
                Some("ERROR") => {
                    return Err(ProviderError::Failed(
                        "Instagram could not process the image (it takes public JPEG images \
                         of up to 8 MB, 4:5 to 1.91:1)"
                            .into(),
                    ));
                }
                Some("IN_PROGRESS") if started.elapsed() < PROCESSING => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(5));
                }
                Some(other) => {
                    return Err(ProviderError::Transient(format!(
                        "Instagram's container is {other}"
                    )));
                }
            }
        }
    }

    pub(super) async fn publish_media(
        &self,
        token: &Secret,
        post: &Outgoing<'_>,
    ) -> ProviderResult<Published> {
        let (account, token) = (post.account, token.expose());
        let [image] = post.image_urls else {
            return Err(ProviderError::Failed(
                "Instagram publishes one image per post here".into(),
            ));
        };
        self.quota_left(account, token).await?;
        let form = [("image_url", image.as_str()), ("caption", post.text)];
        let container = self
            .create(&format!("{account}/media"), token, &form)
            .await?;
        self.processed(&container.id, token).await?;
        let creation = [("creation_id", container.id.as_str())];
        let media = self
            .create(&format!("{account}/media_publish"), token, &creation)
            .await
            .map_err(|refused| match refused {
                // 9 / 2207042: the quota filled up since it was read.
                ProviderError::RateLimited(why, None) => {
                    ProviderError::RateLimited(why, Some(QUOTA_WAIT))
                }
                other => other,
            })?;
        let permalink: Option<Permalink> = http::json(self.read(&media.id, token, "permalink"))
            .await
            .ok();
        Ok(Published {
            permalink: permalink.and_then(|p| p.permalink),
            network_post_id: media.id,
        })
    }
}
