//! Publishing benchmark: 10,000 approved deliveries due at once (20 tenants of 500
//! LinkedIn members, one post each), drained by the `publish` job against a local
//! server that answers like LinkedIn's Posts API after 100 ms, on SQLite and, when it
//! answers, PostgreSQL. It reports how long the drain took, the most posts in flight
//! at the network at once (the job allows 4 per network), how many the network got
//! twice (it must be none), the resident memory before and after, and the due query's
//! plan and time with the whole backlog due (before and after the database has
//! statistics on it) and with 200 due. `SG_PUBLISH_SIZE` and
//! `SG_PUBLISH_LATENCY_MS` change the count and the network's answer time.
//! Run: `cargo bench --bench publish`. Results are recorded in BENCHMARKS.md; nothing
//! here asserts a timing.

#[allow(dead_code)]
mod common;

use std::{
    collections::HashSet,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::post,
};
use chrono::Utc;
use entity::{
    enums::{DeliveryState, PostReview},
    ids::{IntegrationId, PostDeliveryId, PostId, TenantId},
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, Statement,
};
use serde_json::Value;
use socialgate::{
    Socialgate,
    domain::{posts::Content, posts::hash, spread},
    jobs::Job,
};

const TENANTS: usize = 20;

#[derive(Clone, Default)]
struct Network {
    latency: Duration,
    seen: Arc<Mutex<HashSet<String>>>,
    twice: Arc<AtomicUsize>,
    in_flight: Arc<AtomicUsize>,
    most: Arc<AtomicUsize>,
}

async fn create_post(State(net): State<Network>, Json(body): Json<Value>) -> Response {
    let now = net.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    net.most.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(net.latency).await;
    let text = body["commentary"].as_str().unwrap_or_default().to_owned();
    let fresh = net.seen.lock().map(|mut s| s.insert(text)).unwrap_or(false);
    if !fresh {
        net.twice.fetch_add(1, Ordering::SeqCst);
    }
    net.in_flight.fetch_sub(1, Ordering::SeqCst);
    let urn = format!(
        "urn:li:share:{}",
        7_000_000_000u64 + rand::random_range(0..1_000_000_000u64)
    );
    (StatusCode::CREATED, [("x-restli-id", urn)]).into_response()
}

/// The resident memory of this process, in MiB (Linux).
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Writes one approved post per integration, due a minute ago, straight to the tables.
async fn posts(server: &Socialgate, filled: &[(TenantId, Vec<IntegrationId>)], round: &str) {
    let db = server.app().store.db();
    for (tenant, ids) in filled {
        let owner = entity::integration::Entity::find()
            .filter(entity::integration::Column::TenantId.eq(*tenant))
            .one(db)
            .await
            .expect("owner")
            .expect("an integration")
            .owner_id;
        let due = Utc::now() - chrono::Duration::minutes(1);
        let (mut posts, mut deliveries) = (Vec::new(), Vec::new());
        for id in ids {
            let content = Content {
                text: format!("Note {round} for {id}"),
                link: None,
                image_urls: Vec::new(),
            };
            let post_id = PostId::generate();
            let content_hash = hash(&content);
            posts.push(entity::post::Model {
                id: post_id,
                tenant_id: *tenant,
                author_id: owner,
                text: content.text.clone(),
                link: None,
                image_urls: "[]".into(),
                spread_key: spread::key(&content),
                approved_hash: Some(content_hash.clone()),
                content_hash,
                review: PostReview::Approved,
                review_note: None,
                reviewed_by: None,
                reviewed_at: Some(due),
                self_approved: true,
                scheduled_at: Some(due),
                time_zone: "UTC".into(),
                version: 1,
                created_at: due,
                updated_at: due,
            });
            deliveries.push(entity::post_delivery::Model {
                id: PostDeliveryId::generate(),
                tenant_id: *tenant,
                post_id,
                integration_id: *id,
                network: entity::enums::Network::Linkedin,
                status: DeliveryState::Scheduled,
                reason: None,
                detail: None,
                due_at: Some(due),
                attempts: 0,
                next_attempt_at: None,
                claimed_until: None,
                network_post_id: None,
                permalink: None,
                published_at: None,
                published_hash: None,
                version: 1,
                updated_at: due,
            });
        }
        for chunk in posts.chunks(500) {
            entity::post::Entity::insert_many(chunk.iter().map(|p| p.clone().into_active_model()))
                .exec_without_returning(db)
                .await
                .expect("posts");
        }
        for chunk in deliveries.chunks(500) {
            entity::post_delivery::Entity::insert_many(
                chunk.iter().map(|d| d.clone().into_active_model()),
            )
            .exec_without_returning(db)
            .await
            .expect("deliveries");
        }
    }
}

