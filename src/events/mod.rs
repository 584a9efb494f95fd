//! The event bus: committed audit events fan out to subscriptions. It lives beside
//! the store, in the application state; the store never publishes.
//!
//! Every commit publishes its events in-process right away. On PostgreSQL each event is
//! also announced with NOTIFY inside its transaction (delivered at commit, in commit
//! order), and every instance's [`listener`] reads announced events from the table and
//! publishes them too, so instances behind one load balancer behave as one.
//! Notices are hints: subscribers track the gapless per-tenant sequence and read any
//! gap from the database, so a lost, late or duplicate notice costs nothing.

pub mod listener;
pub mod wire;

use std::sync::Arc;

use entity::ids::TenantId;
use tokio::sync::{broadcast, watch};

pub use crate::store::events::FeedEvent;

/// How many notices a slow subscriber may fall behind before it replays from the
/// database instead (its memory stays bounded).
pub const BUFFER: usize = 1024;

/// What the bus carries.
#[derive(Debug, Clone)]
pub enum Notice {
    Event(Arc<FeedEvent>),
    /// Announcements may have been lost (the listener reconnected): read from the
    /// database.
    Resync,
}

/// In-process fan-out; cheap to clone.
#[derive(Debug, Clone)]
pub struct EventBus {
    tx: broadcast::Sender<Notice>,
    /// The last announcement (tenant and sequence) the PostgreSQL listener has read
    /// and republished. Announcements arrive in commit order, so this says how far
    /// the listener has caught up.
    relayed: Arc<watch::Sender<Option<(TenantId, i64)>>>,
    /// How many times the PostgreSQL listener has started listening (and told
    /// everyone to read what they may have missed).
    listening: Arc<watch::Sender<u64>>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus {
            tx: broadcast::channel(BUFFER).0,
            relayed: Arc::new(watch::channel(None).0),
            listening: Arc::new(watch::channel(0).0),
        }
    }
}

impl EventBus {
    pub fn publish(&self, notice: Notice) {
        // No receiver is fine: nobody is subscribed.
        let _ = self.tx.send(notice);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.tx.subscribe()
    }

    /// Records that the listener handled the announcement of `seq` of `tenant`.
    pub fn mark_relayed(&self, tenant: TenantId, seq: i64) {
        self.relayed.send_replace(Some((tenant, seq)));
    }

    /// Records that the listener is listening again, after remembered callers were
    /// forgotten and subscribers told to resynchronise.
    pub fn mark_listening(&self) {
        self.listening.send_modify(|times| *times += 1);
    }

    /// Watches how many times the listener has started listening.
    pub fn listening(&self) -> watch::Receiver<u64> {
        self.listening.subscribe()
    }

    /// Watches the last announcement the listener handled.
    pub fn relayed(&self) -> watch::Receiver<Option<(TenantId, i64)>> {
        self.relayed.subscribe()
    }
}
