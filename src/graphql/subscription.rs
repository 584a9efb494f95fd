//! Subscription root: `integrationStatusChanged` and `postDeliveryChanged`.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use async_graphql::{Context, ErrorExtensions, InputObject, Object, ResultExt, Subscription};
use chrono::{DateTime, Utc};
use futures_util::Stream;

use super::{
    context::ContextExt,
    shared::{StatusChange, View},
    types::{
        Integration, User,
        audit::AuditEvent,
        enums::{IntegrationStatus, Network, StatusReason},
    },
};
use crate::{
    error::AppError,
    events::FeedEvent,
    graphql::ids::UserGid,
    service::feed::{self, FeedFilter},
};

/// Most subscriptions one WebSocket connection may hold.
pub const MAX_PER_CONNECTION: usize = 20;

/// Subscriptions open on this connection (connection data).
#[derive(Default, Clone)]
pub struct SubscriptionSlots(pub Arc<AtomicUsize>);

/// Frees its slot when the subscription's stream is dropped (and counts it meanwhile).
struct SlotGuard {
    slots: Arc<AtomicUsize>,
    _counted: crate::metrics::ActiveSubscription,
}

impl Drop for SlotGuard {
    fn drop(&mut self) {
        self.slots.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Which status changes to receive; omitted fields do not narrow.
#[derive(InputObject, Default, Debug)]
pub struct StatusChangeFilter {
    pub networks: Option<Vec<Network>>,
    pub statuses: Option<Vec<IntegrationStatus>>,
    /// Only this owner's integrations (a `User` id).
    pub owner: Option<UserGid>,
}

/// One status change.
pub struct StatusChangeEvent(pub Arc<FeedEvent>);

#[Object]
impl StatusChangeEvent {
    /// Pass it as `after` to resume right after this event.
    async fn cursor(&self) -> String {
        self.0.event.seq.to_string()
    }
    /// The tenant-wide, gapless sequence number of the change.
    async fn sequence(&self) -> i64 {
        self.0.event.seq
    }
    /// The integration as it is now.
    async fn integration(&self) -> Integration {
        Integration(self.0.integration.clone())
    }
    async fn previous_status(&self) -> Option<IntegrationStatus> {
        self.0.event.from_status.map(Into::into)
    }
    async fn status(&self) -> Option<IntegrationStatus> {
        self.0.event.to_status.map(Into::into)
    }
    async fn reason(&self) -> Option<StatusReason> {
        self.0.event.reason.map(Into::into)
    }
    /// Who caused it; null for the system (expiry, the network).
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.0.event.actor_id {
            Some(id) => Ok(Some(ctx.user(id).await?)),
            None => Ok(None),
        }
    }
    async fn note(&self) -> Option<&str> {
        self.0.event.note.as_deref()
    }
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.event.occurred_at
    }
}

/// One delivery of a post moving: held, published, failed…
pub struct DeliveryChangeEvent(pub Arc<FeedEvent>);

#[Object]
impl DeliveryChangeEvent {
    /// Pass it as `after` to resume right after this event.
    async fn cursor(&self) -> String {
        self.0.event.seq.to_string()
    }
    /// The account the delivery goes to, as it is now.
    async fn integration(&self) -> Integration {
        Integration(self.0.integration.clone())
    }
    /// The audit event: the post, the delivery's new status, its reason, the network's
    /// id and link once published, who acted.
    async fn event(&self) -> AuditEvent {
        AuditEvent(self.0.event.clone())
    }
}

/// `after` as a sequence number.
fn cursor(after: Option<String>) -> async_graphql::Result<Option<i64>> {
    after
        .map(|a| {
            a.trim()
                .parse::<i64>()
                .map_err(|_| AppError::BadUserInput(format!("{a:?} is not a cursor")))
        })
        .transpose()
        .extend()
}

/// Takes one of the connection's subscription slots, or refuses.
fn slot(ctx: &Context<'_>) -> async_graphql::Result<SlotGuard> {
    let slots = ctx
        .data::<SubscriptionSlots>()
        .map(|s| s.0.clone())
        .unwrap_or_default();
    if slots.fetch_add(1, Ordering::SeqCst) >= MAX_PER_CONNECTION {
        slots.fetch_sub(1, Ordering::SeqCst);
        return Err(AppError::RateLimited(format!(
            "at most {MAX_PER_CONNECTION} subscriptions per connection"
        ))
        .extend());
    }
    Ok(SlotGuard {
        slots,
        _counted: crate::metrics::ActiveSubscription::count(),
    })
}

#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription]
impl SubscriptionRoot {
    /// Every status change the viewer may see (advisors: their own integrations;
    /// compliance and admins: the tenant's), in commit order, exactly once. With
    /// `after` (a `cursor`), the changes since then come first, with no gap and no
    /// duplicate at the seam.
    async fn integration_status_changed(
        &self,
        ctx: &Context<'_>,
        filter: Option<StatusChangeFilter>,
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = StatusChange> + use<>> {
        let app = ctx.app()?.clone();
        // The resolver's future stays allocated for as long as the subscription lives
        // (async-graphql keeps it in place of the stream it returns): what it awaits
        // only once is boxed, so an idle subscription does not carry it.
        let actor = Box::pin(ctx.actor()).await?.clone();
        let view = View::of(ctx, &actor);
        let filter = filter.unwrap_or_default();
        let after = cursor(after)?;
        let feed_filter = FeedFilter {
            networks: filter
                .networks
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            statuses: filter
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            owner_id: filter.owner.map(|owner| owner.0),
            deliveries: false,
        };
        let guard = slot(ctx)?;
        let feed = Box::pin(feed::follow(&app, &actor, feed_filter, after))
            .await
            .extend()?;
        Ok(futures_util::stream::unfold(
            (feed, guard),
            move |(mut feed, guard)| async move {
                feed.next()
                    .await
                    .map(|event| (StatusChange { event, view }, (feed, guard)))
            },
        ))
    }

    /// Every move of a post's delivery the viewer may see (advisors: to their own
    /// accounts; compliance and admins: the tenant's): scheduled, held with the
    /// reason, published with its link, failed, uncertain. Ordered, exactly once and
    /// resumable with `after` like `integrationStatusChanged`, on the same cursor.
    async fn post_delivery_changed(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = DeliveryChangeEvent> + use<>> {
        let app = ctx.app()?.clone();
        let actor = Box::pin(ctx.actor()).await?.clone();
        let after = cursor(after)?;
        let filter = FeedFilter {
            deliveries: true,
            ..FeedFilter::default()
        };
        let guard = slot(ctx)?;
        let feed = Box::pin(feed::follow(&app, &actor, filter, after))
            .await
            .extend()?;
        Ok(futures_util::stream::unfold(
            (feed, guard),
            |(mut feed, guard)| async move {
                feed.next()
                    .await
                    .map(|event| (DeliveryChangeEvent(event), (feed, guard)))
            },
        ))
    }
}
