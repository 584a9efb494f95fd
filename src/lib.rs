//! socialgate: an embeddable GraphQL API server that connects advisors' LinkedIn
//! profiles, Facebook Pages and Instagram professional accounts, keeps them healthy
//! and puts each through compliance review.
//!
//! Embed it by building [`Socialgate`] from a [`Config`] and nesting
//! [`Socialgate::router`] in your axum app; or run the `socialgate` binary. The
//! library reads no environment variables and starts no runtime of its own.

pub mod auth;
pub mod config;
pub mod crypto;
pub mod dev;
pub mod domain;
pub mod error;
pub mod events;
pub mod graphql;
pub mod http;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod providers;
pub mod sandbox;
pub mod service;
pub mod store;

mod builder;
mod serving;

use std::sync::Arc;

pub use builder::Builder;
pub use config::Config;
pub use error::{AppError, AppResult};
pub use service::App;

use crate::{
    auth::Verifier, crypto::Keyring, events::EventBus, graphql::AppSchema, providers::Providers,
    store::Store,
};

/// A built server: database connected and migrated, schema ready.
pub struct Socialgate {
    app: Arc<App>,
    schema: AppSchema,
    /// Open WebSocket connections, shared by every router of this server.
    sockets: http::sockets::OpenSockets,
    /// The look-alike networks, when sandboxes are on.
    sandbox: Option<Arc<sandbox::Sandbox>>,
}

impl Socialgate {
    /// Connects to `config.database_url`, applies migrations and builds the schema.
    /// A JWT key must be configured (the binary's dev mode puts one there).
    pub async fn build(config: Config) -> AppResult<Self> {
        Self::builder(config).build().await
    }

    /// Like [`Socialgate::build`] over an existing store (embedding apps; tests that
    /// watch the connection).
    pub async fn with_store(config: Config, store: Store) -> AppResult<Self> {
        Self::builder(config).store(store).build().await
    }

    /// A server to build step by step: on the host's own database connection, with
    /// the host's own authentication. See [`Builder`].
    pub fn builder(config: Config) -> Builder {
        Builder {
            config,
            store: None,
            authenticate: None,
        }
    }

    async fn assemble(
        config: Config,
        store: Store,
        authenticate: Option<auth::HostAuth>,
    ) -> AppResult<Self> {
        store.migrate().await?;
        let verifier = match (&authenticate, Verifier::from_config(&config)) {
            (_, Ok(verifier)) => verifier,
            // The host authenticates; bearer tokens are never read, so no key is needed.
            (Some(_), Err(_)) => Verifier::unusable(),
            (None, Err(e)) => return Err(e),
        };
        let keyring = match &config.token_keys {
            Some(keys) => Keyring::parse(keys)?,
            None => {
                return Err(AppError::BadUserInput(
                    "set SOCIALGATE_TOKEN_KEYS (id:base64 of 32 bytes, newest first) so network \
                     tokens can be sealed at rest"
                        .into(),
                ));
            }
        };
        let mut providers = Providers::from_config(&config)?;
        // The sandbox plugs in here and only here: look-alikes for the networks no
        // configured app serves, when sandboxes are on.
        let sandbox = sandbox::register(&config, &mut providers, &store).await?;
        let mailer = mail::Mailer::from_config(&config, &keyring)?;
        let (shutdown, _) = tokio::sync::watch::channel(false);
        let bus = EventBus::default();
        let callers = Arc::new(service::viewer::Callers::default());
        if store.backend() == sea_orm::DatabaseBackend::Postgres {
            tokio::spawn(events::listener::run(
                store::plain_on_loopback(&config.database_url),
                store.clone(),
                events::listener::Relay {
                    bus: bus.clone(),
                    callers: callers.clone(),
                },
                shutdown.subscribe(),
            ));
        }
        let limits = service::limits::Limits::new(&config);
        let replay = service::replay::ReplayBudget::new(config.replay_rate);
        let heavy = service::heavy::HeavyPool::new(
            config.heavy_slots as usize,
            std::time::Duration::from_millis(config.tenant_queue_ms),
        );
        let app = Arc::new(App {
            config,
            limits,
            heavy,
            replay,
            walks: Default::default(),
            store,
            bus,
            callers,
            feeds: Default::default(),
            verifier,
            keyring,
            simulator: sandbox::simulator(sandbox.as_ref()),
            providers,
            mailer,
            shutdown,
            authenticate,
        });
        service::repairs::run(&app).await?;
        let schema = graphql::build(app.clone());
        if let Some(handle) = metrics::recorder() {
            // Histograms keep their samples until upkeep folds them in: without a
            // scrape they would grow for ever.
            let mut down = app.shutdown.subscribe();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
                loop {
                    tokio::select! {
                        _ = every.tick() => handle.run_upkeep(),
                        _ = down.wait_for(|down| *down) => return,
                    }
                }
            });
        }
        Ok(Socialgate {
            app,
            schema,
            sockets: Default::default(),
            sandbox,
        })
    }

    /// The HTTP surface, ready to serve or nest.
    pub fn router(&self) -> axum::Router {
        http::router(
            self.app.clone(),
            self.schema.clone(),
            self.sockets.clone(),
            sandbox::router(self.app.clone(), self.sandbox.as_ref()),
        )
    }

    /// The executable schema (for in-process use).
    pub fn schema(&self) -> AppSchema {
        self.schema.clone()
    }

    /// The background jobs, to run here ([`jobs::Jobs::run`]) or leave to another
    /// process.
    pub fn jobs(&self) -> jobs::Jobs {
        jobs::Jobs::new(self.app.clone())
    }

    /// The shared state.
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Tells sockets to close (with 1001, so clients resume with `after`) and ends
    /// feeds and the event listener. Call it before waiting for the HTTP server.
    pub fn begin_shutdown(&self) {
        let _ = self.app.shutdown.send(true);
    }

    /// Closes the database pool once every clone of the state is gone.
    pub async fn shutdown(self) -> AppResult<()> {
        self.begin_shutdown();
        drop(self.schema);
        match Arc::try_unwrap(self.app) {
            Ok(app) => app.store.close().await,
            Err(_) => Ok(()),
        }
    }
}
