//! A database per test: a SQLite file, or a PostgreSQL database created for it and
//! dropped after; a server on it; and how a test ends when PostgreSQL is away.

use super::*;

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
