//! Reading, exporting and verifying the audit trail (compliance and admins).

use chrono::{DateTime, Utc};
use entity::integration_event;

use super::{integrations, relations};
use crate::{
    auth::Actor,
    domain::{
        IntegrationId,
        audit::{canonical, chain_hash},
        policy,
    },
    error::{AppError, AppResult},
    service::App,
    service::walks::Walk,
    store::{Scope, tenants::GENESIS_HASH},
};

/// Events read per round trip while walking the chain.
const CHUNK: u64 = 1000;
/// Most events one page of an export returns, and the default page.
pub const MAX_EXPORT: usize = 5_000;

fn authorize(actor: &Actor) -> AppResult<()> {
    Ok(policy::audit(&actor.roles)?)
}

/// One integration's events, oldest first, its posts' deliveries included: the same
/// rule as `Integration.history` (reviewers, and the owner for their own integration).
pub async fn trail(
    app: &App,
    actor: &Actor,
    integration_id: IntegrationId,
) -> AppResult<Vec<integration_event::Model>> {
    integrations::get(app, actor, integration_id).await?;
    let mut found = relations::histories(app, actor, &[integration_id], true, None).await?;
    Ok(found.remove(&integration_id).unwrap_or_default())
}

/// The verdict on a tenant's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub events: i64,
    /// The first sequence number whose event does not verify; `None` when intact.
    pub first_broken: Option<i64>,
    pub head_hash: String,
}

/// Recomputes every hash of the tenant's chain, in order, in bounded memory. One
/// verification runs at a time per tenant (`RATE_LIMITED` while another does): each
/// reads the whole chain.
pub async fn verify(app: &App, actor: &Actor) -> AppResult<Verification> {
    authorize(actor)?;
    let _running = app.walks.start(actor.tenant_id, Walk::Verify)?;
    let data = app.store.tenant(Scope::tenant(actor.tenant_id));
    let tenant = data.tenant().await?;
    let mut expected_seq = 0;
    let mut prev = GENESIS_HASH.to_owned();
    loop {
        // Events written after the head was read are not judged in this pass.
        let page = data.events_after(expected_seq, CHUNK).await?;
        if page.is_empty() || expected_seq >= tenant.chain_seq {
            break;
        }
        for event in page.iter().take_while(|e| e.seq <= tenant.chain_seq) {
            // Hashing a chunk takes milliseconds: let other requests run meanwhile.
            tokio::task::consume_budget().await;
            expected_seq += 1;
            let ok = event.seq == expected_seq
                && event.prev_hash == prev
                && event.hash == chain_hash(&prev, &canonical(event));
            if !ok {
                return Ok(Verification {
                    events: tenant.chain_seq,
                    first_broken: Some(expected_seq),
                    head_hash: tenant.chain_hash,
                });
            }
            prev = event.hash.clone();
        }
    }
    // The head must point at the last event: a deleted tail shows up here.
    let first_broken =
        (expected_seq != tenant.chain_seq || prev != tenant.chain_hash).then_some(expected_seq + 1);
    Ok(Verification {
        events: tenant.chain_seq,
        first_broken,
        head_hash: tenant.chain_hash,
    })
}

/// One page of the tenant's events in `[from, to)` as JSON lines: the canonical event
/// plus its `prev_hash` and `hash`, so anyone can re-verify offline. A page holds up
/// to `first` events (at most [`MAX_EXPORT`]) after sequence `after`; the next page
/// starts after the last line's `seq`, and a page shorter than asked is the last. So
/// an answer's size is bounded whatever the chain's. One export runs at a time per
/// tenant (`RATE_LIMITED` while another does).
pub async fn export(
    app: &App,
    actor: &Actor,
    period: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    after: Option<i64>,
    first: Option<i32>,
) -> AppResult<String> {
    authorize(actor)?;
    let (from, to) = period;
    let first = match first {
        None => MAX_EXPORT,
        Some(n) if n > 0 && n as usize <= MAX_EXPORT => n as usize,
        Some(_) => {
            return Err(AppError::BadUserInput(format!(
                "first must be between 1 and {MAX_EXPORT}; page with `after` for more"
            )));
        }
    };
    let _running = app.walks.start(actor.tenant_id, Walk::Export)?;
    let data = app.store.tenant(Scope::tenant(actor.tenant_id));
    let mut out = String::new();
    let mut after = after.unwrap_or(0).max(0);
    let mut lines = 0;
    while lines < first {
        let page = data.events_after(after, CHUNK).await?;
        let Some(last) = page.last() else { break };
        after = last.seq;
        for event in &page {
            tokio::task::consume_budget().await;
            let in_period = from.is_none_or(|f| event.occurred_at >= f)
                && to.is_none_or(|t| event.occurred_at < t);
            if !in_period {
                continue;
            }
            let mut line = serde_json::to_value(canonical(event)).map_err(AppError::internal)?;
            line["prev_hash"] = event.prev_hash.clone().into();
            line["hash"] = event.hash.clone().into();
            out.push_str(&line.to_string());
            out.push('\n');
            lines += 1;
            if lines == first {
                break;
            }
        }
    }
    Ok(out)
}
