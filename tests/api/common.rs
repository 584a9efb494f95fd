//! Test harness: a real server on a real database per test.
//!
//! [`run`] gives each test its own SQLite file or PostgreSQL database, builds the app
//! through the same `Socialgate::with_store` as production, serves the real router on
//! a loopback port, and counts every SQL statement the app sends. PostgreSQL is used
//! when reachable (`SOCIALGATE_TEST_DATABASE_URL`, default the local server); with
//! `SOCIALGATE_REQUIRE_POSTGRES=1` an unreachable server fails the test.

use std::{
    future::Future,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use libtest_mimic::Completion;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, Statement};
use serde_json::{Value, json};
use socialgate::graphql::ids::IntegrationGid;
use socialgate::{
    Config, Socialgate,
    app::App,
    auth::{Actor, Claims, Role, TokenMinter},
    config::Secret,
    crypto::Keyring,
    domain::Network,
    service::{
        lifecycle::{self, NewAccount},
        seed::{SeedOptions, SeededTenant, seed},
        viewer,
    },
    store::Store,
};
use tokio::net::TcpListener;

pub const SECRET: &str = "test-secret-that-is-long-enough-for-hs256";
pub const ISSUER: &str = "socialgate-tests";
pub const AUDIENCE: &str = "socialgate";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    pub backend: Backend,
    pub base: String,
    pub http: reqwest::Client,
    pub minter: TokenMinter,
    pub store: Store,
    /// The server's shared state (keyring, providers, config).
    pub app: Arc<App>,
    /// The token-sealing key spec the server runs with.
    pub token_keys: Secret,
    /// The database URL (a SQLite file or a PostgreSQL database).
    pub url: String,
    statements: Arc<AtomicUsize>,
    _dir: Option<tempfile::TempDir>,
}

/// Serves `router` (a look-alike of a network) on a free local port; its base URL.
pub async fn lookalike(router: axum::Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    base
}

/// Serves `server` on a free local port, as `serve` would; its base URL.
pub async fn served(server: &Socialgate) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let limits = server.app().config.serve_limits();
    tokio::spawn(socialgate::http::serve(
        listener,
        server.router(),
        limits,
        std::future::pending(),
    ));
    base
}

/// An account as a network reports it at sign-in, acting with access token `token`;
/// tests set any other field they care about.
pub fn account(network: Network, external_id: &str, token: &str) -> NewAccount {
    NewAccount {
        network,
        external_account_id: external_id.to_owned(),
        network_user_id: None,
        display_name: format!("Account {external_id}"),
        profile_url: None,
        scopes: vec!["openid".into(), "pages_manage_posts".into()],
        token_expires_at: None,
        tokens: Some(lifecycle::Tokens {
            access: Secret::new(token),
            refresh: None,
            refresh_expires_at: None,
        }),
    }
}

/// Connects `account` for `owner` through the change road of `app`; its id.
pub async fn connected(
    app: &App,
    owner: &Actor,
    account: NewAccount,
) -> socialgate::domain::IntegrationId {
    lifecycle::connected(app, owner, account)
        .await
        .expect("connect")
        .integration
        .id
}

impl TestApp {
    /// Moves `column` of every row of `table` back by `days` days: as if that much
    /// time had passed since it was written.
    pub async fn rewind(&self, table: &str, column: &str, days: u32) {
        let sql = match self.backend {
            Backend::Postgres => {
                format!("UPDATE {table} SET {column} = {column} - interval '{days} days'")
            }
            Backend::Sqlite => format!(
                "UPDATE {table} SET {column} = strftime('%Y-%m-%dT%H:%M:%f', {column}, '-{days} days') || '+00:00'"
            ),
        };
        let backend = self.store.db().get_database_backend();
        self.store
            .db()
            .execute_raw(Statement::from_string(backend, sql))
            .await
            .expect("rewind");
    }

    /// Runs `sql` as it is, for a test that sets up a row as an earlier version of the
    /// server left it.
    pub async fn sql(&self, sql: &str) {
        let backend = self.store.db().get_database_backend();
        self.store
            .db()
            .execute_raw(Statement::from_string(backend, sql.to_owned()))
            .await
            .expect("sql");
    }

    /// Another instance of the app on this test's database and keys, with network
    /// endpoints (and anything else) set by `configure`; not served.
    pub async fn instance(&self, configure: impl FnOnce(&mut Config)) -> Socialgate {
        let mut config = Config {
            database_url: self.url.clone(),
            jwt_secret: Some(Secret::new(SECRET)),
            jwt_issuer: Some(ISSUER.to_owned()),
            jwt_audience: Some(AUDIENCE.to_owned()),
            token_keys: Some(self.token_keys.clone()),
            allowed_origins: Some("https://admin.example.com".to_owned()),
            ..Config::default()
        };
        configure(&mut config);
        Socialgate::with_store(config, self.store.clone())
            .await
            .expect("instance")
    }

