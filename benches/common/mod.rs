//! What the benchmarks share: a server on a fresh SQLite file or PostgreSQL database,
//! integrations written straight to the tables (what is measured is the work on
//! them, not the connecting), and callers provisioned as a request would. Each
//! benchmark uses part of it, so each declares it with `allow(dead_code)`.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Database, EntityTrait, IntoActiveModel};
use socialgate::{
    Socialgate,
    domain::{AccountKind, IntegrationId, Network, Status, StatusReason, TenantId},
    store::{Scope, users::Profile},
};

/// Writes `per_tenant` LinkedIn integrations (two in three ACTIVE, the rest PENDING)
/// whose token ends at `expires_at` into each of `tenants` new tenants named
/// `{prefix}-{n}`; returns them by tenant.
pub async fn fill(
    server: &Socialgate,
    prefix: &str,
    tenants: usize,
    per_tenant: usize,
    expires_at: DateTime<Utc>,
) -> Vec<(TenantId, Vec<IntegrationId>)> {
    let store = &server.app().store;
    let mut filled = Vec::new();
    for t in 0..tenants {
        let tenant = store
            .provision_tenant(&format!("{prefix}-{t}"))
            .await
            .expect("tenant");
        let owner = store
            .tenant(Scope::tenant(tenant.id))
            .provision_user("owner", Profile::default())
            .await
            .expect("owner");
        let at = Utc::now() - chrono::Duration::hours(1);
        let rows: Vec<_> = (0..per_tenant)
            .map(|n| entity::integration::Model {
                id: IntegrationId::generate(),
                tenant_id: tenant.id,
                owner_id: owner.id,
                network: Network::Linkedin,
                account_kind: AccountKind::MemberProfile,
                external_account_id: format!("member-{n}"),
                display_name: format!("Member {n}"),
                profile_url: None,
                network_user_id: None,
                status: if n % 3 == 0 {
                    Status::Pending
                } else {
                    Status::Active
                },
                status_reason: StatusReason::Connected,
                status_changed_at: at,
                connected_at: at,
                approved_at: None,
                granted_scopes: "openid".into(),
                approved_scopes: None,
                token_expires_at: Some(expires_at),
                last_checked_at: None,
                last_check_outcome: None,
                consecutive_failures: 0,
                version: 1,
                disconnected_at: None,
                created_at: at,
                updated_at: at,
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
        filled.push((tenant.id, rows.into_iter().map(|r| r.id).collect()));
    }
    filled
}

/// Stores a sealed access token `{prefix}-{id}` for every integration of `filled`.
pub async fn seal_tokens(
    server: &Socialgate,
    filled: &[(TenantId, Vec<IntegrationId>)],
    prefix: &str,
) {
    let app = server.app();
    for (tenant, ids) in filled {
        let rows: Vec<_> = ids
            .iter()
            .map(|id| {
                let tokens = socialgate::service::lifecycle::Tokens {
                    access: socialgate::config::Secret::new(format!("{prefix}-{id}")),
                    refresh: None,
                    refresh_expires_at: None,
                };
                let sealed = tokens.seal(&app.keyring, *tenant, *id).expect("seal");
                entity::credential::ActiveModel {
                    integration_id: sea_orm::Set(*id),
                    tenant_id: sea_orm::Set(*tenant),
                    key_id: sea_orm::Set(sealed.access.key_id),
                    access_token: sea_orm::Set(sealed.access.blob),
                    refresh_token: sea_orm::Set(None),
                    refresh_key_id: sea_orm::Set(None),
                    refresh_expires_at: sea_orm::Set(None),
                    updated_at: sea_orm::Set(Utc::now()),
                }
            })
            .collect();
        for chunk in rows.chunks(1000) {
            entity::credential::Entity::insert_many(chunk.to_vec())
                .exec_without_returning(app.store.db())
                .await
                .expect("credentials");
        }
    }
}

/// Serves `router` (a look-alike of a network) on a free loopback port; its base URL.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    base
}

/// A server on `database_url` whose LinkedIn app talks to the look-alike at `base`.
pub fn linkedin_config(database_url: String, base: &str) -> socialgate::Config {
    socialgate::Config {
        database_url,
        jwt_secret: Some(socialgate::config::Secret::new(
            "bench-secret-that-is-long-enough-for-hs256",
        )),
        token_keys: Some(socialgate::crypto::Keyring::generate("bench")),
        linkedin_client_id: Some("client".into()),
        linkedin_client_secret: Some(socialgate::config::Secret::new("secret")),
        linkedin_oauth_url: format!("{base}/oauth/v2"),
        linkedin_api_url: base.to_owned(),
        log: "warn".into(),
        ..socialgate::Config::default()
    }
}

/// The number in the environment variable `name`, or `default`.
pub fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs `bench` on a fresh SQLite file, then on a fresh PostgreSQL database when one
/// answers (`SOCIALGATE_TEST_DATABASE_URL`, default the local server).
pub async fn on_both<F, Fut>(name: &str, bench: F)
where
    F: Fn(&'static str, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("tempdir");
    let sqlite = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join(format!("{name}.db")).display()
    );
    bench("SQLite", sqlite).await;
    let admin_url = std::env::var("SOCIALGATE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let Ok(admin) = Database::connect(&admin_url).await else {
        println!("PostgreSQL: not reachable at {admin_url}; skipped");
        return;
    };
    let db = format!("sg_{name}_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {db}"))
        .await
        .expect("create database");
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{db}"),
        None => admin_url.clone(),
    };
    bench("PostgreSQL", url).await;
    let _ = admin
        .execute_unprepared(&format!("DROP DATABASE {db} WITH (FORCE)"))
        .await;
}

