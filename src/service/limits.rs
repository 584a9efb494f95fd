//! Fair sharing of one instance between tenants: how much of the server one caller may
//! take at a time.
//!
//! The query budget bounds what one request may cost; it says nothing of how many a
//! tenant sends. Without these limits, one tenant running expensive fields at full
//! concurrency made every other tenant's cheap query queue behind its work. So:
//!
//! - **Concurrency** ([`Limits::admit`]): each [`Caller`] (a tenant, or an anonymous
//!   client address) runs at most `tenant_concurrency` GraphQL requests at once; more
//!   wait briefly in a bounded queue, then are refused. Root fields run one after
//!   another (the query root is serial), so a request holds one pooled database
//!   connection at a time, except while one object's relations load side by side
//!   (owner, notes and history, at most three): the limit also bounds the database
//!   connections one tenant holds, and keeping it below the pool size leaves
//!   connections for everybody else.
//! - **Rate** ([`Limits::admit`]): a request budget per tenant and per anonymous
//!   address, kept by `governor`'s keyed GCRA limiters.
//!
//! (A verification or an export of the audit trail, which reads a tenant's whole
//! chain, also runs at most once at a time per tenant: [`super::walks`].)
//!
//! Memory stays bounded: a concurrency gate exists only while its caller has requests
//! running or waiting, and the rate limiters forget callers whose budget is full again
//! every [`RETAIN_EVERY`] checks.

use std::{
    collections::HashMap,
    fmt,
    net::IpAddr,
    num::NonZeroU32,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, AtomicUsize, Ordering},
    },
    time::Duration,
};

use governor::{DefaultKeyedRateLimiter, Quota, clock::Clock};
use tokio::sync::Semaphore;

use crate::{config::Config, error::AppError};

/// Most requests that may wait for a slot, per running slot: with the default of 4
/// running, 16 wait and the 21st is refused at once.
pub const QUEUE_PER_SLOT: usize = 4;
/// The rate limiters drop callers whose budget is full again every this many checks.
pub const RETAIN_EVERY: u64 = 1024;

/// Who a request counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Caller {
    /// A verified token's tenant (its `tenant_id` claim).
    Tenant(String),
    /// A client without a valid token, by address; IPv6 by its /64, which one
    /// subscriber usually holds whole.
    Address(IpAddr),
    /// A client without a valid token when the host did not say who connected (an
    /// embedding app serving without connect info): all such clients share one budget.
    Anonymous,
}

impl Caller {
    /// The caller behind `address`, with IPv6 addresses reduced to their /64.
    pub fn address(address: IpAddr) -> Caller {
        match address {
            IpAddr::V4(_) => Caller::Address(address),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Caller::Address(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    Caller::Address(IpAddr::V6(prefix.into()))
                }
            },
        }
    }
}

/// Why a request was not admitted, and when to try again.
#[derive(Debug)]
pub struct Refusal {
    /// `RATE_LIMITED`, with a message for the caller.
    pub error: AppError,
    /// How long the caller should wait before retrying.
    pub retry_after: Duration,
}

/// One caller's running requests and those waiting for a slot.
#[derive(Debug)]
struct Gate {
    slots: Semaphore,
    waiting: AtomicUsize,
}

/// The limits of one instance; one per [`App`](crate::service::App).
pub struct Limits {
    concurrency: usize,
    queue_wait: Duration,
    gates: Mutex<HashMap<Caller, Arc<Gate>>>,
    tenant_rate: Option<DefaultKeyedRateLimiter<String>>,
    anonymous_rate: Option<DefaultKeyedRateLimiter<Option<IpAddr>>>,
    checks: AtomicU64,
}

impl fmt::Debug for Limits {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Limits")
            .field("concurrency", &self.concurrency)
            .field("queue_wait", &self.queue_wait)
            .finish_non_exhaustive()
    }
}

/// A budget of `per_second` requests with bursts of twice as many; `None` when 0.
fn budget<K: Clone + Eq + std::hash::Hash>(per_second: u32) -> Option<DefaultKeyedRateLimiter<K>> {
    let rate = NonZeroU32::new(per_second)?;
    let burst = rate.saturating_mul(NonZeroU32::MIN.saturating_add(1));
    Some(DefaultKeyedRateLimiter::keyed(
        Quota::per_second(rate).allow_burst(burst),
    ))
}

