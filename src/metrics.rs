//! Prometheus metrics. The code records through the `metrics` facade; the first
//! socialgate built in a process installs a Prometheus recorder as the global one,
//! unless the host installed its own first, in which case the series flow into the
//! host's recorder and socialgate's `/metrics` says so. Series:
//!
//! | series | labels | what |
//! | --- | --- | --- |
//! | `socialgate_graphql_requests_total` | `operation`, `outcome` (`ok`, `error`, `refused`) | GraphQL requests over HTTP |
//! | `socialgate_graphql_request_duration_seconds` | `operation` | their latency (histogram) |
//! | `socialgate_graphql_errors_total` | `code` | errors by `extensions.code` |
//! | `socialgate_websockets_open` | | open WebSocket connections |
//! | `socialgate_subscriptions_active` | | running subscriptions |
//! | `socialgate_job_runs_total` | `job`, `outcome` (`ok`, `failed`) | background job runs |
//! | `socialgate_probe_outcomes_total` | `network`, `outcome` | what health checks found |
//! | `socialgate_integrations` | `status` (and `tenant`, when asked) | live integrations, read at scrape |
//! | `socialgate_db_pool_connections` | `state` (`idle`, `in_use`) | the database pool, read at scrape |
//!
//! Labels are bounded: operation names are the client's, so only plain names are kept,
//! and past [`MAX_OPERATIONS`] distinct ones every new name counts as `other`.

use std::{
    collections::HashSet,
    sync::{Mutex, OnceLock},
};

use metrics::{counter, gauge, histogram};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use sea_orm::Iterable;

use crate::{
    domain::{Status, network, status},
    error::AppResult,
    store::Store,
};

/// Distinct operation names kept as labels; later ones are `other`.
pub const MAX_OPERATIONS: usize = 200;

/// Latency buckets, in seconds: from a cached read to a slow network call.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// The Prometheus recorder of this process, when socialgate installed it.
pub fn recorder() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets(&BUCKETS)
                .map_err(|e| tracing::warn!(error = %e, "metrics buckets refused"))
                .ok()?;
            let handle = builder
                .install_recorder()
                .map_err(|e| {
                    tracing::info!(error = %e, "a metrics recorder is installed already; socialgate's series go there")
                })
                .ok()?;
            // Series exist from the start, at zero, so a dashboard and an alert see
            // them before the first socket or run (adding zero never resets one).
            gauge!("socialgate_websockets_open").increment(0.0);
            gauge!("socialgate_subscriptions_active").increment(0.0);
            Some(handle)
        })
        .as_ref()
}

/// Makes the run counters of `job` exist at zero (see [`recorder`]).
pub fn job_known(job: &'static str) {
    for outcome in ["ok", "failed"] {
        counter!("socialgate_job_runs_total", "job" => job, "outcome" => outcome).increment(0);
    }
}

/// The label for the client's operation name.
fn operation_label(name: Option<&str>) -> String {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let Some(name) = name else {
        return "anonymous".to_owned();
    };
    let plain = !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !plain {
        return "other".to_owned();
    }
    let Ok(mut seen) = SEEN.get_or_init(Default::default).lock() else {
        return "other".to_owned();
    };
    if seen.contains(name) || seen.len() < MAX_OPERATIONS {
        seen.insert(name.to_owned());
        name.to_owned()
    } else {
        "other".to_owned()
    }
}

/// One GraphQL request over HTTP: its outcome, latency and error codes.
pub fn graphql_request(
    operation: Option<&str>,
    outcome: &'static str,
    seconds: f64,
    codes: &[&str],
) {
    let operation = operation_label(operation);
    counter!("socialgate_graphql_requests_total", "operation" => operation.clone(), "outcome" => outcome)
        .increment(1);
    histogram!("socialgate_graphql_request_duration_seconds", "operation" => operation)
        .record(seconds);
    for code in codes {
        counter!("socialgate_graphql_errors_total", "code" => (*code).to_owned()).increment(1);
    }
}

/// Counts an open WebSocket until dropped.
#[derive(Debug)]
pub struct OpenSocket(());

impl OpenSocket {
    pub fn count() -> Self {
        gauge!("socialgate_websockets_open").increment(1.0);
        OpenSocket(())
    }
}

impl Drop for OpenSocket {
    fn drop(&mut self) {
        gauge!("socialgate_websockets_open").decrement(1.0);
    }
}

/// Counts a running subscription until dropped.
#[derive(Debug)]
pub struct ActiveSubscription(());

impl ActiveSubscription {
    pub fn count() -> Self {
        gauge!("socialgate_subscriptions_active").increment(1.0);
        ActiveSubscription(())
    }
}

impl Drop for ActiveSubscription {
    fn drop(&mut self) {
        gauge!("socialgate_subscriptions_active").decrement(1.0);
    }
}

/// One run of a background job.
pub fn job_run(job: &'static str, ok: bool) {
    let outcome = if ok { "ok" } else { "failed" };
    counter!("socialgate_job_runs_total", "job" => job, "outcome" => outcome).increment(1);
}

/// What one health check found.
pub fn probe_outcome(network: crate::domain::Network, outcome: &'static str) {
    counter!("socialgate_probe_outcomes_total", "network" => network::slug(network), "outcome" => outcome)
        .increment(1);
}

/// What one publication attempt came to (published, refused_token, passing,
/// duplicate, failed).
pub fn publish_outcome(network: crate::domain::Network, outcome: &'static str) {
    counter!("socialgate_publish_outcomes_total", "network" => network::slug(network), "outcome" => outcome)
        .increment(1);
}

/// The exposition text: the gauges read from the database now, then every series.
/// `None` when another recorder than socialgate's is installed.
pub async fn render(store: &Store, by_tenant: bool) -> AppResult<Option<String>> {
    let Some(handle) = recorder() else {
        return Ok(None);
    };
    // Every status, so one that empties reads zero rather than its last count.
    let mut totals: std::collections::HashMap<Status, i64> =
        Status::iter().map(|s| (s, 0)).collect();
    for row in store.status_counts(false).await? {
        totals.insert(row.status, row.count);
    }
    // Counts fit an f64 exactly far beyond any real number of integrations.
    for (status, count) in totals {
        gauge!("socialgate_integrations", "status" => status::word(status)).set(count as f64);
    }
    if by_tenant {
        for row in store.status_counts(true).await? {
            let tenant = row.tenant.unwrap_or_default();
            gauge!("socialgate_integrations", "status" => status::word(row.status), "tenant" => tenant)
                .set(row.count as f64);
        }
    }
    let pool = store.pool_use();
    let idle = pool.idle as f64;
    gauge!("socialgate_db_pool_connections", "state" => "idle").set(idle);
    gauge!("socialgate_db_pool_connections", "state" => "in_use")
        .set((f64::from(pool.open) - idle).max(0.0));
    handle.run_upkeep();
    Ok(Some(handle.render()))
}