    /// A token for `sub` in `tenant` with `roles`, valid for an hour.
    pub fn token(&self, tenant: &str, sub: &str, roles: &[Role]) -> String {
        self.minter
            .mint(tenant, sub, roles, Duration::from_secs(3600))
            .expect("mint token")
    }

    /// POSTs a GraphQL request and returns the JSON body (any status).
    pub async fn gql(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("send");
        response.json().await.expect("json body")
    }

    /// The caller `sub` of `tenant`, provisioned as a request would.
    pub async fn actor(&self, tenant: &str, sub: &str, roles: &[Role]) -> Actor {
        let claims = Claims {
            sub: sub.to_owned(),
            tenant_id: tenant.to_owned(),
            roles: roles.to_vec(),
            email: None,
            name: None,
            exp: 0,
            nbf: None,
            iss: None,
            aud: None,
        };
        viewer::authenticate(&self.store, &self.app.callers, &claims, None)
            .await
            .expect("authenticate")
    }

    /// A completed connection of `owner`: a new PENDING integration; returns its API id.
    pub async fn connect(&self, owner: &Actor, network: Network, account: &str) -> String {
        let applied = lifecycle::connected(
            &self.app,
            owner,
            NewAccount {
                network,
                external_account_id: account.to_owned(),
                network_user_id: None,
                display_name: format!("Account {account}"),
                profile_url: None,
                scopes: vec!["openid".into(), "w_member_social".into()],
                token_expires_at: None,
                tokens: None,
            },
        )
        .await
        .expect("connect");
        IntegrationGid(applied.integration.id).encoded()
    }

    /// Waits until background work is done, so a measurement counts only its request:
    /// on PostgreSQL, until the event listener has relayed the newest event (it reads
    /// announcements in commit order). SQLite has no listener. Announcements made
    /// before the listener first connected are lost, so the newest event is announced
    /// again until the listener has relayed it.
    pub async fn quiesce(&self) {
        use sea_orm::{QueryOrder, QuerySelect, sqlx::Connection as _};
        if self.backend != Backend::Postgres {
            return;
        }
        // Once listening, the listener forgets remembered callers: that must not
        // happen inside a measurement either.
        let mut listening = self.app.bus.listening();
        tokio::time::timeout(Duration::from_secs(30), listening.wait_for(|n| *n > 0))
            .await
            .expect("the listener does not connect")
            .expect("bus alive");
        let newest = entity::integration_event::Entity::find()
            .order_by_desc(entity::integration_event::Column::OccurredAt)
            .order_by_desc(entity::integration_event::Column::Seq)
            .limit(1)
            .one(self.store.db())
            .await
            .expect("newest event");
        let Some(newest) = newest else { return };
        let target = Some((newest.tenant_id, newest.seq));
        let mut relayed = self.app.bus.relayed();
        for _ in 0..150 {
            let waited = tokio::time::timeout(
                Duration::from_millis(200),
                relayed.wait_for(|last| *last == target),
            )
            .await;
            if let Ok(alive) = waited {
                alive.expect("bus alive");
                return;
            }
            // Outside the counted pool: a measurement must not see this statement.
            let payload =
                socialgate::events::wire::payload(newest.tenant_id, newest.seq, newest.seq);
            let mut direct = sea_orm::sqlx::PgConnection::connect(&self.url)
                .await
                .expect("connect to announce");
            sea_orm::sqlx::query("SELECT pg_notify($1, $2)")
                .bind(socialgate::events::wire::CHANNEL)
                .bind(payload)
                .execute(&mut direct)
                .await
                .expect("announce again");
        }
        panic!("the listener does not catch up");
    }

    /// The newest event sequence of the tenant `external_id`: a cursor to subscribe
    /// from, so a subscription sees every change made after this point however long
    /// it takes to start.
    pub async fn head(&self, external_id: &str) -> String {
        let tenant = self
            .store
            .provision_tenant(external_id)
            .await
            .expect("tenant");
        tenant.chain_seq.to_string()
    }

    /// Statements sent to the database so far.
    pub fn statements(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }

    /// Seeds `tenants` tenants of `users` advisors each (fixed random seed).
    pub async fn seed(&self, tenants: usize, users: usize) -> Vec<SeededTenant> {
        seed(
            &self.app,
            SeedOptions {
                tenants,
                users_per_tenant: users,
                rng_seed: 42,
            },
        )
        .await
        .expect("seed")
    }
}

