//! Expiry-sweep benchmark: how long `socialgate run-job expiry` takes to move 100,000
//! expired integrations (10 tenants of 10,000) to EXPIRED on SQLite and, when it
//! answers, PostgreSQL, each with its audit event. The rows are written directly (the
//! sweep is what is measured, not the connecting); the sweep goes through the real
//! batch road. Run: `cargo bench --bench sweep` (`SG_SWEEP_SIZE` for another size).
//! Results are recorded in BENCHMARKS.md; nothing here asserts a timing.

#[allow(dead_code)]
mod common;

use std::time::Instant;

use chrono::{Duration, Utc};
use socialgate::{Config, Socialgate, config::Secret, crypto::Keyring, jobs::Job};

const TENANTS: usize = 10;

async fn run(label: &'static str, database_url: String, total: usize) {
    let config = Config {
        database_url,
        jwt_secret: Some(Secret::new("bench-secret-that-is-long-enough-for-hs256")),
        token_keys: Some(Keyring::generate("bench")),
        log: "warn".into(),
        ..Config::default()
    };
    let server = Socialgate::build(config).await.expect("server");
    let expired = Utc::now() - Duration::hours(1);
    common::fill(&server, "sweep", TENANTS, total / TENANTS, expired).await;
    let started = Instant::now();
    let report = server.jobs().run_once(Job::Expiry).await.expect("sweep");
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{label}: swept {} of {total} in {elapsed:.2} s ({:.0} integrations/s)",
        report.changed,
        report.changed as f64 / elapsed
    );
    server.shutdown().await.expect("shutdown");
}

#[tokio::main]
async fn main() {
    let total: usize = std::env::var("SG_SWEEP_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    common::on_both("sweep", |label, url| run(label, url, total)).await;
}