/// The caller `sub` of `tenant` with `role`, provisioned as a request would.
pub async fn actor(
    app: &socialgate::App,
    tenant: &str,
    sub: &str,
    role: socialgate::auth::Role,
) -> socialgate::auth::Actor {
    let claims = socialgate::auth::Claims {
        sub: sub.into(),
        tenant_id: tenant.into(),
        roles: vec![role],
        email: None,
        name: None,
        exp: 0,
        nbf: None,
        iss: None,
        aud: None,
    };
    socialgate::service::viewer::authenticate(&app.store, &app.callers, &claims, None)
        .await
        .expect("provision the caller")
}

/// The CPU time, user and system, in ms of a process's `/proc/…/stat` line (Linux,
/// 100 ticks a second).
fn stat_cpu_ms(stat: &str) -> f64 {
    let fields: Vec<&str> = stat[stat.rfind(')').expect("comm") + 2..]
        .split_whitespace()
        .collect();
    let ticks = |i: usize| fields[i].parse::<u64>().expect("ticks");
    (ticks(11) + ticks(12)) as f64 * 10.0
}

/// This process's CPU time so far, in ms.
pub fn cpu_ms() -> f64 {
    stat_cpu_ms(&std::fs::read_to_string("/proc/self/stat").expect("stat"))
}

/// The CPU time so far, in ms, of the processes named `postgres` on this machine (a
/// local PostgreSQL server's backends and workers; those that exit meanwhile drop out).
pub fn postgres_cpu_ms() -> f64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    dir.filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("stat")).ok())
        .filter(|stat| stat.contains(" (postgres) "))
        .map(|stat| stat_cpu_ms(&stat))
        .sum()
}

/// The `key` line (`VmRSS:`, `VmHWM:` …) of `/proc/self/status`, in KiB.
pub fn status_kib(key: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("status");
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.split_whitespace().next()?.parse().ok())
        .expect("status line")
}