/// The `extensions.code` of every error in a response.
pub fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    e["extensions"]["code"]
                        .as_str()
                        .unwrap_or("<none>")
                        .to_owned()
                })
                .collect()
        })
        .unwrap_or_default()
}

fn postgres_admin_url() -> String {
    std::env::var("SOCIALGATE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn postgres_required() -> bool {
    std::env::var("SOCIALGATE_REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
}

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Creates a fresh PostgreSQL database; `None` when the server is unreachable and not
/// required. Databases of earlier runs older than an hour are dropped on the way.
async fn postgres_database() -> Option<(String, String)> {
    let admin_url = postgres_admin_url();
    let admin =
        match tokio::time::timeout(Duration::from_secs(5), Database::connect(&admin_url)).await {
            Ok(Ok(db)) => db,
            other => {
                if postgres_required() {
                    panic!("PostgreSQL is required but unreachable at {admin_url}: {other:?}");
                }
                return None;
            }
        };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    drop_stale(&admin, now).await;
    let name = format!("sg_test_{now}_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    admin.close().await.ok();
    Some((with_database(&admin_url, &name), name))
}

async fn drop_stale(admin: &DatabaseConnection, now: u64) {
    let rows = admin
        .query_all_raw(Statement::from_string(
            admin.get_database_backend(),
            "SELECT datname FROM pg_database WHERE datname LIKE 'sg_test_%'",
        ))
        .await
        .unwrap_or_default();
    for row in rows {
        let Ok(name) = row.try_get::<String>("", "datname") else {
            continue;
        };
        let created = name
            .split('_')
            .nth(2)
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(now);
        if now.saturating_sub(created) > 3600 {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}

pub async fn drop_database(name: &str) {
    if let Ok(admin) = Database::connect(&postgres_admin_url()).await {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
        admin.close().await.ok();
    }
}

/// Builds a server on a fresh database of `backend`; `None` to skip.
pub async fn spawn(backend: Backend) -> Option<(TestApp, Option<String>)> {
    spawn_with(backend, |_| {}).await
}

/// Like [`spawn`], with the server's `Config` adjusted by `configure` (e.g. low
/// fairness limits).
pub async fn spawn_with(
    backend: Backend,
    configure: impl FnOnce(&mut Config),
) -> Option<(TestApp, Option<String>)> {
    let (url, dir, pg_name) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("tempdir");
            let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            (url, Some(dir), None)
        }
        Backend::Postgres => {
            let (url, name) = postgres_database().await?;
            (url, None, Some(name))
        }
    };
    let mut options = Store::options(&url);
    options.max_connections(5);
    let mut db = Database::connect(options)
        .await
        .expect("connect test database");
    let statements = Arc::new(AtomicUsize::new(0));
    let counter = statements.clone();
    db.set_metric_callback(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
    });
    let store = Store::from_connection(db);
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let token_keys = Keyring::generate("test-1");
    let mut config = Config {
        database_url: url.clone(),
        public_url: Some(base.clone()),
        jwt_secret: Some(Secret::new(SECRET)),
        jwt_issuer: Some(ISSUER.to_owned()),
        jwt_audience: Some(AUDIENCE.to_owned()),
        token_keys: Some(token_keys.clone()),
        allowed_origins: Some("https://admin.example.com".to_owned()),
        sandbox: Some(true),
        ..Config::default()
    };
    configure(&mut config);
    let server = Socialgate::with_store(config, store.clone())
        .await
        .expect("build app");
    let router = server.router();
    let limits = server.app().config.serve_limits();
    tokio::spawn(socialgate::http::serve(
        listener,
        router,
        limits,
        std::future::pending(),
    ));
    let app = TestApp {
        backend,
        base,
        http: reqwest::Client::new(),
        minter: TokenMinter::new(
            &Secret::new(SECRET),
            Some(ISSUER.to_owned()),
            Some(AUDIENCE.to_owned()),
        ),
        store,
        app: server.app().clone(),
        token_keys,
        url,
        statements,
        _dir: dir,
    };
    Some((app, pg_name))
}

/// Runs `test` against a fresh server on `backend`, then drops its database. A test
/// that cannot check what it is about where it runs returns
/// `Completion::ignored_with(why)` instead of passing.
pub async fn run<F, Fut, T>(backend: Backend, test: F) -> Completion
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = T>,
    T: IntoCompletion,
{
    run_with(backend, |_| {}, test).await
}

/// Like [`run`], with the server's `Config` adjusted by `configure`.
pub async fn run_with<F, Fut, T>(
    backend: Backend,
    configure: impl FnOnce(&mut Config),
    test: F,
) -> Completion
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = T>,
    T: IntoCompletion,
{
    let Some((app, pg_name)) = spawn_with(backend, configure).await else {
        return unreachable_postgres();
    };
    let completion = test(app).await.into_completion();
    if let Some(name) = pg_name {
        drop_database(&name).await;
    }
    completion
}

/// How a PostgreSQL test ends when no server answers and none is required: ignored,
/// with the reason, so the summary never counts it as passed.
pub fn unreachable_postgres() -> Completion {
    Completion::ignored_with(format!(
        "PostgreSQL unreachable at {} (set SOCIALGATE_REQUIRE_POSTGRES=1 to fail instead)",
        postgres_admin_url()
    ))
}

/// Declares a test that runs once on SQLite and once on PostgreSQL; with
/// `config = |c: &mut Config| …`, on a server configured so.
#[macro_export]
macro_rules! db_test {
    ($name:ident, config = $configure:expr, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            inventory::submit! {
                $crate::common::Case {
                    module: module_path!(),
                    name: "sqlite",
                    run: || $crate::common::block_on($crate::common::run_with(
                        $crate::common::Backend::Sqlite,
                        $configure,
                        $body,
                    )),
                    ignored: false,
                }
            }

            inventory::submit! {
                $crate::common::Case {
                    module: module_path!(),
                    name: "postgres",
                    run: || $crate::common::block_on($crate::common::run_with(
                        $crate::common::Backend::Postgres,
                        $configure,
                        $body,
                    )),
                    ignored: false,
                }
            }
        }
    };
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            inventory::submit! {
                $crate::common::Case {
                    module: module_path!(),
                    name: "sqlite",
                    run: || $crate::common::block_on(
                        $crate::common::run($crate::common::Backend::Sqlite, $body),
                    ),
                    ignored: false,
                }
            }

            inventory::submit! {
                $crate::common::Case {
                    module: module_path!(),
                    name: "postgres",
                    run: || $crate::common::block_on(
                        $crate::common::run($crate::common::Backend::Postgres, $body),
                    ),
                    ignored: false,
                }
            }
        }
    };
}

