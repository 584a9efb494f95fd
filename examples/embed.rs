//! A host axum app that embeds socialgate under `/social`: its own routes, its own
//! authentication (here a stand-in header; yours is a session cookie or a gateway
//! header), and one database pool shared with socialgate.
//!
//! ```sh
//! cargo run --example embed
//! curl -s localhost:8090/social/graphql -H 'x-host-user: acme:alice:advisor' \
//!   -H 'content-type: application/json' -d '{"query":"{ viewer { subject roles } }"}'
//! ```

use std::{net::SocketAddr, time::Duration};

use axum::{Router, routing::get};
use socialgate::{
    AppError, AppResult, Config, Socialgate,
    auth::{Authenticate, Claims, Role},
    crypto::Keyring,
};

/// The host's own sign-in, standing in for a session lookup: the header
/// `x-host-user: tenant:subject:role` names the caller.
pub struct HostSessions;

#[async_trait::async_trait]
impl Authenticate for HostSessions {
    async fn caller(&self, headers: &http::HeaderMap) -> Result<Option<Claims>, String> {
        let Some(value) = headers.get("x-host-user") else {
            return Ok(None);
        };
        let text = value.to_str().map_err(|_| "x-host-user is not text")?;
        let mut parts = text.splitn(3, ':');
        let (Some(tenant), Some(subject), Some(role)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err("x-host-user is tenant:subject:role".into());
        };
        let role: Role = serde_json::from_value(serde_json::Value::String(role.to_owned()))
            .map_err(|_| format!("unknown role {role:?}"))?;
        // A session of the host's lasts its own time; sockets close when it ends.
        Ok(Some(Claims::vouched(
            tenant,
            subject,
            &[role],
            Duration::from_secs(8 * 3600),
        )))
    }
}

/// The host's app: its own routes, and socialgate nested under `/social` on the
/// host's database connection. `public_url` is where browsers reach `/social`.
pub async fn host(
    db: sea_orm::DatabaseConnection,
    public_url: String,
) -> AppResult<(Router, Socialgate)> {
    let config = Config {
        public_url: Some(public_url),
        // The host keeps this key in its secret store; generated here for the demo.
        token_keys: Some(Keyring::generate("host-1")),
        sandbox: Some(true),
        public_schema: Some(true),
        console: Some(true),
        ..Config::default()
    };
    let social = Socialgate::builder(config)
        .database(db)
        .authenticate(HostSessions)
        .build()
        .await?;
    let app = Router::new()
        .route("/", get(|| async { "the host's own home page" }))
        .nest("/social", social.router());
    Ok((app, social))
}

#[tokio::main]
async fn main() -> AppResult<()> {
    let addr = SocketAddr::from(([127, 0, 0, 1], 8090));
    let db = sea_orm::Database::connect("sqlite://embed.db?mode=rwc").await?;
    let (app, social) = host(db, format!("http://{addr}/social")).await?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| AppError::internal(format!("cannot listen on {addr}: {e}")))?;
    println!("host on http://{addr}/ — socialgate under http://{addr}/social/graphiql");
    // The same start and stop as `socialgate serve`: jobs, then on Ctrl-C readiness
    // off, sockets closed, requests drained, the running job batch finished, the pool
    // closed.
    social
        .serve_router(listener, app, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