impl Limits {
    /// The limits `config` asks for (`tenant_concurrency`, `tenant_queue_ms`,
    /// `tenant_rate`, `anonymous_rate`).
    pub fn new(config: &Config) -> Limits {
        Limits {
            concurrency: config.tenant_concurrency as usize,
            queue_wait: Duration::from_millis(config.tenant_queue_ms),
            gates: Mutex::default(),
            tenant_rate: budget(config.tenant_rate),
            anonymous_rate: budget(config.anonymous_rate),
            checks: AtomicU64::new(0),
        }
    }

    /// Admits one request of `caller`: within its rate budget, and with a slot among
    /// its concurrent requests (waiting for one up to `tenant_queue_ms`). The slot is
    /// given back when the returned [`Slot`] is dropped.
    pub async fn admit(&self, caller: &Caller) -> Result<Slot<'_>, Refusal> {
        self.check_rate(caller)?;
        self.enter(caller).await
    }

    /// Spends one request of `caller`'s rate budget (so does a subscription's start).
    pub fn check_rate(&self, caller: &Caller) -> Result<(), Refusal> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % RETAIN_EVERY == RETAIN_EVERY - 1 {
            if let Some(limiter) = &self.tenant_rate {
                limiter.retain_recent();
            }
            if let Some(limiter) = &self.anonymous_rate {
                limiter.retain_recent();
            }
        }
        let (refused, who) = match caller {
            Caller::Tenant(tenant) => match &self.tenant_rate {
                Some(limiter) => (
                    limiter
                        .check_key(tenant)
                        .err()
                        .map(|n| n.wait_time_from(limiter.clock().now())),
                    "this tenant",
                ),
                None => (None, ""),
            },
            Caller::Address(_) | Caller::Anonymous => match &self.anonymous_rate {
                Some(limiter) => {
                    let key = match caller {
                        Caller::Address(address) => Some(*address),
                        _ => None,
                    };
                    (
                        limiter
                            .check_key(&key)
                            .err()
                            .map(|n| n.wait_time_from(limiter.clock().now())),
                        "requests without a token from this address",
                    )
                }
                None => (None, ""),
            },
        };
        match refused {
            None => Ok(()),
            Some(wait) => Err(Refusal {
                error: AppError::RateLimited(format!(
                    "too many requests: {who} is over its request rate; retry after the \
                     time in Retry-After"
                )),
                retry_after: wait,
            }),
        }
    }

    /// Takes one of `caller`'s concurrent slots, waiting in a bounded queue.
    async fn enter(&self, caller: &Caller) -> Result<Slot<'_>, Refusal> {
        if self.concurrency == 0 {
            return Ok(Slot { hold: None });
        }
        let Some(gate) = self.gate(caller) else {
            return Err(self.busy("the limits are unavailable"));
        };
        // From here on, however this ends (admitted, refused, or the request dropped
        // while it waits), the hold forgets the gate once nobody uses it.
        let hold = Hold {
            limits: self,
            caller: caller.clone(),
            gate,
        };
        let gate = &hold.gate;
        // A taken permit is forgotten at once and given back by `Slot`'s drop.
        let admitted = match gate.slots.try_acquire() {
            Ok(permit) => {
                permit.forget();
                true
            }
            Err(_) if gate.waiting.load(Ordering::Relaxed) >= self.concurrency * QUEUE_PER_SLOT => {
                false
            }
            Err(_) => {
                let _queued = Queued::join(&gate.waiting);
                match tokio::time::timeout(self.queue_wait, gate.slots.acquire()).await {
                    Ok(Ok(permit)) => {
                        permit.forget();
                        true
                    }
                    Ok(Err(_)) | Err(_) => false,
                }
            }
        };
        if !admitted {
            return Err(self.busy(&format!(
                "more than {} requests of this caller are running",
                self.concurrency
            )));
        }
        Ok(Slot { hold: Some(hold) })
    }

    /// `caller`'s gate, made on its first request in flight.
    fn gate(&self, caller: &Caller) -> Option<Arc<Gate>> {
        let mut gates = self.gates.lock().ok()?;
        let gate = gates.entry(caller.clone()).or_insert_with(|| {
            Arc::new(Gate {
                slots: Semaphore::new(self.concurrency),
                waiting: AtomicUsize::new(0),
            })
        });
        Some(gate.clone())
    }

    fn busy(&self, why: &str) -> Refusal {
        Refusal {
            error: AppError::RateLimited(format!("too many concurrent requests: {why}; retry")),
            retry_after: Duration::from_secs(1),
        }
    }

    /// Callers with requests running or waiting (bounded by the connections in flight).
    pub fn callers_in_flight(&self) -> usize {
        self.gates.lock().map_or(0, |g| g.len())
    }
}

/// One caller's use of its gate, from arrival to departure.
struct Hold<'a> {
    limits: &'a Limits,
    caller: Caller,
    gate: Arc<Gate>,
}

