//! Publishing: each round makes lapsed claims UNCERTAIN, lets held deliveries whose
//! account works again leave (within `SOCIALGATE_HELD_RESUME_HOURS` of their time),
//! holds due deliveries whose account cannot publish, then claims due deliveries
//! batch by batch (one statement each) and sends them, a few at a time per network.
//! The lease is renewed between batches; an instance that lost it stops claiming.

use std::{collections::HashMap, sync::Arc};

use entity::enums::{DeliveryState, Network};
use futures_util::{StreamExt, stream};
use tokio::sync::Semaphore;

use super::{Job, Jobs};
use crate::{
    error::AppResult,
    service::posts::publish::{self, Outcome},
    store::{Scope, now},
};

/// Deliveries looked at per step and claimed per batch.
const BATCH: u64 = 200;
/// Publications in flight at once per network.
pub const PER_NETWORK: usize = 4;
/// How long a claim lasts: longer than any one publication can take (an Instagram
/// container is waited for 30 s, each call times out after 15 s).
const CLAIM: chrono::Duration = chrono::Duration::minutes(5);

/// Holds due deliveries whose account cannot publish, with the account's reason: the
/// accounts are read once per tenant, not once per delivery.
async fn hold_blocked(app: &crate::service::App) -> AppResult<usize> {
    let blocked = app.store.due_but_blocked(now(), BATCH).await?;
    let mut by_tenant: HashMap<_, Vec<_>> = HashMap::new();
    for delivery in &blocked {
        by_tenant
            .entry(delivery.tenant_id)
            .or_default()
            .push(delivery);
    }
    let mut changed = 0;
    for (tenant, deliveries) in by_tenant {
        let ids: Vec<_> = deliveries.iter().map(|d| d.integration_id).collect();
        let accounts: HashMap<_, _> = app
            .store
            .tenant(Scope::tenant(tenant))
            .integrations_by_ids(&ids)
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
        for delivery in deliveries {
            if let Some(account) = accounts.get(&delivery.integration_id) {
                let from = [DeliveryState::Scheduled];
                let held = publish::held(account);
                changed += usize::from(publish::settle(app, delivery, &from, held).await?);
            }
        }
    }
    Ok(changed)
}

/// One round; returns how many deliveries moved.
pub(super) async fn run(jobs: &Jobs) -> AppResult<usize> {
    let app = &jobs.app;
    let mut changed = 0;
    for delivery in app.store.lapsed_claims(now(), BATCH).await? {
        changed += usize::from(publish::lapsed(app, &delivery).await?);
    }
    let hours = i64::try_from(app.config.held_resume_hours).unwrap_or(i64::MAX / 3600);
    let since = now() - chrono::Duration::hours(hours);
    for delivery in app.store.resumable(since, BATCH).await? {
        let from = [DeliveryState::Held];
        changed += usize::from(publish::settle(app, &delivery, &from, Outcome::Resumed).await?);
    }
    changed += hold_blocked(app).await?;
    let lanes: HashMap<Network, Arc<Semaphore>> =
        [Network::Linkedin, Network::Facebook, Network::Instagram]
            .into_iter()
            .map(|n| (n, Arc::new(Semaphore::new(PER_NETWORK))))
            .collect();
    loop {
        let at = now();
        let claimed = app
            .store
            .claim_due_deliveries(at, at + CLAIM, BATCH)
            .await?;
        let full = claimed.len() as u64 == BATCH;
        let sent = stream::iter(claimed)
            .map(|delivery| {
                let lane = lanes.get(&delivery.network).cloned();
                async move {
                    let _permit = match &lane {
                        Some(lane) => lane.acquire().await.ok(),
                        None => None,
                    };
                    publish::send(app, &delivery).await
                }
            })
            .buffer_unordered(PER_NETWORK * 3)
            .collect::<Vec<AppResult<bool>>>()
            .await;
        for outcome in sent {
            match outcome {
                Ok(moved) => changed += usize::from(moved),
                // The delivery stays PUBLISHING; its claim lapses into UNCERTAIN.
                Err(error) => tracing::error!(%error, "a publication could not be recorded"),
            }
        }
        if !full || !jobs.lease(Job::Publish).await? {
            return Ok(changed);
        }
    }
}
