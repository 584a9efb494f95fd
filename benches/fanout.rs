//! Fan-out benchmark for `integrationStatusChanged` : with N concurrent
//! subscriptions on one instance (SQLite, in-process server, real WebSockets with 20
//! subscriptions per connection), how long from an event's commit to its receipt by
//! every subscriber (p50/p99 over all subscriber × event pairs), and how much memory an
//! idle subscription costs (RSS growth of the process divided by N; the clients live in
//! the same process, so this is an upper bound on the server's share).
//!
//! The subscriptions belong to compliance officers of as many tenants as the per-tenant
//! and per-person socket caps require; each tenant's integration changes once per round.
//!
//! Run: `cargo bench --bench fanout` (sizes from `SG_BENCH_SIZES`, default
//! 1000,10000,50000).
//! Results are recorded in BENCHMARKS.md; nothing here asserts a timing.

#[allow(dead_code)]
mod common;

use std::{
    alloc::{GlobalAlloc, Layout},
    sync::{
        Arc, Mutex,
        atomic::{AtomicIsize, Ordering},
    },
    time::{Duration, Instant},
};

use chrono::{DateTime, Utc};
use futures_util::{SinkExt, StreamExt};
use mimalloc::MiMalloc;
use serde_json::{Value, json};
use socialgate::{
    Config, Socialgate,
    auth::{Role, TokenMinter},
    config::Secret,
    crypto::Keyring,
    domain::{Network, StatusReason},
    http::sockets::{MAX_PER_TENANT, MAX_PER_USER},
    service::{lifecycle, review},
};
use tokio_tungstenite::{
    connect_async_with_config,
    tungstenite::{
        Message, client::IntoClientRequest, http::HeaderValue, protocol::WebSocketConfig,
    },
};

/// One client's socket.
type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const PER_CONNECTION: usize = 20;
const CHANGES: usize = 40;

