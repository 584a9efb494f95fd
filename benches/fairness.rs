//! Fairness benchmark: how long tenant B's cheap query takes while tenant A runs the
//! most expensive queries the server accepts at full concurrency.
//!
//! One server per phase on one database (SQLite, and PostgreSQL when it answers at
//! `SOCIALGATE_TEST_DATABASE_URL` or the local default), in-process, over loopback
//! HTTP. Tenant A (100 advisors, a page of 100 integrations with notes and history,
//! and an audit chain lengthened by `SG_BENCH_EVENTS` status changes) is attacked by
//! 32 clients that loop over `verifyAuditTrail`, `auditExport`, `digestPreview` and the
//! full page,
//! retrying at once when refused. Tenant B sends `{ integrationCounts { status count
//! } }` every 10 ms. Phases: B alone; B under attack with the fairness limits; B under
//! attack with the limits off. Each phase lasts `SG_BENCH_SECONDS` (default 20).
//!
//! To see what bounds B's latency: `SG_BENCH_HEAVY_SLOTS=n` sets the pool of expensive
//! requests, `SG_BENCH_CONCURRENCY=n` sets the tenant
//! concurrency, `SG_BENCH_POLITE=1` makes A's clients wait out `Retry-After` (so only
//! admitted work competes with B, not a flood of refusals), `SG_BENCH_ONLY=i` makes
//! them send only the i-th attack query.
//!
//! Run: `cargo bench --bench fairness`. Results are recorded in BENCHMARKS.md;
//! nothing here asserts a timing.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

#[allow(dead_code)]
mod common;

use sea_orm::{ConnectionTrait, Database};
use serde_json::json;
use socialgate::{
    Config, Socialgate,
    auth::{Role, TokenMinter},
    config::Secret,
    crypto::Keyring,
    domain::{Network, StatusReason},
    service::{
        lifecycle, review,
        seed::{SeedOptions, seed},
    },
};

const ATTACKERS: usize = 32;
const B_EVERY: Duration = Duration::from_millis(10);
const CHEAP: &str = "{ integrationCounts { status count } }";
const ATTACK: [&str; 4] = [
    "{ verifyAuditTrail { intact eventCount } }",
    "{ auditExport }",
    "{ digestPreview { subject text } }",
    "{ integrations(first: 100) { totalCount edges { node { id displayName status \
     owner { name } complianceNotes(last: 5) { body author { name } } \
     history(last: 5) { sequence toStatus reason actor { name } } } } } }",
];
const SECRET: &str = "bench-secret-that-is-long-enough-for-hs256";

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// The server of one phase: `limits` false turns every fairness limit off. B sends
/// 100 requests a second, so the tenant budget is raised to 200 to keep B within it.
async fn serve(url: &str, token_keys: &Secret, limits: bool) -> (String, Socialgate) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let mut config = Config {
        database_url: url.to_owned(),
        public_url: Some(base.clone()),
        jwt_secret: Some(Secret::new(SECRET)),
        token_keys: Some(token_keys.clone()),
        log: "warn".into(),
        tenant_rate: 200,
        ..Config::default()
    };
    if let Ok(n) = std::env::var("SG_BENCH_CONCURRENCY") {
        config.tenant_concurrency = n.parse().expect("SG_BENCH_CONCURRENCY");
    }
    if let Ok(n) = std::env::var("SG_BENCH_HEAVY_SLOTS") {
        config.heavy_slots = n.parse().expect("SG_BENCH_HEAVY_SLOTS");
    }
    if !limits {
        config.heavy_slots = 0;
        config.tenant_concurrency = 0;
        config.tenant_rate = 0;
        config.anonymous_rate = 0;
    }
    let server = Socialgate::build(config).await.expect("server");
    let service = server
        .router()
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, service).await;
    });
    (base, server)
}

/// Seeds tenants A (100 advisors, a long chain) and B (5 advisors); their tenant ids.
async fn seed_tenants(server: &Socialgate, events: u64) -> (String, String) {
    let app = server.app();
    let options = |users| SeedOptions {
        tenants: 1,
        users_per_tenant: users,
        rng_seed: 7,
    };
    let a = seed(app, options(100)).await.expect("seed A").remove(0);
    let b = seed(app, options(5)).await.expect("seed B").remove(0);
    let owner = common::actor(app, &a.tenant_id, &a.advisor, Role::Advisor).await;
    let co = common::actor(app, &a.tenant_id, &a.compliance, Role::Compliance).await;
    let account = || lifecycle::NewAccount {
        network: Network::Linkedin,
        external_account_id: "churn".into(),
        network_user_id: None,
        display_name: "Churn".into(),
        profile_url: None,
        scopes: vec!["openid".into()],
        token_expires_at: None,
        tokens: None,
    };
    let id = lifecycle::connected(app, &owner, account())
        .await
        .expect("connect")
        .integration
        .id;
    review::approve(app, &co, id, None, None)
        .await
        .expect("approve");
    for n in 0..events {
        if n % 2 == 0 {
            lifecycle::expire(app, owner.tenant_id, id, StatusReason::TokenExpired)
                .await
                .expect("expire");
        } else {
            lifecycle::reconnected(app, &owner, id, account())
                .await
                .expect("reconnect");
        }
    }
    (a.tenant_id, b.tenant_id)
}

/// What one phase measured.
struct Phase {
    b_latencies: Vec<f64>,
    b_refused: u64,
    a_done: u64,
    a_refused: u64,
    a_failed: u64,
}

