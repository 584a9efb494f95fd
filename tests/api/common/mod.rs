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
    App, Config, Socialgate,
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

mod databases;
mod harness;

pub use databases::*;
pub use harness::*;
