//! The PostgreSQL listener of one instance: LISTEN on [`wire::CHANNEL`], read each
//! announced event from the table, publish it. When the connection drops it connects
//! again with backoff and publishes a resync, so subscribers read what was announced
//! while it was away. An announced settings change makes this instance forget the
//! tenant's remembered row; a reconnect makes it forget every remembered caller.

use std::time::Duration;

use sea_orm::sqlx::postgres::PgListener;
use tokio::sync::watch;

use super::{EventBus, Notice, wire};
use crate::store::{Scope, Store};

/// What an instance remembers of tenants' rows, and forgets when another instance
/// announces a change (the service layer's memory of recent callers).
pub trait CallerMemory: Send + Sync {
    /// `tenant`'s settings changed.
    fn forget_tenant(&self, tenant: entity::ids::TenantId);
    /// Announcements may have been lost: forget everything.
    fn forget_all(&self);
}

/// Where announcements land: events on the bus, settings changes in the memory of
/// callers.
pub struct Relay {
    pub bus: EventBus,
    pub callers: std::sync::Arc<dyn CallerMemory>,
}

/// A quiet connection is pinged this often: a half-open TCP connection (a failover
/// without a reset) would otherwise wait for notifications forever.
const HEARTBEAT: Duration = Duration::from_secs(20);
/// Events read per statement while relaying a long run of them.
const RELAY_PAGE: i64 = 500;

async fn connect(url: &str) -> Option<PgListener> {
    let attempt = async {
        let mut listener = PgListener::connect(url).await?;
        listener.listen(wire::CHANNEL).await?;
        Ok::<_, sea_orm::sqlx::Error>(listener)
    };
    match attempt.await {
        Ok(listener) => Some(listener),
        Err(error) => {
            tracing::warn!(%error, "event listener cannot connect; retrying");
            None
        }
    }
}

/// True when the listener's connection still answers within a few seconds.
async fn alive(listener: &mut PgListener) -> bool {
    let ping = sea_orm::sqlx::query("SELECT 1").execute(&mut *listener);
    matches!(
        tokio::time::timeout(Duration::from_secs(5), ping).await,
        Ok(Ok(_))
    )
}

/// Runs until `shutdown` turns true.
pub async fn run(url: String, store: Store, to: Relay, mut shutdown: watch::Receiver<bool>) {
    let Relay { bus, callers } = to;
    let mut backoff = Duration::from_millis(100);
    loop {
        let Some(mut listener) = (tokio::select! {
            l = connect(&url) => l,
            _ = shutdown.changed() => return,
        }) else {
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
            continue;
        };
        backoff = Duration::from_millis(100);
        // Anything announced while we were not listening is in the table; settings
        // changed meanwhile are not, so remembered callers are read again. That holds
        // for the first connection too: the server answers before it is listening.
        callers.forget_all();
        bus.publish(Notice::Resync);
        bus.mark_listening();
        loop {
            let next = tokio::select! {
                n = tokio::time::timeout(HEARTBEAT, listener.try_recv()) => match n {
                    Ok(n) => n,
                    Err(_) if alive(&mut listener).await => continue,
                    Err(_) => Ok(None),
                },
                _ = shutdown.changed() => return,
            };
            let notification = match next {
                Ok(Some(n)) => n,
                Ok(None) | Err(_) => {
                    tracing::warn!("event listener lost its connection; reconnecting");
                    break;
                }
            };
            match wire::parse(notification.payload()) {
                Some(wire::Announcement::Events(announced)) => relay(&store, &bus, announced).await,
                Some(wire::Announcement::Settings(tenant)) => callers.forget_tenant(tenant),
                None => {}
            }
        }
    }
}

/// Reads the announced events from the table, in pages, and publishes them; on a read
/// error subscribers are told to resynchronise from the database.
async fn relay(store: &Store, bus: &EventBus, announced: wire::Announced) {
    let data = store.tenant(Scope::tenant(announced.tenant));
    let mut after = announced.first - 1;
    while after < announced.last {
        let page = (announced.last - after).min(RELAY_PAGE);
        match data.feed_after(after, page as u64).await {
            Ok(found) => {
                let Some(scanned) = found.scanned else {
                    break;
                };
                for event in found.events {
                    bus.publish(Notice::Event(event.into()));
                }
                after = scanned;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read an announced event");
                bus.publish(Notice::Resync);
                break;
            }
        }
    }
    bus.mark_relayed(announced.tenant, announced.last);
}
