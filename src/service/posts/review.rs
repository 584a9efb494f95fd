//! Review and withdrawal of a post: submit, approve (bound to the content's hash),
//! reject (with a note), cancel.

use entity::{
    enums::{DeliveryState, PostReview},
    ids::PostId,
};

use super::{PostView, bad, only_author, reviewed, road, word};
use crate::{
    auth::{Actor, Role},
    domain::{input, posts as rules},
    error::{AppError, AppResult},
    service::{App, change::Who, scope_of},
    store::now,
};

/// The author sends a draft (or a rejected post, rewritten or not) to review.
pub async fn submit(app: &App, actor: &Actor, id: PostId) -> AppResult<PostView> {
    let written = road::apply(app, scope_of(actor), id, None, &Who::from(actor), |shown| {
        only_author(actor, shown.post)?;
        if !matches!(shown.post.review, PostReview::Draft | PostReview::Rejected) {
            return Err(AppError::InvalidTransition(format!(
                "the post is {}; only a draft or a rejected post is submitted",
                word(shown.post.review)
            )));
        }
        let mut post = shown.post.clone();
        post.review = PostReview::InReview;
        post.review_note = None;
        Ok(road::Decision {
            deliveries: reviewed(&post, shown.deliveries.to_vec()),
            post,
            note: None,
            self_approval: false,
        })
    })
    .await?;
    Ok(written.into())
}

/// Approves the post's content as it stands, named by its hash: when the content
/// changed since the reviewer read it, `CONFLICT`, and nothing is approved.
pub async fn approve(
    app: &App,
    actor: &Actor,
    id: PostId,
    content_hash: &str,
    note: Option<&str>,
) -> AppResult<PostView> {
    let note = note
        .map(|n| input::text("note", n.trim(), input::MAX_NOTE, input::Lines::Multi))
        .transpose()
        .map_err(bad)?
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    decide(
        app,
        actor,
        id,
        PostReview::Approved,
        Some(content_hash),
        note,
    )
    .await
}

/// Rejects the post with a note the author will read.
pub async fn reject(app: &App, actor: &Actor, id: PostId, note: &str) -> AppResult<PostView> {
    let note =
        input::text("note", note.trim(), input::MAX_NOTE, input::Lines::Multi).map_err(bad)?;
    if note.is_empty() {
        return Err(bad("a rejection needs a note that tells the author why"));
    }
    decide(
        app,
        actor,
        id,
        PostReview::Rejected,
        None,
        Some(note.to_owned()),
    )
    .await
}

async fn decide(
    app: &App,
    actor: &Actor,
    id: PostId,
    to: PostReview,
    content_hash: Option<&str>,
    note: Option<String>,
) -> AppResult<PostView> {
    let written = road::apply(app, scope_of(actor), id, None, &Who::from(actor), |shown| {
        let is_author = shown.post.author_id == actor.user_id;
        rules::review(&actor.roles, is_author, shown.tenant.compliance_mode)
            .map_err(|d| AppError::Forbidden(d.0))?;
        if shown.post.review != PostReview::InReview {
            return Err(AppError::InvalidTransition(format!(
                "the post is {}; only a post in review is approved or rejected",
                word(shown.post.review)
            )));
        }
        if let Some(seen) = content_hash
            && seen != shown.post.content_hash
        {
            return Err(AppError::Conflict(
                "the post's content changed since you read it; read it again and review what \
                 it says now"
                    .into(),
            ));
        }
        let mut post = shown.post.clone();
        post.review = to;
        post.review_note = note.clone();
        post.reviewed_by = Some(actor.user_id);
        post.reviewed_at = Some(now());
        post.self_approved = is_author && to == PostReview::Approved;
        post.approved_hash = (to == PostReview::Approved).then(|| post.content_hash.clone());
        Ok(road::Decision {
            deliveries: reviewed(&post, shown.deliveries.to_vec()),
            self_approval: post.self_approved,
            post,
            note,
        })
    })
    .await?;
    Ok(written.into())
}

/// Cancels every delivery that has not left: the author, or an admin.
pub async fn cancel(app: &App, actor: &Actor, id: PostId) -> AppResult<PostView> {
    let written = road::apply(app, scope_of(actor), id, None, &Who::from(actor), |shown| {
        if shown.post.author_id != actor.user_id && !actor.has(Role::Admin) {
            return Err(AppError::Forbidden(
                "only the post's author or an admin may cancel it".into(),
            ));
        }
        let deliveries: Vec<_> = shown
            .deliveries
            .iter()
            .cloned()
            .map(|mut d| {
                if rules::cancellable(d.status) {
                    d.status = DeliveryState::Cancelled;
                    d.due_at = None;
                }
                d
            })
            .collect();
        if deliveries == shown.deliveries {
            return Err(AppError::InvalidTransition(
                "nothing of the post is left to cancel".into(),
            ));
        }
        Ok(road::Decision {
            post: shown.post.clone(),
            deliveries,
            note: None,
            self_approval: false,
        })
    })
    .await?;
    Ok(written.into())
}
