//! The road every post change takes, like integrations' (`service::change`): one write
//! transaction that locks the tenant's chain head, reads the post and its deliveries
//! fresh within the scope, lets the use case decide, writes them version-checked,
//! appends one hashed audit event per delivery that moved, announces them, commits,
//! and publishes. All of it commits or none of it does.

use std::collections::HashMap;

use entity::{
    enums::{DeliveryState, EventKind},
    ids::PostId,
    integration_event, post, post_delivery, tenant,
};

use crate::{
    domain::spread,
    error::{AppError, AppResult},
    events::wire,
    service::{App, change::Who},
    store::{
        Scope, Scoped,
        events::{DeliveryFacts, FeedEvent, NewEvent},
    },
};

/// What a use case is shown: the post and its deliveries as of now, under the lock,
/// and the tenant's settings as locked.
#[derive(Debug)]
pub struct Shown<'a> {
    pub post: &'a post::Model,
    pub deliveries: &'a [post_delivery::Model],
    pub tenant: &'a tenant::Model,
}

/// What a use case decided: the post as it should be written and its whole set of
/// deliveries (existing ones by id, new ones with fresh ids).
#[derive(Debug)]
pub struct Decision {
    pub post: post::Model,
    pub deliveries: Vec<post_delivery::Model>,
    /// Recorded on every event of the change (a review note).
    pub note: Option<String>,
    pub self_approval: bool,
}

/// A committed change: the post, its deliveries, the events written.
#[derive(Debug, Clone)]
pub struct Written {
    pub post: post::Model,
    pub deliveries: Vec<post_delivery::Model>,
    pub events: Vec<integration_event::Model>,
}

