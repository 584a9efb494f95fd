//! Posts: an advisor writes content for some of their integrations, compliance reviews
//! it (bound to the content's hash), and each target becomes a delivery that leaves at
//! its time. Every use case authorizes here and changes state through [`road`].
//!
//! Who sees what: an advisor their own posts, compliance and admins every post of the
//! tenant; another's post is `NOT_FOUND`. Only the author edits, submits, schedules and
//! cancels (admins may cancel too); reviewers decide by [`domain::posts::review`].

pub mod publish;
mod review;
pub mod road;
pub mod settle;

use chrono::{DateTime, Utc};
use entity::{
    enums::{DeliveryState, PostReview, Status},
    ids::{IntegrationId, PostDeliveryId, PostId},
    post, post_delivery,
};

use crate::{
    auth::Actor,
    domain::posts as rules,
    error::{AppError, AppResult},
    service::{App, change::Who, scope_of},
    store::{Scope, now},
};

pub use crate::store::posts::PostFilter;
pub use review::{approve, cancel, reject, submit};
pub use road::Written;

/// What the author writes.
#[derive(Debug, Clone)]
pub struct Draft {
    pub text: String,
    pub link: Option<String>,
    pub image_urls: Vec<String>,
    pub targets: Vec<IntegrationId>,
    /// When it should leave; `None` to decide later.
    pub scheduled_at: Option<DateTime<Utc>>,
}

/// A post with its deliveries, as read.
#[derive(Debug, Clone)]
pub struct PostView {
    pub post: post::Model,
    pub deliveries: Vec<post_delivery::Model>,
}

impl From<Written> for PostView {
    fn from(written: Written) -> Self {
        PostView {
            post: written.post,
            deliveries: written.deliveries,
        }
    }
}

pub(super) fn bad(message: impl Into<String>) -> AppError {
    AppError::BadUserInput(message.into())
}

pub(super) fn only_author(actor: &Actor, post: &post::Model) -> AppResult<()> {
    match post.author_id == actor.user_id {
        true => Ok(()),
        false => Err(AppError::Forbidden(
            "only the post's author may change it".into(),
        )),
    }
}

/// Checks the draft's content against every target's network; answers the content.
async fn checked(
    app: &App,
    actor: &Actor,
    draft: &Draft,
) -> AppResult<(rules::Content, Vec<entity::integration::Model>)> {
    let content =
        rules::content(&draft.text, draft.link.as_deref(), &draft.image_urls).map_err(bad)?;
    let mut targets = draft.targets.clone();
    targets.sort();
    targets.dedup();
    if targets.is_empty() || targets.len() > rules::MAX_TARGETS {
        return Err(bad(format!(
            "a post goes to 1 to {} of your integrations",
            rules::MAX_TARGETS
        )));
    }
    // Only the author's own integrations, whatever else their role lets them see.
    let own = app
        .store
        .tenant(Scope::owner(actor.tenant_id, actor.user_id))
        .integrations_by_ids(&targets)
        .await?;
    if own.len() != targets.len() {
        return Err(AppError::NotFound("integration"));
    }
    for integration in &own {
        if integration.disconnected_at.is_some() || integration.status == Status::Rejected {
            return Err(AppError::InvalidTransition(format!(
                "{} is {}: posts go only to accounts that are connected and not rejected",
                integration.display_name,
                if integration.disconnected_at.is_some() {
                    "disconnected"
                } else {
                    "rejected"
                }
            )));
        }
        rules::fits(&content, integration.network).map_err(bad)?;
    }
    Ok((content, own))
}

fn delivery(
    post: &post::Model,
    integration: &entity::integration::Model,
    status: DeliveryState,
) -> post_delivery::Model {
    post_delivery::Model {
        id: PostDeliveryId::generate(),
        tenant_id: post.tenant_id,
        post_id: post.id,
        integration_id: integration.id,
        network: integration.network,
        status,
        reason: None,
        detail: None,
        due_at: None,
        attempts: 0,
        next_attempt_at: None,
        claimed_until: None,
        network_post_id: None,
        permalink: None,
        published_at: None,
        published_hash: None,
        version: 1,
        updated_at: now(),
    }
}

/// Writes a new post (a draft, or submitted for review at once with `submit`).
pub async fn create(app: &App, actor: &Actor, draft: Draft, submit: bool) -> AppResult<PostView> {
    let (content, targets) = checked(app, actor, &draft).await?;
    let author = app
        .store
        .tenant(Scope::tenant(actor.tenant_id))
        .user(actor.user_id)
        .await?
        .ok_or(AppError::NotFound("user"))?;
    let at = now();
    let review = match submit {
        true => PostReview::InReview,
        false => PostReview::Draft,
    };
    let post = post::Model {
        id: PostId::generate(),
        tenant_id: actor.tenant_id,
        author_id: actor.user_id,
        content_hash: rules::hash(&content),
        spread_key: crate::domain::spread::key(&content),
        text: content.text,
        link: content.link,
        image_urls: serde_json::to_string(&content.image_urls).unwrap_or_else(|_| "[]".into()),
        review,
        review_note: None,
        reviewed_by: None,
        reviewed_at: None,
        approved_hash: None,
        self_approved: false,
        scheduled_at: draft.scheduled_at,
        time_zone: crate::service::digest::zone_of(&author).name().to_owned(),
        version: 1,
        created_at: at,
        updated_at: at,
    };
    let status = rules::delivery_for(review, DeliveryState::Draft, false);
    let deliveries = targets.iter().map(|i| delivery(&post, i, status)).collect();
    let written = road::create(app, scope_of(actor), &Who::from(actor), post, deliveries).await?;
    Ok(written.into())
}

