//! The posts API: write, review and cancel posts, and read them. Each resolver is one
//! service call and one conversion.

use async_graphql::{
    Context, Object, ResultExt,
    connection::{Connection, Edge},
};

use super::{
    context::ContextExt,
    ids::{PostCursor, PostDeliveryGid, PostGid},
    query::page_cost,
    types::post::{Post, PostFilter, PostInput},
};
use crate::service::{now, posts, posts::PostFilter as StoredFilter};

fn draft(input: PostInput) -> posts::Draft {
    posts::Draft {
        text: input.text,
        link: input.link,
        image_urls: input.image_urls,
        targets: input.targets.into_iter().map(|t| t.0).collect(),
        scheduled_at: match input.publish_now {
            true => Some(now()),
            false => input.scheduled_at,
        },
    }
}

#[derive(Default)]
pub struct PostQuery;

#[Object]
impl PostQuery {
    /// One post by id; NOT_FOUND when it does not exist or is not yours to see.
    async fn post(&self, ctx: &Context<'_>, id: PostGid) -> async_graphql::Result<Post> {
        let view = posts::get(ctx.app()?, ctx.actor().await?, id.0)
            .await
            .extend()?;
        Ok(Post(view))
    }

    /// Posts the viewer sees (an advisor their own, compliance and admins the
    /// tenant's), newest first. `first` is at most 100.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn posts(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<PostCursor>,
        filter: Option<PostFilter>,
    ) -> async_graphql::Result<Connection<String, Post>> {
        let filter = StoredFilter {
            reviews: filter
                .unwrap_or_default()
                .reviews
                .into_iter()
                .map(Into::into)
                .collect(),
        };
        let page = posts::page(
            ctx.app()?,
            ctx.actor().await?,
            &filter,
            after.map(|c| c.0),
            first,
        )
        .await
        .extend()?;
        let mut connection = Connection::new(after.is_some(), page.has_next);
        connection.edges = page
            .items
            .into_iter()
            .map(|view| Edge::new(PostCursor(view.post.id).encoded(), Post(view)))
            .collect();
        Ok(connection)
    }
}

#[derive(Default)]
pub struct PostMutation;

#[Object]
impl PostMutation {
    /// Writes a post for some of your integrations: a draft, or submitted for review
    /// at once with `submit: true`. Each network's limits are checked now.
    async fn create_post(
        &self,
        ctx: &Context<'_>,
        input: PostInput,
        submit: Option<bool>,
    ) -> async_graphql::Result<Post> {
        let submit = submit.unwrap_or(false);
        let view = posts::create(ctx.app()?, ctx.actor().await?, draft(input), submit)
            .await
            .extend()?;
        Ok(Post(view))
    }

    /// Rewrites your post. New content or accounts send it back to review; a new time
    /// alone keeps the approval. Pass `expectedVersion` to get CONFLICT instead of
    /// overwriting a change you have not seen.
    async fn update_post(
        &self,
        ctx: &Context<'_>,
        id: PostGid,
        input: PostInput,
        expected_version: Option<i32>,
    ) -> async_graphql::Result<Post> {
        let view = posts::update(
            ctx.app()?,
            ctx.actor().await?,
            id.0,
            expected_version,
            draft(input),
        )
        .await
        .extend()?;
        Ok(Post(view))
    }

    /// Sends your draft (or rejected post) to compliance review.
    async fn submit_post(&self, ctx: &Context<'_>, id: PostGid) -> async_graphql::Result<Post> {
        let view = posts::submit(ctx.app()?, ctx.actor().await?, id.0)
            .await
            .extend()?;
        Ok(Post(view))
    }

    /// IN_REVIEW → APPROVED, for exactly the content named by `contentHash` (the
    /// post's `contentHash` as you read it): CONFLICT when it changed meanwhile.
    /// Compliance or admin; never one's own post in a BROKER_DEALER tenant.
    async fn approve_post(
        &self,
        ctx: &Context<'_>,
        id: PostGid,
        content_hash: String,
        note: Option<String>,
    ) -> async_graphql::Result<Post> {
        let view = posts::approve(
            ctx.app()?,
            ctx.actor().await?,
            id.0,
            &content_hash,
            note.as_deref(),
        )
        .await
        .extend()?;
        Ok(Post(view))
    }

    /// IN_REVIEW → REJECTED with a note the author reads (required).
    async fn reject_post(
        &self,
        ctx: &Context<'_>,
        id: PostGid,
        note: String,
    ) -> async_graphql::Result<Post> {
        let view = posts::reject(ctx.app()?, ctx.actor().await?, id.0, &note)
            .await
            .extend()?;
        Ok(Post(view))
    }

    /// Cancels every delivery of the post that has not left (the author, or an admin).
    async fn cancel_post(&self, ctx: &Context<'_>, id: PostGid) -> async_graphql::Result<Post> {
        let view = posts::cancel(ctx.app()?, ctx.actor().await?, id.0)
            .await
            .extend()?;
        Ok(Post(view))
    }

    /// Settles an UNCERTAIN delivery (the network may or may not have it) after
    /// checking the account: `published: true` records it as published, with the
    /// `permalink` found there; `false` sends it again now. The decision, with its
    /// note, is in the account's history.
    async fn settle_delivery(
        &self,
        ctx: &Context<'_>,
        id: PostDeliveryGid,
        published: bool,
        permalink: Option<String>,
        note: Option<String>,
    ) -> async_graphql::Result<Post> {
        let found = posts::settle::Found {
            published,
            permalink,
            note,
        };
        let view = posts::settle::settle(ctx.app()?, ctx.actor().await?, id.0, found)
            .await
            .extend()?;
        Ok(Post(view))
    }
}