/// The due query's plan and how long it takes, as the claim runs it (without the update).
async fn due_query(server: &Socialgate) -> (String, Duration) {
    let db = server.app().store.db();
    let backend = db.get_database_backend();
    let (explain, now) = match backend {
        DatabaseBackend::Postgres => ("EXPLAIN", "now()"),
        _ => ("EXPLAIN QUERY PLAN", "'2999-01-01'"),
    };
    let select = format!(
        "SELECT id FROM post_deliveries WHERE status = 'scheduled' AND due_at <= {now} \
         AND (next_attempt_at IS NULL OR next_attempt_at <= {now}) AND EXISTS (SELECT 1 \
         FROM integrations WHERE integrations.id = post_deliveries.integration_id AND \
         status = 'active' AND disconnected_at IS NULL) ORDER BY due_at LIMIT 200"
    );
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!("{explain} {select}"),
        ))
        .await
        .expect("explain");
    let plan: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            r.try_get_by_index::<String>(0)
                .or_else(|_| r.try_get_by_index::<String>(3))
                .ok()
        })
        .collect();
    let started = Instant::now();
    for _ in 0..20 {
        db.query_all_raw(Statement::from_string(backend, select.clone()))
            .await
            .expect("due");
    }
    (plan.join(" | "), started.elapsed() / 20)
}

/// The look-alike of LinkedIn's Posts API, served on a free port; its base URL.
async fn network(latency: Duration) -> (Network, String) {
    let net = Network {
        latency,
        ..Network::default()
    };
    let router = Router::new()
        .route("/rest/posts", post(create_post))
        .with_state(net.clone());
    let base = common::serve(router).await;
    (net, base)
}

async fn run(label: &'static str, database_url: String, total: usize, latency: Duration) {
    let (net, base) = network(latency).await;
    let config = common::linkedin_config(database_url, &base);
    let server = Socialgate::build(config).await.expect("server");
    let later = Utc::now() + chrono::Duration::days(50);
    let filled = common::fill(&server, "publish", TENANTS, total / TENANTS, later).await;
    let db = server.app().store.db();
    db.execute_unprepared("UPDATE integrations SET status = 'active'")
        .await
        .expect("activate");
    common::seal_tokens(&server, &filled, "AQV").await;
    posts(&server, &filled, "one").await;
    let (fresh_plan, fresh) = due_query(&server).await;
    // What autovacuum does soon after a bulk insert: statistics, then the planner's
    // real choice.
    db.execute_unprepared("ANALYZE").await.expect("analyze");
    let (plan, full) = due_query(&server).await;
    println!(
        "{label}: before statistics: due query {:.2} ms; plan: {fresh_plan}",
        fresh.as_secs_f64() * 1000.0
    );
    let rss_before = rss_mib();
    let started = Instant::now();
    let mut rounds = 0;
    loop {
        server.jobs().run_once(Job::Publish).await.expect("round");
        rounds += 1;
        let left = entity::post_delivery::Entity::find()
            .filter(entity::post_delivery::Column::Status.ne(DeliveryState::Published))
            .count(db)
            .await
            .expect("count");
        if left == 0 || rounds > 1_000 {
            break;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rss_after = rss_mib();
    let published = net.seen.lock().map(|s| s.len()).unwrap_or(0);
    println!(
        "{label}: {published} of {total} published in {elapsed:.1} s ({:.1}/s, {rounds} rounds), \
         at most {} in flight, {} sent twice, network latency {} ms, RSS {rss_before:.0} → {rss_after:.0} MiB",
        published as f64 / elapsed,
        net.most.load(Ordering::SeqCst),
        net.twice.load(Ordering::SeqCst),
        latency.as_millis(),
    );
    // The same query with a small backlog behind it.
    let first: Vec<_> = filled.iter().take(1).cloned().collect();
    let small: Vec<_> = first
        .into_iter()
        .map(|(t, ids)| (t, ids.into_iter().take(200).collect()))
        .collect();
    posts(&server, &small, "two").await;
    db.execute_unprepared("ANALYZE").await.expect("analyze");
    let (_, few) = due_query(&server).await;
    println!(
        "{label}: due query {:.2} ms with {total} due, {:.2} ms with 200 due; plan: {plan}",
        full.as_secs_f64() * 1000.0,
        few.as_secs_f64() * 1000.0
    );
    server.shutdown().await.expect("shutdown");
}

#[tokio::main]
async fn main() {
    let number = common::setting;
    let total = usize::try_from(number("SG_PUBLISH_SIZE", 10_000)).unwrap_or(10_000);
    let latency = Duration::from_millis(number("SG_PUBLISH_LATENCY_MS", 100));
    common::on_both("publish", |label, url| run(label, url, total, latency)).await;
}
