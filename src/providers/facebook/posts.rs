//! Publishing to a Page as the Page, with the Page token, as "Pages API: Posts"
//! (developers.facebook.com/docs/pages-api/posts) and the Photo reference
//! (developers.facebook.com/docs/graph-api/reference/photo) document it: text and a
//! link through `POST /{page-id}/feed` (`message`, `link`) → `{id}` (`{page}_{post}`);
//! one image through `POST /{page-id}/photos` (`url`, `caption`) → `{id, post_id}`;
//! several as unpublished photos (`published=false`) attached to one feed post
//! (`attached_media`). The permalink is the post's `permalink_url`.

use serde::Deserialize;
use serde_json::json;

use super::Facebook;
use crate::providers::{graph, http};
use crate::{
    config::Secret,
    providers::{
        ProviderResult,
        publishing::{Outgoing, Published},
    },
};

#[derive(Deserialize)]
struct Created {
    id: String,
    /// Set by `/photos`: the feed post that shows the photo.
    #[serde(default)]
    post_id: Option<String>,
}

#[derive(Deserialize)]
struct Permalink {
    permalink_url: Option<String>,
}

impl Facebook {
    /// A Graph POST of `form` carrying `token` and its `appsecret_proof`.
    async fn create(
        &self,
        path: &str,
        token: &str,
        form: &[(&str, String)],
    ) -> ProviderResult<Created> {
        let proof = graph::appsecret_proof(&self.app.secret, token);
        let mut fields: Vec<(&str, String)> = form.to_vec();
        fields.push(("access_token", token.to_owned()));
        fields.push(("appsecret_proof", proof));
        http::json(self.http.post(self.graph(path)).form(&fields)).await
    }

    pub(super) async fn publish_post(
        &self,
        token: &Secret,
        post: &Outgoing<'_>,
    ) -> ProviderResult<Published> {
        let (page, token_text) = (post.account, token.expose());
        let created = match post.image_urls {
            [] => {
                let mut form = vec![("message", post.text.to_owned())];
                if let Some(link) = post.link {
                    form.push(("link", link.to_owned()));
                }
                self.create(&format!("{page}/feed"), token_text, &form)
                    .await?
            }
            [one] => {
                let form = [("url", one.clone()), ("caption", post.text.to_owned())];
                self.create(&format!("{page}/photos"), token_text, &form)
                    .await?
            }
            several => {
                let mut form = vec![("message", post.text.to_owned())];
                let mut photos = Vec::with_capacity(several.len());
                for url in several {
                    let unpublished = [("url", url.clone()), ("published", "false".to_owned())];
                    let photo = self
                        .create(&format!("{page}/photos"), token_text, &unpublished)
                        .await?;
                    photos.push(photo.id);
                }
                let keys: Vec<String> = (0..photos.len())
                    .map(|i| format!("attached_media[{i}]"))
                    .collect();
                for (key, id) in keys.iter().zip(&photos) {
                    form.push((key.as_str(), json!({ "media_fbid": id }).to_string()));
                }
                self.create(&format!("{page}/feed"), token_text, &form)
                    .await?
            }
        };
        let id = created.post_id.unwrap_or(created.id);
        // The post exists now: a permalink that cannot be read is left out, never
        // a reason to say the post failed.
        let permalink: Option<Permalink> =
            http::json(self.get(&id, token_text, &[("fields", "permalink_url")]))
                .await
                .ok();
        Ok(Published {
            permalink: permalink.and_then(|p| p.permalink_url),
            network_post_id: id,
        })
    }
}
