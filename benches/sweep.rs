//! Expiry-sweep benchmark: how long `socialgate run-job expiry` takes to move 100,000
//! expired integrations (10 tenants of 10,000) to EXPIRED on SQLite and, when it
//! answers, PostgreSQL, each with its audit event. The rows are written directly (the
//! sweep is what is measured, not the connecting); the sweep goes through the real
//! batch road. Run: `cargo bench --bench sweep` (`SG_SWEEP_SIZE` for another size).
//! Results are recorded in BENCHMARKS.md; nothing here asserts a timing.

use std::time::Instant;

use chrono::{Duration, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Database, EntityTrait, IntoActiveModel};
use socialgate::{
    Config, Socialgate,
    config::Secret,
    crypto::Keyring,
    domain::{AccountKind, IntegrationId, Network, Status, StatusReason},
    jobs::Job,
    store::{Scope, users::Profile},
};

const TENANTS: usize = 10;

async fn fill(server: &Socialgate, total: usize) {
    let store = &server.app().store;
    let expired = Utc::now() - Duration::hours(1);
    let per_tenant = total / TENANTS;
    for t in 0..TENANTS {
        let tenant = store
            .provision_tenant(&format!("sweep-{t}"))
            .await
            .expect("tenant");
        let owner = store
            .tenant(Scope::tenant(tenant.id))
            .provision_user("owner", Profile::default())
            .await
            .expect("owner");
        let rows: Vec<_> = (0..per_tenant)
            .map(|n| entity::integration::Model {
                id: IntegrationId::generate(),
                tenant_id: tenant.id,
                owner_id: owner.id,
                network: Network::Linkedin,
                account_kind: AccountKind::MemberProfile,
                external_account_id: format!("member-{n}"),
                network_user_id: None,
                display_name: format!("Member {n}"),
                profile_url: None,
                status: if n % 3 == 0 {
                    Status::Pending
                } else {
                    Status::Active
                },
                status_reason: StatusReason::Connected,
                status_changed_at: expired,
                connected_at: expired,
                approved_at: None,
                granted_scopes: "openid".into(),
                approved_scopes: None,
                token_expires_at: Some(expired),
                last_checked_at: None,
                last_check_outcome: None,
                consecutive_failures: 0,
                version: 1,
                disconnected_at: None,
                created_at: expired,
                updated_at: expired,
            })
            .collect();
        for chunk in rows.chunks(1000) {
            entity::integration::Entity::insert_many(
                chunk
                    .iter()
                    .map(|m| m.clone().into_active_model().reset_all()),
            )
            .exec_without_returning(store.db())
            .await
            .expect("insert");
        }
    }
}

async fn run(label: &str, database_url: String, total: usize) {
    let config = Config {
        database_url,
        jwt_secret: Some(Secret::new("bench-secret-that-is-long-enough-for-hs256")),
        token_keys: Some(Keyring::generate("bench")),
        log: "warn".into(),
        ..Config::default()
    };
    let server = Socialgate::build(config).await.expect("server");
    fill(&server, total).await;
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
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("sweep.db").display()
    );
    run("SQLite", sqlite, total).await;
    let admin_url = std::env::var("SOCIALGATE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let Ok(admin) = Database::connect(&admin_url).await else {
        println!("PostgreSQL: not reachable at {admin_url}; skipped");
        return;
    };
    let name = format!("sg_sweep_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => admin_url.clone(),
    };
    run("PostgreSQL", url, total).await;
    let _ = admin
        .execute_unprepared(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await;
}