/// An extension for the data-free schema that keeps each request's validated
/// complexity and executes nothing: `Schema::execute` then only prices a document.
#[derive(Clone, Default)]
pub struct Price(pub std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl async_graphql::extensions::ExtensionFactory for Price {
    fn create(&self) -> std::sync::Arc<dyn async_graphql::extensions::Extension> {
        std::sync::Arc::new(self.clone())
    }
}

#[async_trait::async_trait]
impl async_graphql::extensions::Extension for Price {
    async fn validation(
        &self,
        ctx: &async_graphql::extensions::ExtensionContext<'_>,
        next: async_graphql::extensions::NextValidation<'_>,
    ) -> Result<async_graphql::ValidationResult, Vec<async_graphql::ServerError>> {
        let validated = next.run(ctx).await?;
        self.0
            .store(validated.complexity, std::sync::atomic::Ordering::Relaxed);
        Ok(validated)
    }

    async fn execute(
        &self,
        _: &async_graphql::extensions::ExtensionContext<'_>,
        _: Option<&str>,
        _: async_graphql::extensions::NextExecute<'_>,
    ) -> async_graphql::Response {
        async_graphql::Response::default()
    }
}

/// A LinkedIn member account `id` as a sign-in would bring it (no tokens, no end).
pub fn linkedin_account(id: &str) -> socialgate::service::lifecycle::NewAccount {
    socialgate::service::lifecycle::NewAccount {
        network: socialgate::domain::Network::Linkedin,
        external_account_id: id.into(),
        network_user_id: None,
        display_name: format!("Member {id}"),
        profile_url: Some(format!("https://www.linkedin.com/in/{id}")),
        scopes: vec!["openid".into(), "w_member_social".into()],
        token_expires_at: None,
        tokens: None,
    }
}

static COUNTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
static LIVE: std::sync::atomic::AtomicIsize = std::sync::atomic::AtomicIsize::new(0);
static PEAK: std::sync::atomic::AtomicIsize = std::sync::atomic::AtomicIsize::new(0);

/// mimalloc (as the server binary), counting the heap bytes allocated and freed while
/// [`heap_count`] is on, and their peak: what a request holds at most, whatever the
/// allocator keeps mapped between requests. Off, it costs one relaxed load a call.
pub struct Counting;

fn counted(bytes: isize) {
    if COUNTING.load(std::sync::atomic::Ordering::Relaxed) {
        let now = LIVE.fetch_add(bytes, std::sync::atomic::Ordering::Relaxed) + bytes;
        PEAK.fetch_max(now, std::sync::atomic::Ordering::Relaxed);
    }
}

// SAFETY: every call is passed on to mimalloc unchanged; only counters are added.
unsafe impl std::alloc::GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        counted(layout.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        counted(layout.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        counted(-(layout.size() as isize));
        // SAFETY: the caller's contract, passed on.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, size: usize) -> *mut u8 {
        counted(size as isize - layout.size() as isize);
        // SAFETY: the caller's contract, passed on.
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, size) }
    }
}

/// Turns the heap count of [`Counting`] on (from zero) or off; on, the peak so far in
/// bytes.
pub fn heap_count(on: bool) -> isize {
    use std::sync::atomic::Ordering::Relaxed;
    if on {
        LIVE.store(0, Relaxed);
        PEAK.store(0, Relaxed);
    }
    COUNTING.store(on, Relaxed);
    PEAK.load(Relaxed)
}

/// Posts `query` to `url` with `token` and reads the answer as it streams, keeping only
/// its last MiB (errors come after `data`, so their codes are there): its size, whether
/// it accepts the request (HTTP 200 and no `BAD_USER_INPUT` or `RATE_LIMITED`), and in
/// words.
pub async fn post_streamed(
    client: &reqwest::Client,
    (url, token): (&str, &str),
    query: &str,
) -> (usize, (bool, String)) {
    const TAIL: usize = 1 << 20;
    let request = client.post(url).bearer_auth(token);
    let sent = request.json(&serde_json::json!({ "query": query })).send();
    let mut response = sent.await.expect("send");
    let (mut bytes, mut tail) = (0, Vec::new());
    while let Some(chunk) = response.chunk().await.expect("body") {
        bytes += chunk.len();
        tail.extend_from_slice(&chunk);
        if tail.len() > 2 * TAIL {
            tail.drain(..tail.len() - TAIL);
        }
    }
    let text = String::from_utf8_lossy(&tail);
    let refused = ["BAD_USER_INPUT", "RATE_LIMITED"]
        .into_iter()
        .find(|code| text.contains(&format!("\"code\":\"{code}\"")));
    let verdict = match (response.status().as_u16(), refused) {
        (200, None) if text.contains("\"errors\":[") => (true, "yes, other errors".into()),
        (200, None) => (true, "yes".into()),
        (200, Some(code)) => (false, format!("no ({code})")),
        (status, _) => (false, format!("no (HTTP {status})")),
    };
    (bytes, verdict)
}
