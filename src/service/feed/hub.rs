//! One reader of the bus per tenant with subscribers, handing each event to the
//! subscriptions that may see it.
//!
//! A dashboard fleet holds thousands of subscriptions per tenant. When each had a task
//! of its own receiving every notice of the bus, an event cost a wake-up per
//! subscription, and an idle one held a task, a bus receiver and a queue. Now a
//! tenant's hub is the only task that reads the bus for it; a caught-up subscription
//! is a [`Member`] (its filter, how far it has read, its queue's sender), and a
//! delivery is a filter check and a non-blocking push.
//!
//! The hub never waits for a subscriber. One whose queue is full leaves the hub; its
//! stream drains what was queued and reads on from the database until it has caught
//! up, then joins again. The hub reads from the database only when the bus skipped (a
//! notice arrived early or was lost, or the hub lagged), once for all its members.

use std::{
    collections::{HashMap, VecDeque},
    sync::{
        Arc, Mutex, MutexGuard,
        atomic::{AtomicI64, AtomicUsize, Ordering},
    },
    time::Duration,
};

use entity::ids::TenantId;
use tokio::sync::{
    Notify,
    broadcast::{self, error::RecvError},
    mpsc, watch,
};

use super::{FeedFilter, PAGE, visible};
use crate::{
    domain::UserId,
    events::{FeedEvent, Notice},
    service::App,
    store::{Scope, Store},
};

/// A subscription that has caught up: what the hub needs to serve it.
pub(super) struct Member {
    /// Whose integrations it sees; `None` for the whole tenant.
    pub scope: Option<UserId>,
    pub filter: Arc<FeedFilter>,
    /// The newest sequence handled for it (delivered or filtered out), shared with its
    /// stream, which resumes from here when it leaves the hub.
    pub last: Arc<AtomicI64>,
    pub tx: mpsc::Sender<Arc<FeedEvent>>,
}

/// Recent events a hub keeps for subscriptions that are about to join.
const RECENT: usize = 32;

/// Why a subscription could not join.
pub(super) enum Refused {
    /// The hub has handled events the subscription has not read yet.
    Behind,
    /// The server is shutting down.
    Closed,
}

#[derive(Default)]
struct State {
    /// The newest sequence the hub has handled; members join only once they have read
    /// at least this far. `None` until the hub has seen an event or a member (the
    /// first member sets it to how far it has read).
    last: Option<i64>,
    live: Vec<Member>,
    /// The newest events handled, so a subscription that read from the database a
    /// moment before the hub moved on joins without another read.
    recent: VecDeque<Arc<FeedEvent>>,
    /// Members whose streams were dropped leave their entry behind until an event
    /// or this many entries at a join sweeps them out.
    sweep_at: usize,
    /// Notices were lost before the hub knew where it stood: the first member to join
    /// sets that, and the hub then reads what it missed.
    stale: bool,
    closed: bool,
}

pub(super) struct Hub {
    tenant: TenantId,
    state: Mutex<State>,
    /// Streams holding a [`Membership`], live or catching up.
    members: AtomicUsize,
    empty: Notify,
    /// Wakes the hub to read from the database (see [`State::stale`]).
    resync: Notify,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The hubs of the tenants that have subscriptions (application state).
#[derive(Default, Clone)]
pub struct Feeds {
    hubs: Arc<Mutex<HashMap<TenantId, Arc<Hub>>>>,
}

impl std::fmt::Debug for Feeds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feeds")
            .field("tenants", &lock(&self.hubs).len())
            .finish()
    }
}

impl Feeds {
    /// Holds `tenant`'s hub for a subscription, starting it if needed. The hub reads
    /// the bus from this moment, so a subscription that reads the database after
    /// joining misses nothing committed in between.
    pub(super) fn join(&self, app: &App, tenant: TenantId) -> Membership {
        let mut hubs = lock(&self.hubs);
        let hub = hubs
            .entry(tenant)
            .or_insert_with(|| {
                let hub = Arc::new(Hub {
                    tenant,
                    state: Mutex::new(State::default()),
                    members: AtomicUsize::new(0),
                    empty: Notify::new(),
                    resync: Notify::new(),
                });
                tokio::spawn(hub.clone().run(
                    self.clone(),
                    app.store.clone(),
                    app.bus.subscribe(),
                    app.shutdown.subscribe(),
                ));
                hub
            })
            .clone();
        hub.members.fetch_add(1, Ordering::SeqCst);
        Membership { hub }
    }