/// Runs `decide` on the post `id` visible in `scope` and writes its decision.
pub async fn apply<F>(
    app: &App,
    scope: Scope,
    id: PostId,
    expected_version: Option<i32>,
    who: &Who,
    decide: F,
) -> AppResult<Written>
where
    F: FnOnce(Shown<'_>) -> AppResult<Decision>,
{
    let txn = app.store.begin_write().await?;
    let data = Scoped::new(&txn, scope);
    let mut chain = data.lock_chain().await?;
    let current = data.post(id).await?.ok_or(AppError::NotFound("post"))?;
    if let Some(expected) = expected_version
        && expected != current.version
    {
        return Err(AppError::Conflict(format!(
            "the post changed since you read it (version {expected}, now {}); read it again",
            current.version
        )));
    }
    let deliveries = data.deliveries_of(&[id]).await?;
    let mut decision = decide(Shown {
        post: &current,
        deliveries: &deliveries,
        tenant: &chain.tenant,
    })?;
    spread_out(app, &data, &deliveries, &mut decision).await?;
    let post = data.save_post(&current, decision.post.clone()).await?;
    let by_id: HashMap<_, _> = deliveries.iter().map(|d| (d.id, d)).collect();
    let (mut updates, mut inserts) = (Vec::new(), Vec::new());
    for next in &decision.deliveries {
        match by_id.get(&next.id) {
            Some(was) if *was != next => updates.push((*was, next.clone())),
            Some(_) => {}
            None => inserts.push(next.clone()),
        }
    }
    let moved = moved(&current, &post, &deliveries, &decision.deliveries);
    data.save_deliveries(updates).await?;
    data.insert_deliveries(inserts).await?;
    let saved = data.deliveries_of(&[id]).await?;
    let news = events(&post, &saved, &moved, &decision, who);
    let events = chain.append_many(&txn, news).await?;
    let tenant = data.tenant_id();
    finish(app, tenant, txn, events, post, saved).await
}

/// Spreads the deliveries this change schedules (new, or with a new time) apart from
/// every other delivery of identical content in the tenant. The others are read under
/// the chain lock, so two instances scheduling at once cannot pick the same moment.
async fn spread_out(
    app: &App,
    data: &Scoped<'_, sea_orm::DatabaseTransaction>,
    before: &[post_delivery::Model],
    decision: &mut Decision,
) -> AppResult<()> {
    let gap = chrono::Duration::seconds(app.config.post_spread_secs as i64);
    if gap <= chrono::Duration::zero() {
        return Ok(());
    }
    let old: HashMap<_, _> = before.iter().map(|d| (d.id, d.due_at)).collect();
    let leaving = |d: &post_delivery::Model| {
        matches!(
            d.status,
            DeliveryState::Scheduled
                | DeliveryState::Held
                | DeliveryState::Publishing
                | DeliveryState::Published
        )
    };
    let (moving, staying): (Vec<_>, Vec<_>) = decision
        .deliveries
        .iter()
        .enumerate()
        .filter(|(_, d)| leaving(d) && d.due_at.is_some())
        .partition(|(_, d)| {
            d.status == DeliveryState::Scheduled && old.get(&d.id) != Some(&d.due_at)
        });
    let wanted: Vec<_> = moving.iter().filter_map(|(_, d)| d.due_at).collect();
    let Some(earliest) = wanted.iter().min().copied() else {
        return Ok(());
    };
    let mut taken = data
        .times_of_spread(&decision.post.spread_key, decision.post.id, earliest - gap)
        .await?;
    taken.extend(staying.iter().filter_map(|(_, d)| d.due_at));
    let half = gap.num_milliseconds() / 2;
    let jitter: Vec<_> = wanted
        .iter()
        .map(|_| chrono::Duration::milliseconds(rand::random_range(0..=half)))
        .collect();
    let times = spread::times(&wanted, &taken, gap, &jitter);
    let indices: Vec<usize> = moving.iter().map(|(i, _)| *i).collect();
    for (i, at) in indices.into_iter().zip(times) {
        decision.deliveries[i].due_at = Some(at);
    }
    Ok(())
}

/// Writes a new post and its deliveries; deliveries past DRAFT get their events.
pub async fn create(
    app: &App,
    scope: Scope,
    who: &Who,
    post: post::Model,
    deliveries: Vec<post_delivery::Model>,
) -> AppResult<Written> {
    let txn = app.store.begin_write().await?;
    let data = Scoped::new(&txn, scope);
    let mut chain = data.lock_chain().await?;
    data.insert_post(post.clone(), deliveries.clone()).await?;
    let moved: Vec<_> = deliveries.iter().map(|d| d.id).collect();
    let decision = Decision {
        post: post.clone(),
        deliveries: deliveries.clone(),
        note: None,
        self_approval: false,
    };
    let news = events(&post, &deliveries, &moved, &decision, who);
    let events = chain.append_many(&txn, news).await?;
    let tenant = data.tenant_id();
    finish(app, tenant, txn, events, post, deliveries).await
}

/// The deliveries whose record changes: new ones, a new state, a new time to leave,
/// or (past DRAFT) new content under review.
fn moved(
    was: &post::Model,
    now: &post::Model,
    before: &[post_delivery::Model],
    after: &[post_delivery::Model],
) -> Vec<entity::ids::PostDeliveryId> {
    let old: HashMap<_, _> = before.iter().map(|d| (d.id, d)).collect();
    let content_changed = was.content_hash != now.content_hash;
    after
        .iter()
        .filter(|d| match old.get(&d.id) {
            None => true,
            Some(o) => o.status != d.status || o.due_at != d.due_at || content_changed,
        })
        .map(|d| d.id)
        .collect()
}

/// One event per moved delivery that is past DRAFT.
fn events(
    post: &post::Model,
    deliveries: &[post_delivery::Model],
    moved: &[entity::ids::PostDeliveryId],
    decision: &Decision,
    who: &Who,
) -> Vec<NewEvent> {
    deliveries
        .iter()
        .filter(|d| moved.contains(&d.id) && d.status != DeliveryState::Draft)
        .map(|d| NewEvent {
            integration_id: d.integration_id,
            kind: EventKind::Delivery,
            actor_id: who.user_id,
            from_status: None,
            to_status: None,
            reason: d.reason,
            note: decision.note.clone(),
            self_approval: decision.self_approval,
            request_id: who.request_id.clone(),
            delivery: Some(DeliveryFacts {
                post_id: post.id,
                status: d.status,
                content_hash: Some(post.content_hash.clone()),
                network_post_id: d.network_post_id.clone(),
                permalink: d.permalink.clone(),
            }),
        })
        .collect()
}

/// Announces the events, commits and publishes them with their integrations.
async fn finish(
    app: &App,
    tenant: entity::ids::TenantId,
    txn: sea_orm::DatabaseTransaction,
    events: Vec<integration_event::Model>,
    post: post::Model,
    deliveries: Vec<post_delivery::Model>,
) -> AppResult<Written> {
    wire::announce(&txn, &events).await?;
    let ids: Vec<_> = events.iter().map(|e| e.integration_id).collect();
    let integrations: HashMap<_, _> = Scoped::new(&txn, Scope::tenant(tenant))
        .integrations_by_ids(&ids)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let items = events
        .iter()
        .filter_map(|event| {
            let integration = integrations.get(&event.integration_id)?.clone();
            Some(FeedEvent {
                event: event.clone(),
                integration,
            })
        })
        .collect();
    crate::service::change::commit_and_publish(app, txn, items).await?;
    Ok(Written {
        post,
        deliveries,
        events,
    })
}
