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