    /// Ends `hub` if no subscription holds it any more (checked under the same lock
    /// [`Feeds::join`] counts under, so a joining subscription is never left alone).
    fn retire(&self, hub: &Arc<Hub>) -> bool {
        let mut hubs = lock(&self.hubs);
        if hub.members.load(Ordering::SeqCst) > 0 {
            return false;
        }
        if hubs.get(&hub.tenant).is_some_and(|h| Arc::ptr_eq(h, hub)) {
            hubs.remove(&hub.tenant);
        }
        hub.close();
        true
    }

    /// Tenants with a hub running.
    pub fn tenants(&self) -> usize {
        lock(&self.hubs).len()
    }
}

/// A subscription's hold on its tenant's hub, live or catching up; the hub ends when
/// the last one is dropped.
pub(super) struct Membership {
    hub: Arc<Hub>,
}

impl Drop for Membership {
    fn drop(&mut self) {
        if self.hub.members.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.hub.empty.notify_one();
        }
    }
}

impl Membership {
    /// Makes `member` live if it has read as far as the hub has handled, or nearly:
    /// what it has not read yet is queued for it from the hub's recent events.
    pub(super) fn join(&self, member: Member) -> Result<(), Refused> {
        let mut state = lock(&self.hub.state);
        if state.closed {
            return Err(Refused::Closed);
        }
        let read = member.last.load(Ordering::SeqCst);
        match state.last {
            Some(last) if read < last => {
                let reaches = state
                    .recent
                    .front()
                    .is_some_and(|oldest| oldest.event.seq <= read + 1);
                if !reaches {
                    return Err(Refused::Behind);
                }
                // Its position moves only once everything is queued: refused, it
                // reads the same events again from the database.
                for item in state.recent.iter().filter(|i| i.event.seq > read) {
                    if visible(member.scope, &member.filter, item)
                        && member.tx.try_send(item.clone()).is_err()
                    {
                        return Err(Refused::Behind);
                    }
                }
                member.last.store(last, Ordering::SeqCst);
            }
            Some(_) => {}
            None => {
                state.last = Some(read);
                if std::mem::take(&mut state.stale) {
                    self.hub.resync.notify_one();
                }
            }
        }
        if state.live.len() >= state.sweep_at {
            state.live.retain(|m| !m.tx.is_closed());
            state.sweep_at = (state.live.len() * 2).max(64);
        }
        state.live.push(member);
        Ok(())
    }
}

/// Hands `item` to every live member that has handled everything before it; one
/// whose queue is full, or that is behind, leaves and catches up on its own.
fn deliver(state: &mut State, item: &Arc<FeedEvent>) {
    let seq = item.event.seq;
    let Some(handled) = state.last else {
        return;
    };
    state.live.retain(|member| {
        let read = member.last.load(Ordering::SeqCst);
        if read >= seq {
            return true;
        }
        if read < handled || member.tx.is_closed() {
            return false;
        }
        if visible(member.scope, &member.filter, item) && member.tx.try_send(item.clone()).is_err()
        {
            return false;
        }
        member.last.store(seq, Ordering::SeqCst);
        true
    });
    if state.recent.len() == RECENT {
        state.recent.pop_front();
    }
    state.recent.push_back(item.clone());
    state.last = Some(seq);
}

/// Moves the hub and its caught-up members past `seq` when the database had events
/// up to it that no one may see (their integration row is missing).
fn pass(state: &mut State, seq: i64) {
    let Some(handled) = state.last.filter(|last| *last < seq) else {
        return;
    };
    for member in &state.live {
        let read = member.last.load(Ordering::SeqCst);
        if read >= handled && read < seq {
            member.last.store(seq, Ordering::SeqCst);
        }
    }
    // The recent events would no longer end where the hub stands.
    state.recent.clear();
    state.last = Some(seq);
}

