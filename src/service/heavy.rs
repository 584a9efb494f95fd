//! Expensive requests run on a bounded pool of their own, shared fairly between
//! tenants.
//!
//! The per-tenant limits ([`super::limits`]) count requests, and a request is cheap or
//! expensive whatever the count says: four audit exports of one tenant kept both cores
//! of a small server busy while another tenant's one-line query waited its turn at
//! every step. So requests that ask for an expensive field (a whole-chain walk, the
//! digest preview, coverage) or whose validated complexity is high take a place here
//! before they run: at most `heavy_slots` of them run at once on the whole instance
//! (by default one fewer than the processors, at least one), so cheap requests always
//! find a processor. When a place frees, it goes to the waiting tenant with the fewest
//! expensive requests running, then the one served least recently: a tenant that
//! sends thirty exports waits behind its own, not in front of everybody else's one.
//!
//! A request waits at most `tenant_queue_ms` for a place, and a tenant has at most
//! [`QUEUE_PER_TENANT`] waiting; beyond either it is refused with `RATE_LIMITED`.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::Duration,
};

use tokio::sync::oneshot;

use crate::error::AppError;

/// Most expensive requests of one tenant that may wait for a place.
pub const QUEUE_PER_TENANT: usize = 8;

/// One waiting request: its tenant, the order it came in, and where to hand it the
/// place.
struct Waiter {
    tenant: String,
    ticket: u64,
    wake: oneshot::Sender<()>,
}

#[derive(Default)]
struct State {
    running: usize,
    per_tenant: HashMap<String, usize>,
    waiting: VecDeque<Waiter>,
    tickets: u64,
    /// Places granted so far, and the number of the last one each tenant with
    /// requests running or waiting got: the least recently served goes first.
    grants: u64,
    served: HashMap<String, u64>,
}

impl State {
    fn grant(&mut self, tenant: &str) {
        self.grants += 1;
        *self.per_tenant.entry(tenant.to_owned()).or_default() += 1;
        self.served.insert(tenant.to_owned(), self.grants);
    }

    /// Forgets what `tenant` no longer has: a running count of 0, and its last grant
    /// once nothing of it runs or waits.
    fn settle(&mut self, tenant: &str) {
        if self.per_tenant.get(tenant) == Some(&0) {
            self.per_tenant.remove(tenant);
        }
        if !self.per_tenant.contains_key(tenant) && !self.waiting.iter().any(|w| w.tenant == tenant)
        {
            self.served.remove(tenant);
        }
    }
}

/// The pool of one instance.
pub struct HeavyPool {
    slots: usize,
    queue_wait: Duration,
    state: Mutex<State>,
}

impl std::fmt::Debug for HeavyPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeavyPool")
            .field("slots", &self.slots)
            .finish_non_exhaustive()
    }
}

/// A place in the pool, given back when dropped.
#[derive(Debug)]
pub struct HeavyPlace<'a> {
    pool: &'a HeavyPool,
    tenant: String,
}

impl Drop for HeavyPlace<'_> {
    fn drop(&mut self) {
        self.pool.release(&self.tenant);
    }
}

impl HeavyPool {
    /// A pool of `slots` places (0: no limit), where a request waits at most
    /// `queue_wait`.
    pub fn new(slots: usize, queue_wait: Duration) -> HeavyPool {
        HeavyPool {
            slots,
            queue_wait,
            state: Mutex::default(),
        }
    }

