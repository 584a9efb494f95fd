//! The feed behind `integrationStatusChanged` and `postDeliveryChanged`: every
//! transition (or every delivery's move) of the subscriber's scope, in sequence order,
//! exactly once, from `after` on.
//!
//! The cursor is the tenant's gapless audit sequence. A subscriber replays from the
//! database until it has read as far as its tenant's hub has handled, then joins the
//! hub, which follows the bus for every subscriber of the tenant and reads any gap in
//! it (a notice arrived early, was lost, or the hub lagged past the bus buffer) from
//! the database once for all of them. A subscriber that does not keep up leaves the
//! hub and replays again. So nothing is missed at the seam, nothing is repeated, a
//! slow subscriber's memory stays bounded, and an idle one is its filter and its queue.

mod hub;

use std::{
    collections::VecDeque,
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

use entity::{
    enums::{EventKind, Network, Status},
    ids::TenantId,
};
use tokio::sync::{mpsc, watch};

pub use self::hub::Feeds;
use self::hub::{Member, Membership, Refused};
use crate::{
    auth::Actor,
    domain::UserId,
    events::FeedEvent,
    service::App,
    store::{Scope, Store},
};

/// Events read from the database per round trip while catching up.
const PAGE: u64 = 500;
/// Events waiting for a subscriber before it leaves the hub and replays instead. A
/// hub catching up hands out a page at a time; tokio allocates a queue's slots 32 at
/// a time as they fill, so an idle subscription holds only the first 32.
const QUEUE: usize = PAGE as usize;

/// Which changes a subscriber wants; empty means any.
#[derive(Debug, Clone, Default)]
pub struct FeedFilter {
    pub networks: Vec<Network>,
    pub statuses: Vec<Status>,
    pub owner_id: Option<UserId>,
    /// Post deliveries moving instead of integrations' status changes.
    pub deliveries: bool,
}

/// Whether a reader with `scope` (`None`: the whole tenant) and `filter` sees `item`.
fn visible(scope: Option<UserId>, filter: &FeedFilter, item: &FeedEvent) -> bool {
    let (event, integration) = (&item.event, &item.integration);
    let kind = match filter.deliveries {
        true => EventKind::Delivery,
        false => EventKind::Transition,
    };
    event.kind == kind
        && scope.is_none_or(|user| user == integration.owner_id)
        && (filter.networks.is_empty() || filter.networks.contains(&integration.network))
        && (filter.statuses.is_empty()
            || event
                .to_status
                .is_some_and(|s| filter.statuses.contains(&s)))
        && filter.owner_id.is_none_or(|o| o == integration.owner_id)
}

/// One subscriber's feed: replayed from the database until it has caught up with its
/// tenant's hub, then served by the hub until it falls behind again.
pub struct Feed {
    store: Store,
    tenant: TenantId,
    membership: Membership,
    scope: Option<UserId>,
    filter: Arc<FeedFilter>,
    /// The newest sequence handled for this subscriber (shared with the hub while
    /// live).
    last: Arc<AtomicI64>,
    /// Replayed events not yet taken.
    replayed: VecDeque<Arc<FeedEvent>>,
    live: Option<mpsc::Receiver<Arc<FeedEvent>>>,
    shutdown: watch::Receiver<bool>,
    /// What the tenant's replays may read a second (see [`super::replay`]).
    budget: super::replay::ReplayBudget,
}

impl Feed {
    /// The next event the subscriber may see; `None` when the server shuts down.
    pub async fn next(&mut self) -> Option<Arc<FeedEvent>> {
        loop {
            if let Some(item) = self.replayed.pop_front() {
                return Some(item);
            }
            // A replay of many events leaves a large buffer; an idle subscription
            // keeps none.
            if self.replayed.capacity() > 0 {
                self.replayed = VecDeque::new();
            }
            if *self.shutdown.borrow() {
                return None;
            }
            if let Some(live) = &mut self.live {
                match live.recv().await {
                    Some(item) => return Some(item),
                    // The hub let go (this subscriber fell behind, or the server is
                    // shutting down): everything queued has been taken.
                    None => self.live = None,
                }
                continue;
            }
            // What was replayed is taken before anything the hub queues.
            if self.replay().await? {
                self.go_live()?;
            }
        }
    }

    /// Reads the next page after `last`; whether it reached the newest event. Retries
    /// while the database is away; `None` at shutdown.
    async fn replay(&mut self) -> Option<bool> {
        let mut backoff = Duration::from_millis(100);
        loop {
            let from = self.last.load(Ordering::SeqCst);
            // Boxed: an idle subscription's future would otherwise carry the
            // database call's state.
            let read = Box::pin(async {
                self.store
                    .tenant(Scope::tenant(self.tenant))
                    .feed_after(from, PAGE)
                    .await
            });
            match read.await {
                Ok(page) => {
                    // Charged once it fits the budget, waiting until it does.
                    let mut wait = self.budget.spend(self.tenant, page.events.len());
                    while !wait.is_zero() {
                        tokio::select! {
                            _ = tokio::time::sleep(wait) => {}
                            _ = self.shutdown.wait_for(|down| *down) => return None,
                        }
                        wait = self.budget.spend(self.tenant, page.events.len());
                    }
                    for item in page.events {
                        if visible(self.scope, &self.filter, &item) {
                            self.replayed.push_back(Arc::new(item));
                        }
                    }
                    if let Some(scanned) = page.scanned {
                        self.last.store(scanned, Ordering::SeqCst);
                    }
                    return Some(!page.full);
                }
                Err(error) => {
                    tracing::warn!(%error, "feed catch-up failed; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = self.shutdown.wait_for(|down| *down) => return None,
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
            }
        }
    }

    /// Joins the hub; `None` when it has closed (shutdown). Further behind the hub
    /// than it keeps, it stays off and the next turn reads on.
    fn go_live(&mut self) -> Option<()> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let member = Member {
            scope: self.scope,
            filter: self.filter.clone(),
            last: self.last.clone(),
            tx,
        };
        match self.membership.join(member) {
            Ok(()) => self.live = Some(rx),
            Err(Refused::Behind) => {}
            Err(Refused::Closed) => return None,
        }
        Some(())
    }
}

/// Starts a feed for `actor` from `after` (a sequence number; now when absent).
pub async fn follow(
    app: &App,
    actor: &Actor,
    filter: FeedFilter,
    after: Option<i64>,
) -> crate::error::AppResult<Feed> {
    // Join before reading the head, so the hub hears of everything committed after it.
    let membership = app.feeds.join(app, actor.tenant_id);
    let store = app.store.clone();
    let head = store
        .tenant(Scope::tenant(actor.tenant_id))
        .tenant()
        .await?
        .chain_seq;
    let last = match after {
        Some(seq) if !(0..=head).contains(&seq) => {
            return Err(crate::error::AppError::BadUserInput(format!(
                "cursor {seq} is not one of this feed's (the newest is {head})"
            )));
        }
        Some(seq) => seq,
        None => head,
    };
    Ok(Feed {
        store,
        tenant: actor.tenant_id,
        membership,
        scope: (!actor.sees_tenant()).then_some(actor.user_id),
        filter: Arc::new(filter),
        last: Arc::new(AtomicI64::new(last)),
        replayed: VecDeque::new(),
        live: None,
        shutdown: app.shutdown.subscribe(),
        budget: app.replay.clone(),
    })
}