/// Registers a test that is not run once per database engine: `async fn $name()` or,
/// with `sync`, `fn $name()`, returning `()` or a [`Completion`].
#[macro_export]
macro_rules! api_test {
    ($name:ident) => {
        inventory::submit! {
            $crate::common::Case {
                module: module_path!(),
                name: stringify!($name),
                run: || $crate::common::block_on($name()),
                ignored: false,
            }
        }
    };
    (ignored $name:ident) => {
        inventory::submit! {
            $crate::common::Case {
                module: module_path!(),
                name: stringify!($name),
                run: || $crate::common::block_on($name()),
                ignored: true,
            }
        }
    };
    (sync $name:ident) => {
        inventory::submit! {
            $crate::common::Case {
                module: module_path!(),
                name: stringify!($name),
                run: || $crate::common::IntoCompletion::into_completion($name()),
                ignored: false,
            }
        }
    };
}

/// One registered test: `module::name` in the listing.
pub struct Case {
    pub module: &'static str,
    pub name: &'static str,
    pub run: fn() -> Completion,
    /// Run only when asked (`-- --ignored`): reports by hand, not checks.
    pub ignored: bool,
}

inventory::collect!(Case);

/// What a test body may return: nothing (it ran), or whether it ran or was skipped.
pub trait IntoCompletion {
    fn into_completion(self) -> Completion;
}

impl IntoCompletion for () {
    fn into_completion(self) -> Completion {
        Completion::Completed
    }
}

impl IntoCompletion for Completion {
    fn into_completion(self) -> Completion {
        self
    }
}

/// Runs `test` to the end on a runtime of its own, like `#[tokio::test]` with two
/// workers.
pub fn block_on<T: IntoCompletion>(test: impl Future<Output = T>) -> Completion {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("test runtime")
        .block_on(test)
        .into_completion()
}

/// The storage key of an `Integration` id the API returned.
pub fn integration_id(gid: &str) -> socialgate::domain::IntegrationId {
    IntegrationGid::decode(gid).expect("integration id").0
}

/// The storage key of a `ConnectionAttempt` id the API returned.
pub fn attempt_id(gid: &str) -> socialgate::domain::AttemptId {
    socialgate::graphql::ids::AttemptGid::decode(gid)
        .expect("attempt id")
        .0
}