    /// Takes a place for an expensive request of `tenant`, waiting for one fairly.
    pub async fn enter(&self, tenant: &str) -> Result<Option<HeavyPlace<'_>>, AppError> {
        if self.slots == 0 {
            return Ok(None);
        }
        let wait = {
            let mut state = self.lock();
            if state.running < self.slots {
                state.running += 1;
                state.grant(tenant);
                None
            } else {
                let queued = state.waiting.iter().filter(|w| w.tenant == tenant).count();
                if queued >= QUEUE_PER_TENANT {
                    return Err(busy());
                }
                let (wake, woken) = oneshot::channel();
                state.tickets += 1;
                let ticket = state.tickets;
                state.waiting.push_back(Waiter {
                    tenant: tenant.to_owned(),
                    ticket,
                    wake,
                });
                Some((ticket, woken))
            }
        };
        let place = || HeavyPlace {
            pool: self,
            tenant: tenant.to_owned(),
        };
        let Some((ticket, woken)) = wait else {
            return Ok(Some(place()));
        };
        if let Ok(Ok(())) = tokio::time::timeout(self.queue_wait, woken).await {
            return Ok(Some(place()));
        }
        // Still queued: leave the queue. Handed a place in the meantime: give it back.
        let mut state = self.lock();
        let before = state.waiting.len();
        state.waiting.retain(|w| w.ticket != ticket);
        let was_queued = state.waiting.len() < before;
        state.settle(tenant);
        drop(state);
        if !was_queued {
            self.release(tenant);
        }
        Err(busy())
    }

    /// Expensive requests running now.
    pub fn running(&self) -> usize {
        self.lock().running
    }

    fn release(&self, tenant: &str) {
        let mut state = self.lock();
        if let Some(count) = state.per_tenant.get_mut(tenant) {
            *count = count.saturating_sub(1);
        }
        state.settle(tenant);
        // The place passes to the waiting tenant with the fewest running, then the
        // least recently served, then the oldest ticket; a waiter that gave up is
        // skipped.
        while let Some(next) = Self::next_waiter(&state) {
            let Some(waiter) = state.waiting.remove(next) else {
                break;
            };
            if waiter.wake.is_closed() {
                state.settle(&waiter.tenant);
                continue;
            }
            state.grant(&waiter.tenant);
            if waiter.wake.send(()).is_ok() {
                return;
            }
            // Gave up between the check and the send: undo and try the next.
            if let Some(count) = state.per_tenant.get_mut(&waiter.tenant) {
                *count = count.saturating_sub(1);
            }
            state.settle(&waiter.tenant);
        }
        state.running = state.running.saturating_sub(1);
    }

    fn next_waiter(state: &State) -> Option<usize> {
        state
            .waiting
            .iter()
            .enumerate()
            .min_by_key(|(_, w)| {
                let running = state.per_tenant.get(&w.tenant).copied().unwrap_or(0);
                let served = state.served.get(&w.tenant).copied().unwrap_or(0);
                (running, served, w.ticket)
            })
            .map(|(at, _)| at)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

fn busy() -> AppError {
    AppError::RateLimited(
        "too many expensive requests (audit walks and exports, digest previews, large \
         pages) are running or waiting; retry"
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_freed_place_goes_to_the_tenant_with_fewest_running() {
        let pool = HeavyPool::new(1, Duration::from_secs(5));
        let first = pool.enter("a").await.expect("a runs");
        let (order_tx, mut order) = tokio::sync::mpsc::unbounded_channel();
        let pool = &pool;
        let waiter = |tenant: &'static str| {
            let order_tx = order_tx.clone();
            async move {
                let place = pool.enter(tenant).await.expect("place");
                let _ = order_tx.send(tenant);
                tokio::time::sleep(Duration::from_millis(5)).await;
                drop(place);
            }
        };
        // Tenant a queues three more before b asks for one.
        let waiting = async {
            tokio::join!(waiter("a"), waiter("a"), waiter("a"), async {
                tokio::time::sleep(Duration::from_millis(10)).await;
                waiter("b").await
            })
        };
        let release = async {
            tokio::time::sleep(Duration::from_millis(30)).await;
            drop(first);
        };
        tokio::join!(waiting, release);
        let mut seen = Vec::new();
        while let Ok(t) = order.try_recv() {
            seen.push(t);
        }
        // a's first waiter had the oldest ticket, but b has none running: b first.
        assert_eq!(seen, vec!["b", "a", "a", "a"]);
        assert_eq!(pool.running(), 0);
    }

    #[tokio::test]
    async fn a_tenant_waits_at_most_its_queue_and_the_wait() {
        let pool = HeavyPool::new(1, Duration::from_millis(20));
        let _held = pool.enter("a").await.expect("a runs");
        let started = tokio::time::Instant::now();
        let refused = pool.enter("b").await.expect_err("no place within the wait");
        assert_eq!(refused.code(), crate::error::Code::RateLimited.as_str());
        assert!(started.elapsed() >= Duration::from_millis(20));
        assert_eq!(
            pool.lock().waiting.len(),
            0,
            "the refused waiter left the queue"
        );
        assert_eq!(pool.running(), 1);
    }
}
