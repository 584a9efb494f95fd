//! `Post`, `PostDelivery`, and the post input.

use async_graphql::{Context, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::{enums::DeliveryState as DeliveryStatus, post_delivery};

use super::{
    Integration, User,
    enums::{Network, PostAction, PostDeliveryStatus, PostReview, StatusReason},
};
use crate::{
    domain::{
        posts::{Content, actions},
        publishing::rendition,
    },
    graphql::{
        context::ContextExt,
        ids::{IntegrationGid, PostDeliveryGid, PostGid},
    },
    service::posts::PostView,
};

/// What the author writes: the content, the accounts it goes to, and when.
#[derive(InputObject, Debug, Clone)]
pub struct PostInput {
    /// Up to 3,000 characters for LinkedIn, 63,206 for Facebook, 2,200 for Instagram
    /// (with at most 30 hashtags and 20 @-tags there).
    pub text: String,
    /// An https link shared with the text.
    pub link: Option<String>,
    /// https URLs of images: Instagram needs exactly one (a public JPEG), a Facebook
    /// Page takes up to 10, LinkedIn posts carry none here.
    #[graphql(default)]
    pub image_urls: Vec<String>,
    /// Your integrations it goes to (1 to 4).
    pub targets: Vec<IntegrationGid>,
    /// When it should leave (it leaves at approval if that is later); null to decide
    /// later. Use `publishNow` for "as soon as it is approved".
    pub scheduled_at: Option<DateTime<Utc>>,
    /// Leave as soon as it is approved (overrides `scheduledAt`).
    #[graphql(default)]
    pub publish_now: bool,
}

/// Which posts a page lists.
#[derive(InputObject, Debug, Clone, Default)]
pub struct PostFilter {
    /// Only posts in one of these review states (for a review queue: `[IN_REVIEW]`).
    #[graphql(default)]
    pub reviews: Vec<PostReview>,
}

/// A post: content by one person for some of their accounts, reviewed as a whole.
pub struct Post(pub PostView);

#[Object]
impl Post {
    async fn id(&self) -> PostGid {
        self.0.post.id.into()
    }
    /// Bumped by every change; pass it as `expectedVersion` to act only on what you saw.
    async fn version(&self) -> i32 {
        self.0.post.version
    }
    async fn author(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        ctx.user(self.0.post.author_id).await
    }
    async fn text(&self) -> &str {
        &self.0.post.text
    }
    async fn link(&self) -> Option<&str> {
        self.0.post.link.as_deref()
    }
    async fn image_urls(&self) -> Vec<String> {
        serde_json::from_str(&self.0.post.image_urls).unwrap_or_default()
    }
    /// SHA-256 of exactly this content: approve with it, so that what you read is
    /// what is approved and published.
    async fn content_hash(&self) -> &str {
        &self.0.post.content_hash
    }
    async fn review(&self) -> PostReview {
        self.0.post.review.into()
    }
    /// The reviewer's note (required on a rejection).
    async fn review_note(&self) -> Option<&str> {
        self.0.post.review_note.as_deref()
    }
    async fn reviewed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.0.post.reviewed_by {
            Some(id) => Ok(Some(ctx.user(id).await?)),
            None => Ok(None),
        }
    }
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.post.reviewed_at
    }
    /// The author approved their own post (SELF_MANAGED tenants).
    async fn self_approved(&self) -> bool {
        self.0.post.self_approved
    }
    /// When the author wants it to leave; null until they pick a time.
    async fn scheduled_at(&self) -> Option<DateTime<Utc>> {
        self.0.post.scheduled_at
    }
    /// The author's time zone (IANA name), to show times in.
    async fn time_zone(&self) -> &str {
        &self.0.post.time_zone
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.post.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.post.updated_at
    }
    /// One per account it goes to.
    async fn deliveries(&self) -> Vec<PostDelivery> {
        let post = &self.0.post;
        let content = std::sync::Arc::new(Content {
            text: post.text.clone(),
            link: post.link.clone(),
            image_urls: serde_json::from_str(&post.image_urls).unwrap_or_default(),
        });
        self.0
            .deliveries
            .iter()
            .cloned()
            .map(|d| PostDelivery(d, Some(content.clone())))
            .collect()
    }
    /// What the viewer may do with it now.
    async fn available_actions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PostAction>> {
        let actor = ctx.actor().await?;
        let states: Vec<_> = self.0.deliveries.iter().map(|d| d.status).collect();
        Ok(actions(
            &actor.roles,
            self.0.post.author_id == actor.user_id,
            actor.tenant.compliance_mode,
            self.0.post.review,
            &states,
        )
        .into_iter()
        .map(Into::into)
        .collect())
    }
}

/// One post going to one account, with the post's content when it is at hand (read
/// through its post).
pub struct PostDelivery(
    pub post_delivery::Model,
    pub Option<std::sync::Arc<Content>>,
);

#[Object]
impl PostDelivery {
    async fn id(&self) -> PostDeliveryGid {
        self.0.id.into()
    }
    async fn integration_id(&self) -> IntegrationGid {
        self.0.integration_id.into()
    }
    /// The account (null when the viewer may not see it).
    async fn integration(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Integration>> {
        let row = ctx.integration(self.0.integration_id).await?;
        Ok(row.map(Integration))
    }
    async fn network(&self) -> Network {
        self.0.network.into()
    }
    async fn status(&self) -> PostDeliveryStatus {
        self.0.status.into()
    }
    /// Why it is held: the account's status reason when it fell due.
    async fn reason(&self) -> Option<StatusReason> {
        self.0.reason.map(Into::into)
    }
    /// The network's words for a failure, or what a person must check.
    async fn detail(&self) -> Option<&str> {
        self.0.detail.as_deref()
    }
    /// When it leaves (identical content to several accounts is spread apart).
    async fn due_at(&self) -> Option<DateTime<Utc>> {
        self.0.due_at
    }
    /// True when it is due after its account's token expires: reconnect before then,
    /// or it will be held.
    async fn at_risk(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let Some(due) = self
            .0
            .due_at
            .filter(|_| self.0.status == DeliveryStatus::Scheduled)
        else {
            return Ok(false);
        };
        let integration = ctx.integration(self.0.integration_id).await?;
        Ok(integration
            .and_then(|i| i.token_expires_at)
            .is_some_and(|expires| due > expires))
    }
    /// The text this network is sent: the post's, with the link moved to its end where
    /// the network shows no link card (an Instagram caption, a Facebook photo). Null
    /// when read through an account rather than its post.
    async fn sent_text(&self) -> Option<String> {
        let content = self.1.as_deref()?;
        Some(rendition(content, self.0.network).text)
    }
    /// The link this network shows as a card (LinkedIn's article, a Facebook link
    /// post); null where it is in the text instead.
    async fn sent_link(&self) -> Option<String> {
        let content = self.1.as_deref()?;
        rendition(content, self.0.network).link
    }
    /// Times it was sent to the network (a passing fault tries again later).
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// When it is tried again after a passing fault (a timeout, an outage, a
    /// throttle); null otherwise.
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        self.0
            .next_attempt_at
            .filter(|_| self.0.status == DeliveryStatus::Scheduled)
    }
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    /// The network's id of the published post.
    async fn network_post_id(&self) -> Option<&str> {
        self.0.network_post_id.as_deref()
    }
    /// Where the published post can be seen.
    async fn permalink(&self) -> Option<&str> {
        self.0.permalink.as_deref()
    }
}