impl Drop for Hold<'_> {
    fn drop(&mut self) {
        let Ok(mut gates) = self.limits.gates.lock() else {
            return;
        };
        // Clones are made under this lock, so a count of two (the map's and ours)
        // means nobody else runs or waits: the map keeps only callers in flight.
        if gates
            .get(&self.caller)
            .is_some_and(|g| Arc::ptr_eq(g, &self.gate) && Arc::strong_count(g) == 2)
        {
            gates.remove(&self.caller);
        }
    }
}

/// Counts one waiting request for as long as it waits (also when it is dropped).
struct Queued<'g>(&'g AtomicUsize);

impl<'g> Queued<'g> {
    fn join(waiting: &'g AtomicUsize) -> Self {
        waiting.fetch_add(1, Ordering::Relaxed);
        Queued(waiting)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// One running request's slot; dropping it lets the next waiting request in.
#[must_use = "the slot is given back when dropped"]
pub struct Slot<'a> {
    hold: Option<Hold<'a>>,
}

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        if let Some(hold) = &self.hold {
            hold.gate.slots.add_permits(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::{net::Ipv6Addr, pin::pin};

    use crate::error::Code;

    use super::*;

    fn limits(concurrency: u32, queue_ms: u64, rate: u32) -> Limits {
        Limits::new(&Config {
            tenant_concurrency: concurrency,
            tenant_queue_ms: queue_ms,
            tenant_rate: rate,
            anonymous_rate: rate,
            ..Config::default()
        })
    }

    #[tokio::test]
    async fn a_waiting_request_gets_the_slot_that_frees_and_idle_gates_go() {
        let limits = limits(1, 60_000, 0);
        let a = Caller::Tenant("a".into());
        let first = limits.admit(&a).await.expect("first");
        let mut second = pin!(limits.admit(&a));
        assert!(futures_util::poll!(second.as_mut()).is_pending(), "queued");
        assert!(limits.admit(&Caller::Tenant("b".into())).await.is_ok());
        drop(first);
        let second = second.await.expect("admitted when the slot frees");
        assert_eq!(limits.callers_in_flight(), 1);
        drop(second);
        assert_eq!(limits.callers_in_flight(), 0, "idle gates are dropped");
    }

    #[tokio::test(start_paused = true)]
    async fn the_queue_is_bounded_in_time_and_length() {
        let limits = limits(1, 2_000, 0);
        let a = Caller::Tenant("a".into());
        let _running = limits.admit(&a).await.expect("running");
        let refused = limits
            .admit(&a)
            .await
            .err()
            .expect("refused after the wait");
        assert_eq!(refused.error.code(), Code::RateLimited.as_str());
        assert_eq!(refused.retry_after, Duration::from_secs(1));
        let mut queued: Vec<_> = (0..QUEUE_PER_SLOT)
            .map(|_| Box::pin(limits.admit(&a)))
            .collect();
        for waiting in &mut queued {
            assert!(futures_util::poll!(waiting.as_mut()).is_pending());
        }
        let mut over = pin!(limits.admit(&a));
        assert!(
            futures_util::poll!(over.as_mut()).is_ready(),
            "refused at once when the queue is full"
        );
    }

    #[tokio::test]
    async fn budgets_are_per_caller_and_say_when_to_retry() {
        let limits = limits(0, 0, 1);
        let a = Caller::Tenant("a".into());
        for _ in 0..2 {
            let _admitted = limits.admit(&a).await.expect("within the burst");
        }
        let refused = limits.admit(&a).await.err().expect("over budget");
        assert_eq!(refused.error.code(), Code::RateLimited.as_str());
        assert!(refused.retry_after <= Duration::from_secs(1));
        assert!(limits.admit(&Caller::Tenant("b".into())).await.is_ok());
        let here = Caller::address("127.0.0.1".parse().expect("ip"));
        let _admitted = limits.admit(&here).await.expect("an address has its own");
    }

    #[test]
    fn ipv6_callers_are_their_64_and_mapped_ipv4_is_ipv4() {
        let one = Caller::address("2001:db8:1:2:aaaa::1".parse().expect("ip"));
        let two = Caller::address("2001:db8:1:2:bbbb::9".parse().expect("ip"));
        assert_eq!(one, two);
        let mapped = Caller::address(IpAddr::V6(Ipv6Addr::from(
            "::ffff:10.1.2.3".parse::<Ipv6Addr>().expect("ip").to_bits(),
        )));
        assert_eq!(mapped, Caller::Address("10.1.2.3".parse().expect("ip")));
    }
}