impl Hub {
    fn close(&self) {
        let mut state = lock(&self.state);
        state.closed = true;
        // Dropping the senders ends the live streams once they have drained.
        state.live.clear();
    }

    /// Handles a notice of this tenant; `false` when the bus skipped and the hub must
    /// read from the database.
    fn notice(&self, item: Arc<FeedEvent>) -> bool {
        let seq = item.event.seq;
        let mut state = lock(&self.state);
        let Some(handled) = state.last else {
            // Nobody has joined yet: whoever does reads the database this far first.
            // Notices lost before this one may have been of later events: read on.
            state.last = Some(seq);
            return !std::mem::take(&mut state.stale);
        };
        if seq <= handled {
            true
        } else if seq == handled + 1 {
            deliver(&mut state, &item);
            true
        } else {
            false
        }
    }

    /// Notices were lost; `false` when the hub must read from the database now.
    fn lost(&self) -> bool {
        let mut state = lock(&self.state);
        if state.last.is_none() {
            state.stale = true;
            return true;
        }
        false
    }

    /// Reads and delivers everything after what the hub handled; `false` at shutdown.
    async fn catch_up(&self, store: &Store, shutdown: &mut watch::Receiver<bool>) -> bool {
        let mut backoff = Duration::from_millis(100);
        loop {
            let Some(from) = lock(&self.state).last else {
                return true;
            };
            match store
                .tenant(Scope::tenant(self.tenant))
                .feed_after(from, PAGE)
                .await
            {
                Ok(page) => {
                    let mut state = lock(&self.state);
                    for item in page.events {
                        if state.last.is_some_and(|last| item.event.seq > last) {
                            deliver(&mut state, &Arc::new(item));
                        }
                    }
                    if let Some(scanned) = page.scanned {
                        pass(&mut state, scanned);
                    }
                    if !page.full {
                        return true;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, tenant = %self.tenant, "feed catch-up failed; retrying");
                    tokio::select! {
                        _ = tokio::time::sleep(backoff) => {}
                        _ = shutdown.wait_for(|down| *down) => return false,
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
            }
        }
    }

    async fn run(
        self: Arc<Self>,
        feeds: Feeds,
        store: Store,
        mut bus: broadcast::Receiver<Notice>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        // However the task ends, the hub is closed and forgotten, so no subscription
        // waits on it and the next one starts another.
        let _ending = Ending {
            hub: self.clone(),
            feeds: feeds.clone(),
        };
        loop {
            let notice = tokio::select! {
                notice = bus.recv() => notice,
                () = self.empty.notified() => {
                    if feeds.retire(&self) {
                        return;
                    }
                    continue;
                }
                () = self.resync.notified() => Ok(Notice::Resync),
                _ = shutdown.wait_for(|down| *down) => break,
            };
            let current = match notice {
                Ok(Notice::Event(item)) if item.event.tenant_id == self.tenant => self.notice(item),
                Ok(Notice::Event(_)) => true,
                Ok(Notice::Resync) | Err(RecvError::Lagged(_)) => self.lost(),
                Err(RecvError::Closed) => break,
            };
            if !current && !self.catch_up(&store, &mut shutdown).await {
                break;
            }
        }
    }
}

/// Closes a hub and takes it out of [`Feeds`] when its task ends, even by a panic.
struct Ending {
    hub: Arc<Hub>,
    feeds: Feeds,
}

impl Drop for Ending {
    fn drop(&mut self) {
        let mut hubs = lock(&self.feeds.hubs);
        if hubs
            .get(&self.hub.tenant)
            .is_some_and(|h| Arc::ptr_eq(h, &self.hub))
        {
            hubs.remove(&self.hub.tenant);
        }
        drop(hubs);
        self.hub.close();
    }
}
