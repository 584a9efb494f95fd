//! Probe-round benchmark: one round of the `probe` job over 10,000 integrations (20
//! tenants of 500, every one due) against a local server that answers like LinkedIn's
//! `/v2/userinfo`, on SQLite and, when it answers, PostgreSQL. Each probe opens the
//! sealed token, asks the network, and records the outcome. `SG_PROBE_SIZE` changes
//! the count, `SG_PROBE_LATENCY_MS` makes the network answer that much later (a real
//! network's round trip). Run: `cargo bench --bench probe`. Results are recorded in
//! BENCHMARKS.md; nothing here asserts a timing.

#[allow(dead_code)]
mod common;

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{Json, Router, extract::State, routing::get};
use serde_json::{Value, json};
use socialgate::{Config, Socialgate, jobs::Job};

const TENANTS: usize = 20;

#[derive(Clone)]
struct Network {
    asked: Arc<AtomicUsize>,
    latency: Duration,
}

async fn userinfo(State(net): State<Network>) -> Json<Value> {
    net.asked.fetch_add(1, Ordering::Relaxed);
    if !net.latency.is_zero() {
        tokio::time::sleep(net.latency).await;
    }
    Json(json!({ "sub": "member", "name": "Member" }))
}

async fn run(label: &'static str, database_url: String, total: usize, latency: Duration) {
    let net = Network {
        asked: Arc::default(),
        latency,
    };
    let router = Router::new()
        .route("/v2/userinfo", get(userinfo))
        .with_state(net.clone());
    let base = common::serve(router).await;
    let config = Config {
        probe_interval: "1h".into(),
        ..common::linkedin_config(database_url, &base)
    };
    let server = Socialgate::build(config).await.expect("server");
    let later = chrono::Utc::now() + chrono::Duration::days(50);
    let filled = common::fill(&server, "probe", TENANTS, total / TENANTS, later).await;
    common::seal_tokens(&server, &filled, "AQV").await;
    let started = Instant::now();
    let report = server.jobs().run_once(Job::Probe).await.expect("round");
    let elapsed = started.elapsed().as_secs_f64();
    let asked = net.asked.load(Ordering::Relaxed);
    println!(
        "{label}: probed {asked} of {total} in {elapsed:.2} s ({:.0} probes/s, network latency {} ms, {} status changes)",
        asked as f64 / elapsed,
        latency.as_millis(),
        report.changed
    );
    server.shutdown().await.expect("shutdown");
}

#[tokio::main]
async fn main() {
    let number = common::setting;
    let total = usize::try_from(number("SG_PROBE_SIZE", 10_000)).unwrap_or(10_000);
    let latency = Duration::from_millis(number("SG_PROBE_LATENCY_MS", 0));
    common::on_both("probe", |label, url| run(label, url, total, latency)).await;
}