/// Rewrites the post's content, targets and time. New content (or a new target) of a
/// post past DRAFT goes back to review; a new time alone keeps the approval.
pub async fn update(
    app: &App,
    actor: &Actor,
    id: PostId,
    expected_version: Option<i32>,
    draft: Draft,
) -> AppResult<PostView> {
    let (content, targets) = checked(app, actor, &draft).await?;
    let hash = rules::hash(&content);
    let written = road::apply(
        app,
        scope_of(actor),
        id,
        expected_version,
        &Who::from(actor),
        |shown| {
            only_author(actor, shown.post)?;
            rules::editable(shown.deliveries.iter().map(|d| d.status))
                .map_err(AppError::InvalidTransition)?;
            let mut post = shown.post.clone();
            let same_targets = {
                let live: Vec<_> = shown
                    .deliveries
                    .iter()
                    .filter(|d| d.status != DeliveryState::Cancelled)
                    .map(|d| d.integration_id)
                    .collect();
                targets.iter().all(|t| live.contains(&t.id)) && live.len() == targets.len()
            };
            if (post.content_hash != hash || !same_targets) && post.review != PostReview::Draft {
                post.review = PostReview::InReview;
                post.approved_hash = None;
                post.reviewed_by = None;
                post.reviewed_at = None;
                post.self_approved = false;
            }
            post.content_hash = hash.clone();
            post.spread_key = crate::domain::spread::key(&content);
            post.text = content.text.clone();
            post.link = content.link.clone();
            post.image_urls =
                serde_json::to_string(&content.image_urls).unwrap_or_else(|_| "[]".into());
            post.scheduled_at = draft.scheduled_at;
            let mut deliveries = Vec::new();
            for d in shown.deliveries {
                let mut d = d.clone();
                if !targets.iter().any(|t| t.id == d.integration_id) && rules::cancellable(d.status)
                {
                    d.status = DeliveryState::Cancelled;
                }
                deliveries.push(d);
            }
            for target in &targets {
                if !deliveries
                    .iter()
                    .any(|d| d.integration_id == target.id && d.status != DeliveryState::Cancelled)
                {
                    deliveries.push(delivery(&post, target, DeliveryState::Draft));
                }
            }
            Ok(road::Decision {
                deliveries: reviewed(&post, deliveries),
                post,
                note: None,
                self_approval: false,
            })
        },
    )
    .await?;
    Ok(written.into())
}

/// The deliveries in the state the post's review gives them, with their time to leave.
fn reviewed(
    post: &post::Model,
    deliveries: Vec<post_delivery::Model>,
) -> Vec<post_delivery::Model> {
    let at = now();
    deliveries
        .into_iter()
        .map(|mut d| {
            if d.status == DeliveryState::Cancelled {
                return d;
            }
            d.status = rules::delivery_for(post.review, d.status, post.scheduled_at.is_some());
            d.due_at = match d.status {
                DeliveryState::Scheduled => post.scheduled_at.map(|s| s.max(at)),
                DeliveryState::Held => d.due_at,
                _ => None,
            };
            d
        })
        .collect()
}

/// The post `id`, when the actor sees it.
pub async fn get(app: &App, actor: &Actor, id: PostId) -> AppResult<PostView> {
    let data = app.store.tenant(scope_of(actor));
    let post = data.post(id).await?.ok_or(AppError::NotFound("post"))?;
    let deliveries = data.deliveries_of(&[id]).await?;
    Ok(PostView { post, deliveries })
}

/// A page of posts.
#[derive(Debug)]
pub struct Page {
    pub items: Vec<PostView>,
    pub has_next: bool,
}

/// The page of posts the actor sees after `after`, newest first, of at most `first`
/// (the same bounds as integrations' pages), with their deliveries: two statements
/// whatever the page's size.
pub async fn page(
    app: &App,
    actor: &Actor,
    filter: &PostFilter,
    after: Option<PostId>,
    first: Option<i32>,
) -> AppResult<Page> {
    let first = crate::service::integrations::page_size(first)?;
    let data = app.store.tenant(scope_of(actor));
    let mut posts = data.posts_page(filter, after, first + 1).await?;
    let has_next = posts.len() as u64 > first;
    posts.truncate(first as usize);
    let ids: Vec<_> = posts.iter().map(|p| p.id).collect();
    let mut by_post: std::collections::HashMap<PostId, Vec<post_delivery::Model>> =
        std::collections::HashMap::new();
    for delivery in data.deliveries_of(&ids).await? {
        by_post.entry(delivery.post_id).or_default().push(delivery);
    }
    let items = posts
        .into_iter()
        .map(|post| PostView {
            deliveries: by_post.remove(&post.id).unwrap_or_default(),
            post,
        })
        .collect();
    Ok(Page { items, has_next })
}

/// The word the console uses for a review state.
pub fn word(review: PostReview) -> &'static str {
    match review {
        PostReview::Draft => "a draft",
        PostReview::InReview => "in review",
        PostReview::Approved => "approved",
        PostReview::Rejected => "rejected",
    }
}
