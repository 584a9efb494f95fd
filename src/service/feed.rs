//! The status-change feed behind `integrationStatusChanged`: every transition of the
//! subscriber's scope, in sequence order, exactly once, from `after` on.
//!
//! The cursor is the tenant's gapless audit sequence. A subscriber replays from the
//! database first, then follows the bus; whenever a notice is not the next number (a
//! notice arrived early, was lost, or the subscriber lagged past the bus buffer) it
//! reads the gap from the database. So nothing is missed at the seam, nothing is
//! repeated, and a slow subscriber's memory stays bounded.

use std::{sync::Arc, time::Duration};

use entity::enums::{EventKind, Network, Status};
use tokio::sync::{broadcast::error::RecvError, mpsc};

use crate::{
    app::App,
    auth::Actor,
    domain::UserId,
    events::{FeedEvent, Notice},
    store::{Scope, Store},
};

/// Events read from the database per round trip while catching up.
const PAGE: u64 = 500;
/// Events waiting for a subscriber before the feed stops reading the bus.
const QUEUE: usize = 64;

/// Which status changes a subscriber wants; empty means any.
#[derive(Debug, Clone, Default)]
pub struct FeedFilter {
    pub networks: Vec<Network>,
    pub statuses: Vec<Status>,
    pub owner_id: Option<UserId>,
}

fn visible(actor: &Actor, filter: &FeedFilter, item: &FeedEvent) -> bool {
    let (event, integration) = (&item.event, &item.integration);
    event.kind == EventKind::Transition
        && event.tenant_id == actor.tenant_id
        && (actor.sees_tenant() || integration.owner_id == actor.user_id)
        && (filter.networks.is_empty() || filter.networks.contains(&integration.network))
        && (filter.statuses.is_empty()
            || event
                .to_status
                .is_some_and(|s| filter.statuses.contains(&s)))
        && filter.owner_id.is_none_or(|o| o == integration.owner_id)
}

struct Follower {
    store: Store,
    actor: Actor,
    filter: FeedFilter,
    last: i64,
    tx: mpsc::Sender<Arc<FeedEvent>>,
}

impl Follower {
    /// Sends `item` if the subscriber may see it; false when the subscriber is gone.
    async fn offer(&mut self, item: Arc<FeedEvent>) -> bool {
        self.last = item.event.seq;
        if !visible(&self.actor, &self.filter, &item) {
            return true;
        }
        self.tx.send(item).await.is_ok()
    }

    /// Reads everything after `last` from the database; retries while it is away.
    async fn catch_up(&mut self) -> bool {
        let mut backoff = Duration::from_millis(100);
        loop {
            match self
                .store
                .tenant(Scope::tenant(self.actor.tenant_id))
                .feed_after(self.last, PAGE)
                .await
            {
                Ok(page) => {
                    let full = page.len() as u64 == PAGE;
                    for item in page {
                        if !self.offer(Arc::new(item)).await {
                            return false;
                        }
                    }
                    if !full {
                        return true;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "feed catch-up failed; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = self.tx.closed() => return false,
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
            }
        }
    }

    async fn run(
        mut self,
        mut rx: tokio::sync::broadcast::Receiver<Notice>,
        mut shutdown: tokio::sync::watch::Receiver<bool>,
    ) {
        if !self.catch_up().await {
            return;
        }
        loop {
            let notice = tokio::select! {
                n = rx.recv() => n,
                _ = self.tx.closed() => return,
                _ = shutdown.changed() => return,
            };
            let alive = match notice {
                Ok(Notice::Event(item)) if item.event.tenant_id == self.actor.tenant_id => {
                    if item.event.seq <= self.last {
                        true
                    } else if item.event.seq == self.last + 1 {
                        self.offer(item).await
                    } else {
                        self.catch_up().await
                    }
                }
                Ok(Notice::Event(_)) => true,
                Ok(Notice::Resync) | Err(RecvError::Lagged(_)) => self.catch_up().await,
                Err(RecvError::Closed) => return,
            };
            if !alive {
                return;
            }
        }
    }
}

/// Starts a feed for `actor` from `after` (a sequence number; now when absent).
pub async fn follow(
    app: &App,
    actor: Actor,
    filter: FeedFilter,
    after: Option<i64>,
    shutdown: tokio::sync::watch::Receiver<bool>,
) -> crate::error::AppResult<mpsc::Receiver<Arc<FeedEvent>>> {
    // Subscribe before reading the head, so nothing committed in between is lost.
    let rx = app.bus.subscribe();
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
    let (tx, out) = mpsc::channel(QUEUE);
    let follower = Follower {
        store,
        actor,
        filter,
        last,
        tx,
    };
    tokio::spawn(follower.run(rx, shutdown));
    Ok(out)
}