/// Counts the bytes allocated and not yet freed, on the allocator the server's binary
/// runs with (mimalloc). RSS says what the process took from the system, which after
/// a burst of subscribing includes what the allocator keeps for reuse (and, after the
/// first size, what an earlier size freed); live bytes say what the subscriptions
/// hold.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is passed to mimalloc unchanged; only a counter is updated
// besides.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's layout.
        let ptr = unsafe { MiMalloc.alloc(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `alloc` with this layout.
        unsafe { MiMalloc.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from `alloc` with this layout.
        let moved = unsafe { MiMalloc.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_kib() -> f64 {
    LIVE.load(Ordering::Relaxed) as f64 / 1024.0
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

async fn run(subscriptions: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    let secret = Secret::new("bench-secret-that-is-long-enough-for-hs256");
    let (server, base) = start(dir.path(), &secret).await;
    let app = server.app().clone();
    let minter = TokenMinter::new(&secret, None, None);
    // The sockets of one instance are capped per tenant and per person: the
    // subscriptions are spread over as many tenants and compliance officers as that
    // takes, each tenant with one integration that changes in every round.
    let connections = subscriptions.div_ceil(PER_CONNECTION);
    let tenants = connections.div_ceil(MAX_PER_TENANT);
    let changing = seed(&app, tenants).await;

    let samples: Arc<Mutex<Vec<f64>>> = Arc::default();
    let received = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    // Sockets first, then subscriptions: what a socket costs (on both ends, the
    // clients share the process) and what a subscription costs are measured apart.
    let (before, live_before) = (rss_kib(), live_kib());
    let mut sockets = Vec::new();
    for c in 0..connections {
        let tenant = format!("bench-{}", c / MAX_PER_TENANT);
        let officer = format!("co-{}", (c % MAX_PER_TENANT) / MAX_PER_USER);
        let token = minter
            .mint(
                &tenant,
                &officer,
                &[Role::Compliance],
                Duration::from_secs(3600),
            )
            .expect("token");
        sockets.push(open_socket(&base, &token, c).await);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (connected, live_connected) = (rss_kib(), live_kib());
    let per_socket = connected.saturating_sub(before) as f64 / connections as f64;
    let live_per_socket = (live_connected - live_before) / connections as f64;

    let mut open = 0;
    for (c, mut ws) in sockets.into_iter().enumerate() {
        let here = PER_CONNECTION.min(subscriptions - c * PER_CONNECTION);
        for s in 0..here {
            let sub = json!({ "id": s.to_string(), "type": "subscribe", "payload": { "query": "subscription { integrationStatusChanged { sequence occurredAt } }" } });
            ws.send(Message::Text(sub.to_string().into()))
                .await
                .expect("subscribe");
        }
        open += here;
        let (samples, received) = (samples.clone(), received.clone());
        tokio::spawn(read_feed(ws, samples, received));
    }
    // Let every subscription start (each reads the database twice), then measure idle
    // memory: once the live heap has stopped moving.
    settle().await;
    let idle = rss_kib();
    let per_subscription = idle.saturating_sub(connected) as f64 / open as f64;
    let live_per_subscription = (live_kib() - live_connected) / open as f64;

    // Warm-up change, not sampled: wait until every subscriber has it.
    for (owner, id) in &changing {
        lifecycle::expire(&app, owner.tenant_id, *id, StatusReason::TokenExpired)
            .await
            .expect("expire");
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while received.load(std::sync::atomic::Ordering::Relaxed) < open && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    samples.lock().expect("lock").clear();
    let target = received.load(std::sync::atomic::Ordering::Relaxed) + open * CHANGES;
    let started = Instant::now();
    change_in_rounds(&app, &changing).await;
    let deadline = Instant::now() + Duration::from_secs(120);
    while received.load(std::sync::atomic::Ordering::Relaxed) < target && Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    let mut sorted = samples.lock().expect("lock").clone();
    sorted.sort_by(|a, b| a.total_cmp(b));
    println!(
        "| {open} | {connections} | {tenants} | {} / {} | {:.1} ms | {:.1} ms | {:.1} ms | {live_per_subscription:.1} KiB ({per_subscription:.1} KiB RSS) | {live_per_socket:.1} KiB ({per_socket:.1} KiB RSS) | {:.1?} |",
        sorted.len(),
        open * CHANGES,
        percentile(&sorted, 50.0),
        percentile(&sorted, 99.0),
        sorted.last().copied().unwrap_or(f64::NAN),
        elapsed,
    );
    server.begin_shutdown();
}

/// A socket admitted as the holder of `token` (the `c`-th opened).
async fn open_socket(base: &str, token: &str, c: usize) -> Socket {
    let url = format!("{}/graphql/ws", base.replace("http://", "ws://"));
    let mut request = url.into_client_request().expect("request");
    request.headers_mut().insert(
        "sec-websocket-protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    // The clients share the process: a small read buffer keeps their memory and
    // their zero-filling out of the server's figures as far as possible.
    let config = WebSocketConfig::default().read_buffer_size(4 * 1024);
    let (mut ws, _) = connect_async_with_config(request, Some(config), false)
        .await
        .expect("ws");
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    ws.send(Message::Text(init.to_string().into()))
        .await
        .expect("init");
    match ws.next().await {
        Some(Ok(Message::Text(ack))) if ack.contains("connection_ack") => {}
        other => panic!("socket {c} not admitted: {other:?}"),
    }
    ws
}

/// Reads `ws` until it closes, recording each event's delay since its commit.
async fn read_feed(
    mut ws: Socket,
    samples: Arc<Mutex<Vec<f64>>>,
    received: Arc<std::sync::atomic::AtomicUsize>,
) {
    while let Some(Ok(message)) = ws.next().await {
        let Message::Text(text) = message else {
            continue;
        };
        let now = Utc::now();
        let Ok(value) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let Some(at) = value["payload"]["data"]["integrationStatusChanged"]["occurredAt"].as_str()
        else {
            continue;
        };
        if let Ok(at) = at.parse::<DateTime<Utc>>() {
            let ms = (now - at).num_microseconds().unwrap_or(0) as f64 / 1000.0;
            if let Ok(mut s) = samples.lock() {
                s.push(ms);
            }
        }
        received.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Waits until the live heap has stopped moving (at most a minute).
async fn settle() {
    let settled = Instant::now() + Duration::from_secs(60);
    let mut previous = live_kib();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = live_kib();
        if (now - previous).abs() < 0.002 * now || Instant::now() > settled {
            break;
        }
        previous = now;
    }
}

/// The account every bench integration connects.
fn account() -> lifecycle::NewAccount {
    lifecycle::NewAccount {
        network: Network::Linkedin,
        external_account_id: "bench".into(),
        network_user_id: None,
        display_name: "Bench".into(),
        profile_url: None,
        scopes: vec!["openid".into()],
        token_expires_at: None,
        tokens: None,
    }
}

/// One approved integration in each of `tenants` tenants: its owner and id.
async fn seed(
    app: &socialgate::App,
    tenants: usize,
) -> Vec<(socialgate::auth::Actor, socialgate::domain::IntegrationId)> {
    let mut changing = Vec::new();
    for t in 0..tenants {
        let tenant = format!("bench-{t}");
        let owner = common::actor(app, &tenant, "adv", Role::Advisor).await;
        let co = common::actor(app, &tenant, "co", Role::Compliance).await;
        let id = lifecycle::connected(app, &owner, account())
            .await
            .expect("connect")
            .integration
            .id;
        review::approve(app, &co, id, None, None)
            .await
            .expect("approve");
        changing.push((owner, id));
    }
    changing
}

/// `CHANGES` rounds, each changing every integration once, paced.
async fn change_in_rounds(
    app: &socialgate::App,
    changing: &[(socialgate::auth::Actor, socialgate::domain::IntegrationId)],
) {
    for n in 0..CHANGES {
        for (owner, id) in changing {
            if n % 2 == 0 {
                lifecycle::reconnected(app, owner, *id, account())
                    .await
                    .expect("reconnect");
            } else {
                lifecycle::expire(app, owner.tenant_id, *id, StatusReason::TokenExpired)
                    .await
                    .expect("expire");
            }
        }
        // Paced, so each change's fan-out is measured on its own.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The server on a SQLite file in `dir`, serving on a port of its own, and its URL.
async fn start(dir: &std::path::Path, secret: &Secret) -> (Socialgate, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let config = Config {
        database_url: format!("sqlite://{}?mode=rwc", dir.join("bench.db").display()),
        public_url: Some(base.clone()),
        jwt_secret: Some(secret.clone()),
        token_keys: Some(Keyring::generate("bench")),
        log: "warn".into(),
        ..Config::default()
    };
    let server = Socialgate::build(config).await.expect("server");
    let router = server.router();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    (server, base)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let sizes: Vec<usize> = std::env::var("SG_BENCH_SIZES")
        .unwrap_or_else(|_| "1000,10000,50000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    println!(
        "| subscriptions | connections | tenants | events received / expected | p50 | p99 | max | heap per idle subscription | heap per socket (both ends) | {CHANGES} changes took |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for n in sizes {
        run(n).await;
    }
}