/// The status of the answer to `query`, and its `Retry-After` in seconds.
async fn post(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    query: &str,
) -> Option<(u16, Option<u64>)> {
    let response = client
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": query }))
        .send()
        .await
        .ok()?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok()?.parse().ok());
    response.bytes().await.ok()?;
    Some((status, retry_after))
}

/// B's cheap query every 10 ms for `length`, with `attack` clients of A meanwhile.
async fn phase(base: &str, tokens: (&str, &str), attack: bool, length: Duration) -> Phase {
    let deadline = Instant::now() + length;
    let polite = std::env::var("SG_BENCH_POLITE").is_ok_and(|v| v == "1");
    let (done, refused, failed) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    let mut attackers = Vec::new();
    for i in 0..if attack { ATTACKERS } else { 0 } {
        let (base, token) = (base.to_owned(), tokens.0.to_owned());
        let (done, refused, failed) = (done.clone(), refused.clone(), failed.clone());
        attackers.push(tokio::spawn(async move {
            let client = reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("client");
            let mut n = i;
            while Instant::now() < deadline {
                let pick = std::env::var("SG_BENCH_ONLY")
                    .ok()
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(n % ATTACK.len());
                let answer = post(&client, &base, &token, ATTACK[pick]).await;
                let counter = match answer {
                    Some((200, _)) => &done,
                    Some((429, _)) => &refused,
                    _ => &failed,
                };
                counter.fetch_add(1, Ordering::Relaxed);
                if let (true, Some((429, Some(seconds)))) = (polite, answer) {
                    let left = deadline.saturating_duration_since(Instant::now());
                    tokio::time::sleep(Duration::from_secs(seconds).min(left)).await;
                }
                n += 1;
            }
        }));
    }
    let client = reqwest::Client::new();
    let mut b_latencies = Vec::new();
    let mut b_refused = 0;
    let mut tick = tokio::time::interval(B_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while Instant::now() < deadline {
        tick.tick().await;
        let started = Instant::now();
        match post(&client, base, tokens.1, CHEAP).await {
            Some((200, _)) => b_latencies.push(started.elapsed().as_secs_f64() * 1000.0),
            _ => b_refused += 1,
        }
    }
    for attacker in attackers {
        let _ = attacker.await;
    }
    b_latencies.sort_by(|a, b| a.total_cmp(b));
    Phase {
        b_latencies,
        b_refused,
        a_done: done.load(Ordering::Relaxed),
        a_refused: refused.load(Ordering::Relaxed),
        a_failed: failed.load(Ordering::Relaxed),
    }
}

fn row(backend: &str, name: &str, phase: &Phase) {
    let b = &phase.b_latencies;
    println!(
        "| {backend} | {name} | {} / {} | {:.1} ms | {:.1} ms | {:.1} ms | {} / {} / {} |",
        b.len(),
        phase.b_refused,
        percentile(b, 50.0),
        percentile(b, 99.0),
        b.last().copied().unwrap_or(f64::NAN),
        phase.a_done,
        phase.a_refused,
        phase.a_failed,
    );
}

async fn run(backend: &str, url: &str) {
    let length = Duration::from_secs(env_number("SG_BENCH_SECONDS", 20));
    let token_keys = Keyring::generate("bench");
    let (base, server) = serve(url, &token_keys, true).await;
    let (a, b) = seed_tenants(&server, env_number("SG_BENCH_EVENTS", 4000)).await;
    let minter = TokenMinter::new(&Secret::new(SECRET), None, None);
    let token = |tenant: &str| {
        minter
            .mint(
                tenant,
                "compliance-1",
                &[Role::Compliance],
                Duration::from_secs(3600),
            )
            .expect("token")
    };
    let tokens = (token(&a), token(&b));
    let tokens = (tokens.0.as_str(), tokens.1.as_str());
    // Warm up: provision both callers, fill caches.
    phase(&base, tokens, false, Duration::from_secs(1)).await;
    row(
        backend,
        "B alone",
        &phase(&base, tokens, false, length).await,
    );
    row(
        backend,
        "B under attack, limits on",
        &phase(&base, tokens, true, length).await,
    );
    server.begin_shutdown();
    let (base, server) = serve(url, &token_keys, false).await;
    row(
        backend,
        "B under attack, limits off",
        &phase(&base, tokens, true, length).await,
    );
    server.begin_shutdown();
}

/// A fresh PostgreSQL database, when a server answers; its URL and name.
async fn postgres() -> Option<(String, String)> {
    let admin_url = std::env::var("SOCIALGATE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let admin = tokio::time::timeout(Duration::from_secs(5), Database::connect(&admin_url))
        .await
        .ok()?
        .ok()?;
    let name = format!("sg_bench_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .ok()?;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(b, _)| b);
    Some((format!("{base}/{name}"), name))
}

async fn drop_postgres(name: &str) {
    let admin_url = std::env::var("SOCIALGATE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    if let Ok(admin) = Database::connect(&admin_url).await {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    println!(
        "| database | phase | B answered / refused | B p50 | B p99 | B max | A answered / refused / failed |"
    );
    println!("|---|---|---|---|---|---|---|");
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("bench.db").display()
    );
    run("SQLite", &sqlite).await;
    match postgres().await {
        Some((url, name)) => {
            run("PostgreSQL", &url).await;
            drop_postgres(&name).await;
        }
        None => println!("(PostgreSQL unreachable: skipped)"),
    }
}
